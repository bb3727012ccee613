"""Assembly: merging across documents, classes, labels, inferences."""

import graph
from graph.building.assemble import combine


def test_assemble_entities_merge_across_documents_with_all_surface_forms():
    kg = graph.build(["Nvidia Corp. makes the H100.", "Shares of Nvidia rose."], model="blank")
    nv = kg.find("Nvidia")
    assert nv.id == "nvidia" and nv.label == "Nvidia" and "Nvidia Corp." in nv.aliases
    assert {m.doc_id for m in nv.mentions} == {"text-1", "text-2"}
    assert len(kg.documents) == 2
    mentioned = dict(kg.mentions_by_doc)
    assert "nvidia" in mentioned["text-1"] and "nvidia" in mentioned["text-2"]


def test_assemble_unknown_names_get_stable_slug_ids_and_legal_free_labels():
    kg = graph.build(["Zorblax Quantum Holdings Inc. acquired Quintel Systems Corp."], model="blank")
    z = kg.find("Zorblax Quantum Holdings")
    assert z is not None and z.id == "zorblax-quantum" and z.type == "Company"
    assert ("Zorblax Quantum Holdings", "acquired", "Quintel Systems") in kg.triples()


def test_assemble_relation_keeps_every_evidence_and_combines_confidence():
    kg = graph.build(["Microsoft acquired Activision Blizzard Inc.\nMicrosoft bought Activision Blizzard Inc. last year."], model="blank")
    rel = next(r for r in kg.relations if r.predicate == "acquired")
    assert len(rel.evidence) == 2
    assert rel.confidence == combine(e.confidence for e in rel.evidence) > max(e.confidence for e in rel.evidence)
    assert all(e.sentence and e.end > e.start for e in rel.evidence)


def test_assemble_evidence_offsets_point_at_the_sentence():
    text = "Intro line.\nMicrosoft acquired Activision Blizzard Inc. in 2023."
    kg = graph.build([text], model="blank")
    ev = kg.relations[0].evidence[0]
    assert text[ev.start:ev.end] == ev.sentence


def test_assemble_inference_developer_uses_chip_of_its_model():
    t = graph.build(["Anthropic released Claude 9.\nClaude 9 was trained on Trainium2 chips."], model="blank").triples()
    assert ("Claude 9", "trainedOn", "Trainium2") in t
    assert ("Anthropic", "uses", "Trainium2") in t
    assert ("Claude 9", "uses", "Trainium2") not in t


def test_assemble_symmetric_relation_stored_once():
    kg = graph.build(["AMD competes with Nvidia.\nNvidia competes with AMD."], model="blank")
    comp = [r for r in kg.relations if r.predicate == "competitorOf"]
    assert len(comp) == 1 and len(comp[0].evidence) == 2


def test_assemble_min_confidence_filters():
    text = "Microsoft acquired Activision Blizzard Inc."
    assert graph.build([text], model="blank").relations
    assert not graph.build([text], model="blank", min_confidence=0.99).relations


def test_assemble_inferred_relation_cites_each_premise_once_however_often_it_is_said():
    # "Acme uses the H100" in five articles: the inferred supplierOf cites its best
    # sentence once (plus the manufacturer's), so inferred evidence grows with the
    # facts, not with the square of the corpus
    texts = ["Nvidia manufactures the H100 chip."] + [f"Acme Corp. uses the H100 in its data centres. Note {i}."
                                                     for i in range(5)]
    kg = graph.build(texts, model="blank")
    rel = {(r.subject, r.predicate, r.object): r for r in kg.relations}
    assert len(rel[("acme", "uses", "h100")].evidence) == 5
    inferred = rel[("nvidia", "supplierOf", "h100")]
    assert {e.rule_id for e in inferred.evidence} == {"supplier_from_customer_use_v1"}
    assert sorted((e.doc_id, e.sentence) for e in inferred.evidence) == [
        ("text-1", "Nvidia manufactures the H100 chip."), ("text-2", "Acme Corp. uses the H100 in its data centres.")]


def test_assemble_one_evidence_per_sentence_however_many_rules_read_it():
    from conftest import MODEL, require_model

    require_model()
    one = "Microsoft, a backer of OpenAI, opened an office in Paris."
    kg = graph.build([one], model=MODEL)
    rel = next(r for r in kg.relations if r.predicate == "backerOf")
    assert len(rel.evidence) == 1
    rules = rel.evidence[0].rule_id.split()
    assert len(rules) >= 2 and len(set(rules)) == len(rules)  # the surface and the nominal rule, once each
    assert rel.confidence == rel.evidence[0].confidence  # one sentence: one witness
    two = graph.build([one + "\nMicrosoft is a backer of OpenAI."], model=MODEL)
    rel2 = next(r for r in two.relations if r.predicate == "backerOf")
    assert len(rel2.evidence) == 2 and rel2.confidence == combine(e.confidence for e in rel2.evidence) > rel.confidence
