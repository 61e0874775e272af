<?xml version="1.0" encoding="UTF-8"?>
<!--
  Mode kim:html-home: tei/edition.xml and the catalogue → the edition's home page,
  html/index.html.

  From edition.xml: the title and subtitle, the project description, the introduction
  (text/body/div), the editorial principles (editorialDecl, one subsection per child),
  the archive's description of its collection (sourceDesc/bibl/quote) with its
  attribution, and the licence. From the catalogue ($catalogue, every card in
  chronological order): the list of all documents, each with its date in words and as
  listed, its type, sender → addressee, linked title and summary; the summaries are
  rendered by kim:html-inline, so their names are marked and linked as on the document
  pages. Then links to the three indexes, the data files and the TEI sources.

  When the edition is published in parts ($split), the home page lists the years with
  their number of documents, and each year has a page of its own (years/1950.html),
  made by the same stylesheet with $year set.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <xsl:mode name="kim:html-home" on-no-match="shallow-skip" on-multiple-match="fail"/>

  <!-- Every catalogue card, in chronological order, in a kim:catalogue element. -->
  <xsl:param name="catalogue" as="document-node()" required="yes"/>

  <!-- When set, the page lists the documents of this year only (years/1950.html). -->
  <xsl:param name="year" as="xs:string?" select="()"/>

  <!-- The home page is at the top of html/, a year's page one level down. -->
  <xsl:variable name="kim:home-root" as="xs:string" select="if (exists($year)) then '../' else ''"/>

  <!-- A year's page of a split edition: the frame and that year's documents. -->
  <xsl:template match="/tei:TEI[exists($year)]" mode="kim:html-home" priority="1">
    <xsl:variable name="title" as="xs:string" select="kim:label('documents-of') || ' ' || $year"/>
    <html lang="{kim:html-lang(.)}">
      <xsl:call-template name="kim:html-head">
        <xsl:with-param name="title" select="$title"/>
        <xsl:with-param name="root" select="$kim:home-root"/>
        <xsl:with-param name="description" select="$title || ': ' || kim:edition-title()"/>
        <xsl:with-param name="canonical" select="kim:public-url('years/' || $year || '.html')"/>
      </xsl:call-template>
      <body class="page-year">
        <xsl:call-template name="kim:site-header">
          <xsl:with-param name="root" select="$kim:home-root"/>
          <xsl:with-param name="current" select="'home'"/>
        </xsl:call-template>
        <main id="main" tabindex="-1">
          <div class="wrap">
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:call-template name="kim:year-navigation"/>
            <ol class="catalogue">
              <xsl:apply-templates select="$catalogue/kim:catalogue/kim:card[starts-with(@sort, $year)]"
                                   mode="kim:html-home"/>
            </ol>
          </div>
        </main>
        <xsl:call-template name="kim:site-footer">
          <xsl:with-param name="root" select="$kim:home-root"/>
        </xsl:call-template>
      </body>
    </html>
  </xsl:template>

  <!-- The years of a split edition, each linked to its page, with its number of documents. -->
  <xsl:template name="kim:year-navigation">
    <nav class="years" aria-label="{kim:label('years')}">
      <ul>
        <xsl:for-each-group select="$catalogue/kim:catalogue/kim:card" group-by="substring(@sort, 1, 4)">
          <li>
            <a href="{$kim:home-root}years/{current-grouping-key()}.html">
              <xsl:if test="current-grouping-key() = $year">
                <xsl:attribute name="aria-current" select="'page'"/>
              </xsl:if>
              <xsl:value-of select="current-grouping-key()"/>
            </a>
            <xsl:value-of select="' (' || count(current-group()) || ')'"/>
          </li>
        </xsl:for-each-group>
      </ul>
    </nav>
  </xsl:template>

  <!-- The page: the frame, the edition's own texts and the list of documents. -->
  <xsl:template match="/tei:TEI" mode="kim:html-home">
    <xsl:variable name="header" as="element(tei:teiHeader)" select="tei:teiHeader"/>
    <xsl:variable name="subtitle" as="xs:string?" select="kim:edition-subtitle()"/>
    <html lang="{kim:html-lang(.)}">
      <xsl:call-template name="kim:html-head">
        <xsl:with-param name="title" select="kim:edition-title()"/>
        <xsl:with-param name="root" select="$kim:home-root"/>
        <xsl:with-param name="description" select="($subtitle, kim:edition-title())[1]"/>
        <xsl:with-param name="canonical" select="kim:public-url('index.html')"/>
      </xsl:call-template>
      <body class="page-home">
        <xsl:call-template name="kim:site-header">
          <xsl:with-param name="root" select="$kim:home-root"/>
          <xsl:with-param name="current" select="'home'"/>
        </xsl:call-template>
        <main id="main" tabindex="-1">
          <div class="wrap">
            <header class="home-header">
              <h1><xsl:value-of select="kim:edition-title()"/></h1>
              <xsl:if test="$subtitle">
                <p class="subtitle"><xsl:value-of select="$subtitle"/></p>
              </xsl:if>
            </header>
            <xsl:apply-templates select="$header/tei:encodingDesc/tei:projectDesc" mode="kim:html-home"/>
            <xsl:call-template name="kim:home-contents"/>
            <xsl:apply-templates select="tei:text/tei:body/tei:div" mode="kim:html-home"/>
            <xsl:apply-templates select="$catalogue/kim:catalogue" mode="kim:html-home"/>
            <xsl:apply-templates select="$header/tei:encodingDesc/tei:editorialDecl" mode="kim:html-home"/>
            <xsl:apply-templates select="$header/tei:fileDesc/tei:sourceDesc/tei:bibl[tei:quote]" mode="kim:html-home"/>
            <xsl:call-template name="kim:home-licence"/>
            <xsl:call-template name="kim:home-data"/>
          </div>
        </main>
        <xsl:call-template name="kim:site-footer">
          <xsl:with-param name="root" select="$kim:home-root"/>
        </xsl:call-template>
      </body>
    </html>
  </xsl:template>

  <!-- The project description leads the page, right under the title, without a heading of its own. -->
  <xsl:template match="tei:projectDesc" mode="kim:html-home">
    <section class="project lead" aria-label="{kim:label('project')}">
      <xsl:apply-templates select="tei:p" mode="kim:html-inline">
        <xsl:with-param name="root" select="$kim:home-root" tunnel="yes"/>
      </xsl:apply-templates>
    </section>
  </xsl:template>

  <!-- A table of contents, so that a long home page can be crossed in one step. -->
  <xsl:template name="kim:home-contents">
    <nav class="contents" aria-label="{kim:label('contents')}">
      <ul>
        <xsl:for-each select="/tei:TEI/tei:text/tei:body/tei:div">
          <li><a href="#{kim:div-id(.)}"><xsl:value-of select="kim:div-heading(.)"/></a></li>
        </xsl:for-each>
        <li><a href="#documents"><xsl:value-of select="kim:label('documents')"/></a></li>
        <xsl:if test="/tei:TEI/tei:teiHeader/tei:encodingDesc/tei:editorialDecl">
          <li><a href="#principles"><xsl:value-of select="kim:label('editorial-principles')"/></a></li>
        </xsl:if>
        <xsl:if test="/tei:TEI/tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl[tei:quote]">
          <li><a href="#source-collection"><xsl:value-of select="kim:label('source-collection')"/></a></li>
        </xsl:if>
        <li><a href="#licence"><xsl:value-of select="kim:label('licence')"/></a></li>
        <li><a href="#indexes-and-data"><xsl:value-of select="kim:label('indexes-and-data')"/></a></li>
      </ul>
    </nav>
  </xsl:template>

  <!-- A division of the introduction: its head (or the label) as h2, its paragraphs. -->
  <xsl:template match="tei:div" mode="kim:html-home">
    <section class="introduction" id="{kim:div-id(.)}" aria-labelledby="{kim:div-id(.)}-heading">
      <h2 id="{kim:div-id(.)}-heading"><xsl:value-of select="kim:div-heading(.)"/></h2>
      <xsl:apply-templates select="* except tei:head" mode="kim:html-inline">
        <xsl:with-param name="root" select="$kim:home-root" tunnel="yes"/>
      </xsl:apply-templates>
    </section>
  </xsl:template>

  <!-- All documents, in the catalogue's (chronological) order. -->
  <xsl:template match="kim:catalogue" mode="kim:html-home">
    <section class="documents" id="documents" aria-labelledby="documents-heading">
      <h2 id="documents-heading"><xsl:value-of select="kim:label('documents')"/></h2>
      <p class="count"><xsl:value-of select="count(kim:card) || ' ' || kim:label('documents-count')"/></p>
      <xsl:choose>
        <xsl:when test="$split">
          <xsl:call-template name="kim:year-navigation"/>
        </xsl:when>
        <xsl:otherwise>
          <ol class="catalogue">
            <xsl:apply-templates select="kim:card" mode="kim:html-home"/>
          </ol>
        </xsl:otherwise>
      </xsl:choose>
    </section>
  </xsl:template>

  <!-- One document: linked title, then date, type and parties on one line, then the summary. -->
  <xsl:template match="kim:card" mode="kim:html-home">
    <xsl:variable name="senders" as="element(kim:party)*" select="kim:party[@role = 'sender']"/>
    <xsl:variable name="addressees" as="element(kim:party)*" select="kim:party[@role = 'addressee']"/>
    <li class="catalogue-item">
      <article>
        <h3><a href="{kim:document-href(@id, $kim:home-root)}"><xsl:value-of select="kim:title"/></a></h3>
        <p class="catalogue-meta">
          <xsl:apply-templates select="kim:date" mode="kim:html-home"/>
          <xsl:if test="normalize-space(@type-label)">
            <span class="separator" aria-hidden="true"> · </span>
            <span class="document-type"><xsl:value-of select="@type-label"/></span>
          </xsl:if>
          <xsl:if test="exists($senders) or exists($addressees)">
            <span class="separator" aria-hidden="true"> · </span>
            <span class="parties">
              <span class="vh"><xsl:value-of select="kim:label('sender')"/><xsl:text> </xsl:text></span>
              <xsl:apply-templates select="$senders" mode="kim:html-home"/>
              <span aria-hidden="true"><xsl:text> </xsl:text><xsl:value-of select="kim:label('from-to-arrow')"/><xsl:text> </xsl:text></span>
              <span class="vh"><xsl:text> </xsl:text><xsl:value-of select="lower-case(kim:label('addressee'))"/><xsl:text> </xsl:text></span>
              <xsl:apply-templates select="$addressees" mode="kim:html-home"/>
            </span>
          </xsl:if>
        </p>
        <div class="summary">
          <xsl:apply-templates select="kim:summary/*" mode="kim:html-inline">
            <xsl:with-param name="root" select="$kim:home-root" tunnel="yes"/>
          </xsl:apply-templates>
        </div>
      </article>
    </li>
  </xsl:template>

  <!-- A card's date: in words (the normalised date), then as the archive listed it. -->
  <xsl:template match="kim:date" mode="kim:html-home">
    <xsl:variable name="datetime" as="xs:string?" select="kim:datetime(@when)"/>
    <xsl:choose>
      <xsl:when test="$datetime">
        <time datetime="{$datetime}"><xsl:value-of select="@label"/></time>
      </xsl:when>
      <xsl:otherwise>
        <span class="date-period"><xsl:value-of select="@label"/></span>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:if test="normalize-space(.) and normalize-space(.) ne @label">
      <xsl:text> </xsl:text>
      <span class="as-written">(<xsl:value-of select="kim:label('as-listed')"/>: <xsl:value-of select="normalize-space(.)"/>)</span>
    </xsl:if>
  </xsl:template>

  <!-- A sender or addressee: the register's standard name, linked to the index; commas between. -->
  <xsl:template match="kim:party" mode="kim:html-home">
    <xsl:variable name="entry" as="element()?" select="kim:entry(@ref)"/>
    <xsl:if test="position() gt 1">
      <xsl:text>, </xsl:text>
    </xsl:if>
    <xsl:choose>
      <xsl:when test="exists($entry)">
        <a class="name name-{kim:pointer-kind(@ref)}" href="{kim:index-href(@ref, $kim:home-root)}">
          <xsl:value-of select="kim:standard-name($entry)"/>
        </a>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="normalize-space(.)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The editorial principles: one subsection per kind of decision, in the header's order. -->
  <xsl:template match="tei:editorialDecl" mode="kim:html-home">
    <section class="principles" id="principles" aria-labelledby="principles-heading">
      <h2 id="principles-heading"><xsl:value-of select="kim:label('editorial-principles')"/></h2>
      <xsl:apply-templates select="tei:p" mode="kim:html-inline">
        <xsl:with-param name="root" select="$kim:home-root" tunnel="yes"/>
      </xsl:apply-templates>
      <xsl:apply-templates select="* except tei:p" mode="kim:html-home"/>
    </section>
  </xsl:template>

  <!-- A subsection of the principles (correction, normalization…), titled by its kind. -->
  <xsl:template match="tei:editorialDecl/*" mode="kim:html-home">
    <section class="principle principle-{local-name()}">
      <h3><xsl:value-of select="kim:label(local-name(), kim:capitalise(local-name()))"/></h3>
      <xsl:apply-templates select="tei:p" mode="kim:html-inline">
        <xsl:with-param name="root" select="$kim:home-root" tunnel="yes"/>
      </xsl:apply-templates>
    </section>
  </xsl:template>

  <!-- The archive's own description of the collection, quoted, with its attribution. -->
  <xsl:template match="tei:sourceDesc/tei:bibl" mode="kim:html-home">
    <section class="source-collection" id="source-collection" aria-labelledby="source-collection-heading">
      <h2 id="source-collection-heading"><xsl:value-of select="kim:label('source-collection')"/></h2>
      <figure class="collection-quote">
        <blockquote>
          <xsl:for-each select="tei:quote">
            <p><xsl:apply-templates mode="kim:html-inline">
              <xsl:with-param name="root" select="$kim:home-root" tunnel="yes"/>
            </xsl:apply-templates></p>
          </xsl:for-each>
        </blockquote>
        <figcaption>
          <xsl:text>— </xsl:text>
          <xsl:value-of select="normalize-space(tei:publisher[1])"/>
          <xsl:if test="tei:publisher and tei:title">, </xsl:if>
          <xsl:for-each select="tei:title[1]">
            <cite><xsl:value-of select="normalize-space(.)"/></cite>
          </xsl:for-each>
        </figcaption>
      </figure>
    </section>
  </xsl:template>

  <!-- The licence of the edition, in its words, with the licence's address. -->
  <xsl:template name="kim:home-licence">
    <xsl:variable name="licence" as="element(tei:licence)?" select="kim:licence()"/>
    <section class="licence" id="licence" aria-labelledby="licence-heading">
      <h2 id="licence-heading"><xsl:value-of select="kim:label('licence')"/></h2>
      <p>
        <xsl:value-of select="normalize-space($licence)"/>
        <xsl:if test="$licence/@target">
          <xsl:text> </xsl:text>
          <a rel="license" href="{$licence/@target}"><xsl:value-of select="$licence/@target"/></a>
        </xsl:if>
      </p>
    </section>
  </xsl:template>

  <!-- The indexes, the data files of each (JSON, CSV) and the TEI sources of the edition. -->
  <xsl:template name="kim:home-data">
    <section class="indexes-and-data" id="indexes-and-data" aria-labelledby="indexes-and-data-heading">
      <h2 id="indexes-and-data-heading"><xsl:value-of select="kim:label('indexes-and-data')"/></h2>
      <table class="data-table">
        <caption><xsl:value-of select="kim:label('indexes')"/></caption>
        <thead>
          <tr>
            <th scope="col"><xsl:value-of select="kim:label('index')"/></th>
            <th scope="col"><xsl:value-of select="kim:label('entries-heading')"/></th>
            <th scope="col"><xsl:value-of select="kim:label('data')"/></th>
            <th scope="col"><xsl:value-of select="kim:label('tei-sources')"/></th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="('person', 'place', 'org')">
            <xsl:variable name="page" as="xs:string" select="$kim:index-pages(.)"/>
            <tr>
              <th scope="row"><a href="{$page}.html"><xsl:value-of select="kim:label($page)"/></a></th>
              <td class="number"><xsl:value-of select="count(kim:register(.)//(tei:person | tei:place | tei:org)[@xml:id])"/></td>
              <td>
                <a href="data/{$page}.json" type="application/json">JSON</a>
                <xsl:text>, </xsl:text>
                <a href="data/{$page}.csv" type="text/csv">CSV</a>
              </td>
              <td><a href="tei/{$kim:register-files(.)}" type="application/tei+xml"><xsl:value-of select="$kim:register-files(.)"/></a></td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
      <p>
        <xsl:value-of select="kim:label('tei-sources')"/>
        <xsl:text>: </xsl:text>
        <a href="tei/edition.xml" type="application/tei+xml">edition.xml</a>
        <xsl:text> (</xsl:text>
        <xsl:value-of select="kim:label('edition-header')"/>
        <xsl:text>).</xsl:text>
      </p>
    </section>
  </xsl:template>

  <!-- The id of a division of the introduction: its own, else "introduction", numbered after the first. -->
  <xsl:function name="kim:div-id" as="xs:string">
    <xsl:param name="div" as="element(tei:div)"/>
    <xsl:variable name="number" as="xs:integer" select="count($div/preceding-sibling::tei:div) + 1"/>
    <xsl:sequence select="($div/@xml:id, 'introduction' || (if ($number gt 1) then '-' || $number else ''))[1]"/>
  </xsl:function>

  <!-- The heading of a division of the introduction: its head, else the label. -->
  <xsl:function name="kim:div-heading" as="xs:string">
    <xsl:param name="div" as="element(tei:div)"/>
    <xsl:sequence select="(normalize-space($div/tei:head[1])[.], kim:label('introduction'))[1]"/>
  </xsl:function>
</xsl:stylesheet>
