"""Grading the course's labs with nbgrader: the teacher's pipeline and its safety nets.

Modules: ``pipeline`` (release → collect → autograde → feedback → export),
``sanitize`` (repairs each submission first), ``execute`` (time budget, output cap,
crash handling inside nbgrader), ``guard`` (keeps student code from rigging tests),
``feedback`` (hidden tests stay hidden), ``report`` (the summary table),
``validate`` (``nbgrader validate`` with an honest exit status), ``demo`` (a generated
class) and ``bench`` (timings). Command line: ``python -m pageturn.grading --help``.
"""
