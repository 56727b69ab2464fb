"""Shared test set-up: nbgrader needs the environment's bin/ on PATH (it runs `alembic`)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
# Keep Jupyter's per-user state out of the learner's home while tests run.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
sys.path.insert(0, str(Path(__file__).parent))
