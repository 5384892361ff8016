#!/usr/bin/python3
"""gen_transform_ref.py: reference numbers for tests/unit/test_transform.c.

Development aid only (the tests hold the numbers as literals).  Computes the
adstock and saturation curves of common/transform.h with numpy/scipy,
following the published sources step by step:

  Robyn R/R/transformation.R (commit dad1cfac9cab): adstock_geometric,
    adstock_weibull (scaleTrans = round(quantile(1:windlen, scale), 0) with
    R's type 7 quantile and round half to even; cdf = cumprod(c(1, 1 -
    pweibull(1:(windlen-1)))); pdf = .normalize(dweibull(1:windlen))),
    saturation_hill (inflexion = range(x) %*% c(1 - gamma, gamma)), mic_men.
  PyMC-Marketing pymc_marketing/mmm/transformers.py (commit ad351e2ae883):
    geometric_adstock, delayed_adstock, logistic_saturation.

and checks every number against an independent evaluation in mpmath at 50
digits, printing the worst relative difference.

Usage: gen_transform_ref.py [DIR]   DIR holds mmm_example.csv and
mmm_example_true_decomposition.csv (default
/work/shared/data/pymc-marketing-mmm-example); prints C to paste.
"""
import csv
import math
import sys

import mpmath
import numpy as np
from scipy.stats import weibull_min

mpmath.mp.dps = 50

# The test series: spend-like, with runs of zeros.
X = [3.2, 0.0, 0.0, 7.5, 1.25, 0.0, 12.0, 4.4, 0.0, 0.0,
     0.0, 9.1, 2.2, 0.5, 0.0, 6.6, 0.0, 0.0, 3.3, 1.0]
N = len(X)

# (kind, theta, peak, shape, scale, len, normalize)
CASES = [
    ("ADSTOCK_WEIBULL_CDF", 0, 0, 0.5, 0.1, N, 0),
    ("ADSTOCK_WEIBULL_CDF", 0, 0, 2.0, 0.5, N, 0),
    ("ADSTOCK_WEIBULL_CDF", 0, 0, 1.0, 0.0001, N, 0),
    ("ADSTOCK_WEIBULL_CDF", 0, 0, 3.0, 1.0, N, 0),
    ("ADSTOCK_WEIBULL_CDF", 0, 0, 0.0001, 0.05, N, 0),
    ("ADSTOCK_WEIBULL_CDF", 0, 0, 1.5, 0.5, 8, 0),
    ("ADSTOCK_WEIBULL_CDF", 0, 0, 0.0, 0.3, N, 0),
    ("ADSTOCK_WEIBULL_PDF", 0, 0, 0.5, 0.1, N, 0),
    ("ADSTOCK_WEIBULL_PDF", 0, 0, 2.5, 0.3, N, 0),
    ("ADSTOCK_WEIBULL_PDF", 0, 0, 1.0, 0.5, N, 0),
    ("ADSTOCK_WEIBULL_PDF", 0, 0, 9.0, 0.2, N, 0),
    ("ADSTOCK_WEIBULL_PDF", 0, 0, 1.5, 1.0, N, 0),
    ("ADSTOCK_WEIBULL_PDF", 0, 0, 2.0, 0.0001, N, 0),
    ("ADSTOCK_WEIBULL_PDF", 0, 0, 3.0, 0.5, 28, 0),
    ("ADSTOCK_WEIBULL_PDF", 0, 0, 2.0, 0.0, N, 0),
    ("ADSTOCK_DELAYED", 0.5, 0, 0, 0, 12, 1),
    ("ADSTOCK_DELAYED", 0.8, 3, 0, 0, 12, 1),
    ("ADSTOCK_DELAYED", 0.6, 7.5, 0, 0, 12, 1),
    ("ADSTOCK_DELAYED", 0.3, 2, 0, 0, 12, 0),
    ("ADSTOCK_DELAYED", 0.0, 2, 0, 0, 12, 1),
    ("ADSTOCK_DELAYED", 0.9, 11, 0, 0, 12, 1),
    ("ADSTOCK_GEOMETRIC", 0.0, 0, 0, 0, 0, 0),
    ("ADSTOCK_GEOMETRIC", 0.5, 0, 0, 0, 0, 0),
    ("ADSTOCK_GEOMETRIC", 0.95, 0, 0, 0, 0, 0),
    ("ADSTOCK_GEOMETRIC_TRUNC", 0.4, 0, 0, 0, 8, 1),
    ("ADSTOCK_GEOMETRIC_TRUNC", 0.7, 0, 0, 0, 5, 0),
    ("ADSTOCK_GEOMETRIC_TRUNC", 1.0, 0, 0, 0, 4, 1),
]


def r_scale_trans(windlen, scale):
    """round(quantile(1:windlen, scale), 0) as R computes it."""
    index = 1 + (windlen - 1) * scale
    lo = math.floor(index)
    h = index - lo
    q = float(lo) if h == 0 else (1 - h) * lo + h * (lo + 1)
    return float(np.round(q))  # half to even, as R's nearbyint


def weights_np(kind, theta, peak, shape, scale, L, normalize):
    if kind.startswith("ADSTOCK_WEIBULL"):
        if shape == 0 or scale == 0:
            w = np.zeros(L)
            w[0] = 1  # Robyn returns x unchanged
            return w
        st = r_scale_trans(L, scale)
        if kind == "ADSTOCK_WEIBULL_CDF":
            tv = np.concatenate(
                ([1.0], 1 - weibull_min.cdf(np.arange(1, L), shape, scale=st)))
            return np.cumprod(tv)
        d = weibull_min.pdf(np.arange(1, L + 1), shape, scale=st)
        if d.max() - d.min() == 0:
            w = np.zeros(L)
            w[0] = 1
            return w
        return (d - d.min()) / (d.max() - d.min())
    if kind == "ADSTOCK_DELAYED":
        w = theta ** ((np.arange(L, dtype=float) - peak) ** 2)
    else:
        w = theta ** np.arange(L, dtype=float)
    return w / w.sum() if normalize else w


def weights_mp(kind, theta, peak, shape, scale, L, normalize):
    mp = mpmath.mpf
    if kind.startswith("ADSTOCK_WEIBULL"):
        w = [mp(0)] * L
        if shape == 0 or scale == 0:
            w[0] = mp(1)
            return w
        st = mp(r_scale_trans(L, scale))
        k = mp(shape)
        if kind == "ADSTOCK_WEIBULL_CDF":
            p = mp(1)
            w[0] = p
            for i in range(1, L):
                p *= mpmath.exp(-(mp(i) / st) ** k)
                w[i] = p
            return w
        d = [k / st * (mp(i) / st) ** (k - 1) * mpmath.exp(-(mp(i) / st) ** k)
             for i in range(1, L + 1)]
        lo, hi = min(d), max(d)
        return [(v - lo) / (hi - lo) for v in d]
    th = mp(theta)
    if kind == "ADSTOCK_DELAYED":
        w = [th ** ((mp(i) - mp(peak)) ** 2) if not (th == 0 and i == peak)
             else mp(1) for i in range(L)]
    else:
        w = [th ** i if i else mp(1) for i in range(L)]
    s = sum(w)
    return [v / s for v in w] if normalize else w


def adstock_np(kind, theta, x, w):
    if kind == "ADSTOCK_GEOMETRIC":
        y = [x[0]]
        for v in x[1:]:
            y.append(v + theta * y[-1])
        return np.array(y)
    return np.convolve(np.array(x), w)[:len(x)]


def adstock_mp(kind, theta, x, w):
    x = [mpmath.mpf(v) for v in x]
    if kind == "ADSTOCK_GEOMETRIC":
        y = [x[0]]
        for v in x[1:]:
            y.append(v + mpmath.mpf(theta) * y[-1])
        return y
    return [sum(w[l] * x[t - l] for l in range(min(t + 1, len(w))))
            for t in range(len(x))]


def rel(a, b):
    a, b = mpmath.mpf(float(a)), mpmath.mpf(b)
    if a == b:
        return 0.0
    return float(abs(a - b) / max(abs(a), abs(b)))


def clist(v, indent="\t    "):
    s = [repr(float(e)) for e in v]
    lines, cur = [], indent
    for e in s:
        if len((cur + e + ",").expandtabs()) > 79:
            lines.append(cur.rstrip())
            cur = indent
        cur += e + ", "
    lines.append(cur.rstrip().rstrip(","))
    return "\n".join(lines)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else \
        "/work/shared/data/pymc-marketing-mmm-example"
    worst_y = worst_w = 0.0
    out = []
    for c in CASES:
        kind, theta, peak, shape, scale, L, norm = c
        wn = weights_np(*c) if L else np.array([])
        yn = adstock_np(kind, theta, X, wn)
        wm = weights_mp(*c) if L else []
        ym = adstock_mp(kind, theta, X, wm)
        for a, b in zip(yn, ym):
            worst_y = max(worst_y, rel(a, b))
        for a, b in zip(wn, wm):
            worst_w = max(worst_w, float(abs(mpmath.mpf(float(a)) - b)))
        out.append("\t{ %s, %r, %r, %r, %r, %d, %d,\n\t    { %s },\n"
                   "\t    { %s } },"
                   % (kind, theta, peak, shape, scale, L, norm,
                      clist(wn, "\t      ").strip() if L else "0",
                      clist(yn, "\t      ").strip()))
    print("/* numpy/scipy vs mpmath: worst relative difference of y %.3g, "
          "worst absolute difference of a weight %.3g */"
          % (worst_y, worst_w))
    print("\n".join(out))

    # Saturation: R's and PyMC's own forms, numpy.
    xs = np.array([0, 0.01, 0.3, 1, 2.5, 7, 40, 1e3])
    print("/* x = %s */" % ", ".join(repr(v) for v in xs))
    worst = 0.0
    for a, g in ((0.5, 2.0), (3.0, 0.7), (1.0, 5.0)):
        y = xs ** a / (xs ** a + g ** a)
        ym = [mpmath.mpf(v) ** a / (mpmath.mpf(v) ** a + mpmath.mpf(g) ** a)
              for v in xs]
        worst = max([worst] + [rel(p, q) for p, q in zip(y, ym)])
        print("hill %r %r:\n\t    { %s }" % (a, g, clist(y).strip()))
    for lam in (0.5, 4.0):
        y = (1 - np.exp(-lam * xs)) / (1 + np.exp(-lam * xs))
        ym = [mpmath.tanh(mpmath.mpf(lam) * mpmath.mpf(v) / 2) for v in xs]
        worst = max([worst] + [rel(p, q) for p, q in zip(y, ym)])
        print("logistic %r:\n\t    { %s }" % (lam, clist(y).strip()))
    y = 3.0 * xs / (0.5 + xs)
    print("michaelis 3 0.5:\n\t    { %s }" % clist(y).strip())
    print("/* worst relative difference to mpmath %.3g */" % worst)
    xi = np.array(X)
    for g in (0.0, 0.3, 1.0):
        print("inflexion %r: %r" % (g, float(np.dot([1 - g, g],
              [xi.min(), xi.max()]))))

    # PyMC-Marketing example: x1, and its true adstock and saturation.
    with open(d + "/mmm_example.csv") as f:
        x1 = [r["x1"] for r in csv.DictReader(f)]
    with open(d + "/mmm_example_true_decomposition.csv") as f:
        rows = list(csv.DictReader(f))
    for name, col in (("x1", x1),
                      ("x1_adstock", [r["x1_adstock"] for r in rows]),
                      ("x1_sat", [r["x1_adstock_saturated"] for r in rows])):
        print("static const double %s[] = {\n%s\n};"
              % (name, clist([float(v) for v in col], "\t")))


if __name__ == "__main__":
    main()
