"""A demo class: generated submissions (right, partly right, blank, broken, hostile) for any lab.

:func:`make_submissions` builds them from a lab's instructor notebook and its
release, deterministically (no randomness), so they work for every lab in
``grading/source/``, present and future. :func:`run_demo` (``make grade-demo``)
grades them with :func:`pageturn.grading.pipeline.grade` in a temporary copy of
the course, never touching real student data, and prints the summary table.
"""

from __future__ import annotations

import ast
import copy
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from pageturn.course import manifest
from pageturn.grading.sanitize import grading_meta, is_test_cell

ROOT = manifest.root()
COURSE = ROOT / "grading"

ALWAYS_EQUAL = '''class _Whatever:
    """Claims to equal anything."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __float__(self): return 0.0
    def __int__(self): return 0
    def __index__(self): return 0
    def __len__(self): return 0
    def __getitem__(self, key): return self
    def __iter__(self): return iter(())
    def __lt__(self, other): return True
    def __gt__(self, other): return True
    def __le__(self, other): return True
    def __ge__(self, other): return True
    def __bool__(self): return True
'''

MONKEYPATCH = """import builtins, math, operator
import numpy as np
import numpy.testing
math.isclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
np.testing.assert_equal = lambda *a, **k: None
np.testing.assert_almost_equal = lambda *a, **k: None
operator.eq = lambda a, b: True
_real_isinstance = builtins.isinstance
isinstance = lambda obj, cls: True
float = lambda *a: 0.0
"""


@dataclass
class Submission:
    """One generated submission.

    Attributes:
        kind: what it is ("right", "blank", "always_equal", ...).
        content: a notebook, raw bytes for a broken file, or a dict {file name: notebook}
            for a folder of several notebooks.
        filename: the file name to save it under (normally ``<lab>.ipynb``; unused for a dict).
    """

    kind: str
    content: object
    filename: str


def _solution_text(source: str) -> str:
    return "\n".join(
        line for line in source.splitlines() if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    )


def answered(source_nb, release_nb, *, fraction: float = 1.0):
    """The release with the first ``fraction`` of its answer cells filled in from the instructor notebook."""
    nb = copy.deepcopy(release_nb)
    solutions = {grading_meta(c)["grade_id"]: c for c in source_nb.cells if grading_meta(c).get("solution")}
    answer_cells = [c for c in nb.cells if grading_meta(c).get("solution")]
    n = round(len(answer_cells) * fraction)
    for cell in answer_cells[:n]:
        cell.source = _solution_text(solutions[grading_meta(cell)["grade_id"]].source)
    return nb


def _defined_names(source_nb) -> tuple[list[str], list[str]]:
    functions, values = [], []
    for cell in source_nb.cells:
        if cell.cell_type != "code" or not grading_meta(cell).get("solution"):
            continue
        try:
            tree = ast.parse(_solution_text(cell.source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append(node.name)
            elif isinstance(node, ast.Assign):
                values.extend(t.id for t in node.targets if isinstance(t, ast.Name))
    return sorted(set(functions)), sorted(set(values) - set(functions))


def _add_after_answers(nb, source: str):
    """Insert a plain code cell with ``source`` after the last answer cell."""
    last = max(i for i, c in enumerate(nb.cells) if grading_meta(c).get("solution"))
    nb.cells.insert(last + 1, nbformat.v4.new_code_cell(source))
    _ids(nb)
    return nb


def _add_after_each_answer(nb, source: str):
    """Insert a plain code cell with ``source`` after every code answer cell (so every test sees it)."""
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if grading_meta(cell).get("solution") and cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(source))
    nb.cells = cells
    _ids(nb)
    return nb


def _ids(nb):
    for n, cell in enumerate(nb.cells):
        cell["id"] = f"c{n}"


def _tests(nb):
    return [i for i, c in enumerate(nb.cells) if is_test_cell(c)]


def make_submissions(source_nb, release_nb, lab: str, *, flood_lines: int = 1_000_000) -> dict[str, Submission]:
    """Every kind of submission, keyed by a made-up student id (sorted, deterministic).

    ``flood_lines`` is how many lines the output-flood student prints.

    Raises:
        ValueError: when ``release_nb`` has no answer cell.
    """
    if not any(grading_meta(c).get("solution") for c in release_nb.cells):
        raise ValueError(f"release_nb must have answer cells (nbgrader solution cells); lab {lab!r} has none")
    name = f"{lab}.ipynb"
    right = answered(source_nb, release_nb)
    blank = copy.deepcopy(release_nb)
    functions, values = _defined_names(source_nb)
    out = {}

    def add(student, kind, content, filename=name):
        out[student] = Submission(kind, content, filename)

    for student in ("ada", "ben", "chen", "dara"):
        add(student, "right", copy.deepcopy(right))
    for student, fraction in (("eli", 0.25), ("fay", 0.5), ("gus", 0.75)):
        add(student, "partly right", answered(source_nb, release_nb, fraction=fraction))
    for student in ("hana", "ivo"):
        add(student, "blank", copy.deepcopy(blank))

    nb = copy.deepcopy(right)
    first = next(c for c in nb.cells if grading_meta(c).get("solution") and c.cell_type == "code")
    first.source += "\n)(  # a stray bracket\n"
    add("jon", "broken: syntax error", nb)

    nb = copy.deepcopy(blank)
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in _tests(nb)]
    add("kai", "hostile: deleted test cells", nb)

    nb = copy.deepcopy(right)
    tests = _tests(nb)
    answers = [i for i, c in enumerate(nb.cells) if grading_meta(c).get("solution") and c.cell_type == "code"]
    nb.cells.insert(tests[0] + 1, copy.deepcopy(nb.cells[tests[0]]))
    nb.cells.insert(answers[0] + 1, copy.deepcopy(nb.cells[answers[0]]))
    _ids(nb)
    add("lea", "hostile: duplicated cells", nb)

    nb = copy.deepcopy(blank)
    for i in _tests(nb):
        nb.cells[i] = nbformat.v4.new_markdown_cell(nb.cells[i].source, metadata=nb.cells[i].metadata)
    _ids(nb)
    add("mo", "hostile: test cells changed to markdown", nb)

    nb = copy.deepcopy(blank)
    for i in _tests(nb):
        nb.cells[i].source = "pass  # tests? what tests?"
    add("nia", "hostile: edited test cells", nb)

    nb = copy.deepcopy(right)
    first = next(c for c in nb.cells if grading_meta(c).get("solution") and c.cell_type == "code")
    first.source += "\nwhile True:\n    pass\n"
    add("omar", "hostile: infinite loop", nb)

    nb = copy.deepcopy(right)
    first = next(c for c in nb.cells if grading_meta(c).get("solution") and c.cell_type == "code")
    first.source += (
        "\nimport signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)\n"
    )
    add("pia", "hostile: loop that ignores interrupts", nb)

    nb = copy.deepcopy(right)
    first = next(c for c in nb.cells if grading_meta(c).get("solution") and c.cell_type == "code")
    first.source += "\nimport os\nos._exit(1)\n"
    add("quin", "hostile: os._exit", nb)

    add(
        "rosa",
        "hostile: output flood",
        _add_after_answers(copy.deepcopy(blank), f"for _i in range({int(flood_lines)}):\n    print(_i)\n"),
    )

    cheat = (
        ALWAYS_EQUAL
        + "".join(f"{f} = lambda *args, **kwargs: _Whatever()\n" for f in functions)
        + "".join(f"{v} = _Whatever()\n" for v in values)
    )
    add("sol", "hostile: always-equal object", _add_after_each_answer(copy.deepcopy(blank), cheat))

    # Wrong answers of the right type (floats), which pass only if the patched comparisons stay patched.
    wrong = "".join(f"{f} = lambda *args, **kwargs: -1.0\n" for f in functions) + "".join(
        f"{v} = -1.0\n" for v in values
    )
    add("tom", "hostile: monkey-patched comparisons", _add_after_each_answer(copy.deepcopy(blank), MONKEYPATCH + wrong))

    add("uma", "broken: not a notebook", b"{this is not json", name)
    add("vic", "renamed copy (the only notebook in the folder)", copy.deepcopy(right), f"Copy of {name}")
    empty = copy.deepcopy(blank)
    empty.cells = []
    add("wes", "hostile: every cell deleted", empty)
    add("xia", "broken: truncated file", nbformat.writes(right).encode()[: len(nbformat.writes(right)) // 2], name)
    wrong_nb = _add_after_each_answer(copy.deepcopy(blank), wrong)
    add("yan", "wrong answers (of the right type)", wrong_nb)
    add(
        "zed",
        "two renamed copies (no guess)",
        {f"Copy of {name}": copy.deepcopy(right), f"{lab} (1).ipynb": copy.deepcopy(blank)},
        "",
    )
    return dict(sorted(out.items()))


def write_submissions(subs: dict, folder: Path, lab: str) -> None:
    """Write ``subs`` as ``folder/<student>/<lab>/<file>``."""
    for student, sub in subs.items():
        dest = Path(folder) / student / lab
        dest.mkdir(parents=True, exist_ok=True)
        if isinstance(sub.content, bytes):
            (dest / sub.filename).write_bytes(sub.content)
        elif isinstance(sub.content, dict) and "cells" not in sub.content:
            for filename, nb in sub.content.items():
                nbformat.write(nb, dest / filename)
        else:
            nbformat.write(sub.content, dest / sub.filename)


def demo_course(tmp: Path, labs=None, *, course: Path = COURSE) -> tuple[Path, list[str]]:
    """Copy the course config and ``source/`` into ``tmp/course``; return (root, labs)."""
    from pageturn.grading.pipeline import copy_course
    from pageturn.grading.release import list_labs

    known = list_labs(course)
    labs = known if not labs else list(labs)
    for lab in labs:
        if lab not in known:
            raise ValueError(f"lab must be one of {', '.join(map(repr, known))}; got {lab!r}")
    root = copy_course(
        course, Path(tmp) / "course", labs, config=COURSE / "nbgrader_config.py"
    )  # always the real config
    return root, labs


def prepare_class(root: Path, lab: str, *, students=None, flood_lines: int = 1_000_000) -> dict:
    """Release ``lab`` in the course ``root`` and write its demo class into ``root/submitted``.

    ``students`` limits the class to those ids (None: all of them)."""
    from pageturn.grading.release import run_nbgrader

    run_nbgrader(["generate_assignment", lab, "--force"], root)
    source = nbformat.read(root / "source" / lab / f"{lab}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / lab / f"{lab}.ipynb", as_version=4)
    subs = make_submissions(source, release, lab, flood_lines=flood_lines)
    if students is not None:
        subs = {s: sub for s, sub in subs.items() if s in students}
    write_submissions(subs, root / "submitted", lab)
    return subs


def run_demo(labs=None, keep=None, notebook_timeout: int = 20, course: Path = COURSE, log=print) -> int:
    """Grade the demo class of each lab in a temporary course and print the tables. Returns 0."""
    from pageturn.grading.pipeline import grade
    from pageturn.grading.report import summary

    def go(tmp):
        root, chosen = demo_course(Path(tmp), labs, course=Path(course))
        for lab in chosen:
            log(f"\n=== demo class for {lab} (course copy: {root}) ===")
            subs = prepare_class(root, lab)
            run = grade(lab, course=root, notebook_timeout=notebook_timeout, log=log)
            kinds = {s: sub.kind for s, sub in subs.items()}
            log("")
            log(summary(run))
            log("what each demo student did: " + ", ".join(f"{s}={k}" for s, k in kinds.items()))
        return 0

    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return go(keep)
    with tempfile.TemporaryDirectory(prefix="pageturn-demo-") as tmp:
        return go(tmp)
