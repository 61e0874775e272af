<?xml version="1.0" encoding="UTF-8"?>
<!--
  Mode kim:text-document: a TEI document as plain text (text/<id>.txt), for reading in
  any editor and for text analysis. Three parts, all wrapped at 78 columns:

    Title:  …                       a header, one labelled field per line,
    Date:   …                       values aligned and wrapped under themselves
    Type:   …
    From:   …                       (communications only, from correspDesc)
    To:     …
    Source: …                       the archive's title, date line, numbers, collection
    Id:     …                       the edition's id of the document
    URL:    …                       (only when the build knows the edition's address)
    ======================================================================

    The head.                       the text: head and paragraphs, one blank line
                                    between them (see text-inline.xsl for the
    The paragraph…                  editorial brackets)

    _______________________________________________________ (a rule of hyphens)
    Names in this document          every person, place and organisation the text
                                    refers to, by its index name, with the number
    Persons                         of references and the forms the text uses
      Stalin, Joseph: 2 mentions, as "Feng Xi", "Stalin"

  The file ends with exactly one line feed; no line ends with a space.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                xmlns:map="http://www.w3.org/2005/xpath-functions/map"
                xmlns:local="urn:kimedition:text-document"
                exclude-result-prefixes="#all">

  <xsl:mode name="kim:text-document" on-no-match="shallow-skip" on-multiple-match="fail"/>

  <!-- The header's labels, in one place; the values are aligned one column after the longest. -->
  <xsl:variable name="local:labels" as="map(xs:string, xs:string)"
                select="map {'title': 'Title', 'date': 'Date', 'type': 'Type', 'from': 'From',
                             'to': 'To', 'source': 'Source', 'id': 'Id', 'url': 'URL'}"/>
  <xsl:variable name="local:label-width" as="xs:integer"
                select="max(map:keys($local:labels) ! string-length($local:labels(.))) + 2"/>

  <!-- The register kinds, in the order the names section lists them, with their headings. -->
  <xsl:variable name="local:kinds" as="xs:string+" select="('person', 'place', 'org')"/>
  <xsl:variable name="local:kind-headings" as="map(xs:string, xs:string)"
                select="map {'person': 'Persons', 'place': 'Places', 'org': 'Organisations'}"/>

  <!-- The whole file: header, rule, text, names; one line feed at the end. -->
  <xsl:template match="/tei:TEI" mode="kim:text-document">
    <xsl:variable name="text" as="xs:string*">
      <xsl:apply-templates select="tei:text/tei:body" mode="kim:text-document"/>
    </xsl:variable>
    <xsl:variable name="names" as="xs:string" select="local:names(tei:text)"/>
    <xsl:variable name="parts" as="xs:string*"
                  select="string-join((local:header(.), kim:rule('=')), $kim:nl),
                          string-join($text[. != ''], $kim:nl || $kim:nl)[. != ''],
                          $names[. != '']"/>
    <xsl:value-of select="string-join($parts, $kim:nl || $kim:nl) || $kim:nl"/>
  </xsl:template>

  <!-- The head and each paragraph become one wrapped block, its white space collapsed. -->
  <xsl:template match="tei:head | tei:p" mode="kim:text-document">
    <xsl:sequence select="kim:wrap(kim:plain-text(node()), $kim:text-width)"/>
  </xsl:template>

  <!-- The header block: one labelled field per line, empty fields left out. -->
  <xsl:function name="local:header" as="xs:string">
    <xsl:param name="document" as="element(tei:TEI)"/>
    <xsl:variable name="header" as="element(tei:teiHeader)" select="$document/tei:teiHeader"/>
    <xsl:variable name="correspondence" as="element(tei:correspDesc)?"
                  select="$header/tei:profileDesc/tei:correspDesc[1]"/>
    <xsl:variable name="fields" as="xs:string*" select="
      local:field('title', normalize-space(string($header/tei:fileDesc/tei:titleStmt/tei:title[1]))),
      local:field('date', local:date($document)),
      local:field('type', kim:type-label(kim:document-type($document))),
      local:field('from', local:parties($correspondence/tei:correspAction[@type = 'sent'])),
      local:field('to', local:parties($correspondence/tei:correspAction[@type = 'received'])),
      local:field('source', local:source($header/tei:fileDesc/tei:sourceDesc/tei:bibl[1])),
      local:field('id', string($document/@xml:id)),
      local:field('url', if ($base-url) then $base-url || 'documents/' || $document/@xml:id || '.html' else '')"/>
    <xsl:sequence select="string-join($fields, $kim:nl)"/>
  </xsl:function>

  <!-- One header field, or nothing when its value is empty. -->
  <xsl:function name="local:field" as="xs:string?">
    <xsl:param name="key" as="xs:string"/>
    <xsl:param name="value" as="xs:string"/>
    <xsl:sequence select="if (normalize-space($value))
                          then kim:field($local:labels($key), $value, $local:label-width) else ()"/>
  </xsl:function>

  <!--
    The date in words and in ISO form, then the archive's date line when it gives another
    date: "29 August – 14 September 1956 (1956-08-29/1956-09-14); listed as September 01,
    1956". The date line as written is always in the Source field.
  -->
  <xsl:function name="local:date" as="xs:string">
    <xsl:param name="document" as="element(tei:TEI)"/>
    <xsl:variable name="date" as="element(tei:date)?"
                  select="$document/tei:teiHeader/tei:profileDesc/tei:creation/tei:date[1]"/>
    <xsl:variable name="listed" as="element()?"
                  select="($document/tei:text/tei:front/tei:docDate,
                           $document/tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl/tei:date)[1]"/>
    <xsl:variable name="label" as="xs:string" select="local:date-words($date)"/>
    <xsl:variable name="iso" as="xs:string" select="kim:date-iso($date)"/>
    <xsl:variable name="listed-value" as="xs:string"
                  select="if ($listed/@when) then string($listed/@when) else normalize-space(string($listed))"/>
    <xsl:variable name="normalised-value" as="xs:string"
                  select="if ($listed/@when) then $iso else normalize-space(string($date))"/>
    <xsl:sequence select="string-join((
      $label,
      if ($iso and $iso != $label) then '(' || $iso || ')' else ()), ' ')
      || (if (exists($listed) and $listed-value != $normalised-value)
          then '; listed as ' || normalize-space(string($listed)) else '')"/>
  </xsl:function>

  <!--
    A date in words, a period within one year without repeating the year ("29 August –
    14 September 1956", "29–31 August 1956"); otherwise as kim:date-label says it.
  -->
  <xsl:function name="local:date-words" as="xs:string">
    <xsl:param name="date" as="element(tei:date)?"/>
    <xsl:variable name="from" as="xs:string*" select="tokenize(string($date/@from), '-')"/>
    <xsl:variable name="to" as="xs:string*" select="tokenize(string($date/@to), '-')"/>
    <xsl:sequence select="
      if ($date/@when or count($from) lt 2 or count($from) != count($to) or $from[1] != $to[1])
      then kim:date-label($date)
      else if (count($from) = 3 and $from[2] = $to[2])
      then xs:integer($from[3]) || '–' || kim:format-date($date/@to)
      else substring-before(kim:format-date($date/@from), ' ' || $from[1]) || ' – ' || kim:format-date($date/@to)"/>
  </xsl:function>

  <!--
    The senders or addressees, as the header writes them, each followed by its standard
    name from the register when that differs: "Shtykov (Terentii Shtykov)", "Feng Xi
    (codename of Joseph Stalin)". Several are separated by semicolons, since names of
    organisations may contain commas.
  -->
  <xsl:function name="local:parties" as="xs:string">
    <xsl:param name="action" as="element(tei:correspAction)*"/>
    <xsl:variable name="parties" as="xs:string*">
      <xsl:for-each select="$action/(tei:persName | tei:orgName | tei:placeName | tei:rs)">
        <xsl:variable name="written" as="xs:string" select="normalize-space(string(.))"/>
        <xsl:variable name="entry" as="element()?" select="kim:entry(tokenize(normalize-space(@ref), ' ')[1])"/>
        <xsl:variable name="standard" as="xs:string" select="if ($entry) then kim:standard-name($entry) else ''"/>
        <xsl:sequence select="
          if ($standard and @type = 'codename') then $written || ' (codename of ' || $standard || ')'
          else if ($standard and $standard != $written) then $written || ' (' || $standard || ')'
          else $written"/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:sequence select="string-join($parties, '; ')"/>
  </xsl:function>

  <!--
    The source as a citation: the archive's title and date line, the document numbers,
    the collection and the archive (from the document, else from the edition header).
  -->
  <xsl:function name="local:source" as="xs:string">
    <xsl:param name="bibl" as="element(tei:bibl)?"/>
    <xsl:variable name="collection" as="element(tei:bibl)?"
                  select="($bibl/tei:relatedItem[@type = 'collection']/tei:bibl,
                           $edition/tei:TEI/tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl)[1]"/>
    <xsl:variable name="numbers" as="xs:string*"
                  select="$bibl/tei:idno[@type = 'document-number'] ! normalize-space(.)"/>
    <xsl:variable name="item" as="xs:string*" select="
      ($bibl/tei:title[1] ! ('&quot;' || normalize-space(.) || '&quot;')),
      ($bibl/tei:date[1] ! normalize-space(.)),
      if (count($numbers) = 1) then 'document no. ' || $numbers
      else if (count($numbers) gt 1) then 'document nos. ' || string-join($numbers, ', ') else ()"/>
    <xsl:variable name="holder" as="xs:string*" select="
      ($collection/tei:title[1] ! ('collection &quot;' || normalize-space(.) || '&quot;')),
      ($collection/tei:publisher[1] ! normalize-space(.))"/>
    <xsl:sequence select="string-join((string-join($item[.], ', '), string-join($holder[.], ', '))[.], '; ')
                          || (if (exists(($item, $holder)[.])) then '.' else '')"/>
  </xsl:function>

  <!--
    "Names in this document": for each kind, every entry the text points to, sorted by
    its sort key, with the number of references and each form the text uses, in order
    of first use. Empty when the text names nobody.
  -->
  <xsl:function name="local:names" as="xs:string">
    <xsl:param name="text" as="element(tei:text)?"/>
    <!-- The references are grouped once, by pointer, for all kinds together; each kind
         then takes its own lines from the groups. -->
    <xsl:variable name="groups" as="map(xs:string, xs:string)*">
      <xsl:for-each-group select="$text//*[@ref]"
                          group-by="tokenize(normalize-space(@ref), ' ')[kim:pointer-kind(.) = $local:kinds]">
        <xsl:variable name="pointer" as="xs:string" select="current-grouping-key()"/>
        <xsl:variable name="forms" as="xs:string*" select="current-group() ! kim:plain-text(node())"/>
        <xsl:variable name="count" as="xs:integer" select="count(current-group())"/>
        <xsl:sequence select="map {
          'pointer': $pointer,
          'kind': kim:pointer-kind($pointer),
          'sort': local:sort-key($pointer),
          'line': kim:wrap-hanging(
              local:name($pointer) || ': ' || kim:glue($count || (if ($count = 1) then ' mention' else ' mentions'))
              || ', as ' || string-join(kim:distinct($forms) ! ('&quot;' || . || '&quot;'), ', '),
              $kim:text-width, '  ', '    ') }"/>
      </xsl:for-each-group>
    </xsl:variable>
    <xsl:variable name="sections" as="xs:string*">
      <xsl:for-each select="$local:kinds">
        <xsl:variable name="kind" as="xs:string" select="."/>
        <xsl:variable name="lines" as="xs:string*">
          <xsl:for-each select="$groups[?kind = $kind]">
            <xsl:sort select="?sort"/>
            <xsl:sort select="?pointer"/>
            <xsl:sequence select="?line"/>
          </xsl:for-each>
        </xsl:variable>
        <xsl:if test="exists($lines)">
          <xsl:sequence select="string-join(($local:kind-headings($kind), $lines), $kim:nl)"/>
        </xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <xsl:sequence select="if (empty($sections)) then ''
                          else string-join((kim:rule('-') || $kim:nl || 'Names in this document', $sections),
                                           $kim:nl || $kim:nl)"/>
  </xsl:function>

  <!-- An entry's index name ("Stalin, Joseph"), or the bare pointer when the register lacks it. -->
  <xsl:function name="local:name" as="xs:string">
    <xsl:param name="pointer" as="xs:string"/>
    <xsl:variable name="entry" as="element()?" select="kim:entry($pointer)"/>
    <xsl:sequence select="if ($entry) then kim:index-name($entry) else $pointer"/>
  </xsl:function>

  <!-- The order of the names section: the entry's sort key, comparable across entries. -->
  <xsl:function name="local:sort-key" as="xs:string">
    <xsl:param name="pointer" as="xs:string"/>
    <xsl:variable name="entry" as="element()?" select="kim:entry($pointer)"/>
    <xsl:sequence select="kim:sort-form(if ($entry) then kim:sort-key($entry) else kim:pointer-id($pointer))"/>
  </xsl:function>

</xsl:stylesheet>
