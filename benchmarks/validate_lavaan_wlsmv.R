# The work of `drivers validate --by organisation --estimator wlsmv` done by lavaan/semTools/psych:
# WLSMV CFA of the 8-factor model (items ordered, missing answers and N/A pairwise) on the
# whole sample and per group with categorical omega (compRelSEM), alpha, HTMT; and the
# configural / metric (thresholds + loadings) / scalar invariance models identified as
# Wu & Estabrook (2016) (semTools::measEq.syntax) with lavTestLRT(method = "satorra.2000").
# Usage: Rscript benchmarks/validate_lavaan_wlsmv.R ITEMS.csv   (prints elapsed seconds)
# lavaan 0.6-14, semTools 0.5-6, psych 2.2.9.
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
  x <- x[rowSums(!is.na(x)) > 0, ]
  fit <- cfa(model, data = x, ordered = items, estimator = "WLSMV", missing = "pairwise")
  fitMeasures(fit, c("chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr"))
  standardizedSolution(fit)
  compRelSEM(fit)
  for (k in names(constructs)) psych::alpha(x[, constructs[[k]]], warnings = FALSE)
  htmt(model, sample.cov = cor(x[, items], use = "pairwise"), htmt2 = FALSE)
}
one_group(d[, items])
message(sprintf("one-group fits started; whole sample done at %.1f s", proc.time()[["elapsed"]] - start))
for (g in unique(d$organisation)) one_group(d[d$organisation == g, items])
message(sprintf("per-group fits done at %.1f s", proc.time()[["elapsed"]] - start))
d <- d[rowSums(!is.na(d[, items])) > 0, ]
fits <- lapply(list("configural", c("thresholds", "loadings"), c("thresholds", "loadings", "intercepts")),
               function(eq) {
  syntax <- as.character(measEq.syntax(model, data = d, ordered = items, parameterization = "delta",
                                       ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
                                       group = "organisation", group.equal = eq, missing = "pairwise"))
  fit <- cfa(syntax, data = d, ordered = items, group = "organisation", estimator = "WLSMV",
             missing = "pairwise")
  fitMeasures(fit, c("chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr"))
  fit
})
lavTestLRT(fits[[1]], fits[[2]], method = "satorra.2000")
lavTestLRT(fits[[2]], fits[[3]], method = "satorra.2000")
cat(sprintf("%.3f\n", proc.time()[["elapsed"]] - start))
