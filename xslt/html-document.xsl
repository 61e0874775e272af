<?xml version="1.0" encoding="UTF-8"?>
<!-- Driver: a TEI document → html/documents/<id>.html (see common/html-document.xsl). -->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:kim="urn:kimedition"
                default-mode="kim:html-document"
                exclude-result-prefixes="#all">
  <xsl:include href="common/functions.xsl"/>
  <xsl:include href="common/html-labels.xsl"/>
  <xsl:include href="common/html-functions.xsl"/>
  <xsl:include href="common/html-frame.xsl"/>
  <xsl:include href="common/html-inline.xsl"/>
  <xsl:include href="common/html-document.xsl"/>
  <xsl:output method="html" html-version="5" encoding="UTF-8" indent="yes" include-content-type="no"/>
</xsl:stylesheet>
