"""Per-organisation driver importance with partial pooling across organisations.

* :mod:`~analysis.pooling.moments` -- covariance matrices that use every respondent
  (phone-only drivers from the phone respondents, the common drivers from everyone);
* :mod:`~analysis.pooling.shrinkage` -- empirical-Bayes shrinkage of each organisation's
  covariance toward the pooled one (normal-inverse-Wishart, prior strength by marginal
  likelihood, per organisation at most the population's);
* :mod:`~analysis.pooling.posterior` -- draws from an organisation's posterior covariance;
* :mod:`~analysis.pooling.estimate` -- :func:`pooled_importance`: the whole estimate and a
  bootstrap within organisations that re-estimates the pooling in every replicate and
  draws from the posterior (empirical-Bayes intervals, Laird & Louis 1987).

References
----------
Efron & Morris (1975); Gelman & Hill (2007, ch. 12-13); Hoff (2009, ch. 7); Lindeman,
Merenda & Gold (1980); Grömping (2006); Morris (1983); Laird & Louis (1987). Full entries in :mod:`analysis.pooling.shrinkage`.
"""
from analysis.pooling.estimate import POOLING, PooledImportance, pooled_importance
from analysis.pooling.shrinkage import MIN_GROUPS, pool_covariances

__all__ = ["POOLING", "MIN_GROUPS", "PooledImportance", "pooled_importance", "pool_covariances"]
