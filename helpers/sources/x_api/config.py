"""What a live source is told: :class:`Credentials` (from the environment or ``.env``), the query for each of the
sample's topics, and the fields every request asks for."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from helpers import paths

from .errors import Kind, LiveSourceUnavailable
from .secrets import Token
from .transport import DEFAULT_BASE_URL, check_base_url

#: The two live sources, by the names the CLI and ``open_source(prefer=...)`` use.
SOURCES: tuple[str, ...] = ("x-stream", "x-search")
#: Post fields the parser and the notebooks use (``edit_history_tweet_ids`` comes anyway; asked for clarity).
TWEET_FIELDS: tuple[str, ...] = (
    "created_at",
    "lang",
    "author_id",
    "entities",
    "public_metrics",
    "note_tweet",
    "edit_history_tweet_ids",
)
USER_FIELDS: tuple[str, ...] = ("name", "username")
EXPANSIONS: tuple[str, ...] = ("author_id",)

#: Rules for the sample's topics, so a live run of a notebook gets tweets like the sample's. Other topics are
#: searched for as they are written.
DEFAULT_QUERIES: dict[str, str] = {
    "software_release": '("new release" OR "release notes" OR changelog) lang:en -is:retweet',
    "football": "(football OR #matchday OR #football) lang:en -is:retweet",
    "climate": "(climate OR #climateaction OR #netzero) lang:en -is:retweet",
    "product_launch": '("product launch" OR keynote OR #launch) lang:en -is:retweet',
}


@dataclass(frozen=True)
class Credentials:
    """The token and where to send requests; its ``repr`` shows ``Token('…abcd')``, never the token."""

    token: Token
    base_url: str = DEFAULT_BASE_URL

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", check_base_url(self.base_url))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = None) -> Credentials:
        """Read ``X_BEARER_TOKEN`` and ``X_API_BASE_URL`` from the environment, after loading a ``.env`` file.

        The ``.env`` file (``dotenv_path``, else the nearest one above the working directory, else the kit's
        root) never overrides a variable already set. Pass ``environ`` to read a mapping instead (no ``.env``).
        Raises :class:`LiveSourceUnavailable` when no token is set or the base URL is unusable.
        """
        if environ is None:
            from dotenv import find_dotenv, load_dotenv

            path = dotenv_path or find_dotenv(usecwd=True) or paths.ROOT / ".env"
            if Path(path).is_file():
                load_dotenv(path, override=False)
            environ = os.environ
        raw = (environ.get("X_BEARER_TOKEN") or "").strip()
        if not raw:
            raise LiveSourceUnavailable(
                "no X_BEARER_TOKEN is set (in the environment or a .env file); "
                "see docs/live-tweets.md for how to get one",
                kind=Kind.NO_TOKEN,
            )
        try:
            token = Token(raw)
            return cls(token, (environ.get("X_API_BASE_URL") or "").strip() or DEFAULT_BASE_URL)
        except ValueError as exc:
            raise LiveSourceUnavailable(str(exc), kind=Kind.CONFIG) from None


__all__ = [
    "DEFAULT_QUERIES",
    "EXPANSIONS",
    "SOURCES",
    "TWEET_FIELDS",
    "USER_FIELDS",
    "Credentials",
]
