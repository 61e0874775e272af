<?xml version="1.0" encoding="UTF-8"?>
<!--
  Every fixed word the HTML edition shows, in one place: navigation, headings, field
  names, the kinds of names and entries, roles. Templates never write a label
  themselves; they ask kim:label(), which fails the build on an unknown key so that a
  typo cannot silently print nothing. An edition that wants other words (or another
  language) overrides this one file.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:map="http://www.w3.org/2005/xpath-functions/map"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <xsl:variable name="kim:labels" as="map(xs:string, xs:string)" select="map {
    (: page frame :)
    'skip': 'Skip to main content',
    'site-navigation': 'Site',
    'home': 'Home',
    'persons': 'Persons',
    'places': 'Places',
    'organisations': 'Organisations',
    'published-with': 'Published with',
    'licence': 'Licence',

    (: home page :)
    'contents': 'On this page',
    'introduction': 'Introduction',
    'project': 'About the project',
    'documents': 'The documents',
    'documents-count': 'documents, in chronological order',
    'editorial-principles': 'Editorial principles',
    'source-collection': 'The source collection',
    'indexes-and-data': 'Indexes and data',
    'indexes': 'Indexes',
    'index': 'Index',
    'entries-heading': 'Entries',
    'data': 'Data',
    'tei-sources': 'TEI sources',
    'edition-header': 'the edition header',
    'correction': 'Corrections',
    'normalization': 'Normalisation',
    'interpretation': 'Interpretation',
    'segmentation': 'Segmentation',
    'quotation': 'Quotation',
    'hyphenation': 'Hyphenation',
    'punctuation': 'Punctuation',
    'stdVals': 'Standard values',
    'as-listed': 'as listed',
    'from-to-arrow': '→',

    (: document page :)
    'document': 'Document',
    'summary': 'Summary',
    'reading-help': 'How to read this page',
    'about-document': 'About this document',
    'date': 'Date',
    'date-as-written': 'Date as written',
    'document-type': 'Document type',
    'sender': 'From',
    'addressee': 'To',
    'document-number': 'Document number',
    'document-numbers': 'Document numbers',
    'source': 'Source',
    'in-collection': 'in the collection',
    'identifier': 'Identifier',
    'cite': 'Cite this document',
    'stable-url': 'Stable address',
    'edited-by': 'edited by',
    'source-of-record': 'Source',
    'formats': 'Other formats',
    'tei-source': 'TEI source',
    'plain-text': 'Plain text',
    'previous': 'Previous document',
    'next': 'Next document',
    'first-document': 'This is the first document.',
    'last-document': 'This is the last document.',
    'pager': 'Previous and next documents',
    'codename-as': 'under the codename',
    'help-names': 'Names of persons, places and organisations link to their entries in the indexes. Point at a name, or move to it with the Tab key, to see whom or what the editors identified it as.',
    'help-nested': 'A name that contains other names has its own link after it, the marker',
    'help-dates': 'Dates show their normalised form in the same way.',
    'help-rs': 'Descriptions such as “the ambassador” show the editors’ identification and how certain it is.',
    'help-sic': 'follows an error of the source and gives the editors’ correction.',
    'help-gloss': 'Square brackets without “sic” hold the archive’s own additions, such as its resolution of a codename.',

    (: tooltips :)
    'codename-of': 'Codename of',
    'refers-to': 'Refers to',
    'certainty': 'certainty',
    'date-tip': 'Date',

    (: index pages :)
    'letters': 'Letters',
    'letter': 'Letter',
    'all-documents': 'All documents',
    'back-to-index': 'Back to the index',
    'year': 'Year',
    'years': 'Documents by year',
    'documents-of': 'Documents of',
    'no-entries': 'no entries',
    'other-letter': 'Other',
    'see': 'see',
    'entries': 'entries',
    'life-dates': 'Life dates',
    'born': 'born',
    'died': 'died',
    'roles': 'Roles',
    'type': 'Type',
    'coordinates': 'Coordinates',
    'on-map': 'on OpenStreetMap',
    'authority': 'Authority records',
    'note-uncertainty': 'Uncertainty',
    'note-authority': 'Authority files',
    'note-sources': 'Sources',
    'occurrences': 'Documents',
    'mentions': 'Mentions',
    'role': 'Role',
    'not-referred': 'Not referred to in any document.',
    'in-documents': 'documents of the edition',
    'download': 'Download this index',

    (: kinds of entries and of names :)
    'kind-person': 'Person',
    'kind-place': 'Place',
    'kind-org': 'Organisation',
    'names-variant': 'Variants',
    'names-codename': 'Codenames',
    'names-misspelling': 'Misspellings',
    'names-abbreviation': 'Abbreviations',
    'names-birth-name': 'Birth name',

    (: roles in a document :)
    'role-sender': 'Sender',
    'role-addressee': 'Addressee',
    'role-mentioned': 'Mentioned'
  }"/>

  <!-- A label by key; an unknown key is an error of the stylesheets, reported at once. -->
  <xsl:function name="kim:label" as="xs:string">
    <xsl:param name="key" as="xs:string"/>
    <xsl:sequence select="if (map:contains($kim:labels, $key)) then $kim:labels($key)
                          else error(xs:QName('kim:label'), 'no label for ' || $key)"/>
  </xsl:function>

  <!-- A label by key, or a fallback for open lists (types of places, of names…). -->
  <xsl:function name="kim:label" as="xs:string">
    <xsl:param name="key" as="xs:string"/>
    <xsl:param name="fallback" as="xs:string"/>
    <xsl:sequence select="($kim:labels($key), $fallback)[1]"/>
  </xsl:function>
</xsl:stylesheet>
