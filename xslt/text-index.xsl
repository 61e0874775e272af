<?xml version="1.0" encoding="UTF-8"?>
<!-- Driver: a register and its cumulative index → text/persons.txt, places.txt or
     organisations.txt (see common/text-index.xsl). -->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:kim="urn:kimedition"
                default-mode="kim:text-index"
                exclude-result-prefixes="#all">
  <xsl:include href="common/functions.xsl"/>
  <xsl:include href="common/text-wrap.xsl"/>
  <xsl:include href="common/text-index.xsl"/>
  <xsl:output method="text" encoding="UTF-8"/>
</xsl:stylesheet>
