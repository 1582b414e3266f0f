# The partial-invariance search of `validate(partial=True)` done with lavaan: configural,
# metric and scalar FIML fits by organisation; at a failed step (CFI drops by more than
# .01) the equality constraint of that step's kind with the largest lavTestScore()
# statistic is released (its "==" row removed) and the model refitted, until the step
# holds or 5 are released.  The same procedure as tests/fixtures/r/partial_invariance.R
# (which also records every score test for the tests), timed without R's start-up.
# Usage: Rscript benchmarks/partial_lavaan.R ITEMS.csv   (prints the released
# constraints, the CPU seconds ("cpu ..."), then the elapsed seconds on the last line)
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1])
items <- setdiff(names(data), "organisation")
constructs <- split(items, sub("[0-9]+$", "", items))
constructs <- constructs[unique(sub("[0-9]+$", "", items))]
model <- paste(sprintf("f_%s =~ %s", names(constructs), sapply(constructs, paste, collapse = " + ")),
               collapse = "\n")
levels <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"))
kind_op <- c(metric = "=~", scalar = "~1")

fit_level <- function(equal, released) {
  fit <- cfa(model, data = data, group = "organisation", missing = "ml", group.equal = equal)
  if (length(released) == 0) return(fit)
  pt <- parTable(fit)
  for (r in released) {
    k <- which(pt$lhs == r$lhs & pt$op == r$op & pt$rhs == r$rhs & pt$group == r$group)
    pt <- pt[-which(pt$op == "==" & pt$rhs == pt$plabel[k]), ]
  }
  pt$est <- NULL; pt$se <- NULL
  lavaan(pt, data = data, group = "organisation", missing = "ml")
}

start <- proc.time()[["elapsed"]]
cpu_start <- sum(proc.time()[c("user.self", "sys.self")])
previous <- NULL
released <- list()
for (level in names(levels)) {
  fit <- fit_level(levels[[level]], released)
  if (!is.null(previous) && level %in% names(kind_op)) {
    step <- 0
    while (fitMeasures(previous, "cfi") - fitMeasures(fit, "cfi") > 0.01 && step < 5) {
      step <- step + 1
      st <- lavTestScore(fit)
      pt <- parTable(fit)
      other <- match(st$uni$rhs, pt$plabel)
      ok <- pt$op[other] == kind_op[[level]] & !(pt$lhs[other] %in% lavNames(fit, "lv"))
      k <- other[ok][which.max(st$uni$X2[ok])]
      released[[length(released) + 1]] <- list(lhs = pt$lhs[k], op = pt$op[k], rhs = pt$rhs[k],
                                                group = pt$group[k])
      cat(level, pt$lhs[k], pt$op[k], pt$rhs[k], lavInspect(fit, "group.label")[pt$group[k]], "\n")
      fit <- fit_level(levels[[level]], released)
    }
  }
  previous <- fit
}
# CPU seconds of this R process (user + system), then the elapsed seconds (last line)
cpu <- proc.time()
cat(sprintf("cpu %.3f\n", cpu[["user.self"]] + cpu[["sys.self"]] - cpu_start))
cat(sprintf("%.3f\n", proc.time()[["elapsed"]] - start))
