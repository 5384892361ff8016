#!/usr/bin/python3
"""Reference values of tests/mmm-train-stream.bats (printed; the test
records them): OLS and BayesianRidge on an ill-conditioned design whose
centred, unit-norm condition number is between 1e3 and 1e6, the range
mmm-train factors by CholeskyQR2 over row blocks.  The OLS coefficients
and standard errors are exact (rational arithmetic on the printed
decimals, then rounded); statsmodels' are printed beside them.

The data are integer arithmetic only, so that the test's awk writes the
same text:  for i = 1..30000
    a = (i * 7919 % 10007) / 10007
    b = (i * 104729 % 10009) / 10009 * 10
    c = a + (i * 31337 % 10037) / 10037 * 0.0001
    y = 1 + 2 a - b / 3 + c + ((i * 7 % 101) / 101 - 0.5)
printed as date,y,a,b,c with %.9f.
statsmodels 0.13.5, scikit-learn 1.2.1, numpy 1.24.2, pandas 1.5.3.

Usage: /usr/bin/python3 tests/data/gen_stream_ref.py [OUT.csv]
"""
import io
import math
import sys
from fractions import Fraction

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.stats.stattools as st
from sklearn.linear_model import BayesianRidge

lines = ["date,y,a,b,c"]
for i in range(1, 30001):
    a = (i * 7919 % 10007) / 10007
    b = (i * 104729 % 10009) / 10009 * 10
    c = a + (i * 31337 % 10037) / 10037 * 0.0001
    y = 1 + 2 * a - b / 3 + c + ((i * 7 % 101) / 101 - 0.5)
    lines.append("2024-01-01,%.9f,%.9f,%.9f,%.9f" % (y, a, b, c))
text = "\n".join(lines) + "\n"
if len(sys.argv) > 1:
    with open(sys.argv[1], "w") as f:
        f.write(text)
df = pd.read_csv(io.StringIO(text))
X, y = df[["a", "b", "c"]].to_numpy(), df["y"].to_numpy()
xc = X - X.mean(0)
xn = xc / np.sqrt((xc ** 2).sum(0))
sv = np.linalg.svd(xn, compute_uv=False)
print("# unit-norm condition number", sv[0] / sv[-1])
r = sm.OLS(y, sm.add_constant(X)).fit()
for k, name in enumerate(["intercept", "a", "b", "c"]):
    print("ols coef", name, repr(r.params[k]), "se", repr(r.bse[k]))
print("ols r2", repr(r.rsquared), "aic", repr(r.aic))
print("ols dw", repr(st.durbin_watson(r.resid)))
jb = st.jarque_bera(r.resid)
print("ols jb", repr(jb[0]), "p", repr(jb[1]))

# Exact least squares: the normal equations in rationals, by Gauss-Jordan.
rows = [[Fraction(v) for v in ln.split(",")[1:]] for ln in lines[1:]]
k, n = 4, len(rows)
xs = [[Fraction(1)] + r[1:] for r in rows]
ys = [r[0] for r in rows]
aug = [[sum(x[i] * x[j] for x in xs) for j in range(k)] +
       [sum(x[i] * v for x, v in zip(xs, ys))] +
       [Fraction(int(i == j)) for j in range(k)] for i in range(k)]
for c in range(k):
    piv = aug[c][c]
    aug[c] = [v / piv for v in aug[c]]
    for r in range(k):
        if r != c:
            f = aug[r][c]
            aug[r] = [u - f * v for u, v in zip(aug[r], aug[c])]
beta = [aug[i][k] for i in range(k)]
ssr = sum(v * v for v in ys) - sum(
    b * sum(x[i] * v for x, v in zip(xs, ys)) for i, b in enumerate(beta))
s2 = ssr / (n - k)
for i, name in enumerate(["intercept", "a", "b", "c"]):
    print("exact coef", name, repr(float(beta[i])), "se",
          repr(math.sqrt(float(s2 * aug[i][k + 1 + i]))))
m = BayesianRidge().fit(X, y)
print("bayes coef", " ".join(repr(v) for v in m.coef_))
print("bayes intercept", repr(m.intercept_), "alpha", repr(m.alpha_),
      "lambda", repr(m.lambda_))
