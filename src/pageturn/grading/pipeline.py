"""The teacher's grading pipeline: release → collect → check → autograde (with the defences) → feedback → export.

:func:`grade` runs the real nbgrader, in this order:

1. ``nbgrader generate_assignment LAB --force`` in the course root (so the
   gradebook knows the current version of the lab);
2. collects submissions: those already in ``submitted/<student>/<lab>/``, or
   copies them from a folder (``submissions=``), or unpacks LMS zip files with
   ``nbgrader zip_collect`` (``zip_dir=``);
3. checks that each submission has a readable notebook (a row with the reason when
   not); the repairs and defences themselves run inside nbgrader, registered in the
   course's ``nbgrader_config.py`` (:mod:`pageturn.grading.preprocessors`), so every
   other way of autograding gets them too;
4. autogrades the class in parallel: ``workers`` processes, each running one
   ``nbgrader autograde`` over its share of the students in its own temporary
   copy of the course and gradebook (SQLite allows one writer at a time), then
   merges the grades into the course's gradebook with nbgrader's API, keeping
   any manual grades already given;
5. ``nbgrader generate_feedback LAB --force`` (hidden tests removed, see
   :mod:`pageturn.grading.feedback`);
6. writes ``grades_<lab>.csv`` in the course root: one row for every
   submission, graded or not, with the reason when it was not.

Command line: ``python -m pageturn.grading grade LAB [--submissions DIR | --zip DIR]``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pageturn.grading import fast_imports, notes

fast_imports()
import nbformat  # noqa: E402 - after fast_imports

from pageturn.course import manifest  # noqa: E402 - stdlib only: grading depends on no other part of the package
from pageturn.grading.release import (  # noqa: E402
    list_labs,
    nbgrader_command,
    nbgrader_env,
    python_bin_on_path,
    run_nbgrader,
)

COURSE_ID = manifest.course_id()
"""The nbgrader course id, from course.toml."""


@dataclass
class StudentResult:
    """One row of the export.

    Attributes:
        student: the student id (the folder name under ``submitted/``).
        status: ``"graded"`` or ``"not graded"``.
        score: points so far (autograded plus any manual grades given), or None when not graded.
        max_score: points available in the lab.
        needs_manual_grading: True while a manually graded answer has no grade yet.
        notes: plain-language findings (repairs, time-outs, crashes, suspicious code, why not graded).
    """

    student: str
    status: str = "not graded"
    score: float | None = None
    max_score: float | None = None
    needs_manual_grading: bool = False
    notes: list = field(default_factory=list)


@dataclass
class GradeRun:
    """What :func:`grade` did: the rows, where the export and nbgrader's log went, how long it took (seconds)."""

    lab: str
    results: list
    csv: Path
    seconds: float
    problems: list = field(default_factory=list)
    log: Path | None = None

    def table(self):
        """The summary as a pandas DataFrame, one row per student."""
        return results_frame(self.results)


def results_frame(results):
    """The rows (a list of :class:`StudentResult`) as a pandas DataFrame, notes joined with "; "."""
    import pandas as pd

    rows = [
        {
            "student": r.student,
            "status": r.status,
            "score": r.score,
            "max_score": r.max_score,
            "needs_manual_grading": r.needs_manual_grading,
            "notes": "; ".join(r.notes),
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=["student", "status", "score", "max_score", "needs_manual_grading", "notes"])


def _say(log, text):
    if log:
        log(text)


def _check_lab(course: Path, lab: str) -> None:
    known = list_labs(course)
    if lab not in known:
        raise ValueError(
            f"lab must be one of {', '.join(map(repr, known)) or '(none in ' + str(course / 'source') + ')'}; "
            f"got {lab!r}"
        )


def collect_folder(course: Path, lab: str, folder: Path, *, force: bool = False) -> list[str]:
    """Copy ``folder/<student>/<lab>/`` (or ``folder/<student>/<lab>.ipynb``) into ``course/submitted/``.

    Returns the student ids copied.

    Raises:
        ValueError: when ``folder`` is not a directory, or when a student's files already in
            ``submitted/`` differ from the new ones and ``force`` is false (nothing is copied then).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"submissions must be a folder of <student>/{lab}/ folders; got {str(folder)!r}")
    plan = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        src = student_dir / lab
        if src.is_dir():
            files = {
                p.relative_to(src): p for p in src.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts
            }
        elif (student_dir / f"{lab}.ipynb").is_file():
            files = {Path(f"{lab}.ipynb"): student_dir / f"{lab}.ipynb"}
        else:
            continue
        plan.append((student_dir.name, files))
    conflicts = []
    for student, files in plan:
        dest = course / "submitted" / student / lab
        for rel, src in files.items():
            if (dest / rel).is_file() and (dest / rel).read_bytes() != src.read_bytes():
                conflicts.append(str(dest / rel))
    if conflicts and not force:
        raise ValueError(
            "these submitted files would be replaced by different ones, so nothing was copied "
            "(use --force to replace them):\n  " + "\n  ".join(conflicts)
        )
    for student, files in plan:
        dest = course / "submitted" / student / lab
        for rel, src in files.items():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
    return [s for s, _ in plan]


def collect_zips(course: Path, lab: str, zip_dir: Path, *, force: bool = False) -> subprocess.CompletedProcess:
    """Unpack LMS downloads with ``nbgrader zip_collect``.

    Copies the ``.zip`` and ``.ipynb`` files of ``zip_dir`` into
    ``course/downloaded/<lab>/archive/`` and runs ``nbgrader zip_collect LAB``, which
    reads student ids from file names with the ``FileNameCollector.named_regexp`` of
    ``nbgrader_config.py`` (``<student>_<lab>.ipynb``) and fills ``submitted/``.

    Without ``force``, nbgrader refuses (RuntimeError) to replace a student's non-empty
    ``submitted/<student>/<lab>/`` folder; with it, that folder is cleared first.

    Raises:
        ValueError: when ``zip_dir`` is not a folder or holds no .zip/.ipynb file.
        RuntimeError: when nbgrader fails, for example "Directory not empty" without ``force``.
    """
    zip_dir = Path(zip_dir)
    files = sorted(p for p in zip_dir.iterdir() if p.suffix in (".zip", ".ipynb")) if zip_dir.is_dir() else []
    if not files:
        raise ValueError(f"zip must be a folder holding .zip (or .ipynb) files; got {str(zip_dir)!r}")
    archive = course / "downloaded" / lab / "archive"
    for derived in (archive, course / "downloaded" / lab / "extracted"):  # copies made by earlier runs
        if derived.exists():
            shutil.rmtree(derived)
    archive.mkdir(parents=True)
    for p in files:
        shutil.copyfile(p, archive / p.name)
    return run_nbgrader(["zip_collect", lab, *(["--force"] if force else [])], course)


def submitted_students(course: Path, lab: str) -> list[str]:
    """Student ids with a ``submitted/<student>/<lab>/`` folder, sorted."""
    root = Path(course) / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / lab).is_dir() and not p.name.startswith("."))


def _release(course: Path, lab: str) -> None:
    """``nbgrader generate_assignment LAB --force``, run in this process (nbgrader's converter with
    the course's config, as its API does), which saves starting another nbgrader.

    Raises:
        RuntimeError: with nbgrader's log, when it fails.
    """
    from pageturn.grading.inprocess import run_converter

    outcome = run_converter("GenerateAssignment", course, lab)
    if not outcome.get("success"):
        raise RuntimeError(
            f"nbgrader generate_assignment {lab} failed:\n{outcome.get('log', '')}\n{outcome.get('error', '')}"
        )


def _readable(path: Path) -> None:
    """Raise ValueError unless ``path`` holds a JSON notebook of format 4 (nbgrader checks the rest)."""
    import json

    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"Notebook does not appear to be JSON: {exc}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        raise ValueError("not a notebook of format 4 (no list of cells)")


def _prepare(course: Path, lab: str, students, results, log):
    """Find each student's notebook; return the ids of those nbgrader can be given.

    Only reporting happens here (a row and a reason for what cannot be graded); every repair
    and defence runs inside nbgrader's chain (:mod:`pageturn.grading.preprocessors`).
    """
    from pageturn.grading.preprocessors import ambiguous_note, candidates

    ready = []
    for student in students:
        folder = course / "submitted" / student / lab
        path = folder / f"{lab}.ipynb"
        row = results[student]
        if not path.is_file():
            found = candidates(folder, lab)
            if len(found) > 1:
                row.notes.append(ambiguous_note(lab, found))
                continue
            if not found:
                others = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
                row.notes.append(
                    f"not graded: no {lab}.ipynb in submitted/{student}/{lab}/"
                    + (f" (found: {', '.join(others)})" if others else " (the folder is empty)")
                )
                continue
            path = folder / found[0]  # graded as the lab by nbgrader's pre_convert_hook
        try:
            _readable(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file becomes a row, not a crash
            row.notes.append(
                f"not graded: {path.name} is not a readable notebook ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:120] if str(exc) else ''})"
            )
            continue
        ready.append(student)
    _say(log, f"  {len(ready)} of {len(students)} submissions are readable notebooks")
    return ready


def copy_course(course: Path, root: Path, labs, *, config: Path | None = None) -> Path:
    """Make ``root`` an nbgrader course of its own and return it.

    It gets ``course``'s ``nbgrader_config.py`` (or the file ``config``) and the
    ``source/<lab>`` folder of each of ``labs`` (a lab already there is kept).
    """
    root = Path(root)
    (root / "source").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config or Path(course) / "nbgrader_config.py", root / "nbgrader_config.py")
    for lab in labs:
        if not (root / "source" / lab).exists():
            shutil.copytree(
                Path(course) / "source" / lab,
                root / "source" / lab,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
            )
    return root


def _worker_course(course: Path, lab: str, root: Path, students) -> Path:
    copy_course(course, root, [lab])
    shutil.copyfile(course / "gradebook.db", root / "gradebook.db")
    if (course / "release" / lab).is_dir():
        shutil.copytree(course / "release" / lab, root / "release" / lab)
    for student in students:
        src = course / "submitted" / student / lab
        dest = root / "submitted" / student / lab
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


def _launch(course, lab, k, notebook_timeout, tmp, *, fork=True, prefix="worker"):
    """Start ``k`` ``nbgrader autograde`` processes in empty folders under ``tmp``; return
    ``[(proc, root, logfile)]``. Each imports nbgrader (about 1.5 s), then waits for a line
    ``go`` on its stdin (:mod:`pageturn.grading.nbgrader_main`), so the pipeline can release and
    collect meanwhile and fill each folder (:func:`_dispatch`). ``fork`` forks each kernel from a
    warm server."""
    from pageturn.grading.execute import PRELOAD
    from pageturn.grading.nbgrader_main import GO_ENV
    from pageturn.grading.sanitize import code_imports

    source = nbformat.read(course / "source" / lab / f"{lab}.ipynb", as_version=4)
    preload = list(dict.fromkeys((*PRELOAD, *code_imports(source))))  # the teacher's notebook, not a student's
    launched = []
    for i in range(k):
        root = Path(tmp) / f"{prefix}{i}"
        root.mkdir(parents=True)
        env = nbgrader_env()
        env[notes.PROGRESS_ENV] = str(root / "progress.txt")
        env["PAGETURN_SCRATCH_GRADEBOOK"] = "1"  # its gradebook is a copy, merged afterwards
        env[GO_ENV] = "1"
        args = [*nbgrader_command(fast=True), "autograde", lab, "--force"]
        if fork:
            # Each student's kernel is forked from a server that already imported the lab's libraries
            # (pageturn.grading.forkserver): a fresh process per student, without the start-up cost.
            env["PAGETURN_FORK_PRELOAD"] = " ".join(preload)  # fork server starts while nbgrader imports
            args.append("--BudgetedExecute.fork_kernels=True")
        if notebook_timeout:
            args.append(f"--BudgetedExecute.notebook_timeout={int(notebook_timeout)}")
        logfile = open(root / "autograde.log", "w")
        proc = subprocess.Popen(
            args,
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        launched.append((proc, root, logfile))
    return launched


def _dismiss(launched) -> None:
    """Stop processes of :func:`_launch` that got no work: their stdin ends, so they exit."""
    for proc, _root, logfile in launched:
        try:
            proc.stdin.close()
            proc.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, 9)
            proc.wait()
        logfile.close()


def _dispatch(course, lab, launched, ready, notebook_timeout, log, *, announce=True):
    """Share ``ready`` among the ``launched`` processes, fill their folders and let them run;
    wait for them (stopping any past its deadline); return ``[(root, share, killed)]``."""
    students = sorted(ready)
    k = max(1, min(len(launched), len(students)))
    shares = [students[i::k] for i in range(k)]
    _dismiss(launched[k:])
    budget = notebook_timeout or 300
    procs = []
    for (proc, root, logfile), share in zip(launched, shares):
        _worker_course(course, lab, root, share)
        try:
            proc.stdin.write(b"go\n")
            proc.stdin.close()
        except OSError:  # it died while starting: its share is graded again alone
            pass
        deadline = time.monotonic() + 120 + len(share) * (budget + 60)
        procs.append((proc, root, share, deadline, logfile))
    if announce:
        _say(log, f"  autograding {len(students)} submissions in {k} parallel nbgrader processes")
    killed = set()
    bar = _Progress(lab, len(students), procs) if log is not None else None
    for proc, root, _share, deadline, logfile in procs:
        while True:
            try:
                proc.wait(timeout=min(0.5, max(0.01, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    os.killpg(proc.pid, 9)
                    proc.wait()
                    killed.add(root)
                    break
                if bar:
                    bar.poll()
        logfile.close()
    if bar:
        bar.poll(final=True)
    return [(root, share, root in killed) for _, root, share, _, _ in procs]


def _run_workers(course, lab, ready, workers, notebook_timeout, tmp, log, *, fork=True, prefix="worker"):
    """Autograde ``ready`` in ``workers`` nbgrader processes at once, each in a course of its own
    under ``tmp``; return ``[(root, share, killed)]``."""
    k = max(1, min(workers, len(ready)))
    launched = _launch(course, lab, k, notebook_timeout, tmp, fork=fork, prefix=prefix)
    return _dispatch(course, lab, launched, ready, notebook_timeout, log, announce=prefix == "worker")


class _Progress:
    """A tqdm bar (terminal or notebook) over the workers: students done, time left, and each
    finished student's score, read from the worker's gradebook when its nbgrader reports them."""

    def __init__(self, lab, total, procs):
        from tqdm.auto import tqdm

        self.lab, self.procs, self.seen = lab, procs, set()
        self.bar = tqdm(total=total, desc=f"autograding {lab}", unit="student", dynamic_ncols=True)

    def _score(self, root, student):
        import warnings

        from nbgrader.api import Gradebook

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=COURSE_ID) as gb:
                    sub = gb.find_submission(self.lab, student)
                    return f"{float(sub.score):g} / {float(sub.max_score):g}"
        except Exception:  # noqa: BLE001 - a busy gradebook or a failed student only costs the score here
            return "not graded"

    def poll(self, final=False):
        for proc, root, share, _, _ in self.procs:
            path = root / "progress.txt"
            done = path.read_text().split() if path.is_file() else []
            if final or proc.poll() is not None:
                done = done + [s for s in share if s not in done]
            for student in done:
                if student in self.seen:
                    continue
                self.seen.add(student)
                score = self._score(root, student)
                self.bar.update(1)
                self.bar.set_postfix_str(f"{student}: {score}")
                self.bar.write(f"  graded {student}: {score}")
        if final:
            self.bar.close()


def _merge(course: Path, lab: str, root: Path, share, results) -> None:
    """Copy the worker's grades for ``share`` into the course gradebook and its autograded notebooks."""
    import warnings

    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)

    with (
        Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=COURSE_ID) as wgb,
        Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb,
    ):
        progress = root / "progress.txt"  # nbgrader's post-convert hook lists each student it finished
        finished = set(progress.read_text().split()) if progress.is_file() else set()
        for student in share:
            row = results[student]
            if student not in finished:
                # nbgrader writes the gradebook entry and the notebook before it runs the cells, so a
                # process that stops half way leaves a score of 0 that no test earned: not merged.
                row.notes.append("not graded: nbgrader stopped before it finished this notebook (see the log)")
                continue
            row.notes.extend(notes.read(root / "autograded" / student / lab / f"{lab}.ipynb"))
            try:
                wsub = wgb.find_submission(lab, student)
            except MissingEntry:
                row.notes.append("not graded: nbgrader could not autograde it (see the log named below the table)")
                continue
            autograded = root / "autograded" / student / lab
            if not (autograded / f"{lab}.ipynb").is_file():
                row.notes.append("not graded: nbgrader failed on this notebook (see the log named below the table)")
                continue
            gb.update_or_create_student(student)
            gb.update_or_create_submission(lab, student, timestamp=wsub.timestamp)
            for wnb in wsub.notebooks:
                for wgrade in wnb.grades:
                    grade = gb.find_grade(wgrade.name, wnb.name, lab, student)
                    grade.auto_score = wgrade.auto_score
                    grade.needs_manual_grade = bool(wgrade.needs_manual_grade) and grade.manual_score is None
                for wcomment in wnb.comments:
                    comment = gb.find_comment(wcomment.name, wnb.name, lab, student)
                    comment.auto_comment = wcomment.auto_comment
                snb = gb.find_submission_notebook(wnb.name, lab, student)
                snb.late_submission_penalty = wnb.late_submission_penalty
            gb.db.commit()
            dest = course / "autograded" / student / lab
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(autograded, dest)
            row.status = "graded"


def _merge_all(course, lab, done, results, problems, out) -> None:
    """Write each worker's nbgrader log to ``out`` and merge its grades into the course gradebook."""
    for root, share, killed in done:
        out.write(f"===== nbgrader autograde for {', '.join(share)}\n")
        out.write((root / "autograde.log").read_text(errors="replace"))
        if killed:
            problems.append(f"an autograde process for {', '.join(share)} ran past its time limit and was stopped")
            for s in share:
                results[s].notes.append("grading process stopped after its time limit")
    for root, share, _ in done:
        _merge(course, lab, root, share, results)


def _retry(course, lab, students, workers, notebook_timeout, tmp, log, results, problems, logpath) -> None:
    """Grade each of ``students`` once more, alone in its own nbgrader process with ordinary kernels.

    A first run can fail for a reason that is not the student's: a submission that kills its
    nbgrader process takes the rest of that process's share with it, and a kernel can fail to
    start on an overloaded machine. Alone, an innocent submission is graded and the one that
    breaks the grader is named. At most ``workers`` processes run at a time.
    """
    first = {s: list(results[s].notes) for s in students}
    for s in students:
        results[s].notes = [n for n in results[s].notes if not n.startswith("not graded: nbgrader")]
    for start in range(0, len(students), workers):
        batch = students[start : start + workers]
        # as many processes as students: each alone
        done = _run_workers(
            course, lab, batch, len(batch), notebook_timeout, tmp, None, fork=False, prefix=f"retry{start}-"
        )
        with open(logpath, "a") as out:
            out.write("===== second try, each student alone\n")
            _merge_all(course, lab, done, results, problems, out)
    for s in students:
        row = results[s]
        if row.status == "graded":
            row.notes.append("graded on a second try, alone: nbgrader's first run did not finish it (see the log)")
        else:
            stopped = any("stopped before it finished" in n for n in row.notes)
            row.notes = [n for n in first[s] if n not in row.notes] + row.notes
            row.notes.append(
                "not graded on a second try either, alone: "
                + ("this submission stops nbgrader" if stopped else "nbgrader fails on this submission")
            )


def _scores(course: Path, lab: str, results) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        max_score = float(gb.find_assignment(lab).max_score)
        for row in results.values():
            row.max_score = max_score
            if row.status != "graded":
                continue
            try:
                sub = gb.find_submission(lab, row.student)
            except MissingEntry:
                row.status = "not graded"
                row.notes.append("not graded: the submission vanished from the gradebook")
                continue
            row.score = float(sub.score)
            row.needs_manual_grading = bool(sub.needs_manual_grade)


def write_csv(run_results, path: Path) -> Path:
    """Write the rows (a list of :class:`StudentResult`) as CSV at ``path``; return ``path``."""
    results_frame(run_results).to_csv(path, index=False)
    return path


def grade(
    lab: str,
    *,
    course="grading",
    submissions=None,
    zip_dir=None,
    workers: int | None = None,
    notebook_timeout: int | None = None,
    force: bool = False,
    csv=None,
    feedback: bool = True,
    log=print,
) -> GradeRun:
    """Grade every submission of ``lab`` in ``course`` with the real nbgrader.

    Args:
        lab: a folder name in ``course/source``.
        course: the nbgrader course root (default ``grading``).
        submissions: a folder of ``<student>/<lab>/`` folders to collect first (optional).
        zip_dir: a folder of LMS zip files to collect first with ``nbgrader zip_collect`` (optional).
        workers: parallel nbgrader processes (default: the number of CPUs).
        notebook_timeout: seconds one notebook may run in all (default: the config's, 300).
        force: let collection replace submitted files that differ.
        csv: where to write the export (default ``course/grades_<lab>.csv``).
        feedback: also generate feedback HTML (default True).
        log: a function that prints progress (``print``), or None for silence.

    Returns:
        a :class:`GradeRun`; ``results`` holds one row for every submission folder.

    Raises:
        ValueError: for an unknown lab, both ``submissions`` and ``zip_dir``, a bad folder,
            ``workers`` < 1, ``notebook_timeout`` < 1, or collection that would overwrite.
        RuntimeError: when nbgrader itself cannot run (release, collection).
    """
    started = time.perf_counter()
    python_bin_on_path()  # nbgrader's gradebooks run `alembic`, beside this Python
    course = Path(course).resolve()
    _check_lab(course, lab)
    if submissions is not None and zip_dir is not None:
        raise ValueError(
            f"give submissions or zip_dir, not both; got submissions={str(submissions)!r}, zip_dir={str(zip_dir)!r}"
        )
    workers = (os.cpu_count() or 2) if workers is None else workers
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1; got {workers!r}")
    if notebook_timeout is not None and (not isinstance(notebook_timeout, int) or notebook_timeout < 1):
        raise ValueError(f"notebook_timeout must be a whole number of seconds >= 1; got {notebook_timeout!r}")

    tmpdir = tempfile.TemporaryDirectory(prefix="pageturn-grade-")
    tmp = Path(tmpdir.name)
    # The autograde processes start now and import nbgrader while this one releases and collects.
    launched = _launch(course, lab, workers, notebook_timeout, tmp)
    try:
        _say(log, f"[1/6] release: nbgrader generate_assignment {lab} --force")
        _release(course, lab)
        _say(log, "[2/6] collect submissions")
        if zip_dir is not None:
            collect_zips(course, lab, zip_dir, force=force)
        elif submissions is not None:
            collect_folder(course, lab, submissions, force=force)
        students = submitted_students(course, lab)
        _say(log, f"  {len(students)} submissions in {course / 'submitted'}/<student>/{lab}/")
        results = {s: StudentResult(student=s) for s in students}
        problems = []

        _say(log, "[3/6] check and repair submissions (the students' files are not changed)")
        ready = _prepare(course, lab, students, results, log)

        _say(log, "[4/6] autograde")
        logpath = course / f"grading_{lab}.log"
        if ready:
            todo, launched = launched, []
            done = _dispatch(course, lab, todo, ready, notebook_timeout, log)
            with open(logpath, "w") as out:
                _merge_all(course, lab, done, results, problems, out)
            again = [s for s in ready if results[s].status != "graded"]
            if again:
                _say(log, f"  {len(again)} not graded; trying each again alone, without forked kernels")
                _retry(course, lab, again, workers, notebook_timeout, tmp, log, results, problems, logpath)
                _say(log, f"  second try: {sum(results[s].status == 'graded' for s in again)} of {len(again)} graded")
    finally:
        _dismiss(launched)
        tmpdir.cleanup()
    _scores(course, lab, results)

    if feedback and any(r.status == "graded" for r in results.values()):
        _say(log, f"[5/6] feedback: nbgrader generate_feedback {lab} --force (hidden tests removed)")
        proc = run_nbgrader(["generate_feedback", lab, "--force"], course, check=False, fast=True)
        for row in results.values():
            if row.status == "graded" and not (course / "feedback" / row.student / lab / f"{lab}.html").is_file():
                row.notes.append("no feedback file was made")
        if proc.returncode != 0:
            problems.append("nbgrader generate_feedback reported errors (see its output in the log)")
            with open(logpath, "a") as out:
                out.write("===== nbgrader generate_feedback\n" + proc.stdout + proc.stderr)
    else:
        _say(log, "[5/6] feedback: nothing graded, skipped")

    csv = Path(csv) if csv is not None else course / f"grades_{lab}.csv"
    _say(log, f"[6/6] export: {csv}")
    ordered = [results[s] for s in students]
    write_csv(ordered, csv)
    return GradeRun(
        lab=lab, results=ordered, csv=csv, seconds=time.perf_counter() - started, problems=problems, log=logpath
    )
