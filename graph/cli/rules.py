"""``kg rules check``: validate a rule pack and run its example sentences."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EPILOG = """A rule pack is a folder holding any of gazetteer.jsonl, relations.yaml, cues.yaml and
families.yaml (the packaged files' formats), and examples/<rule_id>.yaml for each of its
relation rules. `kg build --rules PACK` adds it to the packaged rules.

exit codes: 0 every file valid and every example holds, 1 an example fails,
2 a file is invalid (each problem printed as file:line: message)

examples:
  kg rules check packs/pharma
  kg rules check packs/pharma --model blank
  kg rules check                      # the packaged rules and their examples"""


def add_commands(sub: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    p = sub.add_parser("rules", help="check rule packs (kg rules check PACK)")
    rsub = p.add_subparsers(dest="rules_command", metavar="SUBCOMMAND", required=True)
    c = rsub.add_parser(
        "check", help="validate a rule pack and run its example sentences",
        description="Validate the packaged rules and the packs given (every problem as file:line), "
        "then run the example sentences of the last pack (with no pack: of the packaged rules).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("packs", nargs="*", type=Path, metavar="PACK", help="rule pack folders, in order")
    c.add_argument("--model", default=None,
                   help="spaCy pipeline the examples run with (default as kg build; 'blank' for the model-free one)")
    c.add_argument("--blank-too", action="store_true",
                   help="also run each example with the model-free pipeline (unless it says model_only)")
    c.set_defaults(handler=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from graph.extract.rule_check import check

    report = check(args.packs, model=args.model, blank_too=args.blank_too)
    for line in report.problems:
        print(f"kg: {line}", file=sys.stderr)
    for line in report.failures:
        print(f"kg: {line}", file=sys.stderr)
    what = f"pack {args.packs[-1]}" if args.packs else "the packaged rules"
    if report.problems:
        print(f"{what}: {len(report.problems)} problem(s)", file=sys.stderr)
        return 2
    print(f"{what}: {report.rules} rule(s), {report.examples} example(s), {len(report.failures)} failing")
    return 1 if report.failures else 0
