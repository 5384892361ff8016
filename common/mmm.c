/* mmm.c: the marketing-mix model's design and the exact fit and score of one
 * candidate (see mmm.h). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "err.h"
#include "mmm.h"
#include "vmath.h"

static const char *const hp_suffix[HP_NKINDS] = { "theta", "shape", "scale",
	"peak", "alpha", "gamma" };

const char *
mmm_hyper_suffix(int kind)
{
	return kind >= 0 && kind < HP_NKINDS ? hp_suffix[kind] : "lambda";
}

/* Does name contain any of the words of list (case-insensitive)? */
static int
name_has(const char *name, const char *const *list)
{
	for (; *list; list++) {
		size_t m = strlen(*list);
		for (const char *s = name; *s; s++)
			if (strncasecmp(s, *list, m) == 0)
				return 1;
	}
	return 0;
}

void
mmm_channel_defaults(mmm_channel *c, const char *name, adstock_kind ak,
    saturation_kind sk)
{
	static const char *const slow[] = { "tv", "radio", "video", "cinema",
		"ctv", NULL };
	static const char *const mid[] = { "print", "ooh", "newsletter",
		"email", "mail", "outdoor", NULL };
	static const char *const fast[] = { "search", "sem", "social",
		"facebook", "display", "online", "digital", "google", "meta",
		"tiktok", "youtube", "affiliate", "programmatic", NULL };

	c->name = name;
	c->ak = ak;
	c->sk = sk;
	for (int j = 0; j < HP_NKINDS; j++)
		c->lo[j] = c->hi[j] = NAN;
	if (ak == ADSTOCK_GEOMETRIC || ak == ADSTOCK_DELAYED) {
		c->lo[HP_THETA] = 0;
		c->hi[HP_THETA] = 0.9;
		if (name_has(name, slow))
			c->lo[HP_THETA] = 0.3, c->hi[HP_THETA] = 0.8;
		else if (name_has(name, mid))
			c->lo[HP_THETA] = 0.1, c->hi[HP_THETA] = 0.4;
		else if (name_has(name, fast))
			c->lo[HP_THETA] = 0, c->hi[HP_THETA] = 0.3;
	}
	if (ak == ADSTOCK_DELAYED)
		c->lo[HP_PEAK] = 0, c->hi[HP_PEAK] = 3;
	if (ak == ADSTOCK_WEIBULL_CDF || ak == ADSTOCK_WEIBULL_PDF) {
		c->lo[HP_SHAPE] = 0.0001;
		c->hi[HP_SHAPE] = ak == ADSTOCK_WEIBULL_CDF ? 2 : 10;
		c->lo[HP_SCALE] = 0, c->hi[HP_SCALE] = 0.1;
	}
	if (sk == SAT_HILL)
		c->lo[HP_ALPHA] = 0.5, c->hi[HP_ALPHA] = 3;
	if (sk != SAT_NONE)
		c->lo[HP_GAMMA] = 0.3, c->hi[HP_GAMMA] = 1;
}

static int
sym_eigen(double *a, size_t q, double *d, double *v)
{
	gsl_matrix_view av = gsl_matrix_view_array(a, q, q);
	gsl_matrix_view vv = gsl_matrix_view_array(v, q, q);
	gsl_vector_view dv = gsl_vector_view_array(d, q);
	gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(q);

	if (!ws)
		die("out of memory");
	int st = gsl_eigen_symmv(&av.matrix, &dv.vector, &vv.matrix, ws);
	gsl_eigen_symmv_free(ws);
	return st;
}

int
mmm_problem_init(mmm_problem *p, char *err, size_t errsz)
{
	size_t n = p->n, k = p->k, q = p->q, nt = p->n + p->nv;

	p->hp = NULL;
	p->yc = p->zmean = p->zsd = p->w = p->d = p->v = p->wy = NULL;
	p->zconst = NULL;
	p->spend = p->spend_share = NULL;
	if (k == 0)
		return err_fail(err, errsz, NULL, 0, "%s", "no media channels");
	if (n < q + k + 3 && n < q + 4)
		return err_fail(err, errsz, NULL, 0, "%s", "too few rows for the model");
	if (n < 8)
		return err_fail(err, errsz, NULL, 0, "%s", "too few rows (at least 8)");
	if (p->nv && (p->nval < 1 || p->nval >= p->nv))
		return err_fail(err, errsz, NULL, 0, "%s", "too few held-out rows "
		    "(a validation and a test row at least)");
	double lo = HUGE_VAL, hi = -HUGE_VAL, sum = 0;
	for (size_t i = 0; i < nt; i++)
		if (!isfinite(p->y[i]))
			return err_fail(err, errsz, NULL, 0, "%s", "the target has a value "
			    "that is not a finite number");
	for (size_t i = 0; i < n; i++) {
		lo = fmin(lo, p->y[i]);
		hi = fmax(hi, p->y[i]);
		sum += p->y[i];
	}
	if (!(hi > lo))
		return err_fail(err, errsz, NULL, 0, "%s", "the target is constant");
	p->ymean = sum / (double)n;
	p->yrange = hi - lo;
	/* The held-out parts' ranges, for their NRMSE. */
	for (int part = 0; part < 2 && p->nv; part++) {
		size_t a = n + (part ? p->nval : 0);
		size_t b = part ? nt : n + p->nval;
		double plo = HUGE_VAL, phi = -HUGE_VAL;
		for (size_t i = a; i < b; i++) {
			plo = fmin(plo, p->y[i]);
			phi = fmax(phi, p->y[i]);
		}
		*(part ? &p->trange : &p->vrange) = phi > plo ? phi - plo :
		    p->yrange;
	}
	p->yc = emalloc(n * sizeof *p->yc);
	p->ycc = 0;
	for (size_t i = 0; i < n; i++) {
		p->yc[i] = p->y[i] - p->ymean;
		p->ycc += p->yc[i] * p->yc[i];
	}

	p->spend = ecalloc(k, sizeof *p->spend);
	p->spend_share = ecalloc(k, sizeof *p->spend_share);
	double tot = 0;
	for (size_t c = 0; c < k; c++) {
		for (size_t i = 0; i < nt; i++) {
			double x = p->x[c][i];
			if (!(x >= 0) || !isfinite(x))
				return err_fail(err, errsz, NULL, 0, "media \"%s\" has a "
				    "negative or non-finite spend",
				    p->ch[c].name);
			if (i < n)
				p->spend[c] += x;
		}
		if (!(p->spend[c] > 0))
			return err_fail(err, errsz, NULL, 0, "media \"%s\" has no spend",
			    p->ch[c].name);
		tot += p->spend[c];
	}
	for (size_t c = 0; c < k; c++)
		p->spend_share[c] = p->spend[c] / tot;

	/* Baseline: standardise, then W = Zs V with Zs'Zs = V D V'. */
	p->zmean = ecalloc(q ? q : 1, sizeof *p->zmean);
	p->zsd = ecalloc(q ? q : 1, sizeof *p->zsd);
	p->zconst = ecalloc(q ? q : 1, sizeof *p->zconst);
	p->w = ecalloc(n * (q ? q : 1), sizeof *p->w);
	p->d = ecalloc(q ? q : 1, sizeof *p->d);
	p->v = ecalloc(q ? q * q : 1, sizeof *p->v);
	p->wy = ecalloc(q ? q : 1, sizeof *p->wy);
	double *zs = ecalloc(n * (q ? q : 1), sizeof *zs);
	for (size_t j = 0; j < q; j++) {
		const double *z = p->z[j];
		double m = 0, ss = 0;
		for (size_t i = nt; i-- > n;)
			if (!isfinite(z[i])) {
				free(zs);
				return err_fail(err, errsz, NULL, 0, "baseline term \"%s\" "
				    "has a value that is not a finite number",
				    p->zname[j]);
			}
		for (size_t i = 0; i < n; i++) {
			if (!isfinite(z[i])) {
				free(zs);
				return err_fail(err, errsz, NULL, 0, "baseline term \"%s\" "
				    "has a value that is not a finite number",
				    p->zname[j]);
			}
			m += z[i];
		}
		m /= (double)n;
		for (size_t i = 0; i < n; i++)
			ss += (z[i] - m) * (z[i] - m);
		double sd = sqrt(ss / (double)n);
		if (!(sd > 1e-12 * fmax(1, fabs(m))) && p->const_zero) {
			/* A zero column: coefficient 0, as glmnet gives. */
			p->zconst[j] = 1;
			p->zmean[j] = m;
			p->zsd[j] = 1;
			continue;
		}
		if (!(sd > 1e-12 * fmax(1, fabs(m)))) {
			free(zs);
			return err_fail(err, errsz, NULL, 0, "baseline term \"%s\" is "
			    "constant", p->zname[j]);
		}
		p->zmean[j] = m;
		p->zsd[j] = sd;
		for (size_t i = 0; i < n; i++)
			zs[j * n + i] = (z[i] - m) / sd;
	}
	if (q) {
		double *g = emalloc(q * q * sizeof *g);
		for (size_t a = 0; a < q; a++)
			for (size_t b = 0; b <= a; b++) {
				double s = 0;
				for (size_t i = 0; i < n; i++)
					s += zs[a * n + i] * zs[b * n + i];
				g[a * q + b] = g[b * q + a] = s;
			}
		int st = sym_eigen(g, q, p->d, p->v);
		free(g);
		if (st) {
			free(zs);
			return err_fail(err, errsz, NULL, 0, "%s", "the baseline's Gram "
			    "matrix has no eigen-decomposition");
		}
		/* gsl returns V row-major (v[i*q + j] = V_ij); keep it so:
		 * W_j = sum_a Zs_a V_aj. */
		for (size_t j = 0; j < q; j++) {
			double *wj = p->w + j * n;
			for (size_t a = 0; a < q; a++) {
				double va = p->v[a * q + j];
				const double *za = zs + a * n;
				for (size_t i = 0; i < n; i++)
					wj[i] += va * za[i];
			}
			double s = 0;
			for (size_t i = 0; i < n; i++)
				s += wj[i] * p->yc[i];
			p->wy[j] = s;
			if (p->d[j] < 0)	/* rounding of a PSD matrix */
				p->d[j] = 0;
		}
	}
	free(zs);

	/* The hyperparameters: per channel in HP order, then lambda. */
	p->nh = 1;
	for (size_t c = 0; c < k; c++)
		for (int j = 0; j < HP_NKINDS; j++)
			p->nh += !isnan(p->ch[c].lo[j]);
	p->hp = ecalloc(p->nh, sizeof *p->hp);
	size_t h = 0;
	for (size_t c = 0; c < k; c++)
		for (int j = 0; j < HP_NKINDS; j++) {
			if (isnan(p->ch[c].lo[j]))
				continue;
			mmm_hyper *hy = &p->hp[h++];
			snprintf(hy->name, sizeof hy->name, "%s.%s",
			    p->ch[c].name, hp_suffix[j]);
			hy->lo = p->ch[c].lo[j];
			hy->hi = p->ch[c].hi[j];
			hy->chan = (int)c;
			hy->kind = j;
		}
	mmm_hyper *hl = &p->hp[h];
	snprintf(hl->name, sizeof hl->name, "lambda");
	hl->lo = p->lambda_lo;
	hl->hi = p->lambda_hi;
	hl->chan = -1;
	hl->kind = HP_NKINDS;
	return 0;
}

void
mmm_problem_free(mmm_problem *p)
{
	free(p->hp);
	free(p->yc);
	free(p->zmean);
	free(p->zsd);
	free(p->zconst);
	free(p->w);
	free(p->d);
	free(p->v);
	free(p->wy);
	free(p->spend);
	free(p->spend_share);
}

/* Channel c's parameters in h: the values by HP kind (NAN: not used). */
static void
chan_params(const mmm_problem *p, const double *h, size_t c,
    double v[HP_NKINDS])
{
	for (int j = 0; j < HP_NKINDS; j++)
		v[j] = NAN;
	for (size_t i = 0; i + 1 < p->nh; i++)
		if (p->hp[i].chan == (int)c)
			v[p->hp[i].kind] = h[i];
}

void
mmm_adstock_of(const mmm_problem *p, const double *h, size_t c, adstock *a)
{
	double v[HP_NKINDS];

	chan_params(p, h, c, v);
	memset(a, 0, sizeof *a);
	a->kind = p->ch[c].ak;
	switch (a->kind) {
	case ADSTOCK_GEOMETRIC:
		a->theta = v[HP_THETA];
		break;
	case ADSTOCK_WEIBULL_CDF:
	case ADSTOCK_WEIBULL_PDF:
		a->shape = v[HP_SHAPE];
		a->scale = v[HP_SCALE];
		a->len = p->n;	/* Robyn's windlen: the modelling window */
		break;
	case ADSTOCK_DELAYED:
		a->theta = v[HP_THETA];
		a->peak = v[HP_PEAK];
		a->len = p->lmax;
		a->normalize = 1;
		break;
	default:
		break;
	}
}

void
mmm_saturation_of(const mmm_problem *p, const double *h, size_t c,
    const double *adstocked, saturation *s)
{
	double v[HP_NKINDS];

	chan_params(p, h, c, v);
	memset(s, 0, sizeof *s);
	s->kind = p->ch[c].sk;
	if (s->kind == SAT_NONE)
		return;
	/* The half-saturation point, a fraction gamma of the range. */
	double half = hill_inflexion(adstocked, p->n, v[HP_GAMMA]);
	if (!(half > 0))
		half = DBL_MIN;
	switch (s->kind) {
	case SAT_HILL:
		s->alpha = v[HP_ALPHA];
		s->gamma = half;
		break;
	case SAT_LOGISTIC:
		s->lambda = log(3) / half;	/* (1-e)/(1+e) = 1/2 */
		break;
	case SAT_MICHAELIS:
		s->vmax = 1;
		s->k = half;
		break;
	default:
		break;
	}
}

struct mmm_work {
	double *s;		/* k x (n + nv): sat(adstock(x)) */
	double *r;		/* (k + 1 + q) x n: the centred media of
				 * the fitted rows, yc and W, for their
				 * cross products */
	double *cross;		/* k x (k + 1 + q) */
	double *wts;		/* weights of window adstocks, max len */
	double *state;
	double *mu, *sd;	/* k */
	double *theta, *lo, *hi;	/* k: the search's adstocks */
	double **col;		/* k */
	const double **xin;	/* k */
	size_t *fast;		/* k: channels on the search's own path */
	double *coef;		/* k + q + 1: for the held-out rows */
	double *a, *b, *c, *my, *f, *gt, *beta, *l, *z, *tmp;
	size_t *free_;
	int exact;		/* transforms through transform.c */
};

mmm_work *
mmm_work_new(const mmm_problem *p)
{
	size_t n = p->n, k = p->k, q = p->q ? p->q : 1, nt = n + p->nv;
	size_t len = nt > p->lmax ? nt : p->lmax, m = k + 1 + p->q;
	mmm_work *w = ecalloc(1, sizeof *w);

	w->s = emalloc(k * nt * sizeof *w->s);
	w->coef = emalloc((k + q + 1) * sizeof *w->coef);
	w->r = emalloc(m * n * sizeof *w->r);
	memcpy(w->r + k * n, p->yc, n * sizeof *w->r);
	memcpy(w->r + (k + 1) * n, p->w, p->q * n * sizeof *w->r);
	w->cross = emalloc(k * m * sizeof *w->cross);
	w->wts = emalloc(len * sizeof *w->wts);
	w->state = emalloc(len * sizeof *w->state);
	w->mu = emalloc(k * sizeof *w->mu);
	w->sd = emalloc(k * sizeof *w->sd);
	w->theta = emalloc(k * sizeof *w->theta);
	w->lo = emalloc(k * sizeof *w->lo);
	w->hi = emalloc(k * sizeof *w->hi);
	w->col = emalloc(k * sizeof *w->col);
	w->xin = emalloc(k * sizeof *w->xin);
	w->fast = emalloc(k * sizeof *w->fast);
	w->a = emalloc(k * k * sizeof *w->a);
	w->l = emalloc(k * k * sizeof *w->l);
	w->b = emalloc(k * sizeof *w->b);
	w->c = emalloc(q * k * sizeof *w->c);
	w->my = emalloc(k * sizeof *w->my);
	w->f = emalloc(q * sizeof *w->f);
	w->gt = emalloc(q * sizeof *w->gt);
	w->beta = emalloc(k * sizeof *w->beta);
	w->z = emalloc(k * sizeof *w->z);
	w->tmp = emalloc(k * sizeof *w->tmp);
	w->free_ = emalloc(k * sizeof *w->free_);
	return w;
}

void
mmm_work_exact(mmm_work *w, int on)
{
	w->exact = on;
}

const double *
mmm_work_media(const mmm_work *w)
{
	return w->s;
}

void
mmm_work_free(mmm_work *w)
{
	if (!w)
		return;
	free(w->s);
	free(w->coef);
	free(w->r);
	free(w->cross);
	free(w->theta);
	free(w->lo);
	free(w->hi);
	free(w->col);
	free(w->xin);
	free(w->fast);
	free(w->wts);
	free(w->state);
	free(w->mu);
	free(w->sd);
	free(w->a);
	free(w->l);
	free(w->b);
	free(w->c);
	free(w->my);
	free(w->f);
	free(w->gt);
	free(w->beta);
	free(w->z);
	free(w->tmp);
	free(w->free_);
	free(w);
}

void
mmm_media(const mmm_problem *p, const double *h, double *s, adstock *ad,
    saturation *sat, double *wts, double *state)
{
	size_t n = p->n + p->nv;

	for (size_t c = 0; c < p->k; c++) {
		adstock a;
		saturation st;
		double *sc = s + c * n;

		mmm_adstock_of(p, h, c, &a);
		adstock_weights(&a, wts);
		memset(state, 0, adstock_state_len(&a) * sizeof *state);
		adstock_apply(&a, wts, state, p->x[c], sc, n);
		mmm_saturation_of(p, h, c, sc, &st);
		saturation_apply(&st, sc, sc, n);
		if (ad)
			ad[c] = a;
		if (sat)
			sat[c] = st;
	}
}

/* mmm_media for the search, each column's sum into w->mu: geometric
 * adstock and Hill (the defaults) through the kernels of vmath.c — the
 * channels' adstocks interleaved, their ranges taken on the way, Hill on
 * vector log and exp; other kinds through mmm_media's path.  Equal to
 * mmm_media to a few ulps: the final fit recomputes with mmm_media. */
static void
media_search(const mmm_problem *p, const double *h, mmm_work *w)
{
	size_t n = p->n, nt = n + p->nv, nf = 0;
	double v[HP_NKINDS];

	for (size_t c = 0; c < p->k; c++) {
		double *sc = w->s + c * nt;
		if (p->ch[c].ak == ADSTOCK_GEOMETRIC &&
		    p->ch[c].sk == SAT_HILL) {
			chan_params(p, h, c, v);
			w->theta[nf] = v[HP_THETA];
			w->xin[nf] = p->x[c];
			w->col[nf] = sc;
			w->fast[nf++] = c;
			continue;
		}
		adstock a;
		saturation st;
		mmm_adstock_of(p, h, c, &a);
		adstock_weights(&a, w->wts);
		memset(w->state, 0, adstock_state_len(&a) * sizeof *w->state);
		adstock_apply(&a, w->wts, w->state, p->x[c], sc, nt);
		mmm_saturation_of(p, h, c, sc, &st);
		saturation_apply(&st, sc, sc, nt);
		w->mu[c] = vm_sum(sc, n);
	}
	if (!nf)
		return;
	vm_adstock_geometric(w->xin, w->theta, nf, nt, n, w->col, w->lo,
	    w->hi, w->wts);
	for (size_t i = 0; i < nf; i++) {
		chan_params(p, h, w->fast[i], v);
		double g = w->lo[i] * (1 - v[HP_GAMMA]) + w->hi[i] *
		    v[HP_GAMMA];
		w->mu[w->fast[i]] = vm_hill(w->col[i], nt, v[HP_ALPHA],
		    log(g > 0 ? g : DBL_MIN), w->wts);
		if (p->nv)	/* the sum of the fitted rows */
			w->mu[w->fast[i]] = vm_sum(w->col[i], n);
	}
}

/*
 * min z'Az - 2b'z over z >= 0, A (m x m, row-major) positive definite:
 * the unconstrained solution when it is feasible, else the free set of its
 * positive entries when that satisfies the KKT conditions, else
 * Lawson-Hanson's active set from z = 0.  Exact up to rounding: each
 * subproblem is a Cholesky solve.
 */
static int
chol_solve(const double *a, const double *b, size_t m, const size_t *idx,
    size_t nf, double *l, double *out)
{
	for (size_t i = 0; i < nf; i++)
		for (size_t j = 0; j <= i; j++) {
			double s = a[idx[i] * m + idx[j]];
			for (size_t r = 0; r < j; r++)
				s -= l[i * m + r] * l[j * m + r];
			if (i == j) {
				if (!(s > 0))
					return -1;
				l[i * m + i] = sqrt(s);
			} else {
				l[i * m + j] = s / l[j * m + j];
			}
		}
	for (size_t i = 0; i < nf; i++) {
		double s = b[idx[i]];
		for (size_t r = 0; r < i; r++)
			s -= l[i * m + r] * out[r];
		out[i] = s / l[i * m + i];
	}
	for (size_t i = nf; i-- > 0;) {
		double s = out[i];
		for (size_t r = i + 1; r < nf; r++)
			s -= l[r * m + i] * out[r];
		out[i] = s / l[i * m + i];
	}
	return 0;
}

/* Is z (zeros outside the free set) optimal: gradient A z - b >= -tol at
 * the zeros? */
static int
kkt_ok(const double *a, const double *b, const double *z, size_t m,
    double tol)
{
	for (size_t i = 0; i < m; i++) {
		if (z[i] > 0)
			continue;
		double g = -b[i];
		for (size_t j = 0; j < m; j++)
			g += a[i * m + j] * z[j];
		if (g < -tol)
			return 0;
	}
	return 1;
}

void
mmm_nnqp(const double *a, const double *b, size_t m, double *z,
    double *l, double *tmp, size_t *idx)
{
	double bmax = 0;
	size_t nf = 0;

	for (size_t i = 0; i < m; i++)
		bmax = fmax(bmax, fabs(b[i]));
	double tol = 1e-13 * fmax(bmax, DBL_MIN);

	/* Guesses: every coefficient free, then the positive ones. */
	for (int pass = 0; pass < 2; pass++) {
		size_t nn = 0;
		for (size_t i = 0; i < m; i++)
			if (pass == 0 || z[i] > 0)
				idx[nn++] = i;
		if (pass == 1 && nn == m)
			break;
		if (chol_solve(a, b, m, idx, nn, l, tmp) < 0)
			break;
		int pos = 1;
		for (size_t i = 0; i < nn; i++)
			pos &= tmp[i] > 0;
		memset(z, 0, m * sizeof *z);
		for (size_t i = 0; i < nn; i++)
			z[idx[i]] = tmp[i];
		if (pos && kkt_ok(a, b, z, m, tol))
			return;
		if (pass == 0 && pos)	/* all free and positive */
			return;
	}

	/* Lawson-Hanson from z = 0. */
	memset(z, 0, m * sizeof *z);
	unsigned char inset[m];
	memset(inset, 0, m);
	for (size_t outer = 0; outer < 3 * m + 3; outer++) {
		/* The most negative gradient among the zeros. */
		double best = tol;
		size_t jb = m;
		for (size_t i = 0; i < m; i++) {
			if (inset[i])
				continue;
			double g = b[i];
			for (size_t j = 0; j < m; j++)
				g -= a[i * m + j] * z[j];
			if (g > best)
				best = g, jb = i;
		}
		if (jb == m)
			return;
		inset[jb] = 1;
		for (size_t inner = 0; inner < 3 * m + 3; inner++) {
			nf = 0;
			for (size_t i = 0; i < m; i++)
				if (inset[i])
					idx[nf++] = i;
			if (chol_solve(a, b, m, idx, nf, l, tmp) < 0)
				return;
			double step = 1;
			int feasible = 1;
			for (size_t i = 0; i < nf; i++)
				if (!(tmp[i] > 0)) {
					feasible = 0;
					double zi = z[idx[i]];
					double t = zi / (zi - tmp[i]);
					if (t < step)
						step = t;
				}
			if (feasible) {
				for (size_t i = 0; i < nf; i++)
					z[idx[i]] = tmp[i];
				break;
			}
			for (size_t i = 0; i < nf; i++) {
				size_t j = idx[i];
				z[j] += step * (tmp[i] - z[j]);
				if (!(z[j] > 0) || (tmp[i] <= 0 &&
				    z[j] <= 1e-300)) {
					z[j] = 0;
					inset[j] = 0;
				}
			}
		}
	}
}

void
mmm_eval(const mmm_problem *p, mmm_work *w, const double *h, mmm_score *sc,
    double *coef)
{
	size_t n = p->n, k = p->k, q = p->q, nt = n + p->nv;
	double lambda = h[p->nh - 1] * (double)n;

	/* Centred media columns, their cross products with themselves, yc
	 * and W, then the scale: with Ms the standardised columns (mean 0,
	 * population sd 1), G = Ms'Ms, my = Ms'yc, C = W'Ms. */
	size_t m = k + 1 + q;
	if (w->exact) {
		mmm_media(p, h, w->s, NULL, NULL, w->wts, w->state);
		for (size_t c = 0; c < k; c++)
			w->mu[c] = vm_sum(w->s + c * nt, n);
	} else {
		media_search(p, h, w);
	}
	for (size_t c = 0; c < k; c++) {
		w->mu[c] /= (double)n;
		vm_center(w->s + c * nt, n, w->mu[c], w->r + c * n);
	}
	for (size_t a = 0; a < k; a++)
		vm_dots(w->r + a * n, w->r + a * n, n, m - a, n,
		    w->cross + a * m + a);
	for (size_t c = 0; c < k; c++) {
		double sd = sqrt(w->cross[c * m + c] / (double)n);
		w->sd[c] = sd > 0 ? sd : 1;	/* constant column: beta 0 */
	}
	for (size_t a = 0; a < k; a++) {
		for (size_t b = 0; b <= a; b++)
			w->a[a * k + b] = w->a[b * k + a] =
			    w->cross[b * m + a] / (w->sd[a] * w->sd[b]);
		w->my[a] = w->cross[a * m + k] / w->sd[a];
		for (size_t j = 0; j < q; j++)
			w->c[j * k + a] = w->cross[a * m + k + 1 + j] /
			    w->sd[a];
	}
	/* Quadratic form of the media after profiling the baseline out:
	 * A = G + lambda I - C' F C, b = my - C' F wy, F = (D + lambda)^-1. */
	double ggram[k * k > 0 ? k * k : 1];
	memcpy(ggram, w->a, k * k * sizeof *ggram);
	for (size_t j = 0; j < q; j++)
		w->f[j] = 1 / (p->d[j] + lambda);
	for (size_t a = 0; a < k; a++) {
		double bb = w->my[a];
		for (size_t j = 0; j < q; j++)
			bb -= w->c[j * k + a] * w->f[j] * p->wy[j];
		w->b[a] = bb;
		for (size_t b = 0; b <= a; b++) {
			double s = (a == b) ? lambda : 0;
			for (size_t j = 0; j < q; j++)
				s -= w->c[j * k + a] * w->f[j] * w->c[j * k + b];
			w->a[a * k + b] += s;
			if (b != a)
				w->a[b * k + a] = w->a[a * k + b];
		}
	}
	mmm_nnqp(w->a, w->b, k, w->beta, w->l, w->tmp, w->free_);

	/* Baseline coefficients in eigen coordinates, and the RSS from the
	 * quadratic form. */
	double rss = p->ycc;
	for (size_t j = 0; j < q; j++) {
		double t = p->wy[j];
		for (size_t a = 0; a < k; a++)
			t -= w->c[j * k + a] * w->beta[a];
		w->gt[j] = w->f[j] * t;
		rss += -2 * w->gt[j] * p->wy[j] + p->d[j] * w->gt[j] *
		    w->gt[j];
		for (size_t a = 0; a < k; a++)
			rss += 2 * w->gt[j] * w->c[j * k + a] * w->beta[a];
	}
	for (size_t a = 0; a < k; a++) {
		rss -= 2 * w->beta[a] * w->my[a];
		for (size_t b = 0; b < k; b++)
			rss += w->beta[a] * ggram[a * k + b] * w->beta[b];
	}
	if (rss < 0)
		rss = 0;
	sc->lambda = lambda;
	sc->nrmse = sqrt(rss / (double)n) / p->yrange;
	sc->r2 = 1 - rss / p->ycc;

	/* Each channel's effect: beta / sd times the sum of its column. */
	double eff[k > 0 ? k : 1], tot = 0;
	for (size_t c = 0; c < k; c++) {
		eff[c] = w->beta[c] / w->sd[c] * w->mu[c] * (double)n;
		tot += eff[c];
	}
	double r = 0;
	size_t nzero = 0;
	for (size_t c = 0; c < k; c++) {
		double share = tot > 0 ? eff[c] / tot : 0;
		r += (share - p->spend_share[c]) * (share - p->spend_share[c]);
		nzero += !(eff[c] > 0);
	}
	sc->rssd = sqrt(r);
	/* Robyn's rssd_zero_penalty: a fit that silences channels is not
	 * rewarded for the shares it no longer has to match. */
	if (p->rssd_zero_penalty)
		sc->rssd *= 1 + (double)nzero / (double)k;
	sc->mape_lift = NAN;
	if (p->lift) {
		double cf[k > 0 ? k : 1];
		for (size_t c = 0; c < k; c++)
			cf[c] = w->beta[c] / w->sd[c];
		sc->mape_lift = lift_mape(p->lift, cf, w->s, nt, NULL);
	}

	sc->nrmse_val = sc->nrmse_test = NAN;
	sc->obj = sc->nrmse;
	if (!coef && !p->nv)
		return;
	double *cf = coef ? coef : w->coef, icpt = p->ymean;
	for (size_t c = 0; c < k; c++) {
		cf[c] = w->beta[c] / w->sd[c];
		icpt -= cf[c] * w->mu[c];
	}
	for (size_t a = 0; a < q; a++) {
		double g = 0;
		for (size_t j = 0; j < q; j++)
			g += p->v[a * q + j] * w->gt[j];
		cf[k + a] = p->zconst[a] ? 0 : g / p->zsd[a];
		icpt -= cf[k + a] * p->zmean[a];
	}
	cf[k + q] = icpt;
	if (!p->nv)
		return;
	/* The held-out rows: predictions from the fitted coefficients, in
	 * mmm-predict's order (intercept, then the features in order). */
	double ss[2] = { 0, 0 };
	for (size_t i = n; i < nt; i++) {
		double f = icpt;
		for (size_t c = 0; c < k; c++)
			f += cf[c] * w->s[c * nt + i];
		for (size_t j = 0; j < q; j++)
			f += cf[k + j] * p->z[j][i];
		double e = p->y[i] - f;
		ss[i >= n + p->nval] += e * e;
	}
	sc->nrmse_val = sqrt(ss[0] / (double)p->nval) / p->vrange;
	sc->nrmse_test = sqrt(ss[1] / (double)(p->nv - p->nval)) / p->trange;
	sc->obj = sc->nrmse_val;
}
