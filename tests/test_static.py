"""Readable without a kernel: GitHub/nbviewer, and `make html` (pageturn.course.statichtml), offline.

* Stored notebooks carry no ``metadata.widgets`` (GitHub refuses to render one
  whose widget metadata lacks ``state``).
* ``python -m pageturn.course.statichtml notebooks OUT`` (what ``make html`` runs) executes every
  lesson and writes one HTML page each, with embedded PNG figures, no script
  fetched from anywhere, the quiz questions as text and a still copy of the dial.
"""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from pageturn import style
from pageturn.course import statichtml as pthtml
from thiscourse import COURSE, ROOT

# The export runs once (a module fixture): keep its tests on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("html")

NOTEBOOK_FOLDERS = ("notebooks", "labs", "grading/source")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _stored_notebooks():
    for folder in NOTEBOOK_FOLDERS:
        yield from sorted(p for p in (ROOT / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", list(_stored_notebooks()), ids=lambda p: str(p.relative_to(ROOT)))
def test_stored_notebook_renders_on_github(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    widgets = nb.get("metadata", {}).get("widgets")
    if widgets is not None:
        state = widgets.get(WIDGET_STATE, {})
        assert "state" in state, (
            f"{path.relative_to(ROOT)}: metadata.widgets without 'state' (GitHub will not render it); strip it"
        )
    # Notebooks are stored without outputs, so they have no widget state to keep either.
    assert widgets is None, (
        f"{path.relative_to(ROOT)}: stored with metadata.widgets; strip it "
        "(.venv/bin/python -m pageturn.course.nbtools strip FILE)"
    )


# ------------------------------------------------------------------ pageturn.course.statichtml, unit level


def _widget_notebook():
    """A small notebook with stored widget state: a VBox of HTML, an Image, a slider and a button."""
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    state = {
        "box": {
            "model_name": "VBoxModel",
            "state": {"children": ["IPY_MODEL_h", "IPY_MODEL_i", "IPY_MODEL_c", "IPY_MODEL_s", "IPY_MODEL_b"]},
        },
        "c": {"model_name": "HTMLModel", "state": {"value": "<small>The canary's <b>hump</b>.</small>"}},
        "h": {"model_name": "HTMLModel", "state": {"value": "<b>Sam's board</b><script>x()</script>"}},
        "i": {
            "model_name": "ImageModel",
            "state": {"format": "png"},
            "buffers": [{"path": ["value"], "encoding": "base64", "data": png}],
        },
        "s": {
            "model_name": "FloatLogSliderModel",
            "state": {"description": "Deploys per week", "value": 1.0, "base": 10},
        },
        "b": {"model_name": "ButtonModel", "state": {"description": "Roll back"}},
    }
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": state}}
    cell = nbformat.v4.new_code_cell("panel")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0},
                "text/plain": "VBox(...)",
            },
        ),
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0},
                "text/html": "<p>my own still copy</p>",
                "text/plain": "quiz",
            },
        ),
    ]
    nb.cells.append(cell)
    return nb, png


def test_staticize_draws_widgets_from_their_state_without_scripts():
    nb, png = _widget_notebook()
    pthtml.staticize(nb)
    assert "widgets" not in nb.metadata
    drawn, own = (o["data"] for o in nb.cells[0].outputs)
    assert "application/vnd.jupyter.widget-view+json" not in drawn
    page = drawn["text/html"]
    assert "Sam's board" in page and "<script" not in page
    assert f"data:image/png;base64,{png}" in page
    assert re.search(r'<img [^>]*alt="The canary\'s hump\."', page.replace("&#x27;", "'")), (
        "an image's caption (the HTML widget after it) is its text alternative"
    )
    assert "Deploys per week" in page and ">10<" in page.replace(" ", "")  # 10 ** 1.0
    assert re.search(rf"<span style=\"border:1px solid {style.OUTLINE};[^>]*>Roll back</span>", page), (
        "a button, outlined"
    )
    assert own == {"text/html": "<p>my own still copy</p>", "text/plain": "quiz"}


def test_to_html_fetches_no_script(tmp_path):
    nb, _ = _widget_notebook()
    page = pthtml.to_html(pthtml.staticize(nb))
    assert not re.search(r"<script[^>]+src=", page)
    assert "my own still copy" in page


def test_command_line_rejects_a_missing_folder(tmp_path, capsys):
    assert pthtml.main([str(tmp_path / "nope"), str(tmp_path / "out")]) == 1
    assert "folder" in capsys.readouterr().err


# ------------------------------------------------------------------ make html, end to end

# nbconvert writes <img alt=... src="data:image/png;base64,...">: any attribute order.
EMBEDDED_PNG = re.compile(r"<img\b[^>]*\bsrc=[\"']data:image/png;base64,[A-Za-z0-9+/]{100}")
LESSONS = [Path(p).stem for p in [COURSE.start, *(i.path for i in COURSE.lessons)]]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Run what `make html` runs, into a temporary folder; return that folder."""
    out = tmp_path_factory.mktemp("html")
    proc = subprocess.run(
        [sys.executable, "-m", "pageturn.course.statichtml", "notebooks", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"make html failed:\n{proc.stdout}\n{proc.stderr[-4000:]}"
    return out


def _page(exported, stem) -> str:
    return (exported / f"{stem}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_lesson_is_exported(exported):
    assert LESSONS, "no lessons in notebooks/"
    missing = [stem for stem in LESSONS if not (exported / f"{stem}.html").is_file()]
    assert not missing, f"no HTML for {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("stem", LESSONS)
def test_exported_lesson_reads_offline(exported, stem):
    page = _page(exported, stem)
    scripts = re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']*)", page, re.I)
    assert not scripts, f"{stem}.html loads scripts: {scripts}"
    links = re.findall(r"<link\b[^>]*\bhref\s*=\s*[\"']((?:https?:)?//[^\"']*)", page, re.I)
    assert not links, f"{stem}.html loads: {links}"
    assert "application/vnd.jupyter.widget-view+json" not in page, "a widget is left without its still copy"
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    if any(c.cell_type == "code" for c in nb.cells) and stem != "00_start":
        assert EMBEDDED_PNG.search(page), f"{stem}.html has no embedded figure"
    assert "Traceback (most recent call last)" not in page


@pytest.mark.slow
@pytest.mark.parametrize("stem", LESSONS)
def test_every_exported_figure_says_what_it_shows(exported, stem):
    images = re.findall(r"<img\b[^>]*>", _page(exported, stem))
    for tag in images:
        if "data:image/png" not in tag:
            continue
        alt = re.search(r"""\balt=(["'])(.*?)\1""", tag)
        assert alt, f"{stem}.html has a figure without a text alternative"
        text = html.unescape(alt.group(2))
        assert len(text.split()) >= 6 and text not in ("figure", "No description has been provided for this image"), (
            f"{stem}.html has a figure whose text alternative says nothing: {text!r}"
        )


def test_figure_description_takes_the_what_to_notice_sentence():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("Readers arrive by day.\n\n**What to notice:** the peak is at 3 pm."),
            nbformat.v4.new_code_cell("plot()"),
            nbformat.v4.new_markdown_cell("## Next part\n\nThe p99 of [the fleet](x.ipynb) is 776 ms. More."),
            nbformat.v4.new_code_cell("plot()"),
            nbformat.v4.new_code_cell("plot()"),
        ]
    )
    assert pthtml.figure_description(nb, 1) == "the peak is at 3 pm."
    assert pthtml.figure_description(nb, 3) == ""  # the previous text is not about this figure
    nb.cells[4:4] = [nbformat.v4.new_markdown_cell("The p99 of [the fleet](x.ipynb) is *776 ms*. More words.")]
    assert pthtml.figure_description(nb, 3) == "The p99 of the fleet is 776 ms. More words."
    png = base64.b64encode(b"\x89PNG fake").decode()
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
    pthtml.describe_figures(nb)
    assert 'alt="The peak is at 3 pm."' in nb.cells[1].outputs[0]["data"]["text/html"]
    assert "image/png" not in nb.cells[1].outputs[0]["data"]


def test_every_lesson_but_the_start_page_has_a_quiz():
    from pageturn.lessons.quiz import available_quizzes

    missing = [stem for stem in LESSONS if stem != "00_start" and stem not in available_quizzes()]
    assert not missing, f"lessons without a knowledge check: {missing}"


def _quizzed_lessons():
    from pageturn.lessons.quiz import available_quizzes

    return [stem for stem in LESSONS if stem in available_quizzes()]


@pytest.mark.slow
@pytest.mark.parametrize("stem", _quizzed_lessons())
def test_exported_quiz_shows_its_questions(exported, stem):
    from pageturn.lessons.quiz import load_quiz

    page = html.unescape(re.sub(r"<[^>]+>", " ", _page(exported, stem)))
    page = re.sub(r"\s+([,.;:?!)])", r"\1", " ".join(page.split()))  # "<b>x</b>," leaves "x ,"
    quiz = load_quiz(stem)
    for question in quiz.questions:
        stem_text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", question.stem)  # [text](url) -> text
        stem_text = " ".join(re.sub(r"[*`_]", "", stem_text).split())
        assert stem_text[:60] in page.replace("*", "").replace("`", "").replace("_", ""), (
            f"{stem}: question {question.id!r} is not shown"
        )
        for choice in question.choices:
            assert " ".join(choice.text.split()) in page, f"{stem}: choice {choice.text!r} is not shown"
    assert "Run this cell in JupyterLab" in page


@pytest.mark.slow
def test_exported_lesson1_shows_a_still_dial(exported):
    if "01_two_jobs" not in LESSONS:
        pytest.skip("Lesson 1 does not exist yet")
    page = _page(exported, "01_two_jobs")
    dial = re.search(r"""class=["']pageturn-dial["'](.*?)</div></div>""", page, re.S)
    assert dial, "no still copy of the deploy dial in 01_two_jobs.html"
    assert EMBEDDED_PNG.search(dial.group(1)), "the still dial has no picture"
    assert re.search(r"alt=[\"'][^\"']*deploys", dial.group(1)), "the dial picture has no text alternative"
    assert "Maya" in dial.group(1) and "Sam" in dial.group(1), "the still dial has no scoreboards"
