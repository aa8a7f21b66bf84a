"""Hostile agent catalogs for issue 5, written into a folder by code (FIFOs, symlinks, huge and
unreadable files cannot live in git).

Every writer returns a :class:`Fixture`: the files that must be reported (with the finding
code each must get) and the files that must still get a page. The test modules use them one
by one; ``tests/test_hostile_all.py`` and ``benchmarks/bench_hostile.py`` put all of them
into one catalog.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

# What a payload does when it runs: each one is built to do at least one of these, so a
# browser that watches them sees it.
PWNED = "window.__pwned.push"
OUTSIDE = "http://127.0.0.1:9/x"
JINJA = "{{ 'jinja' ~ 'ran' ~ 4242 }}"  # rendered by a template engine, it would print jinjaran4242
JINJA_RESULT = "jinjaran4242"
SECRET = "SECRET-TOKEN-DO-NOT-PUBLISH-3f9a1c"  # in a .env beside mkdocs.yml
OUTSIDE_SECRET = "OUTSIDE-THE-TREE-SECRET-7d2e0b"  # in a file a symlink points to


@dataclass
class Fixture:
    """What a writer made: files that must be reported, and files that must get a page."""

    bad: dict[str, str] = field(default_factory=dict)  # path relative to the catalog -> finding code
    good: list[str] = field(default_factory=list)  # paths relative to the catalog
    notes: dict[str, str] = field(default_factory=dict)  # path -> what the file is, for messages

    def merge(self, other: Fixture, prefix: str = "") -> Fixture:
        self.bad.update({prefix + k: v for k, v in other.bad.items()})
        self.good.extend(prefix + p for p in other.good)
        self.notes.update({prefix + k: v for k, v in other.notes.items()})
        return self


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def agent(frontmatter: str, body: str = "You are a careful agent.\n") -> str:
    return f"---\n{frontmatter.strip(chr(10))}\n---\n{body}"


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar for any text (JSON strings are YAML)."""
    return json.dumps(text)


# --- 1. script in agent text ------------------------------------------------------------------


def js(key: str) -> str:
    return f"{PWNED}('{key}')"


def html_payloads(key: str) -> list[str]:
    """Raw HTML that runs script, changes the title or makes a request if it ever reaches a page."""
    run = js(key)
    return [
        f"<script>{run};document.title='PWNED'</script>",
        f'<script src="{OUTSIDE}.js"></script>',
        f'<img src=x onerror="{run}">',
        f'<svg onload="{run}"><circle r="1"/></svg>',
        f"<svg><script>{run}</script></svg>",
        f'<iframe src="javascript:parent.{run}"></iframe>',
        f'<iframe srcdoc="&lt;script&gt;parent.{run}&lt;/script&gt;"></iframe>',
        f"<style>@import url({OUTSIDE}.css); body {{ background: url({OUTSIDE}.png) }}</style>",
        f'<base href="{OUTSIDE}/">',
        f'<meta http-equiv="refresh" content="0;url={OUTSIDE}">',
        f'<form action="{OUTSIDE}"><input autofocus onfocus="{run}">'
        f'<button formaction="javascript:{run}">go</button></form>',
        f'<details open ontoggle="{run}"><summary>s</summary></details>',
        f'<body onload="{run}">',
        f'<object data="javascript:{run}"></object><embed src="{OUTSIDE}.swf">',
        f'<link rel="stylesheet" href="{OUTSIDE}.css">',
        f'<a href="javascript:{run}">js link</a> <a href="vbscript:msgbox(1)">vb link</a>',
        f'<math><mtext><table><mglyph><style><img src=x onerror="{run}">',
        f'<noscript><p title="</noscript><img src=x onerror={run}>"></noscript>',
        f'<div style="background:url({OUTSIDE}.png)">styled</div>',
        f'<video><source onerror="{run}"></video><audio src=x onerror="{run}"></audio>',
        f'<svg><a xlink:href="javascript:{run}"><text y="10">svg link</text></a></svg>',
        f'<svg><animate attributeName="href" to="javascript:{run}"/><set attributeName="onload" to="{run}"/></svg>',
        f'<input type="image" src="{OUTSIDE}.png"><isindex action="javascript:{run}">',
        "\"'></title></textarea></style></script><script>document.title='PWNED'</script>",
    ]


def markdown_payloads(key: str) -> list[str]:
    """Markdown and Markdown-extension syntax that would make a dangerous link or attribute."""
    run = js(key)
    data_html = base64.b64encode(f"<script>{run}</script>".encode()).decode()
    data_svg = base64.b64encode(f'<svg xmlns="http://www.w3.org/2000/svg" onload="{run}"/>'.encode()).decode()
    return [
        f"[md javascript link](javascript:{run})",
        f"[md mixed case](JaVaScRiPt:{run})",
        f"[md spaced]( javascript:{run})",
        f"[md entity](&#106;avascript:{run})",
        f"[md tab](java&#9;script:{run})",
        '[md vbscript](vbscript:msgbox("x"))',
        f"[md data link](data:text/html;base64,{data_html})",
        f"![md image javascript](javascript:{run})",
        f"![md image data](data:image/svg+xml;base64,{data_svg})",
        f"![md image outside]({OUTSIDE}.png)",
        f"<javascript:{run}>",
        f"[md reference][evil-{key}]\n\n[evil-{key}]: javascript:{run}",
        f'Paragraph with attr_list {{: onclick="{run}" }}',
        f'Para\n{{: autofocus tabindex="1" onfocus="{run}" }}',
        f'## Heading with attributes {{: onmouseover="{run}" }}',
        f'[attr link](http://example.invalid/){{: onclick="{run}" }}',
        f'![attr image](missing.png){{: onerror="{run}" }}',
        f'<div markdown="1" onmouseover="{run}">md_in_html *emphasis*</div>',
        f'<p markdown onclick="{run}">md_in_html paragraph</p>',
    ]


def breakouts(key: str) -> list[str]:
    """Text that tries to leave the context it is put in: a table cell, a code fence, the page."""
    run = js(key)
    return [
        f"| a | b |\n|---|---|\n| cell </td></tr></table><script>{run}</script> | x |\n"
        f"| `|` | <img src=x onerror={run}> |",
        f"```\n</code></pre><script>{run}</script>\n```",
        f"~~~~\n```\n</pre><img src=x onerror={run}>\n~~~~",
        f"    indented </code></pre><script>{run}</script>",
        f"`` ` </code><script>{run}</script> ``",
        f"---\ntitle: <script>{run}</script>\n---",
        "</div></details></article><script>document.title='PWNED'</script>",
        "<!-- --> --><script>document.title='PWNED'</script><!--",
        "<![CDATA[ ]]><script>document.title='PWNED'</script>",
    ]


def template_and_snippet_lines() -> list[str]:
    """Template syntax that must stay text, and snippet lines that must never be honoured."""
    return [
        f"Jinja2 stays text: {JINJA} {{% raw %}}raw{{% endraw %}} {{# comment #}} {{{{ config.site_name }}}}",
        "{% include '/etc/passwd' %} {% import 'x' as y %} {{ ''.__class__.__mro__ }}",
        '--8<-- ".env"',
        '--8<-- "/etc/passwd"',
        ';--8<-- ".env"',
        '-8<- ".env"',
        "--8<--\n.env\n/etc/passwd\n--8<--",
        '--8<-- ".env:1:3"',
    ]


def every_payload(key: str) -> list[str]:
    return [*html_payloads(key), *markdown_payloads(key), *breakouts(key), *template_and_snippet_lines()]


def one_line(key: str) -> str:
    """All HTML payloads on one line, for single-line fields (a name, a tool, a key)."""
    return " ".join(html_payloads(key)).replace("\n", " ")


HOSTILE_FILE_NAME = "<img src=x onerror=window.__pwned.push('file')> '\"&{{ 6*7 }}.md"


def write_content_catalog(root: Path) -> Fixture:
    """Agents with script, links, attributes, breakouts, template and snippet syntax in every field."""
    fixture = Fixture()
    agents = root / "agents"
    example = (
        "<example>\n"
        f"Context: context <script>{js('ex-context')}</script> {JINJA}\n"
        f'user: "<img src=x onerror={js("ex-user")}> [u](javascript:{js("ex-user-link")}) --8<-- \\".env\\""\n'
        f'assistant: "<svg onload={js("ex-assistant")}> {{: onclick={js("ex-attr")} }}"\n'
        f"<commentary><iframe src=javascript:{js('ex-commentary')}></iframe> {JINJA}</commentary>\n"
        "</example>"
    )
    body = "\n\n".join(["You are a <role> agent. Visible text: a <role> tag.", *every_payload("body")]) + "\n"
    write(
        agents / "body-payloads.md",
        agent(
            "name: body-payloads\n"
            f"description: {yaml_string('Use for bodies. ' + ' '.join(every_payload('description')))}\n"
            "tools: Read, Grep\n"
            "category: quality",
            body,
        ),
    )
    name = "evil " + one_line("name") + " " + JINJA + ' --8<-- ".env"'
    write(
        agents / "name-payloads.md",
        agent(
            f"name: {yaml_string(name)}\n"
            f"title: {yaml_string('Title ' + one_line('title'))}\n"
            "description: An agent whose name and title carry script.\n",
        ),
    )
    fields = {
        "tools": [f"Read<script>{js('tool')}</script>", f"Bash(<img src=x onerror={js('tool2')}>)", JINJA],
        "disallowedTools": [f"<svg onload={js('denied')}>"],
        "model": f'sonnet" onmouseover="{js("model")}" x="<script>{js("model2")}</script>',
        "color": f'red;background:url({OUTSIDE}.png)" onmouseover="{js("color")}',
        "category": f'cat <svg onload={js("category")}> {JINJA} --8<-- ".env"',
        "tags": [f"<script>{js('tag')}</script>", f"javascript:{js('tag2')}"],
        "permissionMode": f"<img src=x onerror={js('permission')}>",
        "extra-string": " ".join(every_payload("extra")),
        "extra-nested": {"a": [f"<script>{js('nested')}</script>", {"b": f"javascript:{js('nested2')}"}]},
        f"<img src=x onerror={js('key')}>": "a hostile key",
        JINJA: "a key that is a template",
    }
    write(
        agents / "field-payloads.md",
        agent(
            "name: field-payloads\n"
            f"description: {yaml_string('Use for fields. ' + example)}\n"
            + "".join(f"{yaml_string(k)}: {json.dumps(v)}\n" for k, v in fields.items()),
            f"Body of the field agent.\n\n{example}\n",
        ),
    )
    breakout_name = f"breakout\n---\ntitle: <script>{js('fm')}</script>\n---"
    breakout_description = "it's \"quoted\" </title></head><script>document.title='PWNED'</script> \n---\nx: y"
    write(
        agents / "frontmatter-breakout.md",
        agent(
            f"name: {yaml_string(breakout_name)}\ndescription: {yaml_string(breakout_description)}\n",
            "---\ntitle: <script>document.title='PWNED'</script>\n---\n\nBody after a fake front matter.\n",
        ),
    )
    write(agents / HOSTILE_FILE_NAME, agent("name: hostile-file-name\ndescription: The file name carries script."))
    write(
        root / ".opencode" / "agent" / "<svg onload=window.__pwned.push('opencode-file')>.md",
        agent(f"description: {yaml_string('opencode names agents after files. ' + one_line('opencode'))}"),
    )
    # A collection named by a folder (its agents/ makes it one), and a marketplace, plugin and
    # plugin category with script.
    coll = root / f"<svg onload={js('collection')}> coll"
    write(coll / "agents" / "collected.md", agent("name: collected\ndescription: In a hostile collection."))
    write(root / "plain-collection" / "agents" / "plain.md", agent("name: plain\ndescription: In a plain collection."))
    # A Roo Code mode whose rules files (their text and their names) carry every payload.
    write(
        root / ".roomodes",
        "customModes:\n  - slug: rules-payloads\n    name: Rules payloads\n    roleDefinition: You follow rules.\n"
        "    description: A mode whose rules carry script.\n    groups: [read]\n",
    )
    rules = root / ".roo" / "rules-rules-payloads"
    write(rules / "01-payloads.md", "\n\n".join(every_payload("rules")) + "\n")
    write(rules / f"<img src=x onerror={js('rules-file')}> {JINJA}.txt", one_line("rules-line") + "\n")
    market = root / "market"
    write(
        market / ".claude-plugin" / "marketplace.json",
        json.dumps(
            {
                "name": f"<img src=x onerror={js('marketplace')}>",
                "plugins": [
                    {"name": f"<svg onload={js('plugin')}>", "source": "./plugins/p", "category": f"<b>{JINJA}</b>"}
                ],
            }
        ),
    )
    write(
        market / "plugins" / "p" / ".claude-plugin" / "plugin.json",
        json.dumps({"name": f"<script>{js('plugin-json')}</script>"}),
    )
    write(market / "plugins" / "p" / "agents" / "plugged.md", agent("name: plugged\ndescription: In a hostile plugin."))
    fixture.good += [
        "agents/body-payloads.md",
        "agents/name-payloads.md",
        "agents/field-payloads.md",
        "agents/frontmatter-breakout.md",
        f"agents/{HOSTILE_FILE_NAME}",
        ".opencode/agent/<svg onload=window.__pwned.push('opencode-file')>.md",
        f"{coll.name}/agents/collected.md",
        "plain-collection/agents/plain.md",
        ".roomodes#rules-payloads",
        "market/plugins/p/agents/plugged.md",
    ]
    return fixture


def write_clean_catalog(root: Path) -> Fixture:
    """The same shapes without payloads: what the templates and theme emit on their own."""
    agents = root / "agents"
    example = '<example>\nContext: a context\nuser: "hello"\nassistant: "hi"\n<commentary>why</commentary>\n</example>'
    body = "You are a careful agent.\n\n## Section\n\n- item\n\n[a link](https://example.org/)\n\n```\ncode\n```\n"
    write(
        agents / "body-payloads.md", agent("name: body-payloads\ndescription: Use for bodies.\ncategory: quality", body)
    )
    write(agents / "name-payloads.md", agent("name: name-payloads\ntitle: A title\ndescription: A name."))
    write(
        agents / "field-payloads.md",
        agent(
            f"name: field-payloads\ndescription: {yaml_string('Use for fields. ' + example)}\n"
            "tools: [Read, Bash]\ndisallowedTools: [Write]\nmodel: sonnet\ncolor: red\ncategory: cat\n"
            "tags: [a, b]\npermissionMode: plan\nextra-string: x\nextra-nested: {a: [1]}",
            f"Body.\n\n{example}\n",
        ),
    )
    write(root / ".opencode" / "agent" / "plain-opencode.md", agent("description: opencode."))
    write(root / "coll" / "collected.md", agent("name: collected\ndescription: In a collection."))
    write(root / "plain-collection" / "plain.md", agent("name: plain\ndescription: In a plain collection."))
    market = root / "market"
    write(
        market / ".claude-plugin" / "marketplace.json",
        json.dumps({"name": "market", "plugins": [{"name": "p", "source": "./plugins/p", "category": "plugcat"}]}),
    )
    write(market / "plugins" / "p" / ".claude-plugin" / "plugin.json", json.dumps({"name": "p"}))
    write(market / "plugins" / "p" / "agents" / "plugged.md", agent("name: plugged\ndescription: In a plugin."))
    return Fixture(good=[str(p.relative_to(root)) for p in sorted(root.rglob("*.md"))])


# --- 2. names as paths ------------------------------------------------------------------------

# Frontmatter `name:` values as written in YAML (escapes are YAML's).
HOSTILE_NAMES: dict[str, str] = {
    "dotdot": "../../etc/passwd",
    "dotdot-win": '"..\\\\..\\\\windows\\\\system32"',
    "absolute": "/abs/path",
    "slashes": "a/b/c/d",
    "backslashes": '"a\\\\b\\\\c"',
    "nul": '"nul\\0byte"',
    "escape": '"\\x1b[31mred\\x1b[0m\\a bell"',
    "c1": '"c1\\x9b31m\\x85next"',
    "newline": '"line1\\nline2\\rline3"',
    "bidi": '"admin\\u202egnp.exe"',
    "isolate": '"left\\u2066right\\u2069"',
    "zero-width": '"zero\\u200bwidth\\u2060joiner\\ufeff"',
    "long": "x" * 500,
    "long-words": " ".join(["word"] * 120),
    "con": "CON",
    "nul-txt": "nul.txt",
    "com1": "COM1",
    "lpt9": "lpt9",
    "aux-ext": "aux.md",
    "resume-accent": "Résumé",
    "resume": "resume",
    "resume-upper": "RESUME",
    "cafe-nfc": unicodedata.normalize("NFC", "café"),
    "cafe-nfd": '"' + "".join(f"\\u{ord(c):04x}" for c in unicodedata.normalize("NFD", "café")) + '"',
    "yes": "yes",
    "no": "no",
    "on": "on",
    "true": "true",
    "exp": "1e3",
    "octal": "0o17",
    "inf": ".inf",
    "date": "2024-01-01",
    "datetime": "2024-01-01T12:00:00Z",
    "null": "null",
    "tilde": "~",
    "empty": '""',
    "dots": '".."',
    "dot": '"."',
    "dashes": '"---"',
    "symbols": '"!!!"',
    "emoji": '"🤖🤖"',
    "cjk": "数据分析",
    "hidden": ".hidden",
    "trailing-dot": '"name. "',
    "duplicate-1": "duplicate-name",
    "duplicate-2": "duplicate-name",
}
# File names that are themselves hostile (opencode: the file name is the agent's name).
HOSTILE_FILE_NAMES = [
    "CON.md",
    "nul.txt.md",
    "..md",
    "...md",
    "\x1b[31mred.md",
    "bell\x07.md",
    "\u202eevil.md",
    "zero\u200bwidth.md",
    "back\\slash.md",
    unicodedata.normalize("NFC", "Résumé.md"),
    unicodedata.normalize("NFD", "Résumé.md"),
    "résumé.md",
    "x" * 240 + ".md",
]
RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})


def write_name_catalog(root: Path) -> Fixture:
    fixture = Fixture()
    for key, value in HOSTILE_NAMES.items():
        rel = f"agents/{key}.md"
        write(root / rel, agent(f"name: {value}\ndescription: The name is {key}."))
        fixture.good.append(rel)
    for name in HOSTILE_FILE_NAMES:
        rel = f".opencode/agent/{name}"
        write(root / rel, agent(f"description: A file named {name!r}."))
        fixture.good.append(rel)
    return fixture


# --- 3. YAML -----------------------------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines)


def write_yaml_catalog(root: Path, marker: Path) -> Fixture:
    """``marker``: the file a ``!!python`` tag would create if it were ever executed."""
    fixture = Fixture()
    d = root / "yaml"
    cases = {
        "bomb.md": ("name: bomb\ndescription: billion laughs\n" + alias_bomb(), "AC114"),
        "python-apply.md": (
            f'name: python-apply\ndescription: !!python/object/apply:os.system ["touch {marker}"]',
            "AC114",
        ),
        "python-name.md": ("name: python-name\ndescription: !!python/name:os.system ''", "AC114"),
        "python-new.md": (
            f'name: python-new\ndescription: x\nv: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
            "AC114",
        ),
        "duplicate-keys.md": ("name: first\ndescription: a\nname: second\ncolor: red\ncolor: blue", "AC117"),
        "deep-sequence.md": ("name: deep-sequence\ndescription: x\nv: " + "[" * 10_000 + "]" * 10_000, "AC114"),
        "deep-mapping.md": ("name: deep-mapping\ndescription: x\nv: " + "{a: " * 10_000 + "1" + "}" * 10_000, "AC114"),
        "deep-block.md": (
            "name: deep-block\ndescription: x\nv:\n"
            + "".join("  " * i + "a:\n" for i in range(1, 1000))
            + "  " * 1000
            + "1",
            "AC114",
        ),
        "list.md": ("- name: list\n- description: a list", "AC116"),
        "scalar.md": ("just one string", "AC116"),
        "number.md": ("42", "AC116"),
    }
    for name, (frontmatter, code) in cases.items():
        write(d / name, agent(frontmatter))
        fixture.bad[f"yaml/{name}"] = code
    write(d / "well-formed.md", agent("name: well-formed\ndescription: The one good file here."))
    fixture.good.append("yaml/well-formed.md")
    return fixture


# --- 3. files ----------------------------------------------------------------------------------

HUGE_BYTES = 50 * 1024 * 1024


def write_huge(path: Path) -> None:
    """A 50 MB agent file with real content (not a sparse file): frontmatter, then text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"---\nname: huge\ndescription: fifty megabytes\n---\n")
        chunk = b"All work and no play makes a huge agent file. " * 1024
        while handle.tell() < HUGE_BYTES:
            handle.write(chunk)


SLOW_MARKDOWN = {
    "brackets.md": "[" * 20_000,
    "stars.md": "*" * 5_000,
    "nested-lists.md": "".join("  " * i + "- item\n" for i in range(500)),
    "nested-quotes.md": ">" * 10_000 + " deep",
    "backticks.md": "`" * 10_000,
    "long-line.md": "word " * 200_000,  # a 1 MB single line
    "links.md": "[a](" * 10_000,
    "emphasis.md": "*a **b " * 10_000,
    # Backtick runs of 999 lengths on one 500 KB line: pairing them by searching took minutes.
    "backtick-runs.md": "".join("`" * n + "a" for n in range(1, 1_000)),
    # 60,000 unclosed examples: one dialogue each made a 40 MB page.
    "example-tags.md": "<example>`x` " * 60_000,
    # One example of 100,000 turns: a bubble each made a 16 MB page.
    "example-turns.md": "<example>" + "user: a\n" * 100_000 + "</example>",
    # 2 MB-long runs: a fence's opening run given back one character at a time took hours.
    "backtick-line.md": "`" * 1_000_000,
    "tilde-line.md": "~" * 1_000_000,
}


def write_slow_markdown(root: Path) -> Fixture:
    fixture = Fixture()
    for name, body in SLOW_MARKDOWN.items():
        stem = name.removesuffix(".md")
        write(
            root / "slow" / name, agent(f"name: slow-{stem}\ndescription: Markdown that is slow to parse.", body + "\n")
        )
        fixture.good.append(f"slow/{name}")
    huge_name = "[*" * 50_000
    write(root / "slow" / "huge-name.md", agent(f"name: {yaml_string(huge_name)}\ndescription: A 100 KB name.\n"))
    fixture.good.append("slow/huge-name.md")
    return fixture


# Markdown that renders out of proportion to its size (AC503): a definition copied into every
# link that uses it, table rows filled in with empty cells. Each was hundreds of megabytes of
# page (the first, 10 GB: the run was killed for memory, and every other agent lost its page).
_LONG_URL = "http://example.invalid/" + "x" * 200_000
MARKDOWN_BOMBS = {
    "reference-links.md": f"[r]: {_LONG_URL}\n\n" + "[a][r] " * 50_000,
    "reference-shortcuts.md": f"[R]: <{_LONG_URL}> 'title'\n\n" + "[r] " * 50_000,
    "reference-in-quote.md": f"> [q]:\n> {_LONG_URL}\n>\n" + "> [q][]\n" * 20_000,
    "reference-images.md": "\n".join(f"[i{n}]: {_LONG_URL[:20_000]}" for n in range(3)) + "\n\n" + "![x][i1]" * 20_000,
    "table-rows.md": "|" + "a|" * 3_000 + "\n|" + "-|" * 3_000 + "\n" + "|x\n" * 3_000,
    "table-many.md": ("|" + "a|" * 256 + "\n|" + ":-|" * 256 + "\n" + "|\n" * 256 + "\n") * 60,
    "table-in-list.md": "- |" + "a|" * 2_000 + "\n  |" + "-|" * 2_000 + "\n" + "  |x\n" * 2_000,
}


def write_markdown_bombs(root: Path) -> Fixture:
    fixture = Fixture()
    for name, body in MARKDOWN_BOMBS.items():
        stem = name.removesuffix(".md")
        write(root / "bombs" / name, agent(f"name: bomb-{stem}\ndescription: Markdown out of proportion.", body + "\n"))
        fixture.good.append(f"bombs/{name}")  # and lint reports AC503: build prints only what reading finds
    return fixture


def write_encoding_catalog(root: Path) -> Fixture:
    fixture = Fixture()
    d = root / "encodings" / "agents"  # in an agents folder: even a file without frontmatter is an agent
    write(d / "latin1.md", agent("name: latin1\ndescription: caf\xe9").encode("latin-1"))
    fixture.bad["encodings/agents/latin1.md"] = "AC103"
    write(d / "nul-bytes.md", agent("name: nul-bytes\ndescription: a\x00b").encode())
    fixture.bad["encodings/agents/nul-bytes.md"] = "AC105"
    write(d / "empty.md", b"")
    fixture.bad["encodings/agents/empty.md"] = "AC110"
    write(d / "utf16.md", agent("name: utf16\ndescription: UTF-16 with a BOM").encode("utf-16"))
    fixture.notes["encodings/agents/utf16.md"] = "UTF-16: a warning, and read"
    fixture.good.append("encodings/agents/utf16.md")
    return fixture


def write_special_files(root: Path, outside: Path, *, devices: bool) -> Fixture:
    """FIFOs, a device (``devices``: os.mknod, root only; else a symlink to /dev/null), symlinks
    out of the tree (to a file holding :data:`OUTSIDE_SECRET`), dangling symlinks and loops."""
    fixture = Fixture()
    d = root / "special"
    d.mkdir(parents=True, exist_ok=True)
    write(outside / "secret.md", agent(f"name: outside\ndescription: {OUTSIDE_SECRET}", f"{OUTSIDE_SECRET}\n"))
    write(outside / "folder" / "secret-in-folder.md", agent(f"name: outside2\ndescription: {OUTSIDE_SECRET}"))
    os.mkfifo(d / "x.md")
    fixture.bad["special/x.md"] = "AC101"
    if devices:
        os.mknod(d / "zero.md", 0o644 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero: reads never end
        fixture.bad["special/zero.md"] = "AC101"
    else:
        os.symlink("/dev/null", d / "zero.md")  # leads outside the tree
        fixture.bad["special/zero.md"] = "AC132"
    os.symlink("/dev/zero", d / "dev-zero-link.md")
    fixture.bad["special/dev-zero-link.md"] = "AC132"
    os.symlink(outside / "secret.md", d / "leak.md")
    fixture.bad["special/leak.md"] = "AC132"
    os.symlink(os.path.relpath(outside / "secret.md", d), d / "leak-relative.md")
    fixture.bad["special/leak-relative.md"] = "AC132"
    os.symlink(outside / "folder", d / "leak-folder")
    fixture.bad["special/leak-folder"] = "AC132"
    os.symlink("/etc/passwd", d / "passwd.md")
    fixture.bad["special/passwd.md"] = "AC132"
    os.symlink(d / "nowhere.md", d / "dangling.md")
    fixture.bad["special/dangling.md"] = "AC132"
    os.symlink("loop-b.md", d / "loop-a.md")
    os.symlink("loop-a.md", d / "loop-b.md")
    fixture.bad["special/loop-a.md"] = fixture.bad["special/loop-b.md"] = "AC132"
    os.symlink("self.md", d / "self.md")
    fixture.bad["special/self.md"] = "AC132"
    (d / "sub").mkdir()
    os.symlink("..", d / "sub" / "up")
    fixture.bad["special/sub/up/"] = "AC132"
    fifo_target = d / "fifo-target"
    os.mkfifo(fifo_target)
    os.symlink("fifo-target", d / "fifo-link.md")
    fixture.bad["special/fifo-link.md"] = "AC101"
    write(d / "regular.md", agent("name: regular\ndescription: The regular file beside the special ones."))
    os.symlink("regular.md", d / "z-inside-link.md")  # a symlink within the tree: the same agent, once
    fixture.good.append("special/regular.md")
    return fixture


def write_unreadable(root: Path) -> Fixture:
    """A file and a folder nobody but root can read (chmod 000); the caller reads as nobody."""
    fixture = Fixture()
    d = root / "perms"
    write(d / "readable.md", agent("name: readable\ndescription: Readable beside unreadable ones."))
    fixture.good.append("perms/readable.md")
    locked = write(d / "locked.md", agent("name: locked\ndescription: chmod 000"))
    locked.chmod(0)
    fixture.bad["perms/locked.md"] = "AC101"
    folder = d / "locked-folder"
    write(folder / "inside.md", agent("name: inside\ndescription: in a chmod 000 folder"))
    folder.chmod(0)
    fixture.bad["perms/locked-folder/"] = "AC131"
    return fixture


def make_world_readable(root: Path, skip: set[Path]) -> None:
    """Everything under ``root`` readable (and folders enterable) by others, but ``skip``."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here not in skip:
            here.chmod(0o755)
        for name in files:
            path = here / name
            if path not in skip and not path.is_symlink() and stat.S_ISREG(path.lstat().st_mode):
                path.chmod(0o644)
        dirs[:] = [d for d in dirs if here / d not in skip]


# --- issue 15: one file never stops the run; manifests are input ------------------------------


def write_guard_catalog(root: Path, outside: Path) -> Fixture:
    """Values YAML cannot build, a name that is not UTF-8, a manifest nested 200,000 levels
    deep and one symlinked out of the tree (holding the outside secret)."""
    fixture = Fixture()
    d = root / "guard"
    unbuildable = "created: 2024-02-30\nwhen: !!timestamp nope\nflag: !!bool maybe\nn: " + "9" * 5001
    write(d / "values.md", agent(f"name: unbuildable-values\ndescription: Dates that are not.\n{unbuildable}"))
    fixture.bad["guard/values.md"] = "AC118"
    fixture.good.append("guard/values.md")
    d.mkdir(parents=True, exist_ok=True)
    with open(os.path.join(os.fsencode(d), b"caf\xe9.md"), "wb") as handle:
        handle.write(agent("name: latin-1-name\ndescription: A file name in Latin-1.").encode())
    fixture.bad["guard/caf\\xe9.md"] = "AC133"
    fixture.good.append("guard/caf\\xe9.md")
    write(d / "deep" / ".claude-plugin" / "marketplace.json", "[" * 200_000 + "]" * 200_000)
    write(d / "deep" / "agents" / "beside-deep.md", agent("name: beside-deep\ndescription: Beside a deep manifest."))
    fixture.bad["guard/deep/.claude-plugin/marketplace.json"] = "AC130"
    fixture.good.append("guard/deep/agents/beside-deep.md")
    write(outside / "plugin.json", json.dumps({"name": OUTSIDE_SECRET}))
    plugin = d / "plugins" / "p"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").symlink_to(outside / "plugin.json")
    write(plugin / "agents" / "in-plugin.md", agent("name: in-plugin\ndescription: Its plugin.json is outside."))
    fixture.bad["guard/plugins/p/.claude-plugin/plugin.json"] = "AC132"
    fixture.good.append("guard/plugins/p/agents/in-plugin.md")
    return fixture


# --- 5. everything together ------------------------------------------------------------------


def write_all(root: Path, outside: Path, marker: Path, *, devices: bool, unreadable: bool) -> Fixture:
    """Every hostile fixture in one catalog under ``root``."""
    fixture = Fixture()
    fixture.merge(write_content_catalog(root))
    fixture.merge(write_name_catalog(root / "names"), "names/")
    fixture.merge(write_yaml_catalog(root, marker))
    huge = root / "files" / "huge.md"
    write_huge(huge)
    fixture.bad["files/huge.md"] = "AC102"
    fixture.merge(write_slow_markdown(root))
    fixture.merge(write_markdown_bombs(root))
    fixture.merge(write_encoding_catalog(root))
    fixture.merge(write_special_files(root, outside, devices=devices))
    fixture.merge(write_guard_catalog(root, outside))
    if unreadable:
        fixture.merge(write_unreadable(root))
    return fixture
