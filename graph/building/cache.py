"""The ``--update`` cache: one document's extraction per file, keyed by content and pipeline.

A file is named by the document's content hash and the pipeline signature
(:func:`graph.extract.pipeline.pipeline_signature`, which includes the
extraction schema version), so an extraction is reused only for the same
text, code, model and rules. After a build, :meth:`ExtractionCache.prune`
drops the files of documents no longer in the input.
"""

from __future__ import annotations

import json
from pathlib import Path

from graph.errors import OutputError
from graph.extract.extraction import Extraction
from graph.files import recover, write_atomic


class ExtractionCache:
    """A folder of cached extractions for one pipeline signature."""

    def __init__(self, folder: Path, signature: str) -> None:
        self.folder = folder
        self.signature = signature
        self.used: set[Path] = set()
        recover(folder)  # a killed build's temporaries; once here, not per write (a scan of the folder)

    def path(self, content_hash: str) -> Path:
        """The file of a document with ``content_hash`` (``sha256:...``)."""
        return self.folder / f"{content_hash.split(':', 1)[1][:40]}-{self.signature}.json"

    def get(self, content_hash: str) -> Extraction | None:
        """The cached extraction, or None (none, unreadable, or another schema)."""
        path = self.path(content_hash)
        try:
            ext = Extraction.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(path)
        return ext

    def put(self, content_hash: str, extraction: Extraction) -> None:
        """Store ``extraction`` (atomically).

        Raises:
            OutputError: the folder cannot be written.
        """
        path = self.path(content_hash)
        data = json.dumps(extraction.to_json(), sort_keys=True, ensure_ascii=False).encode("utf-8")
        try:
            write_atomic(data, path, recovered=True)
        except OutputError as err:
            raise OutputError(f"cannot write the extraction cache: {err.message}", path=err.path) from err
        self.used.add(path)

    def prune(self) -> None:
        """Remove the files this build did not use (documents no longer in the input)."""
        if self.folder.is_dir():
            for old in self.folder.glob("*.json"):
                if old not in self.used:
                    old.unlink(missing_ok=True)
