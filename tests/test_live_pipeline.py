"""Live tweets all the way through: local X API server → tweepy → LineSocket → DStream pipeline.

N tweets served by the server arrive in the pipeline intact: the running totals and tweet count equal
the plain-Python count of exactly the lines the server sent. The fallback feeds the pipeline too.
"""

from __future__ import annotations

import pytest
from support.xapi_server import XApiServer

from helpers import generate
from helpers.counting import summarise
from helpers.dstream.runner import StreamRun
from helpers.infra import processes
from helpers.settings import RunSettings
from helpers.sources import x_api
from helpers.sources.live import LineSocket

pytestmark = pytest.mark.spark
TOKEN = "AAAAAAAAAAAAAAAAAAAAAliveTOKENpipeline0987654321fedcba"
FAST = x_api.Policy(backoff=0.05, network_backoff=0.05, max_retries=3, connect_timeout=15, join_timeout=5)


def _run_until(sc, source, tweets: int) -> StreamRun:
    run = StreamRun(sc, source, RunSettings(batch_s=1.0, window_s=2.0, slide_s=1.0, top_n=500, totals_top=500))
    run.start()
    try:
        assert run.wait(1, 60)
        for _ in range(120):
            if run.publisher.tweets_total >= tweets:
                break
            run.wait(run.publisher.batches + 1, 10)
    finally:
        run.stop()
    return run


def test_served_tweets_arrive_in_the_pipeline_intact(sc):
    tweets = list(generate.topic_tweets("climate", 240, seed=5))
    with XApiServer(TOKEN, stream_tweets=tweets, per_connection=100) as server:
        creds = x_api.Credentials(x_api.Token(TOKEN), server.base_url)
        source = x_api.StreamSource(creds, "climate", "climate lang:en", limit=len(tweets), policy=FAST).start()
        run = _run_until(sc, LineSocket(source), len(tweets))
        sent = list(server.sent)
    expected = summarise(sent)
    assert len(sent) == 240 and expected.stats.tweets == 240
    assert (run.publisher.tweets_total, run.publisher.malformed_total) == (240, 0)
    assert dict(run.final_top) == {w: c for w, c in expected.words.items()}
    assert not run.errors


def test_the_fallback_feeds_the_pipeline_with_its_reason(sc):
    closed = f"http://127.0.0.1:{processes.free_port()}"  # a port just freed: nothing listens there
    source = x_api.open_source(
        "football", limit=300, credentials=x_api.Credentials(x_api.Token(TOKEN), closed), policy=FAST
    )
    assert not source.live and "Replaying the shipped sample" in source.message
    assert TOKEN not in source.message
    run = _run_until(sc, LineSocket(source, rate=2000), 300)
    assert run.publisher.tweets_total == 300
