from pathlib import Path

import pytest

from graph.building.documents import read_documents, read_text
from graph.building.text import html_to_text
from graph.errors import InputError


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_documents_reads_plain_text_with_bom_and_crlf(tmp_path):
    p = write(tmp_path, "a.txt", b"\xef\xbb\xbfAcme Corp.\r\nsecond\rthird")
    assert read_text(p) == "Acme Corp.\nsecond\nthird"


def test_documents_html_drops_script_style_comments_and_keeps_blocks(tmp_path):
    markup = b"<html><head><title>T</title><style>p{}</style></head><body><p>Acme &amp; Co.</p><!-- hidden --><script>alert(1)</script><ul><li>one</li><li>two</li></ul></body></html>"
    text = read_text(write(tmp_path, "a.html", markup))
    assert "alert" not in text and "hidden" not in text and "p{}" not in text
    assert text.splitlines() == ["Acme & Co.", "- one", "- two"]


def test_documents_broken_html_still_gives_text():
    assert html_to_text("<div><p>Open <b>bold</div> tail") == "Open bold\ntail"


def test_documents_markdown_markup_removed(tmp_path):
    p = write(tmp_path, "a.md", b"# Title\n**Acme** buys [Widgets](http://x).")
    assert read_text(p) == "Title\nAcme buys Widgets."


@pytest.mark.parametrize(
    "name, data, fragment",
    [
        ("empty.txt", b"", "empty document"),
        ("blank.txt", b"  \n\t\n", "empty document"),
        ("latin1.txt", "Caf\u00e9 Acme".encode("latin-1"), "not valid utf-8 text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("data.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
        ("empty.html", b"<html><script>x</script></html>", "empty document"),
    ],
)
def test_documents_bad_input_names_file_and_problem(tmp_path, name, data, fragment):
    p = write(tmp_path, name, data)
    with pytest.raises(InputError) as info:
        read_text(p)
    msg = str(info.value)
    assert msg.startswith(str(p) + ": ") and fragment in msg and "\n" not in msg


def test_documents_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "nope.txt")
    (tmp_path / "d.txt").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        read_text(tmp_path / "d.txt")


def test_documents_encoding_override(tmp_path):
    p = write(tmp_path, "latin1.txt", "Caf\u00e9 Acme".encode("latin-1"))
    assert read_text(p, encoding="latin-1") == "Caf\u00e9 Acme"
    with pytest.raises(InputError, match="unknown encoding"):
        read_text(p, encoding="klingon")


def test_documents_ids_unique_and_stable(tmp_path):
    (tmp_path / "x").mkdir()
    a = write(tmp_path, "news.txt", b"one")
    b = write(tmp_path / "x", "news.txt", b"two")
    docs = list(read_documents([a, b, "raw text"]))
    assert len({d.id for d in docs}) == 3
    assert docs[2].id == "text-1" and docs[2].source == "<text 1>"
    assert docs[0].content_hash.startswith("sha256:") and len(docs[0].content_hash) == 71
