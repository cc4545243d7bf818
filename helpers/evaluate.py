"""How often each tweet scorer agrees with people: every scorer against the 4,196 human-rated tweets.

    python -m helpers evaluate          # a table, the majority baseline and the paper's figures beside
    python -m helpers evaluate --json   # {"n", "majority", "scorers": [{"scorer", "n", "accuracy", ...}]}

Definitions (docs/sentiment.md): gold is positive where the mean human rating is > 0, negative where < 0;
the 4 tweets rated exactly 0 are left out (n = 4,196). A scorer calls positive where its score is > 0,
negative where < 0, nothing where 0 (VADER's compound: ±0.05). accuracy = right calls / n (no call counts
as wrong); coverage = calls / n; precision = right calls / calls; recall = right calls / n; F1 from those two.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from helpers import lexicon, ratings, scorers
from helpers.text import words

#: The paper's Table 4 (tweets, F1): how VADER, single human raters and Hu & Liu's lexicon did there.
PAPER_F1: dict[str, float] = {
    "VADER (Hutto & Gilbert 2014)": 0.96,
    "individual human raters": 0.84,
    "Hu & Liu's lexicon, with VADER's rules": 0.77,
}


@dataclass(frozen=True)
class Score:
    """One scorer's figures on the rated tweets (the ``--json`` shape of one entry)."""

    scorer: str
    n: int
    accuracy: float
    coverage: float
    precision: float
    recall: float
    f1: float
    default: bool


def gold_set(rows: Sequence[ratings.Rated]) -> tuple[list[ratings.Rated], list[int]]:
    """The tweets with a human call and their gold labels (1 positive, -1 negative); rated-0 tweets left out."""
    kept = [r for r in rows if r.rating != 0]
    return kept, [1 if r.rating > 0 else -1 for r in kept]


def majority(gold: Sequence[int]) -> float:
    """The baseline: accuracy of calling every tweet positive (the larger class here)."""
    return sum(1 for g in gold if g > 0) / len(gold)


def score(name: str, gold: Sequence[int], calls: Sequence[int], default: bool = False) -> Score:
    """The figures of one scorer's calls (1, -1 or 0 per tweet) against the gold labels, as defined above."""
    if len(gold) != len(calls):
        raise ValueError(f"{len(calls)} calls for {len(gold)} rated tweets: score every tweet once")
    n = len(gold)
    made = sum(1 for c in calls if c)
    right = sum(1 for g, c in zip(gold, calls, strict=True) if c == g)
    precision = right / made if made else 0.0
    recall = right / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(name, n, right / n, made / n, precision, recall, f1, default)


def _lexicon_calls(name: str, negation: bool) -> Callable[[Sequence[ratings.Rated]], list[int]]:
    def calls(rows: Sequence[ratings.Rated]) -> list[int]:
        return [scorers.call(lexicon.lexicon_score(words(r.text), name, negation)) for r in rows]

    return calls


def _vader_calls(rows: Sequence[ratings.Rated]) -> list[int]:
    return [scorers.call(scorers.vader_compound(r.text), scorers.VADER_THRESHOLD) for r in rows]


def _model_calls(rows: Sequence[ratings.Rated]) -> list[int]:
    from helpers import sentiment_model

    return sentiment_model.cross_validated_calls(rows)


def scorer_table() -> dict[str, Callable[[Sequence[ratings.Rated]], list[int]]]:
    """Every scorer evaluated, by name → a function giving its calls on the rated tweets, in table order.

    ``lexicon:<name>`` is the pipeline's lexicon scorer (``--scorer lexicon --lexicon <name>``), with the
    negation rule; ``…/no-negation`` the same sum without it. ``model`` gives out-of-fold calls only.
    """
    table: dict[str, Callable[[Sequence[ratings.Rated]], list[int]]] = {}
    for name in lexicon.NAMES:
        table[f"lexicon:{name}"] = _lexicon_calls(name, True)
        table[f"lexicon:{name}/no-negation"] = _lexicon_calls(name, False)
    table["vader"] = _vader_calls
    table["model"] = _model_calls
    return table


#: The entry the pipeline uses when no ``--scorer`` or ``--lexicon`` is given.
DEFAULT_ENTRY = f"lexicon:{lexicon.DEFAULT}"


def evaluate(rows: Sequence[ratings.Rated] | None = None, names: Sequence[str] | None = None) -> dict[str, Any]:
    """``{"n", "majority", "scorers": [...]}`` for the named scorers (all by default) on the rated tweets."""
    kept, gold = gold_set(ratings.load() if rows is None else rows)
    table = scorer_table()
    unknown = [n for n in names or [] if n not in table]
    if unknown:
        raise ValueError(f"unknown scorer(s) {unknown}; choose from {list(table)}")
    chosen = list(table) if names is None else list(names)
    scores = [asdict(score(n, gold, table[n](kept), n == DEFAULT_ENTRY)) for n in chosen]
    return {"n": len(gold), "majority": majority(gold), "scorers": scores}


def render(result: dict[str, Any]) -> str:
    """The result as a text table, with the majority baseline and the paper's F1 figures beneath."""
    head = f"{'scorer':<28} {'accuracy':>8} {'coverage':>8} {'precision':>9} {'recall':>6} {'f1':>6}"
    lines = [f"{result['n']} human-rated tweets (Hutto & Gilbert 2014)", head, "-" * len(head)]
    for s in result["scorers"]:
        name = s["scorer"] + ("  (default)" if s["default"] else "")
        lines.append(
            f"{name:<28} {s['accuracy']:>8.3f} {s['coverage']:>8.3f} {s['precision']:>9.3f} "
            f"{s['recall']:>6.3f} {s['f1']:>6.3f}"
        )
    lines.append(f"{'majority (all positive)':<28} {result['majority']:>8.3f}")
    lines.append("the paper's Table 4 (tweets), F1: " + "; ".join(f"{k} {v:.2f}" for k, v in PAPER_F1.items()))
    return "\n".join(lines)


def _command(args: argparse.Namespace) -> int:
    try:
        result = evaluate(names=args.scorer or None)
    except ratings.RatingsMissing as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else render(result))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``evaluate`` to the command line."""
    p = sub.add_parser("evaluate", help="every tweet scorer against the 4,196 human-rated tweets")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--scorer", action="append", metavar="NAME", help="only this scorer (repeatable)")
    p.set_defaults(func=_command)


__all__ = ["DEFAULT_ENTRY", "PAPER_F1", "Score", "evaluate", "gold_set", "majority", "render", "score", "scorer_table"]
