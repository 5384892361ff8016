/* mmmbayes_write.c: the posterior of the Bayesian marketing-mix model as
 * the model file holds it — the point estimate, summaries, priors,
 * diagnostics, thinned draws — and its gates (see mmmbayes.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mmmbayes.h"

static double
mean_of(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

void
mmm_bayes_point(const mmm_problem *p, const mmm_bayes *b, double *h,
    double *coef, double *level)
{
	size_t nd = b->nd, k = p->k;

	for (size_t i = 0; i < p->nh; i++) {
		const mmm_hyper *hy = &p->hp[i];
		int bq = hy->kind == HP_THETA ? BQ_THETA : hy->kind ==
		    HP_PEAK ? BQ_PEAK : hy->kind == HP_ALPHA ? BQ_ALPHA :
		    hy->kind == HP_GAMMA ? BQ_GFRAC : -1;
		h[i] = hy->chan >= 0 && bq >= 0 ? mean_of(b->chq +
		    ((size_t)hy->chan * BQ_N + (size_t)bq) * nd, nd) : NAN;
	}
	for (size_t c = 0; c < k; c++)
		coef[c] = mean_of(b->chq + (c * BQ_N + BQ_COEF) * nd, nd);
	for (size_t j = 0; j < p->q; j++)
		coef[k + j] = mean_of(b->base + j * nd, nd);
	*level = mean_of(b->level, nd);
}

static int
by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile of sorted x, numpy's default (linear, type 7). */
static double
quantile(const double *x, size_t n, double pr)
{
	double h = (double)(n - 1) * pr;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return x[n - 1];
	return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

static void
summary(jsonw *w, const char *key, const double *x, size_t n)
{
	double *s = emalloc(n * sizeof *s), m = mean_of(x, n), v = 0;

	memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, by_double);
	for (size_t i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	jw_key(w, key);
	jw_obj(w);
	jw_kv_num(w, "mean", m);
	jw_kv_num(w, "sd", n > 1 ? sqrt(v / (double)(n - 1)) : NAN);
	jw_kv_num(w, "p5", quantile(s, n, 0.05));
	jw_kv_num(w, "p50", quantile(s, n, 0.5));
	jw_kv_num(w, "p95", quantile(s, n, 0.95));
	jw_obj_end(w);
	free(s);
}

void
mmm_bayes_write_channel(jsonw *w, const mmm_bayes *b, size_t c)
{
	jw_key(w, "posterior");
	jw_obj(w);
	for (int i = 0; i < BQ_N; i++) {
		const double *x = b->chq + (c * BQ_N + (size_t)i) * b->nd;
		if (!isnan(x[0]))
			summary(w, mmm_bayes_qnames[i], x, b->nd);
	}
	jw_obj_end(w);
}

/* The thinned draws of x (keep of nd, evenly spaced). */
static void
draws_arr(jsonw *w, const char *key, const double *x, size_t nd, size_t keep)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < keep; i++)
		jw_num(w, x[i * nd / keep]);
	jw_arr_end(w);
}

static void
prior(jsonw *w, const char *key, const char *dist, double a, double b)
{
	jw_key(w, key);
	jw_obj(w);
	jw_kv_str(w, "dist", dist);
	if (!isnan(a))
		jw_kv_num(w, strcmp(dist, "beta") == 0 ? "a" : strcmp(dist,
		    "halfnormal") == 0 ? "sigma" : "mu", a);
	if (!isnan(b))
		jw_kv_num(w, strcmp(dist, "beta") == 0 ? "b" : "sigma", b);
	jw_obj_end(w);
}

void
mmm_bayes_write(jsonw *w, const mmm_bayes *b, const mmm_problem *p,
    const mmm_bayes_opts *o)
{
	size_t nd = b->nd, k = p->k, q = p->q;

	jw_key(w, "bayes");
	jw_obj(w);
	jw_kv_str(w, "sampler", "NUTS (multinomial, diagonal metric, Stan's "
	    "windowed adaptation)");
	jw_key(w, "chains");
	jw_int(w, (long long)o->chains);
	jw_key(w, "draws");
	jw_int(w, (long long)o->draws);
	jw_key(w, "warmup");
	jw_int(w, (long long)o->warmup);
	jw_key(w, "seed");
	jw_int(w, (long long)o->seed);
	jw_kv_num(w, "target_accept", o->target_accept);
	jw_key(w, "max_depth");
	jw_int(w, o->max_depth);
	jw_kv_str(w, "point", "posterior mean");
	jw_kv_str(w, "scale", "y and baseline terms standardised (population "
	    "sd); priors below on that scale");
	jw_key(w, "priors");
	jw_obj(w);
	jw_key(w, "channels");
	jw_obj(w);
	for (size_t c = 0; c < k; c++) {
		const mmm_channel *ch = &p->ch[c];
		jw_key(w, ch->name);
		jw_obj(w);
		if (ch->ak == ADSTOCK_GEOMETRIC || ch->ak == ADSTOCK_DELAYED) {
			prior(w, "theta", "beta", MMMB_THETA_A, MMMB_THETA_B);
			jw_kv_num(w, "theta_lo", ch->lo[HP_THETA]);
			jw_kv_num(w, "theta_hi", ch->hi[HP_THETA]);
		}
		if (ch->ak == ADSTOCK_DELAYED) {
			prior(w, "peak", "beta", MMMB_PEAK_A, MMMB_PEAK_B);
			jw_kv_num(w, "peak_lo", ch->lo[HP_PEAK]);
			jw_kv_num(w, "peak_hi", ch->hi[HP_PEAK]);
		}
		if (ch->sk == SAT_HILL)
			prior(w, "alpha", "lognormal", MMMB_ALPHA_MU, MMMB_ALPHA_SD);
		if (ch->sk != SAT_NONE)
			prior(w, "gamma_fraction", "lognormal", MMMB_GFRAC_MU,
			    MMMB_GFRAC_SD);
		if (!isnan(b->roi_mu[c]))
			prior(w, "roi", "lognormal", b->roi_mu[c], b->roi_sd[c]);
		else
			prior(w, "beta", "halfnormal", MMMB_BETA_SD, NAN);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	prior(w, "baseline", "normal", 0, MMMB_BASE_SD);
	prior(w, "level", "normal", 0, MMMB_LEVEL_SD);
	prior(w, "sigma", "halfnormal", MMMB_SIGMA_SD, NAN);
	jw_obj_end(w);
	jw_key(w, "posterior");
	jw_obj(w);
	jw_key(w, "baseline");
	jw_obj(w);
	for (size_t j = 0; j < q; j++)
		summary(w, p->zname[j], b->base + j * nd, nd);
	jw_obj_end(w);
	summary(w, "intercept", b->icpt, nd);
	summary(w, "sigma", b->sigma, nd);
	jw_obj_end(w);
	jw_obj_end(w);

	jw_key(w, "diagnostics");
	jw_obj(w);
	jw_kv_str(w, "rhat", "rank-normalised split R-hat, max of bulk and "
	    "folded (Vehtari et al. 2021)");
	jw_kv_str(w, "ess", "bulk ESS (rank-normalised split chains)");
	jw_kv_num(w, "rhat_max", b->rhat_max);
	jw_kv_num(w, "ess_min", b->ess_min);
	jw_key(w, "divergences");
	jw_int(w, (long long)b->divergent);
	jw_key(w, "max_depth_hits");
	jw_int(w, (long long)b->depth_hits);
	jw_key(w, "leapfrogs");
	jw_int(w, (long long)b->leapfrogs);
	jw_key(w, "step_size");
	jw_arr(w);
	for (size_t c = 0; c < b->chains; c++)
		jw_num(w, b->step[c]);
	jw_arr_end(w);
	jw_key(w, "accept");
	jw_arr(w);
	for (size_t c = 0; c < b->chains; c++)
		jw_num(w, b->accept[c]);
	jw_arr_end(w);
	jw_key(w, "params");
	jw_obj(w);
	for (size_t i = 0; i < b->nparam; i++) {
		jw_key(w, b->pname[i]);
		jw_obj(w);
		jw_kv_num(w, "rhat", b->rhat[i]);
		jw_kv_num(w, "ess", b->ess[i]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);

	size_t keep = o->keep < nd ? o->keep : nd;
	jw_key(w, "draws");
	jw_obj(w);
	jw_key(w, "n");
	jw_int(w, (long long)keep);
	draws_arr(w, "sigma", b->sigma, nd, keep);
	draws_arr(w, "intercept", b->icpt, nd, keep);
	jw_key(w, "baseline");
	jw_obj(w);
	for (size_t j = 0; j < q; j++)
		draws_arr(w, p->zname[j], b->base + j * nd, nd, keep);
	jw_obj_end(w);
	jw_key(w, "channels");
	jw_obj(w);
	for (size_t c = 0; c < k; c++) {
		const mmm_channel *ch = &p->ch[c];
		const double *x = b->chq + c * BQ_N * nd;
		jw_key(w, ch->name);
		jw_obj(w);
		draws_arr(w, "coef", x + BQ_COEF * nd, nd, keep);
		draws_arr(w, "carry", x + BQ_CARRY * nd, nd, keep);
		if (ch->ak == ADSTOCK_GEOMETRIC || ch->ak == ADSTOCK_DELAYED)
			draws_arr(w, "theta", x + BQ_THETA * nd, nd, keep);
		if (ch->ak == ADSTOCK_DELAYED)
			draws_arr(w, "peak", x + BQ_PEAK * nd, nd, keep);
		const double *gm = x + BQ_GAMMA * nd;
		if (ch->sk == SAT_HILL) {
			draws_arr(w, "alpha", x + BQ_ALPHA * nd, nd, keep);
			draws_arr(w, "gamma", gm, nd, keep);
		} else if (ch->sk == SAT_LOGISTIC || ch->sk == SAT_MICHAELIS) {
			double *t = emalloc(keep * sizeof *t);
			for (size_t i = 0; i < keep; i++) {
				double g = gm[i * nd / keep];
				t[i] = ch->sk == SAT_LOGISTIC ? log(3) / g : 1;
			}
			draws_arr(w, ch->sk == SAT_LOGISTIC ? "lambda" : "vmax",
			    t, keep, keep);
			if (ch->sk == SAT_MICHAELIS)
				draws_arr(w, "k", gm, nd, keep);
			free(t);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);

	/* Each kept draw's adstock state at the end of the data, so that
	 * predictions after it carry each draw's own carryover. */
	jw_key(w, "draws_state");
	jw_obj(w);
	for (size_t c = 0; c < k; c++)
		if (p->ch[c].ak == ADSTOCK_GEOMETRIC)
			draws_arr(w, p->ch[c].name, b->state + c * nd, nd, keep);
	jw_obj_end(w);
}

size_t
mmm_bayes_gates(const mmm_bayes *b, double max_rhat, double min_ess,
    model_gate *g)
{
	size_t n = 0;

	if (!isnan(max_rhat)) {
		g[n] = (model_gate){ .name = "max-rhat", .value = b->rhat_max,
			.threshold = max_rhat, .upper = 1,
			.pass = b->rhat_max <= max_rhat };
		snprintf(g[n].what, sizeof g[n].what, "largest split R-hat");
		n++;
	}
	if (!isnan(min_ess)) {
		g[n] = (model_gate){ .name = "min-ess", .value = b->ess_min,
			.threshold = min_ess, .upper = 0,
			.pass = b->ess_min >= min_ess };
		snprintf(g[n].what, sizeof g[n].what, "smallest bulk ESS");
		n++;
	}
	return n;
}
