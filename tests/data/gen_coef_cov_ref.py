#!/usr/bin/python3
"""gen_coef_cov_ref.py MODEL.json DATA.csv > coef_cov_ref.txt

The reference for mmm.coef_cov: the marketing-mix model's design rebuilt
with numpy from the model's transforms (geometric adstock, Hill on the
adstocked spend), the trend, the Fourier pairs and the controls, every
column standardised (population sd), the media held at 0 left out; the
ridge coefficients solved again (checking lambda's meaning against the
model's), then sigma^2 P^-1 G P^-1, sigma^2 = RSS / (n - 1 - tr(P^-1 G)),
back on the coefficients' scale.  Prints the coefficients and the matrix,
one row per line, %.17g.  Debian python3-numpy; run once, output committed.
"""
import csv, datetime, json, sys
import numpy as np

model = json.load(open(sys.argv[1]))
mmm = model["mmm"]
rows = list(csv.DictReader(open(sys.argv[2])))
date_col = model["options"]["date"]
day = np.array([(datetime.date.fromisoformat(r[date_col]) - datetime.date(1970, 1, 1)).days
                for r in rows], float)
n = len(rows)
cols, names = [], []
for ch in mmm["media"]:
    c = mmm["channels"][ch]
    x = np.array([float(r[ch]) for r in rows])
    th = c["adstock"]["theta"]
    a = np.zeros(n)
    prev = 0.0
    for i in range(n):
        prev = x[i] + th * prev
        a[i] = prev
    al, g = c["saturation"]["alpha"], c["saturation"]["gamma"]
    cols.append(a ** al / (a ** al + g ** al))
    names.append(ch)
k = len(cols)
if mmm["baseline"]["trend"] is not None:
    cols.append((day - day[0]) / (day[-1] - day[0]))
    names.append("trend")
for f in range(1, mmm["baseline"]["fourier"] + 1):
    ang = 2 * np.pi * f * day / mmm["baseline"]["year_days"]
    cols += [np.sin(ang), np.cos(ang)]
    names += ["sin%d" % f, "cos%d" % f]
for c in mmm["baseline"]["controls"]:
    cols.append(np.array([float(r[c]) for r in rows]))
    names.append(c)
X = np.column_stack(cols)
y = np.array([float(r[model["target"]]) for r in rows])
coef = np.array([model["coefficients"][nm] for nm in names])
lam = mmm["fit"]["lambda"]
keep = [j for j in range(X.shape[1]) if j >= k or coef[j] > 0]
Z = X[:, keep]
mu, sd = Z.mean(0), Z.std(0)
Zs = (Z - mu) / sd
G = Zs.T @ Zs
Pinv = np.linalg.inv(G + lam * np.eye(len(keep)))
beta = Pinv @ Zs.T @ (y - y.mean())
# The model's coefficients are the same ridge (free channels, lambda).
assert np.allclose(beta / sd, coef[keep], rtol=1e-7), (beta / sd, coef[keep])
fit = model["coefficients"]["intercept"] + X @ coef
rss = np.sum((y - fit) ** 2)
edf = np.trace(Pinv @ G)
cov_s = rss / (n - 1 - edf) * Pinv @ G @ Pinv
cov = np.zeros((k, k))
for a_, ja in enumerate(keep):
    for b_, jb in enumerate(keep):
        if ja < k and jb < k:
            cov[ja, jb] = cov_s[a_, b_] / (sd[a_] * sd[b_])
for row in cov:
    print(" ".join("%.17g" % v for v in row))
