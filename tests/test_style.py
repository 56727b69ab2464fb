"""One owner for the course's colours: pageturn.style names them, and no other module writes a colour literal."""

import re
from pathlib import Path

import pytest

from pageturn import style

SRC = Path(__file__).resolve().parents[1] / "src" / "pageturn"
HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")


@pytest.mark.parametrize(
    "path", sorted(p for p in SRC.rglob("*.py") if p.name != "style.py"), ids=lambda p: str(p.relative_to(SRC))
)
def test_no_colour_literal_outside_style(path):
    found = HEX.findall(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(SRC)} writes colours {found}; name them in pageturn.style and import them"


def test_palette_is_okabe_ito():
    assert style.PALETTE == ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
