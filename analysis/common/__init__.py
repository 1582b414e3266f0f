"""Pieces every statistics package shares: option checks, cited thresholds, JSON-ready values, output files.

* :mod:`~analysis.common.checks` -- checks of options several entry points take (``level``);
* :mod:`~analysis.common.thresholds` -- the cited rules of thumb every reported figure is judged against;
* :mod:`~analysis.common.serialize` -- result structures as JSON-ready Python objects;
* :mod:`~analysis.common.outputs` -- checks and writers for the files the toolkit creates.
"""
