"""From a clean response table to the numbers every analysis starts from.

* :mod:`~analysis.scoring.scores` -- item keying, construct scores (the scoring rule, once) and
  performance on a 0-100 scale;
* :mod:`~analysis.scoring.sample` -- which respondents an analysis uses and why the others are not used.
"""
