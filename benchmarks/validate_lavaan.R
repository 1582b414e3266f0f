# The work of `drivers validate --by organisation` done by lavaan/semTools/psych:
# FIML CFA of the 8-factor model on the whole sample and per group, alpha, omega,
# HTMT, and the configural/metric/scalar invariance models.
# Usage: Rscript benchmarks/validate_lavaan.R ITEMS.csv   (prints elapsed seconds)
suppressPackageStartupMessages({library(lavaan); library(semTools); library(psych)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], na.strings = "NA")
items <- setdiff(names(d), "organisation")
constructs <- split(items, sub("[0-9]+$", "", items))
constructs <- constructs[unique(sub("[0-9]+$", "", items))]
model <- paste(sprintf("f_%s =~ %s", names(constructs), sapply(constructs, paste, collapse = " + ")),
               collapse = "\n")
start <- proc.time()[["elapsed"]]
one_group <- function(x) {
  fit <- cfa(model, data = x, missing = "ml")
  fitMeasures(fit, c("chisq", "cfi", "tli", "rmsea", "rmsea.ci.lower", "srmr"))
  standardizedSolution(fit)
  compRelSEM(fit, obs.var = FALSE)
  for (k in names(constructs)) psych::alpha(x[, constructs[[k]]], warnings = FALSE)
  htmt(model, sample.cov = cor(x[, items], use = "pairwise"), htmt2 = FALSE)
}
one_group(d[, items])
for (g in unique(d$organisation)) one_group(d[d$organisation == g, items])
for (eq in list("", "loadings", c("loadings", "intercepts"))) {
  fit <- cfa(model, data = d, group = "organisation", missing = "ml", group.equal = eq)
  fitMeasures(fit, c("chisq", "cfi", "rmsea", "srmr"))
}
cat(sprintf("%.3f\n", proc.time()[["elapsed"]] - start))
