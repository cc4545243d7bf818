"""Self-checks for notebook 01 (RDD word count)."""

from __future__ import annotations

__all__: list[str] = []
