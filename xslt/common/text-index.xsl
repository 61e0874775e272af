<?xml version="1.0" encoding="UTF-8"?>
<!--
  Mode kim:text-index: a cumulative index as plain text (text/persons.txt, places.txt,
  organisations.txt), wrapped at 78 columns. Applied to a register; the index the build
  made from the catalogue cards comes in the parameter $index (docs/stylesheets.md).

    Conversations with Kim Il Sung
    Index of persons
    ==================================================================
    (a short note on what an entry gives)

    Feng Xi, see Stalin, Joseph              a cross-reference for each other name

    Stalin, Joseph (died 5 March 1953)       the index name, life dates (persons)
      Variants: Stalin; I.V. Stalin; …       other names, by kind; the type of a
      Codenames: Filippov; Feng Xi           place or organisation, coordinates
      In 9 documents, 14 mentions:
      1950-07-04  Ciphered Telegram No. 405840 from Shtykov to Feng Xi
                  [Stalin] (addressee; 2 mentions)

  Entries and cross-references are sorted together by kim:sort-form of the entry's sort
  key (kim:sort-key) or of the other name; entries are separated by a blank line. A
  name gets no cross-reference when it would sort next to the entry anyway (its
  sort form begins the entry's: "Stalin" before "Stalin, Joseph"), unless two entries
  share it.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                xmlns:local="urn:kimedition:text-index"
                exclude-result-prefixes="#all">

  <xsl:mode name="kim:text-index" on-no-match="shallow-skip" on-multiple-match="fail"/>

  <!-- The cumulative index of the register being rendered (kim:index). -->
  <xsl:param name="index" as="document-node()" required="yes"/>

  <!-- An edition published in parts makes its plain-text index letter by letter, to keep
       each transformation small: $letter (as kim:index-letter gives it, '' for other
       scripts) selects the entries and cross-references of one letter, which then need
       their documents only; $first-part says whether the part begins the file. -->
  <xsl:param name="letter" as="xs:string?" select="()"/>
  <xsl:param name="first-part" as="xs:boolean" select="true()"/>
  <!-- The names of no letter ('') are made in two parts, those that sort before the
       letters (digits: "38th parallel") and those that sort after them (other scripts),
       so that the parts, joined in order, are the index made whole. -->
  <xsl:param name="before-letters" as="xs:boolean" select="false()"/>

  <!-- Labels, in one place: the kinds of index, and the kinds of other names (singular, plural). -->
  <xsl:variable name="local:kind-plural" as="map(xs:string, xs:string)"
                select="map {'person': 'persons', 'place': 'places', 'org': 'organisations'}"/>
  <xsl:variable name="local:name-types" as="map(xs:string, xs:string+)"
                select="map {'variant': ('Variant', 'Variants'),
                             'abbreviation': ('Abbreviation', 'Abbreviations'),
                             'codename': ('Codename', 'Codenames'),
                             'misspelling': ('Misspelling', 'Misspellings'),
                             'birth-name': ('Birth name', 'Birth names')}"/>

  <!-- The document column: ISO dates of a day take 10 columns; longer dates push the title. -->
  <xsl:variable name="local:date-width" as="xs:integer" select="10"/>
  <xsl:variable name="local:document-indent" as="xs:string" select="kim:repeat(' ', 2 + $local:date-width + 2)"/>

  <!-- The whole file: title, note, then entries and cross-references in one alphabetical run. -->
  <xsl:template match="document-node()" mode="kim:text-index">
    <xsl:variable name="kind" as="xs:string" select="string($index/kim:index/@kind)"/>
    <xsl:variable name="plural" as="xs:string" select="($local:kind-plural($kind), $kind)[1]"/>
    <xsl:variable name="entries" as="element(kim:entry)*" select="$index/kim:index/kim:entry"/>
    <xsl:variable name="shown" as="element(kim:entry)*"
                  select="if (exists($letter)) then $entries[local:in-part(local:entry-key(., kim:entry(@ref)))] else $entries"/>
    <xsl:variable name="items" as="map(xs:string, xs:string)*">
      <xsl:apply-templates select="$shown" mode="kim:text-index"/>
      <xsl:sequence select="local:cross-references($entries)"/>
    </xsl:variable>
    <xsl:variable name="sorted" as="xs:string*">
      <xsl:for-each select="$items">
        <xsl:sort select="?key"/>
        <xsl:sort select="?rank"/>
        <xsl:sort select="?text"/>
        <xsl:sequence select="?text"/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="heading" as="xs:string"
                  select="string-join((kim:edition-title()[.], 'Index of ' || $plural, kim:rule('=')), $kim:nl)"/>
    <xsl:variable name="note" as="xs:string" select="kim:wrap(
      count($entries) || ' ' || $plural || ' in alphabetical order. Each entry lists the documents '
      || 'in which it occurs, in chronological order, with the date (ISO 8601), the title, the role '
      || 'in the document (sender, addressee) and the number of mentions in the text. Other names '
      || 'and spellings are cross-referenced to the entry.', $kim:text-width)"/>
    <xsl:value-of select="if (empty($letter)) then string-join(($heading, $note, $sorted), $kim:nl || $kim:nl) || $kim:nl
                          else string-join(((if ($first-part) then ($heading, $note) else ()), $sorted), $kim:nl || $kim:nl)"/>
  </xsl:template>

  <!-- Whether an item with this sort key belongs to the part being made (all do when the
       index is made whole). -->
  <xsl:function name="local:in-part" as="xs:boolean">
    <xsl:param name="key" as="xs:string"/>
    <xsl:sequence select="empty($letter)
                          or kim:index-letter($key) = $letter
                             and ($letter != '' or ($key lt 'a') = $before-letters)"/>
  </xsl:function>

  <!-- An entry of the index: its heading, other names and documents, as a sortable item. -->
  <xsl:template match="kim:entry" mode="kim:text-index">
    <xsl:variable name="entry" as="element()?" select="kim:entry(@ref)"/>
    <xsl:variable name="documents" as="xs:integer" select="count(kim:occurrence)"/>
    <xsl:variable name="mentions" as="xs:integer" select="sum(kim:occurrence/@count ! xs:integer(.))"/>
    <xsl:variable name="lines" as="xs:string*" select="
      kim:wrap-hanging(local:heading(., $entry), $kim:text-width, '', '  '),
      local:other-names($entry),
      $entry[not(self::tei:person)]/@type[normalize-space()] ! local:labelled('Type', normalize-space(.)),
      ($entry/tei:location/tei:geo)[1] ! local:labelled('Coordinates', normalize-space(.)),
      kim:wrap-hanging(if ($documents = 0) then 'In no document.'
                       else 'In ' || local:count($documents, 'document', 'documents') || ', '
                            || local:count($mentions, 'mention', 'mentions') || ':',
                       $kim:text-width, '  ', '  '),
      kim:occurrence ! local:occurrence(.)"/>
    <xsl:sequence select="map {'key': local:entry-key(., $entry), 'rank': '0',
                               'text': string-join($lines, $kim:nl)}"/>
  </xsl:template>

  <!-- The heading of an entry: "Stalin, Joseph (died 5 March 1953)", "Pyongyang". -->
  <xsl:function name="local:heading" as="xs:string">
    <xsl:param name="item" as="element(kim:entry)"/>
    <xsl:param name="entry" as="element()?"/>
    <xsl:variable name="life" as="xs:string?" select="$entry/self::tei:person ! local:life(.)"/>
    <xsl:sequence select="local:name($item, $entry) || ($life ! (' (' || . || ')'))"/>
  </xsl:function>

  <!-- An entry's index name, or its id when the register lacks it. -->
  <xsl:function name="local:name" as="xs:string">
    <xsl:param name="item" as="element(kim:entry)"/>
    <xsl:param name="entry" as="element()?"/>
    <xsl:sequence select="if ($entry) then kim:index-name($entry) else string($item/@id)"/>
  </xsl:function>

  <!-- Where an entry sorts: the sort form of its sort key. -->
  <xsl:function name="local:entry-key" as="xs:string">
    <xsl:param name="item" as="element(kim:entry)"/>
    <xsl:param name="entry" as="element()?"/>
    <xsl:sequence select="kim:sort-form(if ($entry) then kim:sort-key($entry) else string($item/@id))"/>
  </xsl:function>

  <!-- A person's life dates in words: "15 April 1912 – 8 July 1994", "born 1907", "died …". -->
  <xsl:function name="local:life" as="xs:string?">
    <xsl:param name="person" as="element(tei:person)"/>
    <xsl:variable name="birth" as="xs:string?" select="$person/tei:birth[1] ! local:life-date(.)"/>
    <xsl:variable name="death" as="xs:string?" select="$person/tei:death[1] ! local:life-date(.)"/>
    <xsl:sequence select="
      if ($birth and $death) then $birth || ' – ' || $death
      else if ($birth) then 'born ' || $birth
      else if ($death) then 'died ' || $death
      else ()"/>
  </xsl:function>

  <!-- A birth or death date in words, from @when, else as the register writes it. -->
  <xsl:function name="local:life-date" as="xs:string?">
    <xsl:param name="event" as="element()"/>
    <xsl:variable name="value" as="xs:string"
                  select="if ($event/@when) then kim:format-date($event/@when) else normalize-space(string($event))"/>
    <xsl:sequence select="$value[.]"/>
  </xsl:function>

  <!-- The other names of an entry, one line per kind of name, in the register's order. -->
  <xsl:function name="local:other-names" as="xs:string*">
    <xsl:param name="entry" as="element()?"/>
    <xsl:for-each-group select="local:others($entry)" group-by="local:name-type(.)">
      <xsl:variable name="labels" as="xs:string+"
                    select="($local:name-types(current-grouping-key()),
                             upper-case(substring(current-grouping-key(), 1, 1)) || substring(current-grouping-key(), 2))"/>
      <xsl:variable name="names" as="xs:string*" select="kim:distinct(current-group() ! normalize-space(.))"/>
      <xsl:sequence select="local:labelled(if (count($names) = 1) then $labels[1] else $labels[2],
                                           string-join($names, '; '))"/>
    </xsl:for-each-group>
  </xsl:function>

  <!-- The names of an entry other than its standard name. -->
  <xsl:function name="local:others" as="element()*">
    <xsl:param name="entry" as="element()?"/>
    <xsl:variable name="names" as="element()*" select="$entry/(tei:persName | tei:placeName | tei:orgName)"/>
    <xsl:variable name="standard" as="element()?" select="($names[@type = 'standard'], $names)[1]"/>
    <xsl:sequence select="$names except $standard"/>
  </xsl:function>

  <!-- The kind of a name, "variant" when the register does not say. -->
  <xsl:function name="local:name-type" as="xs:string">
    <xsl:param name="name" as="element()"/>
    <xsl:sequence select="($name/@type[normalize-space()] ! normalize-space(.), 'variant')[1]"/>
  </xsl:function>

  <!-- A labelled line of an entry, indented, wrapped under its value. -->
  <xsl:function name="local:labelled" as="xs:string">
    <xsl:param name="label" as="xs:string"/>
    <xsl:param name="value" as="xs:string"/>
    <xsl:variable name="head" as="xs:string" select="'  ' || $label || ': '"/>
    <xsl:sequence select="kim:wrap-hanging($value, $kim:text-width, $head, kim:repeat(' ', kim:columns($head)))"/>
  </xsl:function>

  <!--
    One document of an entry: "  1950-07-04  Title (addressee; 2 mentions)", the title
    wrapped with a hanging indent under itself.
  -->
  <xsl:function name="local:occurrence" as="xs:string">
    <xsl:param name="occurrence" as="element(kim:occurrence)"/>
    <xsl:variable name="roles" as="xs:string*" select="tokenize(normalize-space($occurrence/@roles), ' ')"/>
    <xsl:variable name="count" as="xs:integer" select="xs:integer(($occurrence/@count[. castable as xs:integer], 0)[1])"/>
    <xsl:variable name="details" as="xs:string*" select="
      $roles[. = ('sender', 'addressee')],
      if ($roles = 'mentioned' or $count gt 0) then local:count($count, 'mention', 'mentions') else ()"/>
    <xsl:sequence select="kim:wrap-hanging(
      normalize-space($occurrence) || (if (exists($details)) then ' (' || string-join($details, '; ') || ')' else ''),
      $kim:text-width,
      '  ' || kim:pad(string($occurrence/@date), $local:date-width) || '  ',
      $local:document-indent)"/>
  </xsl:function>

  <!--
    Cross-references: each other name of each entry, in its own alphabetical place,
    "Feng Xi, see Stalin, Joseph"; a name shared by several entries sends to all of them.
    Only the names of the part being made: a name's place depends on the name alone, so
    the other parts' names are left out before they are grouped, sorted and wrapped.
  -->
  <xsl:function name="local:cross-references" as="map(xs:string, xs:string)*">
    <xsl:param name="items" as="element(kim:entry)*"/>
    <xsl:variable name="pairs" as="map(xs:string, xs:string)*">
      <xsl:for-each select="$items">
        <xsl:variable name="item" as="element(kim:entry)" select="."/>
        <xsl:variable name="entry" as="element()?" select="kim:entry(@ref)"/>
        <xsl:variable name="own" as="xs:string*"
                      select="if ($entry) then (kim:index-name($entry), kim:standard-name($entry)) else ()"/>
        <xsl:for-each select="kim:distinct(local:others($entry) ! normalize-space(.))
                              [not(. = $own)][local:in-part(kim:sort-form(.))]">
          <xsl:sequence select="map {'name': ., 'target': local:name($item, $entry),
                                     'target-key': local:entry-key($item, $entry)}"/>
        </xsl:for-each>
      </xsl:for-each>
    </xsl:variable>
    <xsl:for-each-group select="$pairs" group-by="?name">
      <xsl:variable name="key" as="xs:string" select="kim:sort-form(current-grouping-key())"/>
      <xsl:variable name="targets" as="map(xs:string, xs:string)*">
        <xsl:perform-sort select="current-group()">
          <xsl:sort select="?target-key"/>
          <xsl:sort select="?target"/>
        </xsl:perform-sort>
      </xsl:variable>
      <xsl:if test="count($targets) gt 1
                    or not($key = $targets?target-key or starts-with($targets?target-key, $key || ' '))">
        <xsl:sequence select="map {'key': $key, 'rank': '1',
          'text': kim:wrap-hanging(current-grouping-key() || ', see' || $kim:glue-character || string-join(kim:distinct($targets?target), '; '),
                                   $kim:text-width, '', '  ')}"/>
      </xsl:if>
    </xsl:for-each-group>
  </xsl:function>

  <!-- "1 document", "9 documents", kept on one line by the wrapping. -->
  <xsl:function name="local:count" as="xs:string">
    <xsl:param name="count" as="xs:integer"/>
    <xsl:param name="singular" as="xs:string"/>
    <xsl:param name="plural" as="xs:string"/>
    <xsl:sequence select="kim:glue($count || ' ' || (if ($count = 1) then $singular else $plural))"/>
  </xsl:function>

</xsl:stylesheet>
