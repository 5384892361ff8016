#!/usr/bin/python3
"""mmm_peer.py: the Python peer of mmm-train --model mmm's search: the same
work per candidate in numpy + scipy (geometric adstock by lfilter, Hill with
the inflexion a fraction gamma of the adstocked range, standardised columns,
the exact non-negative ridge by scipy.optimize.nnls on the augmented system,
the baseline free as a difference of two non-negative parts, NRMSE and
DECOMP.RSSD), for CANDIDATES random candidates in Robyn's bounds.

    mmm_peer.py CSV CANDIDATES   -> prints "seconds_of_search<TAB>per_candidate_us"
"""
import csv
import datetime
import sys
import time

import numpy as np
from scipy.optimize import nnls
from scipy.signal import lfilter

MEDIA = ["tv_S", "ooh_S", "print_S", "facebook_S", "search_S"]
THETA = {"tv_S": (0.3, 0.8), "ooh_S": (0.1, 0.4), "print_S": (0.1, 0.4),
         "facebook_S": (0, 0.3), "search_S": (0, 0.3)}
CONTROLS = ["competitor_sales_B", "newsletter"]


def main():
    path, ncand = sys.argv[1], int(sys.argv[2])
    rows = list(csv.DictReader(open(path)))
    n = len(rows)
    y = np.array([float(r["revenue"]) for r in rows])
    X = np.array([[float(r[c]) for c in MEDIA] for r in rows])
    day = np.array([(datetime.date.fromisoformat(r["DATE"]) -
                     datetime.date(1970, 1, 1)).days for r in rows], float)
    t = (day - day[0]) / (day[-1] - day[0])
    cols = [t]
    for f in (1, 2):
        a = 2 * np.pi * f * day / 365.25
        cols += [np.sin(a), np.cos(a)]
    cols += [np.array([float(r[c]) for r in rows]) for c in CONTROLS]
    Z = np.column_stack(cols)
    Zs = (Z - Z.mean(0)) / Z.std(0)
    yc = y - y.mean()
    yrange = y.max() - y.min()
    spend_share = X.sum(0) / X.sum()
    k, q = X.shape[1], Zs.shape[1]
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    best = np.inf
    for _ in range(ncand):
        S = np.empty_like(X)
        for c, name in enumerate(MEDIA):
            lo, hi = THETA[name]
            th = rng.uniform(lo, hi)
            al = rng.uniform(0.5, 3)
            ga = rng.uniform(0.3, 1)
            a = lfilter([1.0], [1.0, -th], X[:, c])
            g = a.min() * (1 - ga) + a.max() * ga
            with np.errstate(divide="ignore"):
                S[:, c] = 1 / (1 + (g / a) ** al)
        lam = np.exp(rng.uniform(np.log(1e-4), 0)) * n
        mu, sd = S.mean(0), S.std(0)
        Ms = (S - mu) / sd
        A = np.vstack([np.hstack([Ms, Zs, -Zs]),
                       np.sqrt(lam) * np.eye(k + 2 * q)])
        b = np.concatenate([yc, np.zeros(k + 2 * q)])
        sol, _ = nnls(A, b, maxiter=1000)
        beta = sol[:k]
        g = sol[k:k + q] - sol[k + q:]
        res = yc - Ms @ beta - Zs @ g
        nrmse = np.sqrt((res ** 2).mean()) / yrange
        eff = beta / sd * S.sum(0)
        es = eff / eff.sum() if eff.sum() > 0 else eff * 0
        rssd = np.sqrt(((es - spend_share) ** 2).sum())
        best = min(best, nrmse + 0 * rssd)
    s = time.perf_counter() - t0
    print("%.6f\t%.1f" % (s, s / ncand * 1e6))
    print("best nrmse %.5f" % best, file=sys.stderr)


main()
