<?xml version="1.0" encoding="UTF-8"?>
<!--
  Mode kim:html-document: a TEI document → its page, html/documents/<id>.html.

  The page has, in this order: the heading (type and date above the title, which is the
  document's head with its names marked), the text (the archive's summary), a
  "how to read this page" note, the metadata (dates, type, sender and addressee, numbers,
  source), the suggested citation with a stable address, links to the TEI source and the
  plain text, and the previous and next documents in time.

  The head carries what citation managers and search engines read: Highwire
  "citation_*" meta tags (Zotero), a few Dublin Core tags, and schema.org JSON-LD.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:map="http://www.w3.org/2005/xpath-functions/map"
                xmlns:array="http://www.w3.org/2005/xpath-functions/array"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <xsl:mode name="kim:html-document" on-no-match="shallow-skip" on-multiple-match="fail"/>

  <!-- The catalogue cards of the documents before and after this one (docs/stylesheets.md). -->
  <xsl:param name="previous" as="document-node()?" select="()"/>
  <xsl:param name="next" as="document-node()?" select="()"/>

  <!-- Links from a document page climb out of documents/. -->
  <xsl:variable name="kim:document-root" as="xs:string" select="'../'"/>

  <!-- The page: the frame around the document, with its citation metadata in the head. -->
  <xsl:template match="/tei:TEI" mode="kim:html-document">
    <xsl:variable name="id" as="xs:string" select="string(@xml:id)"/>
    <xsl:variable name="title" as="xs:string" select="kim:document-title(.)"/>
    <html lang="{kim:html-lang(.)}">
      <xsl:call-template name="kim:html-head">
        <xsl:with-param name="title" select="$title"/>
        <xsl:with-param name="root" select="$kim:document-root"/>
        <xsl:with-param name="description" select="kim:source-text(tei:text/tei:body/tei:p)"/>
        <xsl:with-param name="canonical" select="kim:public-url('documents/' || $id || '.html')"/>
        <xsl:with-param name="extra" as="node()*">
          <xsl:call-template name="kim:citation-meta"/>
          <script type="application/ld+json">
            <xsl:value-of select="kim:json-ld(kim:document-json-ld(.))"/>
          </script>
        </xsl:with-param>
      </xsl:call-template>
      <body class="page-document">
        <xsl:call-template name="kim:site-header">
          <xsl:with-param name="root" select="$kim:document-root"/>
          <xsl:with-param name="current" select="''"/>
        </xsl:call-template>
        <main id="main" tabindex="-1">
          <article class="document wrap" data-id="{$id}">
            <xsl:apply-templates select="tei:text/tei:body" mode="kim:html-document"/>
            <xsl:call-template name="kim:reading-help"/>
            <xsl:apply-templates select="tei:teiHeader" mode="kim:html-document"/>
            <xsl:call-template name="kim:citation"/>
            <xsl:call-template name="kim:formats"/>
          </article>
          <xsl:call-template name="kim:pager"/>
        </main>
        <xsl:call-template name="kim:site-footer">
          <xsl:with-param name="root" select="$kim:document-root"/>
        </xsl:call-template>
      </body>
    </html>
  </xsl:template>

  <!--
    The text: the head is the page's only h1 (the document's title, names marked), with
    the type and date above it; the paragraphs follow under "Summary", since what the
    edition quotes is the archive's summary of the document.
  -->
  <xsl:template match="tei:body" mode="kim:html-document">
    <xsl:variable name="document" as="element(tei:TEI)" select="ancestor::tei:TEI"/>
    <header class="document-header">
      <p class="kicker">
        <span class="document-type"><xsl:value-of select="kim:type-label(kim:document-type($document))"/></span>
        <xsl:text> · </xsl:text>
        <xsl:call-template name="kim:time">
          <xsl:with-param name="date" select="kim:creation-date($document)"/>
        </xsl:call-template>
      </p>
      <h1>
        <xsl:choose>
          <xsl:when test="tei:head">
            <xsl:apply-templates select="tei:head[1]/node()" mode="kim:html-inline">
              <xsl:with-param name="root" select="$kim:document-root" tunnel="yes"/>
            </xsl:apply-templates>
          </xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="kim:document-title($document)"/>
          </xsl:otherwise>
        </xsl:choose>
      </h1>
    </header>
    <section class="document-text" aria-labelledby="summary-heading">
      <h2 id="summary-heading"><xsl:value-of select="kim:label('summary')"/></h2>
      <xsl:apply-templates select="tei:p" mode="kim:html-inline">
        <xsl:with-param name="root" select="$kim:document-root" tunnel="yes"/>
      </xsl:apply-templates>
    </section>
  </xsl:template>

  <!-- The metadata block: what the header says about the document, as a description list. -->
  <xsl:template match="tei:teiHeader" mode="kim:html-document">
    <xsl:variable name="bibl" as="element(tei:bibl)?" select="tei:fileDesc/tei:sourceDesc/tei:bibl[1]"/>
    <xsl:variable name="date" as="element()?" select="kim:creation-date(parent::tei:TEI)"/>
    <xsl:variable name="written" as="element()?"
                  select="(parent::tei:TEI/tei:text/tei:front/tei:docDate, $bibl/tei:date)[1]"/>
    <xsl:variable name="numbers" as="xs:string*"
                  select="$bibl/tei:idno[@type = 'document-number'] ! normalize-space(.)"/>
    <section class="metadata" aria-labelledby="metadata-heading">
      <h2 id="metadata-heading"><xsl:value-of select="kim:label('about-document')"/></h2>
      <dl>
        <dt><xsl:value-of select="kim:label('date')"/></dt>
        <dd>
          <xsl:call-template name="kim:time">
            <xsl:with-param name="date" select="$date"/>
          </xsl:call-template>
          <xsl:if test="$date">
            <xsl:text> </xsl:text>
            <span class="iso">(<xsl:value-of select="kim:date-iso($date)"/>)</span>
          </xsl:if>
        </dd>
        <xsl:if test="normalize-space($written)">
          <dt><xsl:value-of select="kim:label('date-as-written')"/></dt>
          <dd class="as-written"><xsl:value-of select="normalize-space($written)"/></dd>
        </xsl:if>
        <dt><xsl:value-of select="kim:label('document-type')"/></dt>
        <dd><xsl:value-of select="kim:type-label(kim:document-type(parent::tei:TEI))"/></dd>
        <xsl:apply-templates select="tei:profileDesc/tei:correspDesc/tei:correspAction[@type = ('sent', 'received')]"
                             mode="kim:html-document"/>
        <xsl:if test="exists($numbers)">
          <dt><xsl:value-of select="kim:label(if (count($numbers) = 1) then 'document-number' else 'document-numbers')"/></dt>
          <dd><xsl:value-of select="string-join($numbers, ', ')"/></dd>
        </xsl:if>
        <dt><xsl:value-of select="kim:label('source')"/></dt>
        <dd><xsl:call-template name="kim:source-citation"><xsl:with-param name="bibl" select="$bibl"/></xsl:call-template></dd>
        <dt><xsl:value-of select="kim:label('identifier')"/></dt>
        <dd><code><xsl:value-of select="parent::tei:TEI/@xml:id"/></code></dd>
      </dl>
    </section>
  </xsl:template>

  <!-- Senders ("From") and addressees ("To"), each linked to the index by its standard name. -->
  <xsl:template match="tei:correspAction" mode="kim:html-document">
    <xsl:variable name="parties" as="element()*" select="(tei:persName | tei:orgName | tei:placeName | tei:rs)"/>
    <xsl:if test="exists($parties)">
      <dt><xsl:value-of select="kim:label(if (@type = 'sent') then 'sender' else 'addressee')"/></dt>
      <dd>
        <ul class="parties">
          <xsl:for-each select="$parties">
            <li><xsl:call-template name="kim:party"/></li>
          </xsl:for-each>
        </ul>
      </dd>
    </xsl:if>
  </xsl:template>

  <!-- One party: the register's name, linked; a codename is said to be one. -->
  <xsl:template name="kim:party">
    <xsl:variable name="pointer" as="xs:string?" select="tokenize(normalize-space(@ref))[1]"/>
    <xsl:variable name="entry" as="element()?" select="kim:entry($pointer)"/>
    <xsl:choose>
      <xsl:when test="exists($entry)">
        <a class="name name-{kim:kind-of(.)}" href="{kim:index-href($pointer, $kim:document-root)}">
          <xsl:value-of select="kim:standard-name($entry)"/>
        </a>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="normalize-space(.)"/>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:if test="@type = 'codename'">
      <xsl:text> </xsl:text>
      <span class="as-written">(<xsl:value-of select="kim:label('codename-as')"/>
        <xsl:text> </xsl:text>
        <span class="codename"><xsl:value-of select="normalize-space(.)"/></span>)</span>
    </xsl:if>
  </xsl:template>

  <!-- The source: the archive's title of the record, its collection and the archive. -->
  <xsl:template name="kim:source-citation">
    <xsl:param name="bibl" as="element(tei:bibl)?" required="yes"/>
    <xsl:variable name="collection" as="element(tei:bibl)?"
                  select="$bibl/tei:relatedItem[@type = 'collection']/tei:bibl[1]"/>
    <cite><xsl:value-of select="normalize-space($bibl/tei:title[1])"/></cite>
    <xsl:if test="$collection">
      <xsl:text>, </xsl:text>
      <xsl:value-of select="kim:label('in-collection')"/>
      <xsl:text> “</xsl:text>
      <xsl:value-of select="normalize-space($collection/tei:title[1])"/>
      <xsl:text>”</xsl:text>
      <xsl:for-each select="$collection/tei:publisher[1]">
        <xsl:text>, </xsl:text>
        <xsl:value-of select="normalize-space(.)"/>
      </xsl:for-each>
    </xsl:if>
    <xsl:text>.</xsl:text>
  </xsl:template>

  <!--
    A short guide to the marks on the page, folded by default (details works without
    JavaScript): readers of FRUS and TEI Publisher expect to be told what a link means.
  -->
  <xsl:template name="kim:reading-help">
    <details class="reading-help">
      <summary><xsl:value-of select="kim:label('reading-help')"/></summary>
      <ul>
        <li><xsl:value-of select="kim:label('help-names')"/></li>
        <li><xsl:value-of select="kim:label('help-nested')"/>
          <xsl:text> </xsl:text>
          <span class="marker marker-sample">i</span>.</li>
        <li><xsl:value-of select="kim:label('help-dates')"/></li>
        <li><xsl:value-of select="kim:label('help-rs')"/></li>
        <li><span class="editorial correction">[<i>sic</i>; …]</span>
          <xsl:text> </xsl:text>
          <xsl:value-of select="kim:label('help-sic')"/></li>
        <li><xsl:value-of select="kim:label('help-gloss')"/></li>
      </ul>
    </details>
  </xsl:template>

  <!-- The suggested citation, with the stable address (or, unpublished, the path and the id). -->
  <xsl:template name="kim:citation">
    <xsl:variable name="document" as="element(tei:TEI)" select="/tei:TEI"/>
    <xsl:variable name="id" as="xs:string" select="string($document/@xml:id)"/>
    <xsl:variable name="url" as="xs:string?" select="kim:public-url('documents/' || $id || '.html')"/>
    <xsl:variable name="bibl" as="element(tei:bibl)?" select="$document/tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl[1]"/>
    <xsl:variable name="collection" as="element(tei:bibl)?" select="$bibl/tei:relatedItem[@type = 'collection']/tei:bibl[1]"/>
    <section class="cite" aria-labelledby="cite-heading">
      <h2 id="cite-heading"><xsl:value-of select="kim:label('cite')"/></h2>
      <p class="citation">
        <xsl:text>“</xsl:text>
        <xsl:value-of select="kim:document-title($document)"/>
        <xsl:text>”, </xsl:text>
        <xsl:value-of select="kim:date-label(kim:creation-date($document))"/>
        <xsl:text>. In </xsl:text>
        <cite><xsl:value-of select="kim:edition-title()"/></cite>
        <xsl:for-each select="kim:edition-editors()">
          <xsl:text>, </xsl:text>
          <xsl:value-of select="kim:label('edited-by') || ' ' || ."/>
        </xsl:for-each>
        <xsl:text>. kimedition. </xsl:text>
        <xsl:choose>
          <xsl:when test="$url">
            <a class="stable-url" href="{$url}"><xsl:value-of select="$url"/></a>
          </xsl:when>
          <xsl:otherwise>
            <span class="stable-url">documents/<xsl:value-of select="$id"/>.html</span>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:text> (</xsl:text>
        <xsl:value-of select="lower-case(kim:label('identifier'))"/>
        <xsl:text> </xsl:text>
        <code><xsl:value-of select="$id"/></code>
        <xsl:text>).</xsl:text>
        <xsl:if test="$collection">
          <xsl:text> </xsl:text>
          <xsl:value-of select="kim:label('source-of-record')"/>
          <xsl:text>: </xsl:text>
          <xsl:value-of select="string-join(($collection/tei:publisher[1], $collection/tei:title[1]) ! normalize-space(.), ', ')"/>
          <xsl:text>.</xsl:text>
        </xsl:if>
      </p>
    </section>
  </xsl:template>

  <!-- The same document as TEI and as plain text, for readers and for machines. -->
  <xsl:template name="kim:formats">
    <xsl:variable name="id" as="xs:string" select="string(/tei:TEI/@xml:id)"/>
    <section class="formats" aria-labelledby="formats-heading">
      <h2 id="formats-heading"><xsl:value-of select="kim:label('formats')"/></h2>
      <ul>
        <li><a href="{$kim:document-root}tei/{$id}.xml" type="application/tei+xml"><xsl:value-of select="kim:label('tei-source')"/></a>
          <xsl:text> (</xsl:text><code><xsl:value-of select="$id"/>.xml</code><xsl:text>)</xsl:text></li>
        <li><a href="{$kim:document-root}text/{$id}.txt" type="text/plain"><xsl:value-of select="kim:label('plain-text')"/></a>
          <xsl:text> (</xsl:text><code><xsl:value-of select="$id"/>.txt</code><xsl:text>)</xsl:text></li>
      </ul>
    </section>
  </xsl:template>

  <!-- The documents before and after this one in time, from their catalogue cards. -->
  <xsl:template name="kim:pager">
    <nav class="pager wrap" aria-label="{kim:label('pager')}">
      <ul>
        <li class="pager-previous">
          <xsl:call-template name="kim:pager-link">
            <xsl:with-param name="card" select="$previous/kim:card"/>
            <xsl:with-param name="direction" select="'previous'"/>
          </xsl:call-template>
        </li>
        <li class="pager-next">
          <xsl:call-template name="kim:pager-link">
            <xsl:with-param name="card" select="$next/kim:card"/>
            <xsl:with-param name="direction" select="'next'"/>
          </xsl:call-template>
        </li>
      </ul>
    </nav>
  </xsl:template>

  <!-- One neighbour: "Previous document", its date and its title, linked; or the end of the edition. -->
  <xsl:template name="kim:pager-link">
    <xsl:param name="card" as="element(kim:card)?" required="yes"/>
    <xsl:param name="direction" as="xs:string" required="yes"/>
    <xsl:choose>
      <xsl:when test="$card">
        <a rel="{if ($direction = 'previous') then 'prev' else 'next'}" href="{$card/@id}.html">
          <span class="pager-label"><xsl:value-of select="kim:label($direction)"/></span>
          <xsl:text> </xsl:text>
          <span class="pager-date"><xsl:value-of select="$card/kim:date/@label"/></span>
          <xsl:text> </xsl:text>
          <span class="pager-title"><xsl:value-of select="$card/kim:title"/></span>
        </a>
      </xsl:when>
      <xsl:otherwise>
        <span class="pager-end">
          <xsl:value-of select="kim:label(if ($direction = 'previous') then 'first-document' else 'last-document')"/>
        </span>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!--
    Highwire Press tags (read by Zotero, Google Scholar), then Dublin Core. The document
    is dated by its own date; its authors are its senders that are persons.
  -->
  <xsl:template name="kim:citation-meta">
    <xsl:variable name="document" as="element(tei:TEI)" select="/tei:TEI"/>
    <xsl:variable name="id" as="xs:string" select="string($document/@xml:id)"/>
    <xsl:variable name="url" as="xs:string?" select="kim:public-url('documents/' || $id || '.html')"/>
    <xsl:variable name="date" as="element()?" select="kim:creation-date($document)"/>
    <xsl:variable name="header" as="element(tei:teiHeader)" select="$document/tei:teiHeader"/>
    <xsl:variable name="collection" as="element(tei:bibl)?"
                  select="$header/tei:fileDesc/tei:sourceDesc/tei:bibl[1]/tei:relatedItem[@type = 'collection']/tei:bibl[1]"/>
    <xsl:variable name="licence" as="element(tei:licence)?" select="kim:licence()"/>
    <meta name="citation_title" content="{kim:document-title($document)}"/>
    <xsl:for-each select="$header/tei:profileDesc/tei:correspDesc/tei:correspAction[@type = 'sent']
                            /(tei:persName | tei:rs[@type = 'person'])[@ref]">
      <xsl:variable name="entry" as="element()?" select="kim:entry(tokenize(normalize-space(@ref))[1])"/>
      <meta name="citation_author" content="{if ($entry) then kim:index-name($entry) else normalize-space(.)}"/>
    </xsl:for-each>
    <xsl:if test="$date">
      <meta name="citation_date" content="{kim:highwire-date($date)}"/>
    </xsl:if>
    <meta name="citation_publisher" content="{normalize-space(($edition/tei:TEI/tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:publisher, 'kimedition')[1])}"/>
    <meta name="citation_series_title" content="{kim:edition-title()}"/>
    <meta name="citation_language" content="{kim:html-lang($document)}"/>
    <xsl:if test="$url">
      <meta name="citation_public_url" content="{$url}"/>
      <meta name="citation_abstract_html_url" content="{$url}"/>
    </xsl:if>
    <meta name="citation_abstract" content="{kim:source-text($document/tei:text/tei:body/tei:p)}"/>
    <meta name="DC.title" content="{kim:document-title($document)}"/>
    <xsl:if test="$date">
      <meta name="DC.date" content="{kim:date-iso($date)}"/>
    </xsl:if>
    <meta name="DC.type" content="{kim:type-label(kim:document-type($document))}"/>
    <meta name="DC.identifier" content="{($url, $id)[1]}"/>
    <meta name="DC.relation.isPartOf" content="{kim:edition-title()}"/>
    <xsl:if test="$collection">
      <meta name="DC.source" content="{string-join(($collection/tei:publisher[1], $collection/tei:title[1]) ! normalize-space(.), ', ')}"/>
    </xsl:if>
    <xsl:if test="$licence/@target">
      <meta name="DC.rights" content="{$licence/@target}"/>
    </xsl:if>
  </xsl:template>

  <!-- A date in words in a <time> element (with @datetime when it is a day, month or year). -->
  <xsl:template name="kim:time">
    <xsl:param name="date" as="element()?" required="yes"/>
    <xsl:variable name="datetime" as="xs:string?" select="kim:datetime(string($date/@when))"/>
    <xsl:choose>
      <xsl:when test="$datetime">
        <time datetime="{$datetime}"><xsl:value-of select="kim:date-label($date)"/></time>
      </xsl:when>
      <xsl:when test="$date">
        <span class="date-period"><xsl:value-of select="kim:date-label($date)"/></span>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- The document's normalised date: profileDesc/creation/date. -->
  <xsl:function name="kim:creation-date" as="element()?">
    <xsl:param name="document" as="element(tei:TEI)"/>
    <xsl:sequence select="$document/tei:teiHeader/tei:profileDesc/tei:creation/tei:date[1]"/>
  </xsl:function>

  <!-- The document's title as plain text (the title statement's). -->
  <xsl:function name="kim:document-title" as="xs:string">
    <xsl:param name="document" as="element(tei:TEI)"/>
    <xsl:sequence select="normalize-space(string($document/tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title[1]))"/>
  </xsl:function>

  <!--
    The schema.org description of the document: an ArchiveComponent of the Wilson
    Center's collection, part of this edition, with its date, type, senders and the
    persons, places and organisations it mentions (by their standard names).
  -->
  <xsl:function name="kim:document-json-ld" as="map(*)">
    <xsl:param name="document" as="element(tei:TEI)"/>
    <xsl:variable name="id" as="xs:string" select="string($document/@xml:id)"/>
    <xsl:variable name="date" as="element()?" select="kim:creation-date($document)"/>
    <xsl:variable name="header" as="element(tei:teiHeader)" select="$document/tei:teiHeader"/>
    <xsl:variable name="collection" as="element(tei:bibl)?"
                  select="$header/tei:fileDesc/tei:sourceDesc/tei:bibl[1]/tei:relatedItem[@type = 'collection']/tei:bibl[1]"/>
    <xsl:variable name="mentioned" as="xs:string*"
                  select="distinct-values($document/tei:text//*[@ref] ! tokenize(normalize-space(@ref)))"/>
    <xsl:variable name="senders" as="xs:string*"
                  select="distinct-values($header/tei:profileDesc/tei:correspDesc/tei:correspAction[@type = 'sent']
                                          /*[@ref] ! tokenize(normalize-space(@ref)))"/>
    <xsl:sequence select="map:merge((
      map { '@context': 'https://schema.org',
            '@type': 'ArchiveComponent',
            'identifier': $id,
            'name': kim:document-title($document),
            'genre': kim:type-label(kim:document-type($document)),
            'inLanguage': kim:html-lang($document),
            'description': kim:source-text($document/tei:text/tei:body/tei:p),
            'isPartOf': array {
               map:merge((map { '@type': 'Collection', 'name': kim:edition-title() },
                          kim:public-url('') ! map { 'url': . })),
               $collection ! map:merge((
                 map { '@type': 'Collection', 'name': normalize-space(tei:title[1]) },
                 tei:publisher[1] ! map { 'holdingArchive': map { '@type': 'ArchiveOrganization',
                                                                  'name': normalize-space(.) } })) },
            'mentions': array { $mentioned ! kim:json-ld-thing(.) } },
      $date ! map { 'dateCreated': if (@when) then string(@when) else string((@from, @to)[1]) },
      $date[@from and @to] ! map { 'temporalCoverage': kim:date-iso(.) },
      if (exists($senders)) then map { 'creator': array { $senders ! kim:json-ld-thing(.) } } else (),
      $collection/tei:publisher[1] ! map { 'holdingArchive': map { '@type': 'ArchiveOrganization',
                                                                     'name': normalize-space(.) } },
      kim:licence()/@target ! map { 'license': string(.) },
      kim:public-url('documents/' || $id || '.html') ! map { 'url': ., '@id': . },
      kim:public-url('tei/' || $id || '.xml') ! map {
        'encoding': array { map { '@type': 'MediaObject', 'encodingFormat': 'application/tei+xml',
                                  'contentUrl': . } } }
    ))"/>
  </xsl:function>

  <!-- A register entry in JSON-LD: its schema.org type, standard name and index address
       (which only an edition with a public address needs to work out). -->
  <xsl:function name="kim:json-ld-thing" as="map(*)?">
    <xsl:param name="pointer" as="xs:string"/>
    <xsl:variable name="entry" as="element()?" select="kim:entry($pointer)"/>
    <xsl:variable name="types" as="map(xs:string, xs:string)"
                  select="map { 'person': 'Person', 'place': 'Place', 'org': 'Organization' }"/>
    <xsl:sequence select="if (empty($entry)) then () else map:merge((
      map { '@type': ($types(kim:pointer-kind($pointer)), 'Thing')[1],
            'name': kim:standard-name($entry) },
      (if ($base-url) then kim:public-url(kim:index-href($pointer, '')) else ()) ! map { 'url': ., '@id': . }))"/>
  </xsl:function>
</xsl:stylesheet>
