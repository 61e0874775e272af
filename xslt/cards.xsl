<?xml version="1.0" encoding="UTF-8"?>
<!-- Driver: a TEI document → its catalogue card (see common/card.xsl). -->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:kim="urn:kimedition"
                default-mode="kim:card"
                exclude-result-prefixes="#all">
  <xsl:include href="common/functions.xsl"/>
  <xsl:include href="common/card.xsl"/>
  <xsl:output method="xml" encoding="UTF-8" indent="no" omit-xml-declaration="yes"/>
</xsl:stylesheet>
