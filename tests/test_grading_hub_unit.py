"""The hub's copy of a course is a whole course of its own (fast, without a hub: tests/hub/ runs the real one).

The grader account's copy (``~/pageturn/grading``) gets ``course.toml`` and ``data/`` beside it, so its
``nbgrader_config.py`` reads the course id from the copy, and a lab graded there finds its datasets,
without the repository this package was installed from."""

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from pageturn.grading import hub
from thiscourse import ROOT


def test_the_grader_s_copy_reads_its_own_manifest_and_data(tmp_path):
    repo = tmp_path / "repo"
    (repo / "grading" / "source").mkdir(parents=True)
    shutil.copyfile(ROOT / "grading" / "nbgrader_config.py", repo / "grading" / "nbgrader_config.py")
    real_id = (ROOT / "course.toml").read_text()
    (repo / "course.toml").write_text(real_id.replace('id = "', 'id = "copied-', 1))
    (repo / "data").mkdir()
    shutil.copyfile(ROOT / "data" / "deploys.csv", repo / "data" / "deploys.csv")
    (repo / "grading" / "gradebook.db").write_text("the teacher's grades stay behind")

    dest = tmp_path / "home" / "grader" / "pageturn" / "grading"
    hub.copy_course(repo / "grading", dest, pwd.getpwuid(os.getuid()))

    assert not (dest / "gradebook.db").exists()
    code = (
        "import traitlets.config, runpy\n"
        "from pageturn.course import data, manifest\n"
        "c = traitlets.config.Config()\n"
        "runpy.run_path('nbgrader_config.py', {'get_config': lambda: c})\n"
        "print(c.CourseDirectory.course_id, manifest.root(), data.folder())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PAGETURN_ROOT", "PAGETURN_DATA"}}
    out = subprocess.run([sys.executable, "-c", code], cwd=dest, env=env, capture_output=True, text=True, check=True)
    course_id, root, data_folder = out.stdout.split()
    assert course_id.startswith("copied-"), "the copy's nbgrader_config.py read the repository's course.toml"
    assert Path(root) == dest.parent
    assert Path(data_folder) == dest.parent / "data"
