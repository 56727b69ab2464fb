"""Grading the course's labs with nbgrader: the teacher's pipeline and its safety nets.

The defences are steps of nbgrader's own chain, registered in ``grading/nbgrader_config.py``
(so every entry point gets them): ``preprocessors`` (repair and guard cells, renamed copies,
notes into the graded notebook), ``sanitize`` (the repairs themselves), ``execute`` (time
budget, output cap, crash handling, forked kernels), ``guard`` (keeps student code from
rigging tests), ``feedback`` (hidden tests stay hidden), ``notes``.

The pipeline adds what only it can do: ``pipeline`` (release → collect → check → parallel
autograde → merge → feedback → CSV, with a progress bar), ``report`` (the summary table),
``forkserver`` and ``nbgrader_main`` (speed), ``inprocess`` (nbgrader's converters without a
new process), ``validate`` (``nbgrader validate`` with an honest exit status and the teacher's
words), ``demo`` (a generated class) and ``bench`` (timings).
Command line: ``python -m pageturn.grading --help``.
"""


def fast_imports() -> None:
    """Import nbformat without building ``rfc3987-syntax``'s IRI parser (about 2.6 s; see
    :mod:`pageturn.grading.nbgrader_main`): while nbformat (and so jsonschema) is first
    imported, ``rfc3987_syntax`` cannot be; afterwards it can again. jsonschema then skips the
    ``iri`` format checks in this process; no notebook schema uses them."""
    import sys

    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None
        try:
            import nbformat  # noqa: F401 - imported for its effect on jsonschema
        finally:
            del sys.modules["rfc3987_syntax"]
