<?xml version="1.0" encoding="UTF-8"?>
<!-- Driver: a TEI document → its plain text, text/<id>.txt (see common/text-document.xsl). -->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:kim="urn:kimedition"
                default-mode="kim:text-document"
                exclude-result-prefixes="#all">
  <xsl:include href="common/functions.xsl"/>
  <xsl:include href="common/text-wrap.xsl"/>
  <xsl:include href="common/text-inline.xsl"/>
  <xsl:include href="common/text-document.xsl"/>
  <xsl:output method="text" encoding="UTF-8"/>
</xsl:stylesheet>
