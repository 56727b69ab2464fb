"""Quiz data and logic: read and validate a quiz file, check answers, keep the score.

Plain dataclasses and functions, no widgets, so all of it runs without a kernel.
"""

from __future__ import annotations

import difflib
import importlib.resources
import os
import random
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pageturn import checks

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

    def __init__(
        self, path, problem: str, *, question: str | None = None, choice: str | None = None, line: int | None = None
    ):
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
    return importlib.resources.files("pageturn.lessons").joinpath("quizzes")


def available_quizzes() -> list[str]:
    """Return the names of the quizzes shipped with the course, sorted
    (file names in ``pageturn/lessons/quizzes/`` without ``.toml``)."""
    folder = _quiz_folder()
    if not folder.is_dir():
        return []
    return sorted(
        item.name[: -len(".toml")] for item in folder.iterdir() if item.name.endswith(".toml") and item.is_file()
    )


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
        and (name_or_path.endswith(".toml") or "/" in name_or_path or os.sep in name_or_path)
    ):
        path = Path(name_or_path)
        if not path.is_file():
            raise ValueError(
                f"name_or_path must be a quiz name or an existing .toml file; "
                f"got {str(name_or_path)!r}, which does not exist "
                f"(available quizzes: {', '.join(available_quizzes()) or 'none'})"
            )
        return _parse(path.read_bytes(), str(path))
    if not isinstance(name_or_path, str):
        raise ValueError(
            f"name_or_path must be a quiz name (str) or a path; got {name_or_path!r} ({type(name_or_path).__name__})"
        )
    names = available_quizzes()
    if name_or_path not in names:
        raise ValueError(
            f"name_or_path must be one of the available quizzes: "
            f"{', '.join(map(repr, names)) or 'none'}; got {name_or_path!r}"
        )
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
        raise QuizError(source, 'needs a non-empty title = "..." at the top')
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise QuizError(source, "needs at least one [[questions]] table")

    questions, seen = [], set()
    for number, item in enumerate(raw_questions, start=1):
        question = _parse_question(item, number, source)
        if question.id in seen:
            raise QuizError(
                source,
                f"duplicate question id (question number {number} reuses an id already used above)",
                question=question.id,
            )
        seen.add(question.id)
        questions.append(question)
    return Quiz(title=title.strip(), questions=tuple(questions), source=source)


def _parse_question(item, number: int, source: str) -> Question:
    label = f"number {number}"
    if not isinstance(item, dict):
        raise QuizError(source, "each entry of questions must be a [[questions]] table", question=label)
    qid = item.get("id")
    if not isinstance(qid, str) or not _ID_PATTERN.match(qid):
        raise QuizError(source, f"needs id = \"short-slug\" (letters, digits, '-' or '_'); got {qid!r}", question=label)
    _check_keys(item, _QUESTION_KEYS, source, question=qid)
    stem = item.get("stem")
    if not isinstance(stem, str) or not stem.strip():
        raise QuizError(source, "stem is missing or empty (the question text)", question=qid)

    raw_choices = item.get("choices")
    if not isinstance(raw_choices, list) or not all(isinstance(c, dict) for c in raw_choices):
        raise QuizError(source, "needs [[questions.choices]] tables", question=qid)
    if len(raw_choices) < 2:
        raise QuizError(source, f"has {len(raw_choices)} choice(s); a question needs at least 2", question=qid)
    choices, ids, texts = [], set(), {}
    for position, raw in enumerate(raw_choices, start=1):
        cid = raw.get("id")
        if not isinstance(cid, str) or not _ID_PATTERN.match(cid):
            raise QuizError(
                source,
                f"choice number {position} needs id = \"a\" (letters, digits, '-' or '_'); got {cid!r}",
                question=qid,
            )
        _check_keys(raw, _CHOICE_KEYS, source, question=qid, choice=cid)
        if cid in ids:
            raise QuizError(source, "duplicate choice id", question=qid, choice=cid)
        ids.add(cid)
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            raise QuizError(source, "text is missing or empty", question=qid, choice=cid)
        same = " ".join(text.split()).casefold()
        if same in texts:
            raise QuizError(source, f"duplicate choice text (same as choice {texts[same]!r})", question=qid, choice=cid)
        texts[same] = cid
        feedback = raw.get("feedback")
        if not isinstance(feedback, str) or not feedback.strip():
            raise QuizError(
                source,
                "feedback is missing or empty (every choice needs one: why it is right, or why it is wrong)",
                question=qid,
                choice=cid,
            )
        choices.append(Choice(id=cid, text=text.strip(), feedback=feedback.strip()))

    answers = item.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise QuizError(source, f'answers must be a list of choice ids, like ["a"]; got {answers!r}', question=qid)
    if not answers:
        raise QuizError(source, "no right answer: answers is empty", question=qid)
    if len(set(answers)) != len(answers):
        raise QuizError(source, f"answers lists the same id twice: {answers!r}", question=qid)
    for answer in answers:
        if answer not in ids:
            raise QuizError(
                source,
                f"answer {answer!r} is not one of the choices ({', '.join(map(repr, sorted(ids)))})",
                question=qid,
            )
    if len(answers) == len(choices):
        raise QuizError(source, "every choice is right; a question needs at least one wrong choice", question=qid)
    return Question(id=qid, stem=stem.strip(), choices=tuple(choices), answers=frozenset(answers))


def _check_keys(table: dict, allowed, source, *, question=None, choice=None):
    for key in table:
        if key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1)
            problem = (
                f"unknown key {key!r}"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                + f"; allowed keys here: {', '.join(allowed)}"
            )
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
            raise ValueError(
                f"{name} must be a choice id or a list of choice ids of question {question.id!r}; got {selected!r}"
            ) from None
    valid = [c.id for c in question.choices]
    for item in items:
        if item not in valid:
            raise ValueError(
                f"{name} must hold choice ids of question {question.id!r} ({', '.join(map(repr, valid))}); got {item!r}"
            )
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
    feedback = tuple(
        ChoiceFeedback(choice=c, right=c.id in question.answers) for c in question.choices if c.id in chosen
    )
    found = len(chosen & question.answers)
    return Result(
        question_id=question.id,
        answered=bool(chosen),
        correct=chosen == set(question.answers),
        feedback=feedback,
        found=found,
        missing=len(question.answers) - found,
    )


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
