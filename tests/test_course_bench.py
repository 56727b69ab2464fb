"""`make bench`'s notebook rows: all notebooks together, and Lesson 4 and Lab 4's solution each alone."""

import pytest

from pageturn.course import bench


def test_the_notebooks_held_to_30_s_alone_are_lesson_4_and_lab_4s_solution_and_exist():
    single = bench.alone()
    assert sorted(single.values()) == ["Lab 4 solution alone", "Lesson 4 alone"]
    assert set(single) <= set(bench.course_notebooks())


def test_notebook_rows_judge_the_total_and_each_one_alone():
    single = bench.alone()
    lesson, lab = single
    times = {"notebooks/00_start.ipynb": 3.0, lesson: 31.0, lab: 12.5}
    rows = list(bench.notebook_rows(times, single))
    assert rows[0] == ("execute all 3 lessons and solution labs", "46.5 s", "<= 60 s", True)
    assert [(r[1], r[2], r[3]) for r in rows[1:3]] == [("31.0 s", "<= 30 s", False), ("12.5 s", "<= 30 s", True)]
    assert rows[3][1:] == ("3.0 s", "(peer)", True) and len(rows) == 4
    assert "Lesson 4 alone" in rows[1][0] and "Lab 4 solution alone" in rows[2][0]
    with pytest.raises(ValueError, match="times must include"):
        list(bench.notebook_rows({lesson: 1.0}, single))
