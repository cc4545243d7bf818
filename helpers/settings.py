"""What every run is made of, declared once: ``RunSettings`` (one value object) and the ``Run`` life cycle.

The DStream run, the Structured run, the dashboard, the command line and the benchmarks all build their
runs from one ``RunSettings``; anything that can ``start``, ``wait`` and ``stop`` and publishes snapshots
is a ``Run``, so the dashboard and the command line drive either engine the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from helpers import scorers
from helpers.model import check_slide

if TYPE_CHECKING:
    from helpers.model import Snapshot

#: A function called with every finished snapshot (on the thread that finished it).
Listener = Callable[["Snapshot"], None]


@dataclass(frozen=True)
class RunSettings:
    """One run's settings: the batch interval, the window and its slide, what to count and how many to show."""

    batch_s: float = 1.0
    window_s: float = 10.0
    slide_s: float = 2.0
    top_n: int = 50
    lexicon_name: str = "default"
    topic: str | None = None
    lang: str | None = None
    #: How many running totals each snapshot carries besides the window's top (0: none).
    totals_top: int = 0
    #: What calls a whole tweet positive or negative (``helpers.scorers``).
    scorer: str = scorers.DEFAULT

    def __post_init__(self) -> None:
        if not self.batch_s > 0:
            raise ValueError(f"the batch interval must be positive, got {self.batch_s:g} s")
        check_slide(self.window_s, self.slide_s, "s")
        if self.top_n < 0 or self.totals_top < 0:
            raise ValueError(f"top_n and totals_top cannot be negative, got {self.top_n} and {self.totals_top}")
        scorers.check(self.scorer)


class Run(Protocol):
    """One run of an engine on a source: built, started, waited for, stopped; snapshots go to listeners."""

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        ...

    @property
    def errors(self) -> list[str]:
        """What went wrong in a batch or a listener, one line each; the stream went on."""
        ...

    def start(self) -> Run:
        """Build the streams on the source and start them."""
        ...

    def wait(self, batches: int, timeout: float = 120.0) -> bool:
        """Wait until ``batches`` batches are done; False if ``timeout`` seconds pass first."""
        ...

    def stop(self) -> None:
        """Stop the source, then the streams, gracefully unless the run is far behind; safe to call twice."""
        ...

    @property
    def dropped_behind_s(self) -> float | None:
        """How many seconds behind the run was when ``stop()`` dropped its queued batches; None if it dropped none."""
        ...


#: Builds a run of some engine from the settings, a source and the listeners to tell about each snapshot.
#: A factory may carry ``scorers``, the names of the scorers its runs take (the dashboard offers only
#: those); one without it takes every scorer.
RunFactory = Callable[[RunSettings, Any, Sequence[Listener]], Run]

__all__ = ["Listener", "Run", "RunFactory", "RunSettings"]
