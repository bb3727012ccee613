"""The ekg: namespace as a closed rdflib ``DefinedNamespace``.

Kept in step with ``ontology/kg.ttl`` by ``tests/test_vocab.py`` (both
ways): code writes ``EKG.employeeOf``, never an IRI string, and a typo is an
``AttributeError`` at import time rather than a silent new term.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://w3id.org/entity-kg/ontology"
RESOURCE_BASE = "https://w3id.org/entity-kg/resource/"


class EKG(DefinedNamespace):
    """entity-kg ontology: https://w3id.org/entity-kg/ontology#"""

    _fail = True

    # classes
    Organization: URIRef
    Company: URIRef
    GovernmentBody: URIRef
    Initiative: URIRef
    Project: URIRef
    Product: URIRef
    Chip: URIRef
    AIModel: URIRef
    Technology: URIRef
    Approach: URIRef
    Person: URIRef
    Place: URIRef
    Country: URIRef
    City: URIRef
    Document: URIRef
    Assertion: URIRef
    Evidence: URIRef

    # object properties between entities
    partnerIn: URIRef
    supplierOf: URIRef
    manufacturerOf: URIRef
    uses: URIRef
    developerOf: URIRef
    trainedOn: URIRef
    headquarteredIn: URIRef
    locatedIn: URIRef
    investsIn: URIRef
    backerOf: URIRef
    distributorOf: URIRef
    competitorOf: URIRef
    subsidiaryOf: URIRef
    acquired: URIRef
    foundedBy: URIRef
    employeeOf: URIRef
    ceoOf: URIRef
    restricts: URIRef
    mentions: URIRef

    # qualifiers
    amount: URIRef
    currency: URIRef
    date: URIRef
    parameterCount: URIRef
    marketShare: URIRef
    count: URIRef

    # provenance
    evidence: URIRef
    sentence: URIRef
    charStart: URIRef
    charEnd: URIRef
    rule: URIRef
    confidence: URIRef
    contentHash: URIRef

    _NS = Namespace("https://w3id.org/entity-kg/ontology#")
