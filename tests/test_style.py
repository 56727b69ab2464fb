"""One owner for the course's colours: pageturn.style names them, and no other module writes a colour literal."""

import re

import pytest

from pageturn import style
from thiscourse import ROOT

SRC = ROOT / "src" / "pageturn"
#: A CSS/matplotlib hex colour (#rgb, #rgba, #rrggbb, #rrggbbaa), not an issue number (nbgrader#917) or entity (&#123;)
HEX = re.compile(r"(?<![\w#&])#(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3,4})\b")
TEXT = {".py", ".toml", ".yml", ".txt", ".css", ".html", ".js"}


@pytest.mark.parametrize(
    "path",
    sorted(p for p in SRC.rglob("*") if p.suffix in TEXT and p.name != "style.py"),
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_no_colour_literal_outside_style(path):
    found = HEX.findall(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(SRC)} writes colours {found}; name them in pageturn.style and import them"


@pytest.mark.parametrize(
    "text, colours",
    [
        ("border: 1px solid #ccc;", ["#ccc"]),
        ('color="#999"', ["#999"]),
        ("#E69F00 and #0072B2cc", ["#E69F00", "#0072B2cc"]),
        ("fill: #fff8", ["#fff8"]),
        ("nbgrader#917, issue #12, &#123;, #12345, #abcdefa, cell #1", []),
    ],
)
def test_the_colour_pattern_finds_every_hex_form_and_nothing_else(text, colours):
    assert HEX.findall(text) == colours


def test_the_named_greys_are_hex_colours():
    for name in ("WHITE", "CODE_BACKGROUND", "OUTLINE"):
        assert re.fullmatch(r"#[0-9A-F]{6}", getattr(style, name)), name


def test_palette_is_okabe_ito():
    assert style.PALETTE == ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "grading" / "source").glob("*/*.ipynb"))


@pytest.mark.parametrize(
    "path",
    sorted(SRC.rglob("*.py")) + NOTEBOOKS,
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_one_plotting_convention_no_pyplot_state(path):
    """Plots are Figures made by style.figure and shown by style.show_figure, never through pyplot."""
    text = path.read_text(encoding="utf-8")
    if path.name == "execute.py":  # the grading kernel preloads pyplot for student code, it does not plot
        text = text.replace('"matplotlib.pyplot"', "")
    assert "matplotlib.pyplot" not in text and "plt." not in text, f"{path.name} uses pyplot"


def test_figure_leaves_no_pyplot_state_and_show_figure_takes_what_plots_return(monkeypatch):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    before = plt.get_fignums()
    fig, ax = style.figure((4, 3))
    fig2, (left, right) = style.figure((6, 3), 1, 2, sharey=True)
    assert isinstance(fig, Figure) and ax.figure is fig and right.figure is fig2
    assert plt.get_fignums() == before  # nothing registered in pyplot
    for thing in (fig, ax, (left, right)):
        style.show_figure(thing)
    assert len(shown) == 3 and all(image.data[:8] == b"\x89PNG\r\n\x1a\n" for image in shown)
    with pytest.raises(ValueError, match="fig must be a matplotlib Figure or Axes drawn on one, got str"):
        style.show_figure("a plot")
