"""``nbgrader`` for the grading pipeline's own processes, without paying for ``rfc3987-syntax``.

``import nbformat`` imports ``jsonschema``, which builds a parser for RFC 3987 IRIs from
``rfc3987-syntax`` at import time: about 2.6 s of the 4–5 s an nbgrader process spends
starting up (STACK.md). Nothing nbgrader validates uses the ``iri`` formats, and jsonschema
skips those checks when the package cannot be imported, so this launcher blocks the import
(no replacement package: the GPL-3.0 ``rfc3987`` would not fit the MIT course). It is run as
a script (``python nbgrader_main.py ARGS``) so that nothing else is imported first.
"""

import os
import subprocess
import sys
import tempfile

sys.modules.setdefault("rfc3987_syntax", None)  # `import rfc3987_syntax` now raises ImportError

PRELOAD_ENV = "PAGETURN_FORK_PRELOAD"
"""Set by the pipeline (module names, space-separated): start the fork server now, while nbgrader imports."""

EARLY = {}


def start_fork_server_early() -> None:
    """Start :mod:`pageturn.grading.forkserver` before nbgrader is imported, so the two imports overlap;
    :func:`pageturn.grading.execute.fork_server` adopts it (``EARLY``) instead of starting another."""
    folder = tempfile.mkdtemp(prefix="pageturn-fork-")
    sock = os.path.join(folder, "s")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forkserver.py")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop(PRELOAD_ENV, None)
    modules = os.environ[PRELOAD_ENV].split()
    proc = subprocess.Popen(
        [sys.executable, script, "serve", sock, *modules],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=folder,
    )
    EARLY.update(proc=proc, socket=sock, script=script, folder=folder, modules=modules)


if __name__ == "__main__":
    if os.environ.get(PRELOAD_ENV) is not None:
        start_fork_server_early()
    from nbgrader.apps.nbgraderapp import main

    sys.argv[0] = "nbgrader"
    sys.exit(main())
