"""``nbgrader validate`` with an exit status that tells the truth.

nbgrader 0.9.6's ``validate`` exits 0 even when validation fails, and even for a
missing file. :func:`validate` runs it and decides from its output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pageturn.release import run_nbgrader

SUCCESS = "Success! Your notebook passes all the tests."


@dataclass
class Validation:
    """The outcome: ``ok`` is True only when every test passed; ``output`` is nbgrader's text."""

    path: Path
    ok: bool
    output: str


def validate(path, *, course="grading") -> Validation:
    """Run ``nbgrader validate PATH`` (from the course root, for its config).

    Returns a :class:`Validation` whose ``ok`` is False when nbgrader found failing or
    unimplemented cells, duplicate grade ids, a file it could not read, or a missing file.

    Raises:
        ValueError: when ``path`` is not an existing ``.ipynb`` file.
    """
    path = Path(path).resolve()
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file; got {str(path)!r}")
    proc = run_nbgrader(["validate", str(path)], Path(course).resolve(), check=False)
    output = proc.stdout + proc.stderr
    ok = proc.returncode == 0 and SUCCESS in output and "VALIDATION FAILED" not in output \
        and "[ValidateApp | ERROR]" not in output
    return Validation(path=path, ok=ok, output=output)
