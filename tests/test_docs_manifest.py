"""catalog.output.manifest: the manifest a run writes is always ``manifest_json`` of its files,
whether it was made whole or patched from the text the last run wrote (issue 17: an edit
changes a few digests of 30,000, and the file was rebuilt and re-encoded whole each time)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.output import manifest as manifest_module
from catalog.output.docs_folder import Listed, write_docs
from catalog.output.manifest import MANIFEST, Manifest, digest, manifest_json, manifest_text, read_manifest

HEX = st.text("0123456789abcdef", min_size=32, max_size=32)
# Plain paths mostly, and now and then one JSON must escape, or one with several digests.
PATH = st.one_of(st.from_regex(r"[a-z]{1,6}(/[a-z0-9._-]{1,8}){0,2}", fullmatch=True), st.text(min_size=1, max_size=8))
DIGESTS = st.one_of(HEX.map(lambda d: (d,)), st.lists(st.text(max_size=6), max_size=2).map(tuple))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(PATH, DIGESTS, max_size=12),
    st.data(),
)
def test_a_patched_manifest_is_the_manifest_made_whole(old: dict[str, tuple[str, ...]], data: st.DataObject) -> None:
    """Whatever changed (digests, paths come or gone, digests of any form), the text made from
    the last run's text is the text made from scratch."""
    new = dict(old)
    for rel in data.draw(st.lists(st.sampled_from(sorted(old)), max_size=4) if old else st.just([])):
        new[rel] = data.draw(DIGESTS)
    if data.draw(st.booleans()):
        new.update(data.draw(st.dictionaries(PATH, DIGESTS, max_size=2)))
    was = Manifest(old, text=manifest_json(old) + "\n")
    assert manifest_text(new, was) == manifest_json(new) + "\n"
    # Told which paths may have changed (those a run wrote: some left as they were, too).
    told = [rel for rel in new if rel in old and (new[rel] != old[rel] or data.draw(st.booleans()))]
    told += data.draw(st.lists(PATH, max_size=2))  # and pages the run left alone, in neither
    assert manifest_text(new, was, told) == manifest_json(new) + "\n"
    assert json.loads(manifest_text(new, was)) == {rel: d[0] if len(d) == 1 else list(d) for rel, d in new.items()}


def test_an_edit_patches_the_manifest_the_last_run_wrote_and_only_that_one(tmp_path: Path) -> None:
    """The manifest is patched when its stat is the one the last write left (``known``); a
    manifest edited since (here: reformatted, same entries) is written whole again."""
    docs = tmp_path / "docs"
    pages = {f"agents/a{i}.md": f"page {i}\n" for i in range(50)}
    first = write_docs(pages, docs)
    assert first.stats[MANIFEST] == read_manifest(docs).stat
    second = write_docs({**pages, "agents/a7.md": "page 7, edited\n"}, docs, known=first.stats)
    assert second.written == ("agents/a7.md",)
    made = (docs / MANIFEST).read_text(encoding="utf-8")
    assert made == manifest_json(read_manifest(docs).files) + "\n"
    # Reformatted by hand (same entries, one line): not ours to patch, written whole.
    (docs / MANIFEST).write_text(json.dumps(json.loads(made)) + "\n", encoding="utf-8")
    os.utime(docs / MANIFEST, ns=(second.stats[MANIFEST].mtime_ns,) * 2)  # even with the old mtime
    write_docs({**pages, "agents/a7.md": "page 7, edited again\n"}, docs, known=second.stats)
    assert (docs / MANIFEST).read_text(encoding="utf-8") == manifest_json(read_manifest(docs).files) + "\n"


def test_a_page_left_alone_and_never_ours_does_not_break_the_patch(tmp_path: Path) -> None:
    """A page the run does not write (a person's own file at its path, never in the manifest)
    is in ``pages`` but not in the manifest: the patch, told ``pages``' paths, skips it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rules.md").write_text("my own rules\n", encoding="utf-8")
    pages = {"rules.md": "generated rules\n", **{f"agents/a{i}.md": f"page {i}\n" for i in range(5)}}
    first = write_docs(pages, docs)
    assert [rel for rel, _ in first.kept] == ["rules.md"]
    write_docs({**pages, "agents/a3.md": "page 3, edited\n"}, docs, known=first.stats)
    assert (docs / MANIFEST).read_text(encoding="utf-8") == manifest_json(read_manifest(docs).files) + "\n"
    assert (docs / "rules.md").read_text(encoding="utf-8") == "my own rules\n"


def test_a_path_told_twice_is_patched_once() -> None:
    """CI found it (hypothesis): a path in ``changed`` twice was patched twice, and the second
    patch wrote its digest into the middle of the first."""
    old = {"0": ("0" * 31 + "1",), "a": ("0" * 32,), "b": ("0" * 32,)}
    new = {"0": ("0" * 32,), "a": ("0" * 31 + "1",), "b": ("0" * 32,)}
    was = Manifest(old, text=manifest_json(old) + "\n")
    assert manifest_text(new, was, ["a", "0", "a"]) == manifest_json(new) + "\n"


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(PATH, DIGESTS, max_size=40), st.lists(PATH, max_size=4))
def test_a_manifest_looked_up_unparsed_gives_what_parsing_gives(
    files: dict[str, tuple[str, ...]], others: list[str]
) -> None:
    """The manifest the last run wrote is not parsed: each path a run writes is found by a
    binary search of its sorted lines, which gives what parsing it gives, for every path
    listed or not (a line not of a plain path with one digest: parsed after all)."""
    text = manifest_json(files) + "\n"
    for rel in [*files, *others]:
        assert Manifest(None, text=text).get(rel) == Manifest(None, text=text).files.get(rel)


def test_an_edit_of_one_page_does_not_parse_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Told what the manifest lists (``Listed``: the one the last run wrote), an edit looks up
    the pages it writes, patches their digests and parses none of the 2,000 lines."""
    docs = tmp_path / "docs"
    pages = {f"agents/a{i}.md": f"page {i}\n" for i in range(2000)}
    first = write_docs(pages, docs)
    parse = manifest_module._parsed
    monkeypatch.setattr(
        manifest_module, "_parsed", lambda text, checked: parse(text, checked) if not text else pytest.fail()
    )
    second = write_docs({"agents/a7.md": "edited\n"}, docs, known=first.stats, listed=Listed(1999, ()))
    assert (second.written, second.unchanged, second.folders) == (("agents/a7.md",), 1999, ("agents",))
    monkeypatch.undo()
    assert read_manifest(docs).files == {
        **{rel: (digest(t.encode()),) for rel, t in pages.items()},
        "agents/a7.md": (digest(b"edited\n"),),
    }
