#!/usr/bin/env Rscript
# Independent re-estimation of coachimpact's models with base R lm() and
# sandwich::vcovCL (CR1 = type "HC1": G/(G-1) (N-1)/(N-K), K = all
# parameters incl. intercept and fixed-effect dummies).
#
# usage: Rscript crosscheck.R DIR
# DIR holds the CSVs export.sh wrote; writes DIR/results_R.csv. The Go
# estimates are not read here (compare.py does that).
suppressPackageStartupMessages(library(sandwich))

args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]

sg <- read.csv(file.path(dir, "student_growth.csv"), colClasses = c(teacher_id = "character", student_id = "character"),
               stringsAsFactors = FALSE)
tobool <- function(v) if (is.logical(v)) v else v == "true"
sg$coached <- tobool(sg$coached)
for (c in c("english_learner", "special_education", "economically_disadvantaged")) {
  v <- tobool(sg[[c]])
  sg[[c]] <- ifelse(is.na(v), NA, ifelse(v, "Y", "N"))
}
sg$band <- ifelse(sg$hours <= 0, 0L, ifelse(sg$hours < 5, 1L, ifelse(sg$hours < 10, 2L, ifelse(sg$hours < 20, 3L, 4L))))
panel <- read.csv(file.path(dir, "school_year_panel.csv"), colClasses = c(school_id = "character"))
pc <- read.csv(file.path(dir, "practice_change.csv"), colClasses = c(teacher_id = "character"))

out <- list()
add <- function(...) out[[length(out) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)

summ <- function(b, se, G) {
  t <- qt(0.975, G - 1)
  list(estimate = b, std_error = se, ci_low = b - t * se, ci_high = b + t * se, df = G - 1)
}

# Design of a cell: lead regressors + baseline slopes per source present +
# grade x source (x year when pooled) (x subject when pooled) dummies.
fitcell <- function(rows, lead, pooled_year, pooled_subject) {
  d <- data.frame(y = rows$spring_z)
  fall <- rows$baseline_source == "fall"
  prior <- rows$baseline_source == "prior spring"
  stopifnot(all(fall | prior))
  terms <- names(lead)
  for (nm in names(lead)) d[[nm]] <- lead[[nm]]
  if (any(fall)) { d$base_fall <- rows$baseline_z * fall; terms <- c(terms, "base_fall") }
  if (any(prior)) { d$base_prior <- rows$baseline_z * prior; terms <- c(terms, "base_prior") }
  fe <- paste(rows$tested_grade, rows$baseline_source)
  if (pooled_year) fe <- paste(fe, rows$school_year)
  if (pooled_subject) fe <- paste(fe, rows$subject)
  d$fe <- factor(fe)
  if (nlevels(d$fe) > 1) terms <- c(terms, "fe")
  m <- lm(reformulate(terms, "y"), data = d)
  if (any(is.na(coef(m)))) stop("collinear design")
  V <- vcovCL(m, cluster = rows$teacher_id, type = "HC1")
  list(m = m, V = V, G = length(unique(rows$teacher_id)), K = length(coef(m)))
}

hedges <- function(diff, v, treat) {
  a <- v[treat]; c0 <- v[!treat]
  n1 <- length(a); n0 <- length(c0)
  s <- sqrt(((n1 - 1) * var(a) + (n0 - 1) * var(c0)) / (n1 + n0 - 2))
  (1 - 3 / (4 * (n1 + n0) - 9)) * diff / s
}

impact <- function(rows, sub, yr, subgroup = "") {
  an <- if (subgroup == "") "impact" else "impact_subgroup"
  n1 <- sum(rows$coached)
  if (n1 == 0 || n1 == nrow(rows)) return(invisible())
  f <- fitcell(rows, list(coached = as.numeric(rows$coached)), is.na(yr), sub == "All")
  b <- unname(coef(f$m)["coached"]); se <- sqrt(f$V["coached", "coached"])
  s <- summ(b, se, f$G)
  add(analysis = an, subject = sub, school_year = yr, subgroup = subgroup, band_order = NA,
      estimate = s$estimate, std_error = s$std_error, ci_low = s$ci_low, ci_high = s$ci_high, df = s$df,
      n_students = nrow(rows), G = f$G, K = f$K,
      hedges_g = hedges(b, rows$spring_z, rows$coached),
      baseline_g = hedges(mean(rows$baseline_z[rows$coached]) - mean(rows$baseline_z[!rows$coached]), rows$baseline_z, rows$coached),
      adjusted_mean = NA, variant = "")
}

dose <- function(rows, sub, yr) {
  if (sum(rows$coached) == 0) return(invisible())
  f <- fitcell(rows, list(hours = rows$hours), is.na(yr), sub == "All")
  s <- summ(unname(coef(f$m)["hours"]), sqrt(f$V["hours", "hours"]), f$G)
  add(analysis = "dose_response", subject = sub, school_year = yr, subgroup = "", band_order = NA,
      estimate = s$estimate, std_error = s$std_error, ci_low = s$ci_low, ci_high = s$ci_high, df = s$df,
      n_students = nrow(rows), G = f$G, K = f$K, hedges_g = NA, baseline_g = NA, adjusted_mean = NA, variant = "")
}

bands <- function(rows, sub, yr) {
  present <- Filter(function(b) any(rows$band == b), 1:4)
  if (!any(rows$band == 0) || length(present) == 0) return(invisible())
  lead <- list()
  for (b in present) lead[[paste0("band", b)]] <- as.numeric(rows$band == b)
  f <- fitcell(rows, lead, is.na(yr), sub == "All")
  cf <- coef(f$m)
  shift <- sum(sapply(present, function(b) mean(rows$band == b) * cf[[paste0("band", b)]]))
  ybar <- mean(rows$spring_z)
  add(analysis = "dosage_bands", subject = sub, school_year = yr, subgroup = "", band_order = 0,
      estimate = NA, std_error = NA, ci_low = NA, ci_high = NA, df = f$G - 1, n_students = sum(rows$band == 0),
      G = f$G, K = f$K, hedges_g = NA, baseline_g = NA, adjusted_mean = ybar - shift, variant = "")
  for (b in present) {
    nm <- paste0("band", b)
    s <- summ(cf[[nm]], sqrt(f$V[nm, nm]), f$G)
    add(analysis = "dosage_bands", subject = sub, school_year = yr, subgroup = "", band_order = b,
        estimate = s$estimate, std_error = s$std_error, ci_low = s$ci_low, ci_high = s$ci_high, df = s$df,
        n_students = sum(rows$band == b), G = f$G, K = f$K, hedges_g = NA, baseline_g = NA,
        adjusted_mean = ybar + cf[[nm]] - shift, variant = "")
  }
}

# Cells: year x subject, subject pooled over years, everything pooled.
cell_list <- list()
for (yr in sort(unique(sg$school_year))) for (sub in sort(unique(sg$subject)))
  cell_list[[length(cell_list) + 1]] <- list(sub = sub, yr = yr, rows = sg[sg$school_year == yr & sg$subject == sub, ])
for (sub in sort(unique(sg$subject)))
  cell_list[[length(cell_list) + 1]] <- list(sub = sub, yr = NA_integer_, rows = sg[sg$subject == sub, ])
cell_list[[length(cell_list) + 1]] <- list(sub = "All", yr = NA_integer_, rows = sg)

for (cl in cell_list) {
  impact(cl$rows, cl$sub, cl$yr)
  dose(cl$rows, cl$sub, cl$yr)
  bands(cl$rows, cl$sub, cl$yr)
  for (col in c("english_learner", "special_education", "economically_disadvantaged", "race_ethnicity")) {
    v <- cl$rows[[col]]
    for (val in sort(unique(v[!is.na(v) & v != ""]))) {
      sr <- cl$rows[!is.na(v) & v == val, ]
      tryCatch(impact(sr, cl$sub, cl$yr, paste(col, "=", val)), error = function(e) NULL)
    }
  }
}

# Two-way FE DiD.
p <- panel[!is.na(panel$mean_growth), ]
first <- min(p$school_year); last <- max(p$school_year)
keep <- is.na(p$ip_cohort) | (p$ip_cohort > first & p$ip_cohort <= last)
p <- p[keep, ]
p$post <- as.numeric(!is.na(p$ip_cohort) & p$school_year >= p$ip_cohort)
m <- lm(mean_growth ~ post + factor(school_id) + factor(school_year), data = p)
stopifnot(!any(is.na(coef(m))))
V <- vcovCL(m, cluster = p$school_id, type = "HC1")
N <- nrow(p); Kall <- length(coef(m)); Tn <- length(unique(p$school_year)); Kfx <- Tn; G <- length(unique(p$school_id))
b <- unname(coef(m)["post"]); se_raw <- sqrt(V["post", "post"]); se_fx <- se_raw * sqrt((N - Kall) / (N - Kfx))
# fixest's actual default (fixef.K = "nested") keeps the intercept counted: K = 1 + T.
Kfr <- Tn + 1; se_fr <- se_raw * sqrt((N - Kall) / (N - Kfr))
for (v in list(list("brief: K = T (nested school FE not counted)", se_fx, Kfx), list("raw sandwich (K = all dummies)", se_raw, Kall),
               list("fixest default ssc() / Stata: K = T + 1 (intercept counted)", se_fr, Kfr))) {
  s <- summ(b, v[[2]], G)
  add(analysis = "did", subject = "All", school_year = NA, subgroup = "", band_order = NA,
      estimate = s$estimate, std_error = s$std_error, ci_low = s$ci_low, ci_high = s$ci_high, df = s$df,
      n_students = sum(p$analysis_students), G = G, K = v[[3]], hedges_g = NA, baseline_g = NA, adjusted_mean = NA,
      variant = v[[1]])
}

# Callaway-Sant'Anna point estimates (no covariates, not-yet-treated + never-treated controls).
p <- panel[!is.na(panel$mean_growth), ]
Y <- function(s, t) { r <- p$mean_growth[p$school_id == s & p$school_year == t]; if (length(r)) r else NA }
schools <- unique(p$school_id)
coh <- sapply(schools, function(s) p$ip_cohort[p$school_id == s][1])
groups <- sort(unique(coh[!is.na(coh) & coh > first & coh <= last]))
num <- 0; den <- 0
for (g in groups) for (t in g:last) {
  d <- sapply(schools, function(s) Y(s, t) - Y(s, g - 1))
  tr <- !is.na(d) & !is.na(coh) & coh == g
  co <- !is.na(d) & (is.na(coh) | coh > t)
  if (!any(tr) || !any(co)) next
  att <- mean(d[tr]) - mean(d[co])
  num <- num + sum(tr) * att; den <- den + sum(tr)
  add(analysis = "did_group_time", subject = "All", school_year = t, subgroup = paste0("cohort ", g), band_order = NA,
      estimate = att, std_error = NA, ci_low = NA, ci_high = NA, df = NA, n_students = NA, G = NA, K = NA,
      hedges_g = NA, baseline_g = NA, adjusted_mean = NA, variant = paste(sum(tr), "treated", sum(co), "controls"))
}
if (den > 0)
  add(analysis = "did_cs", subject = "All", school_year = NA, subgroup = "", band_order = NA,
      estimate = num / den, std_error = NA, ci_low = NA, ci_high = NA, df = NA, n_students = NA, G = NA, K = NA,
      hedges_g = NA, baseline_g = NA, adjusted_mean = NA, variant = "point only")

# Practice.
ch <- pc$change[!is.na(pc$change)]
if (length(ch) >= 2) {
  s <- summ(mean(ch), sd(ch) / sqrt(length(ch)), length(ch))
  add(analysis = "practice", subject = "All", school_year = NA, subgroup = "", band_order = NA,
      estimate = s$estimate, std_error = s$std_error, ci_low = s$ci_low, ci_high = s$ci_high, df = s$df,
      n_students = NA, G = length(ch), K = 1, hedges_g = NA, baseline_g = NA, adjusted_mean = NA, variant = "")
}

res <- do.call(rbind, out)
# Full precision: 17 significant digits, NA as empty.
for (c in names(res)) if (is.numeric(res[[c]])) res[[c]] <- ifelse(is.na(res[[c]]), "", sprintf("%.17g", res[[c]]))
write.csv(res, file.path(dir, "results_R.csv"), row.names = FALSE, na = "")
cat(sprintf("R: %d rows -> %s\n", nrow(res), file.path(dir, "results_R.csv")))
