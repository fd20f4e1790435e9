# Run by hand: Rscript fixture_did.R (needs r-cran-sandwich). Numbers used in did_test.go.
suppressMessages(library(sandwich))
options(digits=17)
# 7 schools, years 2020-2023. Cohorts: S1,S2 join 2021; S3 joins 2022; S4 joined 2015 (always treated, dropped);
# S5,S6,S7 comparison. S7 lacks 2020.
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
p$post <- as.numeric(!is.na(p$cohort) & p$year >= p$cohort)
m <- lm(y ~ post + factor(school) + factor(year), data=p)
V <- vcovCL(m, cluster=~school, type="HC1")
N <- nrow(p); Kall <- length(coef(m)); Kfix <- 1 + 3 + 1  # fixest nested: post, 3 year effects, one intercept
se_raw <- sqrt(V["post","post"]); se <- se_raw*sqrt((N-Kall)/(N-Kfix))
G <- length(unique(p$school)); tq <- qt(0.975, G-1); b <- coef(m)[["post"]]
cat("twfe", b, "se_raw", se_raw, "se_fixest", se, "ci", b-tq*se, b+tq*se, "p", 2*pt(-abs(b/se), G-1), "\n")
# CR2 with Satterthwaite degrees of freedom (clubSandwich 0.5.8), as did_test.go expects now:
suppressMessages(library(clubSandwich))
ct <- coef_test(m, vcov = "CR2", cluster = p$school, test = "Satterthwaite")
r <- ct[ct$Coef == "post", ]; tq <- qt(0.975, r$df_Satt)
cat(sprintf("twfe CR2 est %.17g se %.17g df %.17g ci %.17g %.17g p %.17g\n", r$beta, r$SE, r$df_Satt, r$beta - tq * r$SE, r$beta + tq * r$SE, r$p_Satt))
