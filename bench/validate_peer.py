#!/usr/bin/python3
"""validate_peer: the pandas peer of mmm-validate for the benchmarks.

Usage: validate_peer.py FILE REPORT PROFILE [options]

Does, in one process, the checks bench/run.sh asks of mmm-validate on the same
file: type inference, missing fraction, non-negativity, a range, a row rule,
date order and gaps per group, age of the latest date, robust-z outliers,
leakage hints against the target, and a describe() profile.  It writes a JSON
report and a JSON profile.  Like a pandas user, it does not write the rows back
out and it does not check uniqueness (mmm-validate runs with --no-unique).
Exit status: 0 all checks passed, 1 a check failed, 64 usage.
"""

import argparse
import fnmatch
import json
import math
import operator
import sys

import numpy as np
import pandas as pd

NONNEG = ["*spend*", "*impressions*", "*clicks*", "*conversions*", "revenue"]
QUANTILES = [0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99]
OPS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq,
       "!=": operator.ne, "<": operator.lt, ">": operator.gt}
FREQ_DAYS = {"daily": 1, "weekly": 7}


def num(x):
    """A JSON-safe Python number (NaN and infinities become null)."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def infer_type(col):
    """numeric, date or text, as a pandas user would decide it."""
    if pd.api.types.is_numeric_dtype(col):
        return "numeric", col
    sample = col.dropna().head(100)
    if len(sample) and pd.to_datetime(sample, format="%Y-%m-%d",
                                      errors="coerce").notna().all():
        dates = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
        if dates.isna().sum() == col.isna().sum():
            return "date", dates
    return "text", col


def parse_rule(rule):
    for sym in ("<=", ">=", "==", "!=", "<", ">"):
        if sym in rule:
            left, right = rule.split(sym, 1)
            return left.strip(), sym, right.strip()
    raise SystemExit(f"validate_peer: bad rule: {rule}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("report")
    ap.add_argument("profile")
    ap.add_argument("--date", default="date")
    ap.add_argument("--by", default="geo")
    ap.add_argument("--freq", default="daily", choices=sorted(FREQ_DAYS))
    ap.add_argument("--today", default="2030-01-01")
    ap.add_argument("--max-age", type=int, default=100000)
    ap.add_argument("--numeric", default="tv_spend,search_spend,social_spend,"
                    "impressions,clicks,conversions,temperature,price,promo,sales")
    ap.add_argument("--range", action="append", default=None,
                    help="COL=LO:HI (default temperature=-60:60)")
    ap.add_argument("--rule", action="append", default=None,
                    help="COL<=COL (default clicks<=impressions)")
    ap.add_argument("--target", default="sales")
    ap.add_argument("--max-missing", type=float, default=0.05)
    ap.add_argument("--max-outliers", type=float, default=0.02)
    ap.add_argument("--outlier-z", type=float, default=5.0)
    ap.add_argument("--leak-corr", type=float, default=0.98)
    a = ap.parse_args()
    ranges = a.range or ["temperature=-60:60"]
    rules = a.rule or ["clicks<=impressions"]

    df = pd.read_csv(a.file)
    rows = len(df)
    checks = []

    def check(kind, column, value, threshold, ok, **extra):
        c = {"check": kind, "column": column, "value": value,
             "threshold": threshold, "ok": bool(ok)}
        c.update(extra)
        checks.append(c)

    # Types.
    types = {}
    for name in df.columns:
        types[name], df[name] = infer_type(df[name])
    numeric = [c for c in a.numeric.split(",") if c]
    for c in numeric:
        if c not in df.columns:
            raise SystemExit(f"validate_peer: no column {c}")
        if types[c] != "numeric":
            bad = pd.to_numeric(df[c], errors="coerce").isna() & df[c].notna()
            check("type", c, int(bad.sum()), 0, False, expected="numeric")
            df[c] = pd.to_numeric(df[c], errors="coerce")
            types[c] = "numeric"

    # Completeness.
    missing = df.isna().mean()
    for c in df.columns:
        check("missing", c, num(missing[c]), a.max_missing,
              missing[c] <= a.max_missing)

    # Validity: non-negativity, ranges, row rules.
    for c in numeric:
        if any(fnmatch.fnmatchcase(c, p) for p in NONNEG):
            neg = int((df[c] < 0).sum())
            check("nonnegative", c, neg, 0, neg == 0)
    for r in ranges:
        c, lohi = r.split("=", 1)
        lo, hi = (float(v) for v in lohi.split(":", 1))
        out = int(((df[c] < lo) | (df[c] > hi)).sum())
        check("range", c, out, 0, out == 0, range=[lo, hi])
    for r in rules:
        left, sym, right = parse_rule(r)
        both = df[left].notna() & df[right].notna()
        bad = int((both & ~OPS[sym](df[left], df[right])).sum())
        check("rule", r, bad, 0, bad == 0)

    # Consistency and timeliness of the dates, per group.
    d = df[a.date]
    step = pd.Timedelta(days=FREQ_DAYS[a.freq])
    diff = d.groupby(df[a.by], sort=False).diff() if a.by else d.diff()
    disorder = int((diff <= pd.Timedelta(0)).sum())
    gaps = diff > step
    missing_steps = int(((diff[gaps] // step) - 1).sum())
    check("date_order", a.date, disorder, 0, disorder == 0)
    check("date_gaps", a.date, int(gaps.sum()), 0, not gaps.any(),
          missing_periods=missing_steps)
    latest = d.max()
    age = int((pd.Timestamp(a.today) - latest).days)
    check("max_age", a.date, age, a.max_age, age <= a.max_age,
          latest=latest.strftime("%Y-%m-%d"))

    # Profile (describe), reused for the outlier medians.
    desc = df[numeric].describe(percentiles=QUANTILES)

    # Outliers: robust z-score with the median absolute deviation.
    for c in numeric:
        x = df[c]
        med = desc.at["50%", c]
        mad = (x - med).abs().median()
        if not mad > 0:
            check("outliers", c, 0.0, a.max_outliers, True, note="MAD is 0")
            continue
        frac = float(((x - med).abs() / (1.4826 * mad) > a.outlier_z).mean())
        check("outliers", c, frac, a.max_outliers, frac <= a.max_outliers)

    # Leakage hints: a feature almost equal to the target.
    corr = df[numeric].corrwith(df[a.target])
    for c in numeric:
        if c != a.target:
            r = num(corr[c])
            check("leakage", c, r, a.leak_corr,
                  r is None or abs(r) < a.leak_corr, severity="hint")

    labels = ["count", "mean", "std", "min", "max"] + \
        [f"{q:.0%}" for q in QUANTILES]
    profile = {"rows": rows, "columns": {}}
    for c in df.columns:
        p = {"type": types[c], "missing": num(missing[c])}
        if c in numeric:
            for lab in labels:
                key = {"std": "sd"}.get(lab, lab if "%" not in lab
                                        else "p" + lab.rstrip("%"))
                p[key] = num(desc.at[lab, c])
        profile["columns"][c] = p

    failed = sum(1 for c in checks
                 if not c["ok"] and c.get("severity") != "hint")
    report = {"file": a.file, "rows": rows, "ok": failed == 0,
              "failed": failed, "checks": checks}
    with open(a.report, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    with open(a.profile, "w") as f:
        json.dump(profile, f, indent=1)
        f.write("\n")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
