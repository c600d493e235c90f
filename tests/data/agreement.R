# Reference values for analysis.agreement's null distributions, rwg(j) critical values and
# the reliability of a unit mean. R 4.2.2, multilevel 2.7 (Debian r-cran-multilevel).
#   Rscript tests/data/agreement.R > tests/data/agreement_expected.json
suppressMessages(library(multilevel))
set.seed(1)
sims <- list(c(5, 1, 5), c(10, 1, 5), c(5, 4, 5), c(10, 4, 5), c(30, 4, 5), c(8, 3, 6))
q <- sapply(sims, function(cfg) {
  s <- if (cfg[2] == 1) rwg.sim(gsize = cfg[1], nresp = cfg[3], nrep = 20000) else
    rwg.j.sim(gsize = cfg[1], nitems = cfg[2], nresp = cfg[3], nrep = 20000)
  quantile(s$rwg, 0.95, type = 7)
})
x <- data.frame(a = c(4, 5, 4, 3, 5, 2, 3, 2, 3, 2, 4), b = c(4, 4, 5, 3, 4, 3, 3, 2, 2, 3, 4),
                g = c(1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2))
skew <- rwg.j(x[, 1:2], x$g, ranvar = 1.34)$rwg.j
unif <- rwg.j(x[, 1:2], x$g, ranvar = 2)$rwg.j
# ICC(2) of a balanced design = Spearman-Brown of ICC(1) at the group size
y <- c(3, 4, 5, 4, 2, 3, 3, 2, 5, 5, 4, 5, 1, 2, 2, 3)
grp <- factor(rep(1:4, each = 4))
fit <- aov(y ~ grp)
cat(sprintf('{\n "r_version": "%s", "multilevel": "%s",\n', R.version.string,
            packageVersion("multilevel")))
cat(' "critical": [', paste(sprintf('{"n": %d, "items": %d, "points": %d, "q95": %.6f}',
    sapply(sims, `[`, 1), sapply(sims, `[`, 2), sapply(sims, `[`, 3), q), collapse = ", "),
    '],\n', sep = "")
cat(sprintf(' "rwg_j_slight_skew": [%.10f, %.10f], "rwg_j_uniform": [%.10f, %.10f],\n',
            skew[1], skew[2], unif[1], unif[2]))
cat(sprintf(' "balanced": {"y": [%s], "group_size": 4, "icc1": %.12f, "icc2": %.12f}\n}\n',
            paste(y, collapse = ", "), ICC1(fit), ICC2(fit)))
