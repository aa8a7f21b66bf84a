"""Project settings from ``[tool.agent-catalog]`` in the nearest ``pyproject.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from catalog.frozen import frozen

# The context-cost thresholds (AC601, AC602), in estimated tokens.
MAX_DESCRIPTION_TOKENS = 1000
MAX_TOTAL_DESCRIPTION_TOKENS = 50_000


class ConfigError(Exception):
    """A setting that cannot be used; the CLI reports it as a usage error."""


# A configuration file (mkdocs.yml, pyproject.toml) comes with the repository: one larger than
# this, or not a regular file (a FIFO), or not UTF-8, is refused before it is read whole.
MAX_CONFIG_BYTES = 2 * 1024 * 1024


def read_config_text(path: Path) -> str:
    """The text of a configuration file, or a ConfigError that says why it cannot be read."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ConfigError(f"{path}: not a regular file")
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(MAX_CONFIG_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: over the {MAX_CONFIG_BYTES:,}-byte limit of a configuration file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start + 1})") from None


@frozen
class Settings:
    sources: tuple[str, ...] = ()  # default PATHs for scan, lint, generate and build
    disable: frozenset[str] = frozenset()
    per_file_disable: Mapping[str, frozenset[str]] = field(default_factory=dict)  # glob -> codes
    max_description_tokens: int = MAX_DESCRIPTION_TOKENS
    max_total_description_tokens: int = MAX_TOTAL_DESCRIPTION_TOKENS
    path: Path | None = None  # the pyproject.toml the settings came from

    def disabled_for(self, path: str) -> frozenset[str]:
        from fnmatch import fnmatch

        codes = set(self.disable)
        for pattern, more in self.per_file_disable.items():
            if fnmatch(path, pattern) or fnmatch(path, f"*/{pattern}"):
                codes |= more
        return frozenset(codes)


def load_mkdocs_yml(path: Path) -> dict[str, Any]:
    """mkdocs.yml, which comes with the repository: read with the limits agent files are
    (size, nesting, alias bombs: ``site_name: *bomb`` made ``str()`` of it run for ever)."""
    import yaml

    from catalog.parse.yaml_limits import _check_size, _nesting_problem, _YamlProblem

    class _Lenient(yaml.SafeLoader):
        """mkdocs.yml may hold !ENV and !!python/name tags: read them as plain values."""

    _Lenient.add_multi_constructor("", lambda loader, suffix, node: None)
    text = read_config_text(path)
    loader = _Lenient(text)
    try:
        too_deep = _nesting_problem(text)
        if too_deep is not None:
            raise too_deep
        node = loader.get_single_node()
        if node is not None:
            _check_size(node)
        data = loader.construct_document(node) if node is not None else None
    except _YamlProblem as exc:
        message = exc.message.replace("frontmatter", "the file")
        raise ConfigError(f"{path}:{exc.line + 1}:{exc.col + 1}: {message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
    finally:
        loader.dispose()
    return data if isinstance(data, dict) else {}


def load_settings(start: Path | None = None) -> Settings:
    """Settings of the nearest pyproject.toml at or above ``start`` (default: the current folder)."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            return _settings_from(pyproject)
    return Settings()


def _settings_from(pyproject: Path) -> Settings:
    try:
        import tomllib  # here: most runs have no pyproject.toml to read

        data = tomllib.loads(read_config_text(pyproject))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    table: Any = data.get("tool", {}).get("agent-catalog", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.agent-catalog] must be a table")
    known = {"sources", "disable", "per-file-disable", "max-description-tokens", "max-total-description-tokens"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown setting(s) in [tool.agent-catalog]: {', '.join(unknown)}")
    per_file = table.get("per-file-disable", {})
    try:
        return Settings(
            sources=tuple(str(s) for s in _list(table.get("sources", []), "sources")),
            disable=frozenset(str(c).upper() for c in _list(table.get("disable", []), "disable")),
            per_file_disable={str(k): frozenset(str(c).upper() for c in _list(v, k)) for k, v in per_file.items()},
            max_description_tokens=int(table.get("max-description-tokens", MAX_DESCRIPTION_TOKENS)),
            max_total_description_tokens=int(table.get("max-total-description-tokens", MAX_TOTAL_DESCRIPTION_TOKENS)),
            path=pyproject,
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{pyproject}: bad [tool.agent-catalog] setting: {exc}") from None


def _list(value: Any, key: str) -> list[Any]:
    # A string would be iterated letter by letter: disable = "AC403" would switch off nothing.
    if not isinstance(value, list):
        raise TypeError(f"{key} must be a list, not {value!r}")
    return value
