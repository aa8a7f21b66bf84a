"""The filter's data as the browser assembles it: ``assets/catalog-data.js``, then its parts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def catalog_data(read: Callable[[str], str]) -> dict[str, Any]:
    """The head's object with every part's rows in ``agents``; ``read`` gives a file's text by
    its path relative to the docs folder (or the site)."""
    head = read("assets/catalog-data.js")
    prefix = "window.__agentCatalog = "
    assert head.startswith(prefix) and head.endswith(";\n")
    data: dict[str, Any] = json.loads(head[len(prefix) : -2])
    assert data["agents"] == []
    for part in data["parts"]:
        text = read(part)
        start = "window.__agentCatalog && window.__agentCatalog.agents.push("
        assert text.startswith(start) and text.endswith(");\n")
        data["agents"] += json.loads("[" + text[len(start) : -3] + "]")
    assert len(data["agents"]) == data["total"]
    return data
