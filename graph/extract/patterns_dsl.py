"""The surface-pattern language of the relation rules, compiled to regexes.

A sentence is rewritten as a string of symbols, one per token, each
followed by one space: words in lower case, and every entity mention as
``§Class#n`` (``n`` indexes the sentence's mentions). A rule pattern is a
space-separated sequence of elements:

==================  ======================================================
``{S}`` ``{O}``     the subject / object slot: one mention of the rule's
                    subject / object classes
``{S+}`` ``{O+}``   a coordinated list of such mentions ("A, B and C")
``{ENT}``           any mention that is not a slot; ``{ENT:Place}`` typed
``@name``           any phrase of lexicon ``name``
``word|other``      literal words (lower case); ``'s`` is the possessive;
                    brackets are ``-lrb-`` ``-rrb-`` (``(`` groups)
``~N``              a gap of 0..N words (no mention but an Approach or a name
                    before a hyphen, which read as adjectives: "open-source",
                    "Arm-based"; no ``; : . ? !``)
``~~N``             a gap of 0..N words that may contain mentions
``~N!w|v``          a gap of 0..N words, none of them ``w`` or ``v``
``~~N!w|v``         the same, where the words may contain mentions
``{BRAND}``         an optional company name, possibly possessive
``{TOPIC:S}``       the section's topic ("COMPANY PROFILE: ACME", "- Acme Corp.",
``{TOPIC:O}``       "About Acme") as subject or object, wherever the pattern is
``^``               the start of the sentence (after any bullet)
``!w|@lex``         the previous word is none of these (look-behind)
``>!w|@lex``        the next words are none of these (look-ahead)
``( ... | ... )``   grouping with alternatives
``X?``              any element or group made optional with ``?``
==================  ======================================================

Examples:
    >>> rx = compile_pattern("{S} 's ~2 {O}", ("Company",), ("AIModel",), {})
    >>> m = rx.search("§Company#0 's new §AIModel#1 . ")
    >>> m.group("S"), m.group("O")
    ('§Company#0 ', '§AIModel#1 ')
"""

from __future__ import annotations

import re
from functools import lru_cache

from graph.model import ENTITY_TYPES, subclasses as _subclasses

MARK = "§"
_BAD_GAP = r"(?:(?![;:.?!] )(?!" + MARK + r"(?!Approach#))\S+ |" + MARK + r"\w+#\d+ (?=- ))"
_WIDE_GAP = r"(?![;:.?!] )\S+ "
_ASIDE = (r"(?:, (?:a|an|the|one|also|now|long|still|itself|which|who|whose) (?:(?![;:.?!] )\S+ ){0,14}?, "
          r"|, (?:which|who) (?=\S))?")
_LIST_JOIN = r"(?:, )?(?:and |& |or |as well as |along with |plus )"


class PatternError(ValueError):
    """A pattern string cannot be compiled."""


def inflect(word: str) -> tuple[str, ...]:
    """Return the regular verb forms of ``word`` (base, -s, -ed, -ing).

    Examples:
        >>> inflect("develop")
        ('develop', 'develops', 'developed', 'developing')
        >>> inflect("supply")
        ('supply', 'supplies', 'supplied', 'supplying')
        >>> inflect("acquire")
        ('acquire', 'acquires', 'acquired', 'acquiring')
        >>> inflect("ban")
        ('ban', 'bans', 'banned', 'banning')
    """
    if len(word) <= 4 and word[0] not in "aeiou" and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", word):
        # one-syllable consonant-vowel-consonant: ban -> banned, ship -> shipping
        return (word, word + "s", word + word[-1] + "ed", word + word[-1] + "ing")
    if word.endswith("e") and not word.endswith("ee"):
        return (word, word + "s", word + "d", word[:-1] + "ing")
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return (word, word[:-1] + "ies", word[:-1] + "ied", word + "ing")
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return (word, word + "es", word + "ed", word + "ing")
    return (word, word + "s", word + "ed", word + "ing")


@lru_cache(maxsize=65536)
def expand_phrase(entry: str) -> tuple[str, ...]:
    """Expand a lexicon entry: ``a|b`` alternatives, ``verb+`` inflections.

    In a multi-word entry only words ending in ``+`` are inflected.

    Examples:
        >>> expand_phrase("team+ up with")
        ('team up with', 'teams up with', 'teamed up with', 'teaming up with')
        >>> expand_phrase("built|build")
        ('built', 'build')
        >>> expand_phrase("take|took part in")
        ('take part in', 'took part in')
    """
    out: list[str] = []
    alts = [a.strip() for a in entry.split("|")]
    # "take|takes|took|taking part in": the words after the last alternative's first
    # word belong to every single-word alternative
    tail = alts[-1].split()[1:]
    if tail and all(len(a.split()) == 1 and "-" not in a and "+" not in a for a in alts[:-1]):
        alts = [f"{a} {' '.join(tail)}" for a in alts[:-1]] + [alts[-1]]
    for alt in alts:
        words = alt.strip().split()
        forms = [""]
        variants = [inflect(w[:-1]) if w.endswith("+") and len(w) > 1 else (w,) for w in words]
        if sum(len(v) > 1 for v in variants) == 1:
            # one inflected word: keep forms aligned (team up / teams up ...)
            idx = next(i for i, v in enumerate(variants) if len(v) > 1)
            for form in variants[idx]:
                ws = [v[0] for v in variants]
                ws[idx] = form
                out.append(" ".join(ws))
            continue
        for v in variants:
            forms = [f"{f} {w}".strip() for f in forms for w in v]
        out.extend(forms)
    return tuple(dict.fromkeys(x.lower() for x in out if x))


_HYPHEN = re.compile(r"(?<=[A-Za-z0-9])-(?=[A-Za-z])")


@lru_cache(maxsize=65536)
def _word_rx(word: str) -> str:
    """A word as the tokenizer splits it: "co-founder" is "co - founder"."""
    parts = _HYPHEN.sub(" - ", word.lower()).split()
    return "".join(re.escape(p) + " " for p in parts)


@lru_cache(maxsize=65536)
def _phrase_rx(phrase: str) -> str:
    return "".join(_word_rx(w) for w in phrase.split())


def _alternation(phrases: tuple[str, ...] | list[str]) -> str:
    """The longest phrase that matches wins and is never given back (an atomic
    group): "chief financial officer" is not retried as "chief"."""
    ordered = sorted(set(phrases), key=lambda p: (-len(_phrase_rx(p).split()), p))
    return "(?>" + "|".join(_phrase_rx(p) for p in ordered) + ")"


def _ent_rx(types: tuple[str, ...]) -> str:
    return MARK + "(?:" + "|".join(sorted(types)) + r")#\d+ "


def _tokenize(pattern: str) -> list[str]:
    """Split a pattern into elements; inside ``( )`` a ``|`` separates alternatives.

    Examples:
        >>> _tokenize("{S} (is kept|remains)? {O}")
        ['{S}', '(', 'is', 'kept', '|', 'remains', ')?', '{O}']
        >>> _tokenize("{S} built|build {O}")
        ['{S}', 'built|build', '{O}']
    """
    out = []
    depth = 0
    for ch in pattern:
        if ch == "(":
            depth += 1
            out.append(" ( ")
        elif ch == ")":
            depth -= 1
            out.append(" ) ")
        elif ch == "|" and depth > 0:
            out.append(" | ")
        else:
            out.append(ch)
    text = "".join(out)
    text = re.sub(r"\)\s+([?*+])", r")\1", text)
    return text.split()


def _first_symbol(phrase: str) -> str | None:
    """The symbol a phrase's regex (:func:`_phrase_rx`) starts with, if any."""
    parts = _HYPHEN.sub(" - ", phrase.lower()).split()
    return parts[0] if parts else None


def required_words(pattern: str, lexicons: dict[str, tuple[str, ...]]) -> tuple[frozenset[str], ...]:
    """Return, for each word element a match of ``pattern`` cannot do without,
    the symbols one of which must then be in the sentence.

    Only elements that are not optional count (``word|other``, ``@lex``, and
    groups that are not optional): each matches whole symbols, so its first
    word is a symbol of the sentence; a group needs one of the symbols its
    alternatives each need. A sentence whose symbols miss one of these sets
    cannot match, and its regex need not run (:func:`graph.extract.surface.match_sentence`).

    Examples:
        >>> [sorted(w) for w in required_words("{S} (has|have)? acquired|bought the? {O}", {})]
        [['acquired', 'bought']]
        >>> [sorted(w) for w in required_words("{S} @buy co-founder {O}", {"buy": ("acquire+",)})]
        [['acquire', 'acquired', 'acquires', 'acquiring'], ['co']]
        >>> [sorted(w) for w in required_words("{S} (owns|took over) ({ENT} 's)? {O}", {})]
        [['owns', 'took']]
    """
    return tuple(_required(_tokenize(pattern), lexicons))


_CLOSE = (")", ")?", ")*", ")+")


def _required(toks: list[str], lexicons: dict[str, tuple[str, ...]]) -> list[frozenset[str]]:
    """The need sets (see :func:`required_words`) of a sequence of elements."""
    out: list[frozenset[str]] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok == "(":
            # the group's elements, split into its alternatives at its own "|"
            alts: list[list[str]] = [[]]
            depth, j = 1, i + 1
            while j < len(toks):
                t = toks[j]
                depth += (t == "(") - (t in _CLOSE)
                if depth == 0:
                    break
                if depth == 1 and t == "|":
                    alts.append([])
                else:
                    alts[-1].append(t)
                j += 1
            if j < len(toks) and toks[j] in (")", ")+"):  # not optional
                needs = [_required(alt, lexicons) for alt in alts]
                if all(needs):  # every alternative needs a word: one of those
                    out.append(frozenset().union(*(min(n, key=len) for n in needs)))
            i = j + 1
            continue
        i += 1
        optional = tok.endswith("?") and tok not in ("?",) and not tok.startswith("(")
        if optional or tok == "|" or tok in _CLOSE or tok.startswith(("!", ">!", "{", "~", "^")):
            continue
        phrases: list[str] = []
        for piece in tok.split("|"):
            if piece.startswith("@") and "@" in tok:
                phrases.extend(p for e in lexicons.get(piece[1:], ()) for p in expand_phrase(e))
            elif piece:
                phrases.append(piece)
        firsts = [_first_symbol(p) for p in phrases]
        if firsts and all(firsts):
            out.append(frozenset(f for f in firsts if f))
    return out


def compile_pattern(
    pattern: str,
    subject: tuple[str, ...],
    object: tuple[str, ...],
    lexicons: dict[str, tuple[str, ...]],
    *,
    anchored: bool = True,
) -> re.Pattern[str]:
    """Compile a rule pattern to a regex over the symbol string.

    With ``anchored`` the regex is wrapped in a look-ahead so that
    ``finditer`` reports overlapping matches, one per starting symbol.

    A process compiles each pattern once: the rules are checked when they
    are loaded and compiled again by the components that run them, with the
    same data (a bounded cache keyed by the pattern, its classes and the
    lexicons it names).

    Raises:
        PatternError: unbalanced groups, a slot missing or used twice, an
            empty pattern, an unknown element, or a regex that does not compile.
    """
    return _compiled(pattern, tuple(subject), tuple(object), _used(pattern, lexicons), anchored)


def pattern_source(
    pattern: str,
    subject: tuple[str, ...],
    object: tuple[str, ...],
    lexicons: dict[str, tuple[str, ...]],
    *,
    anchored: bool = True,
) -> str:
    """The regex of a rule pattern, as text: every check of the pattern
    language that :func:`compile_pattern` makes, without Python's regex
    compiler (0.25 s of a build's start-up for the 242 packaged patterns,
    measured; the packaged rules' regexes are compiled when a sentence
    first needs them, and by ``kg rules check``).

    Raises:
        PatternError: unbalanced groups, a slot missing or used twice, an
            empty pattern, or an unknown element.
    """
    return _source(pattern, tuple(subject), tuple(object), _used(pattern, lexicons), anchored)


def _used(pattern: str, lexicons: dict[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    # every lexicon the pattern can read is named in it as "@name" (a superset is harmless)
    return tuple((name, tuple(words)) for name, words in lexicons.items() if "@" + name in pattern)


@lru_cache(maxsize=4096)
def _compiled(pattern: str, subject: tuple[str, ...], object: tuple[str, ...],
              used: tuple[tuple[str, tuple[str, ...]], ...], anchored: bool) -> re.Pattern[str]:
    source = _source(pattern, subject, object, used, anchored)
    try:
        return re.compile(source)
    except re.error as err:
        raise PatternError(f"pattern {pattern!r} does not compile: {err}") from err


@lru_cache(maxsize=4096)
def _source(pattern: str, subject: tuple[str, ...], object: tuple[str, ...],
            used: tuple[tuple[str, tuple[str, ...]], ...], anchored: bool) -> str:
    lexicons = dict(used)
    toks = _tokenize(pattern)
    if not toks:
        raise PatternError("empty pattern")
    parts: list[str] = []
    depth = 0
    slots = {"S": 0, "O": 0}
    if "#" in pattern:
        raise PatternError(f"'#' is not allowed in pattern {pattern!r}")
    any_types = ENTITY_TYPES
    for pos, tok in enumerate(toks):
        nxt = toks[pos + 1] if pos + 1 < len(toks) else ""
        optional = tok.endswith("?") and tok not in ("?",) and not tok.startswith("(")
        core = tok[:-1] if optional and not tok.startswith(")") else tok
        if tok == "(":
            depth += 1
            parts.append("(?:")
            continue
        if tok in (")", ")?", ")*", ")+"):
            depth -= 1
            if depth < 0:
                raise PatternError(f"unbalanced ')' in pattern {pattern!r}")
            parts.append(")" + tok[1:])
            continue
        if tok == "|":
            parts.append("|")
            continue
        if core.startswith(">!") and len(core) > 2:
            # negative look-ahead: the next word is none of these
            alts = []
            for piece in core[2:].split("|"):
                if piece.startswith("@"):
                    if piece[1:] not in lexicons:
                        raise PatternError(f"pattern uses undefined lexicon {piece}")
                    alts.extend(_phrase_rx(p) for e in lexicons[piece[1:]] for p in expand_phrase(e))
                elif piece:
                    alts.append(_word_rx(piece))
            parts.append("(?!" + "|".join(sorted(set(alts))) + ")")
            continue
        if core.startswith("!") and len(core) > 1:
            # negative look-behind: the previous word is none of these
            words: list[str] = []
            for piece in core[1:].split("|"):
                if piece.startswith("@"):
                    if piece[1:] not in lexicons:
                        raise PatternError(f"pattern uses undefined lexicon {piece}")
                    words.extend(p for e in lexicons[piece[1:]] for p in expand_phrase(e) if " " not in p)
                elif piece:
                    words.append(piece.lower())
            parts.append("".join(f"(?<! {re.escape(w)} )" for w in sorted(set(words))))
            continue
        t = re.fullmatch(r"\{TOPIC:([SO])\}", core)
        if t:
            # the section's topic, appended after the sentence: a look-ahead to the end
            slot = t.group(1)
            slots[slot] += 1
            types = subject if slot == "S" else object
            name = f"{slot}_topic"
            parts.append(f"(?=(?:\\S+ )*?(?P<{name}>{MARK}(?:{'|'.join(sorted(types))})#T\\d+ )$)")
            continue
        m = re.fullmatch(r"\{([SO])(\+?)\}", core)
        if m:
            slot, plural = m.groups()
            slots[slot] += 1
            types = subject if slot == "S" else object
            one = _ent_rx(types)
            poss = "(?:" + _ent_rx(_subclasses("Organization")) + "'s )?"
            item = poss + one
            body = f"{one}(?:(?:, )(?:the )?{item})*(?:{_LIST_JOIN}(?:the |its )?{item})?" if plural else one
            name = slot if slots[slot] == 1 else f"{slot}{slots[slot]}"
            rx = f"(?P<{name}>{body})"
            if not nxt.startswith("'s"):
                rx += "(?!'s )"  # a possessor is not the slot's entity
            if slot == "S" and nxt and (nxt.startswith("~") or nxt.startswith("@") or nxt[:1].isalpha()) \
                    and not nxt.startswith("~~"):
                # "X, a Paris-based startup, bought Y" / "X, which also holds ...": skip the aside
                rx += _ASIDE
            if nxt.startswith("~") and not nxt.startswith("~~"):
                rx += "(?!, )"  # "X, a backer of Y, made Z": Y is not the subject
        elif core == "{BRAND}":
            rx = "(?:" + _ent_rx(("Company", "Organization")) + "(?:'s )?)?"
        elif core == "^":
            rx = r"\^ "
        elif core == "{ENT}":
            rx = _ent_rx(any_types)
        elif core.startswith("{ENT:") and core.endswith("}"):
            cls = [c for name in core[5:-1].split(",") for c in _subclasses(name)]
            if not cls:
                raise PatternError(f"unknown class in {tok!r}")
            rx = _ent_rx(tuple(cls))
        elif re.fullmatch(r"~~\d+", core):
            rx = f"(?:{_WIDE_GAP}){{0,{int(core[2:])}}}?"
        elif re.fullmatch(r"~\d+", core):
            rx = f"(?:{_BAD_GAP}){{0,{int(core[1:])}}}?"
        elif re.fullmatch(r"~~?\d+!.+", core):
            wide = core.startswith("~~")
            n, words = core.lstrip("~").split("!", 1)
            stops: list[str] = []
            for w in words.split("|"):
                if w.startswith("@"):
                    if w[1:] not in lexicons:
                        raise PatternError(f"pattern uses undefined lexicon {w}")
                    stops.extend(p for e in lexicons[w[1:]] for p in expand_phrase(e) if " " not in p)
                elif w:
                    stops.append(w.lower())
            stop = "|".join(re.escape(w) for w in sorted(set(stops)))
            rx = f"(?:(?!(?:{stop}) ){_WIDE_GAP if wide else _BAD_GAP}){{0,{int(n)}}}?"
        elif "@" in core:
            alts = []
            for piece in core.split("|"):
                if piece.startswith("@"):
                    if piece[1:] not in lexicons:
                        raise PatternError(f"pattern uses undefined lexicon {piece}")
                    alts.append(_alternation([p for e in lexicons[piece[1:]] for p in expand_phrase(e)]))
                elif piece:
                    alts.append(_word_rx(piece))
            rx = "(?:" + "|".join(alts) + ")"
        elif core.startswith("{") or not core:
            raise PatternError(f"unknown element {tok!r} in pattern {pattern!r}")
        else:
            rx = "(?:" + "|".join(_word_rx(w) for w in core.split("|") if w) + ")"
        parts.append(f"(?:{rx})?" if optional else rx)
    if depth != 0:
        raise PatternError(f"unbalanced '(' in pattern {pattern!r}")
    if not slots["S"] or not slots["O"]:
        raise PatternError(f"pattern {pattern!r} must use both {{S}} and {{O}}")
    body = "".join(parts)
    return r"(?<![^ ])(?=(?P<m>" + body + "))" if anchored else body
