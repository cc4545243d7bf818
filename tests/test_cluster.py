"""A real Spark standalone cluster on 127.0.0.1: it starts, runs the kit's jobs with the local answers, and
leaves nothing behind when stopped.

Jobs on the cluster run in subprocesses (the command line, a small script): this pytest process may already
hold the session's local[2] SparkContext, and a process has one SparkContext at a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

from helpers import paths
from helpers.infra.cluster import Cluster, ClusterError
from helpers.infra.processes import port_in_use
from helpers.runs import top_python

pytestmark = [pytest.mark.spark, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lab():
    """Two workers of one core each, for the whole module (about 10–25 s to start here)."""
    with Cluster(workers=2, cores=1) as cluster:
        yield cluster


def run(args, master_url, timeout=400):
    """Run ``args`` with ``SPARK_MASTER`` pointing at the cluster; return stdout (fail with stderr)."""
    env = dict(os.environ, SPARK_MASTER=master_url, SPARK_LOCAL_IP="127.0.0.1")
    out = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_cluster_starts_with_two_alive_workers(lab):
    status = lab.status()
    assert status["status"] == "ALIVE"
    assert status["aliveworkers"] == 2
    assert [w["state"] for w in status["workers"]] == ["ALIVE", "ALIVE"]
    assert [w["cores"] for w in status["workers"]] == [1, 1]
    assert status["url"] == lab.master_url == f"spark://127.0.0.1:{lab.master_port}"
    assert lab.ui_url == f"http://127.0.0.1:{lab.ui_port}"
    assert [w.name for w in lab.workers] == ["worker-1", "worker-2"] and all(w.alive for w in lab.workers)
    assert "worker 127.0.0.1:" in lab.summary()


def test_every_port_is_on_loopback(lab):
    ports = lab.ports()
    assert {lab.master_port, lab.ui_port} <= {p for _, p in ports}
    assert len(ports) >= 6  # master RPC and UI, and each worker's RPC and UI
    assert {address for address, _ in ports} == {"127.0.0.1"}


def test_cli_top_with_spark_master_equals_the_python_engine(lab):
    files = [str(paths.MALFORMED), str(paths.sample_files(["football"])[0])]
    cli = [sys.executable, "-m", "helpers", "top", "--input", *files, "--top", "20", "--json"]
    on_cluster = run([*cli, "--engine", "dstream"], lab.master_url)
    local = run([*cli, "--engine", "python"], lab.master_url)
    assert json.loads(on_cluster) == json.loads(local) == top_python(files, 20)
    assert on_cluster == local
    # It really ran on the cluster: the master lists the finished application, with the workers' cores.
    apps = [app for app in lab.status()["completedapps"] if app["name"] == "top-dstream"]
    assert len(apps) == 1 and apps[0]["cores"] == 2


SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from helpers.dstream import scaling
    from helpers.infra import spark

    def probe(_):
        import helpers
        return (sys.executable, helpers.__file__, scaling.where())

    settings = {"spark.streaming.backpressure.enabled": "false", "spark.locality.wait": "1s"}
    sc = spark.get_context("probe", conf=settings)
    scaling.wait_for_executors(sc, 2)
    seen = sorted(set(sc.parallelize(range(8), 8).map(probe).collect()))
    conf = {key: sc.getConf().get(key) for key in settings}
    same = spark.get_context("probe", conf=settings) is sc
    try:
        spark.get_context("probe", conf={"spark.streaming.backpressure.enabled": "true"})
        refused = ""
    except ValueError as e:
        refused = str(e)
    print(json.dumps({"master": sc.master, "seen": seen, "executors": spark.executor_count(sc), "conf": conf,
                      "same": same, "refused": refused}))
    spark.stop_all()
    """
)


@pytest.fixture(scope="module")
def probe(lab):
    """SCRIPT's report, from one driver run on the cluster (a JVM start) shared by the tests that read it."""
    return json.loads(run([sys.executable, "-c", SCRIPT], lab.master_url).strip().splitlines()[-1])


def test_executors_run_the_venv_python_and_import_helpers(lab, probe):
    result = probe
    assert result["master"] == lab.master_url and result["executors"] == 2
    pythons = {python for python, _, _ in result["seen"]}
    assert pythons == {sys.executable}
    assert {Path(init).parent for _, init, _ in result["seen"]} == {ROOT / "helpers"}
    assert {where for _, _, where in result["seen"]} <= {"worker-1", "worker-2"}


def test_get_context_sets_start_only_settings_and_refuses_to_change_them(probe):
    result = probe
    assert result["conf"] == {"spark.streaming.backpressure.enabled": "false", "spark.locality.wait": "1s"}
    assert result["same"] is True
    assert result["refused"] == (
        "a SparkContext is running without {'spark.streaming.backpressure.enabled': 'true'}: "
        "call spark.stop_all() first"
    )


def test_stop_leaves_no_process_and_frees_every_port():
    """Its own one-worker cluster (two JVMs), so stopping it cannot take the module's cluster from another test."""
    lab = Cluster(workers=1, cores=1).start()
    try:
        processes = lab.processes()
        ports = [p for _, p in lab.ports()]
        temp = lab.folder
        assert len(processes) >= 2 and temp is not None and temp.is_dir()
    finally:
        lab.stop()
    _, alive = psutil.wait_procs(processes, timeout=5)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
    assert not [p for p in ports if port_in_use(p)]
    assert not temp.exists()
    assert not lab.running and lab.workers == []
    lab.stop()  # twice is fine


def test_a_start_that_times_out_says_so_and_cleans_up():
    cluster = Cluster(workers=1, timeout=0.5)
    with pytest.raises(ClusterError, match=r"timed out after 0.5 s waiting for the master to answer") as err:
        cluster.start()
    assert "--- master (" in str(err.value)
    assert cluster.master is None and cluster.folder is None
    assert not port_in_use(cluster.ui_port) and not port_in_use(cluster.master_port)


def test_a_worker_that_dies_is_reported_with_its_log():
    cluster = Cluster(workers=1, memory="lots")
    with pytest.raises(ClusterError, match=r"the worker-1 exited \(code \d+\) while waiting for 1 workers to register"):
        cluster.start()
    assert cluster.master is None and cluster.daemons == []


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="at least one worker"):
        Cluster(workers=0)
