"""The exported Lesson 1 (`make html`) read in Chromium with the network cut off:
the still dial's picture loads, the quiz questions show, and nothing is fetched."""

from __future__ import annotations

import jlab
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_exported_lesson_reads_offline_in_a_browser(page, tmp_path):
    from pageturn.course import statichtml as pthtml
    from pageturn.lessons.quiz import load_quiz

    if not (jlab.ROOT / "notebooks" / "01_two_jobs.ipynb").is_file():
        pytest.skip("Lesson 1 (notebooks/01_two_jobs.ipynb) does not exist yet")
    [target] = pthtml.export_folder(jlab.ROOT / "notebooks", tmp_path, names=["01_two_jobs"], log=lambda *_: None)
    fetched = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            fetched.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(target.as_uri(), wait_until="load")
    dial = page.locator(".pageturn-dial").first
    dial.scroll_into_view_if_needed()
    picture = dial.locator("img").first
    assert picture.evaluate("img => img.complete && img.naturalWidth > 100"), "the dial picture did not load"
    assert "Maya" in dial.inner_text() and "Sam" in dial.inner_text()
    question = load_quiz("01_two_jobs").questions[0]
    quiz = page.locator(".pageturn-quiz-static").first
    quiz.scroll_into_view_if_needed()
    assert quiz.is_visible()
    assert question.choices[0].text in quiz.inner_text()
    assert not fetched, f"the page tried to fetch: {fetched}"
    dial.scroll_into_view_if_needed()
