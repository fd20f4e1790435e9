# Run by hand: Rscript cs_analytic.R [panel.csv]. A hand-coded Callaway-Sant'Anna
# (2021) estimator with the influence-function (analytic) SE, independent of the
# Go code: post cells base g-1, controls never-joined or not yet joined by t;
# placebo cells (t < g) base t-1 (the did package's varying base), controls
# never-joined or other cohorts not joined by t; overall = cells weighted by
# treated schools, its influence including the estimated weights; each arm's
# influence times sqrt(n/(n-1)) (the did package has no such factor); pre-trend
# Wald test of the placebo cells. Without an argument: did_test.go's fixture.
options(digits=17)
args <- commandArgs(TRUE)
if (length(args) > 0) {
  p <- read.csv(args[1])  # school_id, ip_cohort, school_year, mean_growth
  p <- p[!is.na(p$mean_growth), ]
  p <- data.frame(school=p$school_id, cohort=p$ip_cohort, year=p$school_year, y=p$mean_growth)
} else {
  p <- read.csv(text="school,cohort,year,y
S1,2021,2020,0.10
S1,2021,2021,0.25
S1,2021,2022,0.31
S1,2021,2023,0.28
S2,2021,2020,-0.05
S2,2021,2021,0.12
S2,2021,2022,0.02
S2,2021,2023,0.20
S3,2022,2020,0.03
S3,2022,2021,-0.02
S3,2022,2022,0.15
S3,2022,2023,0.22
S4,2015,2020,0.50
S4,2015,2021,0.90
S4,2015,2022,-0.40
S4,2015,2023,0.70
S5,NA,2020,0.01
S5,NA,2021,-0.04
S5,NA,2022,0.00
S5,NA,2023,-0.06
S6,NA,2020,-0.08
S6,NA,2021,0.02
S6,NA,2022,-0.03
S6,NA,2023,0.05
S7,NA,2021,0.07
S7,NA,2022,-0.01
S7,NA,2023,0.04")
}
first <- min(p$year); last <- max(p$year)
coh <- tapply(p$cohort, p$school, function(v) v[1])
schools <- names(coh)
Y <- function(s, t) { v <- p$y[p$school == s & p$year == t]; if (length(v)) v else NA }
groups <- sort(unique(coh[!is.na(coh) & coh > first & coh <= last]))
cells <- list()
for (g in groups) for (t in (first+1):last) {
  base <- if (t < g) t - 1 else g - 1
  d <- sapply(schools, function(s) Y(s, t) - Y(s, base))
  tr <- !is.na(coh) & coh == g & !is.na(d)
  co <- (is.na(coh) | (coh > t & coh != g)) & !is.na(d)
  if (t < g) co <- co & !(coh %in% g)
  if (!any(tr) || !any(co)) next
  att <- mean(d[tr]) - mean(d[co])
  inf <- setNames(numeric(length(schools)), schools)
  ss <- function(n) if (n < 2) 1 else sqrt(n / (n - 1))  # small-sample factor: arm variance s^2/n
  inf[tr] <- ss(sum(tr)) * (d[tr] - mean(d[tr])) / sum(tr)
  inf[co] <- -ss(sum(co)) * (d[co] - mean(d[co])) / sum(co)
  cells[[length(cells)+1]] <- list(g=g, t=t, e=t-g, att=att, se=sqrt(sum(inf^2)), inf=inf, tr=tr, nt=sum(tr), nc=sum(co))
}
for (c in cells) cat(sprintf("cell g=%d t=%d e=%d att=%.17g se=%.17g nt=%d nc=%d\n", c$g, c$t, c$e, c$att, c$se, c$nt, c$nc))
post <- Filter(function(c) c$e >= 0, cells)
N <- sum(sapply(post, function(c) c$nt))
overall <- sum(sapply(post, function(c) c$nt * c$att)) / N
phi <- Reduce(`+`, lapply(post, function(c) c$nt / N * c$inf + (c$att - overall) * c$tr / N))
cat(sprintf("overall %.17g se %.17g\n", overall, sqrt(sum(phi^2))))
pre <- Filter(function(c) c$e < 0, cells)
if (length(pre)) {
  th <- sapply(pre, function(c) c$att); Psi <- sapply(pre, function(c) c$inf)
  V <- crossprod(matrix(Psi, nrow=length(schools)))
  W <- drop(t(th) %*% solve(V, th))
  cat(sprintf("pretrend k=%d W=%.17g p=%.17g\n", length(pre), W, pchisq(W, length(pre), lower.tail=FALSE)))
}
