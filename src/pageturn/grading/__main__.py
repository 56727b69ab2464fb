"""Command line: ``python -m pageturn.grading {grade,demo,validate,bench} ...``.

Exit status: 0 when the command ran (students may still have failed); 1 when it
could not run (bad arguments, nbgrader missing or failing), or for ``validate``,
when the notebook does not pass.
"""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pageturn.grading", description="Grade the course's labs with nbgrader."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="release, collect, autograde, feedback and export one lab")
    g.add_argument("lab")
    src = g.add_mutually_exclusive_group()
    src.add_argument("--submissions", metavar="DIR", help="collect DIR/<student>/<lab>/ into submitted/ first")
    src.add_argument("--zip", metavar="DIR", help="collect the LMS zip files in DIR with nbgrader zip_collect first")
    g.add_argument("--course", default="grading", help="nbgrader course root (default: grading)")
    g.add_argument("--workers", type=int, default=None, help="parallel nbgrader processes (default: CPUs)")
    g.add_argument("--notebook-timeout", type=int, default=None, help="seconds one notebook may run (default 300)")
    g.add_argument("--force", action="store_true", help="let collection replace submitted files that differ")
    d = sub.add_parser("demo", help="grade a generated class of 20+ students in a temporary course")
    d.add_argument("--lab", action="append", help="lab(s) to grade (default: every lab, plus nothing else)")
    d.add_argument("--course", default="grading", help="take the labs' sources from this course (default: grading)")
    d.add_argument("--keep", metavar="DIR", help="build the demo course in DIR (kept) instead of a temporary folder")
    v = sub.add_parser("validate", help="nbgrader validate, exiting 1 when the notebook does not pass")
    v.add_argument("path")
    v.add_argument("--course", default="grading")
    sub.add_parser("bench", help="time the pipeline against one nbgrader autograde over the demo class")
    args = parser.parse_args(argv)

    if args.command == "grade":
        from pageturn.grading.pipeline import grade
        from pageturn.grading.report import summary

        try:
            run = grade(
                args.lab,
                course=args.course,
                submissions=args.submissions,
                zip_dir=args.zip,
                workers=args.workers,
                notebook_timeout=args.notebook_timeout,
                force=args.force,
            )
        except (ValueError, RuntimeError, FileNotFoundError) as exc:
            print(f"grade: {exc}", file=sys.stderr)
            return 1
        print()
        print(summary(run))
        return 0
    if args.command == "demo":
        from pageturn.grading.demo import run_demo

        try:
            return run_demo(labs=args.lab, keep=args.keep, course=args.course)
        except (ValueError, RuntimeError) as exc:
            print(f"demo: {exc}", file=sys.stderr)
            return 1
    if args.command == "validate":
        from pageturn.grading.validate import validate

        try:
            result = validate(args.path, course=args.course)
        except ValueError as exc:
            print(f"validate: {exc}", file=sys.stderr)
            return 1
        print(result.output)
        print("validation passed" if result.ok else "validation FAILED", file=sys.stderr)
        return 0 if result.ok else 1
    if args.command == "bench":
        from pageturn.grading.bench import measure_demo

        b = measure_demo()
        print(
            f"pipeline: {b.ours:.1f} s; one nbgrader autograde over the class: {b.peer:.1f} s; "
            f"speed-up {b.speedup:.1f}x; limit (students' cells on {b.cores} cores) {b.limit:.1f} s"
        )
        return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
