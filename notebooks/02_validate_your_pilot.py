# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2 · Validate your pilot
#
# Before a questionnaire goes to thousands of customers, a pilot with a few hundred
# tells you whether each scale works: do the statements of a driver hang together, does
# each statement measure its driver, are the drivers distinct? This notebook goes from a
# pilot data file to **a verdict per construct and what to do about it**.
#
# > **The pilot here is synthetic**: 180 simulated customers of one organisation
# > (`data/pilot/pilot.xlsx`, made by `data/pilot/make_pilot.py`). A few flaws of the kind
# > pilots exist to find were planted in it on purpose. Try to spot them as you go; at
# > the end we compare what the checks found with what was planted. To use your own
# > pilot, point `PILOT` at your file (CSV, Excel, SPSS or a LimeSurvey/Qualtrics export).

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from analysis import thresholds, validate
from instrument import DataError, load_instrument, read_responses

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "data" / "pilot").is_dir())
PILOT = ROOT / "data" / "pilot" / "pilot.xlsx"
SMALL_N, SMALL_SEED = 80, 4    # the 'what if the pilot had been smaller' subsample (section 5)
pd.set_option("display.precision", 3)
pd.set_option("display.max_colwidth", 120)
inst = load_instrument()

# %% [markdown]
# ## 1 · Reading the file
#
# `read_responses` refuses a file with values that are not answer codes, and says where
# they are. That is deliberate: a 55 on a 1-7 scale is a typing error, and silently
# dropping it would hide that.

# %%
try:
    read_responses(PILOT, inst)
except DataError as problem:
    print("Refused:", problem)

# %% [markdown]
# The right fix is in the source (the paper form, the survey platform). If that is not
# possible, read the invalid values as missing: they are then listed in the quality report.

# %%
data, quality = read_responses(PILOT, inst, invalid="missing")
quality.invalid_values

# %% [markdown]
# ## 2 · The data check
#
# Who is flagged (and left out of the validation), and how many respondents are left?

# %%
print(f"{quality.n_respondents} respondents, {quality.n_flagged} flagged, {quality.n_usable} usable")
pd.Series(quality.flag_counts, name="respondents").to_frame()

# %% [markdown]
# 'Not applicable / don't know' (99) is a legitimate answer, but a statement that many
# customers cannot answer is a statement to reconsider: either it asks for something
# customers cannot judge, or it is unclear. The statements with the highest share of 99
# among the customers they apply to:

# %%
items = quality.items.dropna(subset=["construct"]).copy()
# n_not_applicable counts the 99s among the customers a statement applies to
items["% N/A"] = 100 * items.n_not_applicable / items.n_applicable
items.sort_values("% N/A", ascending=False).head(5)[
    ["item", "construct", "n_applicable", "n_answered", "n_not_applicable", "% N/A", "pct_missing"]]

# %% [markdown]
# The wait-time and menu statements are only asked of callers, so those two scales are
# validated on fewer respondents than the rest:

# %%
items.groupby("construct", sort=False).n_applicable.max().rename("respondents asked").to_frame().T

# %% [markdown]
# ## 3 · Validation
#
# One organisation, so no grouping. `validate` fits the confirmatory factor analysis
# (every statement loads on its own construct) by full-information maximum likelihood and
# computes reliability and discriminant validity.

# %%
val = validate(data, inst)
val.fit[["n", "chi2", "df", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr",
         "cfi_ok", "tli_ok", "rmsea_ok", "srmr_ok"]]

# %% [markdown]
# **What small n means for a CFA.** The model has 31 statements on 8 constructs, so it
# has over a hundred free parameters (loadings, residual variances, construct
# correlations). The engine compares that with the respondents you have:

# %%
for problem in val.problems.itertuples():
    print(f"{problem.severity}: {problem.message}")

# %% [markdown]
# There is no single minimum; simulations put it anywhere from 30 to 460 respondents
# depending on the loadings and the number of factors (Wolf et al. 2013). In practice, with
# a pilot of this size: trust the *direction* of the results, expect wide intervals, and
# expect fit indices to be less stable than with a large sample (CFI ≥ .95, TLI ≥ .95,
# RMSEA ≤ .06, SRMR ≤ .08; Hu & Bentler 1999). How much of the information is missing
# (mostly the phone-only statements, by design) is reported too:

# %%
pd.Series(val.groups["all"].missing, name="missing data").to_frame()

# %% [markdown]
# ## 4 · A verdict per construct
#
# For each construct we put the figures and their cut-offs side by side:
#
# * **alpha** (with its 95 % CI), **omega** and **CR** ≥ .70 (Nunnally 1978; Dunn et al.
#   2014; Hair et al.) — are the statements consistent?
# * **AVE** ≥ .50 (Fornell & Larcker 1981) — does the construct explain at least half of its
#   statements' variance?
# * the highest **HTMT** with another construct < .85 (Henseler et al. 2015) — is it
#   distinct?
# * the **weakest statement**: its standardized loading with a 95 % interval. A loading
#   below .50 is too weak to keep (Hair et al. 2010: at least .50, ideally .70). With a
#   small pilot we only call a statement weak when its *whole interval* lies below .50;
#   a low loading whose interval still reaches .50 is one to watch in the main study.
#
# and turn them into a verdict, in this order: *revise* a clearly weak statement; a scale
# that is *not reliable* needs rewriting; a construct *not distinct* from another needs
# sharper statements; a construct that passes everything except a marginal AVE or a
# statement to watch is *kept, to re-check*; otherwise *keep*.

# %%
LOADING_MIN = 0.50                          # Hair et al. (2010), standardized loading
HTMT_MAX = thresholds.HTMT_STRICT.value     # .85, Henseler, Ringle & Sarstedt (2015)

g = val.groups["all"]
loadings = g.loadings.assign(low=g.loadings["std"] - 1.96 * g.loadings.std_se,
                             high=g.loadings["std"] + 1.96 * g.loadings.std_se)
alpha_without = g.item_analysis.set_index("item").alpha_if_deleted


def construct_verdict(r):
    own = loadings[loadings.construct == r.construct]
    weakest = own.loc[own["std"].idxmin()]
    weak = own[own.high < LOADING_MIN]
    watch = own[(own["std"] < LOADING_MIN) & (own.high >= LOADING_MIN)]
    pairs = g.htmt.pairs[(g.htmt.pairs.construct_a == r.construct) | (g.htmt.pairs.construct_b == r.construct)]
    top = pairs.loc[pairs.htmt.idxmax()]
    closest = top.construct_b if top.construct_a == r.construct else top.construct_a
    if len(weak):
        verdict = "revise " + "; ".join(f"{w.item} (alpha without it {alpha_without[w.item]:.2f})"
                                       for w in weak.itertuples())
    elif not (r.alpha_ok and r.omega_ok and r.cr_ok):
        verdict = "not reliable enough: rewrite or add statements"
    elif top.htmt >= HTMT_MAX:
        verdict = f"not distinct from {closest}: sharpen the statements"
    elif len(watch) or not r.ave_ok:
        reasons = [f"{w.item} loads {w.std:.2f}" for w in watch.itertuples()]
        reasons += [] if r.ave_ok else [f"AVE {r.ave:.2f}"]
        verdict = "keep, re-check in the main study (" + ", ".join(reasons) + ")"
    else:
        verdict = "keep"
    return {"construct": r.construct, "n": r.n_obs,
            "alpha [95% CI]": f"{r.alpha:.2f} [{r.alpha_ci_low:.2f}, {r.alpha_ci_high:.2f}]",
            "omega": r.omega, "CR": r.cr, "AVE": r.ave,
            "HTMT max": f"{top.htmt:.2f} ({closest})",
            "weakest statement [95% CI]": f"{weakest['item']} {weakest['std']:.2f} [{weakest.low:.2f}, {weakest.high:.2f}]",
            "verdict": verdict}


verdicts = pd.DataFrame([construct_verdict(r) for r in g.reliability.itertuples()])
verdicts

# %% [markdown]
# ## 5 · A closer look
#
# The item analysis of the constructs that did not get a plain *keep*: the corrected
# item-total correlation (`r_drop`: the statement against the sum of the others; below
# about .30 it hardly belongs to the scale) and alpha if the statement were dropped.
# A statement whose removal *raises* alpha is pulling the scale down.

# %%
flagged = verdicts.loc[verdicts.verdict != "keep", "construct"]
g.item_analysis[g.item_analysis.construct.isin(flagged)].merge(
    loadings[["item", "std", "low", "high"]], on="item")[
    ["construct", "item", "mean", "sd", "r_drop", "alpha_if_deleted", "std", "low", "high"]]

# %%
fig, ax = plt.subplots(figsize=(6.5, 7.5))
val.plot_loadings(ax=ax)
ax.axvline(LOADING_MIN, ls=":", color="crimson", lw=1)
ax.set_title("Standardized loadings, pilot (dotted: .50, dashed: .70)");

# %% [markdown]
# The wording of the weakest statement (Dutch source and English), to take to the next
# round of the questionnaire:

# %%
to_revise = loadings.loc[loadings.high < LOADING_MIN, "item"]
pd.DataFrame([{"item": i, "construct": inst.construct_of(i), **inst.item(i).text} for i in to_revise])

# %% [markdown]
# ### What if the pilot had been smaller?
#
# The same validation on a random 80 of these respondents (seeded). Compare the two
# rows: does the weak statement still stand out, are the fit indices still estimated,
# and what problems does the engine report now?

# %%
small = data.sample(n=SMALL_N, random_state=SMALL_SEED)
val_small = validate(small, inst)


def weak_item_row(v, label):
    # A CFA with errors (an improper solution, too few respondents) shows no loadings:
    # validate() reports its problems instead of figures that cannot be trusted.
    load = v.groups["all"].loadings.set_index("item")
    rel = v.groups["all"].reliability.set_index("construct")
    fit = v.fit.iloc[0]
    row = {"pilot": label, "n": fit.n, "CFI": fit.cfi, "RMSEA": fit.rmsea, "SRMR": fit.srmr,
           "problems": ", ".join(sorted(set(v.problems.kind))) or "-"}
    for item in to_revise:
        construct = inst.construct_of(item)
        if item in load.index:
            l = load.loc[item]
            row[f"{item} loading [95% CI]"] = f"{l['std']:.2f} [{l['std'] - 1.96 * l.std_se:.2f}, {l['std'] + 1.96 * l.std_se:.2f}]"
        else:
            row[f"{item} loading [95% CI]"] = "not estimable (see the problems)"
        row[f"{construct} alpha"] = rel.loc[construct, "alpha"]
    return row


pd.DataFrame([weak_item_row(val, "full pilot"), weak_item_row(val_small, f"random {SMALL_N}")])

# %%
for problem in val_small.problems.itertuples():
    print(f"{problem.severity}: {problem.message}")

# %% [markdown]
# With too few respondents the CFA may not be estimable or may give an *improper
# solution* (a Heywood case: a standardized loading above 1, a negative residual variance).
# Then the toolkit shows no fit indices, loadings, omega, CR or AVE — only the problems —
# and alpha alone, which assumes every statement loads equally, can look fine while one
# statement is weak.

# %% [markdown]
# ## 6 · What the checks found, against what was planted
#
# `make_pilot.py` wrote down what it planted (`pilot.planted.json`). A real pilot has no
# such answer key; this one lets you check the checks.

# %%
planted = json.loads((PILOT.parent / "pilot.planted.json").read_text(encoding="utf-8"))
by_row = data.set_index("source_row").respondent_id
found_typos = {(by_row[r.row], r.column) for r in quality.invalid_values.itertuples()}
planted_typos = {(t["respondent_id"], t["column"]) for t in planted["typing_errors"]}
flags = data.set_index("respondent_id")
na_top = items.sort_values("% N/A", ascending=False).item.iloc[0]
pd.DataFrame([
    {"planted": f"weak statement {planted['weak_item']}",
     "found by": "verdict table", "found": planted["weak_item"] in set(to_revise)},
    {"planted": f"hard-to-answer statement {planted['hard_item']}",
     "found by": "highest % N/A", "found": na_top == planted["hard_item"]},
    {"planted": f"{len(planted_typos)} typing errors",
     "found by": "invalid values", "found": f"{len(planted_typos & found_typos)} of {len(planted_typos)}"},
    {"planted": f"{len(planted['straightliners'])} straight-liners", "found by": "flag",
     "found": f"{int(flags.loc[planted['straightliners'], 'flag_straightlining'].sum())} of {len(planted['straightliners'])}"},
    {"planted": f"{len(planted['speeders'])} speeders", "found by": "flag",
     "found": f"{int(flags.loc[planted['speeders'], 'flag_speeding'].sum())} of {len(planted['speeders'])}"},
])

# %% [markdown]
# ## What to do with a verdict
#
# * **revise**: rewrite the statement (one idea per statement, words customers use) and
#   test it again; do not simply drop it if the construct then has fewer than three
#   statements.
# * **not reliable enough / not distinct**: the construct's statements need rewriting as
#   a set — look at the item analysis and the HTMT pair.
# * **keep, re-check**: nothing to change now; a pilot of this size cannot tell a marginal
#   AVE or a loading near .50 from sampling noise. Look again in the main study.
# * A statement with many 'don't know' answers asks something customers cannot judge:
#   reword it, or accept that it will be answered by fewer customers.
#
# Next: `03_from_survey_export_to_report`.
