"""The fleet's charts: what readers saw (the load generator's frame) and what the balancer logged."""

import pandas as pd
import pytest

from pageturn.live import plots
from pageturn.style import PALETTE


def _frame():
    frame = pd.DataFrame(
        {
            "sent_s": [0.05, 0.1, 0.3, 0.35, 0.6, 0.7, float("nan")],
            "status": [200, 500, 500, 0, 200, 201, 0],  # the last was never sent (time limit)
        }
    )
    frame.attrs["started_at_s"] = 1000.0
    return frame


def test_readers_over_time_counts_sent_requests_and_failures_by_when_they_were_sent():
    table = plots.readers_over_time(_frame(), bin_s=0.25)
    assert table.to_dict("list") == {"t_s": [0.0, 0.25, 0.5], "requests": [2, 2, 2], "failed": [1, 2, 0]}


def test_plot_readers_draws_the_readers_side_with_the_quarantine_line():
    ax = plots.plot_readers(_frame(), quarantine_at_s=1000.5, bin_s=0.25)
    assert "readers" in ax.get_title() and "load generator" in ax.get_title()
    assert "s since the load started" in ax.get_xlabel() and "per 0.25 s" in ax.get_ylabel()
    (line,) = ax.get_lines()
    assert line.get_xdata()[0] == pytest.approx(0.5)
    colours = {tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in ax.patches}
    palette = {tuple(round(int(h[i : i + 2], 16) / 255, 3) for i in (1, 3, 5)) for h in PALETTE if h.startswith("#")}
    assert colours <= palette


def test_plot_readers_refuses_what_is_not_a_load_generator_frame():
    with pytest.raises(ValueError, match="frame must be a DataFrame from pageturn.live.loadgen.run"):
        plots.plot_readers([{"time_s": 1.0}])
