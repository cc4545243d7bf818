"""The kit's command line: ``python -m helpers <command> --help``.

preflight        check Java, Python, memory and that Spark starts; exit 1 with the fix if not
generate-sample  rewrite data/sample_tweets/ from the seeded generator (same seed, same bytes)
top              top words of files through the python, dstream or structured engine (--json)
stream           a live table in the terminal: replayed tweets through the DStream pipeline
serve            the replay socket server on its own (127.0.0.1)
web              the live D3 page for a JSON-lines file of snapshots (127.0.0.1; docs/json-contract.md)
capture          record live tweets from the X API into an NDJSON file for later replay
nav              write the previous · contents · next line of every lesson (--check: only verify)
ratings          fetch the 4,200 human-rated tweets of notebook 09 (cached); --ndjson: in the stream shape
evaluate         score the rated tweets with every scorer: accuracy, coverage, precision, recall, F1 (--json)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _preflight(args: argparse.Namespace) -> int:
    from helpers.infra import preflight, spark

    checks = preflight.run(start_spark=not args.no_spark)
    print(preflight.report(checks))
    spark.stop_all()
    return 0 if all(c.ok for c in checks) else 1


def _generate(args: argparse.Namespace) -> int:
    from helpers import generate

    for path in generate.write_sample(Path(args.out), seed=args.seed):
        print(f"wrote {path}")
    return 0


def _nav(args: argparse.Namespace) -> int:
    from helpers.cli import nav

    stale = nav.update(check=args.check)
    for path in stale:
        print(f"{'out of date' if args.check else 'updated'}: {path.name}")
    return 1 if args.check and stale else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per job."""
    from helpers import generate, paths

    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("preflight", help="check the machine before a workshop")
    p.add_argument("--no-spark", action="store_true", help="skip starting a SparkContext")
    p.set_defaults(func=_preflight)
    p = sub.add_parser("generate-sample", help="rewrite the sample tweets")
    p.add_argument("--out", default=str(paths.SAMPLE_TWEETS))
    p.add_argument("--seed", type=int, default=generate.SEED)
    p.set_defaults(func=_generate)
    p = sub.add_parser("nav", help="write the navigation line of every lesson notebook")
    p.add_argument("--check", action="store_true", help="exit 1 if any is out of date, change nothing")
    p.set_defaults(func=_nav)
    from helpers.cli import streaming as cli_stream

    cli_stream.register(sub)
    from helpers.cli import capture

    capture.register(sub)
    from helpers.ui import web

    web.register(sub)
    from helpers import evaluate, ratings

    ratings.register(sub)
    evaluate.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns its exit code."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
