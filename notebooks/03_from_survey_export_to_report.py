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
# # 3 · From a survey export to the priority reports
#
# The consultant's path: the questionnaire was fielded in LimeSurvey (built with
# `drivers export limesurvey`), the responses were exported, and the client wants to know
# what to improve first. We go from the raw export to the reports in five steps:
#
# 1. read the LimeSurvey export → 2. check the data → 3. validate → 4. analyse → 5. write
# the reports (HTML, PDF and one Excel workbook) and look at them.
#
# > **The export here is synthetic**: 3 organisations × 250 simulated customers
# > (`data/limesurvey_example/`, made by `make_export.py` there), written in the layout of
# > LimeSurvey's *Export responses* (CSV, headings 'Question code', 'Answer codes'). No real
# > organisation or customer is in it; the personal data in some open answers are fake, on
# > purpose, to show that the reports mask them.
#
# The bootstrap uses 1,000 resamples to keep this notebook quick; use 2,000 for a report
# you hand over.

# %% tags=["parameters"]
import os
import tempfile

# Where the reports go: $SERVICE_DRIVERS_REPORT_DIR if set, else a new temporary folder.
OUT_DIR = os.environ.get("SERVICE_DRIVERS_REPORT_DIR") or tempfile.mkdtemp(prefix="ccc-reports-")
MAKE_PDF = os.environ.get("SERVICE_DRIVERS_REPORT_PDF", "1") != "0"   # the PDFs add about 25 s
LANG = "en"          # report language: "nl" or "en"
BOOTSTRAP = 1000     # resamples per organisation (2,000 for a final report)
SEED = 1             # seed of the bootstrap and of the quotes chosen for the reports

# %%
import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from analysis import analyse_drivers, build_reports, validate
from instrument import load_instrument, read_responses

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "data" / "limesurvey_example").is_dir())
EXPORT = ROOT / "data" / "limesurvey_example" / "results-survey-ccc.csv"
pd.set_option("display.precision", 3)
inst = load_instrument()

# %% [markdown]
# ## 1 · The export
#
# A LimeSurvey export has LimeSurvey's own columns (response id, dates, language, timings)
# and one column per question; the statements of a driver are subquestions of one array
# question, `reliability[rel1]` and so on. The first few columns:

# %%
raw = pd.read_csv(EXPORT, encoding="utf-8-sig", dtype=str, nrows=3)
print(f"{len(raw.columns)} columns, e.g.:", ", ".join(raw.columns[:16]), "...")
raw.iloc[:, :16]

# %% [markdown]
# `read_responses(..., source="limesurvey")` maps these columns back to the
# questionnaire's variables by the naming scheme the LimeSurvey survey was built with, so
# no mapping file is needed. (With `source="auto"`, the default, the layout is recognised
# from the header.)

# %%
data, quality = read_responses(EXPORT, inst, source="limesurvey")
pd.DataFrame({"LimeSurvey column": pd.Series(quality.column_map)}).rename_axis("variable").head(12)

# %%
print("LimeSurvey's own columns, not needed for the analysis:", ", ".join(quality.unknown_columns))

# %% [markdown]
# ## 2 · Data check
#
# Respondents per organisation, who is flagged (straight-lining, speeding, too many
# missing answers) and whether the data can be analysed:

# %%
print(f"{quality.n_respondents} respondents, {quality.n_flagged} flagged, {quality.n_usable} usable; "
      f"can be analysed: {quality.ok}")
quality.organisations

# %%
pd.Series(quality.flag_counts, name="respondents").to_frame()

# %% [markdown]
# ## 3 · Validation, at a glance
#
# Before reporting driver impact, check that the questionnaire measured well in this
# study (notebook 1 explains every figure). One line per organisation:

# %%
val = validate(data, inst, by="organisation")
rel = val.reliability.groupby("group", sort=False)
glance = val.fit.set_index("group")[["n", "cfi", "rmsea", "srmr"]].assign(
    fit_ok=val.fit.set_index("group")[["cfi_ok", "tli_ok", "rmsea_ok", "srmr_ok"]].all(axis=1),
    lowest_alpha=rel.alpha.min(), lowest_cr=rel.cr.min(),
    highest_htmt=val.htmt.groupby("group", sort=False).htmt.max())
glance

# %%
val.invariance.table[["level", "cfi", "delta_cfi", "holds"]]

# %% [markdown]
# ## 4 · Driver analysis
#
# The same call as in notebook 1: LMG shares of R² with bootstrap intervals, the
# importance-performance quadrants and a priority rank per organisation. The three
# priorities per organisation (`all` is the whole study):

# %%
imp = analyse_drivers(data, inst, by="organisation", bootstrap=BOOTSTRAP, seed=SEED)
first = imp.importance[imp.importance.priority <= 3].sort_values(["group", "priority"])
first[["group", "priority", "driver", "lmg_pct", "ci_low", "ci_high", "performance", "quadrant"]]

# %% [markdown]
# ## 5 · The reports
#
# `build_reports` takes the data, the quality report and the two results (so nothing is
# computed twice) and writes, for the whole study and for each organisation with at least
# `min_group_n` respondents, a self-contained HTML report and the same as PDF, plus one
# Excel workbook with every table. Open answers quoted in the reports are masked (e-mail
# addresses, phone numbers, IBANs, names) and escaped.

# %%
reports = build_reports(data, inst, quality, by="organisation", lang=LANG, out_dir=OUT_DIR,
                        bootstrap=BOOTSTRAP, seed=SEED, analysis=imp, validation=val, pdf=MAKE_PDF)
print("Reports written to", reports.out_dir)
pd.DataFrame([{"file": p.name, "kB": round(p.stat().st_size / 1024)} for p in reports.paths])

# %% [markdown]
# The executive summary of the whole-study report, as it appears at the top of
# `study.html` (open the file in a browser for the full report with its figures):

# %%
study_html = reports.study_html.read_text(encoding="utf-8")
summary = re.search(r'<section id="summary".*?</section>', study_html, flags=re.S)
display(HTML(summary.group(0)))

# %% [markdown]
# The Excel workbook holds every table of the reports with unrounded numbers, one sheet
# per table, for further work (the first sheet says what is where). Its sheets, and the
# overview sheet (`reports.sheets` maps each table to its sheet, whose name follows LANG):

# %%
workbook = pd.read_excel(reports.workbook, sheet_name=None)
print("Sheets:", ", ".join(workbook))
workbook[reports.sheets["overview"]]

# %% [markdown]
# ## Where to go from here
#
# * Hand over `study.pdf` and the organisation PDFs (or the HTML files); keep
#   `tables.xlsx` for questions that come back.
# * The same five steps run from the command line as `drivers report <export.csv> --out <folder>`.
# * To read a Qualtrics export instead, pass `source="qualtrics"` (or leave `"auto"`).
