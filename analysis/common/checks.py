"""Checks of options that several statistics modules take, so each is written once."""
from __future__ import annotations

import math
import numbers

from analysis.common.errors import ServiceDriversError


def check_level(level, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1, as a float.

    Any real number is accepted (Python or NumPy floats, e.g. ``np.float32(0.9)``), a
    bool or a string is not.

    Raises
    ------
    ServiceDriversError
        (a ``ValueError``) naming the option and the value given.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    """
    if (isinstance(level, bool) or not isinstance(level, numbers.Real) or math.isnan(level)
            or not 0 < level < 1):
        raise ServiceDriversError(f"{name} must be between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(level)
