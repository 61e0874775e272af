<?xml version="1.0" encoding="UTF-8"?>
<!--
  Mode kim:text-inline: the running text of a head or paragraph as plain text.

  Names, referring strings, dates and the archive's glosses have no markup in plain
  text: they are their own text, as written (a name is never replaced by its standard
  form). The editors' interventions are made visible in square brackets after the
  source's reading, with the same wording as the HTML edition:

    choice/sic + corr   Shytkov [sic; Shtykov]
    choice/orig + reg   Heonyeong [reg; Heon-yeong]
    sic alone           purse [sic]

  The result is meant to be wrapped (kim:wrap), which turns the glue of kim:bracketed
  back into a space. The archive's own bracketed gloss (seg type="editorial-gloss", "[Stalin]") is the
  source's text and is kept as it is.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <xsl:mode name="kim:text-inline" on-no-match="text-only-copy" on-multiple-match="fail"/>

  <!-- The plain text of some content, its white space collapsed to single spaces. -->
  <xsl:function name="kim:plain-text" as="xs:string">
    <xsl:param name="content" as="node()*"/>
    <!-- Text alone (most names) has no brackets to add: the templates are not needed. -->
    <xsl:variable name="pieces" as="xs:string*">
      <xsl:choose>
        <xsl:when test="every $node in $content satisfies $node instance of text()">
          <xsl:sequence select="$content ! string(.)"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:apply-templates select="$content" mode="kim:text-inline"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:sequence select="normalize-space(string-join($pieces))"/>
  </xsl:function>

  <!--
    An editorial note in brackets after a reading: "Shytkov [sic; Shtykov]". The note's
    first two words are glued (kim:glue), so that wrapping never leaves "[sic;" alone at
    the end of a line.
  -->
  <xsl:function name="kim:bracketed" as="xs:string">
    <xsl:param name="reading" as="xs:string"/>
    <xsl:param name="note" as="xs:string"/>
    <xsl:sequence select="$reading || ' [' || replace($note, '^(\S+) ', '$1' || $kim:glue-character) || ']'"/>
  </xsl:function>

  <!-- An error of the source: its reading stays, the correction follows in brackets. -->
  <xsl:template match="tei:choice[tei:sic and tei:corr]" mode="kim:text-inline" priority="2">
    <xsl:sequence select="kim:bracketed(kim:plain-text(tei:sic[1]/node()),
                                        'sic; ' || kim:plain-text(tei:corr[1]/node()))"/>
  </xsl:template>

  <!-- A variant spelling: the source's form stays, the regularised one follows. -->
  <xsl:template match="tei:choice[tei:orig and tei:reg]" mode="kim:text-inline" priority="1">
    <xsl:sequence select="kim:bracketed(kim:plain-text(tei:orig[1]/node()),
                                        'reg; ' || kim:plain-text(tei:reg[1]/node()))"/>
  </xsl:template>

  <!-- Any other choice: the first alternative, which the encoding makes the source's. -->
  <xsl:template match="tei:choice" mode="kim:text-inline">
    <xsl:apply-templates select="*[1]" mode="kim:text-inline"/>
  </xsl:template>

  <!-- An error flagged without a correction: marked, not silently kept. -->
  <xsl:template match="tei:sic[not(parent::tei:choice)]" mode="kim:text-inline">
    <xsl:sequence select="kim:bracketed(kim:plain-text(node()), 'sic')"/>
  </xsl:template>
</xsl:stylesheet>
