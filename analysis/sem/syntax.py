"""Parse lavaan model syntax into flat statements.

Supported: ``=~`` (loadings), ``~`` (regressions), ``~~`` (variances and
covariances), ``~ 1`` (intercepts / means), several left- or right-hand terms
joined by ``+``, modifiers before a variable (``1*x1`` fixed value, ``NA*x1``
free, ``a*x1`` label, ``start(0.5)*x1`` start value, ``c(1, NA)*x1`` one value per
group), comments starting with ``#`` or ``!``, statements separated by new lines
or ``;``, and formulas continued over several lines (a line without an operator
continues the previous one, as in lavaan).

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36. (Section "The model syntax".)

Example
-------
>>> stmts = parse_syntax("visual =~ x1 + a*x2 + NA*x3  # comment")
>>> [(s.lhs, s.op, s.rhs, s.modifier.label) for s in stmts]
[('visual', '=~', 'x1', None), ('visual', '=~', 'x2', ('a',)), ('visual', '=~', 'x3', None)]
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from analysis.common.errors import ModelError

_UNSUPPORTED_OPS = ("<~", "~*~", "==", ":=", "|", "<", ">")
# Longest operators first so that "=~" is not read as "~".
_OP_PATTERN = re.compile(r"=~|<~|~\*~|~~|==|:=|~|\||<|>")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Modifier:
    """What a term's prefix says about one parameter.

    Each field is ``None`` when not given, else a tuple with one entry (same for
    every group) or one entry per group (from ``c(...)``).  In ``fixed`` an entry
    is a float (fixed value) or ``nan`` (explicitly free, from ``NA``).
    """

    fixed: tuple[float, ...] | None = None
    start: tuple[float, ...] | None = None
    label: tuple[str, ...] | None = None

    def merge(self, other: "Modifier", where: str) -> "Modifier":
        """Combine the modifiers of a term given twice (``NA*x1 + a*x1``)."""
        out = {}
        for name in ("fixed", "start", "label"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine is not None and theirs is not None and not _same(mine, theirs):
                raise ModelError(f"{where}: conflicting {name} modifiers {mine} and {theirs}")
            out[name] = mine if mine is not None else theirs
        return Modifier(**out)


def _same(a: tuple, b: tuple) -> bool:
    if len(a) != len(b):
        return False
    return all((isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
               or x == y for x, y in zip(a, b))


@dataclass(frozen=True)
class Statement:
    """One model element: ``lhs op rhs`` with its modifier.

    ``op`` is one of ``"=~"``, ``"~"``, ``"~~"`` or ``"~1"`` (intercept, ``rhs`` empty).
    ``line`` is the 1-based line of the syntax where the formula starts.
    """

    lhs: str
    op: str
    rhs: str
    modifier: Modifier
    line: int
    text: str


def _strip_comment(line: str) -> str:
    # '#' and '!' start a comment unless inside quotes.
    out, quote = [], None
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif ch in "#!":
            break
        else:
            out.append(ch)
    return "".join(out)


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _logical_lines(syntax: str) -> list[tuple[int, str]]:
    """Comment-free statements with their starting line number."""
    pieces: list[tuple[int, str]] = []
    for number, raw in enumerate(syntax.splitlines(), start=1):
        for piece in _strip_comment(raw).split(";"):
            if piece.strip():
                pieces.append((number, piece.strip()))
    merged: list[tuple[int, str]] = []
    for number, text in pieces:
        continues = merged and (_OP_PATTERN.search(text) is None
                                or merged[-1][1].rstrip().endswith(("+", "*")))
        if continues:
            merged[-1] = (merged[-1][0], merged[-1][1] + " " + text)
        elif _OP_PATTERN.search(text) is None:
            raise ModelError(f"line {number}: '{text}' has no operator (=~, ~, ~~)")
        else:
            merged.append((number, text))
    return merged


def _parse_value(token: str, where: str) -> tuple[str, float | str]:
    """Classify one modifier value: ('fixed', x), ('free', nan) or ('label', s)."""
    token = token.strip()
    if token in ("NA", "na", "NaN"):
        return "free", math.nan
    if _NUMBER.match(token):
        return "fixed", float(token)
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return "label", token[1:-1]
    if _NAME.match(token):
        return "label", token
    raise ModelError(f"{where}: cannot read modifier '{token}'")


def _parse_modifier(parts: list[str], where: str) -> Modifier:
    fixed = start = label = None
    for part in parts:
        part = part.strip()
        call = re.match(r"^(c|start|label|equal)\s*\((.*)\)$", part, flags=re.S)
        if call and call.group(1) == "start":
            values = tuple(_parse_value(v, where) for v in _split_top(call.group(2), ","))
            if any(kind != "fixed" for kind, _ in values):
                raise ModelError(f"{where}: start() needs numbers, got '{part}'")
            start = tuple(float(v) for _, v in values)
            continue
        if call and call.group(1) in ("label", "equal"):
            label = tuple(str(_parse_value(v, where)[1]) for v in _split_top(call.group(2), ","))
            continue
        values = ([_parse_value(v, where) for v in _split_top(call.group(2), ",")]
                  if call else [_parse_value(part, where)])
        kinds = {kind for kind, _ in values}
        if kinds <= {"fixed", "free"}:
            fixed = tuple(float(v) for _, v in values)
        elif kinds == {"label"}:
            label = tuple(str(v) for _, v in values)
        else:
            raise ModelError(f"{where}: mixing labels and values in '{part}' is not supported")
    return Modifier(fixed=fixed, start=start, label=label)


def _parse_term(term: str, where: str, allow_intercept: bool) -> tuple[str, Modifier]:
    pieces = _split_top(term.strip(), "*")
    name = pieces[-1].strip()
    if name == "1" and allow_intercept:
        name = ""
    elif not _NAME.match(name):
        raise ModelError(f"{where}: '{term.strip()}' is not a variable name")
    return name, _parse_modifier(pieces[:-1], where)


def parse_syntax(syntax: str) -> list[Statement]:
    """Parse lavaan model syntax into a list of :class:`Statement`.

    Parameters
    ----------
    syntax : str
        Model in lavaan syntax.

    Returns
    -------
    list of Statement
        One statement per ``lhs op rhs`` element, in the order written; a term
        written twice is merged (its modifiers combined).

    Raises
    ------
    ModelError
        For an empty model, unknown or unsupported operators, malformed terms;
        the message names the line.
    """
    if not isinstance(syntax, str) or not syntax.strip():
        raise ModelError("the model syntax is empty")
    statements: list[Statement] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, text in _logical_lines(syntax):
        where = f"line {number}"
        match = _OP_PATTERN.search(text)
        op = match.group(0)
        if op in _UNSUPPORTED_OPS:
            raise ModelError(f"{where}: operator '{op}' is not supported (use =~, ~, ~~ or ~ 1)")
        lhs_text, rhs_text = text[:match.start()], text[match.end():]
        if _OP_PATTERN.search(rhs_text):
            raise ModelError(f"{where}: more than one operator in '{text}'")
        lhs_names = [t.strip() for t in lhs_text.split("+")]
        if not all(_NAME.match(n) for n in lhs_names):
            raise ModelError(f"{where}: left-hand side '{lhs_text.strip()}' is not a variable name")
        if op == "=~" and len(lhs_names) > 1:
            raise ModelError(f"{where}: a loading formula (=~) needs one latent variable on the left")
        terms = _split_top(rhs_text, "+")
        if any(not t.strip() for t in terms):
            raise ModelError(f"{where}: empty term in '{text}' (dangling '+'?)")
        for lhs in lhs_names:
            for term in terms:
                rhs, modifier = _parse_term(term, where, allow_intercept=(op == "~"))
                this_op = "~1" if (op == "~" and rhs == "") else op
                if this_op == "=~" and rhs == lhs:
                    raise ModelError(f"{where}: '{lhs}' cannot be an indicator of itself")
                key = (lhs, this_op, rhs)
                if this_op == "~~" and (rhs, "~~", lhs) in seen:
                    key = (rhs, "~~", lhs)
                if key in seen:
                    idx = seen[key]
                    old = statements[idx]
                    statements[idx] = Statement(old.lhs, old.op, old.rhs,
                                                old.modifier.merge(modifier, where),
                                                old.line, old.text)
                    continue
                seen[key] = len(statements)
                statements.append(Statement(lhs, this_op, rhs, modifier, number, text))
    if not statements:
        raise ModelError("the model syntax is empty (only comments)")
    return statements
