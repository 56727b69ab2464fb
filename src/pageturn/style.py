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
