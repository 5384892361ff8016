#!/usr/bin/python3
"""Reference values for common/mcdiag.c: split R-hat (rank-normalised,
folded) and bulk ESS as Vehtari et al. (2021) define them, written here in
numpy/scipy exactly as ArviZ's stats/diagnostics.py computes them (ArviZ is
not packaged in Debian).  Writes mcdiag_ref.h: the chains and the values.

Run: /usr/bin/python3 tests/data/gen_mcdiag_ref.py > tests/data/mcdiag_ref.h"""
import numpy as np
from scipy import stats

M, N = 4, 101     # odd N: the middle draw is left out of the split


def split_chains(x):
    h = x.shape[1] // 2
    return np.vstack([x[:, :h], x[:, -h:]])


def z_scale(x):
    r = stats.rankdata(x, method="average").reshape(x.shape)
    return stats.norm.ppf((r - 0.375) / (x.size + 0.25))


def rhat_plain(x):
    m, n = x.shape
    b = n * np.var(x.mean(axis=1), ddof=1)
    w = np.mean(np.var(x, axis=1, ddof=1))
    return np.sqrt((b / w + n - 1) / n)


def rhat_rank(x):
    s = split_chains(x)
    bulk = rhat_plain(z_scale(s))
    tail = rhat_plain(z_scale(np.abs(s - np.median(s))))
    return max(bulk, tail)


def autocov(x):
    n = len(x)
    x = x - x.mean()
    return np.array([np.dot(x[:n - t], x[t:]) / n for t in range(n)])


def ess_plain(x):
    m, n = x.shape
    acov = np.array([autocov(c) for c in x])
    chain_mean = x.mean(axis=1)
    mean_var = np.mean(acov[:, 0]) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if m > 1:
        var_plus += np.var(chain_mean, ddof=1)
    rho = np.zeros(n)
    even, odd = 1.0, 1.0 - (mean_var - np.mean(acov[:, 1])) / var_plus
    rho[0], rho[1] = even, odd
    t = 1
    while t < n - 3 and even + odd > 0:
        even = 1.0 - (mean_var - np.mean(acov[:, t + 1])) / var_plus
        odd = 1.0 - (mean_var - np.mean(acov[:, t + 2])) / var_plus
        if even + odd >= 0:
            rho[t + 1], rho[t + 2] = even, odd
        t += 2
    max_t = t - 2
    if even > 0:
        rho[max_t + 1] = even
    t = 1
    while t <= max_t - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0
            rho[t + 2] = rho[t + 1]
        t += 2
    ess = m * n
    tau = -1.0 + 2.0 * np.sum(rho[:max_t + 1]) + np.sum(rho[max_t + 1:max_t + 2])
    tau = max(tau, 1 / np.log10(ess))
    return ess / tau


def ess_bulk(x):
    return ess_plain(z_scale(split_chains(x)))


rng = np.random.default_rng(20261123)


def ar1(phi, shift):
    x = np.zeros((M, N))
    for c in range(M):
        v = rng.normal()
        for i in range(N):
            v = phi * v + np.sqrt(1 - phi * phi) * rng.normal()
            x[c, i] = v + shift[c]
    return x


cases = [("mixed", ar1(0.3, [0, 0, 0, 0])),
         ("sticky", ar1(0.9, [0, 0, 0, 0])),
         ("apart", ar1(0.5, [0, 0, 0.8, 0])),
         ("anti", ar1(-0.4, [0, 0, 0, 0])),
         ("ties", np.round(ar1(0.5, [0, 0, 0, 0.3]) * 2) / 2)]
print("/* Written by tests/data/gen_mcdiag_ref.py: do not edit. */")
print("#define MCREF_M %d\n#define MCREF_N %d\n#define MCREF_CASES %d" % (M, N, len(cases)))
print("static const char *const mcref_name[] = { %s };" % ", ".join('"%s"' % c[0] for c in cases))
print("static const double mcref_x[MCREF_CASES][MCREF_M * MCREF_N] = {")
for name, x in cases:
    print("  {" + ",".join("%.17g" % v for v in x.ravel()) + "},")
print("};")
for fn, nm in ((rhat_plain, "rhat_plain"), (ess_plain, "ess_plain"),
               (rhat_rank, "rhat"), (ess_bulk, "ess_bulk")):
    print("static const double mcref_%s[] = { %s };" % (nm, ", ".join("%.17g" % fn(c[1]) for c in cases)))
