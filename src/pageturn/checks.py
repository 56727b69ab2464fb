"""Argument checks shared by the engine.

Every public function of :mod:`pageturn` validates its arguments with these
helpers, so a learner who passes a bad value gets one clear ``ValueError``
that names the argument, the value and what was expected, instead of a
traceback from deep inside numpy.
"""

from __future__ import annotations

import math
import numbers


def is_number(value) -> bool:
    """True if ``value`` is a real number (int, float, numpy number), but not a bool.

    ``True`` is a number to Python arithmetic, but an answer that is a bool is a
    yes/no, not a measurement (``numpy.True_`` is no :class:`numbers.Real` at all).
    NaN and infinity count as numbers here: say what is wrong with them separately.

    >>> is_number(3), is_number(0.25), is_number(float("nan"))
    (True, True, True)
    >>> is_number(True), is_number("3"), is_number(None)
    (False, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_bool(value) -> bool:
    """True if ``value`` is a real yes/no: Python's ``bool`` or numpy's ``bool_``, nothing else.

    ``1`` and ``"True"`` are not answers of this kind, and neither is a list.

    >>> import numpy as np
    >>> is_bool(True), is_bool(np.bool_(False))
    (True, True)
    >>> is_bool(1), is_bool("True"), is_bool(None)
    (False, False, False)
    """
    import numpy as np

    return type(value) in (bool, np.bool_)


def number(
    name: str,
    value,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> float:
    """Return ``value`` as a float (or int) after checking it is a finite number in range.

    ``low``/``high`` are inclusive bounds unless ``low_open``/``high_open`` is set.

    >>> number("weeks", 13, low=1, integer=True)
    13
    >>> number("failure_rate", 1.5, low=0, high=1)
    Traceback (most recent call last):
    ...
    ValueError: failure_rate must be in [0, 1], got 1.5

    Raises:
        ValueError: naming ``name``, the value received and the allowed range,
            when the value is not a real number, is NaN or infinite, is not a
            whole number although ``integer`` is set, or lies outside the range.
    """
    if not is_number(value):
        raise ValueError(
            f"{name} must be a number{_range_text(low, high, low_open, high_open)}, "
            f"got {value!r} ({type(value).__name__})"
        )
    as_float = float(value)
    if math.isnan(as_float) or math.isinf(as_float):
        raise ValueError(f"{name} must be a finite number{_range_text(low, high, low_open, high_open)}, got {value!r}")
    if integer and as_float != int(as_float):
        raise ValueError(f"{name} must be a whole number{_range_text(low, high, low_open, high_open)}, got {value!r}")
    too_low = low is not None and (as_float <= low if low_open else as_float < low)
    too_high = high is not None and (as_float >= high if high_open else as_float > high)
    if too_low or too_high:
        raise ValueError(f"{name} must be{_range_text(low, high, low_open, high_open)}, got {value!r}")
    return int(as_float) if integer else as_float


def choice(name: str, value, allowed) -> object:
    """Return ``value`` if it is one of ``allowed``.

    >>> choice("view", "teacher", ("student", "teacher"))
    'teacher'
    >>> choice("view", "admin", ("student", "teacher"))
    Traceback (most recent call last):
    ...
    ValueError: view must be one of 'student', 'teacher'; got 'admin'

    Raises:
        ValueError: naming ``name``, the value and the allowed choices.
    """
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def _range_text(low, high, low_open, high_open) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f" {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f" {'<' if high_open else '<='} {high:g}"
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    return f" in {left}{low:g}, {high:g}{right}"
