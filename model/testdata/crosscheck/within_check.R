# Run by hand: Rscript within_check.R ROWS.csv (needs clubSandwich).
# impact_within_teacher recomputed from the analysis rows of a generated
# district (teacher, subject, grade, fall, year, coached, b, y, as dumped by
# a throwaway test): for each subject and all subjects pooled,
#   lm(y ~ coached + bfall + bprior + factor(teacher:subject:grade:fall) + factor(year:subject))
# the first year of each subject dropped from the year dummies (lm drops
# the aliased one), CR2 by teacher with Satterthwaite df.
suppressMessages(library(clubSandwich))
args <- commandArgs(trailingOnly = TRUE)
d0 <- read.csv(args[1])
d0$bfall <- d0$b * d0$fall
d0$bprior <- d0$b * (1 - d0$fall)
fitw <- function(d, label) {
  d$fe <- interaction(d$teacher, d$subject, d$grade, d$fall, drop = TRUE)
  d$yd <- interaction(d$year, d$subject, drop = TRUE)
  m <- lm(y ~ coached + bfall + bprior + fe + yd, d)
  ct <- coef_test(m, vcov = "CR2", cluster = d$teacher, test = "Satterthwaite")
  r <- ct[ct$Coef == "coached", ]
  sw <- sum(tapply(d$coached, d$teacher, function(x) any(x == 1) && any(x == 0)))
  cat(sprintf("within %s est %.17g se %.17g df %.17g sw %d\n", label, r$beta, r$SE, r$df_Satt, sw))
}
for (s in sort(unique(d0$subject))) fitw(d0[d0$subject == s, ], s)
fitw(d0, "All")
