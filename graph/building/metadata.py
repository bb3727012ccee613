"""An article's own metadata: its title, publication date and URL, read from the input.

Each kind of input states them its own way:

* JSONL: the fields ``title``, ``date`` and ``url`` (``source`` gives the URL
  when it is one and ``url`` is absent);
* HTML: ``og:title``, else JSON-LD ``headline``, else ``<title>``; the date of
  ``article:published_time``, JSON-LD ``datePublished`` or a date ``<meta>``
  (``date``, ``pubdate``, ``dc.date``, ...); the URL of ``<link rel="canonical">``,
  else ``og:url``, else JSON-LD ``url``;
* plain text and Markdown: YAML front matter (``title``, ``date``, ``url``...),
  a headline (the first line, when short and not a sentence; a Markdown
  ``#`` heading), a date line (``Published: March 5, 2024``, a line that is a
  date, a dateline ``SEATTLE - October 29, 2025 -``), a ``URL: https://...`` line.

Dates become ISO ``YYYY-MM-DD``; a date that could be read two ways
(``03/04/2024``) or lacks its day or year is unknown, never guessed. URLs are
kept only when absolute ``http``/``https``. What is not stated is ``None``.
Nothing here changes a document's text, so character offsets and content
hashes do not depend on it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

#: The longest title kept (characters); a longer "title" is not one.
MAX_TITLE = 2000
#: Lines at the top of a plain text searched for a headline, date or URL line.
HEAD_LINES = 10


@dataclass(frozen=True, slots=True)
class Metadata:
    """A document's title, ISO date and URL; ``None`` where not known."""

    title: str | None = None
    date: str | None = None
    url: str | None = None

    def merged(self, other: Metadata) -> Metadata:
        """These values, with ``other``'s where these are ``None``."""
        return Metadata(title=self.title or other.title, date=self.date or other.date,
                        url=self.url or other.url)


_MONTHS = {name: i for i, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"), 1)
    for name in names.split()}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
#: Written dates, each matching a whole string (case ignored).
_DATE_FORMS = [re.compile(p, re.I) for p in (
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?",
    r"(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})",
    _WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR,
    _WEEKDAY + _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR
    + r"(?:,?\s+\d{2}:\d{2}(?::\d{2})?\s*(?:Z|[+-]\d{4}|UTC|GMT)?)?",
    r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})",
)]
#: A date inside a longer line (same forms, not anchored), for datelines.
_DATE_IN_TEXT = re.compile(
    r"(?:\d{4}-\d{2}-\d{2}|" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
    r"\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH.replace("?P<month>", "?:") + r",?\s+\d{4})",
    re.I)


def iso_date(value: str) -> str | None:
    """Return ``value`` as an ISO date ``YYYY-MM-DD``, or ``None``.

    A numeric day and month (``03/04/2024``) are read only when one reading
    alone is a date (``25/12/2024``) or both readings agree (``05/05/2024``).

    Examples:
        >>> [iso_date(v) for v in ("2024-03-05T23:10:00-05:00", "March 5, 2024", "Tue, 5 Mar 2024",
        ...                        "5th of March 2024", "25/12/2024", "12/25/2024")]
        ['2024-03-05', '2024-03-05', '2024-03-05', '2024-03-05', '2024-12-25', '2024-12-25']
        >>> [iso_date(v) for v in ("03/04/2024", "March 2024", "2024-02-30", "soon")]
        [None, None, None, None]
    """
    text = " ".join(value.split())
    for form in _DATE_FORMS:
        m = form.fullmatch(text)
        if m is None:
            continue
        year = int(m["year"])
        if "a" in m.groupdict():
            a, b = int(m["a"]), int(m["b"])
            readings = {d for d in (_date(year, b, a), _date(year, a, b)) if d}
            return readings.pop() if len(readings) == 1 else None
        month = m["month"]
        month_no = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
        return _date(year, month_no, int(m["day"]))
    return None


def _date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def clean_url(value: str) -> str | None:
    """Return ``value`` if it is an absolute http(s) URL, else ``None``.

    Examples:
        >>> clean_url(" https://example.com/a?b=1 "), clean_url("/news/a"), clean_url("ftp://x/y")
        ('https://example.com/a?b=1', None, None)
        >>> clean_url("https://exa mple.com"), clean_url("javascript:alert(1)"), clean_url("HTTP://X.example")
        (None, None, 'http://X.example')
    """
    url = value.strip()
    if not url or len(url) > 4000 or re.search(r"[\s<>\"{}|\\^`\x00-\x1f\x7f]", url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme.lower() + url[len(parts.scheme):]  # "HTTPS://x" -> "https://x"


def clean_title(value: str) -> str | None:
    """Return ``value`` with white space and control characters collapsed, or ``None``.

    Examples:
        >>> clean_title("  Nvidia\\n  buys\\tArm "), clean_title(" \\n ")
        ('Nvidia buys Arm', None)
    """
    title = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", value).split())
    if not title or len(title) > MAX_TITLE:
        return None
    return title


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

#: ``<meta>`` names or properties giving the publication date, most trusted first.
_DATE_META = ("article:published_time", "datepublished", "date", "pubdate", "publishdate",
              "publication_date", "dc.date.issued", "dc.date", "dcterms.date", "sailthru.date",
              "parsely-pub-date", "og:published_time")


class _HeadReader(HTMLParser):
    """Collects ``<title>``, ``<meta>``, ``<link rel=canonical>`` and JSON-LD scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.jsonld: list[str] = []
        self.in_title = False
        self.in_jsonld = False
        self.seen_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title" and not self.seen_title:
            self.in_title = True
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").strip().lower()
            if key and "content" in a:
                self.meta.setdefault(key, a["content"])
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split() and self.canonical is None:
            self.canonical = a.get("href", "")
        elif tag == "script" and a.get("type", "").strip().lower() == "application/ld+json":
            self.in_jsonld = True
            self.jsonld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.in_title:
            self.in_title = False
            self.seen_title = True
        elif tag == "script":
            self.in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif self.in_jsonld:
            self.jsonld[-1] += data


def _jsonld_article(scripts: list[str]) -> dict[str, object]:
    """The first JSON-LD object with a headline, a publication date or a URL."""
    todo: list[object] = []
    for text in scripts:
        try:
            todo.append(json.loads(text))
        except (ValueError, RecursionError):
            continue
    seen = 0
    while todo and seen < 1000:
        seen += 1
        item = todo.pop(0)
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, dict):
            if any(isinstance(item.get(k), str) for k in ("headline", "datePublished")):
                return item
            graph = item.get("@graph")
            if isinstance(graph, list):
                todo.extend(graph)
    return {}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def html_metadata(markup: str) -> Metadata:
    """Return the title, date and URL an HTML page states in its markup.

    Examples:
        >>> html_metadata('<html><head><title>Acme buys Zed | News</title>'
        ...     '<meta property="og:title" content="Acme buys Zed">'
        ...     '<meta property="article:published_time" content="2024-03-05T09:00:00Z">'
        ...     '<link rel="canonical" href="https://news.example/acme"></head><body>x</body></html>')
        Metadata(title='Acme buys Zed', date='2024-03-05', url='https://news.example/acme')
        >>> html_metadata('<title>T</title><link rel="canonical" href="/relative">')
        Metadata(title='T', date=None, url=None)
    """
    reader = _HeadReader()
    try:
        reader.feed(markup)
        reader.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient
        pass
    meta, ld = reader.meta, _jsonld_article(reader.jsonld)
    titles = [meta.get("og:title"), _str(ld.get("headline")), "".join(reader.title)]
    dates = [meta.get(k) for k in _DATE_META] + [_str(ld.get("datePublished"))]
    urls = [reader.canonical, meta.get("og:url"), _str(ld.get("url"))]
    return Metadata(
        title=next((t for t in map(clean_title, filter(None, titles)) if t), None),
        date=next((d for d in map(iso_date, filter(None, dates)) if d), None),
        url=next((u for u in map(clean_url, filter(None, urls)) if u), None),
    )


# ---------------------------------------------------------------------------
# Plain text and Markdown
# ---------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_KEYS = {
    "title": ("title", "headline"),
    "date": ("date", "published", "pubdate", "published_at", "date_published", "publishdate",
             "publication_date"),
    "url": ("url", "canonical", "canonical_url", "canonicalurl", "permalink", "link", "source"),
}
_DATE_LABEL = re.compile(r"(?:(?:first\s+)?published|posted|date[d]?|publication\s+date|released|issued)"
                         r"(?:\s+on)?\s*[:\-–—]?\s*(?P<rest>.+)", re.I)
_URL_LABEL = re.compile(r"(?:url|source|link|canonical|original(?:ly published)? at|read online at)"
                        r"\s*:\s*(?P<url>https?://\S+)", re.I)
_BYLINE = re.compile(r"by\s+\S.*", re.I)
_SEPARATORS = re.compile(r"\s+[|·•]\s+|\s+[-–—]\s+")
_DATELINE = re.compile(
    r"[A-Z][A-Z.'’\-]+(?:[ ,][^\n]{0,80}?)?\s*[,\-–—]\s*(?P<date>(?i:" + _DATE_IN_TEXT.pattern + r"))\s*"
    r"(?:\([^)\n]{1,40}\)\s*)?(?:/[^/\n]{1,40}/\s*)?(?:--?|–|—)")


def front_matter(text: str) -> tuple[Metadata, int]:
    """The metadata of a YAML front matter block opening ``text``, and where the block ends.

    Only top-level ``key: value`` lines are read (quotes removed).

    Examples:
        >>> front_matter('---\\ntitle: "Acme buys Zed"\\ndate: 2024-03-05\\n---\\nBody')
        (Metadata(title='Acme buys Zed', date='2024-03-05', url=None), 48)
    """
    m = _FRONT_MATTER.match(text)
    if m is None:
        return Metadata(), 0
    found: dict[str, str] = {}
    for line in m.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if not sep or line[:1].isspace():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        found.setdefault(key.strip().lower(), value)

    def first(kind: str, clean):  # noqa: ANN001, ANN202
        return next((v for k in _FRONT_KEYS[kind] if k in found and (v := clean(found[k]))), None)

    return Metadata(title=first("title", clean_title), date=first("date", iso_date),
                    url=first("url", clean_url)), m.end()


def _headline(line: str, heading: bool) -> str | None:
    """``line`` if it reads as a headline: short, and not a sentence or a date line."""
    words = line.split()
    if not heading and (len(words) > 30 or len(line) > 250 or line.rstrip()[-1:] in ".,;:"):
        return None
    if _date_of_line(line) or _URL_LABEL.fullmatch(line) or _BYLINE.fullmatch(line) or line.startswith("- "):
        return None
    return clean_title(line)


def _date_of_line(line: str) -> str | None:
    """The date a line states as the article's: a label, the whole line, or a segment of it."""
    line = line.strip(" _*")  # emphasis markers Markdown conversion leaves ("_Posted on ..._")
    m = _DATE_LABEL.fullmatch(line)
    if m and (d := iso_date(m["rest"].strip(" .")) or _segment_date(m["rest"])):
        return d
    return _segment_date(line)


def _segment_date(line: str) -> str | None:
    for segment in _SEPARATORS.split(line.strip()):
        segment = segment.strip(" .")
        m = _DATE_LABEL.fullmatch(segment)
        d = iso_date(m["rest"].strip(" .")) if m else iso_date(segment)
        if d:
            return d
    return None


def text_metadata(text: str, markdown: bool = False) -> Metadata:
    """Return the title, date and URL stated at the top of a plain text or Markdown document.

    Examples:
        >>> text_metadata("Acme buys Zed\\n\\nSEATTLE - October 29, 2025 - Acme said on Monday...")
        Metadata(title='Acme buys Zed', date='2025-10-29', url=None)
        >>> text_metadata("# Acme buys *Zed*\\nPublished: 03/04/2024\\n\\nAcme said...", markdown=True)
        Metadata(title='Acme buys Zed', date=None, url=None)
        >>> text_metadata("Acme said on Monday it bought Zed.\\nZed makes chips.")
        Metadata(title=None, date=None, url=None)
    """
    from graph.building.text import markdown_to_text

    meta, start = front_matter(text)
    lines = [ln.strip() for ln in text[start:].split("\n")]
    lines = [ln for ln in lines if ln][:HEAD_LINES + 1]
    if len(lines) < 2:  # a one-line text is its body, not a headline
        return meta
    first = lines[0]
    heading = markdown and first.startswith("# ")
    if markdown:
        lines = [markdown_to_text(ln).strip() for ln in lines]
    title = _headline(lines[0], heading)
    found = Metadata(title=title)
    for line in lines[1 if title else 0:]:
        if found.date is None and len(line) <= 200:
            found = found.merged(Metadata(date=_date_of_line(line)))
        if found.date is None and (m := _DATELINE.match(line)):
            found = found.merged(Metadata(date=iso_date(m["date"])))
        if found.url is None and (m := _URL_LABEL.fullmatch(line)):
            found = found.merged(Metadata(url=clean_url(m["url"])))
    return meta.merged(found)
