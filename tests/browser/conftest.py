"""Fixtures for the learner's journeys in a real browser (Playwright + Debian's Chromium).

* ``chromium`` (in tests/conftest.py, shared with the hub journey): the browser, one per
  session. Without ``/usr/bin/chromium`` every browser test skips with one reason (one
  line in the ``-rs`` summary), except in CI (``CI=true``), where a missing browser is a
  failure.
* ``student_lab``: one JupyterLab server per session, student view, in a temporary
  copy of the course (notebooks, data, released labs).
* ``teacher_lab``: a second server, teacher view (formgrader on), started only by
  the teacher journey.
* ``page``: a fresh browser page per test; its screenshot is saved at the end of
  the test, pass or fail, as ``test-output/browser/<name>.png``.

Nothing here downloads a browser: never run ``playwright install``.
"""

from __future__ import annotations

import jlab
import pytest

import needs


def pytest_runtest_setup(item):
    """Skip (or, in CI, fail) browser tests when Chromium is missing.

    Raised from one line (:func:`needs.missing`), so that ``-rs`` folds every skipped
    browser test into ONE summary line: ``SKIPPED [7] tests/needs.py:NN: ...``.
    """
    if item.get_closest_marker("browser") is None:
        return
    problem = jlab.missing_browser()
    if problem is not None:
        needs.missing(problem)


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory):
    """A temporary root holding a copy of the course, with the lab journey's lab released
    (the first lab; released labs/ are copied as they are)."""
    tmp = tmp_path_factory.mktemp("browser-course")
    labs = jlab.released_labs(tmp / "release", jlab.lab_sources()[:1])
    return jlab.copy_course(tmp / "root", labs_from=labs)


@pytest.fixture(scope="session")
def student_lab(chromium, course_copy, tmp_path_factory):
    """JupyterLab, student view (no teacher tools), for the whole session."""
    server = jlab.JupyterLab(course_copy, tmp_path_factory.mktemp("jupyter-student"), "student")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def teacher_lab(chromium, tmp_path_factory):
    """JupyterLab, teacher view (formgrader and create-assignment on), in a course copy with grading/."""
    tmp = tmp_path_factory.mktemp("teacher-course")
    root = jlab.copy_course(tmp / "root", with_grading=True)
    server = jlab.JupyterLab(root, tmp / "state", "teacher")
    try:
        yield server.start()
    finally:
        server.stop()


def _journey_name(request) -> str:
    return request.node.name.removeprefix("test_").replace("[", "-").rstrip("]")


@pytest.fixture
def page(chromium, request):
    """A fresh page (own context: no cookies or storage shared between journeys).

    At the end of the test, pass or fail, the page is saved as
    test-output/browser/<journey>.png, then closed.
    """
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.problems = problems
    try:
        yield page
    finally:
        try:
            page.screenshot(path=str(jlab.OUTPUT / f"{_journey_name(request)}.png"))
        except Exception as error:  # noqa: BLE001
            print(f"could not save the screenshot: {error}")
        if problems:
            (jlab.OUTPUT / f"{_journey_name(request)}.console.txt").write_text("\n".join(problems))
        context.close()


@pytest.fixture
def student(student_lab):
    """The session's student-view server; every kernel is shut down after the test."""
    try:
        yield student_lab
    finally:
        student_lab.shutdown_kernels()
