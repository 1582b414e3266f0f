"""Checks of a ``drivers`` run (the ``run_cli`` fixture's result), shared by the tests/test_cli_*.py files."""
from __future__ import annotations

import re


def ok(res) -> str:
    """Exit 0 and no traceback; the printed output."""
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    return res.stdout


def failed(res, code: int, *fragments: str) -> str:
    """A user error (exit 1: one line starting 'error: ') or a usage error (exit 2), no traceback.

    Returns the message with rich's box characters and line breaks flattened; every
    fragment must be in it.
    """
    assert res.exit_code == code, (res.exit_code, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr + res.stdout
    message = res.stderr.strip()
    if code == 1:
        assert message.startswith("error: ") and len(message.splitlines()) == 1, message
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", message).split())
    for fragment in fragments:
        assert fragment in flat, flat
    return flat
