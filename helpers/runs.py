"""Whole runs, built one way for every engine: ``make_run`` (a live run from ``RunSettings``) and ``top``.

    run = make_run(RunSettings(window_s=10, slide_s=2), source, "dstream", [ConsoleTable(sys.stdout)], sc=sc)
    run.start(); run.wait(20); run.stop()
    top(files, "dstream", n=10)          # the ``top`` command's JSON: identical for python, dstream, structured

The engines are imported when asked for, so ``top --engine python`` never starts Java.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from helpers.counting import summarise, tweet_sentiment
from helpers.model import top_json
from helpers.sample import read_lines
from helpers.settings import Listener, Run, RunSettings

ENGINES = ("python", "dstream", "structured")


def top_python(
    files: Iterable[str | Path],
    n: int = 50,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    scorer: str | None = None,
) -> dict[str, Any]:
    """``top --engine python``: every tweet of the files counted in one pass, as JSON-ready dict.

    With a ``scorer`` the result also holds ``tweet_sentiment``: how many tweets it called positive,
    negative or neither (``counting.tweet_sentiment``).
    """
    summary = summarise(read_lines(files), lexicon_name, topic, lang, scorer or "lexicon")
    out = top_json(summary.stats.tweets, summary.stats.malformed, summary.words.items(), n, lexicon_name)
    if scorer is not None:
        out["tweet_sentiment"] = tweet_sentiment(summary.stats, scorer)
    return out


def make_run(
    settings: RunSettings,
    source: Any,
    engine: str = "dstream",
    listeners: Sequence[Listener] = (),
    **engine_options: Any,
) -> Run:
    """A run of ``engine`` on ``source`` with ``settings`` (not started), telling ``listeners`` each snapshot.

    ``dstream`` takes ``sc`` (default: the running SparkContext, or a new one) and ``state``
    (``"driver"`` or ``"spark"``); ``structured`` takes ``session`` (default: ``spark.get_session()``) and
    ``watermark_s``, passed to ``helpers.structured.run_factory``.
    """
    from helpers.infra import spark

    if engine == "dstream":
        from helpers.dstream.runner import StreamRun

        sc = engine_options.pop("sc", None) or spark.get_context("run-dstream")
        return StreamRun(sc, source, settings, listeners, **engine_options)
    if engine == "structured":
        from helpers import structured

        session = engine_options.pop("session", None) or spark.get_session("run-structured")
        return structured.run_factory(session, **engine_options)(settings, source, listeners)
    raise ValueError(f"engine must be one of ['dstream', 'structured'] for a live run, got {engine!r}")


def top(
    files: Sequence[str | Path],
    engine: str = "python",
    n: int = 50,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    state: str = "driver",
    scorer: str | None = None,
    checkpoint: str | None = None,
) -> dict[str, Any]:
    """The ``top`` result of one engine over ``files``, as a JSON-ready dict (identical across engines).

    ``state`` (dstream only): where the running totals live, see ``helpers.dstream.runner``. ``scorer`` (python
    and dstream): also count the tweets it calls positive, negative or neither (``tweet_sentiment``).
    ``checkpoint`` (structured only): the folder of the query's checkpoint, kept to resume from. A Spark
    context this call starts, it stops.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {list(ENGINES)}, got {engine!r}")
    if checkpoint is not None and engine != "structured":
        raise ValueError("--checkpoint: only the structured engine keeps a checkpoint")
    if scorer is not None:
        if engine == "structured":
            raise ValueError(
                "--scorer: the structured engine scores tweets in Spark SQL with the lexicon only; "
                "use --engine python or dstream"
            )
        from helpers import sentiment_model

        sentiment_model.prepare(scorer)  # the model is trained first if it is not saved
    if engine == "python":
        return top_python(files, n, lexicon_name, topic, lang, scorer)
    from helpers.infra import spark

    owned = spark.active_context() is None  # stop only a context this call started
    sc = spark.get_context(f"top-{engine}")
    try:
        if engine == "dstream":
            from helpers.dstream.runner import top_dstream
            from helpers.sources.queue import QueueSource

            return top_dstream(
                sc, QueueSource.from_files(files), n, lexicon_name, topic, lang, state=state, scorer=scorer
            )
        from helpers import structured  # the Structured Streaming twin (notebook 06)

        return structured.top_from_files(
            spark.get_session(), files, n, lexicon_name, topic, lang, checkpoint=checkpoint
        )
    finally:
        if owned:
            spark.stop_all()


__all__ = ["ENGINES", "make_run", "top", "top_python"]
