"""Check your own lab, with no teacher: ``from pageturn.grading.selfcheck import check; check()``.

It grades the **saved** copy of your notebook with the same autograder and the
same hidden tests your teacher would use (the real nbgrader, with the course's
``nbgrader_config.py`` and so the same defences, run in this process on a
temporary copy of the course; the lab's release is made once and cached), and
shows which parts pass. It never shows a solution or
the code of a hidden test, and it never changes your notebook: it reads the
file and works on a copy. Save first (Ctrl+S / ⌘S): unsaved edits are not seen.

It needs the course's ``grading/source/`` folder, which the public course (and
Binder) has. Written answers are graded by a teacher, so they show as
"not checked here".
"""

from __future__ import annotations

import html
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def _saved_at(notebook: Path) -> str:
    """When ``notebook`` was last saved, as local HH:MM:SS."""
    return time.strftime("%H:%M:%S", time.localtime(notebook.stat().st_mtime))


@dataclass
class Part:
    """One graded part: its title, its state ("pass", "fail", "not checked here") and points."""

    title: str
    state: str
    points: float | None
    max_points: float


@dataclass
class SelfCheck:
    """The outcome of :func:`check`: the lab, the notebook checked, the parts, and notes."""

    lab: str
    notebook: Path
    parts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    cells_seconds: float | None = None  # how long the notebook's own cells ran, of ``seconds``

    @property
    def score(self) -> float:
        """Points of the automatically checked parts."""
        return sum(p.points or 0 for p in self.parts if p.points is not None)

    @property
    def max_score(self) -> float:
        """Points available in the automatically checked parts."""
        return sum(p.max_points for p in self.parts if p.points is not None)

    def __repr__(self) -> str:
        lines = [
            f"Self-check of {self.notebook.name} (saved {_saved_at(self.notebook)}): "
            f"{self.score:g} of {self.max_score:g} points from automatic checks"
        ]
        for p in self.parts:
            mark = {"pass": "✓", "fail": "✗"}.get(p.state, "·")
            pts = f"{p.points:g}/{p.max_points:g}" if p.points is not None else f"–/{p.max_points:g}"
            lines.append(f"  {mark} {p.title}: {p.state} ({pts} points)")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{'✓' if p.state == 'pass' else '✗' if p.state == 'fail' else '·'}</td>"
            f"<td>{html.escape(p.title)}</td><td>{html.escape(p.state)}</td>"
            f"<td>{'' if p.points is None else format(p.points, 'g')} / {p.max_points:g}</td></tr>"
            for p in self.parts
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<p><b>Self-check of {html.escape(self.notebook.name)}</b>: {self.score:g} of {self.max_score:g} "
            f"points from automatic checks (written answers are graded by a teacher).</p>"
            f"<table><tr><th></th><th>part</th><th>result</th><th>points</th></tr>{rows}</table>"
            + (f"<ul>{notes}</ul>" if notes else "")
        )


def _course(start: Path) -> Path:
    """The nbgrader course (``grading/``) of the course root that ``start`` is in, or else the
    course root :func:`pageturn.course.manifest.root` finds."""
    from pageturn.course import manifest

    root = manifest.root(start=start)
    grading = root / "grading"
    if (grading / "source").is_dir() and (grading / "nbgrader_config.py").is_file():
        return grading
    raise FileNotFoundError(
        f"the course root {root} (found from {start}) has no grading/source and grading/nbgrader_config.py; "
        "the self-check needs them"
    )


def _titles(notebook) -> dict:
    """grade_id → the nearest markdown heading above it."""
    titles, heading = {}, None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    heading = line.lstrip("#").strip()
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            titles[meta["grade_id"]] = heading or meta["grade_id"]
    return titles


def _autograde(root: Path, lab: str) -> dict:
    """nbgrader's ``Autograde`` of student "you": exactly the teacher's chain (same config, same
    defences, same hidden tests), run in this process rather than in a new nbgrader."""
    from pageturn.grading.inprocess import run_converter

    return run_converter("Autograde", root, lab, "you")


def _in_thread(fn, *args):
    """Run ``fn`` in a worker thread: inside a Jupyter kernel the main thread's event loop is
    already running, and nbclient needs a loop of its own."""
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    def quiet():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's warnings about nbgrader's own code
            return fn(*args)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(quiet).result()


def _first_error(log: str) -> str:
    for line in log.splitlines():
        if "ERROR" in line or "Error" in line:
            return line.split("]", 1)[-1].strip()[:200]
    return "nbgrader could not grade this notebook"


def _released_course(course: Path, lab: str) -> Path:
    """A copy of ``course`` holding ``lab``'s release and gradebook, made once per version of the
    lab and the config (cached in the temporary folder), so a check only autogrades."""
    import hashlib
    import os

    import nbgrader

    from pageturn.grading.pipeline import copy_course

    digest = hashlib.sha256()
    for path in sorted((course / "source" / lab).rglob("*")) + [course / "nbgrader_config.py"]:
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            digest.update(path.name.encode() + path.read_bytes())
    digest.update(nbgrader.__version__.encode())
    cache = Path(tempfile.gettempdir()) / f"pageturn-selfcheck-{os.getuid()}" / f"{lab}-{digest.hexdigest()[:16]}"
    if (cache / "gradebook.db").is_file() and (cache / "release" / lab).is_dir():
        return cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="build-", dir=cache.parent))
    copy_course(course, build, [lab])
    from pageturn.grading.inprocess import run_converter

    outcome = _in_thread(run_converter, "GenerateAssignment", build, lab)
    if not outcome.get("success"):
        shutil.rmtree(build, ignore_errors=True)
        raise RuntimeError(
            "nbgrader generate_assignment failed for the self-check:\n"
            + outcome.get("log", "")
            + outcome.get("error", "")
        )
    try:
        build.rename(cache)
    except OSError:  # another check made it first
        shutil.rmtree(build, ignore_errors=True)
    return cache


def check(lab: str | None = None, *, notebook=None, course=None) -> SelfCheck | None:
    """Grade the saved notebook of ``lab`` with the real autograder and report pass/fail per part.

    Returns None, doing nothing, while nbgrader itself runs the notebook (environment variable
    ``NBGRADER_EXECUTION``) or when ``PAGETURN_SKIP_SELFCHECK`` is set (headless test runs),
    so a self-check cell at the end of a lab never grades the lab from inside its own grading.

    Args:
        lab: the lab's name (e.g. "lab2_histograms"); None means the name of the current folder.
        notebook: the notebook file to check; None means ``<lab>.ipynb`` in the current folder,
            or ``labs/<lab>/<lab>.ipynb``.
        course: the nbgrader course folder holding ``source/<lab>``; None means found automatically.

    Raises:
        ValueError: for an unknown lab, or a notebook path that is not an existing .ipynb file.
        FileNotFoundError: when the course's ``grading/source`` cannot be found.
        RuntimeError: when nbgrader itself cannot run.
    """
    import os

    from pageturn.grading import fast_imports

    fast_imports()
    import nbformat

    from pageturn.grading.release import list_labs

    if os.environ.get("NBGRADER_EXECUTION") or os.environ.get("PAGETURN_SKIP_SELFCHECK"):
        # Inside nbgrader (autograde/validate) or a headless test run: grading the notebook from
        # within its own grading would recurse.
        print("Self-check skipped: this notebook is being graded or tested right now.")
        return None

    here = Path.cwd()
    course = Path(course) if course is not None else _course(here)
    known = list_labs(course)
    lab = lab or here.name
    if lab not in known:
        raise ValueError(
            f"lab must be one of {', '.join(map(repr, known))} (or run check() from the lab's folder); got {lab!r}"
        )
    if notebook is None:
        candidates = [here / f"{lab}.ipynb", course.parent / "labs" / lab / f"{lab}.ipynb"]
        notebook = next((c for c in candidates if c.is_file()), candidates[0])
    notebook = Path(notebook).resolve()
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise ValueError(f"notebook must be an existing .ipynb file; got {str(notebook)!r}")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pageturn-selfcheck-") as tmp:
        root = shutil.copytree(_released_course(course, lab), Path(tmp) / "course")
        dest = root / "submitted" / "you" / lab
        dest.mkdir(parents=True)
        shutil.copyfile(notebook, dest / f"{lab}.ipynb")
        result = SelfCheck(lab=lab, notebook=notebook)
        outcome = _in_thread(_autograde, root, lab)
        path = root / "autograded" / "you" / lab / f"{lab}.ipynb"
        if not outcome.get("success") or not path.is_file():
            reason = _first_error(outcome.get("log", "") + outcome.get("error", ""))
            result.notes = [f"not graded: {reason}"]
            result.seconds = time.perf_counter() - started
            return result
        from pageturn.grading import notes as grading_notes

        graded = nbformat.read(path, as_version=4)
        result.notes = [n for n in grading_notes.get(graded) if not n.startswith("review:")]
        result.cells_seconds = (graded.metadata.get(grading_notes.KEY) or {}).get("cells_seconds")
        release = nbformat.read(root / "release" / lab / f"{lab}.ipynb", as_version=4)
        titles = _titles(release)
        from nbgrader.api import Gradebook

        from pageturn.grading.pipeline import COURSE_ID

        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=COURSE_ID) as gb:
            sub = gb.find_submission_notebook(lab, lab, "you")
            order = {gid: i for i, gid in enumerate(titles)}
            for g in sorted(sub.grades, key=lambda g: order.get(g.name, 0)):
                written = g.cell.cell_type == "markdown"
                if written:
                    state = "not answered yet" if g.auto_score == 0 else "not checked here"
                    points = None
                else:
                    state = "pass" if float(g.score) >= float(g.max_score) else "fail"
                    points = float(g.score)
                result.parts.append(
                    Part(
                        title=f"{titles.get(g.name, g.name)} [{g.name}]",
                        state=state,
                        points=points,
                        max_points=float(g.max_score),
                    )
                )
    result.seconds = time.perf_counter() - started
    return result
