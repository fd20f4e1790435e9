# Run by hand: Rscript event_check.R PANEL.csv. event_study_teacher
# recomputed from a teacher-year panel (subject, teacher, year, y = mean
# growth, coached_share), hand-coded after Callaway and Sant'Anna (2021):
# group g = a teacher's first year with coached_share > 0 (never-coached:
# none); groups joining inside the panel (first < g <= last); for t >= g,
# ATT(g,t) = mean over group g of y(t) - y(g-1) minus the same over
# never-coached and not-yet-coached (g' > t) teachers observed in both
# years; for t < g, the year-on-year placebo y(t) - y(t-1). Influence of a
# teacher on a cell: +-sqrt(n/(n-1)) (d - mean)/n in its arm. Event-time
# rows and the overall row (e >= 0) average cells weighted by their
# treated teachers, the influence including the weights' own term; the
# pre-trend test is the Wald chi-square of the placebo rows with at least
# 3 treated teachers.
args <- commandArgs(trailingOnly = TRUE)
p0 <- read.csv(args[1], stringsAsFactors = FALSE)
ss <- function(n) if (n < 2) 1 else sqrt(n / (n - 1))
for (subj in sort(unique(p0$subject))) {
  p <- p0[p0$subject == subj, ]
  first <- min(p$year); last <- max(p$year)
  teachers <- sort(unique(p$teacher))
  g <- sapply(teachers, function(k) { y <- p$year[p$teacher == k & p$coached_share > 0]; if (length(y)) min(y) else NA })
  names(g) <- teachers
  Y <- function(k, t) { v <- p$y[p$teacher == k & p$year == t]; if (length(v)) v else NA }
  groups <- sort(unique(g[!is.na(g) & g > first & g <= last]))
  cells <- list()
  for (gg in groups) for (t in (first + 1):last) {
    base <- if (t < gg) t - 1 else gg - 1
    d <- sapply(teachers, function(k) Y(k, t) - Y(k, base))
    tr <- teachers[!is.na(g) & g == gg & !is.na(d)]
    co <- teachers[(is.na(g) | g > t) & (is.na(g) | g != gg) & !is.na(d)]
    if (!length(tr) || !length(co)) next
    mt <- mean(d[tr]); mc <- mean(d[co])
    inf <- setNames(rep(0, length(teachers)), teachers)
    inf[tr] <- ss(length(tr)) * (d[tr] - mt) / length(tr)
    inf[co] <- -ss(length(co)) * (d[co] - mc) / length(co)
    cells[[length(cells) + 1]] <- list(e = t - gg, att = mt - mc, inf = inf, tr = tr)
  }
  agg <- function(cs) {
    N <- sum(sapply(cs, function(c) length(c$tr)))
    att <- sum(sapply(cs, function(c) length(c$tr) * c$att)) / N
    inf <- setNames(rep(0, length(teachers)), teachers)
    for (c in cs) {
      inf <- inf + length(c$tr) / N * c$inf
      inf[c$tr] <- inf[c$tr] + (c$att - att) / N
    }
    list(att = att, inf = inf, tr = unique(unlist(lapply(cs, function(c) c$tr))))
  }
  es <- sort(unique(sapply(cells, function(c) c$e)))
  rows <- lapply(es, function(e) agg(Filter(function(c) c$e == e, cells)))
  ov <- agg(Filter(function(c) c$e >= 0, cells))
  pre <- which(es < 0 & sapply(rows, function(r) length(r$tr)) >= 3)
  th <- sapply(rows[pre], function(r) r$att)
  V <- sapply(rows[pre], function(a) sapply(rows[pre], function(b) sum(a$inf * b$inf)))
  V <- matrix(V, length(pre))
  w <- as.numeric(t(th) %*% solve(V) %*% th)
  cat(sprintf("event %s overall est %.17g se %.17g treated %d pretrend %.17g\n", subj, ov$att, sqrt(sum(ov$inf^2)), length(ov$tr), pchisq(w, length(pre), lower.tail = FALSE)))
  for (k in seq_along(es)) cat(sprintf("event %s %d est %.17g se %.17g treated %d\n", subj, es[k], rows[[k]]$att, sqrt(sum(rows[[k]]$inf^2)), length(rows[[k]]$tr)))
}
