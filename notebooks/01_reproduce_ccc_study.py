# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1 · Reproducing the CCC-quality study
#
# > **The data in this notebook are synthetic.** No real organisation, customer or agent
# > is in them. `data/example/` was drawn from a statistical model whose true driver
# > effects are known (`data/example/truth.json`), so at the end we can check the
# > estimates against the truth — something a real study never allows.
#
# The original study asked 1,500 customers of four organisations (four sectors) about
# seven drivers of contact-centre service quality: **reliability, empathy, customer
# focus, customer knowledge, wait time, accessibility** and the **phone menu**. Its
# conclusions were:
#
# * at most organisations **reliability and empathy** matter most for satisfaction;
# * **wait time, accessibility and the menu** have little impact;
# * **customer focus and customer knowledge** matter at one organisation and hardly at another.
#
# The example study has the same design: 4 organisations × 375 customers. We go through
# the study's steps and look at where each conclusion comes from:
#
# 1. data check → 2. validation of the questionnaire → 3. driver impact per organisation →
# 4. priorities → 5. the conclusions, from the numbers → 6. the estimates beside the truth.
#
# Everything is seeded, so a rerun gives the same numbers. The bootstrap uses **1,000
# resamples** to keep this notebook short (it runs in 35-50 seconds on two cores); `make demo` and a final
# report use 2,000.

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from scipy.stats import binom

from analysis import analyse_drivers, validate
from instrument import load_instrument, read_responses

# The repository root, whether the notebook runs from notebooks/ or from the root.
ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "data" / "example").is_dir())
EXAMPLE = ROOT / "data" / "example"
SEED = 1           # seed of the bootstrap: same seed, same intervals
BOOTSTRAP = 1000   # resamples per organisation (2,000 for a final report)
pd.set_option("display.precision", 3)
inst = load_instrument()

# %% [markdown]
# ## The questionnaire
#
# Each driver is measured by four statements on a 7-point agree scale, satisfaction by
# three. The wait-time and menu statements are only asked of customers who phoned.

# %%
pd.DataFrame([{"construct": c.key, "label": c.label["en"], "items": ", ".join(c.item_ids),
               "asked of": "phone only" if inst.item(c.item_ids[0]).channels else "everyone"}
              for c in inst.constructs])

# %% [markdown]
# ## 1 · Data check
#
# `read_responses` reads the file (here SPSS), checks every value against the
# questionnaire and flags respondents whose answers we should not trust:
# **straight-liners** (the same answer to every driver statement), **speeders** (done in
# under 40 % of the median time) and respondents with **too many missing answers**.
# Flagged respondents stay in the data but are left out of the analyses.

# %%
data, quality = read_responses(EXAMPLE / "responses.sav", inst)
print(f"{quality.n_respondents} respondents, {quality.n_flagged} flagged, {quality.n_usable} usable; "
      f"the data can be analysed: {quality.ok}")
quality.organisations

# %% [markdown]
# Missing answers per construct. *By design* are the phone-only statements for customers
# who wrote, chatted or messaged — not a data problem. *N/A* is the answer 'not
# applicable / don't know' (code 99), which is a legitimate answer, not a point on the
# scale; *missing* are blanks.

# %%
per_construct = (quality.items.dropna(subset=["construct"])
                 .groupby("construct", sort=False)[["n_applicable", "n_answered", "n_not_applicable",
                                                    "n_missing", "n_not_applicable_by_design"]].sum())
per_construct["% missing"] = 100 * per_construct.n_missing / per_construct.n_applicable
per_construct

# %% [markdown]
# Because the data are simulated we know which respondents were *planted* as
# straight-liners and speeders. Does the check find them? (The speeding rule is relative
# to the median time, so it can also catch a few ordinary respondents who were simply
# fast.)

# %%
truth = json.loads((EXAMPLE / "truth.json").read_text(encoding="utf-8"))
planted = truth["sample"]["planted"]
ids = data.set_index("respondent_id")
pd.DataFrame({
    "planted": [len(planted["straightliners"]), len(planted["speeders"])],
    "flagged": [int(ids.flag_straightlining.sum()), int(ids.flag_speeding.sum())],
    "planted and flagged": [int(ids.loc[planted["straightliners"], "flag_straightlining"].sum()),
                            int(ids.loc[planted["speeders"], "flag_speeding"].sum())],
}, index=["straight-lining", "speeding"])

# %% [markdown]
# ## 2 · Does the questionnaire measure what it should?
#
# `validate` fits the measurement model (a confirmatory factor analysis, CFA: every
# statement loads on its own construct) for the whole sample and per organisation. It
# uses full-information maximum likelihood, so customers who did not get the phone-only
# statements still count with everything they did answer.

# %%
val = validate(data, inst, by="organisation")
val

# %% [markdown]
# ### Reliability
#
# Do the four statements of a driver agree with each other?
#
# | figure | what it says | rule of thumb |
# |---|---|---|
# | Cronbach's **alpha** (95 % CI) | internal consistency, assuming equal loadings | ≥ .70 (Nunnally 1978) |
# | McDonald's **omega** | the same from the CFA loadings (no equal-loadings assumption) | ≥ .70 (Dunn, Baguley & Brunsden 2014) |
# | composite reliability **CR** | reliability of the construct from the CFA | ≥ .70 (Hair et al.; Bagozzi & Yi 1988 accept .60) |
# | average variance extracted **AVE** | the share of the statements' variance the construct explains | ≥ .50 (Fornell & Larcker 1981) |

# %%
val.groups["all"].reliability[["construct", "alpha", "alpha_ci_low", "alpha_ci_high", "omega", "cr", "ave",
                                "alpha_ok", "omega_ok", "cr_ok", "ave_ok"]]

# %% [markdown]
# Alpha and AVE per organisation (omega and CR for every group are in `val.reliability`):
# does any construct fall short in one of them? AVE is the strictest of the four figures. With four statements loading around .70, an AVE near .50
# is expected, and a value just below it while CR is well above .60 is usually read as
# still adequate (a common reading of Fornell & Larcker 1981); alpha, omega or CR below
# .70 would be a real problem.

# %%
rel = val.reliability[val.reliability.group != "all"]
pd.concat({figure: rel.pivot(index="construct", columns="group", values=figure)
           for figure in ("alpha", "ave")}, axis=1).loc[[c.key for c in inst.constructs]]

# %% [markdown]
# ### Model fit
#
# How well does the measurement model reproduce the answers? CFI and TLI ≥ .95,
# RMSEA ≤ .06 (with its 90 % interval) and SRMR ≤ .08 (Hu & Bentler 1999). The `_ok`
# columns apply these rules.

# %%
val.fit[["group", "n", "chi2", "df", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr",
         "cfi_ok", "tli_ok", "rmsea_ok", "srmr_ok"]]

# %% [markdown]
# The standardized loadings with their 95 % intervals, per organisation. The dashed line
# is .70: a loading at which the construct explains half of the statement's variance.

# %%
organisations = [g for g in val.groups if g != "all"]
fig, ax = plt.subplots(figsize=(7, 8))
val.plot_loadings(organisations, ax=ax);

# %% [markdown]
# ### Discriminant validity
#
# Are the seven drivers really seven different things? The **HTMT** ratio compares the
# correlations *between* the statements of two constructs with those *within* them;
# below .85 (strict) or .90 (liberal) the constructs are distinct (Henseler, Ringle &
# Sarstedt 2015). The highest pair per group:

# %%
val.htmt.sort_values("htmt", ascending=False).groupby("group", sort=False).head(1)[
    ["group", "construct_a", "construct_b", "htmt", "below_strict", "below_liberal"]]

# %% [markdown]
# The older **Fornell–Larcker** criterion asks the same: the square root of a construct's
# AVE must exceed its correlation with every other construct.

# %%
val.groups["all"].fornell_larcker.verdicts

# %% [markdown]
# ### Measurement invariance
#
# Comparing driver impact *between organisations* is only fair if the questionnaire
# measures the same thing in each. We fit the model in all four groups at once, with
# increasingly strict equality constraints: *configural* (same structure), *metric*
# (equal loadings), *scalar* (equal loadings and intercepts). A step holds if CFI drops by
# no more than .01 (Cheung & Rensvold 2002); Chen's (2007) RMSEA and SRMR criteria are
# shown beside it.

# %%
val.invariance.table[["level", "chi2", "df", "cfi", "rmsea", "srmr", "delta_cfi", "holds",
                      "delta_rmsea", "chen_rmsea", "delta_srmr", "chen_srmr"]]

# %% [markdown]
# The engine also reports problems. With a few hundred respondents per organisation it
# warns that there are few respondents per free parameter of the CFA: the per-organisation
# figures are less precise than the whole-sample ones (compare their CIs), which is why we
# look at the whole sample first.

# %%
val.problems

# %% [markdown]
# ## 3 · Driver impact per organisation
#
# `analyse_drivers` regresses satisfaction (the mean of its three statements) on the
# seven driver scores, per organisation, and splits the explained variance R² over the
# drivers with **LMG** (Lindeman, Merenda & Gold 1980): each driver's share, averaged over
# every order in which the drivers could enter the model. Shares are non-negative and add
# up to R², so they can be read as '% of what can be explained'. A bootstrap of respondents
# within each organisation gives 95 % intervals for the shares and the ranks. As in the
# original study, each organisation is estimated from its own respondents (`pooling="none"`;
# the toolkit's default, `"partial"`, also borrows from the other organisations).

# %%
imp = analyse_drivers(data, inst, by="organisation", bootstrap=BOOTSTRAP, seed=SEED, pooling="none")
imp.groups[["group", "n_input", "n_used", "r2", "r2_ci_low", "r2_ci_high"]]

# %% [markdown]
# Who is not used: every usable respondent counts, each driver on the respondents it
# applies to, so wait time and the menu rest on the phone respondents only (179-221 per
# organisation, `imp.groups.n_complete`) and the other five drivers on everyone. Left out
# are the flagged respondents (straight-liners, speeders, too many missing answers: 18-23
# per organisation) and the odd one without a satisfaction score (`no_outcome`) or with a
# driver score missing (`missing_score`: fewer than half its statements answered), which
# leaves 350-357 of the 375 per organisation (`n_used`).

# %%
imp.exclusion_counts.pivot(index="group", columns="code", values="n").fillna(0).astype(int)

# %% [markdown]
# LMG share of R² (%) with its 95 % interval and the rank (1 = most important), per organisation:

# %%
def share_ci_rank(t):
    return f"{t.lmg_pct:4.1f} [{t.ci_low:4.1f}, {t.ci_high:4.1f}]  #{int(t['rank'])}"


orgs_only = imp.importance[imp.importance.group != "all"]
(orgs_only.assign(cell=orgs_only.apply(share_ci_rank, axis=1))
          .pivot(index="driver", columns="group", values="cell")
          .loc[list(inst.driver_keys)])

# %%
fig, axes = plt.subplots(2, 2, figsize=(13, 7.5), sharex=True)
for org, ax in zip(organisations, axes.flat):
    imp.plot_importance(org, ax=ax)
fig.tight_layout()

# %% [markdown]
# ## 4 · Priorities
#
# Importance alone does not say what to improve: a driver that matters but already scores
# well needs less attention than one that matters and scores poorly. The
# importance-performance matrix (Martilla & James 1977) puts each driver at its
# importance (LMG share) and performance (mean score, 0-100); the cross-hairs are at the
# organisation's means. *Concentrate here* (important, low performance) is where to start.

# %%
fig, axes = plt.subplots(2, 2, figsize=(13, 10))
for org, ax in zip(organisations, axes.flat):
    imp.plot_priorities(org, ax=ax)
fig.tight_layout()

# %%
orgs_only.pivot(index="driver", columns="group", values="quadrant").loc[list(inst.driver_keys)]

# %% [markdown]
# ## 5 · The study's conclusions, from the numbers
#
# **(a) Reliability and empathy matter most at most organisations.** Which two drivers
# rank highest, per organisation, and how sure is the bootstrap (share of resamples in
# which the driver is in the top two)?

# %%
top_two = orgs_only[orgs_only["rank"] <= 2].sort_values(["group", "rank"])
top_two[["group", "rank", "driver", "lmg_pct", "ci_low", "ci_high", "p_top2"]]

# %%
n_rel_emp = sum(set(t.driver) == {"reliability", "empathy"} for _, t in top_two.groupby("group"))
n_rel_emp_any = sum(bool({"reliability", "empathy"} & set(t.driver)) for _, t in top_two.groupby("group"))
print(f"Reliability and empathy are the top two at {n_rel_emp} of {len(organisations)} organisations; "
      f"at least one of them is in the top two at {n_rel_emp_any} of {len(organisations)}.")

# %% [markdown]
# **(b) Wait time, accessibility and the menu have little impact.** Their shares of R²
# together, beside those of reliability and empathy together:

# %%
groups_of = {"reliability + empathy": ["reliability", "empathy"],
             "customer focus + knowledge": ["customer_focus", "customer_knowledge"],
             "wait time + accessibility + menu": ["wait_time", "accessibility", "menu"]}
pd.DataFrame({name: orgs_only[orgs_only.driver.isin(drivers)].groupby("group").lmg_pct.sum()
              for name, drivers in groups_of.items()}).round(1)

# %% [markdown]
# **(c) Customer focus and customer knowledge differ between organisations.** First the
# plain picture: their share and rank in each organisation.

# %%
cfo_ckn = orgs_only[orgs_only.driver.isin(["customer_focus", "customer_knowledge"])]
cfo_ckn.assign(cell=cfo_ckn.apply(share_ci_rank, axis=1)).pivot(index="driver", columns="group", values="cell")

# %% [markdown]
# Is a difference between organisations more than sampling noise? The bootstrap
# estimates the difference between one organisation and the others together ('versus the
# rest'), both in LMG share (percentage points) and in standardized beta. An interval that
# excludes 0 is a difference the data support; one that includes 0 is *not* evidence of no
# difference: a difference between groups needs many more respondents to detect than an
# effect within a group.

# %%
diff = imp.differences
vs_rest = diff[(diff.versus == "rest") & diff.driver.isin(["customer_focus", "customer_knowledge"])]
columns = pd.MultiIndex.from_product([["lmg_pct", "std_beta"], ["estimate", "ci_low", "ci_high", "excludes_zero"]])
vs_rest.pivot_table(index=["driver", "group"], columns="statistic",
                    values=["estimate", "ci_low", "ci_high", "excludes_zero"], aggfunc="first"
                    ).swaplevel(axis=1).reindex(columns=columns)

# %%
for driver in ("customer_focus", "customer_knowledge"):
    rows = orgs_only[orgs_only.driver == driver]
    top = rows.loc[rows.lmg_pct.idxmax()]
    shown = vs_rest[(vs_rest.driver == driver) & (vs_rest.group == top.group)].set_index("statistic").excludes_zero
    print(f"{driver}: largest share at {top.group} ({top.lmg_pct:.1f} % of R², rank {int(top['rank'])}; "
          f"elsewhere {rows[rows.group != top.group].lmg_pct.min():.1f}-{rows[rows.group != top.group].lmg_pct.max():.1f} %). "
          f"Difference from the rest excludes 0: LMG share {bool(shown['lmg_pct'])}, beta {bool(shown['std_beta'])}.")

# %% [markdown]
# Read the tables together: where are reliability and empathy not the top two, and which
# driver takes their place? Is that the organisation whose customer-focus or
# customer-knowledge share stands out — and is the difference clear enough to pass the
# bootstrap test with this many respondents?

# %% [markdown]
# ## 6 · The estimates beside the truth
#
# The generator's truth holds, per organisation, the *population* LMG shares of the same
# regression on the observed scores (computed from a very large simulated population per
# organisation): the value each estimate above is aiming at. A 95 % interval should cover
# it about 95 % of the time, so among 28 intervals a few misses are expected by chance;
# percentile intervals of LMG shares are also known to under-cover (relaimpo's
# documentation warns of up to twice the nominal miss rate).

# %%
true_pct = pd.DataFrame({org: o["observed"]["lmg_pct"] for org, o in truth["organisations"].items()})
true_rank = pd.DataFrame({org: o["observed"]["rank"] for org, o in truth["organisations"].items()})
truth_long = (true_pct.stack().rename("true_lmg_pct").to_frame()
              .join(true_rank.stack().rename("true_rank")).rename_axis(["driver", "group"]).reset_index())
check = orgs_only[["group", "driver", "lmg_pct", "ci_low", "ci_high", "rank"]].merge(truth_long, on=["group", "driver"])
check["covered"] = check.ci_low.le(check.true_lmg_pct) & check.ci_high.ge(check.true_lmg_pct)
n_covered = int(check.covered.sum())
print(f"{n_covered} of {len(check)} intervals cover the true share ({100 * n_covered / len(check):.0f} %; nominal 95 %). "
      f"With exactly 95 % coverage, {n_covered} or fewer of {len(check)} would happen with probability "
      f"{binom.cdf(n_covered, len(check), 0.95):.2f} (treating the intervals as independent).")
check.round(1)

# %% [markdown]
# The misses, and how far the truth lies outside the interval:

# %%
missed = check[~check.covered]
missed.assign(distance=np.where(missed.true_lmg_pct > missed.ci_high, missed.true_lmg_pct - missed.ci_high,
                                missed.ci_low - missed.true_lmg_pct)).round(1)

# %%
fig, axes = plt.subplots(1, 4, figsize=(15, 4.2), sharey=True, sharex=True)
order = list(inst.driver_keys)[::-1]
for org, ax in zip(organisations, axes):
    t = check[check.group == org].set_index("driver").loc[order]
    y = np.arange(len(order))
    ax.errorbar(t.lmg_pct, y, xerr=[t.lmg_pct - t.ci_low, t.ci_high - t.lmg_pct], fmt="o", color="0.3",
                capsize=2, label="estimate, 95 % CI")
    ax.scatter(t.true_lmg_pct, y, marker="x", color="crimson", zorder=3, label="truth")
    for k, missed in enumerate(~t.covered):
        if missed:
            ax.annotate("missed", (t.true_lmg_pct.iloc[k], y[k]), textcoords="offset points", xytext=(4, 4),
                        fontsize=8, color="crimson")
    ax.set_title(org)
    ax.set_yticks(y, order)
    ax.set_xlabel("LMG share of R² (%)")
axes[0].legend(loc="lower right", fontsize=8)
fig.tight_layout()

# %% [markdown]
# A sample of about 350 respondents per organisation (and only its 180-220 phone
# respondents for wait time and the menu) can land some way from the truth: look at which
# drivers the misses concern, and whether the estimated *order* of the drivers still
# matches the true order. Do the estimated top two match the true top two?

# %%
pd.DataFrame({org: {"estimated top two": ", ".join(top_two[top_two.group == org].driver),
                    "true top two": ", ".join(truth["organisations"][org]["observed"]["top_two"]),
                    "same drivers": set(top_two[top_two.group == org].driver)
                    == set(truth["organisations"][org]["observed"]["top_two"])}
              for org in organisations}).T

# %% [markdown]
# The structural model (latent drivers → satisfaction) estimates something else: the
# generator's *latent* standardized effects, free of measurement error. Its paths
# (`sem_std`) beside those parameters:

# %%
latent = (pd.DataFrame({org: o["latent"]["effects"] for org, o in truth["organisations"].items()})
          .stack().rename("latent_effect").rename_axis(["driver", "group"]).reset_index())
sem = orgs_only[["group", "driver", "sem_std", "sem_se"]].merge(latent, on=["group", "driver"])
sem["covered"] = (sem.sem_std - 1.96 * sem.sem_se).le(sem.latent_effect) & \
                 (sem.sem_std + 1.96 * sem.sem_se).ge(sem.latent_effect)
print(f"{int(sem.covered.sum())} of {len(sem)} latent effects lie within the SEM path's 95 % interval (± 1.96 SE).")
sem.pivot(index="driver", columns="group", values=["sem_std", "latent_effect"]).swaplevel(axis=1).reindex(
    columns=pd.MultiIndex.from_product([organisations, ["sem_std", "latent_effect"]])).loc[list(inst.driver_keys)].round(2)

# %% [markdown]
# ## What you have seen
#
# The whole study in one table, every line computed above:

# %%
n_same_top_two = sum(set(top_two[top_two.group == org].driver) == set(truth["organisations"][org]["observed"]["top_two"])
                     for org in organisations)
pd.Series({
    "alpha, omega and CR >= .70 (every construct, every group)":
        bool(val.reliability[["alpha_ok", "omega_ok", "cr_ok"]].all().all()),
    "AVE >= .50 (every construct, every group)": bool(val.reliability.ave_ok.all()),
    "CFI, TLI, RMSEA and SRMR meet their cut-offs (every group)":
        bool(val.fit[["cfi_ok", "tli_ok", "rmsea_ok", "srmr_ok"]].all().all()),
    "HTMT < .85 (every pair, every group)": bool(val.htmt.below_strict.all()),
    "scalar invariance across organisations": bool(val.invariance.table.holds.iloc[-1]),
    "organisations where reliability and empathy are the top two": f"{n_rel_emp} of {len(organisations)}",
    "95 % intervals that cover the true LMG share": f"{n_covered} of {len(check)}",
    "organisations whose true top two are the estimated top two": f"{n_same_top_two} of {len(organisations)}",
}, name="result").to_frame()

# %% [markdown]
# If the measurement checks hold, comparing organisations is meaningful, and the study's
# conclusions can be read off the LMG shares, their ranks and the differences between
# organisations — with the caveat the last section shows: one sample of a few hundred
# customers per organisation estimates the shares with wide intervals, and the *order* of
# the drivers is more robust than their exact shares.
#
# Next: `02_validate_your_pilot` (is *your* pilot questionnaire good enough?) and
# `03_from_survey_export_to_report` (from a LimeSurvey export to the reports).
