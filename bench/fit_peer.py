#!/usr/bin/python3
"""fit_peer.py: the Python peers of bench/bench_fit.c, timed in-process.

    fit_peer.py --rows N --data PATH [--coef PATH] [--repeat R]

PATH is what `bench_fit --rows N --dump PATH` wrote: 22 N little-endian
doubles, column-major -- 20 feature columns, then y20, then y10 (the
10-feature problem is the first 10 columns with y10).  The data is read once
into a C-ordered array outside the timings.  For each problem, best of R:

  fit-ols-inproc      sm.OLS(y, sm.add_constant(X)).fit() and the statistics
                      ols_fit computes: params, bse, tvalues, pvalues,
                      conf_int, rsquared(_adj), fvalue, f_pvalue, llf, aic,
                      bic, durbin_watson(resid), jarque_bera(resid),
                      condition_number -- everything but VIF
  fit-ols-vif-inproc  the same plus variance_inflation_factor for every
                      feature column of add_constant(X)
  fit-bayes-inproc    BayesianRidge().fit(X, y)
  fit-ridge-inproc    Ridge(alpha=1.0).fit(X, y)

(suffix -p10 for the 10-feature problem).  Prints "case<TAB>peer_s" lines on
stdout.  With --coef (the file of `bench_fit --coef`) it compares our
coefficients, intercept first, with the peer's: max relative difference
|ours - peer| / max(|ours|, |peer|) over the vector, against 1e-8; the same
for OLS standard errors, VIF and the scalar statistics, reported for
information.  The verdict goes to stderr, one line per quantity, and the last
line is "agree: yes" or "agree: NO"; exit status 2 when a coefficient vector
disagrees.
"""
import argparse
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

try:
    import statsmodels.api as sm
    from sklearn.linear_model import BayesianRidge, Ridge
    from statsmodels.stats.outliers_influence import variance_inflation_factor
    from statsmodels.stats.stattools import durbin_watson, jarque_bera
except ImportError as e:  # run.sh checks first; this is for direct use
    print(f"fit_peer.py: {e}", file=sys.stderr)
    sys.exit(3)

PMAX, PSMALL = 20, 10
TOL = 1e-8


def ols_stats(X, y):
    """The fit and every statistic ols_fit computes except VIF."""
    res = sm.OLS(y, sm.add_constant(X)).fit()
    resid = res.resid
    jb, jb_p, skew, kurt = jarque_bera(resid)
    ci = res.conf_int(0.05)
    stats = [res.rsquared, res.rsquared_adj, res.fvalue, res.llf, res.aic,
             res.bic, durbin_watson(resid), jb, res.condition_number]
    # force the lazily computed ones too
    _ = (res.tvalues, res.pvalues, res.f_pvalue, jb_p, skew, kurt, ci)
    return res, stats


def vifs(X):
    exog = sm.add_constant(X)
    return np.array([variance_inflation_factor(exog, j)
                     for j in range(1, exog.shape[1])])


def best(fn, repeat):
    t, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - t0)
    return t, out


def relerr(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        return float("inf")
    d = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    return float(np.max(d)) if d.size else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--coef")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    n = a.rows

    raw = np.fromfile(a.data, dtype="<f8")
    if raw.size != (PMAX + 2) * n:
        sys.exit(f"fit_peer.py: {a.data} holds {raw.size} doubles, "
                 f"want {(PMAX + 2) * n}")
    cols = raw.reshape(PMAX + 2, n)
    X20 = np.ascontiguousarray(cols[:PMAX].T)
    X10 = np.ascontiguousarray(cols[:PSMALL].T)
    y20, y10 = cols[PMAX].copy(), cols[PMAX + 1].copy()
    del raw, cols

    peer = {}
    for X, y, p in ((X20, y20, PMAX), (X10, y10, PSMALL)):
        sfx = "" if p == PMAX else "-p10"
        t_ols, (res, stats) = best(lambda: ols_stats(X, y), a.repeat)
        t_vif, vif = best(lambda: vifs(X), a.repeat)
        t_bay, br = best(lambda: BayesianRidge().fit(X, y), a.repeat)
        t_rid, rr = best(lambda: Ridge(alpha=1.0).fit(X, y), a.repeat)
        print(f"fit-ols-inproc{sfx}\t{t_ols:.6f}")
        print(f"fit-ols-vif-inproc{sfx}\t{t_ols + t_vif:.6f}")
        print(f"fit-bayes-inproc{sfx}\t{t_bay:.6f}")
        print(f"fit-ridge-inproc{sfx}\t{t_rid:.6f}")
        sys.stdout.flush()
        peer[f"ols-p{p}-coef"] = res.params
        peer[f"ols-p{p}-se"] = res.bse
        peer[f"ols-p{p}-vif"] = vif
        peer[f"ols-p{p}-stats"] = stats
        peer[f"bayes-p{p}-coef"] = np.r_[br.intercept_, br.coef_]
        peer[f"ridge-p{p}-coef"] = np.r_[rr.intercept_, rr.coef_]

    if not a.coef:
        return 0
    ours = {}
    with open(a.coef) as f:
        for line in f:
            name, *vals = line.rstrip("\n").split("\t")
            ours[name] = [float(v) for v in vals]
    ok = True
    for name, pv in peer.items():
        e = relerr(ours.get(name, []), pv)
        coef = name.endswith("-coef")
        verdict = ("ok" if e <= TOL else "DIFFERS") if coef else "info"
        if coef and e > TOL:
            ok = False
        print(f"agree: {name}: max rel diff {e:.2e} ({verdict})",
              file=sys.stderr)
    print(f"agree: {'yes' if ok else 'NO'}: coefficients (intercept first) "
          f"of OLS, BayesianRidge and Ridge within {TOL:g} relative",
          file=sys.stderr)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
