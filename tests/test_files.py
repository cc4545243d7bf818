"""The file sources' writers: FileDrop renames each finished file into its folder and leaves nothing beside it;
FileSource.from_batches stages batches through it, oldest first by modification time."""

from __future__ import annotations

from helpers.sources.files import FileDrop
from helpers.structured.sources import FileSource


def test_a_drop_writes_whole_files_in_order_and_leaves_nothing_beside_the_folder(tmp_path):
    drop = FileDrop(tmp_path / "in")
    first = drop.write(["a", "b"])
    second = drop.write(["é"])
    assert [p.name for p in drop.dropped] == ["batch-00001.ndjson", "batch-00002.ndjson"] == [first.name, second.name]
    assert first.read_text(encoding="utf-8") == "a\nb\n" and second.read_text(encoding="utf-8") == "é\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no staging file or folder left
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["batch-00001.ndjson", "batch-00002.ndjson"]


def test_from_batches_stages_one_file_a_batch_oldest_first_and_stop_removes_them():
    source = FileSource.from_batches([["1", "2"], [], ["3"]])
    files = source.files()
    assert [f.read_text(encoding="utf-8") for f in files] == ["1\n2\n", "", "3\n"] and len(source) == 3
    assert [f.stat().st_mtime for f in files] == sorted({f.stat().st_mtime for f in files})  # one second apart
    assert not list(source.folder.parent.glob(f".{source.folder.name}*"))
    source.stop()
    assert not source.folder.exists()
