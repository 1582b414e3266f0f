"""Turn result structures into JSON-ready Python objects.

Results hold numpy scalars, pandas missing values and NaN; JSON has none of these.
:func:`jsonable` maps them to plain ``int``/``float``/``bool``/``None`` so that the
documents written with ``--json`` are valid JSON (no ``NaN``) that any tool can read.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd


def jsonable(value):
    """A copy of ``value`` with only JSON types: NaN/NA become None, numpy scalars plain.

    Examples
    --------
    >>> jsonable({"a": np.float64("nan"), "b": [np.int64(2), pd.NA], "c": (1.5, np.bool_(True))})
    {'a': None, 'b': [2, None], 'c': [1.5, True]}
    >>> jsonable([pd.NaT, np.datetime64("2024-01-02"), pd.Timedelta(seconds=90)])
    [None, '2024-01-02T00:00:00', 90.0]
    """
    kind = type(value)
    # the common cases first, by exact type (subclasses such as numpy.float64 take the general way below)
    if kind is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if kind is str or kind is int:
        return value
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if kind is list:
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, np.datetime64) and np.isnat(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, (pd.Timedelta, np.timedelta64)):
        return pd.Timedelta(value).total_seconds()
    return value
