<?xml version="1.0" encoding="UTF-8"?>
<!--
  The page frame every HTML page shares, as named templates (after ACDH dse-static's
  html_head, nav_bar and html_footer): the head, the site header with the skip link
  and the navigation, and the footer. Pages call them in this order:

    <html lang="…">
      <xsl:call-template name="kim:html-head">…</xsl:call-template>
      <body>
        <xsl:call-template name="kim:site-header">…</xsl:call-template>
        <main id="main" tabindex="-1">…</main>
        <xsl:call-template name="kim:site-footer">…</xsl:call-template>
      </body>
    </html>

  Words come from kim:label(); nothing depends on the date or the machine of the build.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <!-- The navigation: page key (also its label key) → file, in the order shown. -->
  <xsl:variable name="kim:navigation" as="xs:string+" select="('home', 'persons', 'places', 'organisations')"/>

  <!--
    The head: character set first, then the title ("page — edition"), the viewport, the
    style sheet and the small optional script, and whatever the page adds (citation
    metadata, JSON-LD).
  -->
  <xsl:template name="kim:html-head">
    <xsl:param name="title" as="xs:string" required="yes"/>
    <xsl:param name="root" as="xs:string" required="yes"/>
    <xsl:param name="description" as="xs:string?" select="()"/>
    <xsl:param name="canonical" as="xs:string?" select="()"/>
    <xsl:param name="extra" as="node()*" select="()"/>
    <head>
      <meta charset="UTF-8"/>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <title>
        <xsl:value-of select="if ($title = kim:edition-title()) then $title
                              else $title || ' — ' || kim:edition-title()"/>
      </title>
      <xsl:if test="$description">
        <meta name="description" content="{$description}"/>
      </xsl:if>
      <meta name="generator" content="{normalize-space('kimedition ' || $version)}"/>
      <xsl:if test="$canonical">
        <link rel="canonical" href="{$canonical}"/>
      </xsl:if>
      <link rel="icon" href="data:,"/>
      <link rel="stylesheet" href="{$root}assets/kimedition.css"/>
      <script src="{$root}assets/kimedition.js" defer="defer"></script>
      <xsl:sequence select="$extra"/>
    </head>
  </xsl:template>

  <!--
    The skip link, the edition's name and the navigation. $current is the navigation
    key of the page ('home', 'persons'…; '' for a document), marked aria-current.
  -->
  <xsl:template name="kim:site-header">
    <xsl:param name="root" as="xs:string" required="yes"/>
    <xsl:param name="current" as="xs:string" required="yes"/>
    <a class="skip-link" href="#main"><xsl:value-of select="kim:label('skip')"/></a>
    <header class="site-header">
      <div class="wrap">
        <p class="site-title">
          <a href="{$root}index.html"><xsl:value-of select="kim:edition-title()"/></a>
        </p>
        <nav class="site-nav" aria-label="{kim:label('site-navigation')}">
          <ul>
            <xsl:for-each select="$kim:navigation">
              <li>
                <a href="{$root}{if (. = 'home') then 'index' else .}.html">
                  <xsl:if test=". = $current">
                    <xsl:attribute name="aria-current" select="'page'"/>
                  </xsl:if>
                  <xsl:value-of select="kim:label(.)"/>
                </a>
              </li>
            </xsl:for-each>
          </ul>
        </nav>
      </div>
    </header>
  </xsl:template>

  <!-- The licence (the edition's own words, linked to the licence) and what published it. -->
  <xsl:template name="kim:site-footer">
    <xsl:param name="root" as="xs:string" required="yes"/>
    <xsl:variable name="licence" as="element(tei:licence)?" select="kim:licence()"/>
    <footer class="site-footer">
      <div class="wrap">
        <xsl:if test="$licence">
          <p class="licence">
            <xsl:value-of select="normalize-space($licence)"/>
            <xsl:if test="$licence/@target">
              <xsl:text> </xsl:text>
              <a rel="license" href="{$licence/@target}"><xsl:value-of select="$licence/@target"/></a>
            </xsl:if>
          </p>
        </xsl:if>
        <p class="colophon">
          <a href="{$root}index.html"><xsl:value-of select="kim:edition-title()"/></a>
          <xsl:text>. </xsl:text>
          <xsl:value-of select="normalize-space(kim:label('published-with') || ' kimedition ' || $version)"/>
          <xsl:text>.</xsl:text>
        </p>
      </div>
    </footer>
  </xsl:template>
</xsl:stylesheet>
