"""Quantities and dates: money, percentages, counts, parameter counts, dates.

Regular expressions over the document text, the same with or without a
trained model, so qualifiers do not depend on the NER.

Examples:
    >>> [(q.kind, str(q.value), q.unit) for q in parse_quantities("a $500 billion plan")]
    [('money', '500000000000', 'USD')]
    >>> [(q.kind, q.unit) for q in parse_quantities("on January 21, 2025 and in May 2024")]
    [('date', '2025-01-21'), ('date', '2024-05')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SCALE = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6,
    "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12, "t": 10**12,
}
_CURRENCY = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollars": "USD", "€": "EUR", "eur": "EUR",
    "euros": "EUR", "euro": "EUR", "£": "GBP", "gbp": "GBP", "pounds": "GBP", "¥": "JPY",
    "jpy": "JPY", "yen": "JPY", "yuan": "CNY", "rmb": "CNY", "cny": "CNY", "won": "KRW",
    "krw": "KRW", "chf": "CHF", "inr": "INR", "rupees": "INR",
}
_MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        1,
    )
    for m in names
}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_RX = r"trillion|billion|million|thousand|bn|mn|tn"
# Each regex opens with a look-ahead for the character every match starts with (a digit,
# a currency sign or a currency code's letter): the same matches, and the positions that
# cannot start one are passed at once (on the 70 benchmark articles: money 27 -> 14 ms,
# parameters 21 -> 7 ms, percentages 9 -> 5 ms, each regex over all of them, measured).
_MONEY = re.compile(
    rf"(?=[\d$€£¥UEGJCRIK])(?:(?P<pre>US\$|\$|€|£|¥|\b(?:USD|EUR|GBP|JPY|CNY|RMB|CHF|INR|KRW)\s?)"
    rf"(?P<num>{_NUM})(?:\s?-\s?\$?(?:{_NUM}))?(?:\s?(?P<scale>{_SCALE_RX}|[mbk]\b))?"
    rf"|(?P<num2>{_NUM})(?:\s?(?P<scale2>{_SCALE_RX}))?\s(?P<post>dollars|euros|yuan|yen|pounds|won|rupees)\b)",
    re.I,
)
_PERCENT = re.compile(rf"(?=\d)(?P<num>{_NUM})\s?(?:%|percent\b|per cent\b)", re.I)
_PARAMS = re.compile(
    rf"(?=\d)(?:(?P<num>{_NUM})[\s-]?(?P<scale>trillion|billion|million|[BMT])\b[\s-]*(?:total\s|active\s)?parameters?\b"
    rf"|(?P<num2>{_NUM})[\s-](?P<scale2>trillion|billion|million)-parameter\b)",
    re.I,
)
_DATE = re.compile(
    r"\b(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|"
    r"August|September|October|November|December)\.?\s+(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,\s*|\s+)(?P<y1>(?:19|20)\d\d)\b|(?P<y2>(?:19|20)\d\d)\b)"
    r"|\b(?P<iso>(?:19|20)\d\d-\d\d-\d\d)\b"
)
_COUNT = re.compile(r"(?<![\w$€£¥.,])(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\s(?P<scale>million|thousand))?(?![\w%.,]\d?)")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity found in text: kind, value, unit, character and token span."""

    kind: str  # money | percent | market_share | parameters | count | date
    value: Decimal
    unit: str  # currency code, "%", ISO date, or ""
    start: int
    end: int
    start_token: int = -1
    end_token: int = -1


def _number(text: str, scale: str | None) -> Decimal | None:
    try:
        v = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if scale:
        mult = _SCALE.get(scale.lower())
        if mult is None and scale in ("B", "M", "T"):
            mult = _SCALE[scale.lower()]
        v *= mult or 1
    return v.normalize() if v == v.to_integral() else v


def _plain(d: Decimal) -> Decimal:
    return Decimal(format(d, "f"))


def parse_quantities(text: str) -> list[Quantity]:
    """Find the quantities in ``text``, sorted by position, without overlaps."""
    out: list[Quantity] = []
    for m in _MONEY.finditer(text):
        if m.group("num"):
            cur = _CURRENCY.get(m.group("pre").strip().lower(), "USD")
            val = _number(m.group("num"), m.group("scale"))
        else:
            cur = _CURRENCY.get(m.group("post").lower(), "")
            val = _number(m.group("num2"), m.group("scale2"))
        if val is not None:
            out.append(Quantity("money", _plain(val), cur, m.start(), m.end()))
    # every parameter count says "parameter": most texts need not be searched
    for m in _PARAMS.finditer(text) if "parameter" in text.lower() else ():
        val = _number(m.group("num") or m.group("num2"), m.group("scale") or m.group("scale2"))
        if val is not None and val >= 1:
            out.append(Quantity("parameters", _plain(val), "", m.start(), m.end()))
    for m in _PERCENT.finditer(text):
        val = _number(m.group("num"), None)
        if val is None:
            continue
        tail = text[m.end() : m.end() + 40].lower()
        kind = "market_share" if re.match(r"\s*(?:global\s|overall\s|worldwide\s)?(?:market\s)?share", tail) else "percent"
        if kind == "market_share":
            val = val / 100
        out.append(Quantity(kind, _plain(val), "%" if kind == "percent" else "", m.start(), m.end()))
    for m in _DATE.finditer(text):
        if m.group("iso"):
            iso = m.group("iso")
        else:
            mon = _MONTHS[m.group("mon").lower().rstrip(".")]
            if m.group("day"):
                day = int(m.group("day"))
                if not 1 <= day <= 31:
                    continue
                iso = f"{m.group('y1')}-{mon:02d}-{day:02d}"
            else:
                iso = f"{m.group('y2')}-{mon:02d}"
        out.append(Quantity("date", Decimal(0), iso, m.start(), m.end()))
    taken = sorted((q.start, q.end) for q in out)
    for m in _COUNT.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        val = _number(m.group("num"), m.group("scale"))
        if val is not None:
            out.append(Quantity("count", _plain(val), "", m.start(), m.end()))
    out.sort(key=lambda q: (q.start, -q.end))
    kept: list[Quantity] = []
    for q in out:
        if kept and q.start < kept[-1].end:
            continue
        kept.append(q)
    return kept


def find_quantities(doc, text: str | None = None) -> list[Quantity]:  # noqa: ANN001 - a spaCy Doc
    """Find quantities in a spaCy ``Doc`` (whose ``text``, if the caller has
    read it: spaCy joins the tokens on every access) and give each its token span."""
    out = []
    for q in parse_quantities(doc.text if text is None else text):
        span = doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            continue
        out.append(Quantity(q.kind, q.value, q.unit, q.start, q.end, span.start, span.end))
    return out
