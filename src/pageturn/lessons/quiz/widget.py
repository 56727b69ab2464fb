"""Quiz as a widget: the live ipywidgets view, and its display bundle with the static copy."""

from __future__ import annotations

import html
from dataclasses import dataclass

from pageturn import checks
from pageturn.lessons.quiz.model import (
    Choice,
    Question,
    Result,
    Score,
    _as_ids,
    check_answer,
    load_quiz,
    shuffled_choices,
)
from pageturn.lessons.quiz.render import (
    CSS_CLASSES,
    STATIC_NOTE,
    _feedback_html,
    _hint,
    _markdown_html,
    quiz_html,
    quiz_markdown,
)

# --------------------------------------------------------------------------- widget


@dataclass
class QuestionView:
    """The widgets of one question, with a small API to drive them from Python
    (tests, demos): :meth:`select`, :meth:`check`, :attr:`feedback_html`."""

    question: Question
    choices: tuple[Choice, ...]  # in the order shown
    block: object  # ipywidgets.VBox
    stem: object  # ipywidgets.HTML
    inputs: object  # ipywidgets.RadioButtons, or a tuple of Checkbox
    button: object  # ipywidgets.Button
    feedback: object  # ipywidgets.HTML
    last_result: Result | None = None

    @property
    def selected(self) -> list[str]:
        """Ids of the selected choices, in the order shown."""
        if self.question.many:
            return [c.id for c, box in zip(self.choices, self.inputs) if box.value]
        return [] if self.inputs.value is None else [self.inputs.value]

    def select(self, ids) -> None:
        """Select these choice ids (one id or a list), as a learner would by clicking.

        Raises:
            ValueError: naming ``ids`` if an id is not a choice of this question, or
                if more than one id is given for a one-answer question.
        """
        wanted = _as_ids("ids", ids, self.question)
        if self.question.many:
            for choice, box in zip(self.choices, self.inputs):
                box.value = choice.id in wanted
        else:
            if len(set(wanted)) > 1:
                raise ValueError(
                    f"ids must be at most one choice id for question "
                    f"{self.question.id!r} (it has one right answer); got {ids!r}"
                )
            self.inputs.value = wanted[0] if wanted else None

    def check(self) -> Result | None:
        """Press this question's Check button; return the result it showed."""
        self.button.click()
        return self.last_result

    @property
    def feedback_html(self) -> str:
        """The HTML currently shown in the feedback area ("" before any check)."""
        return self.feedback.value


class QuizWidget:
    """The interactive quiz: one block per question (stem, radio buttons or checkboxes
    with the choices shuffled by ``seed``, a Check button, a feedback area) and a
    running score at the bottom.

    Built like the course's other widgets (the deploy dial, the admin panel): the
    constructor builds every ipywidget once, ``widget`` is the whole quiz (an
    ``ipywidgets.VBox``), and the object displays itself (:meth:`mimebundle`) when it
    is the last line of a cell. It also carries ``quiz`` (the :class:`Quiz`),
    ``questions`` (one :class:`QuestionView` each), ``score`` (the :class:`Score`)
    and ``seed``.

    ``quiz`` is a :class:`Quiz`, a quiz name or a path (see :func:`load_quiz`).

    Raises:
        ValueError: as :func:`load_quiz` and :func:`shuffled_choices`.
    """

    def __init__(self, quiz, seed: int = 0):
        import ipywidgets as widgets

        quiz = load_quiz(quiz)
        seed = checks.number("seed", seed, integer=True)
        wide = widgets.Layout(width="auto")
        score = Score(total=len(quiz.questions))
        score_label = widgets.HTML(value=html.escape(str(score)), layout=widgets.Layout(width="auto"))
        score_label.add_class(CSS_CLASSES["score"])
        title = widgets.HTML(value=f"<h3>{html.escape(quiz.title)}</h3>")
        title.add_class(CSS_CLASSES["title"])

        views = []
        for number, question in enumerate(quiz.questions, start=1):
            order = shuffled_choices(question, seed)
            stem = widgets.HTML(
                value=(
                    f"<p><strong>Question {number} of {len(quiz.questions)}.</strong> "
                    f"<em>{_hint(question)}</em></p>{_markdown_html(question.stem)}"
                ),
                layout=widgets.Layout(width="auto"),
            )
            stem.add_class(CSS_CLASSES["stem"])
            if question.many:
                boxes = []
                for choice in order:
                    box = widgets.Checkbox(
                        value=False,
                        description=choice.text,
                        description_allow_html=False,
                        indent=False,
                        tooltip=choice.text,
                        layout=wide,
                        style={"description_width": "initial"},
                    )
                    box.add_class(CSS_CLASSES["choice"])
                    boxes.append(box)
                inputs = tuple(boxes)
                holder = widgets.VBox(list(boxes), layout=widgets.Layout(width="auto"))
                holder.add_class(CSS_CLASSES["choices"])
            else:
                inputs = widgets.RadioButtons(
                    options=[(choice.text, choice.id) for choice in order],
                    value=None,
                    description="Your answer:",
                    description_allow_html=False,
                    tooltip=f"Question {number}: choose one answer",
                    layout=wide,
                    style={"description_width": "initial"},
                )
                inputs.add_class(CSS_CLASSES["choices"])
                holder = inputs
            button = widgets.Button(
                description="Check",
                tooltip=f"Check your answer to question {number}",
                icon="check",
                layout=widgets.Layout(width="auto", align_self="flex-start"),
            )
            button.add_class(CSS_CLASSES["check"])
            feedback = widgets.HTML(value="", layout=widgets.Layout(width="auto"))
            feedback.add_class(CSS_CLASSES["feedback"])
            block = widgets.VBox([stem, holder, button, feedback], layout=widgets.Layout(width="auto"))
            block.add_class(CSS_CLASSES["question"])
            block.add_class(f"{CSS_CLASSES['question']}-{question.id}")
            view = QuestionView(
                question=question,
                choices=order,
                block=block,
                stem=stem,
                inputs=inputs,
                button=button,
                feedback=feedback,
            )

            def on_check(_button, view=view):
                result = check_answer(view.question, view.selected)
                view.last_result = result
                score.record(result)
                view.feedback.value = _feedback_html(result, view.choices)
                score_label.value = html.escape(str(score))

            def on_change(_change, view=view):
                # Feedback describes the answer that was checked; clear it once that changes.
                view.feedback.value = ""

            button.on_click(on_check)
            for widget in inputs if question.many else (inputs,):
                widget.observe(on_change, names="value")
            views.append(view)

        box = widgets.VBox([title, *[v.block for v in views], score_label], layout=widgets.Layout(width="auto"))
        box.add_class(CSS_CLASSES["quiz"])
        self.quiz, self.questions, self.score, self.seed = quiz, views, score, seed
        self.widget = box

    def mimebundle(self, seed: int | None = None) -> dict:
        """The display bundle: the live widget view plus ``text/markdown``, ``text/html``
        (no scripts) and ``text/plain`` static copies, the choices in the order of
        ``seed`` (default: the quiz's own).

        JupyterLab with a kernel ranks the widget view first and shows the live quiz;
        renderers that have no widget state (GitHub, nbviewer, ``nbconvert --to html``)
        skip it and show the static copy, which names every question and choice but
        no answer or feedback.
        """
        order_seed = self.seed if seed is None else seed
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/markdown"] = quiz_markdown(self.quiz, order_seed)
        bundle["text/html"] = quiz_html(self.quiz, order_seed)
        bundle["text/plain"] = f"{self.quiz.title}: {len(self.quiz.questions)} questions. {STATIC_NOTE}"
        return bundle

    def _ipython_display_(self):
        from IPython.display import display

        display(self.mimebundle(), raw=True)


def quiz_widget(quiz, seed: int = 0) -> QuizWidget:
    """Build the interactive quiz (a :class:`QuizWidget`; its ``.widget`` is the ipywidgets box).

    A wrong answer can be changed and checked again as often as the learner likes.
    ``quiz`` is a :class:`Quiz`, a quiz name or a path (see :func:`load_quiz`).

    Raises:
        ValueError: as :func:`load_quiz` and :func:`shuffled_choices`.
    """
    return QuizWidget(quiz, seed)


def quiz_mimebundle(box, seed: int | None = None) -> dict:
    """The display bundle of a quiz ``box`` (from :func:`quiz_widget`): see :meth:`QuizWidget.mimebundle`.

    Raises:
        ValueError: if ``box`` was not made by :func:`quiz_widget`.
    """
    if not isinstance(box, QuizWidget):
        raise ValueError(f"box must be a quiz widget made by quiz_widget(); got {box!r:.80}")
    return box.mimebundle(seed)


def show_quiz(name, seed: int = 0) -> None:
    """Display a quiz in the notebook: the live widget where a kernel runs it, and a
    static copy of the questions for places without one (see
    :func:`quiz_mimebundle`). Returns ``None`` so the quiz is not shown twice; use
    :func:`quiz_widget` to keep a handle on the widget.

    ``name`` is a quiz name, a path or a :class:`Quiz`; ``seed`` picks the order of
    the choices (a whole number).

    Raises:
        ValueError: as :func:`load_quiz` and :func:`shuffled_choices`.
    """
    QuizWidget(name, seed)._ipython_display_()
