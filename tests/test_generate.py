"""The sample generator: same seed, same bytes; offsets that match the text; the promised variety."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from helpers import generate, paths


def test_same_seed_same_bytes(tmp_path):
    written = generate.write_sample(tmp_path)
    for path in written:
        shipped = paths.SAMPLE_TWEETS / path.name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(shipped.read_bytes()).hexdigest()


def test_another_seed_other_bytes():
    assert list(generate.lines(5, seed=1)) != list(generate.lines(5, seed=2))
    assert list(generate.lines(5, seed=1)) == list(generate.lines(5, seed=1))


def _objects():
    for path in paths.sample_files():
        with path.open(encoding="utf-8") as fh:
            yield from (json.loads(line) for line in fh)


def test_entity_offsets_match_the_text():
    checked = 0
    for obj in _objects():
        data = obj["data"]
        ents = data.get("entities", {})
        for h in ents.get("hashtags", []):
            assert data["text"][h["start"] : h["end"]] == "#" + h["tag"]
            checked += 1
        for m in ents.get("mentions", []):
            assert data["text"][m["start"] : m["end"]] == "@" + m["username"]
            checked += 1
        for u in ents.get("urls", []):
            assert data["text"][u["start"] : u["end"]] == u["url"]
            checked += 1
    assert checked > 20_000


def test_shape_and_variety():
    objs = list(_objects())
    assert len(objs) == 20_800
    kinds = Counter()
    for obj in objs:
        data = obj["data"]
        assert set(obj) == {"data", "includes", "matching_rules"}
        assert {"id", "text", "created_at", "author_id", "lang", "edit_history_tweet_ids", "public_metrics"} <= set(
            data
        )
        assert obj["includes"]["users"][0]["id"] == data["author_id"]
        assert set(obj["matching_rules"][0]) == {"id", "tag"}
        text = data["text"]
        kinds["rt"] += text.startswith("RT @")
        kinds["foreign"] += data["lang"] != "en"
        kinds["note"] += "note_tweet" in data
        kinds["url"] += "https://t.co/" in text
        kinds["negation"] += " not " in text or "isn't" in text
        kinds["emoji"] += any(ord(c) > 0x2600 for c in text)
        kinds["elongated"] += "ooo" in text
    assert all(kinds[k] > 50 for k in ("rt", "foreign", "url", "negation", "emoji", "elongated")), kinds
    assert 100 < kinds["note"] < 400
    times = sorted(o["data"]["created_at"] for o in objs)
    assert times[0].startswith("2026-11-20T08:") and times[-1].startswith("2026-11-20T13:")


def test_shipped_data_stays_small():
    assert sum(p.stat().st_size for p in paths.SAMPLE_TWEETS.iterdir()) < 15 * 2**20
