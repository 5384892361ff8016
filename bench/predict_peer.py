#!/usr/bin/python3
"""predict_peer.py: the Python peer of mmm-predict on a linear model file.

    predict_peer.py MODEL.json INPUT.csv OUTPUT.csv [--interval P]

Reads INPUT with pandas.read_csv, predicts as statsmodels' and
scikit-learn's predict do for a linear model, X @ coef + intercept (numpy),
and writes the date column (the model's options.date, else "date", when the
input has it) and "prediction" with DataFrame.to_csv: what `mmm-predict
--model MODEL.json INPUT.csv` writes.  With --interval P (an OLS model) it
adds lower and upper, statsmodels' obs_ci_lower/upper at level P:
yhat -+ t(df_resid, (1+P)/2) sqrt(sigma^2 + x' C x) over the saved
covariance C, as `mmm-predict --interval P`.
"""
import json
import sys

import numpy as np
import pandas as pd


def main(argv):
    interval = None
    if len(argv) == 6 and argv[4] == "--interval":
        interval = float(argv[5])
    elif len(argv) != 4:
        sys.stderr.write(__doc__)
        return 64
    with open(argv[1]) as f:
        m = json.load(f)
    feats = m["features"]
    coefs = m["coefficients"]
    coef = np.array([coefs[k] for k in feats], dtype=float)
    icpt = coefs.get("intercept", 0.0)

    df = pd.read_csv(argv[2])
    X = df[feats].to_numpy(dtype=float)
    yhat = X @ coef + icpt

    date = (m.get("options") or {}).get("date") or "date"
    out = pd.DataFrame({date: df[date]}) if date in df.columns else pd.DataFrame()
    out["prediction"] = yhat
    if interval is not None:
        from scipy import stats
        cov = m["covariance"]
        names = cov["names"]
        C = np.array(cov["matrix"], dtype=float)
        if "intercept" in names:
            X = np.column_stack([np.ones(len(X)), X])
        q = stats.t.ppf((1 + interval) / 2, cov["df_resid"])
        h = q * np.sqrt(cov["sigma"] ** 2 + np.einsum("ij,jk,ik->i", X, C, X))
        out["lower"] = yhat - h
        out["upper"] = yhat + h
    out.to_csv(argv[3], index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
