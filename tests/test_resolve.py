import pytest

from graph.extract.resolve import GazetteerIndex, doc_keys, normalize, slug, strip_legal
from graph.extract.rules import GazetteerEntry


@pytest.mark.parametrize(
    "name, key",
    [("Meta Platforms Inc.", "meta platforms"), ("Meta\u2019s", "meta"), ("Nvidia Corp.", "nvidia"),
     ("the Stargate Project", "stargate project"), ("Alibaba Group Holding Ltd.", "alibaba"),
     ("Group", "group")],
)
def test_resolve_normalize_folds_case_possessive_and_legal_form(name, key):
    assert normalize(name) == key


def test_resolve_slug_is_stable_ascii_and_never_empty():
    assert slug("Timothée Lacroix") == "timothee-lacroix"
    assert slug("Copilot+ PCs") == "copilot-plus-pcs"
    assert slug("深度求索") == slug("深度求索") and slug("深度求索").startswith("x-")
    assert slug("a" * 200) == "a" * 80


def test_resolve_strip_legal_keeps_group_names():
    assert strip_legal("Amazon Web Services, Inc.") == "Amazon Web Services"
    assert strip_legal("Alibaba Group Holding Ltd.") == "Alibaba Group Holding"


def test_resolve_gazetteer_index_finds_any_name():
    idx = GazetteerIndex.build([GazetteerEntry(id="acme", label="Acme", type="Company", aliases=("Acme Corp.",))])
    assert idx.lookup("ACME Corporation") == "acme"
    assert idx.lookup("Acme's") == "acme"
    assert idx.lookup("Other") is None


def test_resolve_merges_surname_short_form_and_acronym():
    keys, merges = doc_keys([
        ("nm:jane roe", "Jane Roe", "Person"), ("nm:roe", "Roe", "Person"),
        ("nm:zephyr ai", "Zephyr AI", "Company"), ("nm:zephyr", "Zephyr", "Company"),
        ("nm:tennessee valley authority", "Tennessee Valley Authority", "Organization"),
        ("nm:tva", "TVA", "Organization"),
    ])
    assert keys == ["nm:jane roe"] * 2 + ["nm:zephyr ai"] * 2 + ["nm:tennessee valley authority"] * 2
    assert {r for _f, _t, r in merges} == {"surname", "short form", "acronym"}


def test_resolve_does_not_merge_ambiguous_or_incompatible():
    keys, merges = doc_keys([
        ("nm:jane roe", "Jane Roe", "Person"), ("nm:john roe", "John Roe", "Person"),
        ("nm:roe", "Roe", "Person"),
        ("nm:paris hilton", "Paris Hilton", "Person"), ("nm:paris", "Paris", "City"),
    ])
    assert keys[2] == "nm:roe" and keys[4] == "nm:paris" and merges == []


@pytest.mark.parametrize("name", ["Harlow Mining AB", "Brekke Kabel ASA", "Kuusi Oyj", "Vanta SpA", "Orla Pte",
                                  "Tarvo S.p.A.", "Lumo Bhd"])
def test_nordic_asian_and_latin_legal_forms_are_one_company_with_the_bare_name(name):
    from graph.extract.resolve import normalize
    bare = name.rsplit(" ", 1)[0]
    assert normalize(name) == normalize(bare)
