# Hand check of impact_weighted (model/weighted.go) with clubSandwich: the
# rows are dumped, one per analysis row and cell, with the exposure and the
# component of the teacher-student graph (a throwaway test printing
# newWeighted's rows and components; columns cell, subject, year (the
# cell's), yr and subj (the row's), grade,
# fall, y, base, exposure, component). The model is impact's: spring z on
# exposure, a baseline slope per source, fixed effects of grade x source
# (x year when pooled, x subject for All), CR2 clustered by component with
# Satterthwaite df.
# Run: Rscript model/testdata/crosscheck/weighted.R /tmp/weighted.csv
suppressMessages(library(clubSandwich))
args <- commandArgs(TRUE)
d <- read.csv(args[1], colClasses = c(subject = "character"))
for (k in sort(unique(d$cell))) {
  x <- d[d$cell == k, ]
  x$bf <- ifelse(x$fall == 1, x$base, 0); x$bp <- ifelse(x$fall == 1, 0, x$base)
  x$fe <- interaction(x$grade, x$fall, drop = TRUE)
  if (x$year[1] == 0) x$fe <- interaction(x$fe, x$yr, drop = TRUE)
  if (x$subject[1] == "All") x$fe <- interaction(x$fe, x$subj, drop = TRUE)
  f <- y ~ exposure + fe
  if (any(x$fall == 1)) f <- update(f, . ~ . + bf)
  if (any(x$fall == 0)) f <- update(f, . ~ . + bp)
  m <- lm(f, x)
  ct <- coef_test(m, vcov = "CR2", cluster = x$component, test = "Satterthwaite", coefs = "exposure")
  cat(sprintf("%s %d: %.12f se %.12f df %.6f clusters %d\n", x$subject[1], x$year[1], coef(m)[["exposure"]], ct$SE, ct$df_Satt, length(unique(x$component))))
}
