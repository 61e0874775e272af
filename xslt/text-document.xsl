<?xml version="1.0" encoding="UTF-8"?>
<!-- Driver: a TEI document → its plain text, text/<id>.txt (see common/text-document.xsl).
     kim:entries-shown="names": of the entries a document refers to, it shows only their
     names, sort keys and types, so an edit of an entry's notes leaves it as it is
     (docs/stylesheets.md, "What a page may show, for rebuilds"). -->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:kim="urn:kimedition"
                kim:entries-shown="names"
                default-mode="kim:text-document"
                exclude-result-prefixes="#all">
  <xsl:include href="common/functions.xsl"/>
  <xsl:include href="common/text-wrap.xsl"/>
  <xsl:include href="common/text-inline.xsl"/>
  <xsl:include href="common/text-document.xsl"/>
  <xsl:output method="text" encoding="UTF-8"/>
</xsl:stylesheet>
