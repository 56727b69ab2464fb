"""Two courses on one hub, as in nbgrader's demos/demo_multiple_classes: each has its own formgrader
service, grader account, course root and hub groups, and sees none of the other's students.

intro-stats (teacher tom, students ben and eve) sits beside this course (teacher tess, students ada,
ben, cy): ben is in both. The course list each user sees holds only their courses.
"""

from __future__ import annotations

import pytest
from hubkit import COURSE, SECOND, SECOND_TEACHER, TEACHER

pytestmark = [pytest.mark.xdist_group("hub"), pytest.mark.slow]  # one worker, one hub, file order

LAB1, LAB2 = "lab1_four_keys", "fixture_lab"


def test_the_second_courses_teacher_releases_from_its_own_formgrader(term):
    term.start_servers([SECOND_TEACHER, "eve", "ben", "ada", TEACHER])
    tom = term.user(SECOND_TEACHER)
    for step in ("assign", "release"):
        r = tom.formgrader("POST", SECOND, f"assignment/{LAB2}/{step}")
        assert r.status_code == 200 and r.json()["success"], f"{step}: {r.text[:2000]}"
    if not (term.root / "exchange" / COURSE / "outbound" / LAB1).is_dir():  # when run without test_1_term
        for step in ("assign", "release"):
            assert term.user(TEACHER).formgrader("POST", COURSE, f"assignment/{LAB1}/{step}").json()["success"]


def test_each_teacher_reaches_only_their_own_courses_formgrader(term):
    tess, tom = term.user(TEACHER), term.user(SECOND_TEACHER)
    assert tess.formgrader("GET", COURSE, "status").status_code == 200
    assert tom.formgrader("GET", SECOND, "status").status_code == 200
    assert tess.formgrader("GET", SECOND, "assignments").status_code == 403
    assert tom.formgrader("GET", COURSE, "assignments").status_code == 403
    status, out = tom.terminal(f"ls {term.grader_home(COURSE)}/pageturn/grading", service=SECOND)
    assert status != 0 and "Permission denied" in out, out


def test_the_course_list_shows_each_teacher_only_their_courses(term):
    for name, expected in ((TEACHER, [COURSE]), (SECOND_TEACHER, [SECOND])):
        r = term.user(name).server("GET", "formgraders")
        listed = r.json()
        assert listed["success"], listed
        assert [c["course_id"] for c in listed["value"]] == expected
        assert all(c["url"].endswith(f"/services/{c['course_id']}/lab?formgrader=true") for c in listed["value"])


def test_the_assignments_tab_shows_each_student_only_their_courses(term):
    for name, expected in (("ben", sorted([COURSE, SECOND])), ("eve", [SECOND]), ("ada", [COURSE])):
        listed = term.user(name).server("GET", "courses").json()
        assert listed["success"] and listed["value"] == expected, (name, listed)
    eve = term.user("eve")
    assert eve.assignments(course=COURSE)["value"] == []


def test_a_student_cannot_fetch_from_a_course_they_are_not_in(term):
    status, out = term.user("eve").terminal(f"nbgrader fetch_assignment lab1_four_keys --course {COURSE}")
    assert status != 0 and "You do not have access to this course" in out, out


def test_a_student_in_both_courses_gets_each_lab_in_its_own_folder(term):
    ben = term.user("ben")
    ben.assignments("fetch", SECOND, LAB2)
    assert ben.read(f"{SECOND}/{LAB2}/{LAB2}.ipynb")["type"] == "notebook"
    if ben.server("GET", f"api/contents/{COURSE}/{LAB1}").status_code == 404:  # when run without test_1_term
        ben.assignments("fetch", COURSE, LAB1)
    assert ben.read(f"{COURSE}/{LAB1}/{LAB1}.ipynb")["type"] == "notebook"
    assert ben.assignments("submit", SECOND, LAB2)["success"]
    r = term.user(SECOND_TEACHER).formgrader("POST", SECOND, f"assignment/{LAB2}/collect")
    assert r.status_code == 200 and r.json()["success"], r.text[:1000]
    status, out = term.user(SECOND_TEACHER).terminal("ls submitted", service=SECOND)
    assert status == 0 and out.split()[-1] == "ben" and "ada" not in out.split(), out
