"""Names written in other scripts than Latin (Chinese, Cyrillic, Greek, Arabic, ...).

slugify kept the ASCII its text folds to, and none of these fold to any: every such name was
the page ``agent`` (then ``agent-2``, ... in path order, with an AC140 warning each, and an
agent's page changed name when a file came before it), and two categories in such a script
were one category, spelt as one of them (``后端`` read as ``前端``). Seen in a Chinese novel
repository (ysankpia/oh-story-claudecode), whose character files have Chinese names.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from catalog.lint.check import lint_catalog
from catalog.model.names import MAX_SLUG, one_spelling, slugify
from catalog.pipeline import scan_catalog

SAFE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Names in several scripts, each unlike the others; the Latin ones without an ASCII
# decomposition (ß, ł, ø) read as they are transliterated.
NAMES = ["李林", "周薄森", "前端", "后端", "Проверка кода", "Тестировщик", "Ελεγκτής", "مراجع", "レビュー", "검토자"]

# Letters of scripts that have no ASCII spelling, a Latin letter, a separator.
_SCRIPT = st.sampled_from("李林周前后端ПроверкаТЕСТйиΕλεγκمراجعレビューハバパ검토자ขาว\u0e48\u0e49abé\u0306")
_TEXT = st.text(_SCRIPT | st.sampled_from(" -_"), min_size=1, max_size=12)


def _key(text: str) -> str:
    """What tells two names apart: their letters, whatever the case, separators and the
    accents of Latin letters; the marks of other scripts' letters are letters (``й``, ``バ``)."""
    plain = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and (not plain or plain[-1].isascii()):
            continue
        plain.append(char)
    return "-".join(re.findall(r"[\w\u0300-\u036f\u0e31-\u0e4e\u3099\u309a]+", "".join(plain).casefold()))


@given(_TEXT, _TEXT)
def test_names_in_other_scripts_are_one_slug_exactly_when_they_are_one_name(a: str, b: str) -> None:
    assert SAFE.fullmatch(slugify(a)) and len(slugify(a)) <= MAX_SLUG
    assert (slugify(a) == slugify(b)) == (_key(a) == _key(b))


def test_spellings_that_differ_in_case_are_still_one() -> None:
    assert slugify("Проверка кода") == slugify("проверка_КОДА") != slugify("Проверка")
    assert [slugify(t) for t in ("Straße", "Łukasz", "Ørsted", "Ünïcödé agent")] == [
        "strasse",
        "lukasz",
        "orsted",
        "unicode-agent",
    ]


def test_two_categories_in_another_script_stay_two() -> None:
    assert one_spelling(["前端", "后端", "前端"]) == {"前端": "前端", "后端": "后端"}
    # Letters whose marks make them others: й and и, バ (bus) and パ (path), Thai's tones
    # (ข่าว news, ข้าว rice). The accents of Latin letters are the ASCII part's.
    for one, other in [("Мой", "Мои"), ("バス", "パス"), ("ข่าว", "ข้าว"), ("Café 李", "Cafe 李")]:
        assert len(set(one_spelling([one, other]).values())) == (1 if one.startswith("Caf") else 2), (one, other)
    assert one_spelling(["Тесты", "тесты", "Тесты"]) == {"Тесты": "Тесты", "тесты": "Тесты"}


def _write(root: Path, names: list[str]) -> None:
    for number, name in enumerate(names):
        path = root / "agents" / f"{number:02}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\nname: {name}\ndescription: Helps with {number}.\ncategory: {name}\n---\nYou help.\n")


def test_agents_named_in_other_scripts_each_have_their_own_page(tmp_path: Path) -> None:
    _write(tmp_path, NAMES)
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    by_name = {agent.name: agent for agent in catalog.agents}
    assert sorted(by_name) == sorted(NAMES)
    assert len({agent.slug for agent in catalog.agents}) == len(NAMES)
    assert {agent.name: agent.category for agent in catalog.agents} == {name: name for name in NAMES}
    assert not [f for f in lint_catalog(catalog) if f.code == "AC140"]
    # A file that comes first changes no other agent's page name.
    _write(tmp_path, ["王五", *NAMES])
    again = {agent.name: agent.slug for agent in scan_catalog([str(tmp_path)], jobs=1).agents}
    assert {name: again[name] for name in NAMES} == {name: agent.slug for name, agent in by_name.items()}
