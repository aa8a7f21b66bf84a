"""What the hostile-input tests share: running the CLI, snapshots, the HTML audit, the browser."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import re
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# -P: the folder the CLI runs in is not put on sys.path (a test's folder named "catalog" would
# hide the package).
CLI = [sys.executable, "-P", "-m", "catalog"]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
# Every URL but those of LOCAL_SCHEMES. A route with this pattern is matched by the browser
# itself: a request of the site's own goes on without a round trip to this process (a tenth of
# each page's load, and far more for a batch of pages loading at once); every other request
# still comes here to be counted and aborted.
OUTSIDE = re.compile("^(?!" + "|".join(re.escape(scheme) for scheme in LOCAL_SCHEMES) + ")")
NOBODY = 65534

# Characters that must never reach a terminal raw: C0 controls (but tab and newline), DEL,
# C1 controls, bidi embeddings, overrides and isolates, zero-width characters, the BOM.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def run_cli(
    args: Sequence[str], cwd: Path, *, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``agent-catalog ARGS`` in a subprocess, with this process's environment (and its cache
    folder). A traceback is a bug in this project, whatever the exit code."""
    result = subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, timeout=timeout, env={**os.environ, **(env or {})}, check=False
    )
    assert b"Traceback (most recent call last)" not in result.stderr, text_of(result)
    return result


def text_of(result: subprocess.CompletedProcess[bytes]) -> str:
    return (result.stdout + result.stderr).decode("utf-8", "replace")


def terminal_unsafe(data: bytes) -> list[str]:
    """The characters in ``data`` that could move the cursor, ring, or reorder what is read."""
    return sorted({f"U+{ord(c):04X}" for c in _TERMINAL_UNSAFE.findall(data.decode("utf-8", "replace"))})


def snapshot(root: Path, skip: Sequence[Path] = ()) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root`` but ``skip``: (mode, size, mtime), without following symlinks."""
    skipped = {os.path.realpath(p) for p in skip}
    entries: dict[str, tuple[int, int, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if os.path.realpath(os.path.join(folder, d)) not in skipped]
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            size = 0 if stat.S_ISDIR(info.st_mode) else info.st_size
            entries[os.path.relpath(path, root)] = (info.st_mode, size, info.st_mtime_ns)
    return entries


def read_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- the site -------------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def links_of(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def agent_links(site: Path, page: str = "index.html") -> set[str]:
    """The agent pages (``agents/x.html``) a page links to, relative to the site."""
    base = posixpath.dirname(page)
    found = set()
    for href in links_of(site / page):
        path = unquote(urlsplit(href).path)
        if not path or urlsplit(href).scheme:
            continue
        target = posixpath.normpath(posixpath.join(base, path))
        if target.startswith("agents/") and target.endswith(".html"):
            found.add(target)
    return found


def agent_pages(site: Path) -> set[str]:
    return {f"agents/{p.name}" for p in (site / "agents").glob("*.html")} if (site / "agents").is_dir() else set()


def catalog_slugs(site_or_docs: Path) -> dict[str, str]:
    """Agent path (relative to the scanned folder) -> slug, from the generated catalog.json."""
    data = json.loads((site_or_docs / "catalog.json").read_text(encoding="utf-8"))
    return {a["path"]: a["slug"] for a in data["agents"]}


# --- the audit: every built HTML file, every dangerous thing in it ----------------------------

_URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "ping",
        "cite", "longdesc", "codebase", "lowsrc", "dynsrc", "manifest", "icon", "archive", "to", "from", "values",
        "by",
    }
)  # fmt: skip
_DANGEROUS_ELEMENTS = frozenset(
    {
        "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base", "portal", "isindex",
        "animate", "set", "animatemotion", "animatetransform", "foreignobject", "handler", "listener", "noembed",
        "template", "textarea", "xmp", "plaintext", "math", "noscript", "noframes",
    }
)  # fmt: skip
# <link> relations that make the browser load something (prev/next/canonical load nothing).
_LOADING_RELS = frozenset(
    {"stylesheet", "import", "preload", "modulepreload", "prefetch", "prerender", "icon", "manifest", "preconnect",
     "dns-prefetch", "apple-touch-icon", "shortcut"}
)  # fmt: skip
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.IGNORECASE)
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")


@dataclass(frozen=True)
class Risk:
    """One thing in a built page that can run script or load from outside."""

    page: str
    what: str
    key: tuple[str, ...]  # page-independent: compared with what the clean build's pages hold

    def __str__(self) -> str:
        return f"{self.page}: {self.what}"


class _Auditor(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.base = posixpath.dirname(page)
        self.risks: list[Risk] = []
        self.capture: tuple[str, str] | None = None  # (tag, the start tag's summary)
        self.captured: list[str] = []

    def resolve(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme or url.startswith("//"):
            return url
        return posixpath.normpath(posixpath.join(self.base, unquote(parts.path))) if parts.path else url

    def add(self, what: str, *key: str) -> None:
        self.risks.append(Risk(self.page, what, key))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)
        if tag in ("script", "style"):
            self.capture = (tag, " ".join(f"{k}={v}" for k, v in attrs if k not in ("src",)))
            self.captured = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.capture is not None:
            self.captured.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.capture is not None and tag == self.capture[0]:
            content = "".join(self.captured)
            if content.strip():
                digest = hashlib.sha256(content.encode()).hexdigest()[:16]
                self.add(f"inline <{tag} {self.capture[1]}>{content[:80]!r}", f"inline-{tag}", self.capture[1], digest)
            self.capture = None

    def check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "script" and "src" in values:
            self.add(f"<script src={values['src']!r}>", "script-src", self.resolve(values["src"]))
        elif tag == "script":
            pass  # reported with its content at the end tag
        if tag in _DANGEROUS_ELEMENTS:
            signature = " ".join(
                f"{k}={self.resolve(v) if k in _URL_ATTRIBUTES else v}" for k, v in sorted(values.items())
            )
            self.add(f"<{tag} {signature}>", "element", tag, signature)
        if tag == "meta" and "http-equiv" in values:
            self.add(f"<meta http-equiv={values['http-equiv']!r}>", "meta-http-equiv", values["http-equiv"].lower())
        rel = values.get("rel", "").lower()
        if tag == "link" and set(rel.split()) & _LOADING_RELS:
            href = values.get("href", "")
            self.add(f"<link rel={rel!r} href={href!r}>", "link", rel, self.resolve(href))
        for name, value in values.items():
            if name.startswith("on"):
                self.add(f"<{tag} {name}={value!r}>", "event-attribute", tag, name, value)
            if name == "srcdoc":
                self.add(f"<{tag} srcdoc={value!r}>", "srcdoc", tag, value)
            if name in _URL_ATTRIBUTES or name.endswith(":href"):
                for url in value.split(",") if name == "srcset" else [value]:
                    cleaned = _IGNORED_IN_URL.sub("", url)
                    if _BAD_SCHEME.match(cleaned):
                        self.add(f"<{tag} {name}={value[:80]!r}>", "url", tag, name, cleaned)
                    elif cleaned.lower().startswith(("http:", "https:", "//")) and tag in ("img", "script", "iframe"):
                        self.add(f"<{tag} {name}={value[:80]!r}> loads from outside", "outside", tag, name, cleaned)
            if name == "style" and re.search(r"url\s*\(|expression\s*\(|@import|javascript:|behavior\s*:", value, re.I):
                self.add(f"<{tag} style={value!r}>", "style-attribute", value)


def audit_site(site: Path) -> list[Risk]:
    """Every script, event attribute, style element, frame, form, base, meta refresh, link and
    dangerous URL in every HTML file of the site."""
    risks: list[Risk] = []
    for path in sorted(site.rglob("*.html")):
        auditor = _Auditor(path.relative_to(site).as_posix())
        auditor.feed(path.read_text(encoding="utf-8", errors="replace"))
        auditor.close()
        risks += auditor.risks
    return risks


def unexpected_risks(site: Path, clean_site: Path) -> list[Risk]:
    """What ``site`` holds that the theme and templates did not put in ``clean_site``."""
    allowed = {risk.key for risk in audit_site(clean_site)}
    return [risk for risk in audit_site(site) if risk.key not in allowed]


# --- the browser --------------------------------------------------------------------------------

INIT_SCRIPT = "window.__pwned = [];"  # what every payload pushes to


@dataclass
class Visit:
    """What one page did in the browser."""

    url: str
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    pwned: list[Any] = field(default_factory=list)
    title: str = ""
    final_url: str = ""

    def problems(self) -> list[str]:
        found = []
        if self.outside:
            found.append(f"requests outside the site: {self.outside}")
        if self.dialogs:
            found.append(f"dialogs opened: {self.dialogs}")
        if self.pwned:
            found.append(f"payloads ran: {self.pwned}")
        if self.title == "PWNED":
            found.append(f"title changed to {self.title!r}")
        if self.final_url.split("#")[0].split("?")[0] != self.url.split("#")[0].split("?")[0]:
            found.append(f"navigated away to {self.final_url}")
        return [f"{self.url}: {problem}" for problem in found]


class Session:
    """One browser context: every request that leaves the site is blocked and counted."""

    def __init__(self, browser: Any) -> None:
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(service_workers="block")
        self.context.add_init_script(INIT_SCRIPT)
        self.context.route(OUTSIDE, self._route)

    def _route(self, route: Any) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def open(self, url: str, settle_ms: int = 150) -> tuple[Any, Visit]:
        """Load ``url``, open every disclosure (an ontoggle payload would fire) and let it settle."""
        self.outside.clear()
        self.dialogs.clear()
        page = self.context.new_page()
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url, wait_until="load")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
        page.wait_for_timeout(settle_ms)
        return page, Visit(url, self.outside, self.dialogs)

    @staticmethod
    def record(page: Any, visit: Visit) -> Visit:
        visit.pwned = page.evaluate("window.__pwned || ['__pwned was replaced']")
        visit.title = page.title()
        visit.final_url = page.url
        return visit

    def visit(self, url: str) -> Visit:
        page, visit = self.open(url)
        try:
            visit = self.record(page, visit)
            return Visit(visit.url, list(visit.outside), list(visit.dialogs), visit.pwned, visit.title, visit.final_url)
        finally:
            page.close()

    def visit_all(self, urls: Sequence[str], batch: int = 8) -> list[Visit]:
        """Visit many pages, a batch at a time loading side by side (each load takes most of a second)."""
        visits: list[Visit] = []
        for start in range(0, len(urls), batch):
            opened = []
            for url in urls[start : start + batch]:
                page = self.context.new_page()
                visit = Visit(url)
                page.on("dialog", lambda dialog, v=visit: (v.dialogs.append(dialog.message), dialog.dismiss()))
                page.on(
                    "request", lambda r, v=visit: None if r.url.startswith(LOCAL_SCHEMES) else v.outside.append(r.url)
                )
                page.goto(url, wait_until="commit")
                opened.append((page, visit))
            for page, _ in opened:
                page.wait_for_load_state("load")
                page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
            opened[-1][0].wait_for_timeout(200)
            for page, visit in opened:
                visits.append(self.record(page, visit))
                page.close()
        return visits

    def close(self) -> None:
        self.context.close()


@dataclass
class Browser:
    """A headless Chromium."""

    browser: Any

    def session(self) -> Session:
        return Session(self.browser)


def search(session: Session, index_url: str, words: Sequence[str]) -> tuple[dict[str, int], Visit, Visit | None]:
    """Search the overview for each word in turn (Material renders every result list), then
    open the last word's first result (with search.highlight, the word is marked there).
    Returns the result counts, the overview's visit and the opened result's."""
    page, visit = session.open(index_url)
    counts: dict[str, int] = {}
    try:
        page.focus("input.md-search__input")
        for word in words:
            page.fill("input.md-search__input", "")
            page.keyboard.type(word, delay=10)
            items = page.locator(".md-search-result__item")
            with contextlib.suppress(Exception):  # no result: the visit is still checked
                page.wait_for_function(
                    "w => document.querySelector('.md-search-result__meta')?.textContent.length > 0 "
                    "&& document.querySelector('.md-search-result__item')",
                    arg=word,
                    timeout=4000,
                )
            page.wait_for_timeout(100)
            counts[word] = items.count()
        session.record(page, visit)
        overview = Visit(visit.url, list(visit.outside), list(visit.dialogs), visit.pwned, visit.title, visit.final_url)
        opened = None
        if counts[words[-1]]:
            page.locator(".md-search-result__item a").first.click()
            page.wait_for_load_state("load")
            page.wait_for_timeout(150)
            opened = session.record(page, Visit(page.url, session.outside, session.dialogs))
            opened.url = opened.final_url
        return counts, overview, opened
    finally:
        page.close()


def launch_browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield Browser(chromium)
        finally:
            chromium.close()


# --- memory and time of a run ----------------------------------------------------------------

_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
try:
    result = subprocess.run(sys.argv[2:], capture_output=True, timeout=float(sys.argv[1]))
    code, out, err = result.returncode, result.stdout, result.stderr
except subprocess.TimeoutExpired as exc:
    code, out, err = "timeout", exc.stdout or b"", exc.stderr or b""
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
json.dump({"code": code, "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024,
           "cpu": usage.ru_utime + usage.ru_stime,
           "output": (out + err).decode("utf-8", "replace")}, sys.stdout)
"""


@dataclass(frozen=True)
class Measured:
    code: int | str
    seconds: float
    peak_mb: float  # peak resident memory of the run (RUSAGE_CHILDREN of a fresh parent)
    output: str
    cpu: float = 0.0  # CPU seconds of the run and its workers: on a busy machine, more telling than the wall time


def measure(args: Sequence[str], cwd: Path, timeout: float = 60) -> Measured:
    """Time and peak memory of ``agent-catalog ARGS``, run under a fresh parent process so that
    RUSAGE_CHILDREN counts that one run and nothing this test process ran before."""
    wrapper = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(timeout), *CLI, *args],
        cwd=cwd,
        capture_output=True,
        timeout=timeout + 30,
        env=dict(os.environ),
        check=True,
    )
    data = json.loads(wrapper.stdout)
    return Measured(data["code"], data["seconds"], data["peak_mb"], data["output"], data["cpu"])


# --- running as an unprivileged user -----------------------------------------------------------


def reachable_by_others(path: Path) -> bool:
    """Whether a user who is neither owner nor in the group can reach ``path`` (every folder
    above it enterable, the file itself readable)."""
    path = path.resolve()
    for parent in [*reversed(path.parents)]:
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def interpreter_reachable_by_nobody() -> bool:
    import click
    import yaml

    import catalog

    needed = [Path(sys.executable), Path(catalog.__file__), Path(click.__file__), Path(yaml.__file__)]
    return all(reachable_by_others(p) for p in needed)


def run_as_nobody(args: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 60) -> tuple[int, str]:
    """``agent-catalog ARGS`` as user and group nobody; returns (exit code, output).

    The CLI runs in a subprocess that drops to nobody before exec when nobody can reach this
    Python; otherwise (a Python under /root, mode 700) in a forked child of this process that
    imported the CLI first, then dropped to nobody.
    """
    if interpreter_reachable_by_nobody():

        def drop() -> None:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

        result = subprocess.run(
            [*CLI, *args],
            cwd=cwd,
            capture_output=True,
            timeout=timeout,
            env={**os.environ, **env},
            preexec_fn=drop,
            check=False,
        )
        return result.returncode, text_of(result)
    return _fork_as_nobody(args, cwd, env, timeout)


def _preload(packages: Sequence[str]) -> None:
    """Import every module of these packages (those that import at all)."""
    import importlib
    import pkgutil

    for name in packages:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if "win" in module.name.rsplit(".", 1)[-1] or module.name.endswith(("__main__", "mbcs", "oem")):
                continue
            with contextlib.suppress(Exception):
                importlib.import_module(module.name)


def _fork_as_nobody(args: Sequence[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str]:
    import signal
    import tempfile
    import time

    # Everything the commands import lazily, loaded while this process can still read it.
    _preload(["catalog", "click", "jinja2", "markdown_it", "yaml", "frontmatter", "encodings"])
    import mkdocs.exceptions  # noqa: F401

    import catalog.cli.main

    with tempfile.TemporaryFile() as output:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 70
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                os.chdir(cwd)
                os.environ.update(env)
                os.dup2(output.fileno(), 1)
                os.dup2(output.fileno(), 2)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                try:
                    catalog.cli.main.main(list(args), prog_name="agent-catalog")
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
            except BaseException as exc:
                os.write(2, f"child failed: {exc!r}\n".encode())
            os._exit(code)
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise TimeoutError(f"agent-catalog {' '.join(args)} as nobody took over {timeout} s")
            time.sleep(0.02)
        output.seek(0)
        return os.waitstatus_to_exitcode(status), output.read().decode("utf-8", "replace")
