/* mmmbayes.c: the Bayesian marketing-mix model — log density and gradient,
 * chains in threads, original-scale draws, diagnostics (see mmmbayes.h;
 * the summaries and the model file's members are mmmbayes_write.c's). */
#include <fnmatch.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mcdiag.h"
#include "mmmbayes.h"
#include "nuts.h"
#include "rng.h"
#include "vmath.h"

const char *const mmm_bayes_qnames[BQ_N] = { "theta", "alpha", "gamma",
	"gamma_fraction", "coef", "roi", "contribution", "carry", "peak" };

/* "CH=lognormal:MU:SIGMA,..." (CH a name or glob) into mu, sd (k, NaN
 * where none). */
static int
parse_roi(const mmm_problem *p, const char *spec, double *mu, double *sd,
    char *err, size_t errsz)
{
	for (size_t c = 0; c < p->k; c++)
		mu[c] = sd[c] = NAN;
	for (const char *s = spec; s && *s;) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char item[256], *eq, *end;
		snprintf(item, sizeof item, "%.*s", (int)len, s);
		s = e ? e + 1 : NULL;
		if (!(eq = strchr(item, '=')) || strncmp(eq + 1, "lognormal:",
		    10) != 0)
			return err_fail(err, errsz, NULL, 0, "--roi-prior: \"%s\" "
			    "is not CHANNEL=lognormal:MU:SIGMA", item);
		*eq = '\0';
		char *a = eq + 11, *colon = strchr(a, ':');
		if (!colon)
			return err_fail(err, errsz, NULL, 0, "--roi-prior: \"%s\" "
			    "lacks :SIGMA", a);
		*colon = '\0';
		double m = strtod(a, &end);
		int bad = *end || end == a;
		double v = strtod(colon + 1, &end);
		bad |= *end || end == colon + 1;
		if (bad || !isfinite(m) || !(v > 0) || !isfinite(v))
			return err_fail(err, errsz, NULL, 0, "--roi-prior: %s: MU "
			    "must be a number and SIGMA > 0", item);
		int hit = 0;
		for (size_t c = 0; c < p->k; c++)
			if (fnmatch(item, p->ch[c].name, 0) == 0) {
				mu[c] = m;
				sd[c] = v;
				hit = 1;
			}
		if (!hit)
			return err_fail(err, errsz, NULL, 0, "--roi-prior: \"%s\" "
			    "is not a media channel", item);
	}
	return 0;
}

int
mmm_bayes_check(const mmm_problem *p, const mmm_bayes_opts *o, char *err,
    size_t errsz)
{
	for (size_t c = 0; c < p->k; c++) {
		adstock_kind ak = p->ch[c].ak;
		/* Robyn's Weibull windows round the scale to a whole lag, so
		 * the density is a step function of it: no gradient. */
		if (ak == ADSTOCK_WEIBULL_CDF || ak == ADSTOCK_WEIBULL_PDF)
			return err_fail(err, errsz, NULL, 0, "--method bayes: "
			    "channel \"%s\": adstock %s is not sampled: its "
			    "window rounds SCALE to a whole lag, so the "
			    "likelihood is a step function of SCALE that NUTS "
			    "cannot follow (use --method ridge, or adstock "
			    "delayed)", p->ch[c].name, adstock_kind_name(ak));
		if (ak != ADSTOCK_GEOMETRIC && ak != ADSTOCK_DELAYED &&
		    ak != ADSTOCK_NONE)
			return err_fail(err, errsz, NULL, 0, "--method bayes: "
			    "channel \"%s\": adstock %s is not sampled (only "
			    "geometric, delayed and none)", p->ch[c].name,
			    adstock_kind_name(ak));
	}
	for (size_t c = 0; c < p->k; c++)
		for (int j = HP_ALPHA; j <= HP_GAMMA; j++)
			if (!isnan(p->ch[c].lo[j]) && (p->ch[c].lo[j] !=
			    (j == HP_ALPHA ? 0.5 : 0.3) || p->ch[c].hi[j] !=
			    (j == HP_ALPHA ? 3 : 1)))
				return err_fail(err, errsz, NULL, 0, "--method "
				    "bayes: --bounds sets theta only (and "
				    "peak; alpha and gamma have log-normal "
				    "priors)");
	double mu[p->k], sd[p->k];
	if (parse_roi(p, o->roi_prior, mu, sd, err, errsz) < 0)
		return -1;
	for (size_t l = 0; p->lift && l < p->lift->n; l++) {
		const lift_test *t = &p->lift->t[l];
		if (!(t->sd > 0))
			return err_fail(err, errsz, NULL, 0, "--lift: line %ld: "
			    "--method bayes needs lift_sd (the likelihood "
			    "weighs each test by it)", t->line);
		if (t->chan >= p->k || t->start > t->end || t->end >= p->n)
			return err_fail(err, errsz, NULL, 0, "--lift: line %ld: "
			    "the window is not within the training rows",
			    t->line);
	}
	return 0;
}

/* The data every chain shares. */
typedef struct bdata {
	const mmm_problem *p;
	const mmm_bayes_opts *o;
	size_t n, k, q, dim;
	double ysd;
	double *ys, *zs, *xs, *xmax;	/* n, q x n, k x n, k */
	double *roi_mu, *roi_sd;	/* k */
	/* coordinates of each channel's parameters (-1: none) */
	int *ith, *ipk, *ial, *igf, *ib;
	size_t ig, ilev, isig;
} bdata;

/* One chain's model: scratch and the quantities of the last point. */
typedef struct bmodel {
	const bdata *d;
	double *a, *da, *dap;		/* n */
	double *s, *dth, *dgf, *dal, *dpk;	/* k x n */
	double *w, *dwth, *dwpk;	/* lmax: delayed window, derivatives */
	double *r, *tmp;		/* n */
	double *theta, *peak, *alpha, *gf, *G, *beta, *sbar, *ssum;	/* k */
	double *alast;		/* k: the adstock at the last row */
	double level, sigma;
} bmodel;

static void
bmodel_init(bmodel *m, const bdata *d)
{
	size_t n = d->n, k = d->k;

	m->d = d;
	m->a = emalloc(n * sizeof *m->a);
	m->da = emalloc(n * sizeof *m->da);
	m->dap = emalloc(n * sizeof *m->dap);
	m->w = emalloc((d->p->lmax + 1) * sizeof *m->w);
	m->dwth = emalloc((d->p->lmax + 1) * sizeof *m->dwth);
	m->dwpk = emalloc((d->p->lmax + 1) * sizeof *m->dwpk);
	m->dpk = emalloc(k * n * sizeof *m->dpk);
	m->r = emalloc(n * sizeof *m->r);
	m->tmp = emalloc(n * sizeof *m->tmp);
	m->s = emalloc(k * n * sizeof *m->s);
	m->dth = emalloc(k * n * sizeof *m->dth);
	m->dgf = emalloc(k * n * sizeof *m->dgf);
	m->dal = emalloc(k * n * sizeof *m->dal);
	double **v[] = { &m->theta, &m->peak, &m->alpha, &m->gf, &m->G, &m->beta,
		&m->sbar, &m->ssum, &m->alast };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		*v[i] = ecalloc(k, sizeof **v[i]);
}

static void
bmodel_free(bmodel *m)
{
	free(m->a);
	free(m->da);
	free(m->dap);
	free(m->w);
	free(m->dwth);
	free(m->dwpk);
	free(m->dpk);
	free(m->peak);
	free(m->r);
	free(m->tmp);
	free(m->s);
	free(m->dth);
	free(m->dgf);
	free(m->dal);
	free(m->theta);
	free(m->alpha);
	free(m->gf);
	free(m->G);
	free(m->beta);
	free(m->sbar);
	free(m->ssum);
	free(m->alast);
}

/* The delayed window w_l = theta^((l - peak)^2) / sum_m theta^((m -
 * peak)^2), l < len, into m->w, and its derivatives in theta and peak into
 * m->dwth, m->dwpk.  With e_l = (l - peak)^2 log theta the weights are
 * softmax(e) (computed so: no underflow of the sum for small theta), and
 * dw_l = w_l (de_l - sum_m w_m de_m), the normalisation's share. */
static void
delayed_window(bmodel *m, double th, double pk, size_t len)
{
	double L = log(th), emax = -HUGE_VAL, sum = 0, mth = 0, mpk = 0;
	double *w = m->w, *wt = m->dwth, *wp = m->dwpk;

	for (size_t l = 0; l < len; l++) {
		double d = (double)l - pk;
		w[l] = d * d * L;
		emax = fmax(emax, w[l]);
	}
	for (size_t l = 0; l < len; l++) {
		w[l] = exp(w[l] - emax);
		sum += w[l];
	}
	for (size_t l = 0; l < len; l++) {
		double d = (double)l - pk;
		w[l] /= sum;
		wt[l] = d * d / th;
		wp[l] = -2 * d * L;
		mth += w[l] * wt[l];
		mpk += w[l] * wp[l];
	}
	for (size_t l = 0; l < len; l++) {
		wt[l] = w[l] * (wt[l] - mth);
		wp[l] = w[l] * (wp[l] - mpk);
	}
}

/* Channel c's transformed series and its derivatives into m (s, dth, dgf,
 * dal, and dpk for delayed adstock, rows c), from theta, peak, alpha, gf;
 * G and the sums too. */
static void
channel_series(bmodel *m, size_t c)
{
	const bdata *d = m->d;
	const mmm_channel *ch = &d->p->ch[c];
	size_t n = d->n;
	const double *x = d->xs + c * n;
	double th = m->theta[c], al = m->alpha[c], gf = m->gf[c];
	double *a = m->a, *da = m->da;
	double *s = m->s + c * n, *dth = m->dth + c * n;
	double *dgf = m->dgf + c * n, *dal = m->dal + c * n;
	double *dpk = m->dpk + c * n, *dap = m->dap;
	int geo = ch->ak == ADSTOCK_GEOMETRIC, del = ch->ak == ADSTOCK_DELAYED;

	/* Adstock and its derivative in theta: a_t = x_t + th a_{t-1}. */
	double prev = 0, dprev = 0, lo = HUGE_VAL, hi = -HUGE_VAL;
	size_t imin = 0, imax = 0;
	if (!geo)
		th = 0;
	/* Delayed: a_t = sum_{l <= min(t, len - 1)} w_l x_{t-l}, as
	 * adstock_apply from a zero state, and its derivatives. */
	for (size_t t = 0; del && t < n; t++) {
		size_t len = d->p->lmax, top = t < len - 1 ? t : len - 1;
		double v = 0, dv = 0, dp = 0;
		if (t == 0)
			delayed_window(m, m->theta[c], m->peak[c], len);
		for (size_t l = 0; l <= top; l++) {
			v += m->w[l] * x[t - l];
			dv += m->dwth[l] * x[t - l];
			dp += m->dwpk[l] * x[t - l];
		}
		a[t] = v;
		da[t] = dv;
		dap[t] = dp;
		if (v < lo)
			lo = v, imin = t;
		if (v > hi)
			hi = v, imax = t;
	}
	/* The extremes kept in registers: the recursion is the serial part
	 * of the whole density. */
	for (size_t t = 0; !del && t < n; t++) {
		double v = x[t] + th * prev, dv = prev + th * dprev;
		a[t] = v;
		da[t] = dv;
		prev = v;
		dprev = dv;
		if (v < lo)
			lo = v, imin = t;
		if (v > hi)
			hi = v, imax = t;
	}
	if (!geo && !del)
		memset(da, 0, n * sizeof *da);
	m->alast[c] = a[n - 1];
	double G = lo + gf * (hi - lo), dG = da[imin] + gf * (da[imax] -
	    da[imin]), rng = hi - lo;
	double dGp = del ? dap[imin] + gf * (dap[imax] - dap[imin]) : 0;
	if (!(G > 0))
		G = 1e-300;
	m->G[c] = G;
	double sum = 0;
	switch (ch->sk) {
	case SAT_HILL: {
		/* log and exp over whole columns on the vector library */
		double lG = log(G), *l = m->r, *v = m->tmp;
		vm_log(a, l, n);
		for (size_t t = 0; t < n; t++)
			l[t] -= lG;
		vm_logistic(l, al, v, n);
		/* Branch-free, so that it vectorises; a = 0 (no spend so
		 * far) gives s = 0 and no gradient. */
		double kth = -al * dG / G, kgf = -al * rng / G;
		for (size_t t = 0; t < n; t++) {
			int pos = a[t] > 0;
			double vt = pos ? v[t] : 0, lt = pos ? l[t] : 0;
			double ia = pos ? al / a[t] : 0;
			double w = vt * (1 - vt);
			s[t] = vt;
			dth[t] = w * (ia * da[t] + kth);
			dgf[t] = w * kgf;
			dal[t] = w * lt;
		}
		for (size_t t = 0; t < n; t++)
			sum += s[t];
		for (size_t t = 0; del && t < n; t++) {
			double ia = a[t] > 0 ? al / a[t] : 0;
			dpk[t] = s[t] * (1 - s[t]) * (ia * dap[t] - al * dGp /
			    G);
		}
		break;
	}
	case SAT_LOGISTIC: {
		double lam = log(3) / G;
		for (size_t t = 0; t < n; t++) {
			double v = tanh(lam * a[t] / 2), w = (1 - v * v) / 2;
			double sx = lam * w, sG = -a[t] * lam / G * w;
			s[t] = v;
			dth[t] = sx * da[t] + sG * dG;
			if (del)
				dpk[t] = sx * dap[t] + sG * dGp;
			dgf[t] = sG * rng;
			dal[t] = 0;
			sum += v;
		}
		break;
	}
	case SAT_MICHAELIS:
		for (size_t t = 0; t < n; t++) {
			double den = G + a[t], v = a[t] / den;
			double sx = G / (den * den), sG = -a[t] / (den * den);
			s[t] = v;
			dth[t] = sx * da[t] + sG * dG;
			if (del)
				dpk[t] = sx * dap[t] + sG * dGp;
			dgf[t] = sG * rng;
			dal[t] = 0;
			sum += v;
		}
		break;
	default:
		for (size_t t = 0; t < n; t++) {
			s[t] = a[t];
			dth[t] = da[t];
			if (del)
				dpk[t] = dap[t];
			dgf[t] = dal[t] = 0;
			sum += a[t];
		}
		break;
	}
	m->ssum[c] = sum;
	m->sbar[c] = sum / (double)n;
}

static double
sigmoid(double u)
{
	return u >= 0 ? 1 / (1 + exp(-u)) : exp(u) / (1 + exp(u));
}

/* The log posterior density (up to a constant) on the unconstrained
 * coordinates, and its gradient. */
static double
logp(void *ctx, const double *u, double *g)
{
	bmodel *m = ctx;
	const bdata *d = m->d;
	const mmm_problem *p = d->p;
	size_t n = d->n, k = d->k, q = d->q;
	double lp = 0;
	double sg[k], spk[k];

	memset(g, 0, d->dim * sizeof *g);
	for (size_t c = 0; c < k; c++) {
		const mmm_channel *ch = &p->ch[c];
		m->theta[c] = 0;
		m->peak[c] = 0;
		m->alpha[c] = 1;
		m->gf[c] = 0.5;
		if (d->ith[c] >= 0) {
			double lo = ch->lo[HP_THETA], hi = ch->hi[HP_THETA];
			double v = u[d->ith[c]];
			sg[c] = sigmoid(v);
			m->theta[c] = lo + (hi - lo) * sg[c];
			/* Beta(A, B) on sg, with the Jacobian of the
			 * logit: sg^A (1 - sg)^B */
			lp += MMMB_THETA_A * log(sg[c]) + MMMB_THETA_B * log1p(-sg[c]);
			g[d->ith[c]] += MMMB_THETA_A * (1 - sg[c]) - MMMB_THETA_B * sg[c];
		}
		if (d->ipk[c] >= 0) {
			double lo = ch->lo[HP_PEAK], hi = ch->hi[HP_PEAK];
			double v = u[d->ipk[c]];
			spk[c] = sigmoid(v);
			m->peak[c] = lo + (hi - lo) * spk[c];
			/* Beta(A, B) on the scaled peak, as theta's */
			lp += MMMB_PEAK_A * log(spk[c]) + MMMB_PEAK_B *
			    log1p(-spk[c]);
			g[d->ipk[c]] += MMMB_PEAK_A * (1 - spk[c]) - MMMB_PEAK_B *
			    spk[c];
		}
		if (d->ial[c] >= 0) {
			double v = u[d->ial[c]];
			m->alpha[c] = exp(v);
			lp -= (v - MMMB_ALPHA_MU) * (v - MMMB_ALPHA_MU) / (2 * MMMB_ALPHA_SD *
			    MMMB_ALPHA_SD);
			g[d->ial[c]] -= (v - MMMB_ALPHA_MU) / (MMMB_ALPHA_SD * MMMB_ALPHA_SD);
		}
		if (d->igf[c] >= 0) {
			double v = u[d->igf[c]];
			m->gf[c] = exp(v);
			lp -= (v - MMMB_GFRAC_MU) * (v - MMMB_GFRAC_MU) / (2 * MMMB_GFRAC_SD *
			    MMMB_GFRAC_SD);
			g[d->igf[c]] -= (v - MMMB_GFRAC_MU) / (MMMB_GFRAC_SD * MMMB_GFRAC_SD);
		}
		channel_series(m, c);
		double v = u[d->ib[c]];
		if (!isnan(d->roi_mu[c])) {
			double z = (v - d->roi_mu[c]) / d->roi_sd[c];
			lp -= z * z / 2;
			g[d->ib[c]] -= z / d->roi_sd[c];
			m->beta[c] = exp(v) * p->spend[c] / (d->ysd *
			    m->ssum[c]);
		} else {
			m->beta[c] = exp(v);
			lp += -m->beta[c] * m->beta[c] / (2 * MMMB_BETA_SD * MMMB_BETA_SD)
			    + v;
			g[d->ib[c]] += -m->beta[c] * m->beta[c] / (MMMB_BETA_SD *
			    MMMB_BETA_SD) + 1;
		}
		if (!isfinite(m->beta[c]))
			return -HUGE_VAL;
	}
	double lev = u[d->ilev], ls = u[d->isig], sig = exp(ls);
	m->level = lev;
	m->sigma = sig;
	lp -= lev * lev / (2 * MMMB_LEVEL_SD * MMMB_LEVEL_SD);
	g[d->ilev] -= lev / (MMMB_LEVEL_SD * MMMB_LEVEL_SD);
	lp += -sig * sig / (2 * MMMB_SIGMA_SD * MMMB_SIGMA_SD) + ls;
	g[d->isig] += -sig * sig / (MMMB_SIGMA_SD * MMMB_SIGMA_SD) + 1;

	/* Residuals. */
	double *r = m->r, off = lev;
	for (size_t c = 0; c < k; c++)
		off -= m->beta[c] * m->sbar[c];
	for (size_t t = 0; t < n; t++)
		r[t] = d->ys[t] - off;
	for (size_t j = 0; j < q; j++) {
		double gj = u[d->ig + j];
		const double *z = d->zs + j * n;
		lp -= gj * gj / (2 * MMMB_BASE_SD * MMMB_BASE_SD);
		g[d->ig + j] -= gj / (MMMB_BASE_SD * MMMB_BASE_SD);
		for (size_t t = 0; t < n; t++)
			r[t] -= gj * z[t];
	}
	for (size_t c = 0; c < k; c++) {
		const double *s = m->s + c * n;
		double b = m->beta[c];
		for (size_t t = 0; t < n; t++)
			r[t] -= b * s[t];
	}
	double iv = 1 / (sig * sig), rr = 0, rs = 0;
	for (size_t t = 0; t < n; t++) {
		rr += r[t] * r[t];
		rs += r[t];
	}
	lp += -(double)n * ls - rr * iv / 2;
	g[d->isig] += -(double)n + rr * iv;
	g[d->ilev] += rs * iv;
	for (size_t j = 0; j < q; j++) {
		const double *z = d->zs + j * n;
		double a = 0;
		for (size_t t = 0; t < n; t++)
			a += r[t] * z[t];
		g[d->ig + j] += a * iv;
	}
	/* Centred residuals: the media terms are centred. */
	double rbar = rs / (double)n;
	for (size_t t = 0; t < n; t++)
		r[t] -= rbar;

	/* Calibration: lift_e ~ Normal(sd_y beta_c sum_{window} s_ct, sd_e),
	 * on the standardised scale; its gradient joins the likelihood's
	 * below. */
	size_t nlift = p->lift ? p->lift->n : 0;
	for (size_t e = 0; e < nlift; e++) {
		const lift_test *x = &p->lift->t[e];
		const double *s = m->s + x->chan * n;
		double sum = 0;
		for (size_t t = x->start; t <= x->end; t++)
			sum += s[t];
		double pred = m->beta[x->chan] * sum;
		double z = (x->lift / d->ysd - pred) / (x->sd / d->ysd);
		lp -= z * z / 2;
	}

	for (size_t c = 0; c < k; c++) {
		const double *s = m->s + c * n, *dth = m->dth + c * n;
		const double *dgf = m->dgf + c * n, *dal = m->dal + c * n;
		const double *dpk = m->dpk + c * n;
		int del = d->ipk[c] >= 0;
		double b = m->beta[c];
		double db = 0, ath = 0, agf = 0, aal = 0, apk = 0;
		double sth = 0, sgf = 0, sal = 0, spks = 0;
		for (size_t t = 0; t < n; t++) {
			db += r[t] * s[t];
			ath += r[t] * dth[t];
			agf += r[t] * dgf[t];
			aal += r[t] * dal[t];
			sth += dth[t];
			sgf += dgf[t];
			sal += dal[t];
		}
		for (size_t t = 0; del && t < n; t++) {
			apk += r[t] * dpk[t];
			spks += dpk[t];
		}
		db *= iv;
		ath *= b * iv;
		agf *= b * iv;
		aal *= b * iv;
		apk *= b * iv;
		/* Lifts: d/dbeta and d/dphi of each experiment's term. */
		for (size_t e = 0; e < nlift; e++) {
			const lift_test *x = &p->lift->t[e];
			if (x->chan != c)
				continue;
			double sum = 0, wth = 0, wgf = 0, wal = 0, wpk = 0;
			for (size_t t = x->start; t <= x->end; t++) {
				sum += s[t];
				wth += dth[t];
				wgf += dgf[t];
				wal += dal[t];
				wpk += del ? dpk[t] : 0;
			}
			double sdz = x->sd / d->ysd;
			double res = (x->lift / d->ysd - b * sum) / (sdz * sdz);
			db += res * sum;
			ath += res * b * wth;
			agf += res * b * wgf;
			aal += res * b * wal;
			apk += res * b * wpk;
		}
		if (!isnan(d->roi_mu[c])) {
			/* beta = ROI spend / (sd_y S): d log beta / d phi =
			 * -dS/dphi / S */
			double bd = b * db;
			g[d->ib[c]] += bd;
			ath -= bd * sth / m->ssum[c];
			agf -= bd * sgf / m->ssum[c];
			aal -= bd * sal / m->ssum[c];
			apk -= bd * spks / m->ssum[c];
		} else {
			g[d->ib[c]] += b * db;
		}
		if (d->ith[c] >= 0) {
			const mmm_channel *ch = &p->ch[c];
			g[d->ith[c]] += ath * (ch->hi[HP_THETA] -
			    ch->lo[HP_THETA]) * sg[c] * (1 - sg[c]);
		}
		if (del) {
			const mmm_channel *ch = &p->ch[c];
			g[d->ipk[c]] += apk * (ch->hi[HP_PEAK] -
			    ch->lo[HP_PEAK]) * spk[c] * (1 - spk[c]);
		}
		if (d->ial[c] >= 0)
			g[d->ial[c]] += aal * m->alpha[c];
		if (d->igf[c] >= 0)
			g[d->igf[c]] += agf * m->gf[c];
	}
	return isfinite(lp) ? lp : -HUGE_VAL;
}

static void
bdata_init(bdata *d, const mmm_problem *p, const mmm_bayes_opts *o)
{
	size_t n = p->n, k = p->k, q = p->q;

	memset(d, 0, sizeof *d);
	d->p = p;
	d->o = o;
	d->n = n;
	d->k = k;
	d->q = q;
	d->ysd = sqrt(p->ycc / (double)n);
	d->ys = emalloc(n * sizeof *d->ys);
	for (size_t t = 0; t < n; t++)
		d->ys[t] = p->yc[t] / d->ysd;
	d->zs = emalloc((q ? q : 1) * n * sizeof *d->zs);
	for (size_t j = 0; j < q; j++)
		for (size_t t = 0; t < n; t++)
			d->zs[j * n + t] = (p->z[j][t] - p->zmean[j]) /
			    p->zsd[j];
	d->xs = emalloc(k * n * sizeof *d->xs);
	d->xmax = emalloc(k * sizeof *d->xmax);
	for (size_t c = 0; c < k; c++) {
		double mx = 0;
		for (size_t t = 0; t < n; t++)
			mx = fmax(mx, p->x[c][t]);
		d->xmax[c] = mx;
		for (size_t t = 0; t < n; t++)
			d->xs[c * n + t] = p->x[c][t] / mx;
	}
	d->roi_mu = emalloc(k * sizeof *d->roi_mu);
	d->roi_sd = emalloc(k * sizeof *d->roi_sd);
	char err[256];
	if (parse_roi(p, o->roi_prior, d->roi_mu, d->roi_sd, err,
	    sizeof err) < 0)
		die("%s", err);	/* mmm_bayes_check has passed */
	d->ith = emalloc(k * sizeof *d->ith);
	d->ipk = emalloc(k * sizeof *d->ipk);
	d->ial = emalloc(k * sizeof *d->ial);
	d->igf = emalloc(k * sizeof *d->igf);
	d->ib = emalloc(k * sizeof *d->ib);
	int at = 0;
	for (size_t c = 0; c < k; c++) {
		adstock_kind ak = p->ch[c].ak;
		d->ith[c] = ak == ADSTOCK_GEOMETRIC || ak == ADSTOCK_DELAYED ?
		    at++ : -1;
		d->ipk[c] = ak == ADSTOCK_DELAYED ? at++ : -1;
		d->ial[c] = p->ch[c].sk == SAT_HILL ? at++ : -1;
		d->igf[c] = p->ch[c].sk != SAT_NONE ? at++ : -1;
		d->ib[c] = at++;
	}
	d->ig = (size_t)at;
	d->ilev = d->ig + q;
	d->isig = d->ilev + 1;
	d->dim = d->isig + 1;
}

static void
bdata_free(bdata *d)
{
	free(d->ys);
	free(d->zs);
	free(d->xs);
	free(d->xmax);
	free(d->roi_mu);
	free(d->roi_sd);
	free(d->ith);
	free(d->ipk);
	free(d->ial);
	free(d->igf);
	free(d->ib);
}

/* Each chain's stream: the seed and the chain number through splitmix. */
static uint64_t
chain_stream(uint64_t seed, size_t chain)
{
	uint64_t s = seed ^ (UINT64_C(0xd1b54a32d192ed03) * (chain + 1));

	return rng_next(&s);
}

/* A starting point: the priors' centres, jittered by uniform(-1, 1) on the
 * transforms' and media coordinates and (-0.5, 0.5) on the others. */
static void
init_point(const bdata *d, uint64_t *rng, double *u)
{
	for (size_t c = 0; c < d->k; c++) {
		if (d->ith[c] >= 0)
			u[d->ith[c]] = 2 * rng_unit(rng) - 1;
		if (d->ipk[c] >= 0)
			u[d->ipk[c]] = 2 * rng_unit(rng) - 1;
		if (d->ial[c] >= 0)
			u[d->ial[c]] = MMMB_ALPHA_MU + 2 * rng_unit(rng) - 1;
		if (d->igf[c] >= 0)
			u[d->igf[c]] = MMMB_GFRAC_MU + 2 * rng_unit(rng) - 1;
		u[d->ib[c]] = (isnan(d->roi_mu[c]) ? log(0.5) : d->roi_mu[c])
		    + 2 * rng_unit(rng) - 1;
	}
	for (size_t j = 0; j < d->q; j++)
		u[d->ig + j] = rng_unit(rng) - 0.5;
	u[d->ilev] = rng_unit(rng) - 0.5;
	u[d->isig] = log(0.5) + rng_unit(rng) - 0.5;
}

typedef struct job {
	const bdata *d;
	const mmm_bayes_opts *o;
	mmm_bayes *b;
	double *udraws;		/* chains x draws x dim */
	nuts_chain *res;	/* chains */
	int threads, tid;
	atomic_size_t *done;	/* iterations of all chains */
} job;

/* Count an iteration; the first thread reports them all. */
static void
tick(void *arg)
{
	job *jb = arg;
	size_t d = atomic_fetch_add(jb->done, 1) + 1;

	if (jb->tid == 0 && jb->o->progress)
		jb->o->progress(d, jb->o->chains * (jb->o->warmup +
		    jb->o->draws));
}

/* Draw j's original-scale quantities from the model's last point. */
static void
derive(const bdata *d, const bmodel *m, const double *u, mmm_bayes *b,
    size_t j)
{
	const mmm_problem *p = d->p;
	size_t nd = b->nd, k = d->k, q = d->q;
	double icpt = p->ymean + d->ysd * m->level;

	b->level[j] = icpt;
	for (size_t jj = 0; jj < q; jj++) {
		double g = u[d->ig + jj];
		b->base[jj * nd + j] = g * d->ysd / p->zsd[jj];
		icpt -= d->ysd * g * p->zmean[jj] / p->zsd[jj];
	}
	for (size_t c = 0; c < k; c++) {
		double *x = b->chq + c * BQ_N * nd;
		const mmm_channel *ch = &p->ch[c];
		int geo = ch->ak == ADSTOCK_GEOMETRIC;
		int del = ch->ak == ADSTOCK_DELAYED;
		double coef = m->beta[c] * d->ysd;
		if (ch->sk == SAT_NONE)
			coef /= d->xmax[c];
		icpt -= d->ysd * m->beta[c] * m->sbar[c];
		x[BQ_THETA * nd + j] = geo || del ? m->theta[c] : NAN;
		x[BQ_PEAK * nd + j] = del ? m->peak[c] : NAN;
		x[BQ_ALPHA * nd + j] = ch->sk == SAT_HILL ? m->alpha[c] : NAN;
		x[BQ_GAMMA * nd + j] = ch->sk != SAT_NONE ? m->G[c] *
		    d->xmax[c] : NAN;
		x[BQ_GFRAC * nd + j] = ch->sk != SAT_NONE ? m->gf[c] : NAN;
		x[BQ_COEF * nd + j] = coef;
		double contrib = d->ysd * m->beta[c] * m->ssum[c];
		x[BQ_CONTRIB * nd + j] = contrib;
		x[BQ_ROI * nd + j] = contrib / p->spend[c];
		/* the delayed window is normalised: it only moves spend */
		x[BQ_CARRY * nd + j] = geo ? 1 / (1 - m->theta[c]) : 1;
		b->state[c * nd + j] = geo ? m->alast[c] * d->xmax[c] : NAN;
	}
	b->icpt[j] = icpt;
	b->sigma[j] = m->sigma * d->ysd;
}

static void *
run_chains(void *arg)
{
	job *jb = arg;
	const bdata *d = jb->d;
	const mmm_bayes_opts *o = jb->o;
	mmm_bayes *b = jb->b;
	bmodel m;
	double *u0 = emalloc(d->dim * sizeof *u0);
	double *g = emalloc(d->dim * sizeof *g);
	nuts_opts no = { .warmup = o->warmup, .draws = o->draws,
		.target_accept = o->target_accept, .max_depth = o->max_depth,
		.each = tick, .each_arg = jb };

	bmodel_init(&m, d);
	for (size_t c = (size_t)jb->tid; c < o->chains; c += (size_t)jb->threads) {
		uint64_t rng = chain_stream(o->seed, c);
		nuts_chain *res = &jb->res[c];
		res->draws = jb->udraws + c * o->draws * d->dim;
		int ok = -1;
		for (int tries = 0; tries < 100 && ok < 0; tries++) {
			init_point(d, &rng, u0);
			ok = nuts_run(&no, d->dim, logp, &m, u0, &rng, res);
		}
		if (ok < 0)
			die("--method bayes: no starting point of finite "
			    "density in 100 tries");
		for (size_t i = 0; i < o->draws; i++) {
			const double *u = res->draws + i * d->dim;
			logp(&m, u, g);
			derive(d, &m, u, b, c * o->draws + i);
		}
	}
	bmodel_free(&m);
	free(u0);
	free(g);
	return NULL;
}

static void
add_param(mmm_bayes *b, const char *name, const double *x)
{
	size_t i = b->nparam++;

	b->pname[i] = estrdup(name);
	b->rhat[i] = mc_rhat(x, b->chains, b->draws);
	b->ess[i] = mc_ess_bulk(x, b->chains, b->draws);
	/* Undefined (a chain that never moved) counts as the worst. */
	b->rhat_max = fmax(b->rhat_max, isnan(b->rhat[i]) ? HUGE_VAL :
	    b->rhat[i]);
	b->ess_min = fmin(b->ess_min, isnan(b->ess[i]) ? 0 : b->ess[i]);
}

void
mmm_bayes_run(const mmm_problem *p, const mmm_bayes_opts *o, mmm_bayes *b)
{
	bdata d;
	size_t k = p->k, q = p->q;

	bdata_init(&d, p, o);
	memset(b, 0, sizeof *b);
	b->k = k;
	b->q = q;
	b->dim = d.dim;
	b->chains = o->chains;
	b->draws = o->draws;
	b->nd = o->chains * o->draws;
	size_t nd = b->nd;
	b->chq = emalloc(k * BQ_N * nd * sizeof *b->chq);
	b->base = emalloc((q ? q : 1) * nd * sizeof *b->base);
	b->state = emalloc(k * nd * sizeof *b->state);
	b->icpt = emalloc(nd * sizeof *b->icpt);
	b->sigma = emalloc(nd * sizeof *b->sigma);
	b->level = emalloc(nd * sizeof *b->level);
	b->roi_mu = emalloc(k * sizeof *b->roi_mu);
	b->roi_sd = emalloc(k * sizeof *b->roi_sd);
	memcpy(b->roi_mu, d.roi_mu, k * sizeof *b->roi_mu);
	memcpy(b->roi_sd, d.roi_sd, k * sizeof *b->roi_sd);
	b->step = emalloc(o->chains * sizeof *b->step);
	b->accept = emalloc(o->chains * sizeof *b->accept);

	double *ud = emalloc(nd * d.dim * sizeof *ud);
	nuts_chain *res = ecalloc(o->chains, sizeof *res);
	int T = o->threads < 1 ? 1 : o->threads;
	if ((size_t)T > o->chains)
		T = (int)o->chains;
	pthread_t th[T];
	job jobs[T];
	atomic_size_t done = 0;
	for (int i = 0; i < T; i++) {
		jobs[i] = (job){ &d, o, b, ud, res, T, i, &done };
		if (i && pthread_create(&th[i], NULL, run_chains, &jobs[i]))
			die("cannot start a thread");
	}
	run_chains(&jobs[0]);
	for (int i = 1; i < T; i++)
		pthread_join(th[i], NULL);
	for (size_t c = 0; c < o->chains; c++) {
		b->divergent += res[c].divergent;
		b->depth_hits += res[c].max_depth_hits;
		b->leapfrogs += res[c].leapfrogs;
		b->step[c] = res[c].step;
		b->accept[c] = res[c].accept;
	}
	free(ud);
	free(res);

	/* Diagnostics of every sampled parameter and ROI. */
	size_t np = k * 6 + q + 2;
	b->pname = ecalloc(np, sizeof *b->pname);
	b->rhat = ecalloc(np, sizeof *b->rhat);
	b->ess = ecalloc(np, sizeof *b->ess);
	b->rhat_max = 0;
	b->ess_min = HUGE_VAL;
	static const int diag_q[] = { BQ_THETA, BQ_PEAK, BQ_ALPHA, BQ_GFRAC,
		BQ_COEF, BQ_ROI };
	for (size_t c = 0; c < k; c++)
		for (size_t i = 0; i < 6; i++) {
			const double *x = b->chq + (c * BQ_N + (size_t)diag_q[i])
			    * nd;
			if (isnan(x[0]))
				continue;
			char nm[160];
			snprintf(nm, sizeof nm, "%s.%s", p->ch[c].name,
			    mmm_bayes_qnames[diag_q[i]]);
			add_param(b, nm, x);
		}
	for (size_t j = 0; j < q; j++)
		add_param(b, p->zname[j], b->base + j * nd);
	add_param(b, "intercept", b->icpt);
	add_param(b, "sigma", b->sigma);
	bdata_free(&d);
}

void
mmm_bayes_free(mmm_bayes *b)
{
	free(b->chq);
	free(b->base);
	free(b->state);
	free(b->icpt);
	free(b->sigma);
	free(b->level);
	free(b->roi_mu);
	free(b->roi_sd);
	for (size_t i = 0; i < b->nparam; i++)
		free(b->pname[i]);
	free(b->pname);
	free(b->rhat);
	free(b->ess);
	free(b->step);
	free(b->accept);
}

double
mmm_bayes_grad_error(const mmm_problem *p, const mmm_bayes_opts *o,
    uint64_t seed)
{
	bdata d;
	bmodel m;
	double worst = 0;

	bdata_init(&d, p, o);
	bmodel_init(&m, &d);
	double *u = emalloc(d.dim * sizeof *u), *g = emalloc(d.dim *
	    sizeof *g), *g2 = emalloc(d.dim * sizeof *g2);
	uint64_t rng = seed;
	init_point(&d, &rng, u);
	logp(&m, u, g);
	for (size_t i = 0; i < d.dim; i++) {
		double h = 1e-5 * fmax(1, fabs(u[i])), keep = u[i];
		u[i] = keep + h;
		double up = logp(&m, u, g2);
		u[i] = keep - h;
		double dn = logp(&m, u, g2);
		u[i] = keep;
		double fd = (up - dn) / (2 * h);
		double e = fabs(fd - g[i]) / fmax(1, fabs(g[i]));
		worst = fmax(worst, e);
	}
	free(u);
	free(g);
	free(g2);
	bmodel_free(&m);
	bdata_free(&d);
	return worst;
}

double
mmm_bayes_series_error(const mmm_problem *p, const mmm_bayes_opts *o,
    uint64_t seed)
{
	bdata d;
	bmodel m;
	size_t n = p->n, nt = p->n + p->nv, k = p->k;
	size_t len = nt > p->lmax ? nt : p->lmax;
	double worst = 0, h[p->nh];

	bdata_init(&d, p, o);
	bmodel_init(&m, &d);
	double *u = emalloc(d.dim * sizeof *u), *g = emalloc(d.dim *
	    sizeof *g), *s = emalloc(k * nt * sizeof *s);
	double *wts = emalloc(len * sizeof *wts), *st = emalloc(len *
	    sizeof *st);
	uint64_t rng = seed;
	init_point(&d, &rng, u);
	logp(&m, u, g);
	for (size_t i = 0; i < p->nh; i++) {
		const mmm_hyper *hy = &p->hp[i];
		size_t c = hy->chan < 0 ? 0 : (size_t)hy->chan;
		h[i] = hy->chan < 0 ? NAN : hy->kind == HP_THETA ? m.theta[c] :
		    hy->kind == HP_PEAK ? m.peak[c] : hy->kind == HP_ALPHA ?
		    m.alpha[c] : hy->kind == HP_GAMMA ? m.gf[c] : NAN;
	}
	mmm_media(p, h, s, NULL, NULL, wts, st);
	for (size_t c = 0; c < k; c++) {
		/* the sampler's series are of x / max x: saturation is
		 * scale-free, the identity is not */
		double sc = p->ch[c].sk == SAT_NONE ? d.xmax[c] : 1;
		for (size_t t = 0; t < n; t++)
			worst = fmax(worst, fabs(m.s[c * n + t] * sc -
			    s[c * nt + t]) / fmax(1, fabs(s[c * nt + t])));
	}
	free(u);
	free(g);
	free(s);
	free(wts);
	free(st);
	bmodel_free(&m);
	bdata_free(&d);
	return worst;
}
