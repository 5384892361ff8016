#!/usr/bin/python3
"""gen_alloc_ref.py: the reference suite of tests/mmm-allocate-ref.bats.

Development aid only: the bats suite reads the files written here and needs
no Python.  Writes into tests/data/alloc_ref/ (or DIR):

  problems.csv  problem,channel,beta,theta,alpha,gamma,current,min,max
                (the --response columns plus a problem id; 200 problems of
                2-30 channels, values printed with 6 significant digits and
                every reference computed from the printed values)
  budgets.csv   problem,budget,channels,curves,bounds,slsqp,global,dual,
                certified,local
  globals.csv   problem,channel,x   (the recorded global allocation)
  mc_response.csv, mc_expected.csv   the analytic Monte Carlo case (see
                write_mc); mc_model.json, mc_model_expected.csv   the same
                curves as a model file with correlated coefficients

Objective: sum_c beta_c * hill(x_c / (1 - theta_c)), hill(a) = a^alpha /
(a^alpha + gamma^alpha), subject to sum_c x_c = budget, min_c <= x_c <= max_c.

slsqp     scipy.optimize.minimize(method="SLSQP") from the start the issue
          names: current scaled to the budget, clipped to the bounds; the
          variables scaled by the budget and the objective by sum(beta) so
          that its tolerances mean something; analytic gradient; ftol 1e-12.
          The objective is evaluated at its answer as returned.
global    the best of: a dynamic programme over a grid of 2000 budget steps
          across channels (max-plus convolution, exact on the grid), SLSQP
          started from the DP's answer, from the start, and from 40 random
          feasible points, then the best switched channel by channel
          (each S-curve on at its minimum moved up, each one above its
          minimum moved down, re-polished; see flips); every candidate
          projected onto the constraints
          (bounds, then the sum spread over the channels with room) before
          it is evaluated, so the recorded value is attained by a feasible
          allocation (globals.csv).
dual      the Lagrangian bound min_mu [mu B + sum_c max_x (f_c(x) - mu x)]:
          no allocation beats it.  certified = 1 when global is within 1e-9
          relative of it (always so for concave problems; for S-curves the
          duality gap can be real, and then DP + multistart is the evidence).
local     1 when slsqp < global by more than 1e-6 relative: SLSQP stopped at
          a local optimum (or short of one) and the tool must do strictly
          better there.

Usage: gen_alloc_ref.py [DIR]    (numpy, scipy from Debian's python3-*)
       gen_alloc_ref.py --verify [DIR]   re-solve the uncertified problems
       with a 4x finer grid and 5x the starts; prints any improvement
"""
import json
import math
import os
import sys
import warnings

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.stats import norm

SEED = 20261123
NPROB = 200
GRID = 2000
STARTS = 40


def g6(v):
    """The 6-significant-digit text of v, and the double it reads back as."""
    s = "%.6g" % v
    return s, float(s)


class Problem:
    def __init__(self, beta, theta, alpha, gamma, cur, lo, hi, budget):
        self.beta, self.theta, self.alpha, self.gamma = beta, theta, alpha, gamma
        self.cur, self.lo, self.hi, self.budget = cur, lo, hi, budget
        self.n = len(beta)

    def hill(self, x):
        a = np.maximum(x, 0.0) / (1.0 - self.theta)
        with np.errstate(divide="ignore", over="ignore"):
            r = np.where(a > 0, (self.gamma / np.where(a > 0, a, 1.0)) ** self.alpha, np.inf)
        return 1.0 / (1.0 + r)

    def f(self, x):
        return float(np.sum(self.beta * self.hill(x)))

    def grad(self, x):
        # d/dx beta h(x/(1-theta)) = beta alpha h (1 - h) / x; at x -> 0 the
        # limit is infinite for alpha < 1, so evaluate a hair above zero.
        xs = np.maximum(x, 1e-9 * self.budget)
        h = self.hill(xs)
        return self.beta * self.alpha * h * (1.0 - h) / xs

    def channel_values(self, c, x):
        a = x / (1.0 - self.theta[c])
        with np.errstate(divide="ignore", over="ignore"):
            r = np.where(a > 0, (self.gamma[c] / np.where(a > 0, a, 1.0)) ** self.alpha[c], np.inf)
        return self.beta[c] / (1.0 + r)

    def project(self, x):
        """Clip to the bounds, then move the sum onto the budget, spreading the
        difference over the channels that still have room (exactly feasible up
        to the last bits)."""
        x = np.clip(np.asarray(x, float), self.lo, self.hi)
        for _ in range(60):
            d = self.budget - x.sum()
            if abs(d) <= 1e-13 * self.budget:
                break
            room = (self.hi - x) if d > 0 else (x - self.lo)
            free = room > 0
            if not free.any():
                break
            step = np.zeros_like(x)
            step[free] = np.minimum(room[free], abs(d) / free.sum())
            x = np.clip(x + math.copysign(1.0, d) * step, self.lo, self.hi)
        return x


def slsqp(p, x0):
    B, F = p.budget, float(np.sum(p.beta))
    res = minimize(lambda y: -p.f(y * B) / F, x0 / B,
                   jac=lambda y: -p.grad(y * B) * B / F, method="SLSQP",
                   bounds=list(zip(p.lo / B, p.hi / B)),
                   constraints=[{"type": "eq", "fun": lambda y: np.sum(y) - 1.0,
                                 "jac": lambda y: np.ones_like(y)}],
                   options={"ftol": 1e-12, "maxiter": 1000})
    return res.x * B


def start_point(p):
    return np.clip(p.cur * p.budget / p.cur.sum(), p.lo, p.hi)


def dp(p, grid=GRID, rows=1000):
    """Max-plus convolution over `grid` steps of the spend above the minimums
    (rows of the grid at a time, to bound the memory)."""
    R = p.budget - p.lo.sum()
    if R <= 0:
        return p.lo.copy()
    h = R / grid
    V = np.full(grid + 1, -np.inf)
    V[0] = 0.0
    choice = []
    for c in range(p.n):
        m = min(grid, int(math.floor((p.hi[c] - p.lo[c]) / h * (1 + 1e-12))))
        g = p.channel_values(c, p.lo[c] + h * np.arange(m + 1))
        # W[k, j] = V[k - j] + g[j], V = -inf below 0: a strided view of V
        Vp = np.concatenate([np.full(m, -np.inf), V])
        win = np.lib.stride_tricks.sliding_window_view(Vp, m + 1)
        Vn = np.empty(grid + 1)
        j = np.empty(grid + 1, dtype=np.int64)
        for k0 in range(0, grid + 1, rows):
            W = win[k0:k0 + rows, ::-1] + g[None, :]
            jj = np.argmax(W, axis=1)
            j[k0:k0 + rows] = jj
            Vn[k0:k0 + rows] = W[np.arange(len(jj)), jj]
        V = Vn
        choice.append(j)
    kk = grid if np.isfinite(V[grid]) else int(np.max(np.nonzero(np.isfinite(V))[0]))
    x = np.empty(p.n)
    for c in range(p.n - 1, -1, -1):
        j = choice[c][kk]
        x[c] = p.lo[c] + h * j
        kk -= j
    return x


def channel_best(p, c, mu):
    """max over [lo, hi] of f_c(x) - mu x: a dense grid, then a bounded 1-D
    refinement around the best grid point."""
    lo, hi = p.lo[c], p.hi[c]
    xs = np.linspace(lo, hi, 2001)
    v = p.channel_values(c, xs) - mu * xs
    i = int(np.argmax(v))
    best = v[i]
    a, b = xs[max(i - 1, 0)], xs[min(i + 1, 2000)]
    if b > a:
        r = minimize_scalar(lambda t: -(float(p.channel_values(c, np.array(t))) - mu * t),
                            bounds=(a, b), method="bounded", options={"xatol": 1e-12 * max(hi, 1)})
        best = max(best, -r.fun)
    return best


def dual_bound(p):
    F = float(np.sum(p.beta))

    def D(lmu):
        mu = math.exp(lmu)
        return mu * p.budget + sum(channel_best(p, c, mu) for c in range(p.n))
    # mu spans the marginal returns of the problem; D is convex in mu.
    gmax = float(np.max(p.grad(np.maximum(p.lo, 1e-6 * p.budget)))) + F / p.budget
    lo, hi = math.log(1e-12 * F / p.budget), math.log(10 * gmax)
    ls = np.linspace(lo, hi, 60)
    vals = [D(t) for t in ls]
    i = int(np.argmin(vals))
    r = minimize_scalar(D, bounds=(ls[max(i - 1, 0)], ls[min(i + 1, 59)]), method="bounded",
                        options={"xatol": 1e-10})
    return min(r.fun, vals[i])


def make_problem(rng, pid):
    n = int(rng.integers(2, 31))
    curves = ["concave", "scurve", "mixed"][pid % 3]
    bounds = ["tight", "loose"][(pid // 3) % 2]
    rows = []
    for _ in range(n):
        cur = math.exp(rng.uniform(math.log(100), math.log(50000)))
        theta = 0.0 if rng.random() < 0.2 else rng.uniform(0, 0.7)
        s_curve = curves == "scurve" or (curves == "mixed" and rng.random() < 0.5)
        if s_curve:
            alpha = rng.uniform(1.2, 3.5)
        else:
            alpha = 1.0 if rng.random() < 0.15 else rng.uniform(0.3, 1.0)
        a_cur = cur / (1 - theta)
        # S-curves: often the current spend sits low on the convex part
        spread = (0.5, 6.0) if s_curve else (0.3, 4.0)
        gamma = a_cur * math.exp(rng.uniform(math.log(spread[0]), math.log(spread[1])))
        h_cur = 1 / (1 + (gamma / a_cur) ** alpha)
        roas = math.exp(rng.uniform(math.log(0.8), math.log(8)))
        beta = cur * roas / max(h_cur, 0.05)
        if bounds == "tight":
            lo, hi = cur * rng.uniform(0.6, 0.95), cur * rng.uniform(1.05, 1.6)
        else:
            lo = 0.0 if rng.random() < 0.5 else cur * rng.uniform(0, 0.3)
            hi = cur * rng.uniform(3, 10)
        rows.append([g6(beta), g6(theta), g6(alpha), g6(gamma), g6(cur), g6(lo), g6(hi)])
    col = lambda k: np.array([r[k][1] for r in rows])
    cur, lo, hi = col(4), col(5), col(6)
    B = cur.sum() * rng.uniform(0.6, 1.6)
    slo, shi = lo.sum(), hi.sum()
    B = min(max(B, slo + 0.02 * (shi - slo)), shi - 0.02 * (shi - slo))
    bs, B = g6(B)
    p = Problem(col(0), col(1), col(2), col(3), cur, lo, hi, B)
    return p, rows, bs, curves, bounds


def flips(p, x, fx):
    """Switch S-curve channels on and off: from the best allocation, move
    each S-shaped channel (alpha > 1) at its minimum to a quarter, half or
    all of its range, or one above its minimum down to it, re-polish with
    SLSQP, and keep any gain; repeat while something improves.  A grid step
    can be wider than a small channel's whole range, so the DP alone can
    miss a channel worth switching on."""
    for _ in range(5):
        better = False
        for c in np.nonzero(p.alpha > 1)[0]:
            if x[c] <= p.lo[c] + 1e-9 * p.budget:
                tries = [p.lo[c] + t * (p.hi[c] - p.lo[c]) for t in (0.25, 0.5, 1.0)]
            else:
                tries = [p.lo[c]]
            for v in tries:
                x0 = x.copy()
                x0[c] = v
                y = p.project(slsqp(p, p.project(x0)))
                fy = p.f(y)
                if fy > fx * (1 + 1e-13):
                    x, fx, better = y, fy, True
        if not better:
            break
    return x, fx


def solve(p, rng, grid=GRID, starts=STARTS):
    x_s = slsqp(p, start_point(p))
    f_s = p.f(x_s)
    cands = [p.project(x_s)]
    x_dp = dp(p, grid)
    cands += [p.project(x_dp), p.project(slsqp(p, p.project(x_dp)))]
    for _ in range(starts):
        w = rng.dirichlet(np.full(p.n, 0.5))
        x0 = p.project(p.lo + w * (p.budget - p.lo.sum()))
        cands.append(p.project(slsqp(p, x0)))
    vals = [p.f(x) for x in cands]
    i = int(np.argmax(vals))
    x, fx = flips(p, cands[i], vals[i])
    return f_s, x, fx


def write_mc(out):
    """The analytic Monte Carlo case.  With the curves fixed and the
    coefficients independent Gaussians b_c ~ N(beta_c, sd_c^2), the response
    sum_c b_c h_c(x_c) is Gaussian: mean sum beta_c h_c(x_c), sd
    sqrt(sum (sd_c h_c(x_c))^2) (a linear response in the coefficients,
    whatever the curves), p5/p95 = mean -/+ z_0.95 sd.  sd_c is 10% of
    beta_c, so the tool's clipping of b_c at 0 (a 1e-23 chance) changes
    nothing.  mc_response.csv is the --response file; mc_expected.csv the
    current plan and the scenarios +20%, -20%, +50% of every channel."""
    ch = [("search", 40000.0, 0.1, 0.8, 3000.0, 2500.0),
          ("social", 25000.0, 0.3, 2.2, 4000.0, 3500.0),
          ("tv", 60000.0, 0.6, 1.0, 9000.0, 6000.0)]
    with open(os.path.join(out, "mc_response.csv"), "w") as f:
        f.write("channel,beta,theta,alpha,gamma,current,min,max,beta_sd\n")
        for name, beta, theta, alpha, gamma, cur in ch:
            f.write("%s,%r,%r,%r,%r,%r,%r,%r,%r\n"
                    % (name, beta, theta, alpha, gamma, cur, cur / 2, cur * 2, beta / 10))
    z = norm.ppf(0.95)
    with open(os.path.join(out, "mc_expected.csv"), "w") as f:
        f.write("name,spend,mean,sd,p5,p95\n")
        for name, scale in (("current", 1.0), ("+20%", 1.2), ("-20%", 0.8), ("+50%", 1.5)):
            h = [1 / (1 + (g / (cur * scale / (1 - th))) ** al) for _, _, th, al, g, cur in ch]
            mean = sum(c[1] * hc for c, hc in zip(ch, h))
            sd = math.sqrt(sum((c[1] / 10 * hc) ** 2 for c, hc in zip(ch, h)))
            spend = sum(c[5] * scale for c in ch)
            f.write("%s,%r,%r,%r,%r,%r\n" % (name, spend, mean, sd, mean - z * sd, mean + z * sd))
    # The same curves as a minimal model file whose coefficients have a
    # correlated covariance (mmm.coef_cov): sd sqrt(h' S h).
    # Strong correlations, so that ignoring them (sd 4497 at the current
    # plan) or a wrong square root of S (L'L instead of LL': 4730) misses
    # the true 6251 by far more than the Monte Carlo error.
    sd = np.array([c[1] / 10 for c in ch])
    corr = np.array([[1.0, 0.5, 0.85], [0.5, 1.0, 0.3], [0.85, 0.3, 1.0]])
    assert np.all(np.linalg.eigvalsh(corr) > 0)
    S = corr * np.outer(sd, sd)
    model = {"format": "mmm-model", "format_version": 1, "kind": "mmm", "target": "revenue",
             "features": [], "coefficients": {},
             "mmm": {"media": [c[0] for c in ch],
                     "channels": {name: {"saturation": {"kind": "hill", "alpha": alpha, "gamma": gamma},
                                         "coef": beta, "carry": 1 / (1 - theta), "recent_spend": cur}
                                  for name, beta, theta, alpha, gamma, cur in ch},
                     "coef_cov": {"channels": [c[0] for c in ch], "matrix": S.tolist()}}}
    with open(os.path.join(out, "mc_model.json"), "w") as f:
        json.dump(model, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "mc_model_expected.csv"), "w") as f:
        f.write("name,spend,mean,sd,p5,p95\n")
        for name, scale in (("current", 1.0), ("+20%", 1.2), ("-20%", 0.8), ("+50%", 1.5)):
            h = np.array([1 / (1 + (g / (cur * scale / (1 - th))) ** al) for _, _, th, al, g, cur in ch])
            b = np.array([c[1] for c in ch])
            mean, sdv = float(b @ h), math.sqrt(float(h @ S @ h))
            spend = sum(c[5] * scale for c in ch)
            f.write("%s,%r,%r,%r,%r,%r\n" % (name, spend, mean, sdv, mean - z * sdv, mean + z * sdv))


def verify(out):
    """Re-solve the problems the dual bound does not certify with a 4x finer
    grid and 5x the random starts; print any improvement on the record."""
    import csv
    prob = {}
    for r in csv.DictReader(open(os.path.join(out, "problems.csv"))):
        prob.setdefault(r["problem"], []).append(r)
    rng = np.random.default_rng(SEED + 2)
    worst = 0.0
    for b in csv.DictReader(open(os.path.join(out, "budgets.csv"))):
        if b["certified"] == "1":
            continue
        rows = prob[b["problem"]]
        col = lambda k: np.array([float(r[k]) for r in rows])
        p = Problem(col("beta"), col("theta"), col("alpha"), col("gamma"), col("current"),
                    col("min"), col("max"), float(b["budget"]))
        _, _, f = solve(p, rng, 4 * GRID, 5 * STARTS)
        d = (f - float(b["global"])) / float(b["global"])
        worst = max(worst, d)
        print("problem %s: recorded %s, harder search %r (rel %+.3g)" % (b["problem"], b["global"], f, d),
              file=sys.stderr)
    print("largest improvement on a recorded global: %.3g relative" % worst, file=sys.stderr)


def main():
    if sys.argv[1:2] == ["--verify"]:
        warnings.filterwarnings("ignore", message="Values in x were outside bounds")
        return verify(sys.argv[2] if len(sys.argv) > 2 else
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "alloc_ref"))
    # SLSQP clips its own steps to the bounds and says so every time
    warnings.filterwarnings("ignore", message="Values in x were outside bounds")
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "alloc_ref")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    srng = np.random.default_rng(SEED + 1)
    pf = open(os.path.join(out, "problems.csv"), "w")
    bf = open(os.path.join(out, "budgets.csv"), "w")
    gf = open(os.path.join(out, "globals.csv"), "w")
    pf.write("problem,channel,beta,theta,alpha,gamma,current,min,max\n")
    bf.write("problem,budget,channels,curves,bounds,slsqp,global,dual,certified,local\n")
    gf.write("problem,channel,x\n")
    nloc = ncert = 0
    for pid in range(1, NPROB + 1):
        p, rows, bs, curves, bounds = make_problem(rng, pid)
        f_s, x_g, f_g = solve(p, srng)
        dual = dual_bound(p)
        if f_g > dual * (1 + 1e-9):
            sys.exit("problem %d: primal %r above the dual bound %r" % (pid, f_g, dual))
        cert = int(f_g >= dual * (1 - 1e-9))
        loc = int(f_s < f_g * (1 - 1e-6))
        nloc += loc
        ncert += cert
        for c, r in enumerate(rows):
            pf.write("%d,ch%02d,%s\n" % (pid, c + 1, ",".join(t[0] for t in r)))
            gf.write("%d,ch%02d,%.12g\n" % (pid, c + 1, x_g[c]))
        bf.write("%d,%s,%d,%s,%s,%r,%r,%r,%d,%d\n" % (pid, bs, p.n, curves, bounds, f_s, f_g, dual, cert, loc))
        print("problem %3d n=%2d %-7s %-5s slsqp %.10g global %.10g dual %.10g%s%s"
              % (pid, p.n, curves, bounds, f_s, f_g, dual, " LOCAL" if loc else "",
                 "" if cert else " (gap)"), file=sys.stderr)
    for f in (pf, bf, gf):
        f.close()
    write_mc(out)
    print("%d problems, %d where SLSQP stops at a local optimum, %d certified by the dual bound"
          % (NPROB, nloc, ncert), file=sys.stderr)


if __name__ == "__main__":
    main()
