import pytest

from graph.extract.patterns_dsl import PatternError, compile_pattern, expand_phrase, inflect

LEX = {"buy": ("acquire+", "buy|bought|buys"), "prep": ("with", "by")}
ORG = ("Company",)


def subjects_objects(pattern, text):
    rx = compile_pattern(pattern, ORG, ORG, LEX)
    out = []
    for m in rx.finditer(text):
        out.append(tuple(m.group(g) for g in ("S", "O")))
    return out


def test_dsl_inflects_regular_verbs():
    assert inflect("acquire") == ("acquire", "acquires", "acquired", "acquiring")
    assert expand_phrase("team+ up with")[1] == "teams up with"


def test_dsl_matches_slots_lexicons_and_gaps():
    found = subjects_objects("{S} ~2 @buy {O}", "^ §Company#0 has quietly acquired §Company#1 . ")
    assert found == [("§Company#0 ", "§Company#1 ")]


def test_dsl_gap_never_crosses_a_mention_or_clause_break():
    assert subjects_objects("{S} ~4 @buy {O}", "^ §Company#0 and §Company#2 bought §Company#1 . ") == [("§Company#2 ", "§Company#1 ")]
    assert subjects_objects("{S} ~4 @buy {O}", "^ §Company#0 ; it bought §Company#1 . ") == []


def test_dsl_possessor_is_not_the_slot_entity():
    assert subjects_objects("{S} ~2 @buy {O}", "^ §Company#0 bought §Company#1 's §Company#2 . ") == [("§Company#0 ", "§Company#2 ")] or \
        subjects_objects("{S} ~2 @buy {O}", "^ §Company#0 bought §Company#1 's §Company#2 . ") == []


def test_dsl_lookbehind_excludes_prepositional_subjects():
    assert subjects_objects("!@prep {S} ~3 @buy {O}", "^ a deal with §Company#0 to buy §Company#1 . ") == []
    assert subjects_objects("!@prep {S} ~3 @buy {O}", "^ §Company#0 will buy §Company#1 . ") != []


def test_dsl_lists_give_every_member():
    rx = compile_pattern("{S+} @buy {O}", ORG, ORG, LEX)
    m = next(rx.finditer("^ §Company#0 , §Company#1 and §Company#2 bought §Company#3 . "))
    assert m.group("S").count("§") == 3


@pytest.mark.parametrize(
    "pattern, fragment",
    [("{S} ( bought {O}", "unbalanced '('"), ("{S} bought )", "unbalanced ')'"),
     ("{S} bought it", "must use both"), ("{S} @nope {O}", "undefined lexicon @nope"),
     ("{S} {X} {O}", "unknown element"), ("", "empty pattern")],
)
def test_dsl_bad_patterns_raise_pattern_error(pattern, fragment):
    with pytest.raises(PatternError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        compile_pattern(pattern, ORG, ORG, LEX)


def test_required_words_are_the_mandatory_word_elements():
    from graph.extract.patterns_dsl import required_words

    def req(pattern):
        return [sorted(w) for w in required_words(pattern, LEX)]

    assert req("{S} ~2 @buy {O}") == [sorted({"acquire", "acquires", "acquired", "acquiring", "buy", "bought", "buys"})]
    # optional words and groups, look-arounds, gaps and slots require nothing
    assert req("!@prep {S} (has|have)? ~3 the? @buy|took >!over {O}")[0][-1] == "took"
    assert req("{S} (bought|took)* ({ENT} 's)? {O}") == []
    # a group needs one of the words its alternatives each need
    assert req("{S} ( bought | took over ) {O}") == [["bought", "took"]]
    assert req("{S} ((has|had)? sold|(gave|lent) away) {O}") == [["away", "sold"]]  # the smaller need of each
    assert req("{S} (a|b)+ {O}") == [["a", "b"]]
    assert req("{S} (bought|{ENT}) {O}") == []  # an alternative that needs no word
    assert req("{S} co-founder of {O}") == [["co"], ["of"]]


def test_required_words_never_skip_a_sentence_a_rule_matches():
    """Every shipped pattern, over every rule example: a match implies its required words."""

    import yaml

    from graph.extract.mentions import doc_mentions
    from graph.extract.pipeline import load_nlp
    from graph.extract.rules import load_rules
    from graph.extract.surface import compile_rules, symbolize
    from graph.resources import pattern_path

    nlp = load_nlp("blank")
    loaded = load_rules()
    rules = compile_rules(loaded.relations)
    texts = []
    for path in sorted(pattern_path("examples").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [ex["text"] for kind in ("positive", "negative") for ex in data.get(kind) or []]
    matched = 0
    for doc in nlp.pipe(texts):
        ms = doc_mentions(doc, loaded.index)
        for sent in doc.sents:
            sym = symbolize(sent, [m for m in ms if m.start >= sent.start and m.end <= sent.end])
            words = set(sym.words)
            for comp in rules:
                for ri, needs in enumerate(comp.needs):
                    if comp.regex(ri).search(sym.string):
                        matched += 1
                        assert all(words & need for need in needs), (comp.rule.id, sym.string)
    assert matched > 50



def test_packaged_regexes_are_compiled_when_a_sentence_first_needs_them():
    from graph.extract.extraction import get_extraction
    from graph.extract.pipeline import build_pipeline
    from graph.extract.relations import RelationExtractor
    from graph.extract.rules import load_rules

    nlp = build_pipeline("blank")
    text = "Acme Robotics acquired Zed Labs in March. Zed Labs makes the Q7 sensor."
    lazy = RelationExtractor(load_rules())
    assert all(rx is None for comp in lazy.rules for rx in comp.regexes)  # loading compiles none
    eager = RelationExtractor(load_rules())
    for comp in eager.rules:
        for ri in range(len(comp.regexes)):
            comp.regex(ri)
    got = get_extraction(lazy(nlp(text)))
    assert got == get_extraction(eager(nlp(text)))
    assert got.relations  # the sentences needed some patterns...
    compiled = sum(rx is not None for comp in lazy.rules for rx in comp.regexes)
    assert 0 < compiled < sum(len(comp.regexes) for comp in lazy.rules)  # ...and only those were compiled


def test_a_packaged_regex_that_does_not_compile_is_a_rule_error(monkeypatch):
    from graph.errors import RuleError
    from graph.extract import surface
    from graph.extract.rules import load_rules

    comp = surface.compile_rules(load_rules().relations)[0]

    def broken(*args, **kwargs):
        raise PatternError("pattern 'x' does not compile: missing ), unterminated subpattern")

    monkeypatch.setattr(surface, "compile_pattern", broken)
    with pytest.raises(RuleError, match=f"relations.yaml:{comp.rule.line}: {comp.rule.id}: .*does not compile"):
        comp.regex(0)


def test_dsl_wide_gap_with_excluded_words_crosses_mentions_but_not_those_words():
    pattern = "{S} , ~~6!but|and , @buy {O}"
    # an appositive with a name inside it is crossed
    assert subjects_objects(pattern, "^ §Company#0 , a unit of §Company#2 , bought §Company#1 . ") == [
        ("§Company#0 ", "§Company#1 ")]
    # "but"/"and" in the gap: the verb belongs to another clause
    assert subjects_objects(pattern, "^ §Company#0 , but the unit of §Company#2 , bought §Company#1 . ") == []
