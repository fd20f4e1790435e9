#!/usr/bin/python3
"""Compare the Go estimates of one or more runs with results_py.csv and
results_R.csv and write a markdown report.

usage: /usr/bin/python3 compare.py OUT.md LABEL=DIR [LABEL=DIR ...]
"""
import sys
from pathlib import Path

import numpy as np
import pandas as pd

EST_TOL = 1e-6   # absolute, point estimates
SE_TOL = 0.01    # relative, standard errors
MIN_CELL = 10    # coachimpact default min_cell (neither run sets it)

flags = []  # (run, what, detail)
summary = {}  # (run, group) -> list of (|Δest| py, |Δest| R, relΔSE py, relΔSE R)


def rd(p):
    return pd.read_csv(p, dtype={"subgroup": str, "teacher_id": str}, keep_default_na=True)


def key_year(v):
    return "pooled" if pd.isna(v) else str(int(v))


def fmt(x, d=6):
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    return f"{x:.{d}g}" if abs(x) >= 1e-4 or x == 0 else f"{x:.3e}"


def fdiff(x):
    if x is None or np.isnan(x):
        return "–"
    return f"{x:.1e}"


def fpct(x):
    if x is None or np.isnan(x):
        return "–"
    return f"{100 * x:.2f}%" if x >= 1e-4 else f"{100 * x:.1e}%"


def rel(a, b):
    return abs(a - b) / abs(a) if a not in (0, None) and not np.isnan(a) else np.nan


def lookup(df, **kw):
    m = pd.Series(True, index=df.index)
    for k, v in kw.items():
        if v is None or (isinstance(v, float) and np.isnan(v)):
            m &= df[k].isna()
        else:
            m &= df[k] == v
    r = df[m]
    return r.iloc[0] if len(r) else None


def g(row, col):
    if row is None or col not in row.index:
        return np.nan
    v = row[col]
    return np.nan if pd.isna(v) else float(v)


def check(run, what, go_b, go_se, ind, group="auto"):
    """ind: list of (name, b, se). Flags misses; returns diffs and adds
    them to the summary under group (default: first word of what)."""
    out = []
    for name, b, se in ind:
        db = abs(go_b - b) if not (np.isnan(go_b) or np.isnan(b)) else np.nan
        ds = rel(go_se, se) if not (np.isnan(go_se) or np.isnan(se)) else np.nan
        if not np.isnan(db) and db > EST_TOL:
            flags.append((run, what, f"{name}: |Δestimate| = {db:.3g} > {EST_TOL:g} (Go {go_b:.10g}, {name} {b:.10g})"))
        if not np.isnan(ds) and ds > SE_TOL:
            flags.append((run, what, f"{name}: relative SE difference {100 * ds:.3g}% > {100 * SE_TOL:g}% (Go {go_se:.6g}, {name} {se:.6g})"))
        if np.isnan(go_b) != np.isnan(b):
            flags.append((run, what, f"{name}: estimated on one side only (Go {go_b}, {name} {b})"))
        out.append((db, ds))
    if group == "auto":
        group = what.split()[0]
    if group:
        vals = [x for pair in out for x in pair]
        vals += [np.nan] * (4 - len(vals))
        summary.setdefault((run, group), []).append((vals[0], vals[2], vals[1], vals[3]))
    return out


def est_table(run, go, py, R, analysis, lines, title):
    lines += [f"#### {title}", "",
              "| cell | N | G | Go estimate | statsmodels | R lm | \\|Δ\\| py | \\|Δ\\| R | Go SE | statsmodels SE | R SE | rel ΔSE py | rel ΔSE R |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    sec = dict(ci=0.0, g=0.0, bg=0.0, n=0, df=0, p=0.0)
    rows = go[(go.analysis == analysis)]
    for _, r in rows.iterrows():
        cell = f"{r.subject} {key_year(r.school_year)}"
        p = lookup(py, analysis=analysis, subject=r.subject, school_year=r.school_year, subgroup=None)
        q = lookup(R, analysis=analysis, subject=r.subject, school_year=r.school_year, subgroup=None)
        gb, gs = g(r, "estimate"), g(r, "std_error")
        if np.isnan(gb):
            pb = g(p, "estimate")
            lines.append(f"| {cell} | {int(r.n_students)} | {int(r.n_teachers)} | not estimated ({r.note}) | "
                         f"{'not estimated' if np.isnan(pb) else fmt(pb)} | {'not estimated' if q is None else fmt(g(q, 'estimate'))} | | | | | | | |")
            if not np.isnan(pb):
                flags.append((run, f"{analysis} {cell}", "Go did not estimate, statsmodels did"))
            continue
        (dp, sp), (dr, sr) = check(run, f"{analysis} {cell}", gb, gs,
                                   [("statsmodels", g(p, "estimate"), g(p, "std_error")), ("R", g(q, "estimate"), g(q, "std_error"))])
        lines.append(f"| {cell} | {int(r.n_students)} | {int(r.n_teachers)} | {fmt(gb, 8)} | {fmt(g(p, 'estimate'), 8)} | {fmt(g(q, 'estimate'), 8)} | "
                     f"{fdiff(dp)} | {fdiff(dr)} | {fmt(gs)} | {fmt(g(p, 'std_error'))} | {fmt(g(q, 'std_error'))} | {fpct(sp)} | {fpct(sr)} |")
        # secondary quantities against statsmodels
        sec["ci"] = max(sec["ci"], abs(g(r, "ci_low") - g(p, "ci_low")), abs(g(r, "ci_high") - g(p, "ci_high")))
        sec["p"] = max(sec["p"], abs(g(r, "p_value") - g(p, "p_value")))
        if analysis == "impact":
            for k, c in (("g", "hedges_g"), ("bg", "baseline_g")):
                d = max(abs(g(r, c) - g(p, c)), abs(g(r, c) - g(q, c)))
                sec[k] = max(sec[k], d)
                if d > EST_TOL:
                    flags.append((run, f"{analysis} {cell}", f"{c}: |Δ| = {d:.3g}"))
        if int(r.n_students) != int(g(p, "n_students")) or int(r.n_teachers) != int(g(p, "G")) or int(r.n_coached_students) != int(g(p, "n_coached_students")):
            sec["n"] += 1
            flags.append((run, f"{analysis} {cell}", f"counts differ: Go N={r.n_students} G={r.n_teachers}, py N={g(p, 'n_students')} G={g(p, 'G')}"))
        if int(r.df) != int(g(p, "df")):
            sec["df"] += 1
            flags.append((run, f"{analysis} {cell}", f"df differ: Go {r.df}, py {g(p, 'df')}"))
    lines.append("")
    extra = f"Also checked against statsmodels: max |Δ| of the 95% CI bounds (t with G-1 df) = {sec['ci']:.1e}; max |Δ| p-value = {sec['p']:.1e}"
    if analysis == "impact":
        extra += f"; max |Δ| Hedges g = {sec['g']:.1e}; max |Δ| baseline g = {sec['bg']:.1e}"
    extra += f"; cells with N, coached N or G different: {sec['n']}; cells with df different: {sec['df']}."
    lines += [extra, ""]


def subgroup_section(run, go, py, R, lines):
    rows = go[(go.analysis == "impact_subgroup") & go.estimate.notna()]
    res = []
    for _, r in rows.iterrows():
        p = lookup(py, analysis="impact_subgroup", subject=r.subject, school_year=r.school_year, subgroup=r.subgroup)
        q = lookup(R, analysis="impact_subgroup", subject=r.subject, school_year=r.school_year, subgroup=r.subgroup)
        what = f"impact_subgroup {r.subject} {key_year(r.school_year)} {r.subgroup}"
        (dp, sp), (dr, sr) = check(run, what, r.estimate, r.std_error,
                                   [("statsmodels", g(p, "estimate"), g(p, "std_error")), ("R", g(q, "estimate"), g(q, "std_error"))])
        dg = abs(r.hedges_g - g(p, "hedges_g"))
        res.append(dict(r=r, p=p, q=q, dp=dp, dr=dr, sp=sp, sr=sr, dg=dg, K=g(p, "K")))
    n_go = len(go[go.analysis == "impact_subgroup"])
    # Suppression: Go leaves out cells with fewer than MIN_CELL coached or
    # non-coached students (the configured min_cell, default 10).
    supp_bad = 0
    for _, r in go[go.analysis == "impact_subgroup"].iterrows():
        p = lookup(py, analysis="impact_subgroup", subject=r.subject, school_year=r.school_year, subgroup=r.subgroup)
        n1 = g(p, "n_coached_students"); n = g(p, "n_students")
        small = min(n1, n - n1) < MIN_CELL
        if small != bool(np.isnan(r.estimate)) or n1 != r.n_coached_students or n != r.n_students:
            supp_bad += 1
            flags.append((run, f"impact_subgroup {r.subject} {key_year(r.school_year)} {r.subgroup}",
                          f"suppression/counts inconsistent: Go N={r.n_students} coached={r.n_coached_students} est={r.estimate}; own N={n} coached={n1}"))
    lines += [f"#### impact_subgroup ({len(res)} of {n_go} Go rows have an estimate; all of them compared)", "",
              f"Max |Δ estimate|: statsmodels {np.nanmax([x['dp'] for x in res]):.1e}, R {np.nanmax([x['dr'] for x in res]):.1e}; "
              f"max relative SE difference: statsmodels {fpct(np.nanmax([x['sp'] for x in res]))}, R {fpct(np.nanmax([x['sr'] for x in res]))}; "
              f"max |Δ Hedges g| {np.nanmax([x['dg'] for x in res]):.1e}. "
              f"Rows beyond the targets: {sum(1 for x in res if (x['dp'] > EST_TOL) or (x['sp'] > SE_TOL) or (x['dr'] > EST_TOL) or (x['sr'] > SE_TOL))}. "
              f"Go rows without an estimate are exactly the subgroup cells where the independent count of coached or non-coached "
              f"students is below min_cell = {MIN_CELL} (and N / coached N agree on every row): "
              f"{'yes' if supp_bad == 0 else f'NO ({supp_bad} rows)'}.", "",
              "A sample (the 'All subjects, all years' cell plus the largest SE differences):", "",
              "| cell | subgroup | N | G | Go estimate | statsmodels | \\|Δ\\| py | \\|Δ\\| R | Go SE | statsmodels SE | rel ΔSE py | rel ΔSE R |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    sample = [x for x in res if x["r"].subject == "All"]
    rest = sorted([x for x in res if x["r"].subject != "All"], key=lambda x: -np.nan_to_num(x["sp"]))[:4]
    for x in sample + rest:
        r = x["r"]
        lines.append(f"| {r.subject} {key_year(r.school_year)} | {r.subgroup} | {r.n_students} | {r.n_teachers} | {fmt(r.estimate, 8)} | "
                     f"{fmt(g(x['p'], 'estimate'), 8)} | {fdiff(x['dp'])} | {fdiff(x['dr'])} | {fmt(r.std_error)} | {fmt(g(x['p'], 'std_error'))} | "
                     f"{fpct(x['sp'])} | {fpct(x['sr'])} |")
    lines.append("")


def bands_section(run, bands, py, R, lines):
    lines += ["#### dosage_bands (pooled over years)", "",
              "| subject | band | n | Go difference | statsmodels | R lm | \\|Δ\\| py | \\|Δ\\| R | Go SE | statsmodels SE | R SE | rel ΔSE py | rel ΔSE R |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    adj, peryear = 0.0, []
    for _, r in bands.iterrows():
        p = lookup(py, analysis="dosage_bands", subject=r.subject, school_year=r.school_year, band_order=r.band_order)
        q = lookup(R, analysis="dosage_bands", subject=r.subject, school_year=r.school_year, band_order=r.band_order)
        if not np.isnan(g(r, "adjusted_mean")):
            adj = max(adj, abs(r.adjusted_mean - g(p, "adjusted_mean")), abs(r.adjusted_mean - g(q, "adjusted_mean")))
        if r.band_order == 0 or np.isnan(g(r, "difference")):
            continue
        what = f"dosage_bands {r.subject} {key_year(r.school_year)} {r.band}"
        (dp, sp), (dr, sr) = check(run, what, r.difference, r.std_error,
                                   [("statsmodels", g(p, "estimate"), g(p, "std_error")), ("R", g(q, "estimate"), g(q, "std_error"))],
                                   group="dosage_bands (pooled)" if pd.isna(r.school_year) else "dosage_bands (per year)")
        if pd.isna(r.school_year):
            lines.append(f"| {r.subject} | {r.band} | {r.n_students} | {fmt(r.difference, 8)} | {fmt(g(p, 'estimate'), 8)} | {fmt(g(q, 'estimate'), 8)} | "
                         f"{fdiff(dp)} | {fdiff(dr)} | {fmt(r.std_error)} | {fmt(g(p, 'std_error'))} | {fmt(g(q, 'std_error'))} | {fpct(sp)} | {fpct(sr)} |")
        else:
            peryear.append((dp, dr, sp, sr))
    lines.append("")
    pe = np.array(peryear) if peryear else np.full((1, 4), np.nan)
    lines += [f"Also: the {len(peryear)} per-year band differences: max |Δ| {np.nanmax(pe[:, :2]):.1e}, max relative SE difference "
              f"{fpct(np.nanmax(pe[:, 2:]))}; the regression-adjusted band means (all cells, all bands shown by Go): max |Δ| {adj:.1e}.", ""]


def did_section(run, go, py, R, gt, lines):
    r = go[go.analysis == "did"].iloc[0]
    lines += ["#### did (two-way fixed effects, clustered by school)", "",
              f"Go: estimate {r.estimate:.10g}, SE {r.std_error:.6g}, df {r.df}, schools {r.n_schools}, students {r.n_students}.", "",
              "| implementation | K in (N-1)/(N-K) | estimate | \\|Δ\\| | SE | rel ΔSE vs Go | df | CI |",
              "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, df in (("statsmodels", py), ("R lm + sandwich", R)):
        for _, p in df[df.analysis == "did"].iterrows():
            db, ds = abs(r.estimate - p.estimate), rel(r.std_error, p.std_error)
            if int(p.n_students) != int(r.n_students) or int(p.G) != int(r.n_schools) or int(p.df) != int(r.df):
                flags.append((run, f"did ({name})", f"counts differ: Go students {r.n_students} schools {r.n_schools} df {r.df}; "
                                                    f"{name} {p.n_students} / {p.G} / {p.df}"))
            if p.variant.startswith("fixest default"):
                check(run, f"did ({name}, fixest's default K = T + 1)", r.estimate, r.std_error, [(name, p.estimate, p.std_error)], group=f"did [{name}]")
            lines.append(f"| {name}, {p.variant} | {int(p.K)} | {p.estimate:.10g} | {db:.1e} | {p.std_error:.6g} | {fpct(ds)} | {int(p.df)} | [{p.ci_low:.5f}, {p.ci_high:.5f}] |")
    lines += ["", f"Go CI [{r.ci_low:.5f}, {r.ci_high:.5f}]. Go follows fixest's default ssc() (K = T + 1), so that row must match; "
                  "the raw one differs by construction (factor sqrt((N-K_all)/(N-K))), and K = T is the convention Go used "
                  "before the fix (see Disagreements).", ""]

    c = go[go.analysis == "did_cs"].iloc[0]
    p = lookup(py, analysis="did_cs")
    q = lookup(R, analysis="did_cs")
    check(run, "did_cs overall (point)", c.estimate, np.nan, [("pandas", g(p, "estimate"), np.nan), ("R", g(q, "estimate"), np.nan)], group="did_cs (points)")
    lines += ["#### did_cs (Callaway-Sant'Anna; point estimates checked exactly, SE only for order of magnitude)", "",
              "| row | treated / control schools (Go) | Go ATT | pandas | R | \\|Δ\\| py | \\|Δ\\| R | Go bootstrap SE | own bootstrap SE | ratio |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines.append(f"| overall | | {c.estimate:.10g} | {g(p, 'estimate'):.10g} | {g(q, 'estimate'):.10g} | {abs(c.estimate - g(p, 'estimate')):.1e} | "
                 f"{abs(c.estimate - g(q, 'estimate')):.1e} | {c.std_error:.5f} | {g(p, 'std_error'):.5f} | {c.std_error / g(p, 'std_error'):.2f} |")
    for _, x in gt.iterrows():
        x = pd.Series({k: (int(v) if k in ("cohort", "school_year", "event_time", "treated_schools", "control_schools") else v)
                       for k, v in x.items()}, dtype=object)
        pp = lookup(py, analysis="did_group_time", cohort=x.cohort, school_year=x.school_year)
        qq = lookup(R, analysis="did_group_time", subgroup=f"cohort {x.cohort}", school_year=x.school_year)
        check(run, f"did_group_time {x.cohort}/{x.school_year}", x.att, np.nan, [("pandas", g(pp, "estimate"), np.nan), ("R", g(qq, "estimate"), np.nan)], group="did_cs (points)")
        if pp is not None and (int(pp.treated_schools) != x.treated_schools or int(pp.control_schools) != x.control_schools):
            flags.append((run, f"did_group_time {x.cohort}/{x.school_year}", f"school counts differ: Go {x.treated_schools}/{x.control_schools}, pandas {pp.treated_schools}/{pp.control_schools}"))
        lines.append(f"| ATT(g={x.cohort}, t={x.school_year}) | {x.treated_schools} / {x.control_schools} | {x.att:.10g} | {g(pp, 'estimate'):.10g} | "
                     f"{g(qq, 'estimate'):.10g} | {abs(x.att - g(pp, 'estimate')):.1e} | {abs(x.att - g(qq, 'estimate')):.1e} | {x.std_error:.5f} | "
                     f"{g(pp, 'std_error'):.5f} | {x.std_error / g(pp, 'std_error'):.2f} |")
    n_py = len(py[py.analysis == "did_group_time"])
    if n_py != len(gt):
        flags.append((run, "did_group_time", f"Go has {len(gt)} cells, pandas {n_py}"))
    lines.append("")


def practice_section(run, go, py, R, lines):
    r = go[go.analysis == "practice"].iloc[0]
    p = lookup(py, analysis="practice")
    q = lookup(R, analysis="practice")
    lines += ["#### practice", ""]
    if np.isnan(g(r, "estimate")):
        lines += [f"Go: not estimated ({r.note}); independent: {g(p, 'n_teachers'):.0f} rows in practice_change, "
                  f"{'not estimated either' if np.isnan(g(p, 'estimate')) else 'ESTIMATED'}.", ""]
        if not np.isnan(g(p, "estimate")):
            flags.append((run, "practice", "Go did not estimate, pandas did"))
        return
    (dp, sp), (dr, sr) = check(run, "practice", r.estimate, r.std_error,
                               [("pandas", g(p, "estimate"), g(p, "std_error")), ("R", g(q, "estimate"), g(q, "std_error"))])
    lines += ["| n teachers | Go mean | pandas | R | \\|Δ\\| py | \\|Δ\\| R | Go SE | pandas SE | R SE | rel ΔSE py | rel ΔSE R |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
              f"| {r.n_teachers} | {r.estimate:.10g} | {g(p, 'estimate'):.10g} | {g(q, 'estimate'):.10g} | {fdiff(dp)} | {fdiff(dr)} | "
              f"{r.std_error:.6g} | {g(p, 'std_error'):.6g} | {g(q, 'std_error'):.6g} | {fpct(sp)} | {fpct(sr)} |", ""]


def main():
    out = Path(sys.argv[1])
    lines = []
    for arg in sys.argv[2:]:
        label, d = arg.split("=", 1)
        d = Path(d)
        go = rd(d / "go_estimates.csv")
        go["subgroup"] = go["subgroup"].where(go["subgroup"].notna() & (go["subgroup"] != ""), None)
        py = rd(d / "results_py.csv")
        R = rd(d / "results_R.csv")
        for df in (py, R):
            df["subgroup"] = df["subgroup"].where(df["subgroup"].notna() & (df["subgroup"] != ""), None)
        bands = rd(d / "go_dosage_bands.csv")
        gt = rd(d / "go_did_group_time.csv")
        lines += [f"### Run: {label}", ""]
        est_table(label, go, py, R, "impact", lines, "impact")
        est_table(label, go, py, R, "dose_response", lines, "dose_response")
        subgroup_section(label, go, py, R, lines)
        bands_section(label, bands, py, R, lines)
        did_section(label, go, py, R, gt, lines)
        practice_section(label, go, py, R, lines)
    head = ["### Summary (all runs)", "",
            f"Targets: point estimates within {EST_TOL:g} (absolute), SEs within {100 * SE_TOL:g}% (relative). "
            "py = statsmodels/pandas, R = lm + sandwich::vcovCL (HC1) / base R.", "",
            "| run | analysis | rows | max \\|Δ est\\| py | max \\|Δ est\\| R | max rel ΔSE py | max rel ΔSE R | within targets |",
            "|---|---|---:|---:|---:|---:|---:|---|"]
    for (run, grp), v in summary.items():
        a = np.array(v, dtype=float)
        mx = [np.nanmax(a[:, j]) if np.isfinite(a[:, j]).any() else np.nan for j in range(4)]
        ok = all(np.isnan(x) or x <= EST_TOL for x in mx[:2]) and all(np.isnan(x) or x <= SE_TOL for x in mx[2:])
        head.append(f"| {run} | {grp} | {len(v)} | {fdiff(mx[0])} | {fdiff(mx[1])} | {fpct(mx[2])} | {fpct(mx[3])} | {'yes' if ok else '**no**'} |")
    head.append("")
    lines = head + lines
    lines += ["### Disagreements beyond the targets (generated)", ""]
    if flags:
        lines += [f"- **{run}**, {what}: {detail}" for run, what, detail in flags]
    else:
        lines.append(f"None: every point estimate within {EST_TOL:g} and every SE within {100 * SE_TOL:g}% "
                     "(did: against the fixest-K rescaling; did_cs: points only).")
    lines.append("")
    out.write_text("\n".join(lines))
    print(f"wrote {out} ({len(flags)} flags)")
    for f in flags:
        print("FLAG", *f)


if __name__ == "__main__":
    main()
