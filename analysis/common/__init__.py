"""Pieces every statistics package shares.

* :mod:`~analysis.common.errors` -- the project's error hierarchy (every error a user can cause);
* :mod:`~analysis.common.options` -- every user-facing option declared once, checked at the entry points;
* :mod:`~analysis.common.groups` -- the names of the whole sample (``ALL``) and of "the rest" (``REST``);
* :mod:`~analysis.common.threads` -- the BLAS thread limit for many small fits;
* :mod:`~analysis.common.versions` -- the toolkit's version, as results record it;
* :mod:`~analysis.common.thresholds` -- the cited rules of thumb every reported figure is judged against;
* :mod:`~analysis.common.serialize` -- result structures as JSON-ready Python objects;
* :mod:`~analysis.common.outputs` -- checks and writers for the files the toolkit creates.
"""
