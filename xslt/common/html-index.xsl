<?xml version="1.0" encoding="UTF-8"?>
<!--
  Mode kim:html-index: a register and its cumulative index → html/persons.html,
  places.html or organisations.html.

  Entries are ordered by kim:sort-form() of their sort key (the same order as the plain
  text index) and grouped by initial letter, with an A–Z navigation in which letters
  without entries are shown but not linked. Each entry is an <article> whose id is the
  entry's xml:id, which is what the document pages link to; it gives the index name,
  the other names by type, life dates and roles (persons), type and coordinates
  (places, with a link to OpenStreetMap), type (organisations), authority links, the
  editors' notes, and a table of every document that refers to it, from $index: date,
  linked title, number of mentions, role (sender, addressee, mentioned).

  Every other name (variant, codename, abbreviation…) also stands in its own
  alphabetical place as a cross-reference, "Feng Xi, see Stalin, Joseph", except a
  name the entry's own heading begins with ("Stalin" next to "Stalin, Joseph"), which
  would point to the line below it.

  When the edition is published in parts ($split), the index is one page per letter:
  with $letter set, the page holds the entries and cross-references under that letter
  (A–Z, or '' for names that do not begin with a Latin letter); without it, the page is
  the index's front page, with the letters and how many entries each holds. The build
  asks kim:index-letters() which letters have a page.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <xsl:mode name="kim:html-index" on-no-match="shallow-skip" on-multiple-match="fail"/>

  <!-- The cumulative index of this register (docs/stylesheets.md, "The index"). -->
  <xsl:param name="index" as="document-node()"><xsl:document/></xsl:param>
  <!-- When set, only the entries under this letter ('A'…'Z', or '' for other scripts). -->
  <xsl:param name="letter" as="xs:string?" select="()"/>

  <xsl:key name="kim:index-entry" match="kim:entry" use="@id"/>

  <!-- When set, the page is this one entry, with all its documents (persons/ID.html), for
       an entry with more documents than a letter's page lists ($rows). -->
  <xsl:param name="entry" as="xs:string?" select="()"/>
  <!-- How many documents an entry lists on a letter's page; 0 for all of them. -->
  <xsl:param name="rows" as="xs:integer" select="0"/>

  <!-- Index pages are at the top of html/, an entry's own page one level down. -->
  <xsl:variable name="kim:index-root" as="xs:string" select="if (exists($entry)) then '../' else ''"/>

  <!-- The Latin alphabet of the A–Z navigation. -->
  <xsl:variable name="kim:alphabet" as="xs:string+" select="(65 to 90) ! codepoints-to-string(.)"/>

  <!-- An entry's own page: the frame and the entry, with every document that refers to it. -->
  <xsl:template match="/tei:TEI[exists($entry)]" mode="kim:html-index" priority="1">
    <xsl:variable name="kind" as="xs:string" select="kim:register-kind(.)"/>
    <xsl:variable name="page" as="xs:string" select="$kim:index-pages($kind)"/>
    <xsl:variable name="item" as="element()?" select="kim:register-entries(., $kind)[@xml:id = $entry]"/>
    <xsl:variable name="title" as="xs:string" select="kim:label($page) || ': ' || ($item ! kim:index-name(.), $entry)[1]"/>
    <html lang="{kim:html-lang(.)}">
      <xsl:call-template name="kim:html-head">
        <xsl:with-param name="title" select="$title"/>
        <xsl:with-param name="root" select="$kim:index-root"/>
        <xsl:with-param name="description" select="$title || ': ' || kim:edition-title()"/>
        <xsl:with-param name="canonical" select="kim:public-url($page || '/' || $entry || '.html')"/>
      </xsl:call-template>
      <body class="page-index page-entry page-{$page}">
        <xsl:call-template name="kim:site-header">
          <xsl:with-param name="root" select="$kim:index-root"/>
          <xsl:with-param name="current" select="$page"/>
        </xsl:call-template>
        <main id="main" tabindex="-1">
          <div class="wrap">
            <h1><xsl:value-of select="$title"/></h1>
            <p class="back">
              <a href="{kim:index-href($kind || ':' || $entry, $kim:index-root)}">
                <xsl:value-of select="kim:label('back-to-index')"/>
              </a>
            </p>
            <xsl:apply-templates select="$item" mode="kim:html-index"/>
          </div>
        </main>
        <xsl:call-template name="kim:site-footer">
          <xsl:with-param name="root" select="$kim:index-root"/>
        </xsl:call-template>
      </body>
    </html>
  </xsl:template>

  <!-- The page: the frame, an introduction with the downloads, the letters, the entries. -->
  <xsl:template match="/tei:TEI" mode="kim:html-index">
    <xsl:variable name="kind" as="xs:string" select="kim:register-kind(.)"/>
    <xsl:variable name="page" as="xs:string" select="$kim:index-pages($kind)"/>
    <xsl:variable name="entries" as="element()*" select="kim:register-entries(., $kind)"/>
    <!-- A letter's page and the front page need every item's letter but only some items:
         the cross-references of the whole register are worked out only for the full page. -->
    <xsl:variable name="shown" as="element()*"
                  select="if (exists($letter)) then kim:letter-items(., $kind, upper-case($letter))
                          else if ($split) then ()
                          else $entries | $entries ! kim:cross-references(.)"/>
    <xsl:variable name="present" as="xs:string*" select="kim:present-letters(., $kind)"/>
    <html lang="{kim:html-lang(.)}">
      <xsl:call-template name="kim:html-head">
        <xsl:with-param name="title"
                        select="kim:label($page) || (if (exists($letter)) then ': ' || kim:letter-name(upper-case($letter)) else '')"/>
        <xsl:with-param name="root" select="$kim:index-root"/>
        <xsl:with-param name="description" select="kim:label($page) || ': ' || kim:edition-title()"/>
        <xsl:with-param name="canonical"
                        select="kim:public-url(if (exists($letter)) then kim:letter-page($page, upper-case($letter)) else $page || '.html')"/>
      </xsl:call-template>
      <body class="page-index page-{$page}">
        <xsl:call-template name="kim:site-header">
          <xsl:with-param name="root" select="$kim:index-root"/>
          <xsl:with-param name="current" select="$page"/>
        </xsl:call-template>
        <main id="main" tabindex="-1">
          <div class="wrap">
            <h1>
              <xsl:value-of select="kim:label($page)"/>
              <xsl:if test="exists($letter)">
                <xsl:value-of select="': ' || kim:letter-name(upper-case($letter))"/>
              </xsl:if>
            </h1>
            <xsl:call-template name="kim:index-intro">
              <xsl:with-param name="entries" select="$entries"/>
              <xsl:with-param name="kind" select="$kind"/>
            </xsl:call-template>
            <xsl:call-template name="kim:letters">
              <xsl:with-param name="present" select="$present"/>
              <xsl:with-param name="page" select="$page"/>
            </xsl:call-template>
            <xsl:if test="$split and empty($letter)">
              <xsl:call-template name="kim:letter-table">
                <xsl:with-param name="entries" select="$entries"/>
                <xsl:with-param name="present" select="$present"/>
                <xsl:with-param name="page" select="$page"/>
              </xsl:call-template>
            </xsl:if>
            <xsl:for-each-group select="if ($split and empty($letter)) then () else $shown"
                                group-by="kim:item-letter(.)">
              <xsl:sort select="current-grouping-key() = ''"/>
              <xsl:sort select="current-grouping-key()"/>
              <section class="letter" id="{kim:letter-id(current-grouping-key())}"
                       aria-labelledby="{kim:letter-id(current-grouping-key())}-heading">
                <h2 id="{kim:letter-id(current-grouping-key())}-heading">
                  <xsl:value-of select="kim:letter-name(current-grouping-key())"/>
                </h2>
                <xsl:apply-templates select="current-group()" mode="kim:html-index">
                  <xsl:sort select="kim:item-sort-form(.)"/>
                  <xsl:sort select="if (self::tei:person | self::tei:place | self::tei:org) then 0 else 1"/>
                  <xsl:sort select="normalize-space(.)"/>
                </xsl:apply-templates>
              </section>
            </xsl:for-each-group>
            <xsl:if test="empty($shown) and not($split and empty($letter))">
              <p class="empty"><xsl:value-of select="kim:label('no-entries')"/></p>
            </xsl:if>
          </div>
        </main>
        <xsl:call-template name="kim:site-footer">
          <xsl:with-param name="root" select="$kim:index-root"/>
        </xsl:call-template>
      </body>
    </html>
  </xsl:template>

  <!-- What the index holds, what the register was compiled from, and the same data to download. -->
  <xsl:template name="kim:index-intro">
    <xsl:param name="entries" as="element()*" required="yes"/>
    <xsl:param name="kind" as="xs:string" required="yes"/>
    <xsl:variable name="page" as="xs:string" select="$kim:index-pages($kind)"/>
    <div class="index-intro">
      <p class="count">
        <xsl:value-of select="count($entries) || ' ' || kim:label('entries') || '; '
                              || ($index/kim:index/@of-documents, 0)[1] || ' ' || kim:label('in-documents') || '.'"/>
      </p>
      <xsl:apply-templates select="tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:p" mode="kim:html-inline">
        <xsl:with-param name="root" select="$kim:index-root" tunnel="yes"/>
      </xsl:apply-templates>
      <p class="downloads">
        <xsl:value-of select="kim:label('download')"/>
        <xsl:text>: </xsl:text>
        <a href="data/{$page}.json" type="application/json">JSON</a>
        <xsl:text>, </xsl:text>
        <a href="data/{$page}.csv" type="text/csv">CSV</a>
        <xsl:text>, </xsl:text>
        <a href="tei/{$kim:register-files($kind)}" type="application/tei+xml">TEI</a>
        <xsl:text>.</xsl:text>
      </p>
    </div>
  </xsl:template>

  <!-- The A–Z navigation: a link for each letter with entries, the others shown as plain text. -->
  <xsl:template name="kim:letters">
    <xsl:param name="present" as="xs:string*" required="yes"/>
    <xsl:param name="page" as="xs:string" required="yes"/>
    <nav class="letters" aria-label="{kim:label('letters')}">
      <ul>
        <xsl:for-each select="$kim:alphabet, ''[. = $present]">
          <xsl:choose>
            <xsl:when test=". = $present">
              <li>
                <a href="{kim:letter-href($page, .)}">
                  <xsl:if test="exists($letter) and upper-case($letter) = .">
                    <xsl:attribute name="aria-current" select="'page'"/>
                  </xsl:if>
                  <xsl:value-of select="kim:letter-name(.)"/>
                </a>
              </li>
            </xsl:when>
            <xsl:otherwise>
              <li class="letter-empty">
                <xsl:value-of select="."/>
                <span class="vh"><xsl:value-of select="' (' || kim:label('no-entries') || ')'"/></span>
              </li>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:for-each>
      </ul>
    </nav>
  </xsl:template>

  <!-- The front page of a split index: each letter with the number of entries under it. -->
  <xsl:template name="kim:letter-table">
    <xsl:param name="entries" as="element()*" required="yes"/>
    <xsl:param name="present" as="xs:string*" required="yes"/>
    <xsl:param name="page" as="xs:string" required="yes"/>
    <!-- Only entries are counted: a letter with cross-references alone shows 0. -->
    <xsl:variable name="counts" as="map(xs:string, xs:integer)">
      <xsl:map>
        <xsl:for-each-group select="$entries" group-by="kim:item-letter(.)">
          <xsl:map-entry key="current-grouping-key()" select="count(current-group())"/>
        </xsl:for-each-group>
      </xsl:map>
    </xsl:variable>
    <table class="letter-table">
      <caption><xsl:value-of select="kim:label('letters')"/></caption>
      <thead>
        <tr>
          <th scope="col"><xsl:value-of select="kim:label('letter')"/></th>
          <th scope="col" class="number"><xsl:value-of select="kim:label('entries-heading')"/></th>
        </tr>
      </thead>
      <tbody>
        <xsl:for-each select="$present">
          <xsl:sort select=". = ''"/>
          <xsl:sort select="."/>
          <tr>
            <th scope="row">
              <a href="{kim:letter-page($page, .)}">
                <xsl:value-of select="kim:letter-name(.)"/>
              </a>
            </th>
            <td class="number">
              <xsl:value-of select="($counts(.), 0)[1]"/>
            </td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <!-- An entry: its heading, its facts, the editors' notes and the documents that refer to it. -->
  <xsl:template match="tei:person | tei:place | tei:org" mode="kim:html-index">
    <xsl:variable name="id" as="xs:string" select="string(@xml:id)"/>
    <xsl:variable name="occurrences" as="element(kim:occurrence)*"
                  select="key('kim:index-entry', $id, $index)[1]/kim:occurrence"/>
    <article class="entry entry-{local-name()}" id="{$id}" aria-labelledby="{$id}-name">
      <h3 id="{$id}-name">
        <xsl:call-template name="kim:lang-of">
          <xsl:with-param name="name" select="kim:standard-name-element(.)"/>
        </xsl:call-template>
        <xsl:value-of select="kim:index-name(.)"/>
      </h3>
      <dl class="facts">
        <xsl:call-template name="kim:names"/>
        <xsl:call-template name="kim:life-dates"/>
        <xsl:call-template name="kim:roles"/>
        <xsl:call-template name="kim:type"/>
        <xsl:call-template name="kim:coordinates"/>
        <xsl:call-template name="kim:authority"/>
      </dl>
      <xsl:apply-templates select="tei:note" mode="kim:html-index"/>
      <xsl:call-template name="kim:occurrences">
        <xsl:with-param name="occurrences" select="$occurrences"/>
        <xsl:with-param name="name" select="kim:standard-name(.)"/>
        <xsl:with-param name="id" select="$id"/>
      </xsl:call-template>
    </article>
  </xsl:template>

  <!-- A cross-reference in the alphabet: "Feng Xi (codename), see Stalin, Joseph". -->
  <xsl:template match="tei:persName | tei:placeName | tei:orgName" mode="kim:html-index">
    <xsl:variable name="entry" as="element()" select="parent::*"/>
    <p class="see-also">
      <span class="see-name">
        <xsl:call-template name="kim:lang-of">
          <xsl:with-param name="name" select="."/>
        </xsl:call-template>
        <xsl:value-of select="normalize-space(.)"/>
      </span>
      <xsl:if test="@type and @type ne 'variant'">
        <xsl:text> </xsl:text>
        <span class="name-type">(<xsl:value-of select="lower-case(kim:name-type-label(@type, 1))"/>)</span>
      </xsl:if>
      <xsl:text>, </xsl:text>
      <i><xsl:value-of select="kim:label('see')"/></i>
      <xsl:text> </xsl:text>
      <!-- In a split index the entry may be on another letter's page. -->
      <a href="{if ($split) then kim:index-href(local-name($entry) || ':' || $entry/@xml:id, $kim:index-root)
                else '#' || $entry/@xml:id}"><xsl:value-of select="kim:index-name($entry)"/></a>
    </p>
  </xsl:template>

  <!-- The other names of an entry, one line per type (variants, codenames, misspellings…). -->
  <xsl:template name="kim:names">
    <xsl:variable name="standard" as="element()?" select="kim:standard-name-element(.)"/>
    <xsl:for-each-group select="(tei:persName | tei:placeName | tei:orgName) except $standard"
                        group-by="string((@type, 'variant')[1])">
      <dt><xsl:value-of select="kim:name-type-label(current-grouping-key(), count(current-group()))"/></dt>
      <dd>
        <ul class="names">
          <xsl:for-each select="current-group()">
            <li>
              <xsl:call-template name="kim:lang-of">
                <xsl:with-param name="name" select="."/>
              </xsl:call-template>
              <xsl:value-of select="normalize-space(.)"/>
            </li>
          </xsl:for-each>
        </ul>
      </dd>
    </xsl:for-each-group>
  </xsl:template>

  <!-- A person's life dates: "15 April 1912 – 8 July 1994", "born 1907", "died 5 March 1953". -->
  <xsl:template name="kim:life-dates">
    <xsl:variable name="birth" as="element(tei:birth)?" select="tei:birth[1]"/>
    <xsl:variable name="death" as="element(tei:death)?" select="tei:death[1]"/>
    <xsl:if test="$birth or $death">
      <dt><xsl:value-of select="kim:label('life-dates')"/></dt>
      <dd class="life-dates">
        <xsl:choose>
          <xsl:when test="$birth and $death">
            <xsl:call-template name="kim:date-value"><xsl:with-param name="date" select="$birth"/></xsl:call-template>
            <xsl:text> – </xsl:text>
            <xsl:call-template name="kim:date-value"><xsl:with-param name="date" select="$death"/></xsl:call-template>
          </xsl:when>
          <xsl:when test="$birth">
            <xsl:value-of select="kim:label('born')"/>
            <xsl:text> </xsl:text>
            <xsl:call-template name="kim:date-value"><xsl:with-param name="date" select="$birth"/></xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="kim:label('died')"/>
            <xsl:text> </xsl:text>
            <xsl:call-template name="kim:date-value"><xsl:with-param name="date" select="$death"/></xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </dd>
    </xsl:if>
  </xsl:template>

  <!-- A person's roles in the period of the edition, each with its dates. -->
  <xsl:template name="kim:roles">
    <xsl:if test="tei:occupation">
      <dt><xsl:value-of select="kim:label('roles')"/></dt>
      <dd>
        <ul class="roles">
          <xsl:for-each select="tei:occupation">
            <li>
              <xsl:value-of select="normalize-space(.)"/>
              <xsl:if test="@when or @from or @to">
                <xsl:text> (</xsl:text>
                <xsl:value-of select="kim:date-label(.)"/>
                <xsl:text>)</xsl:text>
              </xsl:if>
            </li>
          </xsl:for-each>
        </ul>
      </dd>
    </xsl:if>
  </xsl:template>

  <!-- The type of a place or organisation: settlement, country, embassy… -->
  <xsl:template name="kim:type">
    <xsl:if test="(self::tei:place | self::tei:org) and normalize-space(@type)">
      <dt><xsl:value-of select="kim:label('type')"/></dt>
      <dd><xsl:value-of select="kim:label('type-' || @type, kim:capitalise(@type))"/></dd>
    </xsl:if>
  </xsl:template>

  <!-- A place's coordinates, linked to OpenStreetMap centred on them. -->
  <xsl:template name="kim:coordinates">
    <xsl:variable name="geo" as="xs:string*" select="tokenize(normalize-space(tei:location[1]/tei:geo[1]))"/>
    <xsl:if test="count($geo) = 2 and (every $value in $geo satisfies $value castable as xs:decimal)">
      <xsl:variable name="lat" as="xs:decimal" select="xs:decimal($geo[1])"/>
      <xsl:variable name="lon" as="xs:decimal" select="xs:decimal($geo[2])"/>
      <dt><xsl:value-of select="kim:label('coordinates')"/></dt>
      <dd class="coordinates">
        <a href="https://www.openstreetmap.org/?mlat={$geo[1]}&amp;mlon={$geo[2]}#map=8/{$geo[1]}/{$geo[2]}">
          <xsl:value-of select="abs($lat) || '° ' || (if ($lat lt 0) then 'S' else 'N') || ', '
                                || abs($lon) || '° ' || (if ($lon lt 0) then 'W' else 'E')"/>
          <span class="vh"><xsl:value-of select="' ' || kim:label('on-map')"/></span>
        </a>
      </dd>
    </xsl:if>
  </xsl:template>

  <!-- Authority records (Wikidata, VIAF, GeoNames…), linked when the identifier is known. -->
  <xsl:template name="kim:authority">
    <xsl:variable name="ids" as="element(tei:idno)*" select="tei:idno[normalize-space(.)][not(@type = 'kimedition')]"/>
    <xsl:if test="exists($ids)">
      <dt><xsl:value-of select="kim:label('authority')"/></dt>
      <dd>
        <ul class="authority">
          <xsl:for-each select="$ids">
            <xsl:variable name="href" as="xs:string?" select="kim:authority-url(.)"/>
            <li>
              <xsl:value-of select="kim:label('authority-' || @type, kim:capitalise(string(@type)))"/>
              <xsl:text> </xsl:text>
              <xsl:choose>
                <xsl:when test="$href"><a href="{$href}"><xsl:value-of select="normalize-space(.)"/></a></xsl:when>
                <xsl:otherwise><xsl:value-of select="normalize-space(.)"/></xsl:otherwise>
              </xsl:choose>
            </li>
          </xsl:for-each>
        </ul>
      </dd>
    </xsl:if>
  </xsl:template>

  <!-- The editors' description of the entry. -->
  <xsl:template match="tei:note[not(@type)]" mode="kim:html-index">
    <p class="note">
      <xsl:apply-templates mode="kim:html-inline">
        <xsl:with-param name="root" select="$kim:index-root" tunnel="yes"/>
      </xsl:apply-templates>
    </p>
  </xsl:template>

  <!-- A typed note (uncertainty, authority, sources): labelled, web addresses linked. -->
  <xsl:template match="tei:note[@type]" mode="kim:html-index">
    <p class="note note-{@type}">
      <strong><xsl:value-of select="kim:label('note-' || @type, kim:capitalise(@type))"/>:</strong>
      <xsl:text> </xsl:text>
      <xsl:apply-templates mode="kim:html-index"/>
    </p>
  </xsl:template>

  <!-- Text of a typed note: addresses become links (the sources note lists the pages read). -->
  <xsl:template match="tei:note[@type]//text()" mode="kim:html-index">
    <!-- Most notes hold no address: the regular expression is tried only where one can be. -->
    <xsl:choose>
      <xsl:when test="contains(., 'http')">
        <xsl:analyze-string select="." regex="https?://[^\s;,]*[^\s;,.)]">
          <xsl:matching-substring><a href="{.}"><xsl:value-of select="."/></a></xsl:matching-substring>
          <xsl:non-matching-substring><xsl:value-of select="."/></xsl:non-matching-substring>
        </xsl:analyze-string>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Elements in a typed note: their text (names in notes are not linked twice). -->
  <xsl:template match="tei:note[@type]//*" mode="kim:html-index">
    <xsl:apply-templates mode="kim:html-index"/>
  </xsl:template>

  <!-- The documents that refer to the entry, oldest first, with mentions and roles. -->
  <xsl:template name="kim:occurrences">
    <xsl:param name="occurrences" as="element(kim:occurrence)*" required="yes"/>
    <xsl:param name="name" as="xs:string" required="yes"/>
    <xsl:param name="id" as="xs:string" required="yes"/>
    <!-- A letter's page lists the first $rows documents; the entry's own page has them all. -->
    <xsl:variable name="shortened" as="xs:boolean"
                  select="$rows gt 0 and empty($entry) and count($occurrences) gt $rows"/>
    <xsl:choose>
      <xsl:when test="exists($occurrences)">
        <table class="occurrences">
          <caption>
            <xsl:value-of select="kim:label('occurrences') || ': ' || $name"/>
            <span class="caption-count">
              <xsl:value-of select="' (' || count($occurrences) || ')'"/>
            </span>
          </caption>
          <thead>
            <tr>
              <th scope="col"><xsl:value-of select="kim:label('date')"/></th>
              <th scope="col"><xsl:value-of select="kim:label('document')"/></th>
              <th scope="col" class="number"><xsl:value-of select="kim:label('mentions')"/></th>
              <th scope="col"><xsl:value-of select="kim:label('role')"/></th>
            </tr>
          </thead>
          <tbody>
            <xsl:apply-templates select="if ($shortened) then subsequence($occurrences, 1, $rows) else $occurrences"
                                 mode="kim:html-index"/>
          </tbody>
        </table>
        <xsl:if test="$shortened">
          <p class="more">
            <a href="{$kim:index-pages(kim:register-kind(/tei:TEI))}/{$id}.html">
              <xsl:value-of select="kim:label('all-documents') || ' (' || count($occurrences) || ')'"/>
            </a>
          </p>
        </xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <p class="no-occurrences"><xsl:value-of select="kim:label('not-referred')"/></p>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- One document of an entry: its date, linked title, mentions and roles. -->
  <xsl:template match="kim:occurrence" mode="kim:html-index">
    <xsl:variable name="datetime" as="xs:string?" select="kim:datetime(@date)"/>
    <tr>
      <td class="occurrence-date">
        <xsl:choose>
          <xsl:when test="$datetime"><time datetime="{$datetime}"><xsl:value-of select="@label"/></time></xsl:when>
          <xsl:otherwise><xsl:value-of select="@label"/></xsl:otherwise>
        </xsl:choose>
      </td>
      <th scope="row" class="occurrence-title">
        <a href="{kim:document-href(@doc, $kim:index-root)}"><xsl:value-of select="normalize-space(.)"/></a>
      </th>
      <td class="number"><xsl:value-of select="if (xs:integer((@count[. castable as xs:integer], 0)[1]) gt 0) then @count else '–'"/></td>
      <td class="roles"><xsl:value-of select="kim:roles-label(string(@roles))"/></td>
    </tr>
  </xsl:template>

  <!-- The roles of an entry in a document, in words: "sender, mentioned". Cached: a page
       has thousands of rows and few combinations of roles. -->
  <xsl:function name="kim:roles-label" as="xs:string" cache="yes">
    <xsl:param name="roles" as="xs:string"/>
    <xsl:sequence select="string-join(tokenize($roles) ! kim:label('role-' || ., .), ', ')"/>
  </xsl:function>

  <!-- A date of a register entry (birth, death) in words, with @datetime when it is a date. -->
  <xsl:template name="kim:date-value">
    <xsl:param name="date" as="element()" required="yes"/>
    <xsl:variable name="datetime" as="xs:string?" select="kim:datetime(string($date/@when))"/>
    <xsl:choose>
      <xsl:when test="$datetime"><time datetime="{$datetime}"><xsl:value-of select="kim:date-label($date)"/></time></xsl:when>
      <xsl:otherwise><xsl:value-of select="kim:date-label($date)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A name in another language than the page's (Korean, Russian…) says so, for screen readers. -->
  <xsl:template name="kim:lang-of">
    <xsl:param name="name" as="element()?" required="yes"/>
    <xsl:if test="$name/@xml:lang">
      <xsl:attribute name="lang" select="$name/@xml:lang"/>
    </xsl:if>
  </xsl:template>

  <!-- The kind of register: from the index, else from its list element. -->
  <xsl:function name="kim:register-kind" as="xs:string">
    <xsl:param name="register" as="element(tei:TEI)"/>
    <xsl:sequence select="string(($index/kim:index/@kind,
                                  if ($register//tei:listPlace) then 'place'
                                  else if ($register//tei:listOrg) then 'org' else 'person')[1])"/>
  </xsl:function>

  <!-- The entries of a register of a kind. -->
  <xsl:function name="kim:register-entries" as="element()*">
    <xsl:param name="register" as="element(tei:TEI)"/>
    <xsl:param name="kind" as="xs:string"/>
    <!-- A name test lets the processor match names without comparing strings at every node. -->
    <xsl:sequence select="if ($kind = 'person') then $register/tei:text//tei:person[@xml:id]
                          else if ($kind = 'place') then $register/tei:text//tei:place[@xml:id]
                          else if ($kind = 'org') then $register/tei:text//tei:org[@xml:id]
                          else $register/tei:text//*[local-name() = $kind][namespace-uri() = 'http://www.tei-c.org/ns/1.0'][@xml:id]"/>
  </xsl:function>

  <!-- The name an entry is known by (the standard one, else the first). -->
  <xsl:function name="kim:standard-name-element" as="element()?">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="names" as="element()*" select="$entry/(tei:persName | tei:placeName | tei:orgName)"/>
    <xsl:sequence select="($names[@type = 'standard'], $names)[1]"/>
  </xsl:function>

  <!--
    The other names of an entry that get a cross-reference: not the standard name, not a
    name the heading begins with, and each written form once.
  -->
  <xsl:function name="kim:cross-references" as="element()*">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="heading" as="xs:string" select="kim:sort-form(kim:index-name($entry))"/>
    <xsl:variable name="others" as="element()*"
                  select="($entry/(tei:persName | tei:placeName | tei:orgName) except kim:standard-name-element($entry))
                          [normalize-space(.)][not(starts-with($heading, kim:item-sort-form(.)))]"/>
    <xsl:sequence select="$others[not(normalize-space(.) = preceding-sibling::*[. intersect $others] ! normalize-space(.))]"/>
  </xsl:function>

  <!-- What an item of the index (an entry or a cross-reference) is ordered by. Cached: a
       page asks it of the same item for its letter, its group and its place. -->
  <xsl:function name="kim:item-sort-form" as="xs:string" cache="yes">
    <xsl:param name="item" as="element()"/>
    <xsl:sequence select="if ($item/(self::tei:person | self::tei:place | self::tei:org))
                          then kim:sort-form(kim:sort-key($item))
                          else kim:sort-form(string($item))"/>
  </xsl:function>

  <!-- The letter an item of the index is listed under. Cached: every page asks it of every
       entry and name of the register. -->
  <xsl:function name="kim:item-letter" as="xs:string" cache="yes">
    <xsl:param name="item" as="element()"/>
    <!-- Most items begin with a Latin letter, which their sort form begins with too: the
         sort form is worked out only for the others. -->
    <xsl:variable name="first" as="xs:string"
                  select="substring(if ($item/(self::tei:person | self::tei:place | self::tei:org)) then kim:sort-key($item)
                                    else lower-case(string($item)), 1, 1)"/>
    <xsl:sequence select="if ($first ne '' and contains('abcdefghijklmnopqrstuvwxyz', $first)) then upper-case($first)
                          else kim:index-letter(kim:item-sort-form($item))"/>
  </xsl:function>

  <!-- The entries of a register under a letter, in the register's order. -->
  <xsl:function name="kim:letter-entries" as="element()*">
    <xsl:param name="register" as="element(tei:TEI)"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:param name="letter" as="xs:string"/>
    <xsl:sequence select="kim:register-entries($register, $kind)[kim:item-letter(.) = $letter]"/>
  </xsl:function>

  <!-- The cross-references of a register under a letter, in the register's order. A
       cross-reference is one of its entry's names: only entries with a name under the
       letter are asked for theirs. -->
  <xsl:function name="kim:letter-cross-references" as="element()*">
    <xsl:param name="register" as="element(tei:TEI)"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:param name="letter" as="xs:string"/>
    <xsl:variable name="candidates" as="element()*"
                  select="kim:register-entries($register, $kind)
                          [(tei:persName | tei:placeName | tei:orgName)[kim:item-letter(.) = $letter]]"/>
    <xsl:sequence select="($candidates ! kim:cross-references(.))[kim:item-letter(.) = $letter]"/>
  </xsl:function>

  <!-- The entries and cross-references under a letter, in the register's order. -->
  <xsl:function name="kim:letter-items" as="element()*">
    <xsl:param name="register" as="element(tei:TEI)"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:param name="letter" as="xs:string"/>
    <xsl:sequence select="kim:letter-entries($register, $kind, $letter)
                          | kim:letter-cross-references($register, $kind, $letter)"/>
  </xsl:function>

  <!-- The letters under which a register has entries or cross-references (A–Z, '' for
       other scripts). -->
  <xsl:function name="kim:present-letters" as="xs:string*">
    <xsl:param name="register" as="element(tei:TEI)"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:variable name="entries" as="element()*" select="kim:register-entries($register, $kind)"/>
    <xsl:variable name="own" as="xs:string*" select="distinct-values($entries ! kim:item-letter(.))"/>
    <!-- A cross-reference is one of its entry's names: only an entry with a name under a
         letter no entry is under can add that letter. -->
    <xsl:variable name="missing" as="xs:string*" select="($kim:alphabet, '')[not(. = $own)]"/>
    <xsl:sequence select="$own, if (empty($missing)) then ()
                          else distinct-values($entries[(tei:persName | tei:placeName | tei:orgName)
                                                        [kim:item-letter(.) = $missing]]
                                               ! kim:cross-references(.) ! kim:item-letter(.))[. = $missing]"/>
  </xsl:function>

  <!-- The label of a type of name, singular or plural: "Codename", "Codenames". Cached:
       every entry asks it, and there are few types. -->
  <xsl:function name="kim:name-type-label" as="xs:string" cache="yes">
    <xsl:param name="type" as="xs:string"/>
    <xsl:param name="count" as="xs:integer"/>
    <xsl:variable name="plural" as="xs:string" select="kim:label('names-' || $type, kim:capitalise($type))"/>
    <xsl:sequence select="if ($count = 1 and ends-with($plural, 's')) then substring($plural, 1, string-length($plural) - 1)
                          else $plural"/>
  </xsl:function>

  <!-- The address of an authority record, from its type and identifier. -->
  <xsl:function name="kim:authority-url" as="xs:string?">
    <xsl:param name="idno" as="element(tei:idno)"/>
    <xsl:variable name="value" as="xs:string" select="normalize-space($idno)"/>
    <xsl:variable name="bases" as="map(xs:string, xs:string)" select="map {
      'wikidata': 'https://www.wikidata.org/wiki/',
      'viaf': 'https://viaf.org/viaf/',
      'geonames': 'https://www.geonames.org/',
      'gnd': 'https://d-nb.info/gnd/' }"/>
    <xsl:sequence select="if (matches($value, '^https?://')) then $value
                          else if ($bases(string($idno/@type))) then $bases(string($idno/@type)) || encode-for-uri($value)
                          else ()"/>
  </xsl:function>

  <!-- The id of a letter's section: letter-a, or letter-other for other scripts. -->
  <xsl:function name="kim:letter-id" as="xs:string">
    <xsl:param name="letter" as="xs:string"/>
    <xsl:sequence select="'letter-' || (if ($letter) then lower-case($letter) else 'other')"/>
  </xsl:function>

  <!--
    Where a letter's entries are: on this page, or, when the index is rendered one letter
    per page ($letter set), on that letter's page, named persons-a.html, persons-other.html.
  -->
  <xsl:function name="kim:letter-href" as="xs:string">
    <xsl:param name="page" as="xs:string"/>
    <xsl:param name="initial" as="xs:string"/>
    <xsl:sequence select="(if ($split) then kim:letter-page($page, $initial) else '')
                          || '#' || kim:letter-id($initial)"/>
  </xsl:function>

  <!-- The letter each entry of a register is listed under, as "ID LETTER" (the letter ''
       for other scripts, then nothing after the space); the build hands each letter's page
       only the index of its own entries. -->
  <xsl:function name="kim:entry-letters" as="xs:string*" visibility="public">
    <xsl:param name="register" as="document-node()"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:sequence select="kim:register-entries($register/tei:TEI, $kind)
                          ! (@xml:id || ' ' || kim:index-letter(kim:item-sort-form(.)))"/>
  </xsl:function>

  <!-- The letters a split index has a page for (A–Z, '' for other scripts), in order;
       the build calls it to know which pages to make. -->
  <xsl:function name="kim:index-letters" as="xs:string*" visibility="public">
    <xsl:param name="register" as="document-node()"/>
    <xsl:param name="kind" as="xs:string"/>
    <xsl:variable name="entries" as="element()*" select="kim:register-entries($register/tei:TEI, $kind)"/>
    <xsl:variable name="letters" as="xs:string*"
                  select="distinct-values(($entries | $entries ! kim:cross-references(.)) ! kim:index-letter(kim:item-sort-form(.)))"/>
    <xsl:sequence select="sort($letters[. ne '']), $letters[. = '']"/>
  </xsl:function>

  <!-- The heading of a letter's section: the letter, or "Other". -->
  <xsl:function name="kim:letter-name" as="xs:string">
    <xsl:param name="letter" as="xs:string"/>
    <xsl:sequence select="if ($letter) then $letter else kim:label('other-letter')"/>
  </xsl:function>
</xsl:stylesheet>
