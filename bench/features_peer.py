"""The pandas peer of the mmm-features bench case: the same ten new columns
(per geo: lags 1 and 7 of sales, trailing 7-row mean and sd, a 1-row
difference, geometric adstock of two spends (Robyn's recursion, by
scipy.signal.lfilter), Hill of the first adstock, day of week and month),
read and written as CSV.  Args: IN OUT."""
import sys

import numpy as np
import pandas as pd
from scipy.signal import lfilter

src, dst = sys.argv[1], sys.argv[2]
df = pd.read_csv(src)
g = df.groupby("geo", sort=False)["sales"]
df["sales_lag1"] = g.shift(1)
df["sales_lag7"] = g.shift(7)
df["sales_roll_mean7"] = g.transform(lambda s: s.rolling(7).mean())
df["sales_roll_std7"] = g.transform(lambda s: s.rolling(7).std())
df["sales_diff1"] = g.diff(1)
for col, theta in (("tv_spend", 0.5), ("search_spend", 0.3)):
    df[col + "_adstock"] = df.groupby("geo", sort=False)[col].transform(
        lambda s: lfilter([1.0], [1.0, -theta], s.to_numpy()))
a = df["tv_spend_adstock"].to_numpy()
df["tv_spend_adstock_hill"] = a ** 2 / (a ** 2 + 1000.0 ** 2)
d = pd.to_datetime(df["date"])
df["dow"] = d.dt.dayofweek
df["month"] = d.dt.month
df.to_csv(dst, index=False)
