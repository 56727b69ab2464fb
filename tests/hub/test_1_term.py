"""A whole term of this course on a real JupyterHub, through the hub's REST API and the users' own servers.

The teacher (tess) releases Lab 1 from the formgrader service; three students fetch it in their own
servers and work on it: ada right (after a first, partly right submission), ben partly right, cy
hostile (an object that claims to equal everything); they submit (two at the same moment), the hub
restarts, ada resubmits; the teacher collects, autogrades with the course's grading
(``python -m pageturn.grading grade``, typed in a terminal of the formgrader service), grades the
written answer by hand in the formgrader, generates and releases feedback; each student fetches
their own feedback, which shows no hidden test. Isolation and roles are checked on the way.

The tests run in file order and build on each other (one hub for all, see conftest.py).
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from pathlib import Path

import nbformat
import pytest
from hubkit import COURSE, REPO, STUDENTS, TEACHER, HubError, hidden_lines, leaked, page_config

from pageturn.grading import hub as hubmod
from pageturn.grading.demo import answered, make_submissions

pytestmark = [pytest.mark.xdist_group("hub"), pytest.mark.slow]  # one worker, one hub, file order

LAB = "lab1_four_keys"
SOURCE = REPO / "grading" / "source" / LAB / f"{LAB}.ipynb"
WRITTEN = "tension_in_your_own_words"  # the manually graded answer of Lab 1
FETCHED = f"{COURSE}/{LAB}/{LAB}.ipynb"  # where a student's copy lands (path_includes_course)
MANUAL = {"ada": 4, "ben": 2, "cy": 0}


def _source():
    return nbformat.read(SOURCE, as_version=4)


def _auto_points(nb) -> float:
    return sum(
        float(c.metadata["nbgrader"].get("points", 0))
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    )


def test_each_users_server_runs_as_that_unix_account(term):
    names = [TEACHER, *STUDENTS]
    term.start_servers(names)
    for name in [*names, f"grader-{COURSE}"]:
        servers = [cmd for _, _, cmd in hubmod.processes_of([name]) if "jupyterhub-singleuser" in cmd]
        assert servers, f"no jupyterhub-singleuser process runs as the Unix account {name}"


def test_a_students_server_has_the_student_view(term):
    ada = term.user("ada")
    disabled = set(page_config(ada.server("GET", "lab").text)["disabledExtensions"])
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= disabled
    assert "@jupyter/nbgrader:assignment-list" not in disabled  # the Assignments tab stays
    assert ada.server("GET", "formgrader").status_code == 404  # no formgrader server extension
    # a teacher's own server has the same view; the formgrader lives in the course's service
    teacher_own = term.user(TEACHER).server("GET", "lab")
    assert "@jupyter/nbgrader:formgrader" in set(page_config(teacher_own.text)["disabledExtensions"])
    service = page_config(_get_service_page(term))
    assert "@jupyter/nbgrader:formgrader" not in set(service["disabledExtensions"])


def _get_service_page(term) -> str:
    import requests

    t = term.user(TEACHER)
    r = requests.get(f"{term.hub.url}/services/{COURSE}/lab", headers=t.headers, timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.text


def test_a_student_cannot_reach_the_formgrader_or_the_course_files(term):
    ada = term.user("ada")
    assert ada.formgrader("GET", COURSE, "assignments").status_code == 403
    status, out = ada.terminal(f"ls {term.grader_home()}/pageturn/grading/source")
    assert status != 0 and "Permission denied" in out
    assert term.user(TEACHER).formgrader("GET", COURSE, "status").json() == {"status": True}


def test_the_teacher_releases_lab_1_from_the_formgrader(term):
    t = term.user(TEACHER)
    for step in ("assign", "release"):
        r = t.formgrader("POST", COURSE, f"assignment/{LAB}/{step}")
        assert r.status_code == 200 and r.json()["success"], f"{step}: {r.text[:2000]}"
    for name in STUDENTS:
        listed = term.user(name).assignments(course=COURSE)["value"]
        assert [(a["assignment_id"], a["status"]) for a in listed] == [(LAB, "released")]


def test_fetching_a_lab_that_is_not_released_says_so(term):
    status, out = term.user("ada").terminal(f"nbgrader fetch_assignment lab9_not_released --course {COURSE}")
    assert status != 0 and "command not found" not in out, out
    assert re.search(r"assignment not found", out, re.I) and "lab9_not_released" in out, out


def test_students_fetch_the_lab_in_their_own_servers_and_work(term):
    source = _source()
    for name in STUDENTS:
        u = term.user(name)
        u.assignments("fetch", COURSE, LAB)
        assert u.read(FETCHED)["type"] == "notebook"
    fetched = nbformat.from_dict(term.user("ada").read(FETCHED)["content"])
    kinds = make_submissions(source, fetched, LAB)
    term.facts["work"] = {
        "ada": answered(source, fetched, fraction=0.25),  # a first draft; the right answer comes later
        "ben": answered(source, fetched, fraction=0.5),  # partly right
        "cy": kinds["sol"].content,  # hostile: an object equal to everything
    }
    assert kinds["sol"].kind == "hostile: always-equal object"
    for name, nb in term.facts["work"].items():
        term.user(name).write_notebook(FETCHED, nb)
        saved = term.user(name).read(FETCHED)["content"]
        assert len(saved["cells"]) == len(nb.cells)


def test_two_students_submit_at_the_same_moment_and_both_arrive(term):
    start = threading.Barrier(2)
    results, errors = {}, []

    def submit(name):
        try:
            start.wait(30)
            results[name] = term.user(name).assignments("submit", COURSE, LAB)
        except Exception as exc:  # reported below
            errors.append(f"{name}: {exc}")

    threads = [threading.Thread(target=submit, args=(n,)) for n in ("ada", "ben")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors, errors
    assert all(r["success"] for r in results.values()), results
    term.user("cy").assignments("submit", COURSE, LAB)
    inbound = sorted(p.name.split("+")[0] for p in (term.root / "exchange" / COURSE / "inbound").iterdir())
    assert inbound == ["ada", "ben", "cy"]
    for name in STUDENTS:
        listed = term.user(name).assignments(course=COURSE)["value"]
        assert any(a["status"] == "submitted" for a in listed), listed


def test_a_student_cannot_read_another_students_work_or_submission(term):
    ben = term.user("ben")
    assert ben.server("GET", f"api/contents/{FETCHED}", owner="ada").status_code == 403
    assert ben.server("GET", "api/contents", owner="ada").status_code == 403
    home = term.root / "home" / "ada"
    for path in (home / FETCHED, term.root / "exchange" / COURSE / "inbound"):
        status, out = ben.terminal(f"ls -la {path}")
        assert status != 0 and "Permission denied" in out, out


def test_the_hub_restarts_mid_term_and_nothing_is_lost(term):
    before = sorted(p.name for p in (term.root / "exchange" / COURSE / "inbound").iterdir())
    submitted = {n: term.user(n).assignments(course=COURSE)["value"] for n in STUDENTS}
    term.hub.stop()
    left = [c for _, _, c in hubmod.processes_of(term.accounts) if "jupyterhub-singleuser" in c]
    term.hub.start()
    assert not left, f"servers still running after the hub stopped: {left}"
    term.start_servers([TEACHER, *STUDENTS])  # the tokens made before the restart still work
    assert sorted(p.name for p in (term.root / "exchange" / COURSE / "inbound").iterdir()) == before
    for name in STUDENTS:
        assert term.user(name).assignments(course=COURSE)["value"] == submitted[name]
        saved = nbformat.from_dict(term.user(name).read(FETCHED)["content"])
        assert [c.source for c in saved.cells] == [c.source for c in term.facts["work"][name].cells]


def test_a_resubmission_is_graded_and_the_earlier_one_kept(term):
    ada = term.user("ada")
    source = _source()
    fetched = nbformat.from_dict(ada.read(FETCHED)["content"])
    time.sleep(1.1)  # nbgrader's timestamps: distinct to the second at least
    ada.write_notebook(FETCHED, answered(source, fetched))
    assert ada.assignments("submit", COURSE, LAB)["success"]
    mine = sorted(p.name for p in (term.root / "exchange" / COURSE / "inbound").iterdir() if p.name.startswith("ada+"))
    assert len(mine) == 2  # both kept, told apart by their timestamps
    stamps = [
        s["timestamp"]
        for a in ada.assignments(course=COURSE)["value"]
        if a["status"] == "submitted"
        for s in a["submissions"]
    ]
    assert len(stamps) == 2 and stamps[0] != stamps[1]
    term.facts["ada_latest"] = max(stamps)


def test_the_teacher_collects_and_sees_every_submission(term):
    t = term.user(TEACHER)
    r = t.formgrader("POST", COURSE, f"assignment/{LAB}/collect")
    assert r.status_code == 200 and r.json()["success"], r.text[:2000]
    status, out = t.terminal(f"cat submitted/ada/{LAB}/timestamp.txt; echo; ls submitted", service=COURSE)
    assert status == 0
    assert term.facts["ada_latest"][:19] in out, out  # the later submission, to the second
    assert set(STUDENTS) <= set(out.split())


def test_the_teacher_autogrades_with_the_courses_grading(term):
    t = term.user(TEACHER)
    status, out = t.terminal(f"python -m pageturn.grading grade {LAB} --course .", service=COURSE, timeout=900)
    assert status == 0, out[-3000:]
    status, text = t.terminal(f"cat grades_{LAB}.csv", service=COURSE)
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(text[text.index("student,") :]))}
    auto = _auto_points(_source())
    for n in STUDENTS:
        assert rows[n]["status"] == "graded", (rows[n], out[-3000:])
    scores = {n: float(rows[n]["score"]) for n in STUDENTS}
    assert scores["ada"] == auto, rows["ada"]  # the resubmission (right) was graded, not the draft
    assert 0 < scores["ben"] < auto, rows["ben"]
    assert scores["cy"] == 0, rows["cy"]  # the always-equal object scores nothing
    term.facts["auto"] = scores
    listed = t.formgrader("GET", COURSE, f"submissions/{LAB}").json()
    assert {s["student"] for s in listed} >= set(STUDENTS)
    assert all(s["autograded"] for s in listed if s["student"] in STUDENTS)


def test_the_teacher_grades_the_written_answer_by_hand(term):
    t = term.user(TEACHER)
    notebooks = t.formgrader("GET", COURSE, f"submitted_notebooks/{LAB}/{LAB}").json()
    by_student = {nb["student"]: nb for nb in notebooks}
    assert set(STUDENTS) <= set(by_student)
    for name, points in MANUAL.items():
        grades = t.formgrader("GET", COURSE, "grades", params={"submission_id": by_student[name]["id"]}).json()
        (written,) = [g for g in grades if g["name"] == WRITTEN]
        r = t.formgrader("PUT", COURSE, f"grade/{written['id']}", json={"manual_score": points})
        assert r.status_code == 200 and r.json()["manual_score"] == points
    after = {nb["student"]: nb for nb in t.formgrader("GET", COURSE, f"submitted_notebooks/{LAB}/{LAB}").json()}
    for name, points in MANUAL.items():
        assert after[name]["score"] == pytest.approx(term.facts["auto"][name] + points)
        assert not after[name]["needs_manual_grade"]


def test_feedback_is_generated_and_released(term):
    t = term.user(TEACHER)
    for step in ("generate_feedback", "release_feedback"):
        r = t.formgrader("POST", COURSE, f"assignment/{LAB}/{step}")
        assert r.status_code == 200 and r.json()["success"], f"{step}: {r.text[:2000]}"


def test_each_student_fetches_their_own_feedback_without_hidden_tests(term):
    hidden = hidden_lines(_source())
    assert len(hidden) > 5
    for name in STUDENTS:
        u = term.user(name)
        u.assignments("fetch_feedback", COURSE, LAB)
        folder = f"{COURSE}/{LAB}/feedback"
        (stamp,) = [e["name"] for e in u.read(folder)["content"] if e["type"] == "directory"]
        page = u.read(f"{folder}/{stamp}/{LAB}.html")["content"]
        assert not leaked(page, hidden), f"{name}'s feedback shows hidden tests: {leaked(page, hidden)[:3]}"
        total = term.facts["auto"][name] + MANUAL[name]
        found = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", page)
        assert found and float(found.group(1)) == pytest.approx(total), (name, found and found.group(0))
    # ben's feedback is ben's: ada's server has only hers, and ben cannot open ada's
    assert term.user("ben").server("GET", f"api/contents/{COURSE}/{LAB}/feedback", owner="ada").status_code == 403
    status, out = term.user("ben").terminal(f"ls {term.root / 'exchange' / COURSE / 'feedback'}")
    assert status != 0 and "Permission denied" in out, out


def test_odd_student_ids_get_a_clear_error(term):
    assert term.user(TEACHER).api("POST", "/users", json={"usernames": ["newkid"]}).status_code == 403  # not admin
    admin = term.user(hubmod.ADMIN)
    r = admin.api("POST", "/users", json={"usernames": ["Ada Lovelace", "../ben"]})
    assert r.status_code == 400 and "Invalid usernames" in r.json()["message"], r.text
    import requests

    s = requests.Session()
    s.get(f"{term.hub.url}/hub/login", timeout=30)
    r = s.post(
        f"{term.hub.url}/hub/login",
        allow_redirects=False,
        timeout=30,
        data={"username": "Ada Lovelace", "password": term.password, "_xsrf": s.cookies.get("_xsrf")},
    )
    assert r.status_code == 403 and "Invalid username or password" in r.text
    with pytest.raises(ValueError, match="'Ada Lovelace'"):
        hubmod.prepare(term.root / "unused", [hubmod.Course(COURSE, ["tess"], ["Ada Lovelace"])])
    with pytest.raises(HubError):
        type(admin)(term.hub.url, "ada", "not the password")
    assert not (term.root / "unused").exists()
    assert Path(term.root / "exchange").stat().st_mode & 0o1777 == 0o1777


def test_a_students_validate_button_says_what_grading_will_do(term):
    """The Validate button on a student's server (pageturn.grading.validate_server) finds the lab's
    student copy in the exchange (``<course>/outbound``) and says what grading will do with a pasted cell."""
    from gradingkit import pasted_twice

    ben = term.user("ben")
    nb = pasted_twice(nbformat.from_dict(ben.read(FETCHED)["content"]))
    folder = f"{COURSE}/scratch"
    assert ben.server("PUT", f"api/contents/{folder}", json={"type": "directory"}).status_code in (200, 201)
    ben.write_notebook(f"{folder}/{LAB}.ipynb", nb)
    try:
        r = ben.server("POST", "assignments/validate", json={"path": f"{folder}/{LAB}.ipynb"})
        assert r.status_code == 200, r.text[:2000]
        answer = r.json()
        assert any(n.startswith("cells pasted twice") for n in answer.get("notes", [])), str(answer)[:2000]
        assert "Duplicate grade id" not in answer["value"]
    finally:
        ben.server("DELETE", f"api/contents/{folder}/{LAB}.ipynb")
        ben.server("DELETE", f"api/contents/{folder}")
