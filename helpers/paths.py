"""The one place that knows where the kit's folders are, relative to this package, never to a machine."""

from __future__ import annotations

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent.parent
DATA: Path = ROOT / "data"
SAMPLE_TWEETS: Path = DATA / "sample_tweets"
LEXICONS: Path = ROOT / "lexicons"
NOTEBOOKS: Path = ROOT / "notebooks"

#: The four topic files of the shipped sample, in a fixed order.
TOPICS: tuple[str, ...] = ("software_release", "football", "climate", "product_launch")


def sample_files(topics: str | tuple[str, ...] | list[str] | None = None) -> list[Path]:
    """Paths of the shipped sample files, one per topic: all topics for None or "" (a control set to "all")."""
    names = TOPICS if topics is None or topics == "" else (topics,) if isinstance(topics, str) else tuple(topics)
    unknown = [t for t in names if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic(s) {unknown}; the sample has {list(TOPICS)}")
    return [SAMPLE_TWEETS / f"{t}.ndjson" for t in names]


MALFORMED: Path = SAMPLE_TWEETS / "malformed.ndjson"


__all__ = [
    "DATA",
    "LEXICONS",
    "MALFORMED",
    "NOTEBOOKS",
    "ROOT",
    "SAMPLE_TWEETS",
    "TOPICS",
    "sample_files",
]
