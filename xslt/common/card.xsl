<?xml version="1.0" encoding="UTF-8"?>
<!--
  Mode kim:card: a document's catalogue card. The build collects one card per document
  into the catalogue that the home page, the indexes and the data files are made from,
  so that each document is read once and what counts as a mention is decided here only.

  <kim:card id file sort type>
    <kim:date when|from|to>as written</kim:date>
    <kim:title>plain title</kim:title>
    <kim:party role="sender|addressee" ref="person:…">name as written</kim:party>*
    <kim:summary>the body's first paragraph (the summary), as TEI</kim:summary>
    <kim:mention ref="person:…" count="n"/>*   (names and rs in the text, per pointer)
  </kim:card>
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <xsl:mode name="kim:card" on-no-match="shallow-skip" on-multiple-match="fail"/>

  <!-- One card per document; the file name repeats the id by the edition's rules. -->
  <xsl:template match="/tei:TEI" mode="kim:card">
    <xsl:variable name="header" as="element(tei:teiHeader)" select="tei:teiHeader"/>
    <xsl:variable name="date" as="element(tei:date)?" select="$header/tei:profileDesc/tei:creation/tei:date[1]"/>
    <xsl:variable name="listed" as="element()?"
                  select="(tei:text/tei:front/tei:docDate, $header/tei:fileDesc/tei:sourceDesc/tei:bibl/tei:date)[1]"/>
    <xsl:variable name="type" as="element(tei:category)?" select="kim:document-type(.)"/>
    <kim:card id="{@xml:id}" file="{@xml:id}.xml" sort="{kim:sort-date($date)}"
              type="{$type/@xml:id}" type-label="{kim:type-label($type)}">
      <kim:date>
        <xsl:copy-of select="$date/(@when, @from, @to)"/>
        <xsl:attribute name="label" select="kim:date-label($date)"/>
        <xsl:value-of select="normalize-space(string($listed))"/>
      </kim:date>
      <kim:title>
        <xsl:value-of select="normalize-space(string($header/tei:fileDesc/tei:titleStmt/tei:title[1]))"/>
      </kim:title>
      <xsl:apply-templates select="$header/tei:profileDesc/tei:correspDesc/tei:correspAction" mode="kim:card"/>
      <kim:summary>
        <xsl:copy-of select="tei:text/tei:body/tei:p[1]" copy-namespaces="no"/>
      </kim:summary>
      <xsl:for-each-group select="tei:text//*[@ref]" group-by="tokenize(normalize-space(@ref), ' ')">
        <xsl:sort select="current-grouping-key()"/>
        <kim:mention ref="{current-grouping-key()}" count="{count(current-group())}"/>
      </xsl:for-each-group>
    </kim:card>
  </xsl:template>

  <!-- Senders and addressees, in the order the header gives them. -->
  <xsl:template match="tei:correspAction[@type = ('sent', 'received')]" mode="kim:card">
    <xsl:variable name="role" as="xs:string" select="if (@type = 'sent') then 'sender' else 'addressee'"/>
    <xsl:for-each select="(tei:persName | tei:orgName | tei:placeName | tei:rs)[@ref]">
      <kim:party role="{$role}" ref="{normalize-space(@ref)}">
        <xsl:value-of select="normalize-space(string(.))"/>
      </kim:party>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
