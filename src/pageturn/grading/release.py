"""Release the graded labs: ``grading/source/<lab>/`` → ``labs/<lab>/``.

``grading/source/`` is the single source of each lab. This module runs the
real ``nbgrader generate_assignment`` (always with ``--force``: without it
nbgrader silently keeps a stale release) and copies the student version into
``labs/<lab>/``.

It never overwrites a learner's work without being told to. ``labs/.release.json``
records a SHA-256 of every file it wrote. A file in ``labs/`` that no longer
matches that record was edited by someone; the release then refuses, names the
file and leaves it alone, unless called with ``force=True`` (``make release FORCE=1``).

Command line: ``python -m pageturn.grading.release [--force] [LAB ...]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pageturn.course import manifest

MANIFEST = ".release.json"


class ReleaseConflict(RuntimeError):
    """Raised when a release would overwrite files a learner has edited."""

    def __init__(self, files):
        self.files = list(files)
        listing = "\n".join(f"  {f}" for f in self.files)
        super().__init__(
            "these files differ from the last release (a learner may have edited them), "
            f"so they were kept as they are:\n{listing}\n"
            "Copy them elsewhere if you want to keep that work, then run `make release FORCE=1` "
            "(or `python -m pageturn.grading.release --force`) to overwrite them."
        )


@dataclass
class ReleaseReport:
    """What :func:`release` did, as lists of paths relative to the labs folder."""

    written: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    removed: list = field(default_factory=list)


def nbgrader_env() -> dict:
    """The environment for running nbgrader: this Python's ``bin/`` first on PATH
    (nbgrader calls the ``alembic`` command, which lives there)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def python_bin_on_path() -> None:
    """Put this Python's ``bin/`` first on this process's PATH, when it is not on it already.

    nbgrader creates each new gradebook by running the ``alembic`` command, found on PATH; with a
    virtual environment's Python run without activating it (``.venv/bin/python -m ...``), or in
    a kernel whose PATH lacks it, that command is missing. Called before nbgrader runs in this
    process (:func:`pageturn.grading.inprocess.run_converter`, :func:`pageturn.grading.pipeline.grade`)."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def nbgrader_command(fast: bool = False) -> list[str]:
    """The command that runs nbgrader: ``python -m nbgrader``, or with ``fast`` the launcher
    that skips the ``rfc3987-syntax`` import cost (:mod:`pageturn.grading.nbgrader_main`)."""
    if fast:
        return [sys.executable, str(Path(__file__).with_name("nbgrader_main.py"))]
    return [sys.executable, "-m", "nbgrader"]


def run_nbgrader(args, course: Path, check: bool = True, fast: bool = False) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course root and return the finished process
    (``fast``: through :func:`nbgrader_command`'s fast launcher).

    Raises:
        RuntimeError: with nbgrader's output, when it fails and ``check`` is set.
    """
    proc = subprocess.run(
        [*nbgrader_command(fast), *args], cwd=course, env=nbgrader_env(), capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def list_labs(course: Path) -> list[str]:
    """The names of the labs of the nbgrader course root ``course``.

    A course root with a manifest beside it (``course/../course.toml``: this course's ``grading/``,
    and the hub's copy of it) has the manifest's labs, in course order
    (:attr:`pageturn.course.manifest.Course.lab_names`, the one owner of the list). Any other
    nbgrader course (a test's fixture course, a temporary copy made for grading) has the folders
    of ``course/source/``, sorted.

    Raises:
        ValueError: for a manifest that is not well formed.
    """
    listed = Path(course) / ".." / manifest.FILENAME
    if listed.is_file():
        return manifest.load(listed).lab_names
    source = Path(course) / "source"
    return (
        sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")) if source.is_dir() else []
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> dict[str, Path]:
    return {
        p.relative_to(folder).as_posix(): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    }


def release(labs=None, *, course="grading", out="labs", force: bool = False) -> ReleaseReport:
    """Generate the student version of each lab and copy it into ``out/<lab>/``.

    Args:
        labs: lab names (of :func:`list_labs`: the manifest's, for this course); None means all of them.
        course: the nbgrader course root.
        out: the folder learners work in.
        force: overwrite files a learner has edited.

    Raises:
        ValueError: for a lab name that is not one of the course's labs.
        FileNotFoundError: for a lab the manifest lists without a ``course/source/<lab>`` folder.
        ReleaseConflict: when files in ``out`` were edited since the last release
            and ``force`` is false. Nothing is written in that case.
        RuntimeError: when nbgrader fails.
    """
    course, out = Path(course).resolve(), Path(out).resolve()
    known = list_labs(course)
    labs = known if labs is None else list(labs)
    for lab in labs:
        if lab not in known:
            raise ValueError(f"lab must be one of {', '.join(map(repr, known)) or '(none yet)'}; got {lab!r}")
        if not (course / "source" / lab).is_dir():
            raise FileNotFoundError(f"{lab} is listed in {manifest.FILENAME} but {course / 'source' / lab} is missing")

    manifest_path = out / MANIFEST
    shipped = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}

    plan = []  # (relative name, source path or None for removal)
    conflicts = []
    for lab in labs:
        run_nbgrader(["generate_assignment", lab, "--force"], course)
        released = _files(course / "release" / lab)
        current = _files(out / lab) if (out / lab).is_dir() else {}
        for name, src in released.items():
            rel = f"{lab}/{name}"
            dest = out / rel
            if dest.is_file():
                if _sha(dest) == _sha(src):
                    plan.append((rel, None, "unchanged"))
                    continue
                if shipped.get(rel) != _sha(dest):
                    conflicts.append(rel)
            plan.append((rel, src, "write"))
        for name in current:
            rel = f"{lab}/{name}"
            if name not in released and rel in shipped:
                # A file an earlier release shipped and this one does not.
                if shipped[rel] == _sha(current[name]):
                    plan.append((rel, None, "remove"))
                else:
                    conflicts.append(rel)
    if conflicts and not force:
        raise ReleaseConflict(conflicts)

    report = ReleaseReport()
    for rel, src, action in plan:
        dest = out / rel
        if action == "unchanged":
            report.unchanged.append(rel)
            shipped[rel] = _sha(dest)
        elif action == "write":
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            shipped[rel] = _sha(dest)
            report.written.append(rel)
        elif action == "remove":
            dest.unlink()
            shipped.pop(rel, None)
            report.removed.append(rel)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(dict(sorted(shipped.items())), indent=1) + "\n")
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pageturn.grading.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("labs", nargs="*", help="labs to release (default: all in grading/source)")
    parser.add_argument("--force", action="store_true", help="overwrite files a learner has edited")
    parser.add_argument("--course", default="grading", help="nbgrader course root (default: grading)")
    parser.add_argument("--out", default="labs", help="where learners' copies go (default: labs)")
    args = parser.parse_args(argv)
    try:
        report = release(args.labs or None, course=args.course, out=args.out, force=args.force)
    except (ValueError, ReleaseConflict, RuntimeError) as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    for rel in report.written:
        print(f"released {args.out}/{rel}")
    for rel in report.removed:
        print(f"removed  {args.out}/{rel} (no longer part of the lab)")
    print(f"{len(report.written)} written, {len(report.unchanged)} already up to date, {len(report.removed)} removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
