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

        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
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
