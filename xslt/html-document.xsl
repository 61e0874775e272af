<?xml version="1.0" encoding="UTF-8"?>
<!-- Driver: a TEI document → html/documents/<id>.html (see common/html-document.xsl).
     kim:entries-shown="names": of the entries a document refers to, it shows only their
     names, sort keys and types, so an edit of an entry's notes leaves it as it is
     (docs/stylesheets.md, "What a page may show, for rebuilds"). -->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:kim="urn:kimedition"
                kim:entries-shown="names"
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
