import sys, json, numpy as np, pandas as pd
from scipy.stats import median_abs_deviation
f, rep = sys.argv[1], sys.argv[2]
df = pd.read_csv(f, keep_default_na=False, na_values=['', 'NA','na','NaN','nan','null','NULL','Null'])
r = json.load(open(rep))
bad = 0
for c in r['columns']:
    if c['type'] != 'numeric': continue
    x = df[c['name'] or 'Unnamed: 0'].dropna().to_numpy(float)
    med = np.median(x); mad = median_abs_deviation(x)
    s = 1.482602218505602*mad
    if s == 0: s = 1.2533141373155003*np.mean(np.abs(x-med))
    out = 0 if len(np.unique(x)) < 3 or s == 0 else int(np.sum(np.abs(x-med) > 5*s))
    ok = (abs(c['mean']-x.mean()) <= 1e-12*abs(x.mean())+1e-300 and c['median']==med and abs(c['mad']-mad)<=1e-12*abs(mad) and c['outliers']==out
          and abs(c['sd']-x.std(ddof=1)) <= 1e-12*x.std(ddof=1) and c['min']==x.min() and c['max']==x.max())
    if not ok:
        bad += 1; print('MISMATCH', c['name'], c['mean'], x.mean(), c['median'], med, c['mad'], mad, c['outliers'], out, c['sd'], x.std(ddof=1))
print(f.split('/')[-1], 'numeric columns', sum(c['type']=='numeric' for c in r['columns']), 'mismatches', bad)
