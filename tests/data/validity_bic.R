# BIC of the two CFA models -> adds cfa_dimensional_bic / cfa_one_factor_bic to
# validity_expected.json (the same calls as in validity.R, for a machine without semTools).
#
#   cd tests/data && Rscript validity_bic.R
#
# R 4.2.2, lavaan 0.6.14, jsonlite 1.8.4. BIC = -2 logL + q ln N (lavaan's BIC()).
suppressPackageStartupMessages(library(lavaan))
library(jsonlite)

out <- fromJSON("validity_expected.json", simplifyVector = TRUE, simplifyMatrix = TRUE)
sets <- list(
  "a_single_factor.csv" = list(A = paste0("q", 1:4), B = paste0("q", 5:8)),
  "g_three_factor.csv" = list(D1 = paste0("d1_", 1:4), D2 = paste0("d2_", 1:4),
                              D3 = paste0("d3_", 1:4)))
for (ds in names(sets)) {
  dims <- sets[[ds]]
  x <- read.csv(ds)
  model <- paste(sprintf("%s =~ %s", names(dims), sapply(dims, paste, collapse = " + ")),
                 collapse = "\n")
  model1 <- sprintf("G =~ %s", paste(unlist(dims), collapse = " + "))
  for (m in list(c("cfa_dimensional_bic", "BIC(cfa(model, data = x, std.lv = TRUE))"),
                 c("cfa_one_factor_bic", "BIC(cfa(model1, data = x, std.lv = TRUE))"))) {
    out[[ds]][[m[1]]] <- list(value = eval(parse(text = m[2])), call = m[2])
  }
}
out[["_meta"]]$bic_added_by <- "tests/data/validity_bic.R"
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, matrix = "rowmajor"),
           "validity_expected.json")
