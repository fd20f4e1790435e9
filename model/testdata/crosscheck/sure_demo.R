# Independent recomputation, on a finished run, of issue 16's items 6 and
# 9: impact_weighted from the raw rosters, coaching sessions and analysis
# rows (exposure, the teacher-student components by R's own union-find, lm
# + clubSandwich CR2 / Satterthwaite), the impact cells' PowerUp! MDE from
# the rows (ICC by anova, R² by lm, the formula hand-coded: PowerUpR is not
# packaged), and the posterior probabilities and E-values from the
# published estimate and SE. Export first (read-only on the DB):
#   B=coachimpact; D=OUT/coachimpact.duckdb; X=/tmp/sx
#   $B sql --db $D "COPY (SELECT school_year, student_id, subject, tested_grade, baseline_source, spring_z, baseline_z, test_date, teacher_id FROM student_growth WHERE excluded IS NULL) TO '$X/sg.csv' (HEADER)"
#   $B sql --db $D "COPY (SELECT school_year, student_id, subject, teacher_id, percent_time FROM rosters) TO '$X/ro.csv' (HEADER)"
#   $B sql --db $D "COPY (SELECT c.teacher_id, c.school_year, s.session_date, s.minutes FROM coaching_sessions s JOIN coaching_cycles c USING (cycle_id)) TO '$X/cs.csv' (HEADER)"
#   $B sql --db $D "COPY (SELECT * FROM estimates) TO '$X/est.csv' (HEADER)"
# Run: Rscript model/testdata/crosscheck/sure_demo.R /tmp/sx
suppressMessages(library(clubSandwich))
dir <- commandArgs(TRUE)[1]
rd <- function(f) read.csv(file.path(dir, f), colClasses = "character")
sg <- rd("sg.csv"); ro <- rd("ro.csv"); cs <- rd("cs.csv"); es <- read.csv(file.path(dir, "est.csv"))
for (v in c("spring_z", "baseline_z")) sg[[v]] <- as.numeric(sg[[v]])
sg$key <- paste(sg$school_year, sg$student_id, sg$subject)
ro$w <- ifelse(ro$percent_time == "", 100, as.numeric(ro$percent_time))
ro$key <- paste(ro$school_year, ro$student_id, ro$subject)
ro <- aggregate(w ~ key + teacher_id + school_year, ro, sum)
ro <- ro[ro$key %in% sg$key, ]
ro$test_date <- sg$test_date[match(ro$key, sg$key)]
# coached: any session minutes of that teacher and year on or before the test date.
cs$minutes <- as.numeric(cs$minutes)
cs <- cs[cs$minutes > 0 & !is.na(cs$minutes), ]
ckey <- paste(cs$teacher_id, cs$school_year)
ro$coached <- mapply(function(t, y, d) {
  s <- cs$session_date[ckey == paste(t, y)]
  length(s) > 0 && (d == "" || any(s <= d))
}, ro$teacher_id, ro$school_year, ro$test_date)
ex <- tapply(ro$w * ro$coached, ro$key, sum) / tapply(ro$w, ro$key, sum)
sg$exposure <- as.numeric(ex[sg$key])
sg$coached_tor <- ro$coached[match(paste(sg$key, sg$teacher_id), paste(ro$key, ro$teacher_id))]
teachers_of <- split(ro$teacher_id, ro$key)

components <- function(keys) {
  # union-find over teachers linked by a shared student
  tl <- teachers_of[keys]; ids <- unique(unlist(tl)); parent <- setNames(ids, ids)
  find <- function(x) { while (parent[[x]] != x) x <- parent[[x]]; x }
  for (ts in tl) if (length(ts) > 1) for (t in ts[-1]) {
    a <- find(ts[1]); b <- find(t); if (a != b) parent[[b]] <- a
  }
  sapply(tl, function(ts) find(ts[1]))
}
fitcell <- function(x, treat, cluster) {
  x$bf <- ifelse(x$baseline_source == "fall", x$baseline_z, 0)
  x$bp <- ifelse(x$baseline_source == "fall", 0, x$baseline_z)
  x$fe <- interaction(x$tested_grade, x$baseline_source, x$school_year, x$subject, drop = TRUE)
  x$treat <- treat
  f <- spring_z ~ treat + fe
  if (any(x$baseline_source == "fall")) f <- update(f, . ~ . + bf)
  if (any(x$baseline_source != "fall")) f <- update(f, . ~ . + bp)
  m <- lm(f, x)
  ct <- coef_test(m, vcov = "CR2", cluster = cluster, test = "Satterthwaite", coefs = "treat")
  c(est = coef(m)[["treat"]], se = ct$SE, df = ct$df_Satt)
}
mde <- function(x) {
  x$fe <- interaction(x$tested_grade, x$baseline_source, x$school_year, x$subject, drop = TRUE)
  y <- resid(lm(spring_z ~ fe, x))
  B <- cbind(bf = ifelse(x$baseline_source == "fall", x$baseline_z, 0), bp = ifelse(x$baseline_source == "fall", 0, x$baseline_z))
  B <- B[, colSums(B != 0) > 0, drop = FALSE]
  B <- apply(B, 2, function(b) resid(lm(b ~ x$fe)))
  t <- x$teacher_id; J <- length(unique(t)); N <- nrow(x); nt <- table(t)
  a <- anova(lm(y ~ factor(t)))
  msb <- a[1, "Mean Sq"]; msw <- a[2, "Mean Sq"]; n0 <- (N - sum(nt^2) / N) / (J - 1)
  vb <- max(0, (msb - msw) / n0); rho <- vb / (vb + msw)
  yw <- y - ave(y, t); Bw <- apply(B, 2, function(b) b - ave(b, t))
  r1 <- summary(lm(yw ~ Bw - 1))$r.squared
  ym <- tapply(y, t, mean); Bm <- apply(B, 2, function(b) tapply(b, t, mean))
  r2 <- summary(lm(ym ~ Bm))$r.squared
  P <- mean(tapply(x$coached_tor, t, any)); n <- N / J; g <- ncol(B); df <- J - g - 2
  M <- qt(0.975, df) + qt(0.80, df)
  M * sqrt(rho * (1 - r2) / (P * (1 - P) * J) + (1 - rho) * (1 - r1) / (P * (1 - P) * J * n)) * sqrt(vb + msw)
}
row <- function(a, s, y) {
  r <- es[es$analysis == a & es$subject == s & (if (is.na(y)) is.na(es$school_year) else es$school_year %in% y) & (is.na(es$subgroup) | es$subgroup == ""), ]
  r[1, ]
}
ev <- function(d) { rr <- exp(0.91 * abs(d)); rr + sqrt(rr * (rr - 1)) }
cells <- list(c("Math", "2024"), c("ELA", "2023"), c("ELA", NA), c("All", NA))
for (cl in cells) {
  s <- cl[1]; y <- cl[2]
  x <- sg[(s == "All" | sg$subject == s) & (is.na(y) | sg$school_year == y), ]
  yy <- if (is.na(y)) NA else as.integer(y)
  # The pooled cells' components hold ~1,600 rows each on the demo, where
  # clubSandwich ran over 25 minutes: impact_weighted is checked on the
  # year cells here, on pooled ones in weighted.R (synthetic district).
  w <- if (is.na(y)) c(NA, NA, NA) else fitcell(x, x$exposure, components(x$key))
  gw <- row("impact_weighted", s, yy)
  i <- fitcell(x, as.numeric(x$coached_tor), x$teacher_id); gi <- row("impact", s, yy)
  m <- mde(x)
  v <- 1 / (1 / 0.2^2 + 1 / gi$std_error^2); mu <- v * gi$estimate / gi$std_error^2
  cat(sprintf("%s %s\n  impact_weighted R %.9f se %.6f df %.3f | Go %.9f se %.6f df %.3f\n  impact          R %.9f se %.6f df %.3f | Go %.9f se %.6f df %.3f\n  MDE R %.9f Go %.9f; P(>0) R %.9f Go %.9f; P(>0.05) R %.9f Go %.9f; E R %.6f Go %.6f; E_CI R %.6f Go %.6f\n",
    s, y, w[1], w[2], w[3], gw$estimate, gw$std_error, gw$df, i[1], i[2], i[3], gi$estimate, gi$std_error, gi$df,
    m, gi$mde, pnorm(mu / sqrt(v)), gi$prob_positive, pnorm((mu - 0.05) / sqrt(v)), gi$prob_above_threshold,
    ev(gi$estimate), gi$e_value, if (gi$ci_low > 0) ev(gi$ci_low) else 1, gi$e_value_ci))
}
