# Run by hand: Rscript dose_check.R DIR (DIR from export.sh). Issue 16's dose
# model, bending shape and baseline g per source on a run's student_growth,
# against the Go estimates (go_estimates.csv, go_dosage_bands.csv).
suppressMessages({library(sandwich); library(clubSandwich)})
options(digits=10)
dir <- commandArgs(TRUE)[1]
d <- read.csv(file.path(dir, "student_growth.csv"), colClasses=c(teacher_id="character", student_id="character"))
go <- read.csv(file.path(dir, "go_estimates.csv"))
gb <- read.csv(file.path(dir, "go_dosage_bands.csv"))
d$coached <- as.numeric(d$coached == "true")
d$bf <- ifelse(d$baseline_source == "fall", d$baseline_z, 0)
d$bp <- ifelse(d$baseline_source == "fall", 0, d$baseline_z)
out <- data.frame()
row <- function(what, ours, r, se_ours, se_r) {
  if (length(ours) != 1 || length(r) != 1) { cat("skip", what, length(ours), length(r), "\n"); return() }
  out <<- rbind(out, data.frame(what=what, ours=ours, R=r, diff=ours-r, se_ours=se_ours, se_R=se_r, se_ratio=se_ours/se_r))
}
fitcell <- function(sub, year) {
  x <- d
  if (sub != "All") x <- x[x$subject == sub, ]
  if (!is.na(year)) x <- x[x$school_year == year, ]
  x$fe <- interaction(x$tested_grade, x$baseline_source, if (is.na(year)) x$school_year else 0, if (sub == "All") x$subject else "", drop=TRUE)
  base <- c(if (any(x$baseline_source == "fall")) "bf", if (any(x$baseline_source != "fall")) "bp")
  f <- as.formula(paste("spring_z ~ coached + hours +", paste(base, collapse="+"), "+ fe"))
  m <- lm(f, data=x)
  V <- vcovCL(m, cluster=~teacher_id, type="HC1")
  g <- function(a) go[go$analysis == a & go$subject == sub & (if (is.na(year)) is.na(go$school_year) else go$school_year %in% year) & go$subgroup %in% c("", NA), ]
  lab <- paste(sub, ifelse(is.na(year), "all years", year))
  row(paste("dose_onset", lab), g("dose_onset")$estimate, coef(m)[["coached"]], g("dose_onset")$std_error, sqrt(V["coached","coached"]))
  row(paste("dose_response", lab), g("dose_response")$estimate, coef(m)[["hours"]], g("dose_response")$std_error, sqrt(V["hours","hours"]))
  if (sub == "All" && is.na(year)) {
    # CR2 (clubSandwich) for reference: ours is CR1.
    V2 <- vcovCR(m, cluster=x$teacher_id, type="CR2")
    cat("CR2 SE of hours:", sqrt(V2["hours","hours"]), " CR1:", sqrt(V["hours","hours"]), "\n")
    # Bending shape: knots at the lower edges of the coached bands present but the first.
    band <- cut(x$hours, c(-Inf, 0, 5 - 1e-12, 10 - 1e-12, 20 - 1e-12, Inf))
    knots <- c(5, 10, 20)
    for (k in knots) x[[paste0("k", k)]] <- pmax(x$hours - k, 0)
    m3 <- lm(as.formula(paste("spring_z ~ coached + hours + k5 + k10 + k20 +", paste(base, collapse="+"), "+ fe")), data=x)
    V3 <- vcovCL(m3, cluster=~teacher_id, type="HC1")
    terms <- c("hours", "k5", "k10", "k20")
    gbc <- gb[gb$subject == "All" & is.na(gb$school_year) & gb$band_order > 0, ]
    stopifnot(nrow(gbc) == 4, !is.null(gbc$slope_std_error))
    for (j in 1:4) {
      cv <- setNames(numeric(length(coef(m3))), names(coef(m3))); cv[terms[1:j]] <- 1
      row(paste("segment slope", gbc$band[j]), gbc$slope[j], sum(cv*coef(m3)), gbc$slope_std_error[j], sqrt(drop(t(cv) %*% V3 %*% cv)))
    }
  }
}
for (sub in c("All", "ELA", "Math")) fitcell(sub, NA)
for (y in sort(unique(d$school_year))) for (sub in c("ELA", "Math")) fitcell(sub, y)
hg <- function(v, t) { n1 <- sum(t==1); n0 <- sum(t==0); s <- sqrt(((n1-1)*var(v[t==1]) + (n0-1)*var(v[t==0]))/(n1+n0-2)); (1-3/(4*(n1+n0)-9))*(mean(v[t==1])-mean(v[t==0]))/s }
gi <- go[go$analysis == "impact" & go$subject == "All" & is.na(go$school_year), ]
f <- d$baseline_source == "fall"
row("baseline_g_fall All", gi$baseline_g_fall, hg(d$baseline_z[f], d$coached[f]), NA, NA)
row("baseline_g_prior All", gi$baseline_g_prior, hg(d$baseline_z[!f], d$coached[!f]), NA, NA)
print(out, row.names=FALSE)
