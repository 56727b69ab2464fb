"""The course manifest (``course.toml``): the one owner of the course's id, its items and their order.

Read it with :func:`load`::

    >>> from pageturn.course import manifest
    >>> course = manifest.load()
    >>> course.id
    'pageturn-build-vs-run'
    >>> [item.key for item in course.labs][:1]
    ['lab1_four_keys']

Only the standard library is used here, so the grading tools (and nbgrader config files) can
import this module without pulling in the rest of the package.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

FILENAME = "course.toml"
KINDS = ("lesson", "lab")


def root(start: str | os.PathLike | None = None) -> Path:
    """The course root: the folder that holds ``course.toml``. The one finder of the course's folder.

    Looks in this order: ``start`` and every folder above it, when given (the self-check starts
    from the learner's notebook: the course it belongs to comes first); the folder named by the
    environment variable ``PAGETURN_ROOT``; the current directory and every folder above it; the
    source tree this package was installed from (editable installs, Binder).

    Raises:
        FileNotFoundError: listing the places searched, when none holds ``course.toml``.
    """
    env = os.environ.get("PAGETURN_ROOT")
    here = Path.cwd().resolve()
    first = Path(start).resolve() if start is not None else None
    candidates = (
        ([first, *first.parents] if first is not None else [])
        + ([Path(env)] if env else [])
        + [here, *here.parents]
        + [Path(__file__).resolve().parents[3]]
    )
    for candidate in candidates:
        if (candidate / FILENAME).is_file():
            return candidate
    raise FileNotFoundError(
        f"could not find the course root (a folder holding {FILENAME}); looked in: "
        + ", ".join(map(str, dict.fromkeys(candidates)))
        + ". Set PAGETURN_ROOT to the course's folder."
    )


@dataclass(frozen=True)
class Item:
    """One lesson or lab, as the manifest lists it.

    ``path`` is the learner's notebook, relative to the course root: ``notebooks/NN_name.ipynb``
    for a lesson, ``labs/<name>/<name>.ipynb`` for a lab. ``source`` is a lab's single source in
    ``grading/source/`` (None for a lesson). ``minutes`` is the time a learner needs, in minutes.
    """

    kind: str
    key: str
    title: str
    summary: str
    minutes: int
    path: str
    source: str | None = None
    quiz: str | None = None
    points: float | None = None

    @property
    def number(self) -> int:
        """The item's number among items of its kind (Lesson 1, Lab 1, ...), counting from 1."""
        return int(self.title.split("·")[0].split()[-1])


@dataclass(frozen=True)
class Course:
    """The whole manifest: the course id (nbgrader's), its title (the start page's ``# `` heading,
    written by ``make nav``), the start page and the items in order."""

    id: str
    title: str
    start: str
    items: tuple[Item, ...]

    @property
    def lessons(self) -> tuple[Item, ...]:
        """The lessons, in course order."""
        return tuple(i for i in self.items if i.kind == "lesson")

    @property
    def labs(self) -> tuple[Item, ...]:
        """The labs, in course order."""
        return tuple(i for i in self.items if i.kind == "lab")

    @property
    def lab_names(self) -> list[str]:
        """The labs' folder names in ``grading/source/``, in course order."""
        return [i.key for i in self.labs]

    def lab(self, name: str) -> Item:
        """The lab called ``name``.

        Raises:
            ValueError: naming the labs there are, when ``name`` is not one of them.
        """
        for item in self.labs:
            if item.key == name:
                return item
        raise ValueError(f"lab must be one of {', '.join(map(repr, self.lab_names))}; got {name!r}")


def _field(entry: dict, name: str, kind: type, where: str):
    if name not in entry:
        raise ValueError(f"{where}: {name} is missing; expected a {kind.__name__}")
    value = entry[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"{where}: {name} must be a {kind.__name__}; got {value!r}")
    return value


def parse(text: str) -> Course:
    """Read a manifest from TOML text.

    Raises:
        ValueError: naming the item, the field, the value and what was expected, for a manifest
            that is not well formed (unknown kind, missing field, repeated item, bad minutes).
    """
    data = tomllib.loads(text)
    head = data.get("course")
    if not isinstance(head, dict):
        raise ValueError("course.toml: a [course] table with id, title and start is expected")
    course_id = _field(head, "id", str, "[course]")
    items, seen = [], set()
    for n, entry in enumerate(data.get("item", []), start=1):
        where = f"[[item]] {n}"
        kind = _field(entry, "kind", str, where)
        if kind not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}; got {kind!r}")
        minutes = _field(entry, "minutes", int, where)
        if not 1 <= minutes <= 300:
            raise ValueError(f"{where}: minutes must be between 1 and 300; got {minutes!r}")
        common = dict(
            kind=kind,
            title=_field(entry, "title", str, where),
            summary=_field(entry, "summary", str, where),
            minutes=minutes,
        )
        if kind == "lesson":
            path = _field(entry, "path", str, where)
            item = Item(key=Path(path).stem, path=path, quiz=entry.get("quiz"), **common)
        else:
            name = _field(entry, "name", str, where)
            points = entry.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
                raise ValueError(f"{where}: points must be a positive number; got {points!r}")
            item = Item(
                key=name,
                path=f"labs/{name}/{name}.ipynb",
                source=f"grading/source/{name}/{name}.ipynb",
                points=points,
                **common,
            )
        if item.key in seen:
            raise ValueError(f"{where}: {item.key!r} is listed twice")
        seen.add(item.key)
        items.append(item)
    if not items:
        raise ValueError("course.toml: no [[item]] entries; expected the course's lessons and labs")
    return Course(
        id=course_id,
        title=_field(head, "title", str, "[course]"),
        start=_field(head, "start", str, "[course]"),
        items=tuple(items),
    )


def load(path: str | os.PathLike | None = None) -> Course:
    """Read the course manifest (default: ``course.toml`` in :func:`root`).

    Raises:
        FileNotFoundError: when there is no manifest.
        ValueError: for a manifest that is not well formed (see :func:`parse`).
    """
    path = Path(path) if path is not None else root() / FILENAME
    return parse(path.read_text(encoding="utf-8"))


def course_id() -> str:
    """The course id nbgrader uses (``c.CourseDirectory.course_id``)."""
    return load().id
