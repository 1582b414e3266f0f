"""Names of the groups every result table uses.

A result has one row block per group (the values of the ``by`` column) and one for the
whole sample, called :data:`ALL`; so a group of the data may not carry that name (the
entry points refuse it). Group differences compare a group with :data:`REST`, all other
groups pooled.
"""
from __future__ import annotations

ALL = "all"
REST = "rest"
