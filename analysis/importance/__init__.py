"""Driver importance from one sample: regression, relative importance and dominance.

* :mod:`~analysis.importance.driver_data` -- the checked input (respondent rows or a covariance matrix);
* :mod:`~analysis.importance.regression` -- OLS of the outcome on the drivers, HC3 errors, betas, VIFs;
* :mod:`~analysis.importance.relative` -- LMG shares, relative weights, Pratt's measure;
* :mod:`~analysis.importance.dominance` -- complete, conditional and general dominance;
* :mod:`~analysis.importance.subsets` -- the ``2**p`` driver subsets and their R² in a batch.
"""
