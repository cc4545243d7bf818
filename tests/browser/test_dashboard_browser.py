"""Notebook 05's dashboard in a real JupyterLab, driven by Debian's chromium through Playwright.

Opens, in a fresh workspace, a notebook of the cells of 05 that build its dashboard (the imports, the
learner's ``tweet_tallies`` and ``seed_pipeline``, the ``Dashboard`` cell: nbval runs all of 05 already),
runs all cells, clicks Start, waits until the figure has changed at least twice and the status line reports
batches, clicks Stop, checks the stream stopped, and saves a screenshot of the dashboard in tests/artifacts/.
Skips, saying why, without chromium.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psutil
import pytest

from helpers.infra import processes

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
LESSON = ROOT / "notebooks" / "05_twitter_sentiment_pipeline.ipynb"
NOTEBOOK = "05_dashboard.ipynb"
#: How each of 05's cells that the dashboard needs begins, in the lesson's order.
DASHBOARD_CELLS = (
    "import json",
    "def tweet_tallies(",
    "def seed_pipeline(",
    "# NBVAL_IGNORE_OUTPUT\ndash = Dashboard(",
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}: apt-get install chromium"),
]


def dashboard_notebook(folder: Path) -> None:
    """Write 05's dashboard cells, unchanged and in order, as a notebook of their own in ``folder``."""
    import nbformat

    lesson = nbformat.read(LESSON, as_version=4)
    cells = [c for c in lesson.cells if c.cell_type == "code" and c.source.startswith(DASHBOARD_CELLS)]
    assert [next(p for p in DASHBOARD_CELLS if c.source.startswith(p)) for c in cells] == list(DASHBOARD_CELLS)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=lesson.metadata), folder / NOTEBOOK)


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


@pytest.fixture
def jupyterlab(tmp_path):
    """A real JupyterLab on 127.0.0.1 with a token and its own config, runtime and settings folders."""
    port, token = processes.free_port(), secrets.token_hex(16)
    # A notebook of its own: JupyterLab autosaves outputs into the files it has open.
    notebooks = tmp_path / "notebooks"
    dashboard_notebook(notebooks)
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No "Jupyter news" toast over the page, and no update check from an offline machine.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        SPARK_LOCAL_IP="127.0.0.1",
    )
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.user_settings_dir={tmp_path / 'settings'}", f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]  # fmt: skip
    log = (tmp_path / "jupyterlab.log").open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "jupyterlab.log").read_text()[-2000:]) from None
                time.sleep(0.5)
        yield base, token
    finally:
        # The kernel and its Spark JVM, known now: a JVM whose kernel died mid-stop would outlive the server.
        started = processes.descendants([proc.pid])
        try:  # shut down every kernel so no Spark JVM outlives the test
            for session in _get(f"{base}/api/sessions?token={token}"):
                req = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
                urllib.request.urlopen(req, timeout=30).close()
        except OSError:
            pass
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        # A JVM still draining a graceful stop when its kernel was shut down exits on its own, late; not after us.
        for p in psutil.wait_procs(started, timeout=30)[1]:
            p.kill()


def _batch(status) -> int:
    """The batch number the running dashboard's status line shows ("running · batch 12 · …")."""
    found = re.search(r"batch (\d+)", status.inner_text())
    assert found, status.inner_text()
    return int(found.group(1))


def test_dashboard_start_redraw_stop(jupyterlab, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base, token = jupyterlab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/workspaces/{uuid.uuid4().hex}/tree/{NOTEBOOK}?reset&token={token}")
            # The kernel must exist before Run All, or the click is silently lost.
            expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=120_000)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
            page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
            # Every cell has run when the last code cell shows an execution count ("[27]:", not "[*]:").
            prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
            deadline = time.monotonic() + 600
            while not re.fullmatch(r"\[\d+\]:", prompts.last.inner_text().strip()):
                assert time.monotonic() < deadline, "Run All did not finish in 10 minutes"
                time.sleep(1)
            assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
            # No noise: nothing written to stderr in any cell (JVM warnings, Spark logs, Python warnings).
            assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0

            panel = page.locator(".lab-dashboard").last
            panel.scroll_into_view_if_needed()
            image = panel.locator("img.lab-frame")
            status = panel.locator(".lab-status")
            before = image.get_attribute("src") or ""
            panel.locator("button.widget-button", has_text="Start").click()
            expect(status).to_contain_text("running", timeout=120_000)
            seen = {before}
            deadline = time.monotonic() + 180
            while len(seen) < 7:  # at least two redraws are required; six make a better screenshot
                changed = len(seen) - 1
                assert time.monotonic() < deadline, f"the figure changed {changed} times; {status.inner_text()}"
                seen.add(image.get_attribute("src") or "")
                time.sleep(0.3)
            assert "error" not in status.inner_text()
            # How long two batches take here, read from the status line's batch count while the stream runs.
            first, started = _batch(status), time.monotonic()
            while _batch(status) < first + 2:
                assert time.monotonic() < deadline + 180, f"no two batches after batch {first}: {status.inner_text()}"
                time.sleep(0.2)
            two_batches_s = time.monotonic() - started
            panel.screenshot(path=str(ARTIFACTS / "dashboard.png"))
            panel.locator("button.widget-button", has_text="Stop").click()
            expect(status).to_contain_text("stopped", timeout=180_000)
            frozen, said = image.get_attribute("src"), status.inner_text()
            stopped_at = int(re.search(r"stopped · (\d+) batches", said).group(1))
            assert stopped_at >= first + 2, said
            # A stream still running would add two batches in this time; a stopped one adds none.
            watch_until = time.monotonic() + two_batches_s
            while time.monotonic() < watch_until:
                assert image.get_attribute("src") == frozen, "the figure still changes after Stop"
                assert status.inner_text() == said, f"the status still changes after Stop: {status.inner_text()}"
                time.sleep(0.2)
            assert panel.locator("button.widget-button", has_text="Start").is_enabled()
        finally:
            browser.close()
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
