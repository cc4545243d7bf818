"""Live X API sources, tested with the real tweepy client talking HTTP to a local X API server
(tests/support/xapi_server.py).

No mocks: tweepy builds its requests as usual, the transport adapter sends them to 127.0.0.1, the server answers
as the X API would (tweets, rules, pages, 401/403/429). The token must never show in any output.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from support.xapi_server import RECENT, RULES, STREAM, XApiServer

from helpers import generate, paths
from helpers.sources import x_api
from helpers.sources.x_api.handover import Handover
from helpers.sources.x_api.retry import Failure, Retries
from helpers.tweets import parse_line

TOKEN = "AAAAAAAAAAAAAAAAAAAAAtestTOKENdoNotLeak1234567890abcdef"
FAST = x_api.Policy(backoff=0.05, network_backoff=0.05, max_retries=3, connect_timeout=15, join_timeout=5)


@pytest.fixture(autouse=True)
def no_threads_left():
    """Every test must leave no thread behind: tweepy's, the server's and its handlers' all end."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra:
            return
        time.sleep(0.02)
    pytest.fail(f"threads left running: {extra}")


@pytest.fixture
def tweets():
    return list(generate.topic_tweets("football", 12, seed=11))


def creds(server: XApiServer, token: str = TOKEN) -> x_api.Credentials:
    return x_api.Credentials(x_api.Token(token), server.base_url)


def parsed(lines):
    return [parse_line(line) for line in lines]


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text
        assert TOKEN[-20:] not in text


# -- the public face ---------------------------------------------------------------------------------------


def test_every_x_api_name_the_kit_uses_is_public():
    """The package's __init__ is its public face: each name notebooks, helpers and tests take from it is exported."""
    used: set[str] = set()
    files = [*paths.ROOT.glob("notebooks/**/*.ipynb")]
    for folder in ("helpers", "tests", "benchmarks", "examples"):
        files += paths.ROOT.glob(f"{folder}/**/*.py")
    for path in files:
        if "x_api" in path.parts or path.name == "test_x_api.py":  # the package itself; this file tests internals
            continue
        text = path.read_text(encoding="utf-8")
        used.update(re.findall(r"\bx_api\.([A-Za-z_]\w*)", text))
        used.update(re.findall(r"from helpers\.sources\.x_api import ([A-Za-z_]\w*)", text))
    assert {"open_source", "Credentials", "SampleReplay", "DEFAULT_QUERIES", "redact"} <= used  # the scan works
    assert sorted(used - set(x_api.__all__)) == []
    assert all(hasattr(x_api, name) for name in x_api.__all__)


# -- the token stays hidden ---------------------------------------------------------------------------------


def test_token_hidden_in_repr_str_and_format():
    token = x_api.Token(TOKEN)
    c = x_api.Credentials(token, "http://127.0.0.1:9")
    shown = [repr(token), str(token), f"{token}", f"{token!r}", repr(c), str(c), f"{c}"]
    assert_no_token(*shown)
    assert repr(token) == "Token('…cdef')"
    assert token.reveal() == TOKEN
    assert repr(x_api.Token("short")) == "Token(hidden)"
    assert x_api.Token(f"Bearer {TOKEN}") == token  # a pasted "Bearer ..." is accepted
    exc = x_api.LiveSourceUnavailable(f"the server said Bearer {TOKEN} and {TOKEN}")
    assert_no_token(str(exc), repr(exc), exc.reason)


def test_credentials_from_env_and_dotenv_without_override(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("X_BEARER_TOKEN=from-dotenv-file-0123456789\nX_API_BASE_URL=http://127.0.0.1:8099/\n")
    monkeypatch.delenv("X_API_BASE_URL", raising=False)
    monkeypatch.setenv("X_BEARER_TOKEN", "from-environment-0123456789")
    c = x_api.Credentials.from_env(dotenv_path=env_file)
    assert c.token.reveal() == "from-environment-0123456789"  # the environment wins
    assert c.base_url == "http://127.0.0.1:8099"
    monkeypatch.delenv("X_BEARER_TOKEN")
    assert x_api.Credentials.from_env(dotenv_path=env_file).token.reveal() == "from-dotenv-file-0123456789"

    with pytest.raises(x_api.LiveSourceUnavailable) as no_token:
        x_api.Credentials.from_env({"X_BEARER_TOKEN": "  "})
    assert no_token.value.kind == "no-token" and "X_BEARER_TOKEN" in str(no_token.value)
    assert x_api.Credentials.from_env({"X_BEARER_TOKEN": TOKEN}).base_url == "https://api.x.com"
    with pytest.raises(x_api.LiveSourceUnavailable) as plain_http:
        x_api.Credentials.from_env({"X_BEARER_TOKEN": TOKEN, "X_API_BASE_URL": "http://example.org"})
    assert plain_http.value.kind == "config" and "https://" in str(plain_http.value)
    assert_no_token(str(plain_http.value))


def test_adapter_rewrites_only_tweepy_host():
    adapter = x_api.BaseURLAdapter("http://127.0.0.1:8080/prefix/")
    assert adapter.rewrite("https://api.twitter.com/2/tweets/search/stream?a=1") == (
        "http://127.0.0.1:8080/prefix/2/tweets/search/stream?a=1"
    )
    assert adapter.rewrite("https://api.twitter.com.evil.example/2/x") == "https://api.twitter.com.evil.example/2/x"
    assert adapter.rewrite("https://example.org/2/x") == "https://example.org/2/x"
    assert x_api.BaseURLAdapter().rewrite("https://api.twitter.com/2/x") == "https://api.x.com/2/x"


# -- the filtered stream ------------------------------------------------------------------------------------


def test_stream_delivers_every_tweet_intact_and_in_order(tweets):
    with XApiServer(TOKEN, stream_tweets=tweets, per_connection=5, keepalives=2) as server:
        with x_api.StreamSource(creds(server), "football", "football lang:en", limit=len(tweets), policy=FAST) as src:
            lines = list(src)
            thread = src._client.thread
        assert lines == server.sent  # byte for byte, keep-alives dropped, across reconnects
        assert len(lines) == len(tweets)
        got = parsed(lines)
        assert None not in got
        assert [t.id for t in got] == [t["data"]["id"] for t in tweets]
        assert {t.topic for t in got} == {"football"}
        assert [t.text for t in got] == [t["data"].get("note_tweet", t["data"])["text"] for t in tweets]
        streams = server.requests_to(STREAM)
        assert len(streams) == 3  # 5 + 5 + 2 tweets: the source reconnected after each close
        query = streams[0].query
        assert set(query["tweet.fields"].split(",")) == set(x_api.TWEET_FIELDS)
        assert query["expansions"] == "author_id"
        assert "username" in query["user.fields"].split(",")
        assert all(r.auth_ok for r in server.requests)
        assert thread is not None and not thread.is_alive()


def test_stream_rules_are_tagged_and_stale_ones_removed(tweets):
    with XApiServer(TOKEN, stream_tweets=tweets[:3]) as server:
        stale = {server.add_rule("bitcoin", tag="crypto"), server.add_rule("rust")}  # the untagged one breaks tweepy
        with x_api.StreamSource(creds(server), "football", "football", limit=3, policy=FAST) as src:
            lines = list(src)
        assert [(r["value"], r.get("tag")) for r in server.rules] == [("football", "football")]
        assert src.rule_id == server.rules[0]["id"]
        posts = [r.body for r in server.requests_to(RULES, "POST")]
        assert set(posts[0]["delete"]["ids"]) == stale
        assert posts[1] == {"add": [{"value": "football", "tag": "football"}]}
        assert [t.topic for t in parsed(lines)] == ["football"] * 3

        # A second run finds its rule in place: nothing deleted, nothing added.
        with x_api.StreamSource(creds(server), "football", "football", limit=0, policy=FAST) as again:
            assert list(again) == []
        assert len(server.requests_to(RULES, "POST")) == 2
        assert again.rule_id == src.rule_id


def test_stream_keeps_other_tagged_rules_when_asked(tweets):
    with XApiServer(TOKEN, stream_tweets=tweets[:2]) as server:
        keep = server.add_rule("climate", tag="climate")
        server.add_rule("football")  # same value, no tag: must go
        with x_api.StreamSource(creds(server), "football", "football", limit=2, policy=FAST, replace_rules=False) as s:
            assert len(list(s)) == 2
        assert sorted((r["value"], r.get("tag")) for r in server.rules) == [
            ("climate", "climate"),
            ("football", "football"),
        ]
        assert keep in {r["id"] for r in server.rules}


def test_stream_waits_out_a_429_as_its_reset_header_says(tweets):
    with XApiServer(TOKEN, stream_tweets=tweets, per_connection=4) as server:
        failure = server.fail(STREAM, 429, after=1, reset_in=1)
        with x_api.StreamSource(creds(server), "football", limit=len(tweets), policy=FAST) as src:
            lines = list(src)
        assert lines == server.sent and len(lines) == len(tweets)
        statuses = [r.status for r in server.requests_to(STREAM)]
        assert statuses[:3] == [200, 429, 200]
        retry = server.requests_to(STREAM)[2]
        assert retry.time >= int(failure.reset)  # it waited until the reset, not tweepy's fixed 60 s or no wait


def test_stop_mid_stream_ends_promptly_and_leaves_no_thread(tweets):
    with XApiServer(TOKEN, stream_tweets=tweets[:3], hold_open=True) as server:
        src = x_api.StreamSource(creds(server), "football", policy=FAST)  # no limit: runs until stopped
        with src:
            first = list(itertools.islice(iter(src), 3))
        assert first == server.sent
        assert not src._client.thread.is_alive()


def test_stop_during_a_rate_limit_wait_ends_the_iteration(tweets):
    with XApiServer(TOKEN, stream_tweets=tweets, per_connection=2) as server:
        server.fail(STREAM, 429, after=1, reset_in=120)  # a long wait, cut short by stop()
        src = x_api.StreamSource(creds(server), "football", policy=FAST)
        got: list[str] = []
        consumer = threading.Thread(target=lambda: got.extend(src), name="consumer")
        consumer.start()
        deadline = time.monotonic() + 10
        while not any(r.status == 429 for r in server.requests_to(STREAM)) and time.monotonic() < deadline:
            time.sleep(0.01)
        src.stop()
        consumer.join(10)
        assert not consumer.is_alive()
        assert got == server.sent[:2]
        assert [r.status for r in server.requests_to(STREAM)] == [200, 429]


def test_handover_drops_the_oldest_line_and_keeps_control_events_in_order():
    events = Handover(size=2)
    events.put("connected")
    for n in range(3):
        events.put("line", f"tweet {n}")
    events.put("ended", "closed")
    events.put("line", "tweet 3")
    got = []
    while (event := events.get(timeout=0)) is not None:
        got.append(event)
    assert got == [("connected", None), ("line", "tweet 2"), ("ended", "closed"), ("line", "tweet 3")]
    assert (events.received, events.dropped) == (4, 2)
    with pytest.raises(ValueError, match="at least one line"):
        Handover(size=0)


def test_a_reader_that_falls_behind_gets_the_newest_tweets_and_a_count_of_the_rest(tweets, caplog):
    with XApiServer(TOKEN, stream_tweets=tweets) as server:  # all 12 on one connection, then it closes
        with x_api.StreamSource(creds(server), "football", limit=4, policy=FAST, buffer=4) as src:
            deadline = time.monotonic() + 15
            while src.received < len(tweets) and time.monotonic() < deadline:  # the reader has not read yet
                time.sleep(0.01)
            lines = list(src)
        assert (src.received, src.dropped) == (12, 8)
        assert lines == server.sent[8:]  # the newest four, in order
        assert len(server.requests_to(STREAM)) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["the reader fell behind the stream: 8 tweet(s) dropped so far"]


def test_stream_gives_up_on_5xx_by_status_with_the_shared_message(tweets):
    with XApiServer(TOKEN, stream_tweets=tweets) as server:
        server.fail(STREAM, 503, times=10, body={"detail": "network trouble upstream, not a 429"})
        src = x_api.StreamSource(creds(server), "football", policy=FAST)
        with pytest.raises(x_api.LiveSourceUnavailable) as gave_up:
            src.start()
        assert [r.status for r in server.requests_to(STREAM)] == [503, 503]  # start_retries=1: one retry
        url = server.base_url
    assert gave_up.value.kind is x_api.Kind.ERROR and gave_up.value.status == 503  # not sniffed from the words
    assert str(gave_up.value) == (
        f"gave up on the filtered stream (/2/tweets/search/stream) at {url} after 1 retry; "
        "last: HTTP 503 (network trouble upstream, not a 429)"
    )


# -- recent search ------------------------------------------------------------------------------------------


def test_search_delivers_every_post_in_order_with_paging_and_since_id(tweets):
    posts = sorted(tweets + list(generate.topic_tweets("climate", 14, seed=3)), key=lambda t: int(t["data"]["id"]))
    first, later = posts[:23], posts[23:]  # 23 posts now (3 pages of 10), 3 more "published" before the next poll
    with XApiServer(TOKEN, search_batches=[first, later]) as server:
        expected = first + later
        src = x_api.SearchSource(
            creds(server), "football", "football", limit=len(expected), interval=0.01, max_results=10, policy=FAST
        )
        with src:
            lines = list(src)
        got = parsed(lines)
        assert [t.id for t in got] == [t["data"]["id"] for t in expected]
        assert [t.text for t in got] == [parse_line(generate.dumps(t)).text for t in expected]
        assert [t.author for t in got] == [t["includes"]["users"][0]["username"] for t in expected]
        assert {t.topic for t in got} == {"football"}
        for line, obj in zip(lines, expected, strict=True):
            assert json.loads(line) == {
                "data": obj["data"],
                "includes": obj["includes"],
                "matching_rules": [{"id": "search", "tag": "football"}],
            }
        calls = server.requests_to(RECENT)
        assert [bool(c.query.get("next_token")) for c in calls] == [False, True, True, False]  # 23 = 10 + 10 + 3
        assert "since_id" not in calls[0].query
        assert calls[3].query["since_id"] == str(max(int(t["data"]["id"]) for t in first))
        assert all(c.query["max_results"] == "10" and c.query["expansions"] == "author_id" for c in calls)
        assert set(calls[0].query["tweet.fields"].split(",")) == set(x_api.TWEET_FIELDS)


def test_search_waits_out_a_429_then_goes_on(tweets):
    with XApiServer(TOKEN, search_batches=[tweets[:5], tweets[5:]]) as server:
        failure = server.fail(RECENT, 429, after=1, reset_in=1)
        with x_api.SearchSource(creds(server), "football", limit=12, interval=0.01, max_results=10, policy=FAST) as s:
            lines = list(s)
        assert [t.id for t in parsed(lines)] == [t["data"]["id"] for t in tweets]
        calls = server.requests_to(RECENT)
        assert [c.status for c in calls] == [200, 429, 200]
        assert calls[2].time >= int(failure.reset)


def test_search_retries_a_5xx_then_gives_up_with_the_shared_message(tweets):
    with XApiServer(TOKEN, search_batches=[tweets[:5], tweets[5:]]) as server:
        server.fail(RECENT, 503, after=1, times=1)  # once: retried, then the poll goes on
        server.fail(RECENT, 502, after=1, times=9, body={"detail": "network, 429, rate limit: words only"})
        src = x_api.SearchSource(creds(server), "football", interval=0.01, max_results=10, policy=FAST)
        got: list[str] = []
        with pytest.raises(x_api.LiveSourceUnavailable) as gave_up:
            got.extend(src)
        assert [c.status for c in server.requests_to(RECENT)] == [200, 503, 200, 502, 502, 502, 502]
        url = server.base_url
    assert [t.id for t in parsed(got)] == [t["data"]["id"] for t in tweets]
    assert gave_up.value.kind == "error" and gave_up.value.status == 502
    assert str(gave_up.value) == (
        f"gave up on recent search (/2/tweets/search/recent) at {url} after 3 retries; "
        "last: HTTP 502 (network, 429, rate limit: words only)"
    )


def test_policy_delay_and_budget_are_the_one_backoff_arithmetic():
    policy = x_api.Policy()
    assert [policy.delay(x_api.Kind.ERROR, n) for n in range(8)] == [5, 10, 20, 40, 80, 160, 320, 320]
    assert [policy.delay(x_api.Kind.UNREACHABLE, n) for n in (0, 1, 3, 63, 64)] == [0.25, 0.5, 1.0, 16, 16]
    budgets = {kind: (policy.budget(kind), policy.budget(kind, starting=True)) for kind in x_api.Kind}
    assert budgets[x_api.Kind.RATE_LIMITED] == (5, 5)  # a 429 waits for its reset even while starting
    assert budgets[x_api.Kind.ERROR] == (5, 1)
    assert budgets[x_api.Kind.UNREACHABLE] == (5, 0)  # while starting, no network means fall back now


def test_retries_wait_as_the_policy_says_then_give_up_naming_the_kind():
    retries = Retries(FAST, "recent search (/2/tweets/search/recent)", "http://127.0.0.1:9")
    lost = Failure(x_api.Kind.UNREACHABLE, "network error (Connection refused)")
    assert [retries.wait(lost) for _ in range(3)] == pytest.approx([0.05, 0.1, 0.15])
    with pytest.raises(x_api.LiveSourceUnavailable) as gave_up:
        retries.wait(lost)
    assert gave_up.value.kind == "unreachable" and gave_up.value.status is None
    assert str(gave_up.value) == (
        "network unreachable: could not reach recent search (/2/tweets/search/recent) at http://127.0.0.1:9 "
        "after 3 retries; last: network error (Connection refused)"
    )
    retries.reset()
    assert retries.wait(lost) == 0.05


# -- the fallback -------------------------------------------------------------------------------------------


def _sample_lines(topic: str, n: int) -> list[str]:
    with paths.sample_files([topic])[0].open(encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in itertools.islice(fh, n)]


@pytest.mark.parametrize("prefer", x_api.SOURCES)
@pytest.mark.parametrize(
    ("setup", "token", "kind", "words"),
    [
        pytest.param(None, "wrong-token-0000000000000000", "unauthorized", ["401", "X_BEARER_TOKEN"], id="bad-token"),
        pytest.param("401", TOKEN, "unauthorized", ["401"], id="401"),
        pytest.param("403", TOKEN, "forbidden", ["403", "not permitted"], id="403"),
        pytest.param("429-no-reset", TOKEN, "rate-limited", ["429", "no usable x-rate-limit-reset"], id="429-no-reset"),
        pytest.param("429-bad-reset", TOKEN, "rate-limited", ["429", "no usable x-rate-limit-reset"], id="429-bad"),
        pytest.param("429-far", TOKEN, "rate-limited", ["429", "longer than", "max_wait"], id="429-far"),
    ],
)
def test_open_source_falls_back_to_the_sample_with_the_reason(tweets, prefer, setup, token, kind, words):
    path = STREAM if prefer == "x-stream" else RECENT
    with XApiServer(TOKEN, stream_tweets=tweets, search_batches=[tweets], echo_auth_in_errors=True) as server:
        if setup == "401":
            server.fail(path, 401)
        elif setup == "403":
            server.fail(path, 403)
        elif setup == "429-no-reset":
            server.fail(path, 429)
        elif setup == "429-bad-reset":
            server.fail(path, 429, reset="soon")
        elif setup == "429-far":
            server.fail(path, 429, reset_in=3600)
        source = x_api.open_source("football", prefer=prefer, limit=4, credentials=creds(server, token), policy=FAST)
        with source:
            lines = list(source)
        assert not source.live
        assert isinstance(source, x_api.SampleReplay)
        assert source.reason.kind == kind
        for word in words:
            assert word in source.message
        assert "Replaying the shipped sample" in source.message
        assert lines == _sample_lines("football", 4)
        assert_no_token(source.message, str(source.reason), repr(source.reason))
        if setup is None:
            assert not server.requests[0].auth_ok


def test_open_source_without_a_token_or_network(tmp_path, monkeypatch):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    source = x_api.open_source("climate", limit=2, dotenv_path=tmp_path / "absent.env")
    assert not source.live and source.reason.kind == "no-token" and "X_BEARER_TOKEN" in source.message
    assert list(source) == _sample_lines("climate", 2)

    with XApiServer(TOKEN) as server:
        dead = creds(server)
    for prefer in x_api.SOURCES:  # the port is closed now: connection refused
        source = x_api.open_source("bitcoin", prefer=prefer, limit=3, credentials=dead, policy=FAST)
        assert source.reason.kind == "unreachable"
        assert "network unreachable" in source.message and dead.base_url in source.message
        assert len(source.files) == len(paths.TOPICS)  # a topic the sample lacks replays every file
        assert len(list(source)) == 3


def test_sample_replay_of_an_unknown_topic_is_every_file_merged_in_time_order():
    replay = x_api.SampleReplay("bitcoin")
    lines = list(replay)
    tweets = parsed(lines)
    assert len(lines) == replay.count == 4 * 5200  # every line of the four topic files, none twice
    assert sorted(lines) == sorted(line for p in paths.sample_files() for line in p.read_text("utf-8").splitlines())
    assert [t.created_at for t in tweets] == sorted(t.created_at for t in tweets)
    assert {t.topic for t in tweets[:8]} == set(paths.TOPICS)  # interleaved like a live stream, not file by file
    assert list(replay) == []  # stopped once iterated, like every source


def test_open_source_checks_its_options_before_any_fallback(tmp_path, monkeypatch):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    with pytest.raises(ValueError, match=r"prefer must be one of \('x-stream', 'x-search'\), not 'x-firehose'"):
        x_api.open_source("football", prefer="x-firehose")
    with pytest.raises(TypeError, match="unexpected keyword argument 'limt'"):
        x_api.open_source("football", limt=3, dotenv_path=tmp_path / "absent.env")
    with pytest.raises(x_api.LiveSourceUnavailable) as no_token:
        x_api.open_live("football", prefer="x-search", dotenv_path=tmp_path / "absent.env")
    assert no_token.value.kind is x_api.Kind.NO_TOKEN


def test_live_source_when_the_api_answers(tweets):
    with XApiServer(TOKEN, stream_tweets=tweets[:2]) as server:
        source = x_api.open_source("football", limit=2, credentials=creds(server), policy=FAST)
        with source:
            assert source.live and isinstance(source, x_api.StreamSource)
            assert "live" in source.message
            assert len(list(source)) == 2


def test_tweepy_debug_logs_never_show_the_token(tweets, caplog):
    caplog.set_level(logging.DEBUG, logger="tweepy")
    with XApiServer(TOKEN, stream_tweets=tweets[:2], search_batches=[tweets[:10]]) as server:
        with x_api.SearchSource(creds(server), "football", limit=10, policy=FAST) as s:
            assert len(list(s)) == 10
        with x_api.StreamSource(creds(server), "football", limit=2, policy=FAST) as s:
            assert len(list(s)) == 2
    assert "Authorization" in caplog.text  # tweepy logged its request headers at DEBUG ...
    assert_no_token(caplog.text)  # ... with the token redacted


_REDACTION_PROBE = """
import json, logging, sys
from helpers.sources import x_api
from helpers.sources.x_api.secrets import REDACTED_LOGGERS

token, base_url = sys.argv[1:3]
messages = []
handler = logging.Handler()
handler.emit = lambda record: messages.append(record.getMessage())
logging.getLogger().addHandler(handler)
logging.getLogger().setLevel(logging.DEBUG)
at_import = sum(len(logging.getLogger(name).filters) for name in REDACTED_LOGGERS)
creds = x_api.Credentials(x_api.Token(token), base_url)
with x_api.SearchSource(creds, "football", limit=10, policy=x_api.Policy(max_retries=1)) as source:
    got = len(list(source))
for name in REDACTED_LOGGERS:
    logging.getLogger(name).warning("header Authorization: Bearer %s, bare %s", token, token)
after_start = sum(len(logging.getLogger(name).filters) for name in REDACTED_LOGGERS)
print(json.dumps({"at_import": at_import, "after_start": after_start, "got": got, "messages": messages}))
"""


def test_redaction_is_installed_by_a_starting_source_not_by_import(tweets, tmp_path):
    """In a fresh interpreter: importing the package adds no log filter; starting a source does, and from then on
    no record on tweepy's loggers or the package's holds the token (tweepy logs its request headers at DEBUG)."""
    with XApiServer(TOKEN, search_batches=[tweets[:10]]) as server:
        env = {**os.environ, "PYTHONPATH": str(paths.ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", _REDACTION_PROBE, TOKEN, server.base_url],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout)
    assert (probe["at_import"], probe["after_start"], probe["got"]) == (0, 3, 10)
    assert any("Authorization" in m for m in probe["messages"])  # tweepy's DEBUG header log was there ...
    assert probe["messages"][-3:] == ["header Authorization: Bearer [redacted], bare [redacted]"] * 3
    assert_no_token(*probe["messages"])  # ... and no record held the token


# -- capture, as a learner runs it --------------------------------------------------------------------------


def run_capture(server_url: str, tmp_path: Path, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess:
    env = {**os.environ, "X_BEARER_TOKEN": token, "X_API_BASE_URL": server_url, "PYTHONPATH": str(paths.ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "helpers", "capture", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("source", x_api.SOURCES)
def test_capture_writes_exactly_what_the_server_sent(tweets, tmp_path, source):
    out = tmp_path / "captures" / "football.ndjson"
    with XApiServer(TOKEN, stream_tweets=tweets, search_batches=[tweets]) as server:
        server.add_rule("stale rule")
        args = ["--source", source, "--topic", "football", "--limit", str(len(tweets)), "--out", str(out)]
        done = run_capture(server.base_url, tmp_path, *args, "--interval", "0.01", "--max-retries", "2")
        assert done.returncode == 0, done.stderr
        written = out.read_text(encoding="utf-8").splitlines()
        if source == "x-stream":
            assert written == server.sent
            assert [(r["value"], r.get("tag")) for r in server.rules] == [
                (x_api.DEFAULT_QUERIES["football"], "football")
            ]
            assert server.requests_to(RULES, "POST")[-1].body["add"][0]["tag"] == "football"
        else:
            expected = sorted(server.served_posts, key=lambda t: int(t["data"]["id"]))
            assert [parse_line(w).id for w in written] == [t["data"]["id"] for t in expected]
        assert [t.id for t in parsed(written)] == [t["data"]["id"] for t in tweets]
        assert {t.topic for t in parsed(written)} == {"football"}
        assert f"captured {len(tweets)} tweets" in done.stdout
        assert_no_token(done.stdout, done.stderr)


@pytest.mark.parametrize("source", x_api.SOURCES)
def test_capture_fails_clearly_when_the_token_is_refused_or_the_server_is_down(tmp_path, source):
    out = tmp_path / "out.ndjson"
    args = ["--source", source, "--topic", "football", "--limit", "3", "--out", str(out)]
    with XApiServer("the-server-expects-another-token-000", echo_auth_in_errors=True) as server:
        refused = run_capture(server.base_url, tmp_path, *args)
        url = server.base_url
    down = run_capture(url, tmp_path, *args)
    assert refused.returncode == 1 and "401" in refused.stderr and "refused the token" in refused.stderr
    assert down.returncode == 1 and "network unreachable" in down.stderr
    assert not out.exists()
    assert_no_token(refused.stdout, refused.stderr, down.stdout, down.stderr)
