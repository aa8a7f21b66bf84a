"""``@frozen``: ``@dataclass(frozen=True, slots=True)`` that costs half as much to define.

Python 3.11 and 3.12 compile every method ``dataclass`` writes from its own source text
(3.13 compiles a class's methods together): a millisecond a class, and a pre-commit run of
``generate`` defines some 45 classes before it does any work. ``frozen`` has ``dataclass``
write ``__init__`` and the frozen ``__setattr__`` and ``__delattr__``, and gives the class
``__eq__``, ``__hash__`` and ``__repr__`` made of closures over its fields, which behave as
``dataclass``' own on 3.11 and 3.12 (same comparisons, same hash values, same text): three
compiles of six. (3.13's ``dataclass`` compares field by field, so there a field holding the
same NaN object makes two values unequal; here, as on 3.11, equal: tuples compare by identity
first.)

``FastPickle``, the base of the values the cache keeps, pickles them as their fields' values.
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
from collections.abc import Callable, Sequence
from typing import Any, Self, TypeVar, cast, dataclass_transform

T = TypeVar("T")


class FastPickle:
    """Pickle a slotted dataclass as its constructor arguments.

    The default for slots dataclasses walks ``dataclasses.fields()`` for every object, which
    made the generate cache of 1,000 agents take 0.4 s to save and load.
    """

    __slots__: tuple[str, ...] = ()  # the fields of a slotted dataclass

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        names: tuple[str, ...] = getattr(self, "__slots__", ())
        return (type(self), tuple(getattr(self, name) for name in names))

    def evolve(self, **changes: Any) -> Self:
        """A copy with ``changes``: ``dataclasses.replace`` without its introspection on every
        call (the generate cache copies thousands of listings)."""
        names: tuple[str, ...] = getattr(self, "__slots__", ())
        return type(self)(*(changes[name] if name in changes else getattr(self, name) for name in names))


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen(cls: type[T]) -> type[T]:
    """``cls`` as ``@dataclass(frozen=True, slots=True)`` makes it (a new class: slots)."""
    made = dataclasses.dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)
    fields = dataclasses.fields(cast(Any, made))
    compared = _values([f.name for f in fields if f.compare])
    hashed = _values([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    shown = tuple(f.name for f in fields if f.repr)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({values})"

    # What the class defines itself stays, as with dataclass (a body's __eq__ sets __hash__ None).
    own = {name for name in ("__eq__", "__repr__") if name in cls.__dict__}
    own |= {"__hash__"} if cls.__dict__.get("__hash__") is not None else set()
    for method in (__eq__, __hash__, __repr__):
        if method.__name__ not in own:
            method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
            setattr(made, method.__name__, method)
    return made


def _values(names: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of an object's ``names``, as ``dataclass``' methods build it."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:  # attrgetter of one name gives the bare value
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()
