"""Knowledge checks: load a lesson's quiz file, check answers, show it as a widget.

Each lesson ends with a short quiz stored as data in
``src/pageturn/lessons/quizzes/<name>.toml``::

    title = "Knowledge check: ..."
    [[questions]]
    id = "short-slug"
    stem = "Question text (markdown allowed)"
    answers = ["a"]            # ids of the right choices; more than one => checkboxes
      [[questions.choices]]
      id = "a"
      text = "Choice text (plain text)"
      feedback = "Why this choice is right, or why it is wrong"

The package has three layers, so that most of it can be tested without a kernel:

* data (``quiz.model``): :func:`load_quiz` reads and validates a file into :class:`Quiz`,
  :class:`Question` and :class:`Choice` (plain dataclasses);
* logic (``quiz.model``): :func:`check_answer`, :func:`shuffled_choices` and :class:`Score`;
* views (``quiz.widget``, ``quiz.render``): :func:`quiz_widget` (a :class:`QuizWidget`,
  whose ``.widget`` is the ipywidgets ``VBox``), :func:`show_quiz` (the
  widget plus a static copy for places without a kernel) and
  :func:`quiz_markdown` (the static copy alone).

In a notebook::

    from pageturn.lessons.quiz import show_quiz
    show_quiz("01_two_jobs")
"""

from pageturn.lessons.quiz.model import (
    Choice,
    ChoiceFeedback,
    Question,
    Quiz,
    QuizError,
    Result,
    Score,
    available_quizzes,
    check_answer,
    load_quiz,
    shuffled_choices,
)
from pageturn.lessons.quiz.render import CSS_CLASSES, STATIC_NOTE, quiz_html, quiz_markdown
from pageturn.lessons.quiz.widget import QuestionView, QuizWidget, quiz_mimebundle, quiz_widget, show_quiz

__all__ = [
    "Choice",
    "Question",
    "Quiz",
    "QuizError",
    "Result",
    "ChoiceFeedback",
    "Score",
    "available_quizzes",
    "load_quiz",
    "check_answer",
    "shuffled_choices",
    "quiz_widget",
    "quiz_mimebundle",
    "show_quiz",
    "quiz_markdown",
    "quiz_html",
    "QuestionView",
    "QuizWidget",
    "STATIC_NOTE",
    "CSS_CLASSES",
]
