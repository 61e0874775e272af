<?xml version="1.0" encoding="UTF-8"?>
<!-- Driver: a register and its cumulative index → text/persons.txt, places.txt or
     organisations.txt (see common/text-index.xsl).
     kim:entries-shown="names dates coordinates": of its entries it shows their names,
     sort keys and types, births and deaths, and coordinates, so an edit of an entry's
     note, roles or identifiers leaves its letter's part as it is (docs/stylesheets.md,
     "What a page may show, for rebuilds"). -->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:kim="urn:kimedition"
                kim:entries-shown="names dates coordinates"
                default-mode="kim:text-index"
                exclude-result-prefixes="#all">
  <xsl:include href="common/functions.xsl"/>
  <xsl:include href="common/text-wrap.xsl"/>
  <xsl:include href="common/text-index.xsl"/>
  <xsl:output method="text" encoding="UTF-8"/>
</xsl:stylesheet>
