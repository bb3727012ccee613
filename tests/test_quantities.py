"""Quantities: the look-ahead that opens the money, percentage and parameter regexes changes no match."""

from __future__ import annotations

import re

import pytest

from graph.extract import quantities as q

TEXTS = [
    "Acme raised $1.2 billion, US$300m and EUR 40 million; usd 5 bn came later.",
    "Zed paid 2,500 dollars, 12 yuan and 3 million euros for 40% (per cent: 7 percent) of it.",
    "The 70B-parameter model, a 1.5 trillion parameters mixture, 8x7 B total parameters, 400-billion-parameter.",
    "In 2024 Acme had 12,000 staff, 3.5% market share and £20-£30 bn in CHF 4 deals; KRW 9 and ¥8.",
    "gbp4 jpy 7 cny 1 rmb 2 inr 3 and e5 c6 i7 r8 k9 u10 none 55 percentage",
]


@pytest.mark.parametrize("name", ["_MONEY", "_PERCENT", "_PARAMS"])
def test_quantity_regex_lookahead_changes_no_match(name):
    rx = getattr(q, name)
    assert rx.pattern.startswith("(?=")
    plain = re.compile(re.sub(r"^\(\?=(?:\\d|\[[^\]]*\])\)", "", rx.pattern), rx.flags)
    assert plain.pattern != rx.pattern
    found = 0
    for text in TEXTS:
        got = [(m.span(), m.groupdict()) for m in rx.finditer(text)]
        assert got == [(m.span(), m.groupdict()) for m in plain.finditer(text)]
        found += len(got)
    assert found >= 3
