#!/usr/bin/python3
"""alloc_peer.py: the Python peer of mmm-allocate for bench/run.sh: the same
work as the tool, as a whole process, in numpy + scipy.

    alloc_peer.py make-response N FILE
        write a deterministic N-channel --response CSV (channel,beta,theta,
        alpha,gamma,current,min,max,beta_sd; concave and S-shaped Hill
        curves, bounds 0.5x and 2x current, beta_sd 10% of beta); standard
        library only, not timed
    alloc_peer.py response FILE BUDGET OUT
        max-response: read the CSV, maximise sum beta hill(x/(1-theta)) with
        scipy.optimize.minimize(method="SLSQP") from current scaled to the
        budget (clipped to the bounds), equality sum = budget, the bounds;
        write the allocation as JSON (per channel current, recommended,
        change %, contribution, ROAS, marginal ROAS; totals)
    alloc_peer.py simulate FILE SCENARIOS DRAWS SEED OUT
        Monte Carlo: revenue under Gaussian coefficient uncertainty, beta_c ~
        N(beta_c, beta_sd_c^2) independent (the CSV's beta_sd column, as
        mmm-allocate reads it; 10% of beta when absent), clipped at 0, DRAWS
        draws, for the current plan and each scenario of SCENARIOS
        ("+20%,-20%,+50%": every channel's current spend scaled); write
        spend, revenue mean, p5, p95, ROAS, marginal ROAS against the
        current plan as JSON
"""
import csv
import json
import math
import random
import sys


def read_response(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def make_response(n, path):
    rng = random.Random(20261123)
    with open(path, "w") as f:
        f.write("channel,beta,theta,alpha,gamma,current,min,max,beta_sd\n")
        for c in range(n):
            cur = math.exp(rng.uniform(math.log(500), math.log(20000)))
            theta = rng.uniform(0, 0.6)
            alpha = rng.uniform(0.4, 1.0) if c % 2 == 0 else rng.uniform(1.2, 3.0)
            gamma = cur / (1 - theta) * math.exp(rng.uniform(math.log(0.5), math.log(3)))
            h = 1 / (1 + (gamma * (1 - theta) / cur) ** alpha)
            beta = cur * math.exp(rng.uniform(0, math.log(6))) / max(h, 0.05)
            f.write("ch%02d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n"
                    % (c + 1, beta, theta, alpha, gamma, cur, 0.5 * cur, 2 * cur, 0.1 * beta))


def curves(rows):
    import numpy as np
    col = lambda k: np.array([float(r[k]) for r in rows])
    return col("beta"), col("theta"), col("alpha"), col("gamma"), col("current")


def hill(np, x, theta, alpha, gamma):
    a = np.maximum(x, 1e-300) / (1 - theta)
    return 1 / (1 + (gamma / a) ** alpha)


def response(path, budget, out):
    import warnings
    import numpy as np
    from scipy.optimize import minimize
    # SLSQP clips its own steps to the bounds and says so every time
    warnings.filterwarnings("ignore", message="Values in x were outside bounds")
    rows = read_response(path)
    beta, theta, alpha, gamma, cur = curves(rows)
    lo = np.array([float(r["min"]) for r in rows])
    hi = np.array([float(r["max"]) for r in rows])
    B, F = budget, float(beta.sum())

    def f(x):
        return beta * hill(np, x, theta, alpha, gamma)

    def grad(x):
        xs = np.maximum(x, 1e-9 * B)
        h = hill(np, xs, theta, alpha, gamma)
        return beta * alpha * h * (1 - h) / xs

    x0 = np.clip(cur * B / cur.sum(), lo, hi)
    res = minimize(lambda y: -f(y * B).sum() / F, x0 / B,
                   jac=lambda y: -grad(y * B) * B / F, method="SLSQP",
                   bounds=list(zip(lo / B, hi / B)),
                   constraints=[{"type": "eq", "fun": lambda y: y.sum() - 1,
                                 "jac": lambda y: np.ones_like(y)}],
                   options={"ftol": 1e-12, "maxiter": 1000})
    x = res.x * B
    fc, fx, gx = f(cur), f(x), grad(x)
    doc = {"mode": "max-response", "budget": B, "feasible": bool(res.success),
           "reason": None if res.success else res.message,
           "channels": [{"channel": r["channel"], "current": cur[i], "recommended": x[i],
                         "change_pct": 100 * (x[i] / cur[i] - 1), "min": lo[i], "max": hi[i],
                         "contribution_current": fc[i], "contribution": fx[i],
                         "roas": fx[i] / x[i] if x[i] > 0 else None, "mroas": gx[i]}
                        for i, r in enumerate(rows)],
           "totals": {"current_spend": cur.sum(), "recommended_spend": x.sum(),
                      "response_current": fc.sum(), "response": fx.sum(),
                      "lift_pct": 100 * (fx.sum() / fc.sum() - 1)}}
    write_json(doc, out)


def simulate(path, scenarios, draws, seed, out):
    import numpy as np
    rows = read_response(path)
    beta, theta, alpha, gamma, cur = curves(rows)
    sd = np.array([float(r["beta_sd"]) if r.get("beta_sd") else 0.1 * float(r["beta"]) for r in rows])
    rng = np.random.default_rng(seed)
    b = np.maximum(rng.normal(beta, sd, size=(draws, len(rows))), 0)
    names = ["current"] + [s.strip() for s in scenarios.split(",")]
    scale = [1.0] + [1 + float(s.strip().rstrip("%")) / 100 for s in names[1:]]
    base_rev = base_spend = None
    res = []
    for name, s in zip(names, scale):
        x = cur * s
        rev = b @ hill(np, x, theta, alpha, gamma)
        spend = float(x.sum())
        p5, p95 = np.percentile(rev, [5, 95])
        mean = float(rev.mean())
        if base_rev is None:
            base_rev, base_spend = mean, spend
        mroas = (mean - base_rev) / (spend - base_spend) if spend != base_spend else None
        res.append({"name": name, "spend": spend, "revenue_mean": mean,
                    "revenue_p5": float(p5), "revenue_p95": float(p95),
                    "roas": mean / spend, "mroas": mroas})
    write_json({"draws": draws, "seed": seed, "scenarios": res}, out)


def write_json(doc, out):
    def num(v):
        return float(v) if hasattr(v, "dtype") else v
    text = json.dumps(doc, indent=2, default=num)
    with open(out, "w") as f:
        f.write(text + "\n")


def main():
    a = sys.argv[1:]
    if a[:1] == ["make-response"] and len(a) == 3:
        make_response(int(a[1]), a[2])
    elif a[:1] == ["response"] and len(a) == 4:
        response(a[1], float(a[2]), a[3])
    elif a[:1] == ["simulate"] and len(a) == 6:
        simulate(a[1], a[2], int(a[3]), int(a[4]), a[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
