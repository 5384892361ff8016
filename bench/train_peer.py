#!/usr/bin/python3
"""train_peer.py: the whole-process Python peer of `mmm-train` in bench/run.sh.
    train_peer.py --model ols|bayes --target COL --features A,B,... CSV OUT
Reads CSV with pandas (the used columns only, as mmm-train keeps only
those), fits
  ols    sm.OLS(y, sm.add_constant(X)).fit() and the statistics mmm-train
         writes (params, bse, tvalues, pvalues, conf_int, rsquared(_adj),
         fvalue, f_pvalue, llf, aic, bic, durbin_watson, jarque_bera,
         condition_number, cov_params) -- VIF left out (mmm-train has it)
  bayes  BayesianRidge().fit(X, y) (its sigma_ is the covariance)
then the training metrics (R2, MAPE, RMSE, MAE, lift) and writes the
coefficients and statistics as JSON to OUT: the same work as one mmm-train
run, minus the profile and the hash of the input.
"""
import argparse
import json
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=("ols", "bayes"), required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("csv")
    ap.add_argument("out")
    a = ap.parse_args()
    feats = a.features.split(",")
    df = pd.read_csv(a.csv, usecols=feats + [a.target])
    X, y = df[feats].to_numpy(float), df[a.target].to_numpy(float)
    doc = {"kind": a.model, "features": feats}
    if a.model == "ols":
        import statsmodels.api as sm
        from statsmodels.stats.stattools import durbin_watson, jarque_bera
        res = sm.OLS(y, sm.add_constant(X)).fit()
        jb, jb_p, skew, kurt = jarque_bera(res.resid)
        doc["coefficients"] = res.params.tolist()
        doc["statistics"] = {
            "se": res.bse.tolist(), "t": res.tvalues.tolist(),
            "p": res.pvalues.tolist(), "ci": res.conf_int(0.05).tolist(),
            "r2": res.rsquared, "r2_adj": res.rsquared_adj,
            "f": res.fvalue, "f_p": res.f_pvalue, "llf": res.llf,
            "aic": res.aic, "bic": res.bic,
            "dw": durbin_watson(res.resid), "jb": jb, "jb_p": jb_p,
            "skew": skew, "kurtosis": kurt, "cond": res.condition_number}
        doc["covariance"] = res.cov_params().tolist()
        yhat = res.fittedvalues
    else:
        from sklearn.linear_model import BayesianRidge
        br = BayesianRidge().fit(X, y)
        doc["coefficients"] = [br.intercept_] + br.coef_.tolist()
        doc["statistics"] = {"alpha": br.alpha_, "lambda": br.lambda_}
        doc["covariance"] = br.sigma_.tolist()
        yhat = br.predict(X)
    e = y - yhat
    nz = y != 0
    doc["metrics"] = {
        "r2": 1 - np.sum(e ** 2) / np.sum((y - y.mean()) ** 2),
        "mape": float(np.mean(np.abs(e[nz]) / np.abs(y[nz]))),
        "rmse": float(np.sqrt(np.mean(e ** 2))),
        "mae": float(np.mean(np.abs(e))),
        "lift": 1 - np.mean(e ** 2) / np.mean((y - y.mean()) ** 2)}
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=2, default=float)


if __name__ == "__main__":
    main()
