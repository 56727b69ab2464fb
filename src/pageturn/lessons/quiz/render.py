"""Quiz as text: the static copy (markdown, HTML without scripts) and the feedback HTML.

Used where no kernel runs (GitHub, nbviewer, HTML exports) and by the widget for its feedback.
"""

from __future__ import annotations

import html
import re

from pageturn.lessons.quiz.model import Choice, Question, Result, load_quiz, shuffled_choices
from pageturn.style import GREEN, VERMILLION

#: Sentence shown wherever the quiz cannot run (GitHub, nbviewer, HTML exports).
STATIC_NOTE = "Run this cell in JupyterLab to check your answers."

#: CSS classes put on the widgets, for styling and for browser tests.
CSS_CLASSES = {
    "quiz": "pageturn-quiz",  # the outer VBox
    "title": "pageturn-quiz-title",  # HTML: the quiz title
    "question": "pageturn-quiz-question",  # VBox: one block per question
    "stem": "pageturn-quiz-stem",  # HTML: the question text
    "choices": "pageturn-quiz-choices",  # RadioButtons, or the VBox of Checkboxes
    "choice": "pageturn-quiz-choice",  # each Checkbox (many-answer questions)
    "check": "pageturn-quiz-check",  # Button "Check"
    "feedback": "pageturn-quiz-feedback",  # HTML: feedback after Check
    "score": "pageturn-quiz-score",  # HTML: "Score: 2 / 6 right"
    "static": "pageturn-quiz-static",  # the static HTML copy (no kernel)
}


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
    text = re.sub(
        r"\[([^\]]+)\]\(((?:https?://|\.{0,2}/|[\w-]+\.)[^)\s]*)\)",
        lambda m: f'<a href="{m.group(2)}" target="_blank" rel="noopener">{m.group(1)}</a>',
        text,
    )
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


def quiz_markdown(quiz, seed: int = 0) -> str:
    """Return a static markdown copy of a quiz: title, every question and its
    choices (in the order the widget shows for ``seed``), and :data:`STATIC_NOTE`.
    It holds neither the answers nor the feedback.

    ``quiz`` is a :class:`Quiz`, a quiz name or a path (see :func:`load_quiz`).

    Raises:
        ValueError: as :func:`load_quiz` and :func:`shuffled_choices`.
    """
    quiz = load_quiz(quiz)
    lines = [f"### {quiz.title}", "", f"*{STATIC_NOTE}*", ""]
    for number, question in enumerate(quiz.questions, start=1):
        lines += [f"**Question {number} of {len(quiz.questions)}.** *{_hint(question)}*", "", question.stem, ""]
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
    quiz = load_quiz(quiz)
    parts = [
        f'<div class="{CSS_CLASSES["static"]}">',
        f"<h3>{html.escape(quiz.title)}</h3>",
        f"<p><em>{html.escape(STATIC_NOTE)}</em></p>",
    ]
    for number, question in enumerate(quiz.questions, start=1):
        mark = "☐" if question.many else "◯"
        items = "".join(f"<li>{mark} {html.escape(c.text)}</li>" for c in shuffled_choices(question, seed))
        parts.append(
            f"<p><strong>Question {number} of {len(quiz.questions)}.</strong> "
            f"<em>{_hint(question)}</em></p>{_markdown_html(question.stem)}"
            f'<ul style="list-style: none">{items}</ul>'
        )
    parts.append("</div>")
    return "".join(parts)


def _feedback_html(result: Result, shown: tuple[Choice, ...] = ()) -> str:
    """HTML for the feedback area: the verdict in words, then one line per selected
    choice, in the order ``shown`` on screen (file order if not given)."""
    if not result.answered:
        return f'<div role="status" aria-live="polite"><p>{html.escape(result.summary)}</p></div>'
    colour = GREEN if result.correct else VERMILLION
    position = {choice.id: index for index, choice in enumerate(shown)}
    rows = "".join(
        f"<li><strong>{item.label}</strong> “{html.escape(item.choice.text)}”: {_inline(item.choice.feedback)}</li>"
        for item in sorted(result.feedback, key=lambda item: position.get(item.choice.id, 0))
    )
    return (
        f'<div role="status" aria-live="polite" '
        f'style="border-left: 4px solid {colour}; padding-left: 0.6em">'
        f"<p><strong>{html.escape(result.summary)}</strong></p><ul>{rows}</ul></div>"
    )
