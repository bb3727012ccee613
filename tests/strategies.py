"""Hypothesis strategies shared by the property tests.

* :func:`unicode_text`: any text at all (every Unicode category but lone
  surrogates, which are not text), with the line ends and odd characters
  that break readers weighted up.
* :func:`news_text`: text made of the pieces news is made of (known company,
  chip and model names, the verbs and frames of the relation rules, legal
  suffixes, money, dates, punctuation, line breaks) mixed with random and
  hostile fragments, so that examples do produce entities and relations.
* :func:`corpus`: a few such documents.
"""

from __future__ import annotations

from hypothesis import strategies as st

NAMES = [
    "Acme Corp.", "Widgets Inc.", "Nvidia", "Nvidia Corp.", "OpenAI", "Oracle", "SoftBank", "Microsoft",
    "DeepSeek", "TSMC", "Intel", "AMD", "the H100", "H800 chips", "Blackwell", "DeepSeek-V3", "GPT-4o",
    "Llama 3", "the Stargate Project", "Project Stargate", "Jensen Huang", "Sam Altman", "Paris", "Hangzhou",
    "China", "the United States", "Meta Platforms Inc.", "Alibaba Group Holding Ltd.", "Anthropic", "Mistral AI",
]
WORDS = [
    "acquired", "makes", "manufactures", "supplies", "is a partner in", "in partnership with", "launched",
    "invested $10 billion in", "backs", "is headquartered in", "based in", "trained on", "developed",
    "uses", "open source", "its", "it", "the company", "the chipmaker", "the startup", "CEO", "chief executive",
    "founder of", "former", "not", "reportedly", "may", "did not", "said", "and", "or", "but", "with",
    "of", "in", "on", "for", "by", "a", "the", "'s", "Inc.", "Corp.", "Ltd.", "LLC", "GmbH", "in 2024",
    "on March 3, 2025", "2,048", "671 billion parameters", "40%", "$6 million", "€2bn",
]
PUNCT = [".", ",", ";", ":", "!", "?", "-", "–", "—", "(", ")", "[", "]", '"', "'", "“", "”", "‘", "’",
         "\n", "\n\n", "\r\n", "\r", "\t", " ", "  ", "•", "- ", "# ", "**", "…"]
HOSTILE = [
    "<script>alert(1)</script>", '"""', "\\", "\\n", "@prefix ex: <http://evil> .", "<http://evil>",
    "'); MATCH (n) DETACH DELETE n; //", '=HYPERLINK("http://evil")', "🦄", "👩‍👩‍👧‍👦", "שלום",
    "مرحبا", "\u202e", "\u200b", "\u200d", "\ufeff", "\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85",
    "\u2028", "\u2029", "\ufffd", "\U0001d518", "&amp;", "%s", "{0}", "${x}",
]

#: Any character but lone surrogates.
CHARS = st.characters(blacklist_categories=("Cs",))


def unicode_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Any text: random Unicode, with odd characters and line ends weighted up."""
    return st.one_of(
        st.text(CHARS, max_size=max_size),
        st.lists(st.one_of(st.text(CHARS, max_size=8), st.sampled_from(PUNCT + HOSTILE)),
                 max_size=max_size // 4).map("".join),
    )


def news_text(max_pieces: int = 60) -> st.SearchStrategy[str]:
    """News-like text: names, rule words and punctuation, with random and hostile bits."""
    piece = st.one_of(
        st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from(WORDS), st.sampled_from(WORDS),
        st.sampled_from(PUNCT), st.sampled_from(HOSTILE), st.text(CHARS, min_size=1, max_size=6),
    )
    return st.lists(piece, min_size=1, max_size=max_pieces).map(" ".join)


def any_text() -> st.SearchStrategy[str]:
    """Either kind of text."""
    return st.one_of(unicode_text(), news_text())


def corpus(min_size: int = 2, max_size: int = 4) -> st.SearchStrategy[list[str]]:
    """A few news-like documents, each with some text."""
    return st.lists(news_text(30).filter(lambda t: t.strip()), min_size=min_size, max_size=max_size)
