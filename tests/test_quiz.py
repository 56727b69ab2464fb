"""Tests for pageturn.lessons.quiz: loading and checking quiz files, the answer logic,
the ipywidgets quiz (driven through real widget objects) and the static copy."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import ipywidgets as widgets
import pytest

import pageturn
from pageturn.lessons import quiz as qz
from pageturn.lessons.quiz import (
    Choice,
    Question,
    Quiz,
    QuizError,
    Score,
    check_answer,
    load_quiz,
    quiz_html,
    quiz_markdown,
    quiz_mimebundle,
    quiz_widget,
    show_quiz,
    shuffled_choices,
)

QUIZ_DIR = Path(pageturn.__file__).parent / "lessons" / "quizzes"
FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
SHIPPED = sorted(QUIZ_DIR.glob("*.toml"))

# The three questions of the source material's knowledge check, by id.
SOURCE_QUESTIONS = ["why-they-pull-apart", "what-ops-does", "release-disagreement"]


def make_question(qid="q", answers=("a",), n=4):
    choices = tuple(
        Choice(id=c, text=f"Choice {c} of {qid}", feedback=f"Feedback {c} of {qid}") for c in "abcdefgh"[:n]
    )
    return Question(id=qid, stem=f"Stem of {qid}?", choices=choices, answers=frozenset(answers))


@pytest.fixture
def small_quiz():
    return Quiz(
        title="Small quiz",
        questions=(make_question("one", ("b",)), make_question("many", ("a", "c"), n=5)),
        source="<test>",
    )


def plain_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# --------------------------------------------------------------------------- loading


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_quiz_loads_and_renders(path):
    quiz = load_quiz(path)
    assert quiz.questions
    assert load_quiz(path.stem) == quiz  # also loadable by name
    assert quiz_widget(quiz).questions  # and buildable as a widget
    assert quiz.title in quiz_markdown(quiz)


def test_available_quizzes_lists_the_shipped_files():
    assert qz.available_quizzes() == sorted(p.stem for p in SHIPPED)
    assert "01_two_jobs" in qz.available_quizzes()


def test_two_jobs_quiz_holds_the_source_questions():
    quiz = load_quiz("01_two_jobs")
    ids = [q.id for q in quiz.questions]
    assert ids[:3] == SOURCE_QUESTIONS
    for qid in SOURCE_QUESTIONS:
        question = quiz.question(qid)
        assert len(question.answers) == 1
        assert len(question.choices) - len(question.answers) >= 3


def test_two_jobs_quiz_has_own_questions_and_a_many_answer_one():
    quiz = load_quiz("01_two_jobs")
    assert len(quiz.questions) >= 3 + 4
    assert any(q.many for q in quiz.questions)


# Each bad fixture, with the question (and choice) its error must name.
BAD = {
    "no_answer": ("q-no-answer", None, "no right answer"),
    "answer_not_a_choice": ("q-bad-answer", None, "'c' is not one of the choices"),
    "duplicate_choice_id": ("q-dup-choice-id", "a", "duplicate choice id"),
    "duplicate_choice_text": ("q-dup-choice-text", "b", "duplicate choice text"),
    "missing_feedback": ("q-no-feedback", "b", "feedback is missing or empty"),
    "empty_feedback": ("q-empty-feedback", "a", "feedback is missing or empty"),
    "missing_stem": ("q-no-stem", None, "stem is missing or empty"),
    "missing_text": ("q-no-text", "b", "text is missing or empty"),
    "duplicate_question_id": ("fine", None, "duplicate question id"),
    "unknown_question_key": ("q-unknown-key", None, "unknown key 'answer'"),
    "unknown_choice_key": ("q-unknown-choice-key", "a", "unknown key 'feedbak'"),
    "one_choice": ("q-one-choice", None, "at least 2"),
    "all_right": ("q-all-right", None, "at least one wrong choice"),
    "syntax_error": ("q-syntax", None, "line 22"),
}


def test_every_bad_fixture_is_listed():
    assert sorted(p.stem for p in FIXTURES.glob("*.toml")) == sorted(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_quiz_is_rejected_naming_file_and_question(name):
    question, choice, problem = BAD[name]
    path = FIXTURES / f"{name}.toml"
    with pytest.raises(QuizError) as caught:
        load_quiz(path)
    message = str(caught.value)
    assert f"{name}.toml" in message
    assert f"question {question!r}" in message
    if choice is not None:
        assert f"choice {choice!r}" in message
    assert problem in message
    assert isinstance(caught.value, ValueError)
    assert caught.value.question == question


def test_unknown_top_level_key_is_rejected(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text((FIXTURES / "no_answer.toml").read_text().replace("title =", "titel =", 1))
    with pytest.raises(QuizError, match=r"typo\.toml.*unknown key 'titel'"):
        load_quiz(path)


def test_unknown_quiz_name_lists_the_available_ones():
    with pytest.raises(ValueError) as caught:
        load_quiz("99_no_such_lesson")
    assert "99_no_such_lesson" in str(caught.value)
    assert "01_two_jobs" in str(caught.value)
    with pytest.raises(ValueError, match="does not exist"):
        load_quiz(FIXTURES / "no_such_file.toml")


# --------------------------------------------------------------------------- logic


def test_right_answer():
    question = make_question(answers=("b",))
    result = check_answer(question, "b")
    assert result.answered and result.correct
    assert [(f.choice.id, f.right, f.label) for f in result.feedback] == [("b", True, "Right:")]


def test_wrong_answer_gives_feedback_for_the_chosen_choice_only():
    question = make_question(answers=("b",))
    result = check_answer(question, ["d"])
    assert result.answered and not result.correct
    assert [(f.choice.id, f.right, f.label) for f in result.feedback] == [("d", False, "Not quite:")]
    assert "Not quite" in result.summary


def test_nothing_selected_is_not_an_attempt():
    question = make_question()
    result = check_answer(question, [])
    assert not result.answered and not result.correct and result.feedback == ()
    score = Score(total=1)
    score.record(result)
    assert score.attempts == {} and score.right == 0


def test_unknown_choice_id_is_a_value_error():
    with pytest.raises(ValueError, match=r"selected_ids.*'z'"):
        check_answer(make_question(), ["a", "z"])


def test_many_answer_partial_says_how_many_are_missing_not_which():
    question = make_question(answers=("a", "c", "e"), n=6)
    result = check_answer(question, ["a", "b"])
    assert not result.correct
    assert (result.found, result.missing) == (1, 2)
    assert "1 of the 3" in result.summary
    for hidden in ("c", "e"):
        choice = question.choice(hidden)
        assert choice.text not in result.summary
        assert choice.id not in [f.choice.id for f in result.feedback]
    assert {f.choice.id: f.right for f in result.feedback} == {"a": True, "b": False}


def test_many_answer_needs_all_right_and_no_wrong():
    question = make_question(answers=("a", "c"), n=5)
    assert check_answer(question, ["c", "a"]).correct
    assert not check_answer(question, ["a"]).correct
    assert not check_answer(question, ["a", "c", "d"]).correct


def test_score_counts_first_try_and_eventually():
    one, two = make_question("one", ("a",)), make_question("two", ("b",))
    score = Score(total=2)
    score.record(check_answer(one, "a"))  # right first time
    score.record(check_answer(two, "a"))  # wrong
    assert (score.right, score.first_try) == (1, 1)
    score.record(check_answer(two, "b"))  # right on the second try
    assert (score.right, score.first_try) == (2, 1)
    assert str(score).startswith("Score: 2 / 2 right")


def test_shuffle_is_stable_for_a_seed_and_moves_with_the_seed():
    question = make_question(answers=("a",), n=4)
    orders = {seed: [c.id for c in shuffled_choices(question, seed)] for seed in range(20)}
    for seed, order in orders.items():
        assert [c.id for c in shuffled_choices(question, seed)] == order
        assert sorted(order) == ["a", "b", "c", "d"]
    assert len({tuple(order) for order in orders.values()}) > 1
    positions = {order.index("a") for order in orders.values()}
    assert len(positions) > 1  # the right answer is not always in the same place
    assert positions != {0}


def test_shuffle_of_a_question_ignores_the_other_questions():
    question = make_question("steady", n=5)
    alone = Quiz(title="t", questions=(question,))
    crowded = Quiz(title="t", questions=(make_question("new"), make_question("other"), question))
    for seed in range(5):
        first = shuffled_choices(alone.question("steady"), seed)
        assert shuffled_choices(crowded.question("steady"), seed) == first


def test_shuffle_rejects_a_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        shuffled_choices(make_question(), 1.5)
    with pytest.raises(ValueError, match="seed"):
        quiz_widget(Quiz(title="t", questions=(make_question(),)), seed="x")


# --------------------------------------------------------------------------- widget


def test_widget_structure_and_css_classes(small_quiz):
    box = quiz_widget(small_quiz, seed=3)
    assert isinstance(box.widget, widgets.VBox)
    assert "pageturn-quiz" in box.widget._dom_classes
    one, many = box.questions
    assert "pageturn-quiz-question" in one.block._dom_classes
    assert "pageturn-quiz-question-one" in one.block._dom_classes
    assert isinstance(one.inputs, widgets.RadioButtons)
    assert "pageturn-quiz-choices" in one.inputs._dom_classes
    assert one.inputs.value is None  # nothing preselected
    assert [label for label, _ in one.inputs.options] == [c.text for c in shuffled_choices(one.question, 3)]
    assert all(isinstance(b, widgets.Checkbox) for b in many.inputs)
    assert [b.description for b in many.inputs] == [c.text for c in shuffled_choices(many.question, 3)]
    assert all("pageturn-quiz-choice" in b._dom_classes for b in many.inputs)
    for view in box.questions:
        assert "pageturn-quiz-check" in view.button._dom_classes
        assert "pageturn-quiz-feedback" in view.feedback._dom_classes
        assert view.block.children[0] is view.stem and "pageturn-quiz-stem" in view.stem._dom_classes
    assert "pageturn-quiz-score" in box.widget.children[-1]._dom_classes
    assert box.widget.children[-1].value.startswith("Score: 0 / 2 right")


def test_widget_is_labelled_for_screen_readers(small_quiz):
    box = quiz_widget(small_quiz)
    one, many = box.questions
    assert one.inputs.description and one.inputs.description_allow_html is False
    assert one.inputs.style.description_width == "initial"
    for checkbox, choice in zip(many.inputs, many.choices):
        assert checkbox.description == choice.text
        assert checkbox.description_allow_html is False
        assert checkbox.style.description_width == "initial"
    for view in box.questions:
        assert view.button.description == "Check" and view.button.tooltip
        assert not view.button.disabled


def test_widget_wrong_then_right_through_real_widgets(small_quiz):
    box = quiz_widget(small_quiz)
    view = box.questions[0]
    radio, score_label = view.inputs, box.widget.children[-1]
    radio.value = "a"  # wrong (the right one is "b")
    view.button.click()
    assert "Not quite:" in view.feedback.value
    assert "Feedback a of one" in view.feedback.value
    assert "Feedback b of one" not in view.feedback.value
    assert score_label.value.startswith("Score: 0 / 2 right")
    assert not radio.disabled and not view.button.disabled  # another try is allowed
    radio.value = "b"
    assert view.feedback.value == ""  # old feedback cleared once the answer changes
    view.button.click()
    assert "Right:" in view.feedback.value and "Feedback b of one" in view.feedback.value
    assert score_label.value.startswith("Score: 1 / 2 right")
    assert (box.score.right, box.score.first_try) == (1, 0)


def test_widget_right_first_time_scores_and_wrong_does_not(small_quiz):
    box = quiz_widget(small_quiz, seed=7)
    one, many = box.questions
    one.select("b")
    assert one.check().correct
    assert (box.score.right, box.score.first_try) == (1, 1)
    for checkbox, choice in zip(many.inputs, many.choices):
        checkbox.value = choice.id in ("a", "d")  # one right, one wrong
    many.button.click()
    assert "Not quite:" in many.feedback_html and "Right:" in many.feedback_html
    assert "1 of the 2" in many.feedback_html
    assert "Feedback c of many" not in many.feedback_html  # the missing one stays hidden
    assert box.score.right == 1
    many.select(["a", "c"])
    assert many.check().correct
    assert (box.score.right, box.score.first_try) == (2, 1)
    assert box.widget.children[-1].value.startswith("Score: 2 / 2 right")


def test_check_with_nothing_selected_asks_for_an_answer(small_quiz):
    box = quiz_widget(small_quiz)
    view = box.questions[0]
    view.check()
    assert "Pick an answer first" in view.feedback_html
    assert box.score.attempts == {}


def test_select_rejects_bad_ids(small_quiz):
    view = quiz_widget(small_quiz).questions[0]
    with pytest.raises(ValueError, match="ids"):
        view.select(["a", "b"])  # one-answer question
    with pytest.raises(ValueError, match="'z'"):
        view.select("z")


def test_markup_in_quiz_text_is_escaped():
    question = replace(make_question(), stem="Is `<b>` **bold**? <script>alert(1)</script>")
    quiz = Quiz(title="<i>t</i>", questions=(question,))
    stem_html = quiz_widget(quiz).questions[0].stem.value
    assert "<script>" not in stem_html and "&lt;script&gt;" in stem_html
    assert "<code>&lt;b&gt;</code>" in stem_html and "<strong>bold</strong>" in stem_html
    assert "<script>" not in quiz_html(quiz) and "<i>t</i>" not in quiz_html(quiz)


# --------------------------------------------------------------------------- static copy


def test_static_copy_has_every_question_and_choice_but_no_feedback():
    quiz = load_quiz("01_two_jobs")
    markdown, page = quiz_markdown(quiz), quiz_html(quiz)
    text = plain_text(page)
    assert qz.STATIC_NOTE in markdown and qz.STATIC_NOTE in text
    assert "<script" not in page.lower()
    for question in quiz.questions:
        assert question.stem in markdown
        assert question.stem.replace("**", "") in text
        for choice in question.choices:
            assert f"{choice.text}\n" in markdown + "\n"
            assert choice.text in text
            assert choice.feedback not in markdown and choice.feedback not in text


def test_static_copy_follows_the_widget_order():
    quiz = load_quiz("01_two_jobs")
    markdown = quiz_markdown(quiz, seed=5)
    shown = [c.text for c in quiz_widget(quiz, seed=5).questions[0].choices]
    positions = [markdown.index(text) for text in shown]
    assert positions == sorted(positions)


def test_mimebundle_has_the_live_widget_and_the_static_copy(small_quiz):
    box = quiz_widget(small_quiz)
    bundle = quiz_mimebundle(box)
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == box.widget.model_id
    assert bundle["text/markdown"] == quiz_markdown(small_quiz)
    assert bundle["text/html"] == quiz_html(small_quiz)
    assert qz.STATIC_NOTE in bundle["text/plain"]
    with pytest.raises(ValueError, match="box"):
        quiz_mimebundle(widgets.VBox())


def test_show_quiz_displays_the_bundle_raw(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    assert show_quiz("01_two_jobs", seed=2) is None
    ((args, kwargs),) = shown
    assert kwargs == {"raw": True}
    bundle = args[0]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/markdown"] == quiz_markdown("01_two_jobs", seed=2)


def test_nbconvert_without_widget_state_falls_back_to_the_static_copy():
    """An exported notebook (no widget state saved) shows the questions, not a
    broken widget: nbconvert skips the widget view and takes text/html."""
    nbformat = pytest.importorskip("nbformat")
    exporters = pytest.importorskip("nbconvert.exporters")
    bundle = quiz_mimebundle(quiz_widget("01_two_jobs"))
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "show_quiz('01_two_jobs')", outputs=[nbformat.v4.new_output("display_data", data=bundle)]
            )
        ]
    )
    body, _ = exporters.HTMLExporter(template_name="basic").from_notebook_node(nb)
    assert 'class="pageturn-quiz-static"' in body
    assert html.escape(qz.STATIC_NOTE) in body or qz.STATIC_NOTE in body


def test_feedback_follows_the_order_on_screen(small_quiz):
    for seed in range(6):
        view = quiz_widget(small_quiz, seed=seed).questions[1]
        view.select([c.id for c in view.choices])  # everything ticked
        view.check()
        shown = [f"Feedback {c.id} of many" for c in view.choices]
        positions = [view.feedback_html.index(text) for text in shown]
        assert positions == sorted(positions)
