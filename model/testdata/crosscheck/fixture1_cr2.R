# Run by hand: Rscript fixture1_cr2.R (needs clubSandwich). The CR2 numbers
# of impact_test.go's fixture1: clubSandwich 0.5.8 coef_test with vcov =
# "CR2" and Satterthwaite degrees of freedom, the grade fixed effect as
# dummies.
suppressMessages(library(clubSandwich))
options(digits = 17)
d <- data.frame(
  y = c(0.52,-0.31,1.10,0.05,-0.84,0.33,0.71,-0.12,0.95,-0.47,0.26,1.34,-0.66,0.18,0.40,-0.95,0.61,0.02),
  b = c(0.40,-0.20,0.90,0.10,-0.70,0.15,0.30,-0.35,0.60,-0.50,0.05,1.00,-0.40,0.20,0.45,-0.80,0.35,-0.10),
  coached = c(1,1,1,1,0,0,0,0,1,1,1,0,0,0,1,0,0,1),
  hours = c(4,4,4,4,0,0,0,0,12.5,12.5,12.5,0,0,0,7,0,0,7),
  grade = c(3,3,4,4,3,3,4,4,3,4,4,3,4,3,3,4,3,4),
  teacher = c("A","A","A","A","B","B","B","B","C","C","C","D","D","D","E","F","F","E")
)
show <- function(label, m, coefs) {
  ct <- coef_test(m, vcov = "CR2", cluster = d$teacher, test = "Satterthwaite")
  for (k in coefs) {
    r <- ct[ct$Coef == k, ]
    tq <- qt(0.975, r$df_Satt)
    cat(sprintf("%s %s est %.17g se %.17g df %.17g ci %.17g %.17g p %.17g\n", label, k, r$beta, r$SE, r$df_Satt,
                r$beta - tq * r$SE, r$beta + tq * r$SE, r$p_Satt))
  }
}
show("impact", lm(y ~ coached + b + factor(grade), d), "coached")
show("dose", lm(y ~ coached + hours + b + factor(grade), d), c("coached", "hours"))
d$band <- factor(ifelse(d$hours <= 0, "0", ifelse(d$hours < 5, "u5", ifelse(d$hours < 10, "5-10", "10-20"))), levels = c("0", "u5", "5-10", "10-20"))
show("bands", lm(y ~ band + b + factor(grade), d), c("bandu5", "band5-10", "band10-20"))
