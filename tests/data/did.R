# Reference values for analysis.did.difference_in_differences: a random-effects
# meta-regression of each unit's change on a treated indicator (one treated unit, the rest
# comparison units), metafor::rma(yi, vi, mods = ~ treated) with REML and DL.
# R 4.2.2, metafor 3.8.1 (Debian r-cran-metafor); no random numbers.
#   Rscript tests/data/did.R > tests/data/did_expected.json
# Each case gives per unit the before/after estimates and standard errors (0-100 scores);
# yi = after - before, vi = se_before^2 + se_after^2; the first unit is the treated one.
suppressMessages(library(metafor))
cases <- list(
  # a clear gain against eight comparison units with unequal variances
  list(before = c(48.0, 52.1, 47.3, 55.0, 50.2, 44.8, 58.3, 49.9, 51.6),
       after  = c(63.5, 53.0, 46.1, 57.8, 50.0, 47.9, 57.2, 52.4, 51.1),
       se_b   = c(3.1, 2.4, 4.0, 2.2, 3.5, 5.1, 2.8, 3.0, 2.6),
       se_a   = c(2.9, 2.6, 3.8, 2.0, 3.3, 4.7, 3.0, 3.2, 2.5)),
  # comparison units whose changes differ more than sampling error explains (tau2 > 0)
  list(before = c(60.0, 55.0, 61.2, 48.3, 52.9, 57.7, 62.0, 50.5, 54.4, 59.0, 46.1, 53.3),
       after  = c(64.0, 66.1, 52.0, 49.0, 63.3, 50.2, 61.1, 58.9, 47.0, 60.2, 55.5, 53.0),
       se_b   = c(2.5, 1.8, 2.2, 3.4, 2.0, 2.7, 1.9, 3.1, 2.3, 2.6, 3.9, 2.1),
       se_a   = c(2.4, 1.9, 2.1, 3.6, 2.2, 2.5, 2.0, 2.9, 2.4, 2.8, 3.7, 2.0)),
  # comparison units that differ no more than sampling error explains: tau2 = 0
  list(before = c(40.0, 50.0, 51.0, 49.5, 50.4, 50.2, 49.8),
       after  = c(42.0, 50.3, 50.8, 49.9, 50.1, 50.6, 50.0),
       se_b   = c(4.0, 3.0, 3.2, 3.1, 2.9, 3.3, 3.0),
       se_a   = c(4.2, 3.1, 3.0, 3.2, 3.0, 3.1, 2.8)),
  # four comparison units (the minimum) and a drop
  list(before = c(70.0, 62.0, 66.5, 59.0, 64.2),
       after  = c(61.0, 63.5, 65.0, 61.2, 64.0),
       se_b   = c(3.0, 3.5, 2.8, 4.1, 3.3),
       se_a   = c(3.2, 3.4, 2.9, 3.9, 3.1)))
num <- function(x) paste(sprintf("%.15g", x), collapse = ", ")
fit <- function(yi, vi, treated, method) {
  m <- rma(yi = yi, vi = vi, mods = ~ treated, method = method, test = "z",
           control = list(threshold = 1e-14, maxiter = 10000))
  sprintf(paste0('"%s": {"call": "rma(yi, vi, mods = ~ treated, method = \\"%s\\", ',
                 'control = list(threshold = 1e-14))", "tau2": %.15g, "b": [%s], ',
                 '"se": [%s], "ci_lb": %.15g, "ci_ub": %.15g, "pval": %.15g}'),
          method, method, m$tau2, num(as.numeric(m$b)), num(m$se), m$ci.lb[2], m$ci.ub[2],
          m$pval[2])
}
out <- sapply(cases, function(cs) {
  yi <- cs$after - cs$before
  vi <- cs$se_b^2 + cs$se_a^2
  treated <- c(1, rep(0, length(yi) - 1))
  sprintf('{"before": [%s], "after": [%s], "se_before": [%s], "se_after": [%s],\n   %s,\n   %s}',
          num(cs$before), num(cs$after), num(cs$se_b), num(cs$se_a),
          fit(yi, vi, treated, "REML"), fit(yi, vi, treated, "DL"))
})
cat(sprintf('{\n "r_version": "%s", "metafor": "%s",\n "cases": [\n  %s\n ]\n}\n',
            R.version.string, packageVersion("metafor"), paste(out, collapse = ",\n  ")))
