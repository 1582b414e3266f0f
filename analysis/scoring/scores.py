"""Item keying, construct scores and performance on a 0-100 scale.

Every analysis starts here, so that the scoring rule is defined once:

* reverse-keyed items are recoded (``min + max - answer``) so that a high value always
  means a better experience;
* a construct score is the mean of the answered items of that construct when at least
  half of its items are answered (2 of 4, 2 of 3), and missing otherwise; 'not
  applicable' answers are missing (the reader has already turned them into NaN);
* performance is the construct score rescaled to 0-100 (scale minimum 0, maximum 100).

The half-rule is the usual prorated-mean rule for short summated scales (e.g. Schafer &
Graham 2002 discuss its assumptions): it keeps respondents who skipped one item while
not scoring a construct from a single answer.

References
----------
Schafer, J. L., & Graham, J. W. (2002). Missing data: our view of the state of the art.
    *Psychological Methods*, 7(2), 147-177.
"""
from __future__ import annotations

import math

import pandas as pd

from analysis.common.errors import DataError, ServiceDriversError
from instrument import Instrument

MIN_ANSWERED_SHARE = 0.5


def keyed_items(data: pd.DataFrame, inst: Instrument, items: list[str] | None = None) -> pd.DataFrame:
    """Item answers with reverse-keyed items recoded, as floats (NaN for missing).

    Parameters
    ----------
    data : DataFrame
        Clean responses from :func:`instrument.read_responses` (one column per item id).
    inst : Instrument
    items : list of str, optional
        Item ids; all scale items of the instrument by default.

    Returns
    -------
    DataFrame
        Same index as ``data``, one float column per item.

    Examples
    --------
    >>> import pandas as pd
    >>> from instrument import load_instrument
    >>> inst = load_instrument()
    >>> keyed_items(pd.DataFrame({"ckn3": [1, 7]}), inst, ["ckn3"])["ckn3"].tolist()
    [7.0, 1.0]
    """
    ids = items if items is not None else inst.item_ids
    missing = [i for i in ids if i not in data.columns]
    if missing:
        raise DataError(
            f"the data has no column for item(s) {', '.join(missing)}; read the file with "
            "instrument.read_responses so that every item column exists"
        )
    out = data[ids].apply(pd.to_numeric, errors="coerce").astype(float)
    for item_id in ids:
        item = inst.item(item_id)
        if item.reverse:
            scale = inst.scale(item.scale)
            out[item_id] = scale.min + scale.max - out[item_id]
    return out


def min_answered(n_items: int, share: float = MIN_ANSWERED_SHARE) -> int:
    """How many of ``n_items`` must be answered for a construct score (at least half)."""
    return max(1, math.ceil(n_items * share))


def construct_scores(
    data: pd.DataFrame,
    inst: Instrument,
    constructs: list[str] | None = None,
    min_share: float = MIN_ANSWERED_SHARE,
) -> pd.DataFrame:
    """Construct scores: the mean of the answered (keyed) items.

    Parameters
    ----------
    data : DataFrame
        Clean responses.
    inst : Instrument
    constructs : list of str, optional
        Construct keys; all constructs (drivers and satisfaction) by default.
    min_share : float, default 0.5
        Share of a construct's items that must be answered; otherwise the score is NaN.

    Returns
    -------
    DataFrame
        One float column per construct key, on the items' scale (1-7).

    Examples
    --------
    >>> import pandas as pd
    >>> from instrument import load_instrument
    >>> inst = load_instrument()
    >>> row = {i: float("nan") for i in inst.item_ids}
    >>> row.update(rel1=6, rel2=4)
    >>> float(construct_scores(pd.DataFrame([row]), inst, ["reliability"]).iloc[0, 0])
    5.0
    """
    if not 0 < min_share <= 1:
        raise ServiceDriversError(f"min_share must be in (0, 1], got {min_share}")
    keys = constructs if constructs is not None else [c.key for c in inst.constructs]
    scores = {}
    for key in keys:
        ids = inst.construct(key).item_ids
        items = keyed_items(data, inst, ids)
        answered = items.notna().sum(axis=1)
        scores[key] = items.mean(axis=1).where(answered >= min_answered(len(ids), min_share))
    return pd.DataFrame(scores, index=data.index)


def performance(scores: pd.DataFrame | pd.Series, scale_min: float = 1, scale_max: float = 7):
    """Rescale construct scores to 0-100 (``scale_min`` -> 0, ``scale_max`` -> 100)."""
    if scale_max <= scale_min:
        raise ServiceDriversError(f"scale_max ({scale_max}) must exceed scale_min ({scale_min})")
    return (scores - scale_min) / (scale_max - scale_min) * 100.0


def scale_range(inst: Instrument, construct: str) -> tuple[int, int]:
    """The (min, max) answer codes of a construct's items."""
    scale = inst.scale(inst.construct(construct).items[0].scale)
    return scale.min, scale.max
