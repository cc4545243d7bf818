"""What each tweet scorer costs: ``python -m benchmarks.scorers`` (one row per scorer; seconds, not in the tests).

Each scorer calls every tweet of the shipped sample (20,800 tweets) once, on one core, in the way the
pipeline's workers call it (``helpers.scorers.tweet_caller``: text and its tokens in, 1/-1/0 out); the
tokenizing is done beforehand and not counted. The best of ``--repeat`` runs is kept. The accuracy column
comes from ``helpers.evaluate`` on the human-rated tweets when they are there (``make ratings``); the model
scorer needs a trained model (``python -m helpers evaluate --scorer model`` trains and caches it).
"""

from __future__ import annotations

import argparse
import json
import time

from helpers import paths, ratings, scorers
from helpers.sample import read_lines
from helpers.text import words
from helpers.tweets import fields


def texts() -> list[tuple[str, list[str]]]:
    """Every tweet of the shipped sample as (text, tokens)."""
    out = []
    for line in read_lines(paths.sample_files()):
        f = fields(line)
        if f is not None:
            out.append((f[0], words(f[0])))
    return out


def cost(name: str, tweets: list[tuple[str, list[str]]], repeat: int = 3) -> float:
    """Best seconds per tweet of scorer ``name`` over ``tweets``."""
    call = scorers.tweet_caller(name)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text, tokens in tweets:
            call(text, tokens)
        best = min(best, time.perf_counter() - started)
    return best / len(tweets)


def main(argv: list[str] | None = None) -> int:
    """Print one row per scorer: µs per tweet, tweets per second on one core, accuracy on the ratings."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scorers", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    tweets = texts()
    accuracy: dict[str, float] = {}
    if ratings.available():
        from helpers import evaluate

        entries = {"lexicon": evaluate.DEFAULT_ENTRY, "vader": "vader", "model": "model"}
        got = evaluate.evaluate(names=list(entries.values()))["scorers"]
        accuracy = {k: s["accuracy"] for k, s in zip(entries, got, strict=True)}
    rows = []
    for name in scorers.NAMES:
        try:
            seconds = cost(name, tweets, args.repeat)
        except FileNotFoundError as e:  # no trained model
            print(f"{name}: skipped ({e})")
            continue
        rows.append({"scorer": name, "us_per_tweet": seconds * 1e6, "tweets_per_s": 1 / seconds})
        rows[-1]["accuracy"] = accuracy.get(name)
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{len(tweets)} tweets of the shipped sample, one core")
    print(f"{'scorer':<8} {'µs/tweet':>9} {'tweets/s':>10} {'accuracy':>9}")
    for r in rows:
        acc = f"{r['accuracy']:.3f}" if r["accuracy"] is not None else "—"
        print(f"{r['scorer']:<8} {r['us_per_tweet']:>9.1f} {r['tweets_per_s']:>10,.0f} {acc:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
