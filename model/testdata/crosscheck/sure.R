# Hand check of model/sure.go (issue 16, item 6): the PowerUp! MDE of a
# two-level design, the conjugate normal posterior and the E-value, on the
# fixture TestClusterDesignMDE builds (the same formulas generate it).
# Run: Rscript model/testdata/crosscheck/sure.R
d <- do.call(rbind, lapply(0:7, function(t) {
  i <- 0:(2 + t %% 4)
  data.frame(t = t, i = i, grade = 4 + i %% 2, coached = as.numeric(t %% 2 == 0),
             base = sin(1.3 * t + 0.7 * i + 1))
}))
d$y <- 0.5 * d$base + 0.4 * cos(2.1 * d$t) + 0.3 * sin(3.7 * d$i + d$t)
# The impact model's fixed effects first: grade (one baseline source).
yd <- resid(lm(y ~ factor(grade), d)); bd <- resid(lm(base ~ factor(grade), d))
a <- anova(lm(yd ~ factor(d$t)))
N <- nrow(d); J <- 8; nt <- table(d$t)
msb <- a[1, "Mean Sq"]; msw <- a[2, "Mean Sq"]
n0 <- (N - sum(nt^2) / N) / (J - 1)
vb <- max(0, (msb - msw) / n0); rho <- vb / (vb + msw); sdt <- sqrt(vb + msw)
yw <- yd - ave(yd, d$t); bw <- bd - ave(bd, d$t)
r1 <- summary(lm(yw ~ bw - 1))$r.squared
ym <- tapply(yd, d$t, mean); bm <- tapply(bd, d$t, mean)
r2 <- summary(lm(ym ~ bm))$r.squared
P <- 0.5; n <- N / J; df <- J - 1 - 2
M <- qt(0.975, df) + qt(0.80, df)
mdes <- M * sqrt(rho * (1 - r2) / (P * (1 - P) * J) + (1 - rho) * (1 - r1) / (P * (1 - P) * J * n))
cat(sprintf("rho %.15g r1 %.15g r2 %.15g sd %.15g mde %.15g\n", rho, r1, r2, sdt, mdes * sdt))
# Posterior: prior N(0, 0.2^2), estimate 0.1 (SE 0.05).
v <- 1 / (1 / 0.2^2 + 1 / 0.05^2); m <- v * 0.1 / 0.05^2
cat(sprintf("P(>0) %.15g P(>0.05) %.15g\n", pnorm(m / sqrt(v)), pnorm((m - 0.05) / sqrt(v))))
# E-values of d = 0.2 and of a CI limit 0.03.
ev <- function(d) { rr <- exp(0.91 * abs(d)); rr + sqrt(rr * (rr - 1)) }
cat(sprintf("E(0.2) %.15g E(0.03) %.15g\n", ev(0.2), ev(0.03)))
cat(sprintf("MDE(se 0.1, df 20) %.15g, normal %.15g\n", (qt(.975, 20) + qt(.8, 20)) * 0.1, (qnorm(.975) + qnorm(.8)) * 0.1))
