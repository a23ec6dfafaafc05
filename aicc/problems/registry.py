"""Name -> problem registry, with loading of problems defined outside the package."""

import importlib
import os
import sys
from importlib import metadata

from aicc.problems.base import Problem

ENTRY_POINT_GROUP = "aicc.problems"
_REGISTRY: dict[str, Problem] = {}
_ALIASES: dict[str, str] = {}
_entry_points_loaded = False


def register_problem(cls: type[Problem]) -> type[Problem]:
    """Class decorator: register a :class:`Problem` subclass under its ``name``."""
    if not (isinstance(cls, type) and issubclass(cls, Problem)):
        raise TypeError(f"register_problem expects a Problem subclass, got {cls!r}")
    if not cls.name or not cls.name.replace("_", "").isalnum():
        raise ValueError(
            f"problem name {cls.name!r} of {cls.__name__} must be non-empty letters, digits, _"
        )
    existing = _REGISTRY.get(cls.name)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ValueError(f"problem name {cls.name!r} is already taken by {existing!r}")
    _REGISTRY[cls.name] = cls()
    for alias in cls.aliases:
        _ALIASES[alias] = cls.name
    return cls


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        entry.load()


MODULES_VARIABLE = "AICC_PROBLEM_MODULES"


def import_problem_modules(modules=()) -> None:
    """Import modules (dotted paths) whose import registers extra problems.

    Besides ``modules``, the comma-separated modules named by the environment variable
    AICC_PROBLEM_MODULES are imported (the workflow passes ``problem_modules`` that
    way). The working directory is searched first, as ``python -m`` would.
    """
    from_environment = [m for m in os.environ.get(MODULES_VARIABLE, "").split(",") if m]
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    for module in [*from_environment, *(modules or ())]:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise ImportError(f"cannot import problem module {module!r}: {error}") from error


def available_problems() -> list[str]:
    """Names of all registered problems, sorted."""
    _load_entry_points()
    return sorted(_REGISTRY)


def get_problem(name: str) -> Problem:
    """The registered problem called ``name`` (or one of its aliases such as ``P1``)."""
    _load_entry_points()
    key = _ALIASES.get(name, name)
    if key not in _REGISTRY:
        raise ValueError(
            f"unknown problem {name!r}; registered problems: {', '.join(available_problems())}"
            " (a problem from another module needs that module imported first)"
        )
    return _REGISTRY[key]
