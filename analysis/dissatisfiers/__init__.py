"""Dissatisfiers and non-linear effects: penalty-reward contrast analysis per group.

:mod:`analysis.dissatisfiers.contrast` holds the pure statistics (dummy coding, the
regression, the classification, the bootstrap within a group);
:func:`analysis.dissatisfiers.analyse.analyse_dissatisfiers` applies them to a study.
"""
