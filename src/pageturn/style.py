"""Plot style shared by every figure in the course.

``PALETTE`` is the Okabe–Ito palette, which stays distinguishable for the
common forms of colour-blindness. Use its colours in order, and never let
colour be the only way a plot tells two things apart (add labels or markers).
"""

PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
"""Okabe–Ito colours: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, black."""

ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLACK = PALETTE

WHITE = "#FFFFFF"
"""The background end of the course's colour maps (heat maps fade from white)."""
CODE_BACKGROUND = "#F4F4F4"
"""Light grey behind code and log lines on the course's HTML pages."""
OUTLINE = "#999999"
"""Mid grey: the outline of a button drawn in the static HTML export."""
RULE = "#CCCCCC"
"""Light grey: the lines of tables on the course's HTML pages (the debug page's tables)."""


def figure(size=(8, 3.2), nrows: int = 1, ncols: int = 1, *, dpi: float | None = None, **subplots):
    """A new matplotlib Figure and its Axes, made without pyplot: ``fig, ax = figure((8, 3))``.

    Every plot in the course is drawn this way, so no figure lives on in pyplot's
    global state (a long notebook session does not pile them up) and nothing
    appears unless it is shown with :func:`show_figure`. ``size`` is (width,
    height) in inches; ``nrows``, ``ncols`` and ``subplots`` go to
    ``Figure.subplots`` (e.g. ``sharex=True``). ``dpi`` (dots per inch) sets how
    large the shown PNG is; ``None`` keeps matplotlib's default. The layout is
    "constrained".
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **subplots)


def show_figure(fig) -> None:
    """Show a Figure in the notebook as a PNG image: the one way the course shows a plot.

    ``fig`` may be a Figure or anything drawn on one (an Axes, or a sequence of
    Axes of one Figure), so ``show_figure(plot_something(...))`` works whatever the
    plotting function returns.

    Raises:
        ValueError: if ``fig`` is none of these.
    """
    import io

    from IPython.display import Image, display
    from matplotlib.figure import Figure

    target = fig
    if not isinstance(target, Figure) and isinstance(target, (list, tuple)) and target:
        target = target[0]
    target = getattr(target, "figure", target) if not isinstance(target, Figure) else target
    if not isinstance(target, Figure):
        raise ValueError(f"fig must be a matplotlib Figure or Axes drawn on one, got {type(fig).__name__}")
    out = io.BytesIO()
    target.savefig(out, format="png")
    display(Image(data=out.getvalue(), format="png"))
