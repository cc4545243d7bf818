"""Driver restart without loss: kill the driver mid-stream, restart it through getOrCreate, count exactly once.

The driver (``python -m helpers.dstream.recovery``) runs as a child process on a file drop folder with a checkpoint
folder. It is killed with SIGKILL twice: once with every dropped file counted (a restart that re-applied
those files to the recovered state would count them twice), once right after a batch with a new file
(which may be half done). A file is dropped each time while it is down. After the last restart it stops by
itself; its running totals must then equal the python engine's totals of every dropped file: the same
tweets, malformed lines and word counts — nothing lost, nothing counted twice.

Every wait watches the totals file the driver rewrites after each batch, never a fixed sleep.
"""

from __future__ import annotations

from itertools import islice

import pytest

from helpers import paths
from helpers.dstream import recovery
from helpers.infra.processes import group_members
from helpers.sample import batches_of, merged_lines, read_lines
from helpers.sources.files import FileDrop

pytestmark = [pytest.mark.spark, pytest.mark.slow]

BATCH_S = 2.0  # fewer batches to catch up on after a restart than with 1 s, on a busy 2-core machine
#: What data/sample_tweets/README.md says malformed.ndjson holds, besides 2 blank keep-alive lines.
MALFORMED_TWEETS, MALFORMED_BAD = 5, 13


def chunks(n: int, size: int = 600) -> list[list[str]]:
    """``n`` files' worth of sample lines; the second also holds every malformed line of the kit."""
    found = [list(b) for b in islice(batches_of(merged_lines(paths.sample_files()), size), n)]
    found[1] += list(read_lines([paths.MALFORMED]))
    return found


def assert_counted_exactly(totals: dict, drop: FileDrop, when: str) -> None:
    """The totals equal the plain-Python totals of every file dropped so far; says which way they differ."""
    expected = recovery.expected_totals(drop.dropped)
    for key in ("tweets", "malformed"):
        got, want = totals[key], expected[key]
        how = "counted twice" if got > want else "lost"
        assert got == want, f"{when}: {got} {key} instead of {want} — {abs(got - want)} {how}"
    assert totals["words"] == expected["words"], f"{when}: the word totals differ from the python engine's"


def test_driver_restart_without_loss(tmp_path):
    files = chunks(5)
    drop = FileDrop(tmp_path / "input")
    driver = recovery.Driver(tmp_path / "checkpoint", drop.folder, tmp_path / "totals.json", batch_s=BATCH_S)
    groups = []
    try:
        driver.start()
        groups.append(driver.group)
        assert driver.totals()["recovered"] is False
        drop.write(files[0])
        drop.write(files[1])
        counted = driver.wait_for_tweets(recovery.expected_totals(drop.dropped)["tweets"])
        assert_counted_exactly(counted, drop, "before the first kill")
        assert counted["malformed"] > 0

        # Kill 1: everything dropped is counted, in a state newer than its last saved copy.
        driver.kill()
        assert not group_members(groups[-1]), "the killed driver left processes behind"
        drop.write(files[2])  # while the driver is down
        driver.start()
        groups.append(driver.group)
        assert driver.totals()["recovered"] is True
        counted = driver.wait_for_tweets(recovery.expected_totals(drop.dropped)["tweets"])
        assert_counted_exactly(counted, drop, "after the first restart")

        # Kill 2: a new file in the folder, one more batch written, and the driver dies mid-stream.
        drop.write(files[3])
        driver.wait_until(lambda t: t["batches"] > counted["batches"])
        driver.kill()
        assert not group_members(groups[-1]), "the killed driver left processes behind"
        drop.write(files[4])  # while the driver is down
        driver.start(until_idle=3 * BATCH_S)
        groups.append(driver.group)
        assert driver.finish() == 0, driver.log_tail()
        final = driver.totals()
    finally:
        driver.close()
    assert final["recovered"] is True and final["pid"] == groups[-1]
    assert_counted_exactly(final, drop, "at the end")
    sample_lines = sum(len(f) for f in files) - len(list(read_lines([paths.MALFORMED])))
    assert (final["tweets"], final["malformed"]) == (sample_lines + MALFORMED_TWEETS, MALFORMED_BAD)
    for group in groups:
        assert not group_members(group), "a driver left processes behind"
