"""Knowledge checks: load a lesson's quiz file, check answers, show it as a widget.

Each lesson ends with a short quiz stored as data in
``src/pageturn/quizzes/<name>.toml``::

    title = "Knowledge check: ..."
    [[questions]]
    id = "short-slug"
    stem = "Question text (markdown allowed)"
    answers = ["a"]            # ids of the right choices; more than one => checkboxes
      [[questions.choices]]
      id = "a"
      text = "Choice text (plain text)"
      feedback = "Why this choice is right, or why it is wrong"

The module has three layers, so that most of it can be tested without a kernel:

* data: :func:`load_quiz` reads and validates a file into :class:`Quiz`,
  :class:`Question` and :class:`Choice` (plain dataclasses);
* logic: :func:`check_answer`, :func:`shuffled_choices` and :class:`Score`;
* views: :func:`quiz_widget` (an ipywidgets ``VBox``), :func:`show_quiz` (the
  widget plus a static copy for places without a kernel) and
  :func:`quiz_markdown` (the static copy alone).

In a notebook::

    from pageturn.quiz import show_quiz
    show_quiz("01_two_jobs")
"""

from __future__ import annotations

import difflib
import html
import importlib.resources
import os
import random
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pageturn import checks

__all__ = [
    "Choice", "Question", "Quiz", "QuizError", "Result", "ChoiceFeedback", "Score",
    "available_quizzes", "load_quiz", "check_answer", "shuffled_choices",
    "quiz_widget", "quiz_mimebundle", "show_quiz", "quiz_markdown", "quiz_html",
    "STATIC_NOTE", "CSS_CLASSES",
]

#: Sentence shown wherever the quiz cannot run (GitHub, nbviewer, HTML exports).
STATIC_NOTE = "Run this cell in JupyterLab to check your answers."

#: CSS classes put on the widgets, for styling and for browser tests.
CSS_CLASSES = {
    "quiz": "pageturn-quiz",                 # the outer VBox
    "title": "pageturn-quiz-title",          # HTML: the quiz title
    "question": "pageturn-quiz-question",    # VBox: one block per question
    "stem": "pageturn-quiz-stem",            # HTML: the question text
    "choices": "pageturn-quiz-choices",      # RadioButtons, or the VBox of Checkboxes
    "choice": "pageturn-quiz-choice",        # each Checkbox (many-answer questions)
    "check": "pageturn-quiz-check",          # Button "Check"
    "feedback": "pageturn-quiz-feedback",    # HTML: feedback after Check
    "score": "pageturn-quiz-score",          # HTML: "Score: 2 / 6 right"
    "static": "pageturn-quiz-static",        # the static HTML copy (no kernel)
}

_TOP_KEYS = ("title", "questions")
_QUESTION_KEYS = ("id", "stem", "answers", "choices")
_CHOICE_KEYS = ("id", "text", "feedback")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Choice:
    """One choice of a question: its ``id``, the ``text`` shown, and the ``feedback``
    shown once a learner has picked it and pressed Check."""

    id: str
    text: str
    feedback: str


@dataclass(frozen=True)
class Question:
    """One question: ``stem`` (markdown), ``choices`` in file order, and ``answers``,
    the ids of the right choices (more than one: a many-answer question)."""

    id: str
    stem: str
    choices: tuple[Choice, ...]
    answers: frozenset[str]

    @property
    def many(self) -> bool:
        """True when more than one choice is right (shown as checkboxes)."""
        return len(self.answers) > 1

    def choice(self, choice_id: str) -> Choice:
        """Return the choice with this id.

        Raises:
            ValueError: if the question has no such choice.
        """
        for item in self.choices:
            if item.id == choice_id:
                return item
        checks.choice("choice_id", choice_id, [c.id for c in self.choices])
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Quiz:
    """A quiz: a ``title``, its ``questions`` in file order, and ``source``, the file
    it was read from (used in error messages)."""

    title: str
    questions: tuple[Question, ...]
    source: str = ""

    def question(self, question_id: str) -> Question:
        """Return the question with this id.

        Raises:
            ValueError: if the quiz has no such question.
        """
        for item in self.questions:
            if item.id == question_id:
                return item
        checks.choice("question_id", question_id, [q.id for q in self.questions])
        raise AssertionError("unreachable")  # pragma: no cover


class QuizError(ValueError):
    """A quiz file that cannot be used. The message names the file, the line (for
    TOML syntax errors), the question id and the choice id where they are known;
    the same facts are kept as attributes."""

    def __init__(self, path, problem: str, *, question: str | None = None,
                 choice: str | None = None, line: int | None = None):
        self.path = str(path)
        self.problem = problem
        self.question = question
        self.choice = choice
        self.line = line
        where = [self.path if line is None else f"{self.path}, line {line}"]
        if question is not None:
            where.append(f"question {question!r}")
        if choice is not None:
            where.append(f"choice {choice!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


# --------------------------------------------------------------------------- loading


def _quiz_folder():
    return importlib.resources.files("pageturn").joinpath("quizzes")


def available_quizzes() -> list[str]:
    """Return the names of the quizzes shipped with the course, sorted
    (file names in ``pageturn/quizzes/`` without ``.toml``)."""
    folder = _quiz_folder()
    if not folder.is_dir():
        return []
    return sorted(item.name[:-len(".toml")] for item in folder.iterdir()
                  if item.name.endswith(".toml") and item.is_file())


def load_quiz(name_or_path) -> Quiz:
    """Read and check a quiz.

    ``name_or_path`` is either the name of a shipped quiz (``"01_two_jobs"``, see
    :func:`available_quizzes`) or the path of a ``.toml`` file (a ``str`` ending in
    ``.toml`` or containing a path separator, or an ``os.PathLike``).

    Raises:
        ValueError: if ``name_or_path`` is neither a known quiz name nor a path to
            an existing file; the message lists the available quizzes.
        QuizError: (a ``ValueError``) if the file is not valid TOML or breaks the
            quiz format: no right answer, an answer that is not a choice, two
            choices with the same id or text, fewer than 2 choices, every choice
            right, a missing or empty stem, text or feedback, two questions with
            the same id, unknown keys, or values of the wrong type. The message
            names the file, the question and the choice.
    """
    if isinstance(name_or_path, Quiz):
        return name_or_path
    if isinstance(name_or_path, os.PathLike) or (
            isinstance(name_or_path, str)
            and (name_or_path.endswith(".toml") or "/" in name_or_path or os.sep in name_or_path)):
        path = Path(name_or_path)
        if not path.is_file():
            raise ValueError(f"name_or_path must be a quiz name or an existing .toml file; "
                             f"got {str(name_or_path)!r}, which does not exist "
                             f"(available quizzes: {', '.join(available_quizzes()) or 'none'})")
        return _parse(path.read_bytes(), str(path))
    if not isinstance(name_or_path, str):
        raise ValueError(f"name_or_path must be a quiz name (str) or a path; "
                         f"got {name_or_path!r} ({type(name_or_path).__name__})")
    names = available_quizzes()
    if name_or_path not in names:
        raise ValueError(f"name_or_path must be one of the available quizzes: "
                         f"{', '.join(map(repr, names)) or 'none'}; got {name_or_path!r}")
    resource = _quiz_folder().joinpath(f"{name_or_path}.toml")
    return _parse(resource.read_bytes(), str(resource))


def _parse(raw: bytes, source: str) -> Quiz:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QuizError(source, f"not UTF-8 text ({error})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"line (\d+)", message)
        line = int(found.group(1)) if found else None
        near = _question_before(text, line) if line else None  # the question the line is in
        raise QuizError(source, f"TOML syntax error: {message}", question=near, line=line) from None

    _check_keys(data, _TOP_KEYS, source)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise QuizError(source, "needs a non-empty title = \"...\" at the top")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise QuizError(source, "needs at least one [[questions]] table")

    questions, seen = [], set()
    for number, item in enumerate(raw_questions, start=1):
        question = _parse_question(item, number, source)
        if question.id in seen:
            raise QuizError(source, f"duplicate question id (question number {number} "
                                    "reuses an id already used above)", question=question.id)
        seen.add(question.id)
        questions.append(question)
    return Quiz(title=title.strip(), questions=tuple(questions), source=source)


def _parse_question(item, number: int, source: str) -> Question:
    label = f"number {number}"
    if not isinstance(item, dict):
        raise QuizError(source, "each entry of questions must be a [[questions]] table",
                        question=label)
    qid = item.get("id")
    if not isinstance(qid, str) or not _ID_PATTERN.match(qid):
        raise QuizError(source, f"needs id = \"short-slug\" (letters, digits, '-' or '_'); "
                                f"got {qid!r}", question=label)
    _check_keys(item, _QUESTION_KEYS, source, question=qid)
    stem = item.get("stem")
    if not isinstance(stem, str) or not stem.strip():
        raise QuizError(source, "stem is missing or empty (the question text)", question=qid)

    raw_choices = item.get("choices")
    if not isinstance(raw_choices, list) or not all(isinstance(c, dict) for c in raw_choices):
        raise QuizError(source, "needs [[questions.choices]] tables", question=qid)
    if len(raw_choices) < 2:
        raise QuizError(source, f"has {len(raw_choices)} choice(s); a question needs at least 2",
                        question=qid)
    choices, ids, texts = [], set(), {}
    for position, raw in enumerate(raw_choices, start=1):
        cid = raw.get("id")
        if not isinstance(cid, str) or not _ID_PATTERN.match(cid):
            raise QuizError(source, f"choice number {position} needs id = \"a\" "
                                    f"(letters, digits, '-' or '_'); got {cid!r}", question=qid)
        _check_keys(raw, _CHOICE_KEYS, source, question=qid, choice=cid)
        if cid in ids:
            raise QuizError(source, "duplicate choice id", question=qid, choice=cid)
        ids.add(cid)
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            raise QuizError(source, "text is missing or empty", question=qid, choice=cid)
        same = " ".join(text.split()).casefold()
        if same in texts:
            raise QuizError(source, f"duplicate choice text (same as choice {texts[same]!r})",
                            question=qid, choice=cid)
        texts[same] = cid
        feedback = raw.get("feedback")
        if not isinstance(feedback, str) or not feedback.strip():
            raise QuizError(source, "feedback is missing or empty (every choice needs one: "
                                    "why it is right, or why it is wrong)",
                            question=qid, choice=cid)
        choices.append(Choice(id=cid, text=text.strip(), feedback=feedback.strip()))

    answers = item.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise QuizError(source, f"answers must be a list of choice ids, like [\"a\"]; got {answers!r}",
                        question=qid)
    if not answers:
        raise QuizError(source, "no right answer: answers is empty", question=qid)
    if len(set(answers)) != len(answers):
        raise QuizError(source, f"answers lists the same id twice: {answers!r}", question=qid)
    for answer in answers:
        if answer not in ids:
            raise QuizError(source, f"answer {answer!r} is not one of the choices "
                                    f"({', '.join(map(repr, sorted(ids)))})", question=qid)
    if len(answers) == len(choices):
        raise QuizError(source, "every choice is right; a question needs at least one wrong choice",
                        question=qid)
    return Question(id=qid, stem=stem.strip(), choices=tuple(choices), answers=frozenset(answers))


def _check_keys(table: dict, allowed, source, *, question=None, choice=None):
    for key in table:
        if key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1)
            problem = (f"unknown key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                       + f"; allowed keys here: {', '.join(allowed)}")
            raise QuizError(source, problem, question=question, choice=choice)


def _question_before(text: str, line: int) -> str | None:
    """Id of the last question that starts at or before ``line`` (1-based)."""
    current, in_question = None, False
    for number, row in enumerate(text.splitlines(), start=1):
        stripped = row.strip()
        if stripped.startswith("[[questions]]"):
            in_question = True
        elif stripped.startswith("[["):
            in_question = False
        elif in_question:
            found = re.match(r"""id\s*=\s*["']([^"']+)["']""", stripped)
            if found:
                current = found.group(1)
        if number >= line:
            break
    return current


# --------------------------------------------------------------------------- logic


@dataclass(frozen=True)
class ChoiceFeedback:
    """Feedback on one selected choice: is it one of the right ones, and why."""

    choice: Choice
    right: bool

    @property
    def label(self) -> str:
        """``"Right:"`` or ``"Not quite:"``, so the verdict is in words, not only colour."""
        return "Right:" if self.right else "Not quite:"


@dataclass(frozen=True)
class Result:
    """What :func:`check_answer` found.

    ``answered`` is False when nothing was selected (that is not an attempt);
    ``correct`` is True when the selection is exactly the set of right choices;
    ``feedback`` holds one :class:`ChoiceFeedback` per selected choice, in the
    question's order; ``found`` / ``missing`` count the right choices selected and
    not yet selected (only the counts, so the quiz does not give them away).
    """

    question_id: str
    answered: bool
    correct: bool
    feedback: tuple[ChoiceFeedback, ...]
    found: int
    missing: int

    @property
    def summary(self) -> str:
        """One sentence for the learner about this attempt."""
        if not self.answered:
            return "Pick an answer first, then press Check."
        total = self.found + self.missing
        if self.correct:
            return f"Right: you found all {total} right choices." if total > 1 else "Right."
        if total == 1:
            return "Not quite. Pick another answer and press Check again."
        wrong = sum(not item.right for item in self.feedback)
        parts = ["Not quite yet."]
        if wrong:
            parts.append(f"{wrong} of your choices {'is' if wrong == 1 else 'are'} not right.")
        parts.append(f"You have found {self.found} of the {total} right choices.")
        parts.append("Change your answer and press Check again.")
        return " ".join(parts)


def _as_ids(name: str, selected, question: Question) -> list[str]:
    if selected is None:
        items = []
    elif isinstance(selected, str):
        items = [selected]
    else:
        try:
            items = list(selected)
        except TypeError:
            raise ValueError(f"{name} must be a choice id or a list of choice ids of question "
                             f"{question.id!r}; got {selected!r}") from None
    valid = [c.id for c in question.choices]
    for item in items:
        if item not in valid:
            raise ValueError(f"{name} must hold choice ids of question {question.id!r} "
                             f"({', '.join(map(repr, valid))}); got {item!r}")
    return items


def check_answer(question: Question, selected_ids) -> Result:
    """Check a selection against the right answers of ``question``.

    ``selected_ids`` is one choice id (``"a"``), a collection of them, or ``None``
    / empty for "nothing selected". Order and repeats do not matter.

    Raises:
        ValueError: naming ``selected_ids`` if it holds an id that is not one of
            the question's choices.
    """
    chosen = set(_as_ids("selected_ids", selected_ids, question))
    feedback = tuple(ChoiceFeedback(choice=c, right=c.id in question.answers)
                     for c in question.choices if c.id in chosen)
    found = len(chosen & question.answers)
    return Result(question_id=question.id, answered=bool(chosen),
                  correct=chosen == set(question.answers), feedback=feedback,
                  found=found, missing=len(question.answers) - found)


def shuffled_choices(question: Question, seed: int = 0) -> tuple[Choice, ...]:
    """Return the choices of ``question`` in a shuffled order.

    The order depends only on ``seed`` and the question's id, so it is the same
    every time for the same seed, and adding or moving other questions in the file
    does not change it.

    Raises:
        ValueError: if ``seed`` is not a whole number.
    """
    seed = checks.number("seed", seed, integer=True)
    order = list(question.choices)
    random.Random(f"pageturn-quiz:{seed}:{question.id}").shuffle(order)
    return tuple(order)


@dataclass
class Score:
    """Running score of a quiz: how many questions were answered right, out of ``total``.

    A question counts as right once any check of it was right, and as right on the
    first try when its first answered check was right. Checks with nothing
    selected are not attempts.
    """

    total: int
    attempts: dict[str, int] = field(default_factory=dict)
    right_ids: set[str] = field(default_factory=set)
    first_try_ids: set[str] = field(default_factory=set)

    def record(self, result: Result) -> None:
        """Count one checked answer (ignored when nothing was selected)."""
        if not result.answered:
            return
        qid = result.question_id
        self.attempts[qid] = self.attempts.get(qid, 0) + 1
        if result.correct:
            if self.attempts[qid] == 1:
                self.first_try_ids.add(qid)
            self.right_ids.add(qid)

    @property
    def right(self) -> int:
        """Questions answered right, on any try."""
        return len(self.right_ids)

    @property
    def first_try(self) -> int:
        """Questions answered right on the first try."""
        return len(self.first_try_ids)

    def __str__(self) -> str:
        return f"Score: {self.right} / {self.total} right ({self.first_try} on the first try)"


# --------------------------------------------------------------------------- text rendering


def _inline(text: str) -> str:
    """Escape ``text`` and render a small markdown subset: `code`, **bold**,
    *italic*, [links](https://...)."""
    codes = []

    def keep_code(match):
        codes.append(f"<code>{html.escape(match.group(1))}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = re.sub(r"`([^`]+)`", keep_code, text)
    text = html.escape(text, quote=True)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)
    text = re.sub(r"\[([^\]]+)\]\(((?:https?://|\.{0,2}/|[\w-]+\.)[^)\s]*)\)",
                  lambda m: f'<a href="{m.group(2)}" target="_blank" rel="noopener">{m.group(1)}</a>',
                  text)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], text)


def _markdown_html(text: str) -> str:
    """Render paragraphs and ``-`` lists of a small markdown subset as HTML."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and all(re.match(r"[-*] ", line) for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append(f"<p>{_inline(' '.join(lines))}</p>")
    return "".join(blocks)


def _hint(question: Question) -> str:
    return "Choose all that apply." if question.many else "Choose one."


def _resolve(quiz) -> Quiz:
    if isinstance(quiz, Quiz):
        return quiz
    return load_quiz(quiz)


def quiz_markdown(quiz, seed: int = 0) -> str:
    """Return a static markdown copy of a quiz: title, every question and its
    choices (in the order the widget shows for ``seed``), and :data:`STATIC_NOTE`.
    It holds neither the answers nor the feedback.

    ``quiz`` is a :class:`Quiz`, a quiz name or a path (see :func:`load_quiz`).

    Raises:
        ValueError: as :func:`load_quiz` and :func:`shuffled_choices`.
    """
    quiz = _resolve(quiz)
    lines = [f"### {quiz.title}", "", f"*{STATIC_NOTE}*", ""]
    for number, question in enumerate(quiz.questions, start=1):
        lines += [f"**Question {number} of {len(quiz.questions)}.** *{_hint(question)}*", "",
                  question.stem, ""]
        mark = "☐" if question.many else "◯"
        lines += [f"- {mark} {choice.text}" for choice in shuffled_choices(question, seed)]
        lines.append("")
    return "\n".join(lines)


def quiz_html(quiz, seed: int = 0) -> str:
    """Return the same static copy as :func:`quiz_markdown` as HTML without scripts
    (everything from the file is escaped).

    Raises:
        ValueError: as :func:`load_quiz` and :func:`shuffled_choices`.
    """
    quiz = _resolve(quiz)
    parts = [f'<div class="{CSS_CLASSES["static"]}">',
             f"<h3>{html.escape(quiz.title)}</h3>",
             f"<p><em>{html.escape(STATIC_NOTE)}</em></p>"]
    for number, question in enumerate(quiz.questions, start=1):
        mark = "☐" if question.many else "◯"
        items = "".join(f"<li>{mark} {html.escape(c.text)}</li>"
                        for c in shuffled_choices(question, seed))
        parts.append(f"<p><strong>Question {number} of {len(quiz.questions)}.</strong> "
                     f"<em>{_hint(question)}</em></p>{_markdown_html(question.stem)}"
                     f'<ul style="list-style: none">{items}</ul>')
    parts.append("</div>")
    return "".join(parts)


def _feedback_html(result: Result, shown: tuple[Choice, ...] = ()) -> str:
    """HTML for the feedback area: the verdict in words, then one line per selected
    choice, in the order ``shown`` on screen (file order if not given)."""
    if not result.answered:
        return f'<div role="status" aria-live="polite"><p>{html.escape(result.summary)}</p></div>'
    colour = "#009E73" if result.correct else "#D55E00"  # Okabe–Ito green / vermillion
    position = {choice.id: index for index, choice in enumerate(shown)}
    rows = "".join(
        f"<li><strong>{item.label}</strong> “{html.escape(item.choice.text)}”: "
        f"{_inline(item.choice.feedback)}</li>"
        for item in sorted(result.feedback, key=lambda item: position.get(item.choice.id, 0)))
    return (f'<div role="status" aria-live="polite" '
            f'style="border-left: 4px solid {colour}; padding-left: 0.6em">'
            f"<p><strong>{html.escape(result.summary)}</strong></p><ul>{rows}</ul></div>")


# --------------------------------------------------------------------------- widget


@dataclass
class QuestionView:
    """The widgets of one question, with a small API to drive them from Python
    (tests, demos): :meth:`select`, :meth:`check`, :attr:`feedback_html`."""

    question: Question
    choices: tuple[Choice, ...]          # in the order shown
    block: object                        # ipywidgets.VBox
    stem: object                         # ipywidgets.HTML
    inputs: object                       # ipywidgets.RadioButtons, or a tuple of Checkbox
    button: object                       # ipywidgets.Button
    feedback: object                     # ipywidgets.HTML
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
                raise ValueError(f"ids must be at most one choice id for question "
                                 f"{self.question.id!r} (it has one right answer); got {ids!r}")
            self.inputs.value = wanted[0] if wanted else None

    def check(self) -> Result | None:
        """Press this question's Check button; return the result it showed."""
        self.button.click()
        return self.last_result

    @property
    def feedback_html(self) -> str:
        """The HTML currently shown in the feedback area ("" before any check)."""
        return self.feedback.value


def quiz_widget(quiz, seed: int = 0):
    """Build the interactive quiz: an ``ipywidgets.VBox`` with one block per question
    (stem, radio buttons or checkboxes with the choices shuffled by ``seed``, a
    Check button, a feedback area) and a running score at the bottom.

    A wrong answer can be changed and checked again as often as the learner likes.
    The returned box also carries ``.quiz`` (the :class:`Quiz`), ``.questions``
    (one :class:`QuestionView` each) and ``.score`` (the :class:`Score`).

    ``quiz`` is a :class:`Quiz`, a quiz name or a path (see :func:`load_quiz`).

    Raises:
        ValueError: as :func:`load_quiz` and :func:`shuffled_choices`.
    """
    import ipywidgets as widgets

    quiz = _resolve(quiz)
    checks.number("seed", seed, integer=True)
    wide = widgets.Layout(width="auto")
    score = Score(total=len(quiz.questions))
    score_label = widgets.HTML(value=html.escape(str(score)),
                               layout=widgets.Layout(width="auto"))
    score_label.add_class(CSS_CLASSES["score"])
    title = widgets.HTML(value=f"<h3>{html.escape(quiz.title)}</h3>")
    title.add_class(CSS_CLASSES["title"])

    views = []
    for number, question in enumerate(quiz.questions, start=1):
        order = shuffled_choices(question, seed)
        stem = widgets.HTML(
            value=(f"<p><strong>Question {number} of {len(quiz.questions)}.</strong> "
                   f"<em>{_hint(question)}</em></p>{_markdown_html(question.stem)}"),
            layout=widgets.Layout(width="auto"))
        stem.add_class(CSS_CLASSES["stem"])
        if question.many:
            boxes = []
            for choice in order:
                box = widgets.Checkbox(value=False, description=choice.text,
                                       description_allow_html=False, indent=False,
                                       tooltip=choice.text, layout=wide,
                                       style={"description_width": "initial"})
                box.add_class(CSS_CLASSES["choice"])
                boxes.append(box)
            inputs = tuple(boxes)
            holder = widgets.VBox(list(boxes), layout=widgets.Layout(width="auto"))
            holder.add_class(CSS_CLASSES["choices"])
        else:
            inputs = widgets.RadioButtons(
                options=[(choice.text, choice.id) for choice in order], value=None,
                description="Your answer:", description_allow_html=False,
                tooltip=f"Question {number}: choose one answer", layout=wide,
                style={"description_width": "initial"})
            inputs.add_class(CSS_CLASSES["choices"])
            holder = inputs
        button = widgets.Button(description="Check", tooltip=f"Check your answer to question {number}",
                                icon="check", layout=widgets.Layout(width="auto", align_self="flex-start"))
        button.add_class(CSS_CLASSES["check"])
        feedback = widgets.HTML(value="", layout=widgets.Layout(width="auto"))
        feedback.add_class(CSS_CLASSES["feedback"])
        block = widgets.VBox([stem, holder, button, feedback], layout=widgets.Layout(width="auto"))
        block.add_class(CSS_CLASSES["question"])
        block.add_class(f"{CSS_CLASSES['question']}-{question.id}")
        view = QuestionView(question=question, choices=order, block=block, stem=stem,
                            inputs=inputs, button=button, feedback=feedback)

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
        for widget in (inputs if question.many else (inputs,)):
            widget.observe(on_change, names="value")
        views.append(view)

    box = widgets.VBox([title, *[v.block for v in views], score_label],
                       layout=widgets.Layout(width="auto"))
    box.add_class(CSS_CLASSES["quiz"])
    box.quiz = quiz
    box.questions = views
    box.score = score
    box.seed = seed
    return box


def quiz_mimebundle(box, seed: int | None = None) -> dict:
    """Return the display bundle of a quiz widget ``box`` (from :func:`quiz_widget`):
    the live widget view plus ``text/markdown``, ``text/html`` (no scripts) and
    ``text/plain`` static copies.

    JupyterLab with a kernel ranks the widget view first and shows the live quiz;
    renderers that have no widget state (GitHub, nbviewer, ``nbconvert --to html``)
    skip it and show the static copy, which names every question and choice but
    no answer or feedback.

    Raises:
        ValueError: if ``box`` was not made by :func:`quiz_widget`.
    """
    quiz = getattr(box, "quiz", None)
    if not isinstance(quiz, Quiz):
        raise ValueError(f"box must be a quiz widget made by quiz_widget(); got {box!r:.80}")
    order_seed = seed if seed is not None else getattr(box, "seed", 0)
    bundle = dict(box._repr_mimebundle_() or {})
    bundle["text/markdown"] = quiz_markdown(quiz, order_seed)
    bundle["text/html"] = quiz_html(quiz, order_seed)
    bundle["text/plain"] = f"{quiz.title}: {len(quiz.questions)} questions. {STATIC_NOTE}"
    return bundle


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
    from IPython.display import display

    box = quiz_widget(name, seed)
    display(quiz_mimebundle(box, seed), raw=True)
