"""Grading the course's labs with nbgrader: the teacher's pipeline and its safety nets.

Modules: ``pipeline`` (release → collect → autograde → feedback → export),
``sanitize`` (repairs each submission first), ``execute`` (time budget, output cap,
crash handling inside nbgrader), ``guard`` (keeps student code from rigging tests),
``feedback`` (hidden tests stay hidden), ``report`` (the summary table),
``validate`` (``nbgrader validate`` with an honest exit status), ``demo`` (a generated
class) and ``bench`` (timings). Command line: ``python -m pageturn.grading --help``.
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
