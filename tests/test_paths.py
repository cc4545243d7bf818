"""The shipped sample's files by topic: one name, several, or all."""

from __future__ import annotations

import pytest

from helpers import paths


def test_one_topic_by_name_several_by_list_all_by_none_or_empty():
    football = paths.SAMPLE_TWEETS / "football.ndjson"
    assert paths.sample_files("football") == [football]
    assert paths.sample_files(["climate", "football"]) == [paths.SAMPLE_TWEETS / "climate.ndjson", football]
    assert paths.sample_files() == paths.sample_files("") == [paths.SAMPLE_TWEETS / f"{t}.ndjson" for t in paths.TOPICS]
    assert paths.sample_files([]) == []
    assert all(p.is_file() for p in paths.sample_files())


def test_an_unknown_topic_is_named():
    with pytest.raises(ValueError, match=r"unknown topic\(s\) \['cricket'\]"):
        paths.sample_files("cricket")
