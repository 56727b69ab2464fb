"""Fast checks of the grader's output cap, without a kernel: a flood is cut at the cap however it arrives."""

import pytest

from pageturn.grading.execute import BudgetedExecute


def _stream(text):
    header = {"msg_type": "stream", "msg_id": "m"}
    return {
        "msg_type": "stream",
        "header": header,
        "parent_header": {},
        "metadata": {},
        "content": {"name": "stdout", "text": text},
    }


@pytest.mark.parametrize("chunks", [[300_000], [150_000, 150_000], [1_000] * 300], ids=["one", "two", "many"])
def test_a_flood_is_cut_exactly_at_the_cap(chunks):
    ex = BudgetedExecute(max_output_chars=200_000)
    ex._stream_chars, ex._truncated, ex.clear_before_next_output = {}, set(), False
    outs = []
    for n in chunks:
        ex.output(outs, _stream("x" * n), None, 3)
    kept = sum(len(o["text"]) for o in outs if o.get("name") == "stdout")
    assert kept == 200_000
    assert ex._truncated == {3}
    assert outs[-1]["name"] == "stderr" and "truncated by the grader" in outs[-1]["text"]


def test_output_under_the_cap_is_kept_whole():
    ex = BudgetedExecute(max_output_chars=200_000)
    ex._stream_chars, ex._truncated, ex.clear_before_next_output = {}, set(), False
    outs = []
    ex.output(outs, _stream("hello\n"), None, 0)
    assert "".join(o["text"] for o in outs) == "hello\n" and ex._truncated == set()
