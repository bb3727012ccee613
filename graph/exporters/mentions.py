"""Mentions: every place an entity was found, and how, for reviewing resolution.

One CSV row per mention: the entity it was resolved to, the document and
character offsets, the surface text, and the rule that found or linked it
(``gazetteer``, ``ner_org``, ``pattern_*``, ``coref_description_v1``...; a
``+surname``/``+short_form``/``+acronym`` suffix says how a short form was
merged into a full name), then the document's title, date and URL when its
input states them. Sort it, filter it in a spreadsheet, and any wrong merge
shows up beside its evidence. String cells are neutralised against formula
injection.
"""

from __future__ import annotations

from graph.exporters import register
from graph.exporters.tabular import clean_text, csv_table, neutralise
from graph.model import KnowledgeGraph

HEADER = ("entity_id", "label", "type", "document", "start", "end", "text", "rule",
          "document_title", "document_date", "document_url")


@register("mentions", suffix=".mentions.csv", media_type="text/csv")
def generate_mentions(kg: KnowledgeGraph) -> bytes:
    """Return every mention of every entity as CSV (deterministic order).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph, Mention
        >>> m = Mention(doc_id="d", start=0, end=4, text="Acme", type="Company", rule_id="gazetteer")
        >>> generate_mentions(KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme", mentions=(m,)),)))
        b'entity_id,label,type,document,start,end,text,rule,document_title,document_date,document_url\\r\\nacme,Acme,Company,d,0,4,Acme,gazetteer,,,\\r\\n'
    """
    docs: dict[str, list[str | None]] = {
        d.id: [neutralise(clean_text(d.title)) if d.title else None, d.date,
               neutralise(clean_text(d.url)) if d.url else None] for d in kg.documents}
    rows: list[list[str | None]] = []
    for ent in kg.entities:
        for m in sorted(ent.mentions, key=lambda m: (m.doc_id, m.start, m.end, m.rule_id)):
            rows.append([ent.id, neutralise(clean_text(ent.label)), ent.type, neutralise(clean_text(m.doc_id)),
                         str(m.start), str(m.end), neutralise(clean_text(m.text)), m.rule_id,
                         *docs.get(m.doc_id, [None, None, None])])
    return csv_table(HEADER, rows)
