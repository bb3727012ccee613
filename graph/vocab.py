r"""The ekg: namespace as a closed rdflib ``DefinedNamespace``.

Generated from ``ontology/kg.ttl``, minus the generator's timestamp, with::

    python -m rdflib.tools.defined_namespace_creator --fail \
        ontology/kg.ttl "https://w3id.org/entity-kg/ontology#" EKG

Kept in step with the ontology by ``tests/test_vocab.py`` (both ways, and
against a fresh run of the generator): code writes ``EKG.employeeOf``, never
an IRI string, and a typo is an ``AttributeError`` rather than a silent new
term. Regenerate after changing the ontology; do not edit the class by hand.
"""

from __future__ import annotations

from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://w3id.org/entity-kg/ontology"
RESOURCE_BASE = "https://w3id.org/entity-kg/resource/"
WD = Namespace("http://www.wikidata.org/entity/")
#: Dublin Core terms (a document's ``dcterms:title`` and ``dcterms:date``) and
#: schema.org (its ``schema:url``), as rdflib names them.
DCT = DCTERMS
SCHEMA = SDO

#: The one prefix map: every file entity-kg writes declares these (Turtle, TriG,
#: the JSON-LD ``@context``), every SPARQL query may use them undeclared, and IRIs
#: in reports and tables are shortened with them. Sorted by name.
PREFIXES: dict[str, str] = {
    "dcterms": str(DCTERMS),
    "ekg": ONTOLOGY_IRI + "#",
    "kgr": RESOURCE_BASE,
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SDO),
    "skos": str(SKOS),
    "wd": str(WD),
    "xsd": str(XSD),
}


class EKG(DefinedNamespace):
    """
    entity-kg ontology: classes and properties of the built graphs.

    Generated from: ontology/kg.ttl
    """

    _NS = Namespace("https://w3id.org/entity-kg/ontology#")

    _fail = True

    AIModel: URIRef  # A trained machine-learning model or model family.
    Approach: URIRef  # A way of working or licensing.
    Assertion: URIRef  # An extracted relation, reified: rdf:subject, rdf:predicate and rdf:object name the plain triple it stands for. There is one assertion per distinct (subject, predicate, object); it carries the confidence, the qualifiers (ekg:amount, ekg:currency, ekg:date, ekg:count) and one ekg:evidence per sentence that states the relation.
    Chip: URIRef  # A processor or accelerator chip (GPU, CPU, AI accelerator).
    City: URIRef  # A city or town.
    Company: URIRef  # A business: an organisation that makes, sells or provides goods or services.
    Country: URIRef  # A country.
    Document: URIRef  # A source text the graph was built from. Its rdfs:label is the file name.
    Evidence: URIRef  # One piece of evidence for an assertion: a sentence of a document (prov:wasDerivedFrom), its character offsets in the document, the rule or model that read the relation from it, and that rule's confidence.
    GovernmentBody: URIRef  # A state body: a government, ministry, department, agency or regulator.
    Initiative: URIRef  # A named, organised undertaking. Built graphs type such entities with the subclass ekg:Project.
    Organization: URIRef  # Any organisation: a company, a government body, a research firm, a news outlet.
    Person: URIRef  # A person.
    Place: URIRef  # A place: a region, state, country or city.
    Product: URIRef  # A thing made or offered: hardware, software, a service.
    Project: URIRef  # A named undertaking, venture or programme.
    Technology: URIRef  # A technique or method.
    acquired: URIRef  # Reads as: X bought Y (a completed acquisition, not a pending or reported deal).
    amount: URIRef  # A sum of money the relation involves (e.g. an investment), in the unit of ekg:currency.
    articleCount: URIRef  # In a store's relation summary: how many documents the relation's evidence was derived from.
    articleDates: URIRef  # In a store's relation summary: the distinct dates (dcterms:date) of those documents, in order, separated by spaces.
    backerOf: URIRef  # Reads as: X financially or strategically supports Y. Example: Microsoft backerOf OpenAI.
    ceoOf: URIRef  # Reads as: X is chief executive of Y. Implies X ekg:employeeOf Y.
    charEnd: URIRef  # Character offset (0-based, in Unicode code points) just after the last character of the sentence in the document (end exclusive).
    charStart: URIRef  # Character offset (0-based, in Unicode code points) of the first character of the sentence in the document.
    competitorOf: URIRef  # Reads as: X competes with Y (and Y with X).
    confidence: URIRef  # Confidence in [0, 1]: of the rule or model for one piece of evidence, or of the relation overall on an assertion.
    contentHash: URIRef  # A hash of a document's text, as "sha256:" followed by 64 lower-case hex digits.
    count: URIRef  # A number of items the relation involves, e.g. 2048 for "2,048 GPUs".
    currency: URIRef  # The ISO 4217 code of the currency of ekg:amount, e.g. "USD".
    date: URIRef  # When the relation was stated to hold or happen, as precise as the text gives it: xsd:date, xsd:gYearMonth or xsd:gYear.
    developerOf: URIRef  # Reads as: X develops or created Y. Examples: DeepSeek developerOf DeepSeek-V3; Meta developerOf Llama 4.
    distributorOf: URIRef  # Reads as: X makes Y available to its users. Example: Microsoft distributorOf DeepSeek-R1.
    employeeOf: URIRef  # Reads as: Y employs X, in any role (current roles only).
    evidence: URIRef  # Links an assertion to a piece of evidence (a sentence) that states it.
    foundedBy: URIRef  # Reads as: X was founded by Y.
    headquarteredIn: URIRef  # Reads as: X is based in Y ("X-based", "headquartered in"). Example: DeepSeek headquarteredIn Hangzhou.
    investsIn: URIRef  # Reads as: X invests in Y; an investor in a venture, company or technology. The amount is a qualifier on the ekg:Assertion.
    locatedIn: URIRef  # Reads as: X lies in Y; a city in its country or state, recorded only when the text relates them ("Santa Clara, California").
    manufacturerOf: URIRef  # Reads as: X makes Y. The brand owner of a chip or product is its manufacturer; so is a foundry that the text says makes it. Example: Nvidia manufacturerOf H100.
    marketShare: URIRef  # A market share as a fraction in [0, 1], e.g. 0.9 for 90 %.
    mentions: URIRef  # Reads as: document X mentions entity Y.
    parameterCount: URIRef  # The number of parameters of an AI model, e.g. 671000000000.
    partnerIn: URIRef  # Reads as: X is a partner in project Y. Example: OpenAI partnerIn Stargate Project.
    restricts: URIRef  # Reads as: X restricts (exports of, or access to) Y; e.g. a government's export licence requirement on a chip.
    rule: URIRef  # The id of the rule or model that produced the evidence, e.g. "supplier_of_v1"; when several rules read the same sentence, their ids separated by spaces, the most confident first (one evidence per sentence).
    sentence: URIRef  # The text of the sentence that is the evidence, exactly as in the document.
    subsidiaryOf: URIRef  # Reads as: X is owned by Y.
    summaryConfidence: URIRef  # In a store's relation summary: the relation's confidence (the assertion's ekg:confidence; the highest, should loaded files disagree).
    summaryObject: URIRef  # In a store's relation summary: the object of the assertion's relation (its rdf:object).
    summaryPredicate: URIRef  # In a store's relation summary: the predicate of the assertion's relation (its rdf:predicate).
    summarySubject: URIRef  # In a store's relation summary: the subject of the assertion's relation (its rdf:subject).
    supplierOf: URIRef  # Reads as: X supplies product Y, or X supplies organisation Y. Examples: Nvidia supplierOf H800; Nvidia supplierOf DeepSeek.
    trainedOn: URIRef  # Reads as: model X was trained on chip Y. Example: DeepSeek-V3 trainedOn H800.
    uses: URIRef  # Reads as: X uses Y. Examples: DeepSeek uses H800; DeepSeek uses Mixture of Experts; Alibaba uses open source.
