"""Model syntax and the parameter table follow lavaan's rules.

Whether the whole table matches lavaan is also checked end to end in
test_sem_lavaan.py (every parameter row, free or fixed, against lavaan's
parameterEstimates for marker, std.lv, orthogonal, labelled, multiple-group,
partial and mean-structure models); here the rules are pinned one by one.
"""
from __future__ import annotations

import math

import pytest

from analysis.sem import GROUP_EQUAL_KINDS, build_partable, parse_syntax
from analysis.sem.spec import variable_roles
from instrument.errors import ModelError
from sem_fixture_data import HS_MODEL, PD_MODEL


def rows(table, **where):
    return [r for r in table.rows if all(getattr(r, k) == v for k, v in where.items())]


def one(table, lhs, op, rhs, group=1):
    found = rows(table, lhs=lhs, op=op, rhs=rhs, group=group)
    assert len(found) == 1, (lhs, op, rhs, group)
    return found[0]


# ------------------------------------------------------------------------ syntax
def test_parser_reads_operators_modifiers_comments_and_continuations():
    stmts = parse_syntax("""
        # a comment line
        visual =~ x1 + a*x2 + NA*x3   ! another comment
        textual =~ x4 +
                   x5
                   + 0.5*x6; speed =~ c(1, NA)*x7 + start(0.8)*x8 + label("b")*x9
        x1 ~~ x4
        y1 + y2 ~ visual + 1
        x1 ~ 0*1
    """)
    got = [(s.lhs, s.op, s.rhs) for s in stmts]
    assert got == [("visual", "=~", "x1"), ("visual", "=~", "x2"), ("visual", "=~", "x3"),
                   ("textual", "=~", "x4"), ("textual", "=~", "x5"), ("textual", "=~", "x6"),
                   ("speed", "=~", "x7"), ("speed", "=~", "x8"), ("speed", "=~", "x9"),
                   ("x1", "~~", "x4"), ("y1", "~", "visual"), ("y1", "~1", ""),
                   ("y2", "~", "visual"), ("y2", "~1", ""), ("x1", "~1", "")]
    mods = {(s.lhs, s.rhs): s.modifier for s in stmts}
    assert mods[("visual", "x2")].label == ("a",)
    assert math.isnan(mods[("visual", "x3")].fixed[0])
    assert mods[("textual", "x6")].fixed == (0.5,)
    assert mods[("speed", "x7")].fixed[0] == 1.0 and math.isnan(mods[("speed", "x7")].fixed[1])
    assert mods[("speed", "x8")].start == (0.8,)
    assert mods[("speed", "x9")].label == ("b",)
    assert mods[("x1", "")].fixed == (0.0,)
    assert [s.line for s in stmts[:7]] == [3, 3, 3, 4, 4, 4, 6]


def test_repeated_terms_merge_their_modifiers():
    stmts = parse_syntax("f =~ NA*x1 + x2 + x3 + a*x1\nf ~~ 1*f")
    x1 = [s for s in stmts if s.rhs == "x1"]
    assert len(x1) == 1 and x1[0].modifier.label == ("a",) and math.isnan(x1[0].modifier.fixed[0])
    with pytest.raises(ModelError, match="line 1: conflicting fixed modifiers"):
        parse_syntax("f =~ 1*x1 + 2*x1 + x2")


@pytest.mark.parametrize("syntax, message", [
    ("", "empty"),
    ("   \n# only a comment\n", "empty"),
    ("x1 + x2", "line 1: 'x1 \\+ x2' has no operator"),
    ("f =~ x1 + x2\ny == x", "line 2: operator '==' is not supported"),
    ("f =~ x1 + x2\nf2 <~ x3", "line 2: operator '<~' is not supported"),
    ("f =~ x1 + + x2", "line 1: empty term"),
    ("f =~ x1 + 2x", "line 1: '2x' is not a variable name"),
    ("f + g =~ x1", "line 1: a loading formula"),
    ("f =~ f + x1", "line 1: 'f' cannot be an indicator of itself"),
    ("f =~ x1 + bad(1)*x2", "line 1: cannot read modifier"),
    ("a b =~ x1", "line 1: left-hand side"),
])
def test_bad_syntax_raises_with_the_line(syntax, message):
    with pytest.raises(ModelError, match=message):
        parse_syntax(syntax)


# --------------------------------------------------------------------- defaults
def test_variable_roles_follow_lavaan():
    roles = variable_roles(parse_syntax(PD_MODEL + "\nz ~ x9\nw ~ x9"))
    assert roles.latent == ("ind60", "dem60", "dem65")
    assert roles.observed[:11] == ("x1", "x2", "x3", "y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8")
    assert roles.observed[11:] == ("z", "w", "x9")          # indicators, dependent, regressors
    assert roles.observed_exogenous == ("x9",)
    assert roles.latent_exogenous == ("ind60",)
    assert roles.dependent == ("dem65", "z", "w")            # dem60 also predicts: not purely dependent


def test_cfa_defaults_marker_variances_and_factor_covariances():
    t = build_partable(parse_syntax(HS_MODEL))
    assert (one(t, "visual", "=~", "x1").is_free, one(t, "visual", "=~", "x1").value) == (False, 1.0)
    assert one(t, "visual", "=~", "x2").is_free
    assert all(one(t, f"x{i}", "~~", f"x{i}").is_free for i in range(1, 10))
    assert all(one(t, f, "~~", f).is_free for f in ("visual", "textual", "speed"))
    assert one(t, "visual", "~~", "speed").is_free
    assert not rows(t, op="~1")                               # no mean structure by default
    assert (t.n_free, t.df) == (21, 24)


def test_std_lv_frees_loadings_and_fixes_variances():
    t = build_partable(parse_syntax(HS_MODEL), std_lv=True)
    assert one(t, "visual", "=~", "x1").is_free
    assert (one(t, "visual", "~~", "visual").is_free, one(t, "visual", "~~", "visual").value) == (False, 1.0)
    assert t.n_free == 21


def test_orthogonal_and_structural_defaults():
    t = build_partable(parse_syntax(HS_MODEL), orthogonal=True)
    assert one(t, "visual", "~~", "textual").value == 0.0 and not one(t, "visual", "~~", "textual").is_free
    t = build_partable(parse_syntax("f =~ x1 + x2 + x3\ny1 ~ f\ny2 ~ f"))
    assert one(t, "y1", "~~", "y2").is_free                   # residual covariance of pure outcomes
    t = build_partable(parse_syntax("f =~ x1 + x2 + x3\ny ~ f + z1 + z2"))
    assert one(t, "z1", "~~", "z2").is_free and one(t, "z1", "~~", "z1").is_free   # fixed.x = FALSE


def test_single_indicator_residual_variance_is_fixed_to_zero():
    t = build_partable(parse_syntax("f =~ x1 + x2 + x3\ng =~ x4"))
    assert (one(t, "x4", "~~", "x4").is_free, one(t, "x4", "~~", "x4").value) == (False, 0.0)


def test_mean_structure_defaults():
    t = build_partable(parse_syntax(HS_MODEL), meanstructure=True)
    assert all(one(t, f"x{i}", "~1", "").is_free for i in range(1, 10))
    assert one(t, "visual", "~1", "").value == 0.0 and not one(t, "visual", "~1", "").is_free
    t = build_partable(parse_syntax(HS_MODEL + "\nvisual ~ 1"), meanstructure=True)
    assert one(t, "visual", "~1", "").is_free                 # user-specified latent mean


def test_user_modifiers_override_defaults():
    t = build_partable(parse_syntax("f =~ NA*x1 + x2 + x3\nf ~~ 1*f\nx1 ~~ start(0.3)*x1"))
    assert one(t, "f", "=~", "x1").is_free and not one(t, "f", "~~", "f").is_free
    assert one(t, "x1", "~~", "x1").start == 0.3
    t = build_partable(parse_syntax("f =~ x1 + a*x2 + a*x3"))
    assert one(t, "f", "=~", "x2").free == one(t, "f", "=~", "x3").free > 0


# ---------------------------------------------------------------- multiple groups
def test_group_equal_shares_parameters_like_lavaan():
    t = build_partable(parse_syntax(HS_MODEL), ngroups=2, meanstructure=True,
                       group_equal=("loadings", "intercepts"))
    assert one(t, "visual", "=~", "x2", 1).free == one(t, "visual", "=~", "x2", 2).free
    assert one(t, "x3", "~1", "", 1).free == one(t, "x3", "~1", "", 2).free
    assert one(t, "x3", "~~", "x3", 1).free != one(t, "x3", "~~", "x3", 2).free
    assert not one(t, "visual", "=~", "x1", 2).is_free        # marker fixed in every group
    assert not one(t, "visual", "~1", "", 1).is_free          # latent means: 0 in group 1 ...
    assert one(t, "visual", "~1", "", 2).is_free              # ... free in later groups
    assert one(t, "visual", "~~", "visual", 2).is_free
    assert (t.n_free, t.df) == (48, 60)


def test_group_equal_means_keeps_latent_means_fixed():
    t = build_partable(parse_syntax(HS_MODEL), ngroups=2, meanstructure=True,
                       group_equal=("loadings", "intercepts", "means"))
    assert not one(t, "visual", "~1", "", 2).is_free
    assert t.df == 63


def test_group_partial_and_std_lv_in_groups():
    t = build_partable(parse_syntax(HS_MODEL), ngroups=2, meanstructure=True,
                       group_equal=("loadings", "intercepts"), group_partial=("x3~1",))
    assert one(t, "x3", "~1", "", 1).free != one(t, "x3", "~1", "", 2).free
    t = build_partable(parse_syntax(HS_MODEL), ngroups=3, meanstructure=True, std_lv=True,
                       group_equal=("loadings",))
    assert not one(t, "visual", "~~", "visual", 1).is_free
    assert one(t, "visual", "~~", "visual", 2).is_free and one(t, "visual", "~~", "visual", 3).is_free


def test_per_group_modifiers():
    t = build_partable(parse_syntax("f =~ x1 + c(a, b)*x2 + c(0.5, NA)*x3"), ngroups=2)
    assert one(t, "f", "=~", "x2", 1).label == "a" and one(t, "f", "=~", "x2", 2).label == "b"
    assert one(t, "f", "=~", "x3", 1).value == 0.5 and one(t, "f", "=~", "x3", 2).is_free
    with pytest.raises(ModelError, match="line 1: c\\(...\\) has 2 values but the data have 3 group"):
        build_partable(parse_syntax("f =~ x1 + c(a, b)*x2 + x3"), ngroups=3)


# ------------------------------------------------------------- identification
def test_latent_variable_without_scale_names_the_line():
    with pytest.raises(ModelError, match=r"line 2: latent variable 'textual' has no scale"):
        build_partable(parse_syntax("visual =~ x1 + x2 + x3\ntextual =~ NA*x4 + x5 + x6"))


def test_more_parameters_than_moments_is_not_identified():
    with pytest.raises(ModelError, match=r"not identified: 4 free parameters but only 3 sample moments"):
        build_partable(parse_syntax("f =~ x1 + x2"))


def test_unknown_group_equal_kind():
    with pytest.raises(ModelError, match="group_equal: unknown kind"):
        build_partable(parse_syntax(HS_MODEL), ngroups=2, group_equal=("loading",))
    assert "lv.covariances" in GROUP_EQUAL_KINDS


def test_misspelt_group_partial_is_named():
    """Finding 11: an entry that is no parameter of the model used to exempt nothing, silently."""
    with pytest.raises(ModelError, match=r"group_partial: 'x33~1' is not a parameter of the model"):
        build_partable(parse_syntax(HS_MODEL), ngroups=2, meanstructure=True,
                       group_equal=("loadings", "intercepts"), group_partial=("x3~1", "x33~1"))
    t = build_partable(parse_syntax(HS_MODEL), ngroups=2, meanstructure=True,
                       group_equal=("loadings", "intercepts"), group_partial=("visual =~ x2",))
    assert one(t, "visual", "=~", "x2", 1).free != one(t, "visual", "=~", "x2", 2).free    # spaces ignored
