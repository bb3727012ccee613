"""Clean text of a document: HTML reduced to its text, Markdown to plain text, line ends normalised.

Character offsets everywhere in the graph refer to the text these functions
return (BOM removed, line ends normalised to ``\\n``, HTML reduced to text).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
    "table", "section", "article", "header", "footer", "blockquote", "pre", "hr",
    "title", "dd", "dt", "figcaption", "main", "aside", "nav",
}


_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "object"}


#: Elements that may be in <head>; any other start tag ends the head, whose
#: end tag (like the <body> start tag) may be left out.
_HEAD_TAGS = {"title", "meta", "link", "style", "script", "base", "noscript", "template"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_head = False
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        elif self.in_head and tag not in _HEAD_TAGS:
            self.in_head = False
        if tag == "title":
            self.in_title = True
        elif tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == "title":
            self.in_title = False
        elif tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip and not self.in_head:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Reduce HTML to text: scripts, styles and comments dropped, blocks as lines.

    Examples:
        >>> html_to_text("<p>Acme &amp; Co.<script>x()</script></p><p>Two</p>")
        'Acme & Co.\\nTwo'
    """
    parser = _TextExtractor()
    parser.feed(markup)
    if re.match(r"<[!?/a-zA-Z]", parser.rawdata):
        # input ends inside a tag, comment or declaration: as in a browser, it
        # is markup, not text ("<!-- never closed ...")
        parser.rawdata = ""
    parser.close()
    text = "".join(parser.parts)
    if not text.strip() and parser.title:
        text = "".join(parser.title)
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


_MD_EMPH = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")


_MD_HEADING = re.compile(r"^#{1,6}\s+", re.M)


def markdown_to_text(text: str) -> str:
    """Drop Markdown markup that is not prose (headings, emphasis, links).

    Examples:
        >>> markdown_to_text("## Acme\\n**Acme** uses [Rust](https://x).")
        'Acme\\nAcme uses Rust.'
    """
    text = _MD_HEADING.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPH.sub(r"\2", text)
    return text


def normalise_text(text: str) -> str:
    """Remove a BOM, normalise line ends to ``\\n`` and drop NUL characters.

    Examples:
        >>> normalise_text("\\ufeffa\\r\\nb\\rc")
        'a\\nb\\nc'
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text


#: Words that make up a sixth or more of any English prose (measured on this project's 48
#: corpus texts and READMEs: 0.17-0.28 of the words of each); French, German, Spanish prose: 0-0.03.
_ENGLISH_WORDS = frozenset(
    "the of and to is that for with as by at from it its was were are be been has have had this "
    "which will would said but not or their they he she his her who also than after about into "
    "over more".split())  # not 'a', 'an', 'in', 'on', 'die', 'de': words of other languages too
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE = 5_000  # characters read to judge a document's language (its start): 0.8 ms a document


def language_warning(text: str) -> str | None:
    """Why ``text`` is probably not English, or ``None``.

    The pipeline is English; a Chinese or Arabic article built an empty graph
    with exit 0 and no word (issue 17). Judged on the first 5,000 characters:
    most letters outside the Latin script, or (30 words or more) under 5% of
    the words among the commonest English ones. Texts too short to judge pass.

    Examples:
        >>> language_warning("Acme Corp said on Monday that it will buy Zed Inc. for $2 billion.")
        >>> language_warning("深度求索是一家位于杭州的人工智能公司，由幻方量化创立。") is not None
        True
    """
    import unicodedata
    from collections import Counter

    sample = text[:_SAMPLE]
    letters = [c for c in sample if c.isalpha()]
    if len(letters) < 20:
        return None
    scripts = Counter(unicodedata.name(c, "OTHER ?").split()[0] for c in letters
                      if not (c < "\u0250" or "\u1e00" <= c <= "\u1eff"))
    if sum(scripts.values()) * 2 > len(letters):
        script = scripts.most_common(1)[0][0].title().replace("Cjk", "Chinese/Japanese")
        return f"the text is not English (mostly {script} letters); the English pipeline finds little in it"
    words = _WORD.findall(sample.lower())
    if len(words) >= 30 and sum(w in _ENGLISH_WORDS for w in words) * 100 < 5 * len(words):
        return "the text does not look English (few common English words); the English pipeline finds little in it"
    return None
