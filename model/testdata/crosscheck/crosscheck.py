#!/usr/bin/python3
"""Independent re-estimation of coachimpact's models with statsmodels.

usage: /usr/bin/python3 crosscheck.py DIR

DIR holds the CSVs export.sh wrote (student_growth, school_year_panel,
practice_change). Writes DIR/results_py.csv, one row per estimate, keyed
like the Go tables (analysis, subject, school_year, subgroup, band_order,
cohort). Nothing here reads the Go estimates; compare.py does that.

Specifications (written from the brief, not from the Go code):
  impact / dose_response / impact_subgroup / dosage_bands:
    OLS spring_z ~ lead + baseline_z*[fall] + baseline_z*[prior spring]
                 + dummies(tested_grade x baseline_source [x year] [x subject])
    SE: CR1 by teacher (statsmodels cluster, use_correction=True):
        G/(G-1) (N-1)/(N-K), K = all parameters incl. intercept and dummies.
    CI: b +- t(.975, G-1) SE.
  did: mean_growth ~ post + school dummies + year dummies, CR1 by school;
       raw (K = all parameters) and rescaled to the convention of the
       brief (school FE nested in clusters not counted: K = number of
       years), plus fixest's real default K = number of years + 1.
  did_cs: Callaway-Sant'Anna group-time ATTs by plain means + own
       school bootstrap.
  practice: mean(change), sd/sqrt(n).
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

warnings.simplefilter("ignore")

BANDS = ["0 hours", "under 5 hours", "5-10 hours", "10-20 hours", "20+ hours"]
SUBGROUP_COLS = ["english_learner", "special_education", "economically_disadvantaged", "race_ethnicity"]
BOOT_DRAWS = 999


def band_of(h):
    return np.select([h <= 0, h < 5, h < 10, h < 20], [0, 1, 2, 3], 4)


def load(d):
    tv, fv = ["true"], ["false"]
    sg = pd.read_csv(d / "student_growth.csv", dtype={"teacher_id": str, "student_id": str},
                     true_values=tv, false_values=fv)
    for c in ["coached", "english_learner", "special_education", "economically_disadvantaged"]:
        sg[c] = sg[c].map({True: "Y", False: "N", "true": "Y", "false": "N"}) if c != "coached" else sg[c].astype(bool)
    sg["coached01"] = sg["coached"].astype(float)
    sg["band"] = band_of(sg["hours"].to_numpy())
    panel = pd.read_csv(d / "school_year_panel.csv", dtype={"school_id": str})
    pc = pd.read_csv(d / "practice_change.csv", dtype={"teacher_id": str})
    return sg, panel, pc


def cells(sg):
    """(subject, school_year or None, rows) for every model cell."""
    out = []
    for (yr, sub), rows in sg.groupby(["school_year", "subject"]):
        out.append((sub, int(yr), rows))
    for sub, rows in sg.groupby("subject"):
        out.append((sub, None, rows))
    out.append(("All", None, sg))
    return out


def design(rows, pooled_year, pooled_subject):
    d = pd.DataFrame({"y": rows["spring_z"].to_numpy()})
    fall = (rows["baseline_source"] == "fall").to_numpy()
    prior = (rows["baseline_source"] == "prior spring").to_numpy()
    assert (fall | prior).all(), "unknown baseline_source"
    base_terms = []
    if fall.any():
        d["base_fall"] = rows["baseline_z"].to_numpy() * fall
        base_terms.append("base_fall")
    if prior.any():
        d["base_prior"] = rows["baseline_z"].to_numpy() * prior
        base_terms.append("base_prior")
    fe = rows["tested_grade"].astype(str) + "|" + rows["baseline_source"]
    if pooled_year:
        fe = fe + "|" + rows["school_year"].astype(str)
    if pooled_subject:
        fe = fe + "|" + rows["subject"]
    d["fe"] = fe.to_numpy()
    d["cl"] = pd.factorize(rows["teacher_id"])[0]
    return d, base_terms


def fit(d, lead, base_terms):
    """OLS with CR1 teacher-cluster covariance; returns the fit and G."""
    rhs = lead + base_terms + (["C(fe)"] if d["fe"].nunique() > 1 else [])
    m = smf.ols("y ~ " + " + ".join(rhs), data=d)
    X = m.exog
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        raise ValueError(f"collinear design: rank {rank} < {X.shape[1]} columns")
    r = m.fit(cov_type="cluster", cov_kwds={"groups": d["cl"].to_numpy()})
    return r, d["cl"].nunique(), X.shape[1]


def summarize(b, se, G):
    t = stats.t.ppf(0.975, G - 1)
    return dict(estimate=b, std_error=se, ci_low=b - t * se, ci_high=b + t * se,
                p_value=2 * stats.t.sf(abs(b / se), G - 1), df=G - 1)


def pooled_sd(v, treat):
    a, c = v[treat], v[~treat]
    n1, n0 = len(a), len(c)
    return np.sqrt(((n1 - 1) * a.var(ddof=1) + (n0 - 1) * c.var(ddof=1)) / (n1 + n0 - 2))


def hedges(diff, v, treat):
    n = len(v)
    return (1 - 3 / (4 * n - 9)) * diff / pooled_sd(v, treat)


def impact_row(rows, sub, yr, subgroup=""):
    key = dict(analysis="impact_subgroup" if subgroup else "impact", subject=sub, school_year=yr, subgroup=subgroup)
    treat = rows["coached"].to_numpy()
    n1 = int(treat.sum())
    base = dict(key, n_students=len(rows), n_coached_students=n1, n_teachers=rows["teacher_id"].nunique())
    if n1 == 0 or n1 == len(rows):
        return dict(base, note="no variation in coached")
    d, bt = design(rows, yr is None, sub == "All")
    d["coached"] = rows["coached01"].to_numpy()
    try:
        r, G, K = fit(d, ["coached"], bt)
    except ValueError as e:
        return dict(base, note=str(e))
    b, se = r.params["coached"], r.bse["coached"]
    y, bz = rows["spring_z"].to_numpy(), rows["baseline_z"].to_numpy()
    g = hedges(b, y, treat)
    bg = hedges(bz[treat].mean() - bz[~treat].mean(), bz, treat)
    return dict(base, **summarize(b, se, G), G=G, K=K, hedges_g=g, baseline_g=bg)


def dose_row(rows, sub, yr):
    key = dict(analysis="dose_response", subject=sub, school_year=yr, subgroup="")
    n1 = int(rows["coached"].sum())
    base = dict(key, n_students=len(rows), n_coached_students=n1, n_teachers=rows["teacher_id"].nunique())
    if n1 == 0:
        return dict(base, note="no coached students")
    d, bt = design(rows, yr is None, sub == "All")
    d["hours"] = rows["hours"].to_numpy()
    r, G, K = fit(d, ["hours"], bt)
    return dict(base, **summarize(r.params["hours"], r.bse["hours"], G), G=G, K=K)


def band_rows(rows, sub, yr):
    out = []
    bands = rows["band"].to_numpy()
    present = [b for b in range(1, 5) if (bands == b).any()]
    if not (bands == 0).any() or not present:
        return out
    d, bt = design(rows, yr is None, sub == "All")
    lead = []
    for b in present:
        d[f"band{b}"] = (bands == b).astype(float)
        lead.append(f"band{b}")
    r, G, K = fit(d, lead, bt)
    ybar = rows["spring_z"].mean()
    shift = sum((bands == b).mean() * r.params[f"band{b}"] for b in present)
    for b in range(5):
        nb = int((bands == b).sum())
        row = dict(analysis="dosage_bands", subject=sub, school_year=yr, subgroup="", band_order=b,
                   band=BANDS[b], n_students=nb, n_teachers=rows.loc[bands == b, "teacher_id"].nunique())
        if b == 0:
            row.update(adjusted_mean=ybar - shift, G=G, K=K)
        elif nb > 0:
            delta, se = r.params[f"band{b}"], r.bse[f"band{b}"]
            row.update(summarize(delta, se, G), G=G, K=K, adjusted_mean=ybar + delta - shift)
        out.append(row)
    return out


def did_sample(panel):
    p = panel[panel["mean_growth"].notna()].copy()
    first, last = int(p["school_year"].min()), int(p["school_year"].max())
    return p, first, last


def did_rows(panel):
    p, first, last = did_sample(panel)
    c = p["ip_cohort"]
    keep = c.isna() | ((c > first) & (c <= last))
    p = p[keep].copy()
    p["post"] = ((p["ip_cohort"].notna()) & (p["school_year"] >= p["ip_cohort"])).astype(float)
    p["cl"] = pd.factorize(p["school_id"])[0]
    m = smf.ols("mean_growth ~ post + C(school_id) + C(school_year)", data=p)
    assert np.linalg.matrix_rank(m.exog) == m.exog.shape[1]
    r = m.fit(cov_type="cluster", cov_kwds={"groups": p["cl"].to_numpy()})
    N, K_all = len(p), m.exog.shape[1]
    T = p["school_year"].nunique()
    K_fixest = 1 + (T - 1)
    G = p["school_id"].nunique()
    b, se_raw = r.params["post"], r.bse["post"]
    se_fx = se_raw * np.sqrt((N - K_all) / (N - K_fixest))
    # fixest's actual default (ssc fixef.K = "nested"): nparams minus
    # (levels - 1) of each nested FE, i.e. the intercept stays counted:
    # K = 1 + T (Stata xtreg/reghdfe count _cons the same way).
    K_fixest_real = 1 + T
    se_fr = se_raw * np.sqrt((N - K_all) / (N - K_fixest_real))
    common = dict(analysis="did", subject="All", school_year=None, subgroup="", n_students=int(p["analysis_students"].sum()),
                  n_schools=G, G=G, N=N)
    return [dict(common, variant="brief: K = T (nested school FE not counted)", K=K_fixest, **summarize(b, se_fx, G)),
            dict(common, variant="raw statsmodels (K = all dummies)", K=K_all, **summarize(b, se_raw, G)),
            dict(common, variant="fixest default ssc() / Stata: K = T + 1 (intercept counted)", K=K_fixest_real, **summarize(b, se_fr, G))]


def cs_point(p, first, last, weights=None):
    """Callaway-Sant'Anna ATT(g,t) cells and the overall average.
    weights: school_id -> multiplicity (bootstrap); None = 1 each."""
    wide = p.pivot(index="school_id", columns="school_year", values="mean_growth")
    cohort = p.groupby("school_id")["ip_cohort"].first().reindex(wide.index)
    w = pd.Series(1.0, index=wide.index) if weights is None else weights.reindex(wide.index).fillna(0.0)
    groups = sorted(int(g) for g in cohort.dropna().unique() if first < g <= last)
    cells_ = []
    for g in groups:
        if g - 1 not in wide.columns:
            continue
        for t in range(g, last + 1):
            if t not in wide.columns:
                continue
            diff = wide[t] - wide[g - 1]
            ok = diff.notna() & (w > 0)
            tr = ok & (cohort == g)
            co = ok & (cohort.isna() | (cohort > t))
            if w[tr].sum() == 0 or w[co].sum() == 0:
                continue
            att = np.average(diff[tr], weights=w[tr]) - np.average(diff[co], weights=w[co])
            cells_.append(dict(cohort=g, school_year=t, event_time=t - g, att=att,
                               treated_schools=int(tr.sum()), control_schools=int(co.sum()), wt=w[tr].sum()))
    if not cells_:
        return None, cells_
    ws = np.array([c["wt"] for c in cells_])
    overall = np.sum(ws * np.array([c["att"] for c in cells_])) / ws.sum()
    return overall, cells_


def did_cs_rows(panel, seed=20240601):
    p, first, last = did_sample(panel)
    overall, cells_ = cs_point(p, first, last)
    if overall is None:
        return []
    # Own school bootstrap: resample the schools that can enter the
    # estimator (comparison schools and cohorts joining after the first
    # panel year), with replacement.
    rng = np.random.default_rng(seed)
    c = p.groupby("school_id")["ip_cohort"].first()
    pool = c[c.isna() | (c > first)].index.to_numpy()
    boots, cell_boots = [], {(x["cohort"], x["school_year"]): [] for x in cells_}
    for _ in range(BOOT_DRAWS):
        draw = pd.Series(rng.choice(pool, size=len(pool), replace=True)).value_counts().astype(float)
        o, cc = cs_point(p, first, last, draw)
        if o is None:
            continue
        boots.append(o)
        for x in cc:
            if (x["cohort"], x["school_year"]) in cell_boots:
                cell_boots[(x["cohort"], x["school_year"])].append(x["att"])
    se = np.std(boots, ddof=1)
    z = stats.norm.ppf(0.975)
    out = [dict(analysis="did_cs", subject="All", school_year=None, subgroup="", estimate=overall, std_error=se,
                ci_low=overall - z * se, ci_high=overall + z * se, p_value=2 * stats.norm.sf(abs(overall / se)),
                n_schools=len(pool), note=f"own bootstrap, {len(boots)} draws over {len(pool)} schools")]
    for x in cells_:
        sx = np.std(cell_boots[(x["cohort"], x["school_year"])], ddof=1)
        out.append(dict(analysis="did_group_time", subject="All", school_year=x["school_year"], subgroup="",
                        cohort=x["cohort"], event_time=x["event_time"], estimate=x["att"], std_error=sx,
                        treated_schools=x["treated_schools"], control_schools=x["control_schools"]))
    return out


def practice_rows(pc):
    ch = pc["change"].dropna().to_numpy()
    n = len(ch)
    if n < 2:
        return [dict(analysis="practice", subject="All", school_year=None, subgroup="", n_teachers=n,
                     note="fewer than 2 teachers")]
    m, se = ch.mean(), ch.std(ddof=1) / np.sqrt(n)
    return [dict(analysis="practice", subject="All", school_year=None, subgroup="", n_teachers=n, G=n,
                 **summarize(m, se, n))]


def main():
    d = Path(sys.argv[1])
    sg, panel, pc = load(d)
    out = []
    for sub, yr, rows in cells(sg):
        out.append(impact_row(rows, sub, yr))
        out.append(dose_row(rows, sub, yr))
        out.extend(band_rows(rows, sub, yr))
        for col in SUBGROUP_COLS:
            for v, srows in rows.groupby(col):
                out.append(impact_row(srows, sub, yr, f"{col} = {v}"))
    out.extend(did_rows(panel))
    out.extend(did_cs_rows(panel))
    out.extend(practice_rows(pc))
    res = pd.DataFrame(out)
    res["school_year"] = res["school_year"].astype("Int64")
    res.to_csv(d / "results_py.csv", index=False, float_format="%.17g")
    print(f"python: {len(res)} rows -> {d / 'results_py.csv'}")


if __name__ == "__main__":
    main()
