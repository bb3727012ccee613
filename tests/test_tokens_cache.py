"""The per-user disk cache of the gazetteer names' tokens: keyed, atomic, rebuilt when bad, optional."""

from __future__ import annotations

import json

import pytest
import spacy

from graph.extract import tokens_cache
from graph.extract.gazetteer import GazetteerRuler

NAMES = ["Acme Robotics", "Zed-Labs Inc.", "U.S.-based", "Q7 Sensor's"]


@pytest.fixture()
def cache_home(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_NO_CACHE", raising=False)
    monkeypatch.delenv("KG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "entity-kg"


def tokenized(nlp, texts):
    return [([t.text for t in d], [bool(t.whitespace_) for t in d]) for d in map(nlp.make_doc, texts)]


def entries(folder):
    return sorted(folder.glob("gazetteer-tokens-*.json"))


def test_tokens_cache_lives_under_xdg_cache_home_and_is_read_back(cache_home, monkeypatch):
    nlp = spacy.blank("en")
    assert tokens_cache.split_all(nlp, NAMES) == tokenized(nlp, NAMES)
    [entry] = entries(cache_home)
    assert json.loads(entry.read_text(encoding="utf-8"))["key"] == tokens_cache.cache_key(nlp, NAMES)
    # a second start-up reads the entry: the tokenizer is not asked again
    monkeypatch.setattr(nlp, "make_doc", lambda text: pytest.fail("tokenized although cached"))
    assert tokens_cache.split_all(nlp, NAMES) == tokenized(spacy.blank("en"), NAMES)


def test_tokens_cache_default_folder_is_home_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_NO_CACHE", raising=False)
    monkeypatch.delenv("KG_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert tokens_cache.cache_dir() == tmp_path / ".cache" / "entity-kg"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/allowed")  # the spec ignores a relative path
    assert tokens_cache.cache_dir() == tmp_path / ".cache" / "entity-kg"


def test_tokens_cache_is_keyed_by_the_names_and_the_tokenizer(cache_home):
    nlp = spacy.blank("en")
    tokens_cache.split_all(nlp, NAMES)
    other = NAMES[:-1] + ["Q7 Sensors"]
    assert tokens_cache.split_all(nlp, other) == tokenized(nlp, other)
    assert len(entries(cache_home)) == 2
    # the same names with a tokenizer that splits them otherwise: a new entry, the new split
    nlp.tokenizer.add_special_case("Robotics", [{"ORTH": "Robot"}, {"ORTH": "ics"}])
    got = tokens_cache.split_all(nlp, NAMES)
    assert got[0] == (["Acme", "Robot", "ics"], [True, False, False])
    assert len(entries(cache_home)) == 3
    assert tokens_cache.cache_key(spacy.blank("en"), NAMES) != tokens_cache.cache_key(nlp, NAMES)
    assert tokens_cache.cache_key(spacy.blank("de"), NAMES) != tokens_cache.cache_key(spacy.blank("en"), NAMES)


@pytest.mark.parametrize("damage", [
    b"{not json", b"", json.dumps({"key": "another", "splits": []}).encode(),
    "same key, wrong shape", "same key, one name short",
])
def test_tokens_cache_a_corrupt_entry_is_ignored_and_rewritten(cache_home, damage):
    nlp = spacy.blank("en")
    tokens_cache.split_all(nlp, NAMES)
    [entry] = entries(cache_home)
    key = tokens_cache.cache_key(nlp, NAMES)
    if damage == "same key, wrong shape":
        damage = json.dumps({"key": key, "splits": [[["Acme"], [True, False]]] * len(NAMES)}).encode()
    elif damage == "same key, one name short":
        damage = json.dumps({"key": key, "splits": tokenized(nlp, NAMES)[:-1]}).encode()
    entry.write_bytes(damage)
    assert tokens_cache.split_all(nlp, NAMES) == tokenized(nlp, NAMES)
    assert json.loads(entry.read_text(encoding="utf-8"))["splits"] == [list(map(list, s)) for s in tokenized(nlp, NAMES)]


def test_tokens_cache_an_unwritable_folder_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.delenv("KG_NO_CACHE", raising=False)
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker / "entity-kg"))
    nlp = spacy.blank("en")
    assert tokens_cache.split_all(nlp, NAMES) == tokenized(nlp, NAMES)
    assert blocker.read_text() == "not a folder"


def test_tokens_cache_is_written_atomically(cache_home, monkeypatch):
    """The entry appears whole or not at all: written to a temporary file, then renamed."""
    import os

    renamed = []
    real = os.replace

    def watch(src, dst, *a, **kw):
        renamed.append((src, dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", watch)
    tokens_cache.split_all(spacy.blank("en"), NAMES)
    [entry] = entries(cache_home)
    assert [str(d) for _s, d in renamed] == [str(entry)]
    assert [p.name for p in cache_home.iterdir()] == [entry.name]  # no temporary left


def test_tokens_cache_can_be_turned_off(cache_home, monkeypatch):
    monkeypatch.setenv("KG_NO_CACHE", "1")
    nlp = spacy.blank("en")
    assert tokens_cache.split_all(nlp, NAMES) == tokenized(nlp, NAMES)
    assert not cache_home.exists()


def test_tokens_cache_keeps_the_newest_entries(cache_home):
    nlp = spacy.blank("en")
    for k in range(tokens_cache.KEEP + 3):
        tokens_cache.split_all(nlp, [*NAMES, f"Name {k}"])
    assert len(entries(cache_home)) == tokens_cache.KEEP


def test_gazetteer_ruler_matches_the_same_with_the_cache(cache_home):
    nlp = spacy.blank("en")
    patterns = [{"label": "Company", "pattern": name, "id": f"id-{k}"} for k, name in enumerate(NAMES)]
    text = "Acme Robotics and Zed-Labs Inc. met a U.S.-based maker of the Q7 Sensor's parts."
    found = []
    for _ in range(2):  # the first fills the cache, the second reads it
        ruler = GazetteerRuler(nlp)
        ruler.add_patterns(patterns, cached=True)
        found.append([(e.text, e.label_, e.id_) for e in ruler(nlp.make_doc(text)).ents])
    plain = GazetteerRuler(nlp)
    plain.add_patterns(patterns)
    assert found[0] == found[1] == [(e.text, e.label_, e.id_) for e in plain(nlp.make_doc(text)).ents]
    assert len(found[0]) == 4
