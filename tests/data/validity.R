# Reference values for analysis/validity.py -> tests/data/validity_expected.json
#
#   cd tests/data && Rscript validity.R
#
# R 4.2.2 Patched (2022-11-10 r83330); psych 2.2.9, GPArotation 2022.10.2, lavaan 0.6.14,
# semTools 0.5.6, jsonlite 1.8.4 (Debian bookworm packages r-base-core r-cran-psych
# r-cran-gparotation r-cran-lavaan r-cran-semtools). Every value carries the R call that
# produced it. Datasets: a_single_factor.csv (one factor; split arbitrarily into A = q1-q4 and
# B = q5-q8) and g_three_factor.csv (three correlated factors, make_g_three_factor.py).
suppressPackageStartupMessages({library(psych); library(lavaan); library(semTools)})
library(jsonlite)

out <- list()
put <- function(ds, name, value, call) {
  out[[ds]][[name]] <<- list(value = value, call = call)
}
ev <- function(ds, name, call, env) put(ds, name, eval(parse(text = call), env), call)

sets <- list(
  "a_single_factor.csv" = list(
    dims = list(A = paste0("q", 1:4), B = paste0("q", 5:8))),
  "g_three_factor.csv" = list(
    dims = list(D1 = paste0("d1_", 1:4), D2 = paste0("d2_", 1:4), D3 = paste0("d3_", 1:4))))

for (ds in names(sets)) {
  env <- new.env()
  env$x <- read.csv(ds)
  dims <- sets[[ds]]$dims
  env$dims <- dims
  env$model <- paste(sprintf("%s =~ %s", names(dims),
                             sapply(dims, paste, collapse = " + ")), collapse = "\n")
  env$model1 <- sprintf("G =~ %s", paste(unlist(dims), collapse = " + "))
  put(ds, "lavaan_model", env$model, "paste(sprintf('%s =~ %s', ...)) (dimensional model)")
  put(ds, "lavaan_model_one_factor", env$model1, "sprintf('G =~ %s', all items)")
  put(ds, "n_obs", nrow(na.omit(env$x)), "nrow(na.omit(x))")
  # HTMT (Henseler 2015): arithmetic means of raw correlations
  ev(ds, "htmt_semtools", "unclass(semTools::htmt(model, x, absolute = FALSE, htmt2 = FALSE))", env)
  ev(ds, "htmt_formula", paste(
    "local({R <- cor(na.omit(x)); nd <- length(dims); h <- diag(nd);",
    "mono <- sapply(dims, function(d) {r <- R[d, d]; mean(r[lower.tri(r)])});",
    "for (i in 1:nd) for (j in 1:nd) if (i != j) h[i, j] <- mean(R[dims[[i]], dims[[j]]]) /",
    "sqrt(mono[i] * mono[j]); h})"), env)
  ev(ds, "htmt2_semtools_default", "unclass(semTools::htmt(model, x))", env)
  # disattenuated correlations of dimension (row-mean) scores
  ev(ds, "alpha_per_dimension",
     "sapply(dims, function(d) psych::alpha(na.omit(x)[, d])$total$raw_alpha)", env)
  ev(ds, "score_correlation", "cor(sapply(dims, function(d) rowMeans(na.omit(x)[, d])))", env)
  ev(ds, "disattenuated_correlation", paste(
    "local({a <- sapply(dims, function(d) psych::alpha(na.omit(x)[, d])$total$raw_alpha);",
    "cor(sapply(dims, function(d) rowMeans(na.omit(x)[, d]))) / sqrt(outer(a, a))})"), env)
  # omega hierarchical
  nf <- length(dims)
  for (fm in c("minres", "ml")) {
    call <- sprintf(paste("suppressMessages(psych::omega(na.omit(x)[, unlist(dims)],",
                          "nfactors = %d, fm = '%s', rotate = 'oblimin', plot = FALSE))"), nf, fm)
    env$om <- eval(parse(text = call), env)
    put(ds, sprintf("omega_h_%s", fm), env$om$omega_h, paste0(call, "$omega_h"))
    put(ds, sprintf("omega_total_%s", fm), env$om$omega.tot, paste0(call, "$omega.tot"))
    put(ds, sprintf("oblique_loadings_%s", fm), unclass(env$om$schmid$oblique),
        paste0(call, "$schmid$oblique"))
    put(ds, sprintf("phi_%s", fm), unclass(env$om$schmid$phi), paste0(call, "$schmid$phi"))
    put(ds, sprintf("g_loadings_%s", fm), as.numeric(env$om$schmid$sl[, "g"]),
        paste0(call, "$schmid$sl[, 'g']"))
  }
  # CFA: dimensional vs one factor, ML, lavaan defaults (N divisor, listwise)
  env$fit <- cfa(env$model, data = env$x, std.lv = TRUE)
  env$fit1 <- cfa(env$model1, data = env$x, std.lv = TRUE)
  fm_names <- "c('chisq', 'df', 'pvalue', 'baseline.chisq', 'baseline.df', 'cfi', 'tli', 'rmsea', 'srmr')"
  ev(ds, "cfa_dimensional_fit",
     sprintf("as.list(fitMeasures(cfa(model, data = x, std.lv = TRUE), %s))", fm_names), env)
  ev(ds, "cfa_one_factor_fit",
     sprintf("as.list(fitMeasures(cfa(model1, data = x, std.lv = TRUE), %s))", fm_names), env)
  ev(ds, "cfa_dimensional_factor_cor",
     "unclass(lavInspect(cfa(model, data = x, std.lv = TRUE), 'cor.lv'))", env)
  ev(ds, "cfa_dimensional_loadings",
     "rowSums(unclass(lavInspect(cfa(model, data = x, std.lv = TRUE), 'est')$lambda))", env)
  ev(ds, "cfa_dimensional_residual_var",
     "diag(unclass(lavInspect(cfa(model, data = x, std.lv = TRUE), 'est')$theta))", env)
  ev(ds, "cfa_one_factor_loadings",
     "as.numeric(unclass(lavInspect(cfa(model1, data = x, std.lv = TRUE), 'est')$lambda))", env)
  ev(ds, "cfa_dimensional_bic", "BIC(cfa(model, data = x, std.lv = TRUE))", env)
  ev(ds, "cfa_one_factor_bic", "BIC(cfa(model1, data = x, std.lv = TRUE))", env)
  ev(ds, "cfa_lrt", paste(
    "local({t <- lavTestLRT(cfa(model, data = x, std.lv = TRUE), cfa(model1, data = x, std.lv = TRUE));",
    "list(chisq_diff = t[2, 'Chisq diff'], df_diff = t[2, 'Df diff'], p = t[2, 'Pr(>Chisq)'])})"), env)
}

out[["_meta"]] <- list(
  R = R.version.string,
  packages = sapply(c("psych", "GPArotation", "lavaan", "semTools", "jsonlite"),
                    function(p) as.character(packageVersion(p)), simplify = FALSE),
  generated_by = "tests/data/validity.R",
  layout = "dataset file -> statistic -> {value, call}; matrices as row arrays")
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, matrix = "rowmajor"),
           "validity_expected.json")
