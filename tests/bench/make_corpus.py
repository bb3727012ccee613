"""Make a deterministic synthetic news corpus for the build benchmark.

Not a test: a script (``make bench`` runs it). Each article is a headline,
a dateline and several paragraphs (300-600 words) recombined from sentence
frames about partnerships, supply, acquisitions, investments, chief
executives, headquarters, product launches and training on chips, with
hedged and negated variants and plain filler, filled with names from the
gazetteer (``graph/patterns/gazetteer.jsonl``).

The corpus grows the way an archive does:

* popular names come back again and again: each class's gazetteer entries
  are drawn with Zipf weights (rank ``r`` has weight ``1/r``);
* a long tail of names the gazetteer does not know ("Quorvex Holdings Inc.",
  "Project Larkspur", "QX940 accelerators", "Llama 12", "chief executive
  Mara Lindqvist") is drawn from an unbounded Pareto-ranked pool, so the
  number of distinct entities keeps growing with the corpus, more slowly;
* facts are stable: a company always has the same headquarters and chief
  executive, a model the same developer, a chip the same maker, so the same
  relation is read from many articles, as in real news.

Document ``i`` depends only on ``i`` and the seed, never on ``N``: the first
1,000 documents of a 10,000-document corpus are the 1,000-document corpus.

Usage::

    .venv/bin/python tests/bench/make_corpus.py 1000 --out build/bench/corpus-1000.jsonl
    .venv/bin/python tests/bench/make_corpus.py 12 | kg build - ...   # JSONL to stdout

Output: JSONL, one ``{"id", "text", "source", "date"}`` per line.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime as dt
import hashlib
import itertools
import json
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.extract.rules import GazetteerEntry, load_gazetteer

#: Share of name draws that come from the long tail instead of the gazetteer.
NOVEL_SHARE = 0.3
#: Tail index of the Pareto draw of a long-tail name's rank (lower: longer tail).
TAIL_ALPHA = 0.8
TAIL_MAX = 1_000_000
START_DATE = dt.date(2019, 1, 1)
DOCS_PER_DAY = 8

_SYLLABLES = ("zor", "blax", "quin", "tel", "vex", "ara", "lum", "nor", "dyn", "cor", "sen", "tri",
              "mar", "ko", "ven", "ta", "rix", "sol", "pra", "xis", "hal", "cy", "on", "dra", "bel",
              "fin", "gra", "vo", "lex", "ka", "mun", "der", "sta", "pel", "qua", "rho", "zen", "ith")
_COMPANY_SUFFIXES = ("Corp.", "Inc.", "Holdings Inc.", "Technologies Inc.", "Ltd.", "Systems Corp.",
                     "Semiconductor Corp.", "Labs Inc.", "Group Ltd.", "Robotics Inc.")
_FIRST = ("Mara", "Jonas", "Priya", "Tomas", "Aiko", "Daniel", "Leila", "Victor", "Sofia", "Kwame",
          "Elena", "Rafael", "Ingrid", "Omar", "Hannah", "Chen", "Lucia", "Marcus", "Nadia", "Pavel",
          "Yuki", "Grace", "Anders", "Fatima", "Hugo", "Amara", "Stefan", "Mei", "Diego", "Clara")
_LAST = ("Lindqvist", "Okafor", "Raman", "Herrera", "Tanaka", "Brennan", "Haddad", "Novak", "Ferreira",
         "Mensah", "Kowalski", "Duarte", "Bergstrom", "Rahimi", "Castellano", "Zhou", "Moretti", "Adeyemi",
         "Sorensen", "Ivanova", "Nakamura", "Whitfield", "Osei", "Dubois", "Kaplan", "Varga", "Quist",
         "Albrecht", "Mistry", "Calloway")
_PROJECT_WORDS = ("Halcyon", "Larkspur", "Meridian", "Northstar", "Bluebird", "Granite", "Aurora", "Keystone",
                  "Tidewater", "Summit", "Ironwood", "Lodestar", "Redwood", "Polaris", "Cascade", "Harbor",
                  "Juniper", "Beacon", "Sterling", "Horizon", "Falcon", "Osprey", "Cobalt", "Everest")
_MODEL_FAMILIES = ("Llama", "Qwen", "Gemini", "Claude", "Mistral", "Grok", "Nemotron", "Granite", "Falcon",
                   "ERNIE", "Hunyuan", "Doubao")
_CHIP_NOUNS = ("GPUs", "chips", "accelerators", "processors", "AI chips")
_OUTLETS = ("wire/techdesk", "wire/markets", "wire/asia", "wire/europe", "wire/americas", "blog/analysis")

#: Gazetteer ids that make plausible makers of chips and developers of models
#: (those present are used; the rest of each role falls back to any company).
_CHIPMAKERS = ("nvidia", "amd", "intel", "tsmc", "qualcomm", "samsung-electronics", "broadcom", "huawei",
               "marvell", "cerebras", "groq", "arm", "mediatek", "sk-hynix", "micron-technology", "apple")
_LABS = ("openai", "anthropic", "google-deepmind", "meta-platforms", "deepseek", "mistral-ai", "alibaba-group",
         "xai", "baidu", "microsoft", "google", "amazon", "moonshot-ai", "zhipu-ai", "cohere", "nvidia",
         "tencent", "bytedance")
_INVESTORS = ("softbank-group", "sequoia-capital", "andreessen-horowitz", "microsoft", "nvidia", "accel",
              "tiger-global", "lightspeed-venture-partners", "general-catalyst", "thrive-capital",
              "google", "amazon", "temasek", "blackrock")


def _h(*parts: object) -> int:
    """A stable integer hash (``hash()`` changes with PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha1("\x1f".join(map(str, parts)).encode()).digest()[:8], "big")


@dataclass(frozen=True, slots=True)
class Name:
    """A name to write, the class it stands for, and a stable key for facts."""

    key: str
    text: str
    type: str


class Names:
    """Draw names: Zipf-weighted gazetteer entries plus an unbounded long tail."""

    def __init__(self, entries: Sequence[GazetteerEntry], seed: int) -> None:
        self.seed = seed
        self.by_type: dict[str, list[GazetteerEntry]] = {}
        for e in entries:
            self.by_type.setdefault(e.type, []).append(e)
        self.cum: dict[str, list[float]] = {}
        for t, xs in self.by_type.items():
            xs.sort(key=lambda e: _h(seed, "rank", e.id))  # popularity order, fixed by the seed
            self.cum[t] = list(itertools.accumulate(1.0 / r for r in range(1, len(xs) + 1)))
        self.by_id = {e.id: e for e in entries}

    def known(self, rng: random.Random, etype: str) -> Name:
        xs, cum = self.by_type[etype], self.cum[etype]
        e = xs[bisect.bisect_left(cum, rng.random() * cum[-1])]
        text = e.label
        if e.aliases and rng.random() < 0.1:
            text = e.aliases[rng.randrange(len(e.aliases))]
        return Name(f"gz:{e.id}", text, etype)

    def entry(self, eid: str, etype: str) -> Name | None:
        e = self.by_id.get(eid)
        return Name(f"gz:{e.id}", e.label, e.type) if e is not None and e.type == etype else None

    def draw(self, rng: random.Random, etype: str) -> Name:
        """A name of class ``etype``: mostly a known one, sometimes from the tail."""
        if etype in _NOVEL and rng.random() < NOVEL_SHARE:
            rank = min(int(rng.paretovariate(TAIL_ALPHA)), TAIL_MAX)
            return Name(f"new:{etype}:{rank}", _NOVEL[etype](self.seed, rank), etype)
        return self.known(rng, etype)

    def role(self, key: str, ids: Sequence[str], etype: str, salt: str) -> Name:
        """A stable partner of ``key`` (its maker, its developer...): one of ``ids``
        when the gazetteer has them, else any known name of the class."""
        present = [i for i in ids if i in self.by_id and self.by_id[i].type == etype]
        if present and _h(self.seed, salt, key) % 5:
            eid = present[_h(self.seed, salt, key, "pick") % len(present)]
            return Name(f"gz:{eid}", self.by_id[eid].label, etype)
        xs = self.by_type[etype][:60]  # the popular ones
        e = xs[_h(self.seed, salt, key, "any") % len(xs)]
        return Name(f"gz:{e.id}", e.label, etype)


def _word(seed: int, kind: str, rank: int, n: int) -> str:
    r = random.Random(f"{seed}:{kind}:{rank}")
    return "".join(r.choice(_SYLLABLES) for _ in range(n)).capitalize()


def _novel_company(seed: int, rank: int) -> str:
    r = random.Random(f"{seed}:company-suffix:{rank}")
    return f"{_word(seed, 'company', rank, r.choice((2, 2, 3)))} {r.choice(_COMPANY_SUFFIXES)}"


def _novel_person(seed: int, rank: int) -> str:
    r = random.Random(f"{seed}:person:{rank}")
    return f"{r.choice(_FIRST)} {r.choice(_LAST)}{'' if rank < 900 else '-' + _word(seed, 'p2', rank, 2)}"


def _novel_project(seed: int, rank: int) -> str:
    r = random.Random(f"{seed}:project:{rank}")
    word = r.choice(_PROJECT_WORDS) if rank <= len(_PROJECT_WORDS) else _word(seed, "project", rank, 2)
    return f"Project {word}"


def _novel_chip(seed: int, rank: int) -> str:
    r = random.Random(f"{seed}:chip:{rank}")
    return f"{r.choice('QXZVKRT')}{r.choice('XMNPA')}{r.randrange(100, 999)}"


def _novel_model(seed: int, rank: int) -> str:
    r = random.Random(f"{seed}:model:{rank}")
    return f"{r.choice(_MODEL_FAMILIES)} {r.randrange(5, 40)}"


_NOVEL = {"Company": _novel_company, "Person": _novel_person, "Project": _novel_project,
          "Chip": _novel_chip, "AIModel": _novel_model}


# --------------------------------------------------------------------------
# Sentence frames. Slots: {A} the article's company, {B} {B2} other companies,
# {P} A's chief executive, {C} A's headquarters city, {C2} another city,
# {N} a country, {X} a chip, {XM} its maker, {M} a model, {MD} its
# developer, {J} a project, {D} a product, {G} a government body, and
# values {usd} {pct} {n} {k} {year} {month} {day} {series} {gw} {cn} (chip noun).
# --------------------------------------------------------------------------

FRAMES: dict[str, tuple[str, ...]] = {
    "partner": (
        "{A}, in partnership with {B}, launched {J}, a {gw}-gigawatt data-centre campus near {C2}.",
        "{A} unveiled {J} in {month} together with {B} and {B2}.",
        "{B} is a founding partner in {J}, the computing venture {A} announced in {year}.",
        "{J}, a joint venture between {A} and {B}, plans {n} data centres in {N}.",
        "Alongside {B}, {A} is building {J} on a former industrial site outside {C2}.",
        "{B} joined {J} in {month}, adding {usd} to the project's budget.",
    ),
    "partner_hedged": (
        "{A} is reportedly in talks with {B} about joining {J}.",
        "{B} said it had not joined {J}, contrary to earlier reports.",
        "{A}, together with {B}, is reportedly preparing to launch {J} next year.",
        "People familiar with the matter said {B} could take part in {J} if financing allows.",
    ),
    "supply": (
        "{XM} supplies {X} {cn} to {A} for its new data centres.",
        "{XM} is a key supplier of {X} {cn}, and {A} is among its largest customers.",
        "{A} buys {X} {cn} from {XM} under a multi-year agreement.",
        "The {X} {cn} are supplied by {XM}, which ships them to customers in {N}.",
        "{XM} makes the {X}, which it sells to cloud providers such as {A}.",
    ),
    "supply_hedged": (
        "{XM} could supply {X} {cn} to {A} if export rules allow it.",
        "{XM} no longer sells {X} {cn} in {N}, the company said.",
        "{A} may switch to {X} {cn} later this year, according to a person briefed on the plans.",
    ),
    "acquire": (
        "{A} acquired {B} for {usd} in {year}.",
        "{B} was bought by {A} in {year}, giving it a foothold in {N}.",
        "{A}'s acquisition of {B} closed in {month}.",
        "{B}, which {A} bought in {year}, makes networking equipment for data centres.",
    ),
    "acquire_hedged": (
        "{A} agreed to acquire {B} for {usd}, pending regulatory approval.",
        "{A} has not acquired {B}, despite months of talks.",
        "{A} is said to be weighing a bid for {B}, although no decision has been made.",
        "Did {A} really buy {B} last year? Executives declined to say.",
    ),
    "invest": (
        "{B2} invested {usd} in {A} in {month}.",
        "{B2} holds a {pct}% stake in {A}.",
        "{B2} led the {usd} Series {series} round in {A}.",
        "{A} is funded by {B2} and {B}.",
        "{B2} is an early investor in {A}.",
    ),
    "invest_hedged": (
        "{B2} did not invest in {A}, a spokesperson said.",
        "{B2} is in talks to invest {usd} in {A}.",
        "{A} raised {usd} in a round led by {B2}.",
        "{B2} is considering a stake in {A}, according to two people familiar with the discussions.",
    ),
    "ceo": (
        "{P}, {A}'s chief executive, said demand was stronger than expected.",
        "{A} CEO {P} spoke at a conference in {C2} on {day}.",
        "{P}, the chief executive of {A}, told analysts the company would keep hiring.",
        "{A}'s chief executive, {P}, said the company had more orders than it could fill.",
        "\"We are still early in this cycle,\" said {P}, chief executive of {A}.",
    ),
    "ceo_hedged": (
        "Is {A} CEO {P} stepping down? The company called the reports speculation.",
        "{P} praised {B}'s chief executive in a speech in {C2}.",
    ),
    "hq": (
        "{A}, which is headquartered in {C}, employs about {n} people.",
        "{A} is based in {C} and has offices in {C2}.",
        "Based in {C}, {A} has grown quickly over the past {k} years.",
        "{A}, a {C}-based company, reported revenue of {usd} for the quarter.",
        "Protesters gathered outside {A}'s headquarters in {C} on {day}.",
    ),
    "hq_hedged": (
        "{A} is no longer based in {C2}.",
        "{A} plans to be headquartered in {C2} by {year}.",
        "{A} opened a sales office in {C2} last month.",
    ),
    "launch": (
        "{MD} released {M} on {day}, calling it its most capable model yet.",
        "{M} was developed by {MD} in {C2}.",
        "{MD} unveiled {M} at its annual developer conference.",
        "{A} unveiled the {D} at an event in {C}.",
        "{MD}'s {M} model has been downloaded millions of times.",
    ),
    "launch_hedged": (
        "{MD} plans to release {M} before the end of the year.",
        "{MD} has not released {M}, despite reports to the contrary.",
        "Developers at {A} built apps on top of {M}.",
    ),
    "train": (
        "{M} was trained on {n} {XM} {X} {cn} over {k} months.",
        "{MD} used {n} {X} {cn} to train {M}.",
        "{M}, {MD}'s largest model to date, was trained on {X} {cn} in {N}.",
    ),
    "train_hedged": (
        "{M} was not trained on {X} {cn}, {MD} said.",
        "{M} was reportedly trained on {XM}'s {X} {cn}.",
        "{M} runs on {X} {cn} for inference in data centres across {N}.",
    ),
    "compete": (
        "{A} competes with {B} for contracts with large cloud customers.",
        "{B}, {A}'s main rival, cut prices in {month}.",
    ),
    "restrict": (
        "The {G} restricted exports of {X} {cn} to {N} in {month}.",
        "The {G} imposed export controls on {X} {cn}, hurting sales in {N}.",
    ),
}

FILLER: tuple[str, ...] = (
    "Shares of {A} rose {pct}% in early trading.",
    "Shares of {A} fell {pct}% after the announcement.",
    "Analysts expect spending on AI infrastructure to keep growing through {year}.",
    "The company did not respond to a request for comment.",
    "Demand for computing power has outstripped supply for much of the past year.",
    "Investors have grown wary of the cost of building ever larger data centres.",
    "The deal still needs approval from regulators in {N}.",
    "Power has become the main constraint on new data-centre projects, executives say.",
    "Competition for engineers remains intense, and salaries have climbed sharply.",
    "Revenue for the quarter came in at {usd}, ahead of analysts' estimates.",
    "The announcement came a week after a similar move by {B}.",
    "Energy prices in {N} have pushed several operators to look for sites elsewhere.",
    "Industry groups said the rules could slow adoption in smaller markets.",
    "A spokesperson for {B} declined to comment.",
    "Some analysts questioned whether the spending would pay off within {k} years.",
    "The market for AI accelerators is expected to exceed {usd} by {year}.",
    "Executives at {B} have made similar arguments in recent months.",
    "The figures do not include spending on power and cooling.",
    "Several smaller rivals have struggled to raise money this year.",
    "Customers in {N} have been among the quickest to sign up.",
    "Prices for high-bandwidth memory have nearly doubled since {year}.",
    "The company said it expected margins to improve in the second half.",
    "Regulators in {N} are reviewing how the technology is used in hiring and lending.",
    "Executives said the project would create about {n} jobs.",
    "Not everyone is convinced that the boom will last.",
    "{A} has said little in public about its long-term plans.",
    "Construction is expected to take at least {k} years.",
    "A person close to the company said talks had been under way since {month}.",
)

HEADLINES: dict[str, tuple[str, ...]] = {
    "partner": ("{A} and {B} team up on {J}", "{J}: {A} brings in {B}"),
    "supply": ("{XM} to ship more {X} {cn} to {A}", "{A} secures supply of {X} {cn}"),
    "acquire": ("{A} buys {B}", "{A} expands with {B} deal"),
    "invest": ("{A} draws new money from {B2}", "{B2} bets on {A}"),
    "ceo": ("{A}'s {P} sets out growth plan", "{P} says {A} cannot keep up with demand"),
    "hq": ("{A} grows in {C}", "Inside {A}'s {C} expansion"),
    "launch": ("{MD} launches {M}", "{MD} bets on {M}"),
    "train": ("How {MD} trained {M}", "{M} and the chips behind it"),
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_SLOT = re.compile(r"\{(\w+)\}")


def _money(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"${rng.choice((1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 40, 100))} billion"
    return f"${rng.randrange(5, 950)} million"


class Corpus:
    """The world the articles describe, and the article writer."""

    def __init__(self, seed: int = 0, entries: Sequence[GazetteerEntry] | None = None) -> None:
        self.seed = seed
        self.names = Names(entries if entries is not None else load_gazetteer(), seed)

    # stable facts of the world, derived from the names' keys
    def _stable(self, key: str, etype: str, salt: str) -> Name:
        rng = random.Random(f"{self.seed}:{salt}:{key}")
        return self.names.draw(rng, etype)

    def ceo(self, company: Name) -> Name:
        return self._stable(company.key, "Person", "ceo")

    def hq(self, company: Name) -> Name:
        return self._stable(company.key, "City", "hq")

    def maker(self, chip: Name) -> Name:
        return self.names.role(chip.key, _CHIPMAKERS, "Company", "maker")

    def developer(self, model: Name) -> Name:
        return self.names.role(model.key, _LABS, "Company", "developer")

    def investor(self, rng: random.Random) -> Name:
        ids = [i for i in _INVESTORS if i in self.names.by_id]
        if ids and rng.random() < 0.6:
            return self.names.entry(ids[int(rng.paretovariate(1.0)) % len(ids)], "Company") or self.names.draw(rng, "Company")
        return self.names.draw(rng, "Company")

    def cast(self, rng: random.Random) -> dict[str, Name]:
        a = self.names.draw(rng, "Company")
        others = []
        while len(others) < 2:
            b = self.names.draw(rng, "Company")
            if b.key != a.key and all(b.key != o.key for o in others):
                others.append(b)
        x, m = self.names.draw(rng, "Chip"), self.names.draw(rng, "AIModel")
        c = self.hq(a)
        c2 = self.names.draw(rng, "City")
        while c2.key == c.key:
            c2 = self.names.draw(rng, "City")
        inv = self.investor(rng)
        while inv.key == a.key:
            inv = self.names.draw(rng, "Company")
        cast = {
            "A": a, "B": others[0], "B2": others[1] if rng.random() < 0.5 else inv, "P": self.ceo(a),
            "C": c, "C2": c2, "N": self.names.draw(rng, "Country"), "X": x, "XM": self.maker(x),
            "M": m, "MD": self.developer(m), "J": self.names.draw(rng, "Project"),
            "D": self.names.draw(rng, "Product"), "G": self.names.draw(rng, "GovernmentBody"),
        }
        if cast["B2"].key == a.key:
            cast["B2"] = others[1]
        return cast

    def _fill(self, frame: str, cast: dict[str, Name], rng: random.Random) -> str:
        def value(m: re.Match[str]) -> str:
            slot = m.group(1)
            if slot in cast:
                return cast[slot].text
            return {
                "usd": lambda: _money(rng), "pct": lambda: str(rng.randrange(2, 49)),
                "n": lambda: f"{rng.choice((2, 4, 8, 16, 24, 32))},{rng.choice(('000', '048', '500'))}",
                "k": lambda: str(rng.randrange(2, 9)), "year": lambda: str(rng.randrange(2019, 2027)),
                "month": lambda: rng.choice(_MONTHS), "day": lambda: rng.choice(_DAYS),
                "series": lambda: rng.choice("ABCDE"), "gw": lambda: str(rng.randrange(1, 6)),
                "cn": lambda: rng.choice(_CHIP_NOUNS),
            }[slot]()

        text = _SLOT.sub(value, frame)
        return text[0].upper() + text[1:]

    def article(self, i: int) -> dict[str, str]:
        """Return document ``i`` (depends only on ``i`` and the seed)."""
        rng = random.Random(f"{self.seed}:doc:{i}")
        cast = self.cast(rng)
        cast["cn"] = Name("", rng.choice(_CHIP_NOUNS), "")
        topics = list(HEADLINES)
        topic = rng.choice(topics)
        date = START_DATE + dt.timedelta(days=i // DOCS_PER_DAY)
        head = self._fill(rng.choice(HEADLINES[topic]), cast, rng)
        dateline = f"{cast['C'].text}, {_MONTHS[date.month - 1]} {date.day} -"
        target = rng.randrange(300, 601)
        paragraphs: list[list[str]] = []
        words = len(head.split()) + len(dateline.split())
        kinds = [k for k in FRAMES if not k.endswith("_hedged")]
        used: set[str] = set()  # frames already written: no sentence twice unless all are used
        while words < target:
            para: list[str] = []
            for _ in range(rng.randrange(3, 6)):
                roll = rng.random()
                if not paragraphs and not para:
                    kind = topic  # the lede is about the topic
                elif roll < 0.35:
                    kind = topic if rng.random() < 0.6 else rng.choice(kinds)
                elif roll < 0.50:
                    kind = (topic if rng.random() < 0.5 else rng.choice(kinds)) + "_hedged"
                    kind = kind if kind in FRAMES else topic
                else:
                    kind = "filler"
                frames = FILLER if kind == "filler" else FRAMES[kind]
                fresh = [f for f in frames if f not in used] or list(frames)
                frame = rng.choice(fresh)
                used.add(frame)
                sent = self._fill(frame, cast, rng)
                para.append(sent)
                words += len(sent.split())
                if words >= target:
                    break
            paragraphs.append(para)
        body = "\n\n".join(" ".join(p) for p in paragraphs)
        text = f"{head}\n\n{dateline} {body}\n"
        return {"id": f"bench-{i:07d}", "text": text, "source": f"{_OUTLETS[_h(self.seed, 'outlet', i) % len(_OUTLETS)]}/{i}",
                "date": date.isoformat()}


def generate(n: int, seed: int = 0, start: int = 0) -> Iterator[dict[str, str]]:
    """Yield documents ``start`` .. ``start + n - 1`` of the corpus of ``seed``.

    Examples:
        >>> docs = list(generate(2, seed=1))
        >>> [d["id"] for d in docs], docs == list(generate(2, seed=1))
        (['bench-0000000', 'bench-0000001'], True)
        >>> all(300 <= len(d["text"].split()) <= 650 for d in generate(20))
        True
    """
    corpus = Corpus(seed)
    for i in range(start, start + n):
        yield corpus.article(i)


def write_jsonl(n: int, out: Path | None, seed: int = 0) -> int:
    """Write ``n`` documents as JSONL to ``out`` (stdout if None); return the word count."""
    with contextlib.ExitStack() as stack:
        fh = stack.enter_context(open(out, "w", encoding="utf-8")) if out is not None else sys.stdout
        words = 0
        for doc in generate(n, seed):
            words += len(doc["text"].split())
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return words


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of documents")
    p.add_argument("--out", type=Path, default=None, help="JSONL file to write (default: stdout)")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    args = p.parse_args(argv)
    if args.n < 0:
        p.error("N must be 0 or more")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
    words = write_jsonl(args.n, args.out, args.seed)
    if args.out is not None:
        print(f"wrote {args.n} documents, {words} words to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
