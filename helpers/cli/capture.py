"""``python -m helpers capture``: save live tweets from the X API as stream-shaped NDJSON, to replay later.

Usage::

    python -m helpers capture --source x-stream --topic football --limit 200 --out captures/football.ndjson
    python -m helpers capture --source x-search --topic climate --query "climate lang:en -is:retweet" \\
        --limit 100 --interval 30 --out captures/climate.ndjson

Needs ``X_BEARER_TOKEN`` (environment or ``.env``); ``X_API_BASE_URL`` sends the requests elsewhere. The
stream source creates one rule tagged with the topic (removing stale ones). Each tweet is written as one
line the moment it arrives, so an interrupted capture keeps what it got. A capture is live or nothing: it
never falls back to the shipped sample, and exits 1 saying why when no live source can be reached.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

_LOG_NAME = "helpers.sources.x_api"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``capture`` sub-command to the kit's command line (``helpers/__main__.py``)."""
    p = subparsers.add_parser(
        "capture",
        help="save N live tweets from the X API to an NDJSON file",
        description="Save live tweets from the X API as stream-shaped NDJSON, one per line, to replay later.",
    )
    p.add_argument("--source", choices=("x-stream", "x-search"), default="x-stream", help="filtered stream or search")
    p.add_argument("--topic", required=True, help="the tag every captured tweet carries")
    p.add_argument("--query", default=None, help="the rule / search query (default: a query for the topic)")
    p.add_argument("--limit", type=_positive_int, default=100, help="how many tweets to capture (default 100)")
    p.add_argument("--out", type=Path, required=True, help="the NDJSON file to write (parents are created)")
    p.add_argument("--interval", type=float, default=15.0, help="x-search: seconds between polls (default 15)")
    p.add_argument("--max-wait", type=float, default=900.0, help="longest wait for a rate-limit reset, seconds")
    p.add_argument("--max-retries", type=int, default=5, help="failed attempts in a row before giving up")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Capture ``args.limit`` tweets into ``args.out``; 0 when all arrived, 1 (with the reason) otherwise."""
    from helpers.sources import x_api

    logger = logging.getLogger(_LOG_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("capture: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    policy = x_api.Policy(max_wait=args.max_wait, max_retries=args.max_retries)
    try:
        source = x_api.open_live(
            args.topic, query=args.query, prefer=args.source, limit=args.limit, policy=policy, interval=args.interval
        )
    except x_api.LiveSourceUnavailable as exc:
        print(f"capture: no live source: {exc}", file=sys.stderr)
        return 1
    print(f"capture: {source.message}", file=sys.stderr)
    written = 0
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with source, args.out.open("w", encoding="utf-8", newline="\n") as fh:
            for line in source:
                fh.write(line + "\n")
                fh.flush()
                written += 1
    except x_api.LiveSourceUnavailable as exc:
        print(f"capture: stopped after {written} of {args.limit} tweets: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"capture: interrupted after {written} of {args.limit} tweets (kept in {args.out})", file=sys.stderr)
        return 130
    print(f"captured {written} tweets to {args.out}")
    return 0 if written == args.limit else 1


__all__ = [
    "register",
    "run",
]
