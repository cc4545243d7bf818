"""The streaming sub-commands of ``python -m helpers``: ``top``, ``stream`` and ``serve``.

python -m helpers top --engine dstream --input data/sample_tweets/*.ndjson --top 10 --json
python -m helpers top --engine dstream --state spark --input data/sample_tweets/*.ndjson --top 10 --json
python -m helpers stream --rate 2000 --window 10 --slide 2 --batches 20
python -m helpers serve --port 9999
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from helpers import lexicon, paths, runs, sentiment_model
from helpers.dstream.pipeline import STATES

SCORERS = ("lexicon", "vader", "model")  # helpers.scorers.NAMES, spelled out to keep --help import-light


def top(args: argparse.Namespace) -> int:
    """Stream every tweet of the input files through one engine and print the top words."""
    try:
        result = runs.top(
            args.input,
            args.engine,
            args.top,
            args.lexicon,
            args.topic,
            args.lang,
            args.state,
            args.scorer,
            checkpoint=args.checkpoint,
        )
    except (ValueError, FileNotFoundError) as e:  # a scorer the engine cannot use, no ratings to train on
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"tweets {result['tweets']}  malformed lines skipped {result['malformed']}")
        for row in result["words"]:
            print(f"{row['word']:<24} {row['count']:>8}  {row['sentiment']}")
        if "tweet_sentiment" in result:
            print(
                "tweets by sentiment ({scorer}): {positive} positive, {negative} negative, {neutral} neither".format(
                    **result["tweet_sentiment"]
                )
            )
    return 0


def stream(args: argparse.Namespace) -> int:
    """Replay tweets through the DStream pipeline over a local socket and redraw a table each batch."""
    from helpers.dstream.pipeline import check_window
    from helpers.infra import spark
    from helpers.settings import RunSettings
    from helpers.sinks import ConsoleTable, JsonLines
    from helpers.sources.socket_server import ReplayServer

    try:
        settings = RunSettings(
            args.batch, args.window, args.slide, args.top, args.lexicon, args.topic, args.lang, scorer=args.scorer
        )
        check_window(settings.batch_s, settings.window_s, settings.slide_s)
        sentiment_model.prepare(args.scorer)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    files = args.input or paths.sample_files(args.topic)
    listeners: list[Any] = [ConsoleTable(sys.stdout, rows=args.rows, clear=not args.no_clear)]
    if args.json_out:
        listeners.append(JsonLines(args.json_out))
    seen: dict[str, Any] = {}
    listeners.append(lambda snap: seen.__setitem__("last", snap))  # for the closing line
    server = ReplayServer(files, rate=args.rate, loop=True).start()  # a source: dstream() and stop()
    run = runs.make_run(settings, server, "dstream", listeners, sc=spark.get_context("stream"), state=args.state)
    limit = args.batches or int(args.seconds / args.batch)
    print(f"replaying on {server.host}:{server.port} at {args.rate:g} tweets/s; {limit} batches of {args.batch:g} s")
    run.start()
    try:
        done = run.wait(limit, timeout=limit * args.batch * 4 + 60)
    except KeyboardInterrupt:
        done = False
    finally:
        run.stop()
        server.stop()
        spark.stop_all()
    last = seen.get("last")
    batches, tweets, malformed = (last.batch, last.tweets_total, last.malformed_total) if last else (0, 0, 0)
    print(f"stopped after {batches} batches, {tweets} tweets, {malformed} malformed lines skipped")
    if run.dropped_behind_s is not None:  # a DStream run far behind stops at once
        print(f"stopped at once, {run.dropped_behind_s:.0f} s behind: the batches still queued were dropped")
    errors = run.errors  # what the run's batches and listeners reported
    for err in errors:
        print(f"error: {err}", file=sys.stderr)
    return 0 if done and not errors else 1


def serve(args: argparse.Namespace) -> int:
    """Run the replay socket server on its own until every line is sent or Ctrl-C."""
    from helpers.sources.socket_server import ReplayServer

    files = args.input or paths.sample_files()
    server = ReplayServer(files, rate=args.rate, loop=args.loop, host=args.host, port=args.port).start()
    try:  # from the line that says Ctrl-C stops: a Ctrl-C right after it is a clean stop too
        print(
            f"serving {len(files)} file(s) on {server.host}:{server.port} at "
            f"{'full speed' if not args.rate else f'{args.rate:g} lines/s'}; Ctrl-C stops",
            flush=True,
        )
        while not server.finished.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print(f"sent {server.sent} lines to {server.connections} connection(s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``top``, ``stream`` and ``serve`` to the command line."""
    p = sub.add_parser("top", help="top words of files through one engine (JSON with --json)")
    p.add_argument("--engine", choices=runs.ENGINES, default="python")
    p.add_argument("--input", nargs="+", required=True, help="NDJSON files in the stream shape")
    p.add_argument("--top", type=int, default=50)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    _state(p)
    _filters(p)
    p.add_argument(
        "--scorer",
        choices=SCORERS,
        help="also count tweets by sentiment as this scorer calls them (python, dstream; see docs/sentiment.md)",
    )
    p.add_argument(
        "--checkpoint",
        metavar="DIR",
        help="structured: keep the query's checkpoint (offsets and state) in DIR; run again with the same DIR "
        "and more files to read only the new lines and print the totals over all of them",
    )
    p.set_defaults(func=top)

    p = sub.add_parser("stream", help="live table in the terminal, replaying the sample through a socket")
    p.add_argument("--input", nargs="*", default=[], help="files to replay (default: the shipped sample)")
    p.add_argument("--rate", type=float, default=500.0, help="tweets per second")
    p.add_argument("--batch", type=float, default=1.0, help="batch interval, seconds")
    p.add_argument("--window", type=float, default=10.0, help="window length, seconds")
    p.add_argument("--slide", type=float, default=2.0, help="slide, seconds")
    p.add_argument("--top", type=int, default=50)
    p.add_argument("--rows", type=int, default=15, help="rows of the table")
    p.add_argument("--batches", type=int, default=0, help="stop after this many batches")
    p.add_argument("--seconds", type=float, default=30.0, help="stop after this long (if --batches is not given)")
    p.add_argument("--json-out", help="also append one JSON object per batch to this file")
    p.add_argument("--no-clear", action="store_true", help="print tables one after another")
    _state(p)
    _filters(p)
    p.add_argument(
        "--scorer",
        choices=SCORERS,
        default="lexicon",
        help="what calls a tweet positive or negative (default: the lexicon's word sum; docs/sentiment.md)",
    )
    p.set_defaults(func=stream)

    p = sub.add_parser("serve", help="the replay socket server on its own")
    p.add_argument("--input", nargs="*", default=[])
    p.add_argument("--host", default="127.0.0.1", help="listen address (loopback unless you mean it)")
    p.add_argument("--port", type=int, default=9999)
    p.add_argument("--rate", type=float, default=None, help="lines per second (default: full speed)")
    p.add_argument("--loop", action="store_true")
    p.set_defaults(func=serve)


def _state(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--state",
        choices=STATES,
        default="driver",
        help="dstream: keep the window and totals on the driver (default, fast) or in Spark's stateful operators",
    )


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--topic", choices=paths.TOPICS, help="only tweets of this topic (rule tag)")
    p.add_argument("--lang", help="only tweets in this language (e.g. en)")
    p.add_argument("--lexicon", default="default", choices=["default", *lexicon.NAMES])


__all__ = ["register"]
