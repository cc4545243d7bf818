"""Generated tweets for the benchmarks, written once into ``benchmarks/.data`` and reused.

``dataset(1_000_000)`` returns the paths of ``lines(1_000_000, seed)`` split into files of ``chunk``
lines (one queue batch each). A folder is complete only once its ``done`` marker exists, so an
interrupted generation is redone, never half-used.
"""

from __future__ import annotations

import os
import shutil
import time
from itertools import islice
from pathlib import Path

from helpers.generate import SEED, lines

CACHE = Path(__file__).resolve().parent / ".data"
CHUNK = 50_000


def folder(size: int, chunk: int = CHUNK, seed: int = SEED) -> Path:
    """Where the dataset of ``size`` tweets lives."""
    return CACHE / f"tweets-n{size}-c{chunk}-s{seed}"


def dataset(size: int, chunk: int = CHUNK, seed: int = SEED, log=print) -> list[Path]:
    """The files holding ``lines(size, seed)``, ``chunk`` lines each, generated on first use."""
    out = folder(size, chunk, seed)
    if not (out / "done").exists():
        shutil.rmtree(out, ignore_errors=True)
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        started = time.perf_counter()
        log(f"  generating {size:,} tweets into {out.relative_to(CACHE.parent)} (once) …")
        it = lines(size, seed)
        part = 0
        while block := list(islice(it, chunk)):
            (tmp / f"part-{part:04d}.ndjson").write_text("\n".join(block) + "\n", encoding="utf-8")
            part += 1
        (tmp / "done").write_text(f"{size} {chunk} {seed}\n", encoding="utf-8")
        tmp.rename(out)
        log(f"  … {time.perf_counter() - started:.1f} s")
    return sorted(out.glob("part-*.ndjson"))
