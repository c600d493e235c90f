# Reference values for analysis.pooling.eb_pool: Morris's (1983) empirical Bayes estimator of
# the between-unit variance (metafor's method = "EB") and the posterior means.
# R 4.2.2, metafor 3.8.1 (Debian r-cran-metafor).
#   Rscript tests/data/pooling.R > tests/data/pooling_expected.json
# metafor's blup() uses the plain weight tau2 / (tau2 + v); eb_pool applies Morris's
# (k - 3) / (k - 1) factor to the shrinkage, so the test compares through that factor.
suppressMessages(library(metafor))
cases <- list(
  # eight units with unequal variances
  list(y = c(0.9, -0.5, 0.2, 0.8, 0.1, 1.4, -0.2, 0.35),
       v = c(0.25, 0.30, 0.12, 0.5, 0.2, 0.6, 0.15, 0.22)),
  # twenty unit changes on 0-100 with the demo's sampling variances (n = 5..30 each wave)
  list(y = c(12.1, -3.4, 5.6, 0.8, -9.7, 22.3, 1.5, -0.6, 7.9, -14.2, 3.3, 0.1, -5.5,
             18.4, -2.2, 4.4, -7.1, 9.6, 2.7, -1.9),
       v = 342 * 2 / c(5, 6, 7, 8, 9, 10, 12, 15, 20, 30, 5, 6, 7, 8, 9, 10, 12, 15, 20, 30)),
  # units that differ no more than sampling error explains: tau2 = 0
  list(y = c(0.1, -0.1, 0.05, 0.0, -0.05, 0.08),
       v = c(0.5, 0.6, 0.4, 0.5, 0.7, 0.45)))
out <- sapply(cases, function(cs) {
  m <- rma(yi = cs$y, vi = cs$v, method = "EB",
           control = list(threshold = 1e-14, maxiter = 10000))
  sprintf('{"y": [%s], "v": [%s], "tau2": %.15g, "mu": %.15g, "blup": [%s]}',
          paste(sprintf("%.15g", cs$y), collapse = ", "),
          paste(sprintf("%.15g", cs$v), collapse = ", "), m$tau2, as.numeric(m$b),
          paste(sprintf("%.15g", blup(m)$pred), collapse = ", "))
})
cat(sprintf('{\n "r_version": "%s", "metafor": "%s",\n "cases": [\n  %s\n ]\n}\n',
            R.version.string, packageVersion("metafor"), paste(out, collapse = ",\n  ")))
