"""Every user-facing option, declared once: its type, its limits and one message format.

An option of a public entry point (``analyse_drivers(bootstrap=...)``, ``validate(missing=...)``,
...) is checked where the call enters the library, against the constraint declared here;
a value that is not allowed raises :class:`~analysis.common.errors.OptionError` with one
message, ``"<option> must be <what is allowed>, got <value>"``. The command line checks
its flags through the same declarations (:func:`check_options`, before it reads a file)
and only adds the flag name, so ``analyse_drivers(..., bootstrap=10**9)`` and
``drivers analyse --bootstrap 1000000000`` say the same thing. The idea is
scikit-learn's ``validate_params`` (constraints declared once, one message format).

Limits that guard the memory (resamples, respondents, draws) are here, not in the CLI:
a Python call with a typo would otherwise reach the same ``MemoryError``.
"""
from __future__ import annotations

import functools
import inspect
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from analysis.common.errors import OptionError

# More resamples than this add nothing to a percentile interval and would only exhaust
# the memory (a typo such as --bootstrap 20000000000 ended in a MemoryError traceback).
MAX_BOOTSTRAP = 100_000
# Respondents per simulated organisation and Monte Carlo draws of the truth: above
# these a simulated study or its truth no longer fits in memory on a laptop (a million
# Monte Carlo draws per organisation already take over a gigabyte).
MAX_N_PER_ORG = 100_000
MAX_TRUTH_DRAWS = 1_000_000
# Fewer Monte Carlo draws than this give population values too noisy to judge an
# estimator by (0 = latent truth only).
MIN_TRUTH_DRAWS = 10_000
MAX_ORGS = 50
MAX_FREE = 50

# Choices of the analyses (their meaning is documented where they are used).
OUTCOMES = ("satisfaction", "csat", "nps", "ces")
IMPORTANCES = ("lmg", "weights", "beta", "sem")
CROSSHAIRS = ("mean", "median", "midpoint")
POOLINGS = ("none", "partial")
MISSING_METHODS = ("ml", "listwise")
# SEM estimators: normal-theory ML, ML with robust (MLR) standard errors and tests
# (analysis.sem.robust), or WLSMV for ordinal items (analysis.sem.wls).
ESTIMATORS = ("ml", "mlr", "wlsmv")
REPORT_LANGUAGES = ("nl", "en")
# The reader's choices for duplicate respondents and item columns the file lacks
# (instrument.reader.integrity explains them).
DUPLICATE_POLICIES = ("error", "drop_identical")
ABSENT_ITEM_POLICIES = ("error", "leave_out")
# Where per-group work runs (analysis.common.scheduler): these, or a Dask cluster's
# dask://HOST:PORT (HOST a name, an IPv4 address or a bracketed IPv6 address). 'auto':
# processes for large data, threads otherwise (analysis.common.scheduler.resolve_scheduler).
LOCAL_SCHEDULERS = ("threads", "processes", "auto")
DASK_ADDRESS = re.compile(r"dask://([A-Za-z0-9][A-Za-z0-9.\-_]*|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})")
# The reader's file sources and its policy for values that are not codes (instrument.reader.responses).
SOURCES = ("auto", "file", "limesurvey", "qualtrics")
INVALID_POLICIES = ("error", "missing")
# Calendar periods of the contact date that make the waves of a trend analysis (analysis.trends).
PERIODS = ("month", "quarter")
# Centre line of a trend's control chart: the earlier waves, or all waves (analysis.trends.changes.p_chart).
BASELINES = ("history", "pooled")


@dataclass(frozen=True)
class Integer:
    """A whole number (not a bool) from ``low`` to ``high`` (None: unbounded above); ``or_zero`` also allows 0."""

    low: int
    high: int | None = None
    example: int | None = None
    or_zero: bool = False

    def allowed(self) -> str:
        if self.high is None:
            text = f"a whole number of {self.low} or more"
        else:
            text = f"a whole number from {self.low} to {self.high}"
        text = ("0 or " if self.or_zero else "") + text
        return text + (f" (e.g. {self.example})" if self.example is not None else "")

    def check(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            return None
        value = int(value)
        if self.or_zero and value == 0:
            return value
        if value < self.low or (self.high is not None and value > self.high):
            return None
        return value


@dataclass(frozen=True)
class Between:
    """A real number strictly between ``low`` and ``high`` (not a bool, not NaN); ``closed``: the ends allowed."""

    low: float
    high: float
    example: float | None = None
    closed: bool = False

    def allowed(self) -> str:
        span = (f"from {self.low:g} to {self.high:g}" if self.closed else f"between {self.low:g} and {self.high:g}")
        return f"a number {span}" + (f" (e.g. {self.example:g})" if self.example is not None else "")

    def check(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
            return None
        inside = self.low <= value <= self.high if self.closed else self.low < value < self.high
        return float(value) if inside else None


@dataclass(frozen=True)
class OneOf:
    """One of a fixed tuple of strings."""

    choices: tuple[str, ...]

    def allowed(self) -> str:
        return f"one of {', '.join(self.choices)}"

    def check(self, value):
        return value if isinstance(value, str) and value in self.choices else None


@dataclass(frozen=True)
class SchedulerName:
    """Where per-group work runs (:mod:`analysis.common.scheduler`): one of ``local`` or ``dask://HOST:PORT``."""

    local: tuple[str, ...]

    def allowed(self) -> str:
        return f"{', '.join(self.local)} or dask://HOST:PORT (e.g. dask://127.0.0.1:8786)"

    def check(self, value):
        if not isinstance(value, str):
            return None
        if value in self.local:
            return value
        match = DASK_ADDRESS.fullmatch(value)
        return value if match is not None and 0 < int(match.group(2)) < 65536 else None


@dataclass(frozen=True)
class OrNone:
    """``None`` (the default: e.g. a seed drawn at random) or what ``constraint`` allows."""

    constraint: Integer | Between | OneOf

    def allowed(self) -> str:
        # None is a default, not a value one types at the command line: not offered.
        return self.constraint.allowed()

    def check(self, value):
        return None if value is None else self.constraint.check(value)


SEED = Integer(0)
# Languages of the open answers for theme coding ('auto': per answer, see analysis.themes.analyse).
ANSWER_LANGUAGES = ("auto", "nl", "en")
LEVEL = Between(0, 1, example=0.95)
# The declarations: option name -> constraint. An entry point names the options it
# takes; the limit of each is here and nowhere else.
OPTIONS: Mapping[str, Integer | Between | OneOf | SchedulerName | OrNone] = MappingProxyType({
    "bootstrap": Integer(2, MAX_BOOTSTRAP, example=2000),
    "n_resamples": Integer(2, MAX_BOOTSTRAP, example=2000),
    "seed": OrNone(SEED),
    "level": LEVEL,
    "outcome": OneOf(OUTCOMES),
    "importance": OneOf(IMPORTANCES),
    "crosshair": OneOf(CROSSHAIRS),
    "pooling": OneOf(POOLINGS),
    "missing": OneOf(MISSING_METHODS),
    "estimator": OneOf(ESTIMATORS),
    "lang": OneOf(REPORT_LANGUAGES),
    "language": OneOf(ANSWER_LANGUAGES),
    "duplicates": OneOf(DUPLICATE_POLICIES),
    "absent_items": OneOf(ABSENT_ITEM_POLICIES),
    "min_group_n": Integer(1, example=30),
    # respondents an agent needs to be shown (analysis.agents; fewer: withheld, counted)
    "min_n": Integer(1, example=10),
    "n_orgs": Integer(1, MAX_ORGS),
    "n_per_org": Integer(1, MAX_N_PER_ORG, example=375),
    "truth_draws": Integer(MIN_TRUTH_DRAWS, MAX_TRUTH_DRAWS, example=200_000, or_zero=True),
    # constraints released per invariance level by the partial-invariance search: each is
    # a refit, and more than a few released per level leaves little to call invariant
    "max_free": Integer(1, MAX_FREE, example=5),
    "scheduler": SchedulerName(LOCAL_SCHEDULERS),
    "period": OrNone(OneOf(PERIODS)),
    "n_waves": Integer(2, 12, example=4),
    "baseline": OneOf(BASELINES),
    # SD of the simulated agents' effects (latent SD units; analysis.simulation.agents): 0 = none,
    # 2 already makes an agent 2 SD above the team a common sight
    "agent_sd": Between(0, 2, example=0.3, closed=True),
})


def _shown(value) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def check_option(name: str, value, constraint=None):
    """``value`` checked against the declared constraint of option ``name``, normalised.

    ``constraint`` replaces the declared one where an entry point differs (e.g. a
    simulation's seed, which may not be None).

    Raises
    ------
    OptionError
        ``"<name> must be <what is allowed>, got <value>"``.

    Examples
    --------
    >>> check_option("bootstrap", 2000)
    2000
    >>> check_option("bootstrap", 10**9)
    Traceback (most recent call last):
    ...
    analysis.common.errors.OptionError: bootstrap must be a whole number from 2 to 100000 (e.g. 2000), got 1000000000
    """
    constraint = OPTIONS[name] if constraint is None else constraint
    checked = constraint.check(value)
    if checked is None and not (value is None and isinstance(constraint, OrNone)):
        raise OptionError(name, f"must be {constraint.allowed()}, got {_shown(value)}")
    return checked


def check_options(**values) -> dict:
    """Check several options at once (the CLI's pre-check); returns the normalised values."""
    return {name: check_option(name, value) for name, value in values.items()}


def check_level(level, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1, as a float (the ``level`` constraint, under any name).

    Any real number is accepted (Python or NumPy floats, e.g. ``np.float32(0.9)``), a
    bool or a string is not.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    """
    return check_option(name, level, LEVEL)


def validate_options(*names: str, **constraints) -> Callable:
    """Decorator: check the named arguments of a public entry point against :data:`OPTIONS`.

    The check runs before the function body, on the values as called (defaults
    included), and passes the normalised values on (``np.int64(2000)`` -> ``2000``).
    ``constraints`` (name=constraint) replace a declared constraint for this entry point.
    """
    for name in names:
        if name not in OPTIONS:
            raise KeyError(f"option {name!r} is not declared in analysis.common.options.OPTIONS")
    names = (*names, *constraints)

    def decorate(func: Callable) -> Callable:
        signature = inspect.signature(func)
        missing = [n for n in names if n not in signature.parameters]
        if missing:
            raise TypeError(f"{func.__qualname__} has no parameter(s) {', '.join(missing)}")

        @functools.wraps(func)
        def checked(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name in names:
                bound.arguments[name] = check_option(name, bound.arguments[name], constraints.get(name))
            return func(*bound.args, **bound.kwargs)

        checked.options = tuple(names)
        return checked

    return decorate


def choose(value: str, choices: Sequence[str], name: str) -> str:
    """``value`` when it is one of ``choices`` (known only at run time, e.g. the instrument's languages)."""
    if not isinstance(value, str) or value not in choices:
        raise OptionError(name, f"must be one of {', '.join(choices)}, got {_shown(value)}")
    return value
