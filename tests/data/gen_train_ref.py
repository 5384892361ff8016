#!/usr/bin/python3
"""Reference values of tests/mmm-train.bats for --valid and for the
Bayesian predictive sd through mmm-predict (printed; the tests record them).

Data: /work/shared/data/pymc-marketing-mmm-example/mmm_example.csv (179
weekly rows).  Train on its first 140 rows, validate on the other 39.
statsmodels 0.13.5, scikit-learn 1.2.1, numpy 1.24.2, pandas 1.5.3.

Usage: /usr/bin/python3 tests/data/gen_train_ref.py [DATA_DIR]
"""
import sys

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import BayesianRidge
from sklearn.metrics import (mean_absolute_error,
                             mean_absolute_percentage_error, r2_score)

data = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
df = pd.read_csv(f"{data}/pymc-marketing-mmm-example/mmm_example.csv")
tr, va = df.iloc[:140], df.iloc[140:]


def metrics(y, yhat, base):
    """The metrics of mmm-train: lift against the training mean base."""
    y, yhat = np.asarray(y), np.asarray(yhat)
    e = y - yhat
    rmse = np.sqrt(np.mean(e ** 2))
    return {
        "r2": r2_score(y, yhat),
        "mape": mean_absolute_percentage_error(y, yhat),
        "smape": np.mean(2 * np.abs(e) / (np.abs(y) + np.abs(yhat))),
        "rmse": rmse,
        "nrmse": rmse / (y.max() - y.min()),
        "mae": mean_absolute_error(y, yhat),
        "lift": 1 - np.mean(e ** 2) / np.mean((y - base) ** 2),
    }


def show(title, m):
    print(title)
    for k, v in m.items():
        print(f"  {k} {float(v)!r}")


# OLS on x1, x2, t.
cols = ["x1", "x2", "t"]
ols = sm.OLS(tr.y, sm.add_constant(tr[cols])).fit()
yhat = ols.predict(sm.add_constant(va[cols], has_constant="add"))
show("ols x1,x2,t valid", metrics(va.y, yhat, tr.y.mean()))

# BayesianRidge() on every numeric column but y.
cols = ["x1", "x2", "event_1", "event_2", "dayofyear", "t"]
br = BayesianRidge().fit(tr[cols], tr.y)
show("bayes valid", metrics(va.y, br.predict(va[cols]), tr.y.mean()))
mean, sd = br.predict(va[cols].iloc[:3], return_std=True)
print("bayes predictive mean and sd of the first 3 valid rows")
for m, s in zip(mean, sd):
    print(f"  {float(m)!r} {float(s)!r}")
