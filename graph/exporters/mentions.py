"""Mentions: every place an entity was found, and how, for reviewing resolution.

One CSV row per mention: the entity it was resolved to, the document and
character offsets, the surface text, and the rule that found or linked it
(``gazetteer``, ``ner_org``, ``pattern_*``, ``coref_description_v1``...; a
``+surname``/``+short_form``/``+acronym`` suffix says how a short form was
merged into a full name). Sort it, filter it in a spreadsheet, and any
wrong merge shows up beside its evidence. String cells are neutralised
against formula injection.
"""

from __future__ import annotations

from graph.exporters import register
from graph.exporters.tabular import clean_text, csv_table, neutralise
from graph.model import KnowledgeGraph

HEADER = ("entity_id", "label", "type", "document", "start", "end", "text", "rule")


@register("mentions", suffix=".mentions.csv", media_type="text/csv")
def generate_mentions(kg: KnowledgeGraph) -> bytes:
    """Return every mention of every entity as CSV (deterministic order).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph, Mention
        >>> m = Mention(doc_id="d", start=0, end=4, text="Acme", type="Company", rule_id="gazetteer")
        >>> generate_mentions(KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme", mentions=(m,)),)))
        b'entity_id,label,type,document,start,end,text,rule\\r\\nacme,Acme,Company,d,0,4,Acme,gazetteer\\r\\n'
    """
    rows = []
    for ent in kg.entities:
        for m in sorted(ent.mentions, key=lambda m: (m.doc_id, m.start, m.end, m.rule_id)):
            rows.append([ent.id, neutralise(clean_text(ent.label)), ent.type, neutralise(clean_text(m.doc_id)),
                         str(m.start), str(m.end), neutralise(clean_text(m.text)), m.rule_id])
    return csv_table(HEADER, rows)
