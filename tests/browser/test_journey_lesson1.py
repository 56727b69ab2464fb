"""Journeys 1 and 2: from the start page to Lesson 1's deploy dial, and its quiz by keyboard.

Both journeys use one Lesson 1 page (opened from the start page's link and run
once), so the notebook runs once for the two of them.
"""

from __future__ import annotations

import re

import jlab
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

START = jlab.ROOT / "notebooks" / "00_start.ipynb"
LESSON1 = jlab.ROOT / "notebooks" / "01_two_jobs.ipynb"
SLIDERS = ("deploys", "failure", "restore")  # pageturn.lessons.dial.CSS keys of the three sliders


def _needs_lesson1():
    if not LESSON1.is_file():
        pytest.skip("Lesson 1 (notebooks/01_two_jobs.ipynb) does not exist yet")
    if "01_two_jobs.ipynb" not in START.read_text(encoding="utf-8"):
        pytest.skip("the start page (notebooks/00_start.ipynb) does not link to Lesson 1 yet")


def _snapshot(page):
    dial = page.locator(".pageturn-dial").first
    return {
        "maya": dial.locator(".pageturn-scoreboard-maya").inner_text(),
        "sam": dial.locator(".pageturn-scoreboard-sam").inner_text(),
        "img": dial.locator("img.pageturn-dial-figure").get_attribute("src"),
    }


@pytest.fixture(scope="module")
def lesson1(chromium, student_lab):
    """Lesson 1, opened by following the start page's link, with every cell run."""
    _needs_lesson1()
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        jlab.open_lab(page, student_lab, "notebooks/00_start.ipynb", "lesson1")
        link = page.locator(f"{jlab.NOTEBOOK} .jp-RenderedMarkdown a[href*='01_two_jobs.ipynb']").first
        link.scroll_into_view_if_needed()
        link.click()
        jlab.wait_notebook(page, "01_two_jobs.ipynb")
        jlab.run_all(page)
        yield page
    finally:
        try:
            page.screenshot(path=str(jlab.OUTPUT / "lesson1_last.png"))
        finally:
            context.close()
            student_lab.shutdown_kernels()


def test_start_page_to_dial(lesson1):
    page = lesson1
    errors = jlab.errors_in(page.locator(jlab.NOTEBOOK))
    assert not errors, f"Lesson 1 raised an error when run:\n{errors[0][:2000]}"
    dial = page.locator(".pageturn-dial").first
    dial.scroll_into_view_if_needed()
    figure = dial.locator("img.pageturn-dial-figure")
    assert figure.is_visible(), (
        "the dial's picture (img.pageturn-dial-figure) is not shown; the widget says: " + dial.inner_text()[:600]
    )
    # The scoreboards fill in once the kernel has simulated the first quarter.
    page.wait_for_function(
        """() => ['maya', 'sam'].every(who => /\\d/.test(
            document.querySelector('.pageturn-dial .pageturn-scoreboard-' + who).innerText))""",
        timeout=20_000,
    )
    before = _snapshot(page)

    for name in SLIDERS:
        handle = dial.locator(f".pageturn-dial-{name} .noUi-handle")
        readout = dial.locator(f".pageturn-dial-{name} .widget-readout")
        value_before = readout.inner_text()
        handle.scroll_into_view_if_needed()
        handle.focus()
        page.keyboard.press("End")  # keyboard only: jump to the maximum
        page.wait_for_function(
            "([sel, old]) => document.querySelector(sel).innerText !== old",
            arg=[f".pageturn-dial-{name} .widget-readout", value_before],
            timeout=10_000,
        )
        # The kernel re-simulates the quarter: the scoreboards and the picture change.
        page.wait_for_function(
            """([old]) => {
                const d = document.querySelector('.pageturn-dial');
                const maya = d.querySelector('.pageturn-scoreboard-maya').innerText;
                const sam = d.querySelector('.pageturn-scoreboard-sam').innerText;
                const img = d.querySelector('img.pageturn-dial-figure').getAttribute('src');
                return (maya !== old.maya || sam !== old.sam) && img !== old.img;
            }""",
            arg=[before],
            timeout=20_000,
        )
        after = _snapshot(page)
        assert after["img"] != before["img"], f"moving {name} did not redraw the picture"
        assert readout.inner_text() != value_before
        before = after
    dial.scroll_into_view_if_needed()
    page.screenshot(path=str(jlab.OUTPUT / "start_page_to_dial.png"))


def test_dial_and_quiz_controls_have_names(lesson1):
    """Every control of the dial and the quiz has an accessible name (label or description).

    ipywidgets 8.1 draws sliders with noUiSlider and gives the handle (role=slider)
    no aria-label and no aria-labelledby, so screen readers announce it without a
    name; nothing on the Python side can set one. For sliders this test therefore
    asks for a visible label next to the handle and a spoken value
    (aria-valuetext/aria-valuenow), and warns about the missing name.
    """
    page = lesson1
    problems, unnamed_sliders = {}, 0
    for css in (".pageturn-dial", ".pageturn-quiz"):
        box = page.locator(css).first
        box.scroll_into_view_if_needed()
        missing = [line for line in jlab.unnamed_controls(box) if not line.startswith("- slider")]
        unnamed_sliders += len(jlab.unnamed_controls(box)) - len(missing)
        if missing:
            problems[css] = missing
    assert not problems, f"controls without an accessible name: {problems}"
    sliders = page.locator(".pageturn-dial .widget-slider")
    assert sliders.count() >= 3
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        label = (slider.locator(".widget-label").first.text_content() or "").strip()
        assert label, f"slider {i + 1} of the dial has no visible label"
        handle = slider.locator(".noUi-handle").first
        assert handle.get_attribute("aria-valuenow") or handle.get_attribute("aria-valuetext"), (
            f"slider {label!r} does not expose its value to assistive technology"
        )
    if unnamed_sliders:
        import warnings

        warnings.warn(
            f"{unnamed_sliders} slider(s) have no accessible name: ipywidgets 8.1 does not "
            "label noUiSlider handles (their visible labels are checked instead)",
            stacklevel=1,
        )


def test_quiz_by_keyboard(lesson1):
    from pageturn.lessons.quiz import load_quiz, shuffled_choices

    page = lesson1
    quiz = load_quiz("01_two_jobs")
    question = quiz.questions[0]
    shown = shuffled_choices(question, 0)  # the order show_quiz uses (seed 0)
    wrong = next(i for i, c in enumerate(shown) if c.id not in question.answers)
    right = next(i for i, c in enumerate(shown) if c.id in question.answers)

    block = page.locator(f".pageturn-quiz-question-{question.id}").first
    block.scroll_into_view_if_needed()
    score = page.locator(".pageturn-quiz .pageturn-quiz-score").first
    start_score = int(re.search(r"(\d+)\s*/", score.text_content()).group(1))
    radios = block.locator("input[type='radio']")
    check = block.locator(".pageturn-quiz-check")
    feedback = block.locator(".pageturn-quiz-feedback")

    def focused(locator) -> bool:
        return locator.evaluate("el => el === document.activeElement || el.contains(document.activeElement)")

    def tab_to(locator, back: bool = False, limit: int = 12) -> None:
        """Press Tab (Shift+Tab) until ``locator`` has the focus."""
        for _ in range(limit):
            if focused(locator):
                return
            page.keyboard.press("Shift+Tab" if back else "Tab")
        assert focused(locator), "the keyboard focus never reached " + (
            locator.evaluate("el => el.outerHTML.slice(0, 200)")
        )

    def choose(index: int, back: bool = False) -> None:
        """Move the focus to choice ``index`` with Tab and pick it with Space."""
        tab_to(radios.nth(index), back=back)
        page.keyboard.press("Space")
        assert radios.nth(index).is_checked(), f"Space did not select choice {index + 1}"

    def feedback_says(words: str) -> None:
        page.wait_for_function(
            "([sel, words]) => document.querySelector(sel).textContent.includes(words)",
            arg=[f".pageturn-quiz-question-{question.id} .pageturn-quiz-feedback", words],
            timeout=10_000,
        )

    # Land on the question's first choice (where Tab from the question text arrives);
    # from there on, only the keyboard: Tab / Shift+Tab to move, Space to pick, Enter to check.
    radios.first.focus()
    choose(wrong)
    tab_to(check)
    page.keyboard.press("Enter")
    feedback_says("Not quite")
    text = feedback.text_content()
    assert shown[wrong].text in text, text
    assert re.sub(r"[*`]", "", shown[wrong].feedback)[:40] in text, text
    assert int(re.search(r"(\d+)\s*/", score.text_content()).group(1)) == start_score

    choose(right, back=True)  # Shift+Tab: back from the button
    tab_to(check)
    page.keyboard.press("Space")  # Space presses a button too
    feedback_says("Right")
    page.wait_for_function(
        "([sel, n]) => { const m = document.querySelector(sel).textContent.match(/(\\d+)\\s*\\//);"
        " return m && Number(m[1]) === n; }",
        arg=[".pageturn-quiz .pageturn-quiz-score", start_score + 1],
        timeout=10_000,
    )
    block.scroll_into_view_if_needed()
    page.screenshot(path=str(jlab.OUTPUT / "quiz_by_keyboard.png"))
