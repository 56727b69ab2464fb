"""``nbgrader`` for the grading pipeline's own processes, without paying for ``rfc3987-syntax``.

``import nbformat`` imports ``jsonschema``, which builds a parser for RFC 3987 IRIs from
``rfc3987-syntax`` at import time: about 2.6 s of the 4–5 s an nbgrader process spends
starting up (STACK.md). Nothing nbgrader validates uses the ``iri`` formats, and jsonschema
skips those checks when the package cannot be imported, so this launcher blocks the import
(no replacement package: the GPL-3.0 ``rfc3987`` would not fit the MIT course). It is run as
a script (``python nbgrader_main.py ARGS``) so that nothing else is imported first.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)      # `import rfc3987_syntax` now raises ImportError

if __name__ == "__main__":
    from nbgrader.apps.nbgraderapp import main

    sys.argv[0] = "nbgrader"
    sys.exit(main())
