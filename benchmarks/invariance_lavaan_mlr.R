# The invariance part of `drivers validate --by organisation --estimator mlr` done by lavaan:
# the configural, metric and scalar FIML models with estimator = "MLR" (sandwich SEs,
# Yuan-Bentler scaled chi-square, robust CFI/TLI/RMSEA) and the scaled difference tests
# between the steps (Satorra-Bentler 2001 and 2010), as analysis.validation.invariance.
# Usage: Rscript benchmarks/invariance_lavaan_mlr.R ITEMS.csv   (prints the CPU seconds, then the elapsed seconds)
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], na.strings = "NA")
items <- setdiff(names(d), "organisation")
constructs <- split(items, sub("[0-9]+$", "", items))
constructs <- constructs[unique(sub("[0-9]+$", "", items))]
model <- paste(sprintf("f_%s =~ %s", names(constructs), sapply(constructs, paste, collapse = " + ")),
               collapse = "\n")
start <- proc.time()[["elapsed"]]
cpu_start <- sum(proc.time()[c("user.self", "sys.self")])
fits <- lapply(list("", "loadings", c("loadings", "intercepts")), function(eq) {
  fit <- cfa(model, data = d, group = "organisation", missing = "ml", group.equal = eq,
             estimator = "MLR")
  fitMeasures(fit, c("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust",
                     "rmsea.robust", "srmr"))
  fit
})
for (k in 2:3) {
  lavTestLRT(fits[[k - 1]], fits[[k]], method = "satorra.bentler.2001")
  lavTestLRT(fits[[k - 1]], fits[[k]], method = "satorra.bentler.2010")
}
# CPU seconds of this R process (user + system), then the elapsed seconds (last line)
cpu <- proc.time()
cat(sprintf("cpu %.3f\n", cpu[["user.self"]] + cpu[["sys.self"]] - cpu_start))
cat(sprintf("%.3f\n", proc.time()[["elapsed"]] - start))
