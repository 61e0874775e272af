<?xml version="1.0" encoding="UTF-8"?>
<!--
  Plain-text layout: measuring, wrapping, padding and labelled fields. Shared by the
  plain-text document and index stylesheets, which both wrap at 78 columns.

  A column is one character as the reader sees it: string-length counts code points,
  not bytes, so "Práth" or "김일성" count one column per letter; combining marks
  (\p{Mn}, \p{Me}) add no column. Wide East Asian characters are counted as one column
  too (a terminal may show them two wide).

  Wrapping breaks at white space only (space, tab, line feed, carriage return: what
  normalize-space() collapses); a no-break space binds, an apostrophe or hyphen is part
  of its word. A word longer than the line stays whole, alone on its line.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <!-- The width every plain-text file is wrapped to. -->
  <xsl:variable name="kim:text-width" as="xs:integer" select="78"/>

  <!-- A line feed: the only line end the plain texts use. -->
  <xsl:variable name="kim:nl" as="xs:string" select="'&#10;'"/>

  <!-- The columns a string takes: its characters, without combining marks. -->
  <xsl:function name="kim:columns" as="xs:integer">
    <xsl:param name="text" as="xs:string"/>
    <xsl:sequence select="string-length(replace($text, '[\p{Mn}\p{Me}]', ''))"/>
  </xsl:function>

  <!-- Word-wrap a paragraph to $width columns; lines joined by line feeds, none at the end. -->
  <xsl:function name="kim:wrap" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="width" as="xs:integer"/>
    <xsl:sequence select="kim:wrap-hanging($text, $width, '', '')"/>
  </xsl:function>

  <!--
    Word-wrap with a hanging indent: the first line starts with $first, the others with
    $rest (a label and its alignment, or an indent); the prefixes count in the width.
  -->
  <xsl:function name="kim:wrap-hanging" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="width" as="xs:integer"/>
    <xsl:param name="first" as="xs:string"/>
    <xsl:param name="rest" as="xs:string"/>
    <xsl:variable name="normalized" as="xs:string" select="normalize-space($text)"/>
    <!-- A text that fits on its first line even counting every character as a column (most
         lines of the names section) needs no word-by-word wrapping. -->
    <xsl:variable name="one-line" as="xs:boolean"
                  select="$normalized != '' and string-length($first) + string-length($normalized) le $width"/>
    <!-- Without combining marks a word takes as many columns as it has characters: only
         a text that has some needs each word measured with kim:columns(). -->
    <xsl:variable name="marked" as="xs:boolean" select="not($one-line) and matches($text, '[\p{Mn}\p{Me}]')"/>
    <xsl:variable name="lines" as="xs:string*">
      <!-- $used: the columns of the prefix and the line so far, kept rather than measured
           again for every word. -->
      <xsl:iterate select="if ($one-line) then () else tokenize($normalized, ' ')">
        <xsl:param name="line" as="xs:string" select="''"/>
        <xsl:param name="prefix" as="xs:string" select="$first"/>
        <xsl:param name="used" as="xs:integer" select="kim:columns($first)"/>
        <xsl:on-completion>
          <xsl:sequence select="if ($line) then $prefix || $line else ()"/>
        </xsl:on-completion>
        <xsl:variable name="word" as="xs:string" select="."/>
        <xsl:variable name="columns" as="xs:integer"
                      select="if ($marked) then kim:columns($word) else string-length($word)"/>
        <xsl:choose>
          <xsl:when test="$line = ''">
            <xsl:next-iteration>
              <xsl:with-param name="line" select="$word"/>
              <xsl:with-param name="used" select="$used + $columns"/>
            </xsl:next-iteration>
          </xsl:when>
          <xsl:when test="$used + 1 + $columns le $width">
            <xsl:next-iteration>
              <xsl:with-param name="line" select="$line || ' ' || $word"/>
              <xsl:with-param name="used" select="$used + 1 + $columns"/>
            </xsl:next-iteration>
          </xsl:when>
          <xsl:otherwise>
            <xsl:sequence select="$prefix || $line"/>
            <xsl:next-iteration>
              <xsl:with-param name="line" select="$word"/>
              <xsl:with-param name="prefix" select="$rest"/>
              <xsl:with-param name="used" select="kim:columns($rest) + $columns"/>
            </xsl:next-iteration>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:iterate>
    </xsl:variable>
    <xsl:sequence select="translate(if ($one-line) then $first || $normalized else string-join($lines, $kim:nl),
                                    $kim:glue-character, ' ')"/>
  </xsl:function>

  <!--
    A private-use character that the wrap functions treat as part of a word and turn
    into a space once the lines are made: it keeps a short phrase ("2 mentions") on one
    line without putting a no-break space into the output. (The same character in a
    source would come out as a space; TEI sources have no use for it.)
  -->
  <xsl:variable name="kim:glue-character" as="xs:string" select="'&#xE000;'"/>

  <!-- A phrase whose words are not to be separated by wrapping. -->
  <xsl:function name="kim:glue" as="xs:string">
    <xsl:param name="phrase" as="xs:string"/>
    <xsl:sequence select="translate(normalize-space($phrase), ' ', $kim:glue-character)"/>
  </xsl:function>

  <!-- $text followed by spaces up to $width columns (never cut). -->
  <xsl:function name="kim:pad" as="xs:string">
    <xsl:param name="text" as="xs:string"/>
    <xsl:param name="width" as="xs:integer"/>
    <xsl:sequence select="$text || kim:repeat(' ', $width - kim:columns($text))"/>
  </xsl:function>

  <!-- $character repeated $count times ('' when $count is not positive). -->
  <xsl:function name="kim:repeat" as="xs:string">
    <xsl:param name="character" as="xs:string"/>
    <xsl:param name="count" as="xs:integer"/>
    <xsl:sequence select="string-join((1 to $count) ! $character)"/>
  </xsl:function>

  <!--
    A labelled field, mail-header style: "Label:" padded to $label-width (at least one
    space follows the colon), then the value wrapped to the text width, continuation
    lines aligned under the value.
  -->
  <xsl:function name="kim:field" as="xs:string">
    <xsl:param name="label" as="xs:string"/>
    <xsl:param name="value" as="xs:string"/>
    <xsl:param name="label-width" as="xs:integer"/>
    <xsl:variable name="head" as="xs:string" select="kim:pad($label || ':', $label-width - 1) || ' '"/>
    <xsl:sequence select="kim:wrap-hanging($value, $kim:text-width, $head,
                                           kim:repeat(' ', kim:columns($head)))"/>
  </xsl:function>

  <!-- A rule across the text width, of $character. -->
  <xsl:function name="kim:rule" as="xs:string">
    <xsl:param name="character" as="xs:string"/>
    <xsl:sequence select="kim:repeat($character, $kim:text-width)"/>
  </xsl:function>

  <!-- Strings without repeats, in order of first occurrence (lists of names and forms). -->
  <xsl:function name="kim:distinct" as="xs:string*">
    <xsl:param name="values" as="xs:string*"/>
    <xsl:sequence select="for $i in 1 to count($values)
                          return $values[$i][not(. = subsequence($values, 1, $i - 1))]"/>
  </xsl:function>
</xsl:stylesheet>
