"""The cache's files: where they live, who may have written them, how they are read and written.

The cache is pickles, which run code when loaded: a cache folder someone else can write is
never read (``trusted_cache_dir``), and each file is checked again when opened. A cache file
that cannot be read is no cache; one that cannot be written is skipped. Every file is written
beside its place in ``tmp/`` and renamed into place, so a killed run leaves the old one whole.
"""

from __future__ import annotations

import contextlib
import copyreg
import functools
import io
import os
import pickle
import re
import stat as stat_mode
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

import xxhash

from catalog.output.folders import home_folder
from catalog.output.manifest import file_stat

T = TypeVar("T")

# Bumped when the cache's records change shape: an old cache is then no cache.
_FORMAT = 26


def cache_dir(docs_dir: Path) -> Path | None:
    """This docs folder's cache folder, or None when caching is switched off or there is no
    folder to keep it in (no absolute ``XDG_CACHE_HOME`` nor home folder)."""
    if os.environ.get("AGENT_CATALOG_NO_CACHE"):
        return None
    # As the XDG specification says, a relative XDG_CACHE_HOME (or HOME) is no place: it would
    # be relative to wherever the command runs, the repository a stranger may control, whose
    # files are the user's own once checked out (and a cache file is code: pickles).
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = os.environ.get("AGENT_CATALOG_CACHE_DIR") or (xdg if os.path.isabs(xdg) else "")
    home = None if base else home_folder()
    if not base and home is None:
        return None
    root = Path(base) if base else Path(home or "/") / ".cache"
    digest = xxhash.xxh3_128_hexdigest(str(docs_dir.resolve()).encode("utf-8", "surrogateescape"))[:20]
    return root / "agent-catalog" / digest


def trusted_cache_dir(docs_dir: Path) -> tuple[Path | None, str | None]:
    """This docs folder's cache folder, made (private) if it is not there, when only this user
    can write it: (folder, None); else (None, why), and the run goes without the cache.

    As ssh and git do: the folder is this user's and writable by nobody else, and each folder
    above it belongs to this user or root and is writable by nobody else, unless it is sticky
    (as /tmp is: nobody else can then rename or remove what is ours in it).
    """
    folder = cache_dir(docs_dir)
    if folder is None:
        if os.environ.get("AGENT_CATALOG_NO_CACHE"):
            return None, None
        return None, "no folder for the cache (no absolute XDG_CACHE_HOME nor home folder): running without the cache"
    docs = docs_dir.resolve()
    try:
        if docs in Path(os.path.realpath(folder)).parents:  # a site built from the docs would publish it
            why: str | None = f"is inside the docs folder {docs_dir}"
        else:
            _make_private(folder)
            why = _why_untrusted(folder)
    except OSError as exc:
        why = f"cannot use it: {exc.strerror or exc}"
    if why is None:
        return folder, None
    return None, f"the cache folder {folder} {why}: running without the cache"


def _make_private(folder: Path) -> None:
    """Make ``folder`` and whichever of its parents are missing, each readable by its owner only."""
    missing = [p for p in [folder, *folder.parents] if not os.path.lexists(p)]
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)


# The folders in the cache folder: agents kept whole, parts of the state, compiled templates,
# and the scratch folder files are written in before they are renamed into place.
_SUBFOLDERS = ("full", "parts", "templates", "tmp")


def _why_untrusted(folder: Path) -> str | None:
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: no owner and mode to check
        return None
    me = os.getuid()
    # The folder and the folders in it are made by this tool: a symlink there would have a run
    # write, and sweep or prune (``sweep``, ``keep_only``), files elsewhere.
    for path in (folder, *(folder / name for name in _SUBFOLDERS)):
        if os.path.islink(path):
            where = "is" if path == folder else f"has {path.name} in it as"
            return f"{where} a symlink (to {os.readlink(path)})"
    real = Path(os.path.realpath(folder))
    # The folder, the folders in it (pickles, compiled templates, files moved into the docs),
    # and every folder above it.
    for path in [*(real / name for name in _SUBFOLDERS), real, *real.parents]:
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        ours = path == real or real in path.parents
        if info.st_uid != me and (ours or info.st_uid != 0):
            return f"belongs to another user ({path} is uid {info.st_uid})"
        if info.st_mode & 0o022 and (ours or not info.st_mode & stat_mode.S_ISVTX):
            return f"can be written by others ({path} has mode {stat_mode.filemode(info.st_mode)})"
    return None


# The libraries whose versions shape the pages: an upgrade must not pass for "nothing changed".
_RENDERING_LIBRARIES = ("jinja2", "markdown_it", "markdown_it_pyrs", "nh3", "pyromark", "yaml", "frontmatter")


def run_key(parts: Iterable[object], code_folders: Sequence[Path], input_folders: Sequence[Path] = ()) -> str:
    """Everything besides the agents that output depends on: options, our code, templates,
    and the installed rendering libraries (the stat of each one's module file; no import).

    Installed code is known by modification time, size and inode, not its change time: uv
    installs a package's files as hard links into its own cache (its default on Linux), and
    each environment made or removed elsewhere with that package moves their change time.
    An install or an edit changes one of the three. ``input_folders`` (a user's templates)
    are input as agent files are: their change time counts too."""
    import importlib.util

    # XXH3, not hashlib: importing hashlib (OpenSSL) was 3 ms of a run where nothing changed.
    digest = xxhash.xxh3_128(repr((_FORMAT, *parts)).encode("utf-8", "surrogateescape"))
    for name in _RENDERING_LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        digest.update(repr((name, origin, file_stat(origin)[:3] if origin else None)).encode())
    for folders, fields in ((code_folders, 3), (input_folders, 4)):
        for folder in folders:
            for root, dirs, files in os.walk(folder):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith((".py", ".j2", ".css", ".js")):
                        path = os.path.join(root, name)
                        digest.update(repr((path, file_stat(path)[:fields])).encode())
    return digest.hexdigest()


def _trusted(handle: IO[bytes]) -> bool:
    """Whether an open cache file is this user's and writable by nobody else."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows
        return True
    info = os.fstat(handle.fileno())
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


@dataclass(frozen=True)
class Part(Generic[T]):
    """A piece of a saved value kept in a file of its own, ``parts/<digest of its pickle>``:
    saving the value writes the pieces not saved yet, so that a run that changed one piece of
    a large value rewrites that piece, not the whole. A piece loaded is read when its value is
    first asked for (a run that edits one agent of 10,000 reads the blocks that hold it, not
    all 20): ``PartLost`` if it cannot be."""

    name: str  # its file's: the digest of its pickle
    folder: Path | None = None  # the cache folder it is read from, when it was loaded

    @staticmethod
    def of(value: T) -> Part[T]:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        part: Part[T] = Part(xxhash.xxh3_128_hexdigest(data))
        part.__dict__.update(data=data, value=value)  # as the cached properties would make them
        return part

    @functools.cached_property
    def data(self) -> bytes:
        return self._read()

    @functools.cached_property
    def value(self) -> T:
        # Its pickle read is not kept: an edit reads 15 MB of parts, and memory freed is
        # memory the next read takes without faulting its pages in again.
        found: T = pickle.loads(self.__dict__.get("data") or self._read())
        return found

    def _read(self) -> bytes:
        """Its pickle, read from its file: checked to be ours and to be what was saved, so
        that what is unpickled is what this user's run pickled."""
        if self.folder is None or not _PART_NAME.fullmatch(self.name):
            raise PartLost(self.name)
        path = self.folder / "parts" / self.name
        try:
            with open(path, "rb") as handle:
                data = handle.read() if _trusted(handle) else b""
        except FileNotFoundError as exc:
            raise PartLost(self.name) from exc
        except OSError:
            data = b""
        if xxhash.xxh3_128_hexdigest(data) != self.name:
            _discard(path)  # else saving this part again would leave it as it is (``save``)
            raise PartLost(self.name)
        return data

    def load(self) -> T:
        """``value``, as a function to call later."""
        return self.value


class PartLost(Exception):
    """A part is gone, not ours, or not what was saved: the cache is no cache."""


def _part(name: str) -> Part[Any]:  # pragma: no cover - only named in pickles (``_Unpickler``)
    raise pickle.UnpicklingError("a part outside a cache load")


class _Unpickler(pickle.Unpickler):
    def __init__(self, handle: IO[bytes], folder: Path) -> None:
        super().__init__(handle)
        self.folder = folder

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_part"):
            return lambda name: Part(name, self.folder)
        return super().find_class(module, name)


_PART_NAME = re.compile(r"[0-9a-f]{32}")


def load(folder: Path | None, name: str, damaged: list[str] | None = None) -> object:
    """The pickle ``name`` in the cache folder (its parts read when asked for), or None when
    it is not there or not ours (then ``name`` is added to ``damaged``, when given)."""
    if folder is None:
        return None
    try:
        with open(folder / name, "rb") as handle:
            if _trusted(handle):
                return _Unpickler(handle, folder).load()
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign cache file is no cache
        pass
    _discard(folder / name)  # what is there now is no use to any run
    if damaged is not None:
        damaged.append(name)
    return None


def _discard(path: Path) -> None:
    """Remove a file of the cache folder that is damaged, not ours or not a file at all (a
    folder where a file should be): the run then writes it anew, where it would leave it."""
    try:
        if stat_mode.S_ISDIR(os.lstat(path).st_mode):
            import shutil

            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        return


def save(folder: Path, name: str, value: object, verify: bool = False) -> bool:
    """Write ``value`` pickled as ``name`` (which may name a subfolder), whole or not at all,
    and those of its parts not saved yet; False when it could not be written. Parts the value
    does not hold are removed once it is saved. ``verify``: a part made by this run that is
    there already is read, and written again unless it holds the same (a full run, after a
    damaged cache: else a damaged part no edit changes would stay)."""
    saved: set[str] = set()

    def part(piece: Part[Any]) -> tuple[Callable[[str], Part[Any]], tuple[str]]:
        name = piece.name
        try:
            made = piece.__dict__.get("data")  # made by this run: its size, and maybe its bytes, at hand
            there = _saved(folder / "parts" / name, made, verify)
            if not there and not _write(folder / "parts" / name, folder, piece.data):
                raise OSError(f"cannot write the part {name}")
        except PartLost as lost:  # a part read later, gone since: not saved
            raise OSError(f"lost the part {name}") from lost
        saved.add(name)
        return _part, (name,)

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Part: part}
    try:
        pickler.dump(value)
    except OSError:
        return False
    if not _write(folder / name, folder, buffer.getbuffer()):
        return False
    if saved:
        keep_only(folder, "parts", saved)
    return True


def _write(target: Path, folder: Path, data: bytes | memoryview) -> bool:
    """Write ``data`` as ``target`` through the cache's scratch folder: whole or not at all."""
    tmp = folder / "tmp" / f"{target.name}.{os.getpid()}.tmp"
    if any(place != folder and folder_in(folder, place.name) is None for place in (tmp.parent, target.parent)):
        return False
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as handle:
            handle.write(data)
        if os.path.isdir(target) and not os.path.islink(target):
            _discard(target)  # a folder where the file goes: a rename cannot replace it
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def _saved(path: Path, data: bytes | None, verify: bool) -> bool:
    """Whether the part ``path`` is there: a plain file of this user's that nobody else can
    write, of ``data``'s size when it is given, and holding it when asked to ``verify``."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat_mode.S_ISREG(info.st_mode) or not mine or info.st_mode & 0o022:
        return False
    if data is None or info.st_size != len(data) or not verify:
        return data is None or info.st_size == len(data)
    try:
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def folder_in(folder: Path, name: str) -> Path | None:
    """The folder ``name`` in the cache folder, made if it is not there (and first removed
    when it is not a folder); None when it cannot be made."""
    path = folder / name
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    else:
        if stat_mode.S_ISDIR(info.st_mode):
            return path
        _discard(path)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return path


def keep_only(folder: Path, subfolder: str, names: Iterable[str]) -> None:
    """Remove every file of ``subfolder`` but ``names``."""
    keep = set(names)
    with contextlib.suppress(OSError), os.scandir(folder / subfolder) as entries:
        for entry in entries:
            if entry.name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def sweep(folder: Path | None) -> None:
    """Remove the temporary files of runs that were killed: ``_write``'s in the scratch folder,
    and those of Jinja's bytecode cache (``*.tmp`` beside its files). Call it holding the docs
    folder's lock."""
    for scratch in (folder / "tmp", folder / "templates") if folder is not None else ():
        if scratch.is_symlink():
            continue  # not ours to sweep
        with contextlib.suppress(OSError), os.scandir(scratch) as entries:
            for entry in entries:
                if entry.name.endswith(".tmp") and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
