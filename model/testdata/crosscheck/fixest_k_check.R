#!/usr/bin/env Rscript
# Which K does fixest's default small-sample correction use when the
# clustering variable nests one fixed effect (school FE, clustered by
# school) and another FE (year) is not nested?
#
# fixest is not installed here, so this reproduces the example of the
# fixest vignette "On standard-errors" (section "Replicating
# standard-errors from other methods"), whose published value for
# feols(y ~ x | id + time) clustered by id -- equal to Stata's
# xtreg/reghdfe vce(cluster id) -- is 0.165385.
suppressPackageStartupMessages(library(sandwich))
set.seed(0)
N <- 20; n_id <- N / 5; n_time <- N / n_id
base <- data.frame(y = rnorm(N), x = rnorm(N), id = rep(1:n_id, n_time), time = rep(1:n_time, each = n_id))
m <- lm(y ~ x + as.factor(id) + as.factor(time), base)
se_all <- sqrt(vcovCL(m, cluster = base$id, type = "HC1")["x", "x"])
Kall <- length(coef(m)); T <- n_time
cat(sprintf("lm + vcovCL HC1 (K = all %d parameters): SE = %.6f\n", Kall, se_all))
cat(sprintf("rescaled to K = 1 + (T - 1) = %d (the brief / Go convention): SE = %.6f\n", T, se_all * sqrt((N - Kall) / (N - T))))
cat(sprintf("rescaled to K = 1 + T       = %d (intercept kept):            SE = %.6f\n", T + 1, se_all * sqrt((N - Kall) / (N - T - 1))))
cat("published fixest default / Stata value:                                0.165385\n")
