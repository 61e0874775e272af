<?xml version="1.0" encoding="UTF-8"?>
<!--
  Functions of the HTML edition: where things are (relative links between pages, the
  public address when the edition has one), what a marked name or date says in its
  tooltip, and small formatting helpers. Links are always relative to the page, given
  as $root: '' on the home and index pages, '../' on document pages.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:map="http://www.w3.org/2005/xpath-functions/map"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <!-- Register kind → its index page and its TEI source (docs/stylesheets.md). -->
  <xsl:variable name="kim:index-pages" as="map(xs:string, xs:string)"
                select="map { 'person': 'persons', 'place': 'places', 'org': 'organisations' }"/>
  <xsl:variable name="kim:register-files" as="map(xs:string, xs:string)"
                select="map { 'person': 'persons.xml', 'place': 'places.xml', 'org': 'orgs.xml' }"/>

  <!-- The index page of a kind of entry: persons.html. -->
  <xsl:function name="kim:index-page" as="xs:string">
    <xsl:param name="kind" as="xs:string"/>
    <xsl:sequence select="($kim:index-pages($kind), 'persons')[1] || '.html'"/>
  </xsl:function>

  <!-- Where an entry is described: ../persons.html#stalin, or, when the indexes are
       split by letter, ../persons-s.html#stalin. -->
  <xsl:function name="kim:index-href" as="xs:string">
    <xsl:param name="pointer" as="xs:string"/>
    <xsl:param name="root" as="xs:string"/>
    <xsl:sequence select="$root || kim:index-target($pointer)"/>
  </xsl:function>

  <!-- Where an entry is described, from the site root: persons-s.html#stalin. Cached: a
       page names the same entries many times, and finding a split index's letter page
       means working out the entry's sort key. -->
  <xsl:function name="kim:index-target" as="xs:string" cache="yes">
    <xsl:param name="pointer" as="xs:string"/>
    <xsl:variable name="entry" as="element()?" select="if ($split) then kim:entry($pointer) else ()"/>
    <xsl:sequence select="
      (if (exists($entry))
       then kim:letter-page($kim:index-pages(kim:pointer-kind($pointer)),
                            kim:index-letter(kim:sort-form(kim:sort-key($entry))))
       else kim:index-page(kim:pointer-kind($pointer)))
      || '#' || kim:pointer-id($pointer)"/>
  </xsl:function>

  <!-- The page of one letter of a split index: persons-a.html, persons-other.html. -->
  <xsl:function name="kim:letter-page" as="xs:string">
    <xsl:param name="page" as="xs:string"/>
    <xsl:param name="letter" as="xs:string"/>
    <xsl:sequence select="$page || '-' || (if ($letter) then lower-case($letter) else 'other') || '.html'"/>
  </xsl:function>

  <!-- A document's page: documents/kim-1950-07-04-….html. -->
  <xsl:function name="kim:document-href" as="xs:string">
    <xsl:param name="id" as="xs:string"/>
    <xsl:param name="root" as="xs:string"/>
    <xsl:sequence select="$root || 'documents/' || $id || '.html'"/>
  </xsl:function>

  <!-- A page's public address, from the site root, when the edition has a base URL. -->
  <xsl:function name="kim:public-url" as="xs:string?">
    <xsl:param name="path" as="xs:string"/>
    <xsl:sequence select="if ($base-url) then $base-url || $path else ()"/>
  </xsl:function>

  <!-- The edition's language, for <html lang>: the source's, else the edition's, else English. -->
  <xsl:function name="kim:html-lang" as="xs:string">
    <xsl:param name="source" as="node()"/>
    <xsl:sequence select="string(($source/ancestor-or-self::*[@xml:lang][1]/@xml:lang,
                                  $edition/*/@xml:lang, 'en')[1])"/>
  </xsl:function>

  <!-- The edition's licence statement and the address of the licence. -->
  <xsl:function name="kim:licence" as="element(tei:licence)?">
    <xsl:sequence select="($edition/tei:TEI/tei:teiHeader/tei:fileDesc/tei:publicationStmt
                           /tei:availability/tei:licence)[1]"/>
  </xsl:function>

  <!-- The edition's subtitle, if it has one. -->
  <xsl:function name="kim:edition-subtitle" as="xs:string?">
    <xsl:variable name="title" as="element(tei:title)?"
                  select="($edition/tei:TEI/tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title[@type = 'sub'])[1]"/>
    <xsl:sequence select="if ($title) then normalize-space($title) else ()"/>
  </xsl:function>

  <!-- The edition's editors, as one line. -->
  <xsl:function name="kim:edition-editors" as="xs:string?">
    <xsl:variable name="editors" as="xs:string*"
                  select="$edition/tei:TEI/tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:editor ! normalize-space(.)"/>
    <xsl:sequence select="if (exists($editors)) then string-join($editors, '; ') else ()"/>
  </xsl:function>

  <!-- The kind of entry an element refers to: by its pointer, else by its name. -->
  <xsl:function name="kim:kind-of" as="xs:string">
    <xsl:param name="element" as="element()"/>
    <xsl:variable name="pointer" as="xs:string?" select="tokenize(normalize-space($element/@ref))[1]"/>
    <xsl:sequence select="
      if ($pointer and contains($pointer, ':')) then kim:pointer-kind($pointer)
      else if ($element/self::tei:rs) then string($element/@type)
      else if ($element/self::tei:persName) then 'person'
      else if ($element/self::tei:placeName) then 'place'
      else 'org'"/>
  </xsl:function>

  <!-- "settlement" → "Settlement": an open type list shown as a label. -->
  <xsl:function name="kim:capitalise" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:sequence select="upper-case(substring($text, 1, 1)) || replace(substring($text, 2), '-', ' ')"/>
  </xsl:function>

  <!-- What a name's tooltip says: who or what the editors identified it as. -->
  <xsl:function name="kim:name-tip" as="xs:string">
    <xsl:param name="name" as="element()"/>
    <xsl:variable name="standard" as="xs:string" select="kim:standard-names(normalize-space($name/@ref))"/>
    <xsl:variable name="kind" as="xs:string" select="kim:label('kind-' || kim:kind-of($name), '')"/>
    <xsl:variable name="identification" as="xs:string" select="
      if ($name/self::tei:persName[@type = 'codename']) then kim:label('codename-of') || ' ' || $standard
      else if ($name/self::tei:rs) then kim:label('refers-to') || ' ' || $standard
                                        || (if ($kind) then ' (' || lower-case($kind) || ')' else '')
      else if ($kind) then $kind || ': ' || $standard
      else $standard"/>
    <xsl:sequence select="$identification || kim:certainty($name)"/>
  </xsl:function>

  <!-- The standard names of the entries a @ref points to: "Joseph Stalin / Kim Il Sung".
       Cached, since a page names the same entries many times. -->
  <xsl:function name="kim:standard-names" as="xs:string" cache="yes">
    <xsl:param name="ref" as="xs:string"/>
    <xsl:sequence select="string-join(tokenize($ref) ! kim:entry(.) ! kim:standard-name(.), ' / ')"/>
  </xsl:function>

  <!-- What a date's tooltip says: the normalised date in words. -->
  <xsl:function name="kim:date-tip" as="xs:string">
    <xsl:param name="date" as="element()"/>
    <xsl:sequence select="kim:label('date-tip') || ': ' || kim:date-label($date) || kim:certainty($date)"/>
  </xsl:function>

  <!-- "; certainty: medium" when the encoding says how sure the editors are. -->
  <xsl:function name="kim:certainty" as="xs:string">
    <xsl:param name="element" as="element()"/>
    <xsl:sequence select="if ($element/@cert) then '; ' || kim:label('certainty') || ': '
                                                   || normalize-space($element/@cert)
                          else ''"/>
  </xsl:function>

  <!-- A date value as an HTML datetime, when it is one (a day, a month or a year). -->
  <xsl:function name="kim:datetime" as="xs:string?">
    <xsl:param name="value" as="xs:string?"/>
    <xsl:sequence select="if (matches(string($value), '^\d{4}(-\d{2}(-\d{2})?)?$')) then $value else ()"/>
  </xsl:function>

  <!-- A date for citation managers (Highwire): 1950-07-04 → 1950/07/04; a period by its start. -->
  <xsl:function name="kim:highwire-date" as="xs:string">
    <xsl:param name="date" as="element()?"/>
    <xsl:sequence select="translate(string(($date/@when, $date/@from, $date/@to)[1]), '-', '/')"/>
  </xsl:function>

  <!-- The element's plain text with white space collapsed, editorial additions left out. -->
  <xsl:function name="kim:source-text" as="xs:string" cache="yes">
    <xsl:param name="content" as="node()*"/>
    <!-- The text inside corrections and regularisations, found from those elements
         rather than by looking above every piece of text. -->
    <xsl:variable name="editorial" as="text()*"
                  select="($content/ancestor-or-self::* | $content/descendant::*)
                          [self::tei:corr or self::tei:reg]/descendant::text()"/>
    <xsl:sequence select="normalize-space(string-join($content/descendant-or-self::text() except $editorial))"/>
  </xsl:function>

  <!--
    JSON for a <script type="application/ld+json">: serialised by Saxon (never
    concatenated by hand), then every "<" written as \u003c, which keeps the JSON the
    same and makes "</script>" or a comment opener impossible inside the script element.
  -->
  <xsl:function name="kim:json-ld" as="xs:string">
    <xsl:param name="data" as="map(*)"/>
    <xsl:variable name="json" as="xs:string" select="serialize($data, map { 'method': 'json', 'indent': false() })"/>
    <xsl:sequence select="if (contains($json, '&lt;')) then replace($json, '&lt;', '\\u003c') else $json"/>
  </xsl:function>
</xsl:stylesheet>
