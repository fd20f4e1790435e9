suppressMessages(library(sandwich))
options(digits=17)
d <- data.frame(
  y = c(0.52,-0.31,1.10,0.05,-0.84,0.33,0.71,-0.12,0.95,-0.47,0.26,1.34,-0.66,0.18,0.40,-0.95,0.61,0.02),
  b = c(0.40,-0.20,0.90,0.10,-0.70,0.15,0.30,-0.35,0.60,-0.50,0.05,1.00,-0.40,0.20,0.45,-0.80,0.35,-0.10),
  coached = c(1,1,1,1,0,0,0,0,1,1,1,0,0,0,1,0,0,1),
  hours = c(4,4,4,4,0,0,0,0,12.5,12.5,12.5,0,0,0,7,0,0,7),
  grade = c(3,3,4,4,3,3,4,4,3,4,4,3,4,3,3,4,3,4),
  teacher = c("A","A","A","A","B","B","B","B","C","C","C","D","D","D","E","F","F","E")
)
# Run by hand: Rscript fixture1.R (needs r-cran-sandwich). Numbers used in impact_test.go.
m <- lm(y ~ coached + b + factor(grade), data=d)
V <- vcovCL(m, cluster=~teacher, type="HC1")
cat("impact coef", coef(m)[["coached"]], "se", sqrt(V["coached","coached"]), "\n")
cat("  b coef", coef(m)[["b"]], "se", sqrt(V["b","b"]), "\n")
G <- length(unique(d$teacher)); tq <- qt(0.975, G-1)
cat("  ci", coef(m)[["coached"]] - tq*sqrt(V["coached","coached"]), coef(m)[["coached"]] + tq*sqrt(V["coached","coached"]), "\n")
cat("  p", 2*pt(-abs(coef(m)[["coached"]]/sqrt(V["coached","coached"])), G-1), "\n")
hg <- function(diff, v, t) { n1 <- sum(t==1); n0 <- sum(t==0); s <- sqrt(((n1-1)*var(v[t==1]) + (n0-1)*var(v[t==0]))/(n1+n0-2)); (1-3/(4*(n1+n0)-9))*diff/s }
g <- hg(coef(m)[["coached"]], d$y, d$coached)
cat("  g", g, "ii", 100*pnorm(g)-50, "\n")
cat("  baseline g", hg(mean(d$b[d$coached==1])-mean(d$b[d$coached==0]), d$b, d$coached), "\n")
m2 <- lm(y ~ hours + b + factor(grade), data=d)
V2 <- vcovCL(m2, cluster=~teacher, type="HC1")
cat("dose coef", coef(m2)[["hours"]], "se", sqrt(V2["hours","hours"]), "\n")
d$band <- cut(d$hours, c(-Inf,0,5,10,20,Inf), right=FALSE)
d$band <- factor(ifelse(d$hours<=0,"0",ifelse(d$hours<5,"u5",ifelse(d$hours<10,"5-10",ifelse(d$hours<20,"10-20","20+")))), levels=c("0","u5","5-10","10-20","20+"))
m3 <- lm(y ~ band + b + factor(grade), data=droplevels(d))
V3 <- vcovCL(m3, cluster=~teacher, type="HC1")
print(cbind(coef(m3), sqrt(diag(V3))), digits=17)
dd <- droplevels(d)
for (lv in levels(dd$band)) { nd <- dd; nd$band <- factor(lv, levels=levels(dd$band)); cat("adj", lv, mean(predict(m3, nd)), "\n") }
# The dose model (issue 16): coached (dose_onset) and hours (dose_response) together.
m4 <- lm(y ~ coached + hours + b + factor(grade), data=d)
V4 <- vcovCL(m4, cluster=~teacher, type="HC1")
cat("dose_onset coef", coef(m4)[["coached"]], "se", sqrt(V4["coached","coached"]), "\n")
cat("dose_response coef", coef(m4)[["hours"]], "se", sqrt(V4["hours","hours"]), "\n")
# Baseline g per source: rows 1-9 fall, 10-18 prior spring (impact_test.go's fixture1Sources).
f <- 1:9; p <- 10:18
cat("baseline g fall", hg(mean(d$b[f][d$coached[f]==1])-mean(d$b[f][d$coached[f]==0]), d$b[f], d$coached[f]), "\n")
cat("baseline g prior", hg(mean(d$b[p][d$coached[p]==1])-mean(d$b[p][d$coached[p]==0]), d$b[p], d$coached[p]), "\n")
