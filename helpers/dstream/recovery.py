"""A driver program that survives being killed: running totals of a file folder, checkpointed.

    python -m helpers.dstream.recovery --checkpoint DIR --input DIR --out FILE [--batch-seconds 1]
                               [--batches N | --until-idle S]

``StreamingContext.getOrCreate(DIR, create)``: on a first run there is no checkpoint, so ``create``
builds textFileStream(input) → ``pipeline.summaries`` → ``word_counts`` → ``running_totals``
(updateStateByKey), and running tallies of tweets and malformed lines the same way. After every
batch the totals are written to FILE as JSON (a temporary file, then ``os.replace``: a reader never
sees half a file). Started again with the same DIR after the driver died, getOrCreate rebuilds the
DStream graph, the state and the batches that were pending or missed while it was down from the
checkpoint: ``create`` is not called, so that run's ``--input`` and ``--batch-seconds`` are ignored.
It stops gracefully after N batches, after S seconds without a new file in the folder, or on SIGTERM.

Notebook 04 and ``tests/test_recovery.py`` run it as a child process (``Driver``), kill it with
SIGKILL and restart it; ``expected_totals(files)`` computes the same totals in plain Python.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from helpers.counting import summarise
from helpers.dstream.pipeline import batch_stats, running_totals, summaries, word_counts
from helpers.infra import processes, spark
from helpers.model import Stats
from helpers.sample import read_lines
from helpers.sinks import describe
from helpers.waiting import poll

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.streaming import DStream, StreamingContext

#: The tallies kept as state beside the words (keys of the JSON file, next to "words").
TALLIES = ("tweets", "malformed")
#: First part of a tally's state key: ``("tally", "tweets")`` can never collide with a word.
TALLY = "tally"


# --- the streaming job ---------------------------------------------------------------------------
# Spark checkpoints the DStream graph with every function in it (pickled by cloudpickle), and a
# restarted driver runs the unpickled copies. So the functions are module-level (pickled by name),
# capture nothing, and find the output file through ``_run``, which each driver process fills in.


class _Run:
    """What this driver process writes and how far it got (read by the main loop)."""

    def __init__(self) -> None:
        self.out: Path | None = None
        self.recovered = False
        self.batches = 0
        self.errors: list[str] = []


_run = _Run()


def _tallies(stats: Stats) -> list[tuple[tuple[str, str], int]]:
    return [((TALLY, name), getattr(stats, name)) for name in TALLIES]


def totals_stream(lines: DStream, lexicon_name: str = "default") -> DStream:
    """``(word, total)`` and ``(("tally", "tweets" | "malformed"), total)`` since the stream started.

    The batch's word counts and its tallies go into one ``updateStateByKey`` (the pipeline's
    ``running_totals``): one state, one shuffle per batch, one RDD to checkpoint.
    """
    parts = summaries(lines, lexicon_name)
    return running_totals(word_counts(parts).union(batch_stats(parts).flatMap(_tallies)))


def _write_totals(t: dt.datetime, rdd: RDD) -> None:
    """The foreachRDD output: every total as one JSON file, replaced atomically after each batch."""
    try:
        out = _run.out
        if out is None:
            return
        found: dict[str, Any] = {name: 0 for name in TALLIES}
        words: dict[str, int] = {}
        for key, n in rdd.collect():
            if isinstance(key, tuple):
                found[key[1]] = n
            else:
                words[key] = n
        _run.batches += 1
        found.update(
            batch_time=t.isoformat() if isinstance(t, dt.datetime) else str(t),
            batches=_run.batches,
            recovered=_run.recovered,
            pid=os.getpid(),
            words=dict(sorted(words.items())),
        )
        write_json(out, found)
    except Exception as e:  # reported by the main loop; a returned value or a raise would end the stream
        _run.errors.append(describe(e))


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as JSON to ``path`` in one step: a temporary file beside it, then ``os.replace``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def create(sc: Any, checkpoint: str | Path, input_dir: str | Path, batch_s: float) -> StreamingContext:
    """A new StreamingContext with the whole job on it: only called when there is no checkpoint yet."""
    ssc = spark.streaming_context(sc, batch_s, checkpoint=checkpoint)
    totals_stream(ssc.textFileStream(str(input_dir))).foreachRDD(_write_totals)
    return ssc


def _visible_files(folder: Path) -> frozenset[str]:
    """The names textFileStream would consider (it skips names starting with ``.`` or ``_``)."""
    return frozenset(p.name for p in folder.iterdir() if not p.name.startswith((".", "_")))


def run(
    checkpoint: str | Path,
    input_dir: str | Path,
    out: str | Path,
    batch_s: float = 1.0,
    batches: int | None = None,
    until_idle: float | None = None,
    log: IO[str] = sys.stdout,
) -> int:
    """Get or create the StreamingContext, run until told to stop, stop gracefully; returns batches run."""
    from pyspark.streaming import StreamingContext

    checkpoint, input_dir = Path(checkpoint).resolve(), Path(input_dir).resolve()
    input_dir.mkdir(parents=True, exist_ok=True)
    _run.out = Path(out).resolve()
    _run.out.parent.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sc = spark.get_context("recovery")  # first, so that a recovered context reuses it (and its quiet logs)
    created: list[bool] = []

    def setup() -> StreamingContext:
        created.append(True)
        return create(sc, checkpoint, input_dir, batch_s)

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="DStream is deprecated", category=FutureWarning)
        ssc = StreamingContext.getOrCreate(str(checkpoint), setup)
    _run.recovered = not created
    print("started fresh" if created else "recovered from the checkpoint", f"(pid {os.getpid()})", file=log, flush=True)
    ssc.start()
    seen, last_new = _visible_files(input_dir), time.monotonic()
    while not stop.wait(0.1):
        if _run.errors:
            print("error while writing totals:", _run.errors[0], file=log, flush=True)
            break
        if batches is not None and _run.batches >= batches:
            break
        now_seen = _visible_files(input_dir)
        if now_seen != seen:
            seen, last_new = now_seen, time.monotonic()
        if until_idle is not None and _run.batches and time.monotonic() - last_new >= until_idle:
            break
    # Graceful: the timer makes one more batch (it reads every file that is there now), and every
    # batch already made, the ones rescheduled after a restart too, is processed before it returns.
    ssc.stop(stopSparkContext=True, stopGraceFully=True)
    print(f"stopped after {_run.batches} batches", file=log, flush=True)
    return _run.batches


def main(argv: list[str] | None = None) -> int:
    """The command line; exit code 1 if writing the totals failed."""
    parser = argparse.ArgumentParser(prog="python -m helpers.dstream.recovery", description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True, help="checkpoint folder (reused on restart)")
    parser.add_argument("--input", required=True, help="folder that textFileStream watches")
    parser.add_argument("--out", required=True, help="JSON file with the running totals, rewritten every batch")
    parser.add_argument("--batch-seconds", type=float, default=1.0, help="batch interval of a new context")
    until = parser.add_mutually_exclusive_group()
    until.add_argument(
        "--batches", type=int, help="stop once this process has written this many batches (and any already due)"
    )
    until.add_argument("--until-idle", type=float, help="stop after this many seconds without a new file")
    args = parser.parse_args(argv)
    run(args.checkpoint, args.input, args.out, args.batch_seconds, args.batches, args.until_idle)
    return 1 if _run.errors else 0


# --- the same totals in plain Python ---------------------------------------------------------------


def expected_totals(files: Iterable[str | Path], lexicon_name: str = "default") -> dict[str, Any]:
    """What the driver's file should hold once it has counted ``files``: tweets, malformed, words."""
    summary = summarise(read_lines(files), lexicon_name)
    return {
        "tweets": summary.stats.tweets,
        "malformed": summary.stats.malformed,
        "words": dict(sorted(summary.words.items())),
    }


def read_totals(path: str | Path) -> dict[str, Any] | None:
    """The driver's latest totals, or None before its first batch."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def same_totals(got: dict[str, Any] | None, expected: dict[str, Any]) -> bool:
    """True when ``got`` holds exactly the expected tweets, malformed lines and word totals."""
    return got is not None and all(got.get(k) == expected[k] for k in ("tweets", "malformed", "words"))


def describe_checkpoint(folder: str | Path) -> str:
    """What a Spark Streaming checkpoint folder holds: one line per kind of entry, with what it is for."""
    folder = Path(folder)

    def size(paths: Iterable[Path]) -> str:
        return f"{sum(p.stat().st_size for p in paths if p.is_file()) / 1024:,.0f} KB"

    metadata = sorted(folder.glob("checkpoint-*"))
    newest = max((p.name for p in metadata if not p.name.endswith(".bk")), default="-")
    rdds = sorted(folder.glob("*/rdd-*"))
    crc = sorted(folder.rglob(".*.crc"))
    lines = [
        f"{newest} and {len(metadata) - 1} older (.bk: backups), {size(metadata)}: metadata, rewritten every "
        "batch — the DStream graph with every function in it (pickled), the configuration, the batches not "
        "done yet, and which files each batch read",
        f"{len(rdds)} x <uuid>/rdd-<id>/part-*, {size(q for r in rdds for q in r.iterdir())}: saved RDDs — the "
        "state of updateStateByKey and the windows reduced with an inverse function, saved every few batches "
        "so that their lineage does not reach back to the first batch",
    ]
    if (folder / "receivedBlockMetadata").is_dir():
        lines.append("receivedBlockMetadata/: the log of the data blocks receivers took in (a file stream has none)")
    if crc:
        lines.append(f"{len(crc)} x .*.crc: checksums that Hadoop's file system writes beside each file")
    return "\n".join(lines)


# --- the driver as a child process -----------------------------------------------------------------


class Driver:
    """``python -m helpers.dstream.recovery`` as a child process in its own process group.

    ``start()`` launches it (again, after a kill) and waits for its first batch, ``wait_until(done)``
    polls the totals file, ``kill()`` sends SIGKILL to the driver, its JVM and its Python workers at
    once (a crash), ``finish()`` waits for it to stop by itself, ``close()`` stops whatever still runs.
    ``group`` is the process group of the latest run: ``processes.group_members(driver.group)`` is empty
    once it is gone.
    """

    def __init__(
        self,
        checkpoint: str | Path,
        input_dir: str | Path,
        out: str | Path,
        batch_s: float = 1.0,
        log: str | Path | None = None,
    ) -> None:
        self.checkpoint, self.input_dir, self.out = Path(checkpoint), Path(input_dir), Path(out)
        self.batch_s = batch_s
        self.log = Path(log) if log else self.out.with_suffix(".log")
        self.process: subprocess.Popen | None = None
        self.starts = 0
        # Spark's scratch space (shuffle files, pyspark's temporary files): a killed JVM cannot clean it up.
        self._scratch: Path | None = None

    def command(self, until_idle: float | None = None, batches: int | None = None) -> list[str]:
        """The command line of one run of the driver."""
        cmd = [sys.executable, "-m", "helpers.dstream.recovery", "--checkpoint", str(self.checkpoint)]
        cmd += ["--input", str(self.input_dir), "--out", str(self.out), "--batch-seconds", f"{self.batch_s:g}"]
        if batches is not None:
            cmd += ["--batches", str(batches)]
        if until_idle is not None:
            cmd += ["--until-idle", f"{until_idle:g}"]
        return cmd

    @property
    def group(self) -> int | None:
        """The process group of the latest run (the driver leads it: its JVM and workers are in it)."""
        return None if self.process is None else self.process.pid

    @property
    def running(self) -> bool:
        """True while the child process is alive."""
        return self.process is not None and self.process.poll() is None

    def start(self, until_idle: float | None = None, batches: int | None = None, timeout: float = 180.0) -> Driver:
        """Launch the driver (the same checkpoint folder every time), wait for its first batch; returns self.

        Without ``until_idle`` or ``batches`` it runs until it is killed or closed. Waiting for the first
        batch matters: textFileStream ignores the files that were there before the stream started.
        """
        if self.running:
            raise RuntimeError("the driver is already running")
        self._scratch = self._scratch or Path(tempfile.mkdtemp(prefix="lab-driver-"))
        env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", SPARK_LOCAL_DIRS=str(self._scratch), PYTHONUNBUFFERED="1")
        cmd = self.command(until_idle, batches)
        self.starts += 1
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"--- start {self.starts}: {' '.join(cmd)}\n")
            log.flush()
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            self.wait_until(lambda totals: True, timeout)
        except BaseException:
            self.kill()  # a driver that did not come up is not left running
            raise
        return self

    def totals(self) -> dict[str, Any] | None:
        """The latest totals the driver wrote (None before its first batch)."""
        return read_totals(self.out)

    def log_tail(self, lines: int = 15) -> str:
        """The end of the driver's output, for error messages."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def wait_until(self, done: Callable[[dict[str, Any]], bool], timeout: float = 180.0) -> dict[str, Any]:
        """Poll the totals file until this run of the driver has written totals for which ``done`` holds.

        Returns those totals. Raises RuntimeError if the driver exits first, TimeoutError after ``timeout`` s.
        """
        if self.process is None:
            raise RuntimeError("the driver was never started")
        pid, exited = self.process.pid, False

        def there() -> dict[str, Any] | None:
            nonlocal exited
            exited = not self.running  # before reading: the last totals of a driver that stopped are final
            totals = self.totals()
            return totals if totals is not None and totals.get("pid") == pid and done(totals) else None

        found = poll(lambda: there() or exited, timeout)
        if isinstance(found, dict):
            return found
        if exited:
            raise RuntimeError(
                f"the driver stopped (exit code {self.process.returncode}) before its totals got there:\n"
                f"{self.log_tail()}"
            )
        raise TimeoutError(f"the driver's totals did not get there in {timeout:g} s:\n{self.log_tail()}")

    def wait_for_tweets(self, tweets: int, timeout: float = 180.0) -> dict[str, Any]:
        """Wait until the totals count at least ``tweets`` tweets; returns them."""
        return self.wait_until(lambda t: t["tweets"] >= tweets, timeout)

    def kill(self) -> None:
        """SIGKILL the driver's whole process group: Python driver, JVM and workers die at once, mid-stream."""
        if self.process is not None:
            self._kill_group()
            self.process.wait()

    def finish(self, timeout: float = 180.0) -> int:
        """Wait for the driver to stop by itself (``until_idle`` / ``batches``); returns its exit code."""
        if self.process is None:
            raise RuntimeError("the driver was never started")
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise TimeoutError(f"the driver did not stop by itself in {timeout:g} s:\n{self.log_tail()}") from None
        self._kill_group()  # anything of it that outlived the driver
        return code

    def close(self, grace: float = 60.0) -> None:
        """Stop the driver if it runs (SIGTERM: a graceful stop; SIGKILL after ``grace`` s) and clean up."""
        if self.process is not None and self.running:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(grace)
        self.kill()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def _kill_group(self) -> None:
        """SIGKILL every process of the driver's group and wait until none is alive."""
        if self.group is not None:
            processes.kill_group(self.group)

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "TALLIES",
    "Driver",
    "create",
    "describe_checkpoint",
    "expected_totals",
    "main",
    "read_totals",
    "run",
    "same_totals",
    "totals_stream",
    "write_json",
]


if __name__ == "__main__":
    # Run the copy of this module imported as ``helpers.dstream.recovery``, not ``__main__``: cloudpickle pickles
    # functions of ``__main__`` by value, and a restarted driver would then write into a copy of ``_run``.
    from helpers.dstream import recovery

    sys.exit(recovery.main())
