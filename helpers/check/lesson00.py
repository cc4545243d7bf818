"""Self-checks for notebook 00 (start here)."""

from __future__ import annotations

__all__: list[str] = []
