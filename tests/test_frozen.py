"""``catalog.frozen.frozen`` makes classes that behave as ``@dataclass(frozen=True, slots=True)``
would make them: every such class of the package is compared with its dataclass twin."""

from __future__ import annotations

import dataclasses
import importlib
import pickle
import pkgutil
from typing import Any

import pytest

import catalog
from catalog.frozen import frozen
from catalog.types import Finding


def frozen_classes() -> list[type]:
    found = {}
    for info in pkgutil.walk_packages(catalog.__path__, "catalog."):
        if info.name.startswith("catalog.site_templates") or info.name == "catalog.__main__":
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            eq = getattr(value, "__eq__", None)
            if isinstance(value, type) and getattr(eq, "__module__", None) == "catalog.frozen":
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def twin(cls: type) -> type:
    """The class ``@dataclass(frozen=True, slots=True)`` makes of ``cls``'s fields."""
    specs = [
        (f.name, f.type, dataclasses.field(compare=f.compare, hash=f.hash, repr=f.repr))
        for f in dataclasses.fields(cls)
    ]
    made = dataclasses.make_dataclass(cls.__name__, specs, frozen=True, slots=True)
    made.__qualname__ = cls.__qualname__
    return made


def instance(cls: type, values: list[Any]) -> Any:
    made = object.__new__(cls)
    for field, value in zip(dataclasses.fields(cls), values, strict=False):
        object.__setattr__(made, field.name, value)
    return made


def test_every_frozen_class_is_found() -> None:
    names = {cls.__qualname__ for cls in frozen_classes()}
    assert {"Finding", "Agent", "Settings", "RenderOptions"} <= names


@pytest.mark.parametrize("cls", frozen_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_a_frozen_class_compares_hashes_and_shows_as_its_dataclass_twin(cls: type) -> None:
    same = twin(cls)
    count = len(dataclasses.fields(cls))
    values = [(i, f"v{i}") for i in range(count)]
    ours, theirs = instance(cls, values), instance(same, values)
    assert repr(ours) == repr(theirs)
    assert hash(ours) == hash(theirs)
    assert ours == instance(cls, values)
    assert (ours != instance(cls, values)) is False  # dataclasses define no __ne__: Python's
    assert ours != theirs  # another class, as for dataclasses
    for index, field in enumerate(dataclasses.fields(cls)):
        changed = [*values[:index], ("other",), *values[index + 1 :]]
        assert (ours == instance(cls, changed)) == (theirs == instance(same, changed)), field.name
    assert cls.__slots__ == same.__slots__  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ours.__setattr__(dataclasses.fields(cls)[0].name, 1) if count else ours.__setattr__("x", 1)


def test_a_finding_is_a_frozen_dataclass_value() -> None:
    finding = Finding("a.md", 1, 2, "AC101", "error", "m")
    assert dataclasses.is_dataclass(finding)
    assert dataclasses.replace(finding, line=3) == Finding("a.md", 3, 2, "AC101", "error", "m")
    assert pickle.loads(pickle.dumps(finding)) == finding
    assert {finding, Finding("a.md", 1, 2, "AC101", "error", "m")} == {finding}
    assert repr(finding).startswith("Finding(path='a.md', line=1, col=2, code='AC101'")


def test_what_a_class_defines_itself_stays() -> None:
    @frozen
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Named) and other.name.lower() == self.name.lower()

        def __hash__(self) -> int:
            return hash(self.name.lower())

    assert repr(Named("A")) == "<A>"
    assert Named("A") == Named("a") and hash(Named("A")) == hash("a")

    @frozen
    class OnlyEq:  # a body's __eq__ without __hash__: dataclass hashes the fields
        name: str

        def __eq__(self, other: object) -> bool:
            return True

    assert OnlyEq("a") == OnlyEq("b") and hash(OnlyEq("a")) == hash(("a",))


def test_a_recursive_value_shows_as_a_dataclass_does() -> None:
    @frozen
    class Box:
        items: list[Any]

    box = Box([])
    box.items.append(box)
    assert repr(box) == "test_a_recursive_value_shows_as_a_dataclass_does.<locals>.Box(items=[...])"
