"""Run one of nbgrader's converters in this process, as nbgrader's own API does.

The formgrader's buttons call ``NbGraderAPI``, which builds a converter
(``GenerateAssignment``, ``Autograde``) with the course's configuration and runs it
with ``capture_log``. :func:`run_converter` does the same without importing all of
nbgrader's apps, and without starting a new nbgrader process (whose start-up is most
of the cost for a single notebook). Used by the pipeline's release step and by the
learner's self-check.
"""

from __future__ import annotations

from pathlib import Path


def course_config(root):
    """The traitlets config of the course ``root`` (its ``nbgrader_config.py``)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def run_converter(name: str, root, lab: str, student: str = ".") -> dict:
    """Run nbgrader's converter ``name`` ("GenerateAssignment" or "Autograde") on ``lab`` (and
    ``student``) in the course ``root``, forced, creating the assignment or student as needed.

    Returns nbgrader's ``capture_log`` dict: ``success`` (bool), ``log`` and, on failure, ``error``.

    Raises:
        ValueError: for another converter name.
    """
    import warnings

    from nbgrader import converters
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    from pageturn.grading.release import python_bin_on_path

    if name not in ("GenerateAssignment", "Autograde"):
        raise ValueError(f"name must be 'GenerateAssignment' or 'Autograde'; got {name!r}")
    python_bin_on_path()
    root = Path(root).resolve()
    config = course_config(root)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(root)
    coursedir.assignment_id = lab
    coursedir.student_id = student
    app = getattr(converters, name)(coursedir=coursedir, config=config)
    app.force = True
    if hasattr(app, "create_student"):
        app.create_student = True
    if hasattr(app, "create_assignment"):
        app.create_assignment = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's warnings about nbgrader's own code
        return capture_log(app)
