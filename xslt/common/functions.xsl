<?xml version="1.0" encoding="UTF-8"?>
<!--
  Functions shared by every output: reading register pointers, names, dates and
  document types. Public functions carry the kim: prefix (urn:kimedition); everything is
  typed. Registers arrive as stylesheet parameters (parsed once per build), never
  through doc().
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <!-- The registers and the edition header, handed over by the build. -->
  <!-- Empty by default, so that the build can call public functions (kim:index-letters)
       on a stylesheet it gives no parameters to. -->
  <xsl:param name="persons" as="document-node()"><xsl:document/></xsl:param>
  <xsl:param name="places" as="document-node()"><xsl:document/></xsl:param>
  <xsl:param name="orgs" as="document-node()"><xsl:document/></xsl:param>
  <xsl:param name="edition" as="document-node()"><xsl:document/></xsl:param>
  <!-- The edition's public address ending in "/" (empty when unknown) and the toolkit's
       version; every driver receives them (docs/stylesheets.md). -->
  <xsl:param name="base-url" as="xs:string" select="''"/>
  <xsl:param name="version" as="xs:string" select="''"/>
  <!-- Whether the edition is large enough to be published in parts: the indexes one
       page per letter (persons-a.html…), the list of documents one page per year
       (years/1950.html…). The build decides, from the number of documents. -->
  <xsl:param name="split" as="xs:boolean" select="false()"/>

  <xsl:key name="kim:entry" match="tei:person | tei:place | tei:org | tei:category" use="@xml:id"/>

  <!-- The id a register pointer names: person:stalin → stalin. -->
  <xsl:function name="kim:pointer-id" as="xs:string">
    <xsl:param name="pointer" as="xs:string"/>
    <xsl:sequence select="replace(normalize-space($pointer), '^[a-z]+:', '')"/>
  </xsl:function>

  <!-- The register kind a pointer names: person:stalin → person. -->
  <xsl:function name="kim:pointer-kind" as="xs:string">
    <xsl:param name="pointer" as="xs:string"/>
    <xsl:sequence select="substring-before(normalize-space($pointer), ':')"/>
  </xsl:function>

  <!-- The register holding entries of a kind. -->
  <xsl:function name="kim:register" as="document-node()">
    <xsl:param name="kind" as="xs:string"/>
    <xsl:sequence select="if ($kind = 'person') then $persons
                          else if ($kind = 'place') then $places else $orgs"/>
  </xsl:function>

  <!-- The register entry a pointer names, if any. Cached: a document names the same
       entries many times. -->
  <xsl:function name="kim:entry" as="element()?" cache="yes">
    <xsl:param name="pointer" as="xs:string?"/>
    <xsl:sequence select="if (empty($pointer) or not(contains($pointer, ':'))) then ()
                          else key('kim:entry', kim:pointer-id($pointer),
                                   kim:register(kim:pointer-kind($pointer)))[1]"/>
  </xsl:function>

  <!-- An entry's standard name as one line: "Joseph Stalin", "Kim Il Sung". -->
  <xsl:function name="kim:standard-name" as="xs:string">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="name" as="element()?"
                  select="($entry/(tei:persName | tei:placeName | tei:orgName)[@type = 'standard'],
                           $entry/(tei:persName | tei:placeName | tei:orgName))[1]"/>
    <xsl:sequence select="normalize-space(string($name))"/>
  </xsl:function>

  <!-- An entry's name for an index: "Stalin, Joseph", "Kim Il Sung" (surname first stays). -->
  <xsl:function name="kim:index-name" as="xs:string">
    <xsl:param name="entry" as="element()"/>
    <xsl:variable name="name" as="element()?"
                  select="($entry/tei:persName[@type = 'standard'], $entry/tei:persName)[1]"/>
    <xsl:sequence select="
      if ($name/tei:surname and $name/tei:forename
          and $name/tei:forename &lt;&lt; $name/tei:surname)
      then normalize-space($name/tei:surname) || ', ' || normalize-space(string-join($name/tei:forename, ' '))
      else kim:standard-name($entry)"/>
  </xsl:function>

  <!-- The key entries sort by: @sortKey, else the index name, lower case. -->
  <xsl:function name="kim:sort-key" as="xs:string">
    <xsl:param name="entry" as="element()"/>
    <!-- The index name is only worked out for an entry without @sortKey. -->
    <xsl:sequence select="lower-case(if (exists($entry/@sortKey)) then string($entry/@sortKey)
                                     else kim:index-name($entry))"/>
  </xsl:function>

  <!--
    A string in the form index entries and cross-references are ordered by, so that a
    sort key ("stalin_joseph", "tatu-jianu_anton") and a name as written ("Feng Xi",
    "Pál Szarvas", "I.V. Stalin") compare alike: lower case, accents removed, and every
    run of spaces, underscores, hyphens, commas and full stops one space.
  -->
  <xsl:function name="kim:sort-form" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:variable name="lower" as="xs:string" select="lower-case($text)"/>
    <!-- Most keys are plain ASCII letters, digits and separators: they have no accents to
         remove, and translate() does for them what the regular expressions do, faster. -->
    <xsl:sequence select="
      if (translate($lower, $kim:plain-characters, '') = '')
      then normalize-space(translate($lower, '_,.-', '    '))
      else normalize-space(replace(
             replace(normalize-unicode($lower, 'NFD'), '\p{Mn}', ''),
             '[\s_,.\-]+', ' '))"/>
  </xsl:function>

  <!-- The characters kim:sort-form() can handle without Unicode normalisation: lower-case
       ASCII letters, digits, white space and the separators it turns into spaces. -->
  <xsl:variable name="kim:plain-characters" as="xs:string"
                select="'abcdefghijklmnopqrstuvwxyz0123456789 _,.-&#9;&#10;&#13;'"/>

  <!-- The first letter an index orders a string under: A–Z, or '' for anything else. -->
  <xsl:function name="kim:index-letter" as="xs:string">
    <xsl:param name="sort-form" as="xs:string"/>
    <xsl:variable name="first" as="xs:string" select="upper-case(substring($sort-form, 1, 1))"/>
    <xsl:sequence select="if (string-length($first) = 1 and contains('ABCDEFGHIJKLMNOPQRSTUVWXYZ', $first))
                          then $first else ''"/>
  </xsl:function>

  <!-- The first day a date value covers, for sorting: 1950-04 → 1950-04-00. -->
  <xsl:function name="kim:sort-date" as="xs:string">
    <xsl:param name="date" as="element()?"/>
    <xsl:variable name="value" as="xs:string" select="string(($date/@when, $date/@from, $date/@notBefore)[1])"/>
    <xsl:sequence select="substring($value || '-00-00', 1, 10)"/>
  </xsl:function>

  <xsl:variable name="kim:months" as="xs:string+"
                select="('January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
                         'September', 'October', 'November', 'December')"/>

  <!-- An ISO date in words: 1950-01-19 → 19 January 1950; 1950-04 → April 1950. -->
  <xsl:function name="kim:format-date" as="xs:string">
    <xsl:param name="iso" as="xs:string"/>
    <xsl:variable name="parts" as="xs:string*" select="tokenize($iso, '-')"/>
    <xsl:sequence select="
      if (count($parts) = 3) then xs:integer($parts[3]) || ' ' || $kim:months[xs:integer($parts[2])] || ' ' || $parts[1]
      else if (count($parts) = 2) then $kim:months[xs:integer($parts[2])] || ' ' || $parts[1]
      else $iso"/>
  </xsl:function>

  <!-- A date element's normalised value in words, a period as "from – to". -->
  <xsl:function name="kim:date-label" as="xs:string">
    <xsl:param name="date" as="element()?"/>
    <xsl:sequence select="
      if ($date/@when) then kim:format-date($date/@when)
      else if ($date/@from and $date/@to) then kim:format-date($date/@from) || ' – ' || kim:format-date($date/@to)
      else if ($date/@from) then 'from ' || kim:format-date($date/@from)
      else if ($date/@to) then 'until ' || kim:format-date($date/@to)
      else normalize-space(string($date))"/>
  </xsl:function>

  <!-- A date element's normalised value in ISO form: 1950-04, 1956-08-29/1956-09-14. -->
  <xsl:function name="kim:date-iso" as="xs:string">
    <xsl:param name="date" as="element()?"/>
    <xsl:sequence select="if ($date/@when) then string($date/@when)
                          else string-join(($date/@from, $date/@to) ! string(), '/')"/>
  </xsl:function>

  <!-- The taxonomy category a document is classified under. -->
  <xsl:function name="kim:document-type" as="element(tei:category)?">
    <xsl:param name="document" as="element(tei:TEI)"/>
    <xsl:variable name="target" as="xs:string?"
                  select="($document/tei:teiHeader/tei:profileDesc/tei:textClass/tei:catRef/@target)[1]"/>
    <xsl:sequence select="if ($target) then key('kim:entry', substring-after($target, '#'), $edition)[1] else ()"/>
  </xsl:function>

  <!-- A category's short label: the catDesc up to its first colon ("Telegram"). -->
  <xsl:function name="kim:type-label" as="xs:string">
    <xsl:param name="category" as="element(tei:category)?"/>
    <xsl:variable name="description" as="xs:string" select="normalize-space(string($category/tei:catDesc))"/>
    <xsl:sequence select="if (contains($description, ':')) then substring-before($description, ':')
                          else if ($description) then $description
                          else string($category/@xml:id)"/>
  </xsl:function>

  <!-- The edition's title (the main title of edition.xml). -->
  <xsl:function name="kim:edition-title" as="xs:string">
    <xsl:sequence select="normalize-space(string(($edition/tei:TEI/tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title)[1]))"/>
  </xsl:function>
</xsl:stylesheet>
