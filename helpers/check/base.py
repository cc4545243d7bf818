"""What every self-check shares: compare an answer with the expected one and explain the difference."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: right or not, and the sentence the learner reads."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.message}"

    def _ipython_display_(self) -> None:
        """Show nothing more in a notebook: ``verdict`` has printed the message already."""


def verdict(ok: bool, right: str, wrong: str) -> Verdict:
    """Print ✓ with ``right`` or ✗ with ``wrong`` (which should say why and give a hint) and return it."""
    result = Verdict(ok, right if ok else wrong)
    print(repr(result))
    return result
