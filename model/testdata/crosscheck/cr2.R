# Run by hand: Rscript cr2.R (needs clubSandwich). The designs and numbers of
# cr2_test.go: random small designs (seed 16, rounded to 4 decimals) and
# clubSandwich 0.5.8 coef_test(lm(...), vcov = "CR2", cluster = cl,
# test = "Satterthwaite"): estimate, SE, Satterthwaite df.
suppressMessages(library(clubSandwich))
set.seed(16)
out <- list()
mk <- function(name, d, form, target) {
  d <- round(d, 4)
  for (v in names(d)) cat(sprintf("%s %s: []float64{%s},\n", name, v, paste(format(d[[v]], digits = 15, trim = TRUE), collapse = ", ")))
  m <- lm(form, d)
  ct <- coef_test(m, vcov = "CR2", cluster = d$cl, test = "Satterthwaite")
  r <- ct[ct$Coef %in% target, ]
  cat(name, sprintf("%s %.17g %.17g %.17g\n", r$Coef, r$beta, r$SE, r$df_Satt))
}
# 1: grade FE crossing teachers, coached constant within teacher, one single-row cluster
n <- 40; cl <- c(rep(1:9, each = 4), 10, 11, 11, 11)
coached <- as.numeric(cl %in% c(1, 3, 5, 8, 10))
fe <- sample(0:2, n, TRUE); b <- rnorm(n)
y <- 0.3 * coached + 0.6 * b + fe * 0.2 + rnorm(n)
d1 <- data.frame(y, x1 = coached, x2 = b, fe, cl)
mk("d1", d1, y ~ x1 + x2 + factor(fe), c("x1", "x2"))
# 2: FE nested in clusters (school FE, cluster school) + year dummies, did-like
S <- 8; T <- 4
d2 <- expand.grid(t = 1:T, s = 1:S)
cohort <- c(2, 3, 3, NA, NA, 4, NA, NA)[d2$s]
d2$x1 <- as.numeric(!is.na(cohort) & d2$t >= cohort)
d2$x2 <- as.numeric(d2$t == 2); d2$x3 <- as.numeric(d2$t == 3); d2$x4 <- as.numeric(d2$t == 4)
d2$y <- 0.2 * d2$x1 + rnorm(S)[d2$s] + rnorm(S * T, sd = 0.3)
d2$fe <- d2$s - 1; d2$cl <- d2$s - 1
d2 <- d2[, c("y", "x1", "x2", "x3", "x4", "fe", "cl")]
mk("d2", d2, y ~ x1 + x2 + x3 + x4 + factor(fe), c("x1", "x3"))
# 3: coached varies within clusters, FE partly nested, unbalanced
n <- 30; cl <- sample(0:6, n, TRUE); cl[1:7] <- 0:6
fe <- ifelse(cl < 3, 0, sample(1:3, n, TRUE))
x1 <- rbinom(n, 1, 0.5); x2 <- rnorm(n)
y <- x1 * 0.4 + x2 + rnorm(n)
d3 <- data.frame(y, x1, x2, fe, cl)
mk("d3", d3, y ~ x1 + x2 + factor(fe), c("x1", "x2"))
# 4: no fixed effect (intercept), a cluster all coached and a single-row cluster
n <- 25; cl <- c(rep(0:5, each = 4), 6); x1 <- as.numeric(cl %in% c(0, 2, 6)); x1[5] <- 1
x2 <- rnorm(n); y <- 0.1 * x1 + x2 + rnorm(n)
d4 <- data.frame(y, x1, x2, fe = 0, cl)
mk("d4", d4, y ~ x1 + x2, c("x1", "x2"))
