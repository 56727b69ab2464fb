"""Kernel-side guard that keeps a submission from rigging the tests it is graded by.

The grading pipeline (:mod:`pageturn.grading.sanitize`) inserts two kinds of small
cells into each submission before nbgrader runs it:

* one cell at the very top, before any student code::

      import pageturn.grading.guard as _pageturn_guard; _pageturn_guard.capture([...])

  It imports the modules the tests use (``math``, ``numpy``, ``pandas``, the
  ``pageturn`` modules a hidden test imports, ...) and records every attribute
  of them, and of :mod:`builtins`, as it was before any student code ran;

* one cell before every test cell::

      _pageturn_guard.before_test()

  It puts back any of those attributes that student code replaced (for example
  ``math.isclose = lambda *a, **k: True``), removes student globals that shadow
  a protected builtin (``isinstance``, ``float``, ...) or rebind a module alias
  (``np``, ``math``, ...), and arms an IPython AST transformer for exactly the
  next cell: in that test cell every ``a == b`` becomes ``_pageturn_eq(a, b)``,
  which is ``False`` when either side claims to equal an object it has never
  seen (an "always equal" object) and is ``a == b`` otherwise.

What it repaired is printed by the guard cell, one line starting with
:data:`pageturn.grading.notes.GUARD_PREFIX` each; nbgrader's chain
(:class:`pageturn.grading.preprocessors.FinishGrading`) turns those lines into the
notebook's notes and removes the guard cells, so the teacher's summary, the
formgrader and the CLI all see the same findings.

Limits (documented in grading/README.md): a student who reads this module can
still attack the guard itself (for example by replacing ``before_test``). The
pipeline flags source text that touches ``pageturn.grading``, ``builtins``,
``sys.modules`` or ``ast_transformers`` for the teacher to look at.
"""

from __future__ import annotations

import ast
import builtins
import importlib

from pageturn.grading import notes

DEFAULT_MODULES = ("math", "operator", "statistics", "numpy", "numpy.testing", "pandas", "pandas.testing")
"""Modules whose attributes are recorded and restored, besides :mod:`builtins`."""

PROTECTED_BUILTINS = (
    "isinstance",
    "issubclass",
    "float",
    "int",
    "bool",
    "abs",
    "type",
    "len",
    "round",
    "sorted",
    "all",
    "any",
    "repr",
    "str",
    "AssertionError",
    "getattr",
    "hasattr",
)
"""Builtins a student global may not shadow while a test cell runs."""

ALIASES = {
    "np": "numpy",
    "numpy": "numpy",
    "pd": "pandas",
    "pandas": "pandas",
    "math": "math",
    "operator": "operator",
    "statistics": "statistics",
}
"""Global names that must refer to these modules while a test cell runs."""

RESTORED_BUILTINS = PROTECTED_BUILTINS + (
    "__import__",
    "min",
    "max",
    "sum",
    "list",
    "dict",
    "set",
    "tuple",
    "range",
    "zip",
    "map",
    "filter",
    "enumerate",
    "Exception",
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "hash",
    "id",
    "iter",
    "next",
)
"""Builtins put back before each test cell (others, like ``input``, are swapped by the kernel itself)."""

_state = {"captured": {}, "armed": False, "classes": {}}


class _Nobody:
    """A fresh object that nothing honest compares equal to."""

    __slots__ = ()


_NOBODY = _Nobody()


def _claims_equal_to_anything(value) -> bool:
    try:
        result = value == _NOBODY
    except Exception:  # noqa: BLE001 - anything odd is not a claim of equality
        return False
    if result is True:
        return True
    numpy_bool = _state.get("numpy_bool")
    return numpy_bool is not None and type(result) is numpy_bool and bool(result)


def strict_eq(left, right):
    """``left == right``, except ``False`` when either side equals everything.

    Returns whatever ``left == right`` returns (so numpy arrays still compare
    element by element), or ``False`` for an object that claims to equal a
    brand-new object it cannot know.
    """
    if _claims_equal_to_anything(left) or _claims_equal_to_anything(right):
        return False
    return left == right


class _StrictEquality(ast.NodeTransformer):
    """Rewrite ``a == b`` as ``_pageturn_eq(a, b)`` in one armed cell."""

    def visit(self, node):  # noqa: D401 - IPython calls visit() on each cell's module
        if isinstance(node, ast.Module):
            if not _state["armed"]:
                return node
            _state["armed"] = False
            return ast.fix_missing_locations(self.generic_visit(node))
        return super().visit(node)

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
            return ast.copy_location(
                ast.Call(
                    func=ast.Name(id="_pageturn_eq", ctx=ast.Load()), args=[node.left, node.comparators[0]], keywords=[]
                ),
                node,
            )
        return node


_TRANSFORMER = _StrictEquality()


def _note(text: str) -> None:
    print(notes.GUARD_PREFIX + text)


def capture(modules=()) -> None:
    """Import ``DEFAULT_MODULES`` plus ``modules`` and record their attributes.

    Call once, before any student code. Modules that cannot be imported are skipped.
    """
    captured = {"builtins": (builtins, {k: v for k, v in vars(builtins).items() if k in RESTORED_BUILTINS})}
    for name in (*DEFAULT_MODULES, *modules):
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional module is not an error here
            continue
        captured[name] = (module, dict(vars(module)))
    _state["captured"] = captured
    classes = {}
    pandas = captured.get("pandas", (None,))[0]
    if pandas is not None:
        for cls in (pandas.Series, pandas.DataFrame, pandas.Index):
            classes[f"pandas.{cls.__name__}"] = (cls, dict(vars(cls)))
    _state["classes"] = classes
    numpy = captured.get("numpy", (None,))[0]
    _state["numpy_bool"] = getattr(numpy, "bool_", None)
    _install()


def _install() -> None:
    try:
        shell = get_ipython()  # noqa: F821 - defined inside IPython kernels
    except NameError:
        return
    shell.ast_transformers[:] = [t for t in shell.ast_transformers if not isinstance(t, _StrictEquality)]
    shell.ast_transformers.append(_TRANSFORMER)
    _state["shell"] = shell


def _put_back(name: str, owner, saved: dict, keep) -> list[str]:
    """Set back every attribute of ``owner`` (a module or class) that differs from ``saved``
    and that ``keep(attr)`` selects; return one line per attribute put back."""
    repairs = []
    current = vars(owner)
    for attr, value in saved.items():
        if keep(attr) and current.get(attr, _NOBODY) is not value:
            try:
                setattr(owner, attr, value)
            except (AttributeError, TypeError):
                continue
            repairs.append(f"{name}.{attr} was replaced")
    return repairs


def before_test() -> list[str]:
    """Undo the student's changes to protected names and arm strict ``==`` for the next cell.

    Returns:
        the list of repairs made (also written to the notes file), e.g.
        ``["math.isclose was replaced"]``.
    """
    repairs = []
    for name, (module, saved) in _state["captured"].items():
        everything = name == "builtins"  # builtins' own dunder names are protected too
        repairs += _put_back(name, module, saved, keep=lambda attr, all_=everything: all_ or not attr.startswith("_"))
    for name, (cls, saved) in _state["classes"].items():
        repairs += _put_back(
            name,
            cls,
            saved,
            keep=lambda attr: not attr.startswith("_") or attr in ("__eq__", "__ne__", "__float__", "__getitem__"),
        )
    shell = _state.get("shell")
    if shell is not None:
        user_ns = shell.user_ns
        for name in PROTECTED_BUILTINS:
            if name in user_ns and user_ns[name] is not vars(builtins).get(name):
                del user_ns[name]
                repairs.append(f"the global name {name!r} shadowed the builtin")
        for alias, module_name in ALIASES.items():
            entry = _state["captured"].get(module_name)
            if (
                entry
                and alias in user_ns
                and user_ns[alias] is not entry[0]
                and type(user_ns[alias]).__name__ != "module"
            ):
                user_ns[alias] = entry[0]
                repairs.append(f"the global name {alias!r} no longer referred to {module_name}")
            elif (
                entry
                and alias in user_ns
                and type(user_ns[alias]).__name__ == "module"
                and user_ns[alias] is not entry[0]
                and alias in ("np", "pd", "math")
            ):
                user_ns[alias] = entry[0]
                repairs.append(f"the global name {alias!r} referred to another module")
        user_ns["_pageturn_eq"] = strict_eq
        _install()
    _state["armed"] = True
    for repair in dict.fromkeys(repairs):
        _note(repair)
    return repairs
