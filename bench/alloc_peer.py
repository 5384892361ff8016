#!/usr/bin/python3
"""alloc_peer.py: the Python peer of mmm-allocate for bench/run.sh: the same
work as the tool, as a whole process, in numpy + scipy.

    alloc_peer.py response FILE BUDGET OUT
        max-response: read a --response CSV (channel,beta,theta,alpha,gamma,
        current[,min,max]; without min/max the bounds are 0 and none, as
        mmm-allocate --unbounded), maximise sum beta hill(x/(1-theta)) with
        scipy.optimize.minimize(method="SLSQP") from current scaled to the
        budget (clipped to the bounds), equality sum = budget, the bounds;
        write the allocation as JSON (per channel current, recommended,
        change %, contribution, ROAS, marginal ROAS; totals)
    alloc_peer.py simulate MODEL SCENARIOS DRAWS SEED OUT
        Monte Carlo over an mmm model file: each channel's steady-state
        response coef * sat(carry * x) (mmm.channels: hill, logistic,
        michaelis or none), coefficients ~ N(coef, mmm.coef_cov) clipped at
        0, DRAWS draws, the current plan (recent_spend) and each scenario of
        SCENARIOS ("+20%,-20%,+50%": every channel's spend scaled); write
        spend, revenue mean, p5, p95, ROAS and marginal ROAS against the
        current plan as JSON.  mmm-allocate --simulate also solves the
        allocation in the same run; this peer only simulates.
"""
import csv
import json
import sys


def read_response(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def curves(rows):
    import numpy as np
    col = lambda k: np.array([float(r[k]) for r in rows])
    return col("beta"), col("theta"), col("alpha"), col("gamma"), col("current")


def hill(np, x, theta, alpha, gamma):
    a = np.maximum(x, 1e-300) / (1 - theta)
    with np.errstate(over="ignore"):	# (gamma / a)^alpha = inf: hill 0
        return 1 / (1 + (gamma / a) ** alpha)


def response(path, budget, out):
    import warnings
    import numpy as np
    from scipy.optimize import minimize
    # SLSQP clips its own steps to the bounds and says so every time
    warnings.filterwarnings("ignore", message="Values in x were outside bounds")
    rows = read_response(path)
    beta, theta, alpha, gamma, cur = curves(rows)
    lo = np.array([float(r.get("min") or 0) for r in rows])
    hi = np.array([float(r.get("max") or np.inf) for r in rows])
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
                   bounds=[(a, b if np.isfinite(b) else None) for a, b in zip(lo / B, hi / B)],
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


def saturation(np, sat, x):
    kind = sat["kind"]
    if kind == "hill":
        with np.errstate(over="ignore"):
            return 1 / (1 + (sat["gamma"] / np.maximum(x, 1e-300)) ** sat["alpha"])
    if kind == "logistic":
        e = np.exp(-sat["lambda"] * x)
        return (1 - e) / (1 + e)
    if kind == "michaelis":
        return sat["vmax"] * x / (sat["k"] + x)
    if kind == "none":
        return x
    sys.exit("alloc_peer.py: saturation %r is not known" % kind)


def simulate(path, scenarios, draws, seed, out):
    import numpy as np
    with open(path) as f:
        mmm = json.load(f)["mmm"]
    media = mmm["media"]
    ch = [mmm["channels"][m] for m in media]
    coef = np.array([c["coef"] for c in ch])
    carry = np.array([c["carry"] for c in ch])
    cur = np.array([c["recent_spend"] for c in ch])
    cov = mmm.get("coef_cov")
    if not cov:
        sys.exit("alloc_peer.py: %s has no mmm.coef_cov" % path)
    idx = [media.index(m) for m in cov["channels"]]
    S = np.zeros((len(media), len(media)))
    S[np.ix_(idx, idx)] = np.array(cov["matrix"])
    rng = np.random.default_rng(seed)
    b = np.maximum(rng.multivariate_normal(coef, S, size=draws, method="eigh"), 0)
    names = ["current"] + [s.strip() for s in scenarios.split(",")]
    scale = [1.0] + [1 + float(s.rstrip("%")) / 100 for s in names[1:]]
    base_rev = base_spend = None
    res = []
    for name, s in zip(names, scale):
        x = cur * s
        h = np.array([saturation(np, c["saturation"], carry[i] * x[i]) for i, c in enumerate(ch)])
        rev = b @ h
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
    if a[:1] == ["response"] and len(a) == 4:
        response(a[1], float(a[2]), a[3])
    elif a[:1] == ["simulate"] and len(a) == 6:
        simulate(a[1], a[2], int(a[3]), int(a[4]), a[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
