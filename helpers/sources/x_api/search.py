"""Tweets from polling X API recent search: :class:`SearchSource`, built on ``tweepy.Client.search_recent_tweets``."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
import tweepy

from .base import LiveBase, Stopped
from .config import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, Credentials
from .errors import SEARCH
from .retry import Policy
from .secrets import install_redaction
from .transport import mount_base_url


class SearchSource(LiveBase):
    """Tweets from polling recent search (``tweepy.Client.search_recent_tweets``), oldest first, no repeats.

    Each poll asks only for posts newer than the newest seen (``since_id``), follows ``next_token`` for up to
    ``max_pages`` pages, and wraps each post in the stream shape with ``matching_rules=[{"id": "search",
    "tag": topic}]``. Polls are ``interval`` seconds apart; a 429 waits as its ``x-rate-limit-reset`` says.
    """

    def __init__(
        self,
        credentials: Credentials,
        topic: str,
        query: str | None = None,
        *,
        limit: int | None = None,
        interval: float = 15.0,
        max_results: int = 100,
        max_pages: int = 5,
        since_id: str | None = None,
        policy: Policy | None = None,
        tweet_fields: tuple[str, ...] = TWEET_FIELDS,
        user_fields: tuple[str, ...] = USER_FIELDS,
    ) -> None:
        super().__init__(credentials, topic, query, limit, policy)
        if not 10 <= max_results <= 100:
            raise ValueError("max_results must be between 10 and 100 (the X API's bounds)")
        if interval < 0 or max_pages < 1:
            raise ValueError("interval must be >= 0 and max_pages >= 1")
        self.interval = interval
        self.max_results = max_results
        self.max_pages = max_pages
        self.since_id = since_id
        self.tweet_fields = tweet_fields
        self.user_fields = user_fields
        self.polls = 0
        self._buffer: deque[str] = deque()
        self._client: tweepy.Client | None = None
        self.message = (
            f"live: X API recent search at {credentials.base_url} for {self.query!r} every {interval:g} s, "
            f"tagged {topic!r}"
        )

    def __repr__(self) -> str:
        return f"SearchSource(topic={self.topic!r}, query={self.query!r}, limit={self.limit}, {self.credentials!r})"

    def start(self) -> SearchSource:
        """Make the client and run the first poll, so a refused token or an unreachable API shows at once."""
        if self._started:
            return self
        self._started = True
        install_redaction()  # before tweepy sends (and may log) the token
        self._client = tweepy.Client(
            bearer_token=self.credentials.token.reveal(), return_type=dict, wait_on_rate_limit=False
        )
        self.adapter = mount_base_url(self._client.session, self.credentials.base_url, self.policy)
        try:
            self._buffer.extend(self._poll(first=True))
        except Stopped:
            pass
        except BaseException:
            self.stop()
            raise
        return self

    def _poll(self, first: bool = False) -> list[str]:
        """One poll: every page of posts newer than ``since_id`` (bounded), as stream-shaped lines, oldest first."""
        client = self._client
        assert client is not None
        posts: dict[str, dict[str, Any]] = {}
        users: dict[str, dict[str, Any]] = {}
        newest: int | None = None
        next_token: str | None = None
        want = None if self.limit is None else self.limit - self.count - len(self._buffer)
        for _ in range(self.max_pages):
            size = self.max_results if want is None else max(10, min(self.max_results, want - len(posts)))
            token = next_token
            page = self._call(
                lambda size=size, token=token: client.search_recent_tweets(
                    self.query,
                    since_id=self.since_id,
                    max_results=size,
                    next_token=token,
                    tweet_fields=list(self.tweet_fields),
                    expansions=list(EXPANSIONS),
                    user_fields=list(self.user_fields),
                ),
                SEARCH,
                starting=first,
            )
            for post in page.get("data") or []:
                if isinstance(post, dict) and "id" in post:
                    posts[str(post["id"])] = post
                    if str(post["id"]).isdigit():
                        newest = max(newest or 0, int(post["id"]))
            for user in (page.get("includes") or {}).get("users") or []:
                if isinstance(user, dict) and "id" in user:
                    users[str(user["id"])] = user
            next_token = (page.get("meta") or {}).get("next_token")
            if not next_token or (want is not None and len(posts) >= want):
                break
        self.polls += 1
        if newest is not None:
            self.since_id = str(newest)
        ordered = sorted(posts.values(), key=lambda p: (len(str(p["id"])), str(p["id"])))  # ids are snowflakes
        return [self._wrap(post, users) for post in ordered]

    def _wrap(self, post: dict[str, Any], users: Mapping[str, dict[str, Any]]) -> str:
        """One search result in the filtered-stream shape, so the parser and the pipeline cannot tell."""
        author = users.get(str(post.get("author_id")))
        obj = {
            "data": post,
            "includes": {"users": [author] if author else []},
            "matching_rules": [{"id": "search", "tag": self.topic}],
        }
        return orjson.dumps(obj).decode("utf-8")

    def _lines(self) -> Iterator[str]:
        while True:
            while self._buffer:
                yield self._buffer.popleft()
            self._wait(self.interval)
            self._buffer.extend(self._poll())

    def stop(self) -> None:
        """Stop polling (a wait in progress ends at once) and close the HTTP session."""
        self._stop_event.set()
        if self._client is not None:
            self._client.session.close()


__all__ = [
    "SearchSource",
]
