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

SCRATCH_ENV = "PAGETURN_SCRATCH_GRADEBOOK"
"""Set by the pipeline for its autograde workers, whose gradebook is a throwaway copy merged afterwards."""

GO_ENV = "PAGETURN_WAIT_FOR_GO"
"""Set by the pipeline: import nbgrader, then wait for a line ``go`` on stdin before running
(anything else, or stdin closing, exits without running)."""

EARLY = {}


def scratch_gradebook() -> None:
    """Let SQLite skip waiting for the disk (``synchronous=OFF``) on every SQLite connection
    this process opens. nbgrader commits about 40 times per student, and each commit waits
    for the disk (about 6 ms here).

    Only for a pipeline worker, whose gradebook is its own throwaway copy: SQLite still keeps
    its journal, so a worker that is killed leaves a consistent file (only a crash of the whole
    machine could lose writes, and then the copy is lost anyway). The course's gradebook is
    written by the pipeline's merge, with SQLite's usual care."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _fast(dbapi_connection, _record):
        if "sqlite" not in type(dbapi_connection).__module__:
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


def check_schemas_once() -> None:
    """nbgrader checks each grading cell's metadata with ``jsonschema.validate(metadata, schema)``,
    which checks the (never changing) schema itself against its meta-schema on every call:
    about 2 ms per cell, more than the check. Here the schema is checked once and its validator
    kept; every cell is still checked against it, with the same error (``best_match``) on failure."""
    import jsonschema
    from jsonschema.exceptions import best_match
    from nbgrader.nbgraderformat import common

    validators = {}

    def validate(instance, schema, cls=None, *args, **kwargs):
        key = id(schema)
        if key not in validators or validators[key][0] is not schema or cls or args or kwargs:
            kind = cls or jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            validator = kind(schema, *args, **kwargs)
            if cls or args or kwargs:
                error = best_match(validator.iter_errors(instance))
                if error is not None:
                    raise error
                return
            validators[key] = (schema, validator)
        error = best_match(validators[key][1].iter_errors(instance))
        if error is not None:
            raise error

    class _Jsonschema:
        """``jsonschema`` as nbgrader's metadata validator sees it."""

        ValidationError = jsonschema.ValidationError

        def __getattr__(self, name):
            return getattr(jsonschema, name)

    shim = _Jsonschema()
    shim.validate = validate
    common.jsonschema = shim


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
    if os.environ.get(SCRATCH_ENV):
        scratch_gradebook()
    check_schemas_once()
    from nbgrader.apps.nbgraderapp import main

    if os.environ.get(GO_ENV):
        import nbgrader.converters.autograde  # noqa: F401 - imported while the pipeline prepares

        import pageturn.grading.execute  # noqa: F401
        import pageturn.grading.preprocessors  # noqa: F401

        if sys.stdin.readline().strip() != "go":
            sys.exit(0)
    sys.argv[0] = "nbgrader"
    sys.exit(main())
