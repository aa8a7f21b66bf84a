"""``markdown_of``: the Markdown of a generated page as MkDocs' ``get_data`` leaves it, without
parsing its front matter; whatever the title, description and body, the same string."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from catalog.mkdocs_site.html import markdown_of
from catalog.render.shared_pages import with_meta

TEXT = st.text(st.characters(codec="utf-8"), max_size=60)
LINES = st.lists(st.sampled_from(["", "\n", "---", "...", "# Title", "text", " ", "\t", "---\n", "a: b"]), max_size=8)


@given(title=TEXT, description=TEXT, body=st.one_of(TEXT, LINES.map("\n".join)))
def test_a_generated_page(title: str, description: str, body: str) -> None:
    text = with_meta(body, title, description)
    assert markdown_of(text) == get_data(text)[0]


@given(text=st.one_of(TEXT, LINES.map("\n".join)))
def test_any_text_whose_front_matter_is_a_mapping_or_absent(text: str) -> None:
    """What ``get_data`` cuts off only when the YAML is a mapping: other text is either the same
    (no front matter) or a page ``Prepared.was_made_from`` tells apart (then the plugin
    finishes what MkDocs hands it)."""
    body, meta = get_data(text)
    if meta or not text.startswith("---"):
        assert markdown_of(text) == body
