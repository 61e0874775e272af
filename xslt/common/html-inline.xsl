<?xml version="1.0" encoding="UTF-8"?>
<!--
  Mode kim:html-inline: the running text of a document (its head and paragraphs), of a
  catalogue card's summary, and of the edition's introduction, as HTML.

  Every person, place, organisation and date is marked with a class of its kind.
  A name links to its index entry, and shows what the editors identified it as in a
  tooltip: a span of class "tip" inside the focusable element, hidden off-screen (not
  display:none, so screen readers read it as part of the link) until the element is
  hovered or focused.

    <a class="name name-person" href="../persons.html#stalin">Filippov<span class="tip">
      <span class="vh"> (</span>Codename of Joseph Stalin<span class="vh">)</span></span></a>

  A link cannot contain a link, so a name with names (or dates) inside it becomes a
  span around its content, followed by a small marker link that carries its tooltip:

    <span class="name name-org name-nested">Embassy of <a …>Hungary</a> in <a …>North
      Korea</a><a class="name-ref name-org" href="…"><span class="marker">i</span>
      <span class="tip">Organisation: Embassy of Hungary in North Korea</span></a></span>

  The editors' interventions are written as the plain-text edition writes them,
  "Shytkov [sic; Shtykov]", "orig [reg; reg]", "purse [sic]", in spans styled as
  editorial; the archive's own glosses ("[Stalin]") keep their brackets.

  The tunnel parameter $root ('' or '../') makes the links relative to the page.
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:tei="http://www.tei-c.org/ns/1.0"
                xmlns:kim="urn:kimedition"
                exclude-result-prefixes="#all">

  <xsl:mode name="kim:html-inline" on-no-match="text-only-copy" on-multiple-match="fail"/>

  <!-- Paragraphs stay paragraphs, wherever they come from. -->
  <xsl:template match="tei:p" mode="kim:html-inline">
    <p><xsl:apply-templates mode="kim:html-inline"/></p>
  </xsl:template>

  <!--
    A name (or referring string) whose content is plain: the whole name is the link,
    so that the reader clicks the words themselves.
  -->
  <xsl:template match="(tei:persName | tei:placeName | tei:orgName | tei:rs)[@ref]"
                mode="kim:html-inline" priority="2">
    <xsl:param name="root" as="xs:string" tunnel="yes"/>
    <xsl:variable name="ref" as="xs:string" select="normalize-space(@ref)"/>
    <xsl:variable name="pointer" as="xs:string?" select="tokenize($ref)[1]"/>
    <xsl:variable name="entry" as="element()?" select="kim:entry($pointer)"/>
    <xsl:choose>
      <xsl:when test="exists($entry)">
        <a class="{kim:name-classes(.)}" href="{kim:index-href($pointer, $root)}" data-ref="{$ref}">
          <xsl:call-template name="kim:lang"/>
          <xsl:apply-templates mode="kim:html-inline"/>
          <xsl:call-template name="kim:tip">
            <xsl:with-param name="text" select="kim:name-tip(.)"/>
            <xsl:with-param name="inline" select="true()"/>
          </xsl:call-template>
        </a>
      </xsl:when>
      <xsl:otherwise>
        <span class="{kim:name-classes(.)} name-unresolved">
          <xsl:call-template name="kim:lang"/>
          <xsl:apply-templates mode="kim:html-inline"/>
        </span>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!--
    A name holding other marked names or dates: links cannot nest, so the name is a
    span and its own link is a marker after it.
  -->
  <xsl:template match="(tei:persName | tei:placeName | tei:orgName | tei:rs)
                         [@ref][.//(tei:persName | tei:placeName | tei:orgName | tei:rs)[@ref] or .//tei:date]"
                mode="kim:html-inline" priority="3">
    <xsl:param name="root" as="xs:string" tunnel="yes"/>
    <xsl:variable name="pointer" as="xs:string" select="tokenize(normalize-space(@ref))[1]"/>
    <span class="{kim:name-classes(.)} name-nested" data-ref="{normalize-space(@ref)}">
      <xsl:call-template name="kim:lang"/>
      <xsl:apply-templates mode="kim:html-inline"/>
      <xsl:if test="exists(kim:entry($pointer))">
        <a class="name-ref name-{kim:kind-of(.)}" href="{kim:index-href($pointer, $root)}">
          <span class="marker" aria-hidden="true">i</span>
          <xsl:call-template name="kim:tip">
            <xsl:with-param name="text" select="kim:name-tip(.)"/>
            <xsl:with-param name="inline" select="false()"/>
          </xsl:call-template>
        </a>
      </xsl:if>
    </span>
  </xsl:template>

  <!-- A name the editors did not identify: marked by kind, but there is nothing to link. -->
  <xsl:template match="tei:persName | tei:placeName | tei:orgName | tei:rs" mode="kim:html-inline" priority="1">
    <span class="{kim:name-classes(.)}">
      <xsl:call-template name="kim:lang"/>
      <xsl:apply-templates mode="kim:html-inline"/>
    </span>
  </xsl:template>

  <!--
    A date: the words as written, the normalised date in the tooltip and in @datetime.
    It is focusable (tabindex) so that keyboard users reach the tooltip too.
  -->
  <xsl:template match="tei:date" mode="kim:html-inline" priority="1">
    <xsl:variable name="datetime" as="xs:string?" select="kim:datetime(@when)"/>
    <xsl:element name="{if ($datetime) then 'time' else 'span'}">
      <xsl:attribute name="class" select="'date' || (if (@cert) then ' cert-' || normalize-space(@cert) else '')"/>
      <xsl:if test="$datetime">
        <xsl:attribute name="datetime" select="$datetime"/>
      </xsl:if>
      <xsl:attribute name="tabindex" select="0"/>
      <xsl:apply-templates mode="kim:html-inline"/>
      <xsl:call-template name="kim:tip">
        <xsl:with-param name="text" select="kim:date-tip(.)"/>
        <xsl:with-param name="inline" select="true()"/>
      </xsl:call-template>
    </xsl:element>
  </xsl:template>

  <!-- A date with names inside: the focusable tooltip moves to a marker, as for names. -->
  <xsl:template match="tei:date[.//(tei:persName | tei:placeName | tei:orgName | tei:rs)[@ref] or .//tei:date]"
                mode="kim:html-inline" priority="2">
    <span class="date date-nested">
      <xsl:apply-templates mode="kim:html-inline"/>
      <span class="name-ref date-ref" tabindex="0">
        <span class="marker" aria-hidden="true">i</span>
        <xsl:call-template name="kim:tip">
          <xsl:with-param name="text" select="kim:date-tip(.)"/>
          <xsl:with-param name="inline" select="false()"/>
        </xsl:call-template>
      </span>
    </span>
  </xsl:template>

  <!-- An error of the source: its reading stays, the correction follows in brackets. -->
  <xsl:template match="tei:choice[tei:sic and tei:corr]" mode="kim:html-inline" priority="2">
    <span class="choice">
      <span class="sic"><xsl:apply-templates select="tei:sic[1]/node()" mode="kim:html-inline"/></span>
      <xsl:text> </xsl:text>
      <span class="editorial correction">[<i>sic</i>; <span class="corr"><xsl:apply-templates
        select="tei:corr[1]/node()" mode="kim:html-inline"/></span>]</span>
    </span>
  </xsl:template>

  <!-- A variant spelling: the source's form stays, the regularised one follows. -->
  <xsl:template match="tei:choice[tei:orig and tei:reg]" mode="kim:html-inline" priority="1">
    <span class="choice">
      <span class="orig"><xsl:apply-templates select="tei:orig[1]/node()" mode="kim:html-inline"/></span>
      <xsl:text> </xsl:text>
      <span class="editorial regularisation">[<i>reg</i>; <span class="reg"><xsl:apply-templates
        select="tei:reg[1]/node()" mode="kim:html-inline"/></span>]</span>
    </span>
  </xsl:template>

  <!-- Any other choice: the first alternative, which the encoding makes the source's. -->
  <xsl:template match="tei:choice" mode="kim:html-inline">
    <xsl:apply-templates select="*[1]" mode="kim:html-inline"/>
  </xsl:template>

  <!-- An error flagged without a correction: marked, not silently kept. -->
  <xsl:template match="tei:sic" mode="kim:html-inline">
    <span class="sic"><xsl:apply-templates mode="kim:html-inline"/></span>
    <xsl:text> </xsl:text>
    <span class="editorial correction">[<i>sic</i>]</span>
  </xsl:template>

  <!-- A correction, regularisation or original form standing alone: its text, marked. -->
  <xsl:template match="tei:corr | tei:reg | tei:orig" mode="kim:html-inline">
    <span class="{local-name()}"><xsl:apply-templates mode="kim:html-inline"/></span>
  </xsl:template>

  <!-- The archive's own resolution of a codename, "[Stalin]": its words, set off as editorial. -->
  <xsl:template match="tei:seg[@type = 'editorial-gloss']" mode="kim:html-inline" priority="1">
    <span class="editorial-gloss"><xsl:apply-templates mode="kim:html-inline"/></span>
  </xsl:template>

  <!-- Other segments carry no meaning for the reader; their type stays as a class. -->
  <xsl:template match="tei:seg" mode="kim:html-inline">
    <span class="seg{@type ! (' seg-' || .)}">
      <xsl:call-template name="kim:lang"/>
      <xsl:apply-templates mode="kim:html-inline"/>
    </span>
  </xsl:template>

  <!-- Titles of works (in the edition's introduction or notes). -->
  <xsl:template match="tei:title" mode="kim:html-inline">
    <cite><xsl:apply-templates mode="kim:html-inline"/></cite>
  </xsl:template>

  <!-- Quotations in the edition's prose. -->
  <xsl:template match="tei:q | tei:quote" mode="kim:html-inline">
    <q><xsl:apply-templates mode="kim:html-inline"/></q>
  </xsl:template>

  <!-- Highlighting and foreign words in the edition's prose. -->
  <xsl:template match="tei:hi | tei:foreign | tei:emph | tei:term" mode="kim:html-inline">
    <em>
      <xsl:call-template name="kim:lang"/>
      <xsl:apply-templates mode="kim:html-inline"/>
    </em>
  </xsl:template>

  <!-- Links in the edition's prose: only web addresses become links. -->
  <xsl:template match="tei:ref[matches(@target, '^https?://')] | tei:ptr[matches(@target, '^https?://')]"
                mode="kim:html-inline">
    <a href="{@target}"><xsl:value-of select="if (self::tei:ptr) then @target else ."/></a>
  </xsl:template>

  <!-- Lists in the edition's prose. -->
  <xsl:template match="tei:list" mode="kim:html-inline">
    <ul><xsl:apply-templates select="tei:item" mode="kim:html-inline"/></ul>
  </xsl:template>

  <!-- An item of such a list. -->
  <xsl:template match="tei:item" mode="kim:html-inline">
    <li><xsl:apply-templates mode="kim:html-inline"/></li>
  </xsl:template>

  <!--
    The tooltip: hidden off-screen until its parent is hovered or focused. Inside a
    name's own link the visually hidden brackets make a screen reader say "Filippov
    (Codename of Joseph Stalin)".
  -->
  <xsl:template name="kim:tip">
    <xsl:param name="text" as="xs:string" required="yes"/>
    <xsl:param name="inline" as="xs:boolean" required="yes"/>
    <span class="tip">
      <xsl:if test="$inline"><span class="vh"> (</span></xsl:if>
      <xsl:value-of select="$text"/>
      <xsl:if test="$inline"><span class="vh">)</span></xsl:if>
    </span>
  </xsl:template>

  <!-- A language other than the page's (a name in Korean or Russian) is declared for screen readers. -->
  <xsl:template name="kim:lang">
    <xsl:if test="@xml:lang">
      <xsl:attribute name="lang" select="@xml:lang"/>
    </xsl:if>
  </xsl:template>

  <!-- The classes of a name: its kind, and what it is (codename, referring string, certainty). -->
  <xsl:function name="kim:name-classes" as="xs:string">
    <xsl:param name="name" as="element()"/>
    <xsl:sequence select="string-join((
      'name',
      'name-' || kim:kind-of($name),
      if ($name/self::tei:rs) then 'rs' else (),
      if ($name/@type = 'codename') then 'codename' else (),
      $name/@cert ! ('cert-' || normalize-space(.))), ' ')"/>
  </xsl:function>
</xsl:stylesheet>
