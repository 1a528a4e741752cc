"""Every exception class newswire defines says whether trying again can help, and the tree drawn in
newswire.errors is the tree the code has."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Iterable, Iterator
from types import ModuleType

import pytest

import newswire
from newswire import errors
from newswire.errors import NewswireError, PermanentError, RetryableError

_NODE = re.compile(
    r"(?P<branches>(?:[│ ]   )*(?:[├└]── )?)(?P<name>\w+) +(?P<module>newswire[\w.]*)(?: +(?P<note>.+))?"
)
_ALSO = re.compile(r"\balso an? (\w+)")


def _import(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # A module that needs an optional extra (torch, onnxruntime, trafilatura...) cannot be imported where
        # that extra is not installed; its classes are checked where it is (`make test` installs them all).
        # A newswire module that is missing is a bug, not an extra.
        if exc.name is None or exc.name.partition(".")[0] == "newswire":
            raise
        return None


def newswire_modules() -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(newswire.__path__, "newswire.", onerror=_import):
        if info.name.rpartition(".")[2] == "__main__":
            continue  # importing a __main__ runs it: newswire.demo's would serve the demo site
        module = _import(info.name)
        if module is not None:
            yield module


def defined_exceptions(modules: Iterable[ModuleType]) -> list[type[Exception]]:
    """The Exception classes each module defines, not those it imports."""
    return [
        value
        for module in modules
        for value in vars(module).values()
        if inspect.isclass(value) and issubclass(value, Exception) and value.__module__ == module.__name__
    ]


def _is_group(cls: type[Exception], classes: Iterable[type[Exception]]) -> bool:
    """A class under neither branch may only gather a permanent and a retryable kind (`except FetchError`);
    NewswireError refuses to make one of these, so it is never raised itself."""
    kinds = [other for other in classes if other is not cls and issubclass(other, cls)]
    return any(issubclass(kind, PermanentError) for kind in kinds) and any(
        issubclass(kind, RetryableError) for kind in kinds
    )


def _full_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def misplaced(classes: list[type[Exception]]) -> list[str]:
    problems = []
    for cls in classes:
        permanent, retryable = issubclass(cls, PermanentError), issubclass(cls, RetryableError)
        if not issubclass(cls, NewswireError):
            problems.append(f"{_full_name(cls)} is not a NewswireError")
        elif permanent and retryable:
            problems.append(f"{_full_name(cls)} is both a PermanentError and a RetryableError")
        elif not permanent and not retryable and not _is_group(cls, classes):
            problems.append(f"{_full_name(cls)} is neither a PermanentError nor a RetryableError")
    return problems


def drawing_problems(doc: str, classes: list[type[Exception]]) -> list[str]:
    """Each class is drawn with its module under each of its newswire bases, its other bases named in an
    "also a ..." note; nothing else is drawn."""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("NewswireError "))
    drawing = textwrap.dedent("\n".join(lines[start:])).strip().splitlines()
    by_name = {cls.__qualname__: cls for cls in classes}
    problems: list[str] = []
    drawn_bases: dict[str, set[str]] = {}
    ancestors: list[str] = []  # the drawn path from the root to the line above
    for line in drawing:
        node = _NODE.fullmatch(line.rstrip())
        if node is None or len(node["branches"]) // 4 > len(ancestors):
            problems.append(f"not a line of the tree: {line!r}")
            continue
        name, depth = node["name"], len(node["branches"]) // 4
        ancestors[depth:] = [name]
        cls = by_name.get(name)
        if cls is None:
            problems.append(f"{name} is drawn, but newswire defines no such exception")
            continue
        if node["module"] != cls.__module__:
            problems.append(f"{name} is drawn in {node['module']}, but is defined in {cls.__module__}")
        bases = drawn_bases.setdefault(name, set())
        bases.update(ancestors[depth - 1 : depth])
        bases.update(_ALSO.findall(node["note"] or ""))
    for cls in classes:
        real = {base.__name__ for base in cls.__bases__} if cls is not NewswireError else set()
        drawn = drawn_bases.get(cls.__qualname__)
        if drawn is None:
            problems.append(f"{_full_name(cls)} is not drawn")
        elif drawn != real:
            drawn_as, really = " and ".join(sorted(drawn)), " and ".join(sorted(real))
            problems.append(f"{cls.__qualname__} is drawn as a {drawn_as}; it is a {really}")
    return problems


@pytest.fixture(scope="module")
def classes() -> list[type[Exception]]:
    return defined_exceptions(newswire_modules())


def test_every_exception_is_permanent_or_retryable(classes: list[type[Exception]]) -> None:
    assert len(classes) > 10, "the walk found newswire's modules"
    assert misplaced(classes) == []


def test_the_drawing_in_newswire_errors_is_the_tree(classes: list[type[Exception]]) -> None:
    assert errors.__doc__ is not None
    assert drawing_problems(errors.__doc__, classes) == []


def test_a_class_outside_the_tree_is_caught(classes: list[type[Exception]]) -> None:
    class Stray(ValueError):
        pass

    class Undecided(NewswireError):
        pass

    assert misplaced([*classes, Stray, Undecided]) == [
        f"{_full_name(Stray)} is not a NewswireError",
        f"{_full_name(Undecided)} is neither a PermanentError nor a RetryableError",
    ]


def test_a_drawing_gone_stale_is_caught(classes: list[type[Exception]]) -> None:
    assert errors.__doc__ is not None
    without_cleaning = "\n".join(line for line in errors.__doc__.splitlines() if "CleaningError" not in line)
    assert drawing_problems(without_cleaning, classes) == ["newswire.cleaner.extract.CleaningError is not drawn"]
    lines = errors.__doc__.splitlines()
    blocked = next(line for line in lines if "BlockedAddress" in line)
    lines.remove(blocked)
    lines.insert(next(i for i, line in enumerate(lines) if "├── RetryableError" in line) + 1, blocked)
    assert drawing_problems("\n".join(lines), classes) == [
        "BlockedAddress is drawn as a RetryableError; it is a PermanentError"
    ]


def test_a_group_is_never_raised_itself(classes: list[type[Exception]]) -> None:
    groups = [cls for cls in classes if not issubclass(cls, PermanentError | RetryableError)]
    assert NewswireError in groups
    for group in groups:
        with pytest.raises(TypeError, match="only groups"):
            group.__new__(group)
