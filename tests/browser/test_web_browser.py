"""The live D3 page in Debian's chromium while a real DStream run writes its JSON lines.

A StreamRun replays known batches through Spark with ``helpers.sinks.JsonLines`` as its listener;
``helpers.ui.web.serve`` serves that file; the page must show new snapshots and new bars while the stream
is still running, end on exactly what the last line of the file says, and ask nothing of any other
site. Saves a screenshot of the page mid-stream in tests/artifacts/. Skips, saying why, without chromium.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helpers import paths
from helpers.dstream.runner import StreamRun
from helpers.sample import batches_of, read_lines
from helpers.settings import RunSettings
from helpers.sinks import JsonLines
from helpers.sources.queue import QueueSource
from helpers.ui import web

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
COLOURS = {"positive": "#0072B2", "negative": "#D55E00", "neutral": "#999999"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.spark,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}: apt-get install chromium"),
]


def _text(locator) -> str:
    return locator.text_content() or ""


def _rows(bars) -> list[list]:
    """What each bar shows: word, count, sentiment (data attributes), fill colour, and its two labels."""
    return bars.evaluate_all(
        """gs => gs.map(g => [g.dataset.word, Number(g.dataset.count), g.dataset.sentiment,
            g.querySelector("rect").getAttribute("fill"), g.querySelector("text.word").textContent,
            g.querySelector("text.value").textContent])"""
    )


def _expected(top: list[dict]) -> list[list]:
    """The same for a snapshot's top words, as the page must draw them (20 at most, its default)."""
    mark = {"positive": "+ ", "negative": "− ", "neutral": ""}
    return [
        [r["word"], r["count"], r["sentiment"], COLOURS[r["sentiment"]], mark[r["sentiment"]] + r["word"],
         f"{r['count']:,} · {r['sentiment']}"]
        for r in top[:20]
    ]  # fmt: skip


def test_page_follows_a_running_stream(sc, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    lines = list(read_lines([paths.MALFORMED, paths.sample_files()[0]]))[:5000]
    batches = list(batches_of(lines, 250))  # 20 one-second batches: the malformed lines land in the first
    out = tmp_path / "live.jsonl"
    settings = RunSettings(batch_s=1.0, window_s=4.0, slide_s=2.0, top_n=20)
    run = StreamRun(sc, QueueSource(batches), settings, [JsonLines(out)])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with web.serve(out) as server, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1300})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            origins: set[str] = set()
            page.on("request", lambda r: origins.add(urlsplit(r.url).netloc))
            page.goto(server.url + "?poll=500")
            expect(page).to_have_title("Live tweet sentiment · Spark Streaming Sentiment Lab")
            count, bars = page.locator("#snapshot-count"), page.locator("#words g.bar")
            expect(page.locator("#status")).to_contain_text("Waiting", timeout=60_000)
            assert _text(count) == "0"

            run.start()
            try:
                # Watch the page while Spark is still working through the queue: the number of snapshots
                # shown and the bars must both change more than once before the last batch is done, and
                # whenever the count holds still the bars must be exactly that line's top words.
                counts_seen, bars_seen, matched = set(), set(), 0
                deadline = time.monotonic() + 600
                while len(counts_seen) < 3 or len(bars_seen) < 2 or not matched:
                    still_running = run.publisher.batches < len(batches)
                    shown, rows, again = _text(count), _rows(bars), _text(count)
                    assert still_running, (
                        f"the stream finished before the page was seen changing: counts {sorted(counts_seen)}, "
                        f"{len(bars_seen)} different bar charts, {matched} checked against the file"
                    )
                    status = _text(page.locator("#status"))
                    assert time.monotonic() < deadline, f"the page is stuck at {shown} snapshots; {status}"
                    if shown != "0":
                        counts_seen.add(shown)
                    if rows:
                        bars_seen.add(repr(rows))
                    if rows and shown == again:
                        line = out.read_text(encoding="utf-8").splitlines()[int(shown.replace(",", "")) - 1]
                        assert rows == _expected(json.loads(line)["top"]), f"line {shown}"
                        matched += 1
                        if matched == 1:  # the page mid-stream, as a learner sees it
                            page.screenshot(path=str(ARTIFACTS / "web-dashboard.png"), full_page=True)
                    time.sleep(0.2)
                assert run.wait(len(batches), timeout=600), (
                    f"only {run.publisher.batches} of {len(batches)} batches ran"
                )
            finally:
                run.stop()
            assert not run.errors

            # Once the stream is done, the page shows what the file's last line says.
            written = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
            assert len(written) >= len(batches) and all(web.check_snapshot(s) is None for s in written)
            expect(count).to_have_text(str(len(written)), timeout=60_000)
            expect(page.locator("#bad-count")).to_have_text("0")
            assert sum(s["malformed"] for s in written) == 13 and written[-1]["malformed_total"] == 13
            expect(page.locator("#last-tweets")).to_have_text(f"{written[-1]['tweets']:,}")
            assert _rows(bars) == _expected(written[-1]["top"])
            drawn = [s for s in written if s["top"]]
            assert any(r["sentiment"] == "negative" for s in drawn for r in s["top"]), "the sample has hate, bad…"
            share = _text(page.locator("#share desc"))
            assert share.startswith(f"Line chart of {len(written)} snapshots") and "negative" in share
            assert origins == {f"127.0.0.1:{server.port}"}, f"the page asked other sites: {origins}"
            assert problems == []
        finally:
            browser.close()
