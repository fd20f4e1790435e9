# Run by hand: Rscript baseline_sources.R. Baseline equivalence per source
# (impact_test.go TestBaselinePerSource): Hedges' g (WWC) of the baseline
# among fall rows, prior-spring rows and all rows pooled.
options(digits=17)
hg <- function(v, t) { n1 <- sum(t==1); n0 <- sum(t==0); s <- sqrt(((n1-1)*var(v[t==1]) + (n0-1)*var(v[t==0]))/(n1+n0-2)); (1-3/(4*(n1+n0)-9))*(mean(v[t==1])-mean(v[t==0]))/s }
b <- c(0.3,-0.3,0.1,-0.1,0.2,-0.2, 0.25,-0.2,  0.8,0.4, 0.5,-0.1,0.4,0.0,0.3,0.1)
coached <- c(1,1,1,1,1,1, 0,0, 1,1, 0,0,0,0,0,0)
fall <- c(rep(1,8), rep(0,8))
cat("fall", hg(b[fall==1], coached[fall==1]), "\n")
cat("prior", hg(b[fall==0], coached[fall==0]), "\n")
cat("pooled", hg(b, coached), "\n")
