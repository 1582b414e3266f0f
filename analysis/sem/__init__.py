"""Maximum-likelihood structural equation modelling (CFA, SEM, multiple groups, FIML).

Our own estimator, written to reproduce lavaan 0.6 (Rosseel, 2012) — estimates,
standard errors, fit indices and the standardized solution — for complete data
(``missing="listwise"``) and incomplete data (``missing="ml"``), with equality
constraints across groups; modification indices (``SEM.modindices``) and score
tests for releasing equality constraints (``SEM.score_tests``); robust ML
(``estimator="mlr"``) and, for ordinal items, WLSMV (``estimator="wlsmv"``:
polychoric correlations, DWLS, the mean-and-variance adjusted test; ``analysis.sem.wls``).

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.

Example
-------
>>> from analysis.sem import SEM
>>> from semopy.examples import holzinger39
>>> fit = SEM("visual =~ x1 + x2 + x3").fit(holzinger39.get_data())
>>> fit.fit_.df
0
"""
from analysis.sem.indices import FitIndices
from analysis.sem.model import SEM
from analysis.sem.problems import Problem, usable_fit
from analysis.sem.scoretest import ScoreTests
from analysis.sem.spec import GROUP_EQUAL_KINDS, ParameterTable, build_partable
from analysis.sem.syntax import parse_syntax

__all__ = ["SEM", "FitIndices", "Problem", "ParameterTable", "ScoreTests", "GROUP_EQUAL_KINDS",
           "build_partable", "parse_syntax", "usable_fit"]
