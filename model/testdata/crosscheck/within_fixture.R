# Run by hand: Rscript within_fixture.R (needs clubSandwich). The numbers
# of within_test.go's TestWithinTeacherKnownAnswer: clubSandwich 0.5.8
# coef_test with vcov = "CR2" and Satterthwaite degrees of freedom on lm
# with the teacher x grade x baseline-source fixed effect and the school
# years as dummies (the fixture has one subject), clustered by teacher.
suppressMessages(library(clubSandwich))
options(digits = 17)
d <- data.frame(
  teacher = c("A","A","A","A","A","A","A","A","A","B","B","B","B","B","B","B","B","B","C","C","C","C","C","C","C","C","C","D","D","D","D","D","D","D","D","E","E","E","E","E","E","E","E","E","F","F","F","F","F","F","F","F"),
  grade = c(3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,3,3,3,3,3,3,3,3,3,4,4,4,4,4,4,4,4),
  year = c(2022,2022,2022,2023,2023,2023,2024,2024,2024,2022,2022,2022,2023,2023,2023,2024,2024,2024,2022,2022,2022,2023,2023,2023,2024,2024,2024,2022,2022,2022,2023,2023,2024,2024,2024,2022,2022,2022,2023,2023,2023,2024,2024,2024,2022,2022,2022,2023,2023,2024,2024,2024),
  fall = c(1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,0,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1),
  coached = c(0,0,0,1,1,1,0,0,0,1,1,1,0,0,0,1,1,1,0,0,0,0,0,0,1,1,1,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,0,0,0,0,0),
  b = c(-0.74,-0.94,-1.23,-0.08,0.85,-0.28,-0.04,0.61,-0.05,0.53,1.09,-0.59,0.14,-0.09,-0.6,-1.52,-0.08,1.87,0.31,0.06,-0.37,1.42,-0.02,0.64,0.99,0.31,-0.89,0.55,0.11,-0.85,-0.54,-0.51,1.67,-1.03,0.06,0.42,1.4,0.43,-0.92,0.06,-0.5,0.07,-2.21,0.45,-0.21,-1.58,-0.27,0.65,-1.13,-0.47,0.22,0.39),
  y = c(-0.21,-0.49,-0.54,0.66,0.54,0.07,-0.55,-0.95,0.93,-0.13,1.0,-0.4,0.66,0.98,0.22,-1.51,0.45,1.32,-0.4,0.32,0.3,1.21,-0.04,-0.05,0.57,-0.09,-0.67,0.62,0.82,0.2,-0.45,0.54,1.1,-1.03,0.61,0.09,0.58,-0.16,-1.75,-0.35,-0.69,0.06,-1.55,0.39,0.16,-0.57,0.07,0.55,-1.57,-0.14,0.79,0.54)
)
d$bfall <- d$b * d$fall
d$bprior <- d$b * (1 - d$fall)
d$fe <- interaction(d$teacher, d$grade, d$fall, drop = TRUE)
m <- lm(y ~ coached + bfall + bprior + factor(fe) + factor(year), d)
ct <- coef_test(m, vcov = "CR2", cluster = d$teacher, test = "Satterthwaite")
r <- ct[ct$Coef == "coached", ]
tq <- qt(0.975, r$df_Satt)
cat(sprintf("within est %.17g se %.17g df %.17g ci %.17g %.17g p %.17g\n", r$beta, r$SE, r$df_Satt,
            r$beta - tq * r$SE, r$beta + tq * r$SE, r$p_Satt))
