/* mmmfit.c: mmm-train --model mmm from a table to a fitted, decomposed
 * model (see mmmfit.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_linalg.h>

#include "date.h"
#include "err.h"
#include "mmmfit.h"

#define YEAR_DAYS 365.25

static int
chan_index(const mmm_data *d, const char *name, size_t len)
{
	for (size_t c = 0; c < d->k; c++)
		if (strlen(d->media[c]) == len &&
		    memcmp(d->media[c], name, len) == 0)
			return (int)c;
	return -1;
}

/* "CH=KIND,..." into the channels' kinds. */
static int
parse_kinds(mmm_channel *ch, const mmm_data *d, const char *spec, int sat,
    char *err, size_t errsz)
{
	const char *s = spec;

	while (s && *s) {
		const char *e = strchr(s, ','), *eq = strchr(s, '=');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (!eq || eq > s + len) {
			snprintf(err, errsz, "\"%.*s\" is not CHANNEL=KIND",
			    (int)len, s);
			return -1;
		}
		int c = chan_index(d, s, (size_t)(eq - s));
		if (c < 0) {
			snprintf(err, errsz, "\"%.*s\" is not a media "
			    "channel", (int)(eq - s), s);
			return -1;
		}
		char kind[64];
		snprintf(kind, sizeof kind, "%.*s", (int)(s + len - eq - 1),
		    eq + 1);
		int v = sat ? saturation_kind_parse(kind) :
		    adstock_kind_parse(kind);
		if (v < 0 || (!sat && v == ADSTOCK_GEOMETRIC_TRUNC)) {
			snprintf(err, errsz, "\"%s\" is not %s", kind, sat ?
			    "hill, logistic, michaelis or none" :
			    "geometric, weibull_cdf, weibull_pdf, delayed or "
			    "none");
			return -1;
		}
		if (sat)
			ch[c].sk = (saturation_kind)v;
		else
			ch[c].ak = (adstock_kind)v;
		s = e ? e + 1 : NULL;
	}
	return 0;
}

/* "CH.PARAM=LO:HI,..." (or "lambda=LO:HI") into the bounds. */
static int
parse_bounds(mmm_channel *ch, const mmm_data *d, double *llo, double *lhi,
    const char *spec, char *err, size_t errsz)
{
	const char *s = spec;

	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char item[256], *eq, *colon, *dot, *end;
		snprintf(item, sizeof item, "%.*s", (int)len, s);
		if (!(eq = strchr(item, '=')) || !(colon = strchr(eq, ':'))) {
			snprintf(err, errsz, "\"%s\" is not CHANNEL.PARAM="
			    "LO:HI", item);
			return -1;
		}
		*eq = *colon = '\0';
		double lo = strtod(eq + 1, &end);
		int bad = *end != '\0' || end == eq + 1;
		double hi = strtod(colon + 1, &end);
		bad |= *end != '\0' || end == colon + 1;
		if (bad || !(lo <= hi) || !isfinite(lo) || !isfinite(hi)) {
			snprintf(err, errsz, "%s: \"%s:%s\" is not LO:HI with "
			    "LO <= HI", item, eq + 1, colon + 1);
			return -1;
		}
		if (strcmp(item, "lambda") == 0) {
			if (!(lo > 0)) {
				snprintf(err, errsz, "lambda: LO must be > 0");
				return -1;
			}
			*llo = lo;
			*lhi = hi;
			s = e ? e + 1 : NULL;
			continue;
		}
		if (!(dot = strrchr(item, '.'))) {
			snprintf(err, errsz, "\"%s\" is not CHANNEL.PARAM",
			    item);
			return -1;
		}
		int c = chan_index(d, item, (size_t)(dot - item)), kind = -1;
		for (int j = 0; j < HP_NKINDS; j++)
			if (strcmp(dot + 1, mmm_hyper_suffix(j)) == 0)
				kind = j;
		if (c < 0 || kind < 0 || isnan(ch[c].lo[kind])) {
			snprintf(err, errsz, "\"%s\" is not a hyperparameter "
			    "of the model (CHANNEL.theta, .alpha, .gamma, "
			    ".shape, .scale or .peak, as its transforms "
			    "have)", item);
			return -1;
		}
		static const double lim[HP_NKINDS][2] = { { 0, 0.9999 },
			{ 0, 20 }, { 0, 1 }, { 0, 11 }, { 0.01, 10 },
			{ 0.01, 1 } };
		if (lo < lim[kind][0] || hi > lim[kind][1]) {
			snprintf(err, errsz, "%s: bounds must be within "
			    "[%g, %g]", item, lim[kind][0], lim[kind][1]);
			return -1;
		}
		ch[c].lo[kind] = lo;
		ch[c].hi[kind] = hi;
		s = e ? e + 1 : NULL;
	}
	return 0;
}

int
mmm_fit_setup(mmm_result *r, const mmm_data *d, const mmm_opts *o,
    char *err, size_t errsz, int *status)
{
	size_t n = d->n;

	*status = EXIT_USAGE;	/* the options, until the data are checked */

	memset(r, 0, sizeof *r);
	r->chcfg = ecalloc(d->k, sizeof *r->chcfg);
	/* Every channel's defaults, then the per-channel kinds. */
	for (size_t c = 0; c < d->k; c++)
		mmm_channel_defaults(&r->chcfg[c], d->media[c], o->adstock,
		    o->saturation);
	mmm_channel tmp[d->k ? d->k : 1];
	memcpy(tmp, r->chcfg, d->k * sizeof *tmp);
	if (parse_kinds(tmp, d, o->adstock_by, 0, err, errsz) < 0 ||
	    parse_kinds(tmp, d, o->saturation_by, 1, err, errsz) < 0)
		return -1;
	for (size_t c = 0; c < d->k; c++)
		mmm_channel_defaults(&r->chcfg[c], d->media[c], tmp[c].ak,
		    tmp[c].sk);
	double llo = 1e-4, lhi = 1;
	if (parse_bounds(r->chcfg, d, &llo, &lhi, o->bounds, err, errsz) < 0)
		return -1;

	/* Baseline terms: trend, Fourier pairs on the day of the year,
	 * controls. */
	r->day0 = d->day[0];
	r->day1 = d->day[n - 1];
	r->fourier = o->fourier >= 0 ? o->fourier :
	    (r->day1 - r->day0 > YEAR_DAYS ? 2 : 0);
	size_t q = (o->trend ? 1 : 0) + 2 * (size_t)r->fourier + d->m;
	r->zbuf = ecalloc(q * n + 1, sizeof *r->zbuf);
	r->zp = ecalloc(q + 1, sizeof *r->zp);
	r->zname = ecalloc(q + 1, sizeof *r->zname);
	size_t j = 0;
	if (o->trend) {
		for (size_t i = 0; i < n; i++)
			r->zbuf[i] = (double)(d->day[i] - r->day0) /
			    (double)(r->day1 > r->day0 ? r->day1 - r->day0 : 1);
		r->zname[j++] = estrdup("trend");
	}
	for (int f = 1; f <= r->fourier; f++)
		for (int sc = 0; sc < 2; sc++) {
			double *z = r->zbuf + j * n;
			for (size_t i = 0; i < n; i++) {
				double a = 2 * M_PI * f * (double)d->day[i] /
				    YEAR_DAYS;
				z[i] = sc ? cos(a) : sin(a);
			}
			r->zname[j++] = efmt("%s%d", sc ? "cos" : "sin", f);
		}
	for (size_t c = 0; c < d->m; c++) {
		memcpy(r->zbuf + j * n, d->ctl[c], n * sizeof *r->zbuf);
		r->zname[j++] = estrdup(d->controls[c]);
	}
	for (size_t i = 0; i < q; i++)
		r->zp[i] = r->zbuf + i * n;
	r->prob = (mmm_problem){ .n = n, .k = d->k, .q = q, .y = d->y,
		.x = d->x, .z = r->zp, .zname = (const char *const *)r->zname,
		.ch = r->chcfg, .lmax = ADSTOCK_LMAX_DEFAULT,
		.lambda_lo = llo, .lambda_hi = lhi };
	*status = EXIT_DATAERR;
	if (mmm_problem_init(&r->prob, err, errsz) < 0)
		return -1;
	return 0;
}

/* Steady-state multiplier: the adstock of a constant 1 in the limit. */
static double
carry_of(const adstock *a, double *wts)
{
	if (a->kind == ADSTOCK_GEOMETRIC)
		return 1 / (1 - a->theta);
	if (a->kind == ADSTOCK_NONE)
		return 1;
	size_t m = adstock_nweights(a);
	adstock_weights(a, wts);
	double s = 0;
	for (size_t l = 0; l < m; l++)
		s += wts[l];
	return s;
}

void
mmm_fit_run(mmm_result *r, const mmm_data *d, const mmm_opts *o)
{
	mmm_problem *p = &r->prob;
	size_t n = p->n, k = p->k, q = p->q;

	mmm_search_run(p, &o->search, &r->search);
	r->chosen = mmm_select(&r->search, o->select);
	const double *h = r->search.h + r->chosen * p->nh;

	/* The chosen candidate again, through the exact transforms. */
	mmm_work *w = mmm_work_new(p);
	mmm_work_exact(w, 1);
	r->coef = emalloc((k + q + 1) * sizeof *r->coef);
	mmm_eval(p, w, h, &r->score, r->coef);
	const double *s = mmm_work_media(w);

	r->design = emalloc(n * (k + q) * sizeof *r->design);
	memcpy(r->design, s, k * n * sizeof *r->design);
	memcpy(r->design + k * n, r->zbuf, q * n * sizeof *r->design);
	r->names = emalloc((k + q) * sizeof *r->names);
	for (size_t c = 0; c < k; c++)
		r->names[c] = estrdup(d->media[c]);
	for (size_t j = 0; j < q; j++)
		r->names[k + j] = estrdup(r->zname[j]);

	/* Fitted values, residuals, Durbin-Watson, totals. */
	double *fit = emalloc(n * sizeof *fit), num = 0, den = 0, prev = 0;
	r->media_total = 0;
	for (size_t i = 0; i < n; i++) {
		double f = r->coef[k + q];
		for (size_t c = 0; c < k + q; c++)
			f += r->coef[c] * r->design[c * n + i];
		fit[i] = f;
		double e = d->y[i] - f;
		den += e * e;
		if (i)
			num += (e - prev) * (e - prev);
		prev = e;
	}
	r->dw = den > 0 ? num / den : NAN;

	size_t len = n > p->lmax ? n : p->lmax;
	double *wts = emalloc(len * sizeof *wts);
	double *buf = emalloc(n * sizeof *buf);
	r->ch = ecalloc(k, sizeof *r->ch);
	double tot = 0, fit_total = 0;
	for (size_t i = 0; i < n; i++)
		fit_total += fit[i];
	for (size_t c = 0; c < k; c++) {
		mmm_chan_fit *cf = &r->ch[c];
		mmm_adstock_of(p, h, c, &cf->ad);
		/* The adstocked series and the state at its end. */
		size_t sl = adstock_state_len(&cf->ad);
		cf->state = ecalloc(sl ? sl : 1, sizeof *cf->state);
		adstock_weights(&cf->ad, wts);
		adstock_apply(&cf->ad, wts, cf->state, d->x[c], buf, n);
		mmm_saturation_of(p, h, c, buf, &cf->sat);
		for (size_t i = 0; i + 1 < p->nh; i++)
			if (p->hp[i].chan == (int)c && p->hp[i].kind ==
			    HP_GAMMA)
				cf->gamma_frac = h[i];
		cf->coef = r->coef[c];
		cf->carry = carry_of(&cf->ad, wts);
		double sum = 0, imm = 0;
		for (size_t i = 0; i < n; i++) {
			sum += s[c * n + i];
			imm += saturation_value(&cf->sat, d->x[c][i]);
		}
		cf->contribution = cf->coef * sum;
		cf->spend = p->spend[c];
		cf->spend_share = p->spend_share[c];
		cf->roi = cf->contribution / cf->spend;
		/* Carryover: the part of the effect that the same
		 * saturation of the spend without adstock does not give. */
		cf->carryover_share = sum > 0 ? fmax(0, 1 - imm / sum) : 0;
		size_t wn = o->window < n ? o->window : n;
		double rs = 0;
		for (size_t i = n - wn; i < n; i++)
			rs += d->x[c][i];
		cf->recent_spend = wn ? rs / (double)wn : 0;
		cf->mroi = cf->coef * cf->carry *
		    saturation_deriv(&cf->sat, cf->recent_spend * cf->carry);
		tot += cf->contribution;
	}
	for (size_t c = 0; c < k; c++)
		r->ch[c].effect_share = tot > 0 ? r->ch[c].contribution / tot :
		    0;
	r->media_total = tot;
	r->baseline_total = fit_total - tot;
	free(fit);
	free(wts);
	free(buf);
	mmm_work_free(w);
}

void
mmm_result_free(mmm_result *r)
{
	size_t k = r->prob.k, q = r->prob.q;

	if (r->ch)
		for (size_t c = 0; c < k; c++)
			free(r->ch[c].state);
	free(r->ch);
	if (r->names)
		for (size_t j = 0; j < k + q; j++)
			free(r->names[j]);
	free(r->names);
	if (r->zname)
		for (size_t j = 0; j < q; j++)
			free(r->zname[j]);
	free(r->zname);
	free(r->zp);
	free(r->zbuf);
	free(r->coef);
	free(r->design);
	mmm_search_free(&r->search);
	mmm_problem_free(&r->prob);
	free(r->chcfg);
}

static void
adstock_obj(jsonw *w, const adstock *a)
{
	jw_obj(w);
	jw_kv_str(w, "kind", adstock_kind_name(a->kind));
	switch (a->kind) {
	case ADSTOCK_GEOMETRIC:
		jw_kv_num(w, "theta", a->theta);
		break;
	case ADSTOCK_WEIBULL_CDF:
	case ADSTOCK_WEIBULL_PDF:
		jw_kv_num(w, "shape", a->shape);
		jw_kv_num(w, "scale", a->scale);
		jw_kv_num(w, "len", (double)a->len);
		break;
	case ADSTOCK_DELAYED:
		jw_kv_num(w, "theta", a->theta);
		jw_kv_num(w, "peak", a->peak);
		jw_kv_num(w, "len", (double)a->len);
		jw_key(w, "normalize");
		jw_bool(w, a->normalize);
		break;
	default:
		break;
	}
	jw_obj_end(w);
}

static void
saturation_obj(jsonw *w, const saturation *s, double frac)
{
	jw_obj(w);
	jw_kv_str(w, "kind", saturation_kind_name(s->kind));
	switch (s->kind) {
	case SAT_HILL:
		jw_kv_num(w, "alpha", s->alpha);
		jw_kv_num(w, "gamma", s->gamma);
		jw_kv_num(w, "gamma_fraction", frac);
		break;
	case SAT_LOGISTIC:
		jw_kv_num(w, "lambda", s->lambda);
		jw_kv_num(w, "gamma_fraction", frac);
		break;
	case SAT_MICHAELIS:
		jw_kv_num(w, "vmax", s->vmax);
		jw_kv_num(w, "k", s->k);
		jw_kv_num(w, "gamma_fraction", frac);
		break;
	default:
		break;
	}
	jw_obj_end(w);
}

void
mmm_write_block(jsonw *w, const mmm_result *r, const mmm_data *d,
    const mmm_opts *o)
{
	const mmm_problem *p = &r->prob;
	size_t k = p->k, q = p->q;
	char day[16];

	jw_obj(w);
	jw_kv_str(w, "method", "ridge");
	jw_key(w, "media");
	jw_arr(w);
	for (size_t c = 0; c < k; c++)
		jw_str(w, d->media[c]);
	jw_arr_end(w);
	jw_key(w, "baseline");
	jw_obj(w);
	jw_key(w, "trend");
	if (o->trend) {
		jw_obj(w);
		date_format(r->day0, day);
		jw_kv_str(w, "from", day);
		date_format(r->day1, day);
		jw_kv_str(w, "to", day);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "fourier");
	jw_int(w, r->fourier);
	jw_kv_num(w, "year_days", YEAR_DAYS);
	jw_key(w, "controls");
	jw_arr(w);
	for (size_t c = 0; c < d->m; c++)
		jw_str(w, d->controls[c]);
	jw_arr_end(w);
	jw_obj_end(w);

	jw_key(w, "channels");
	jw_obj(w);
	for (size_t c = 0; c < k; c++) {
		const mmm_chan_fit *cf = &r->ch[c];
		jw_key(w, d->media[c]);
		jw_obj(w);
		jw_key(w, "adstock");
		adstock_obj(w, &cf->ad);
		jw_key(w, "saturation");
		saturation_obj(w, &cf->sat, cf->gamma_frac);
		jw_kv_num(w, "coef", cf->coef);
		jw_kv_num(w, "carry", cf->carry);
		jw_key(w, "state");
		jw_arr(w);
		for (size_t i = 0; i < adstock_state_len(&cf->ad); i++)
			jw_num(w, cf->state[i]);
		jw_arr_end(w);
		jw_kv_num(w, "spend", cf->spend);
		jw_kv_num(w, "contribution", cf->contribution);
		jw_kv_num(w, "roi", cf->roi);
		jw_kv_num(w, "spend_share", cf->spend_share);
		jw_kv_num(w, "effect_share", cf->effect_share);
		jw_kv_num(w, "recent_spend", cf->recent_spend);
		jw_kv_num(w, "mroi", cf->mroi);
		jw_kv_num(w, "carryover_share", cf->carryover_share);
		/* The last spends, for mmm-allocate --window. */
		jw_key(w, "recent");
		jw_arr(w);
		size_t nr = d->n < MMM_RECENT ? d->n : MMM_RECENT;
		for (size_t i = d->n - nr; i < d->n; i++)
			jw_num(w, d->x[c][i]);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);

	jw_key(w, "decomposition");
	jw_obj(w);
	jw_kv_num(w, "baseline", r->baseline_total);
	jw_kv_num(w, "media", r->media_total);
	double all = r->baseline_total + r->media_total;
	jw_kv_num(w, "media_share", all != 0 ? r->media_total / all : NAN);
	jw_obj_end(w);

	jw_key(w, "coef_cov");
	double *cov = emalloc((k ? k * k : 1) * sizeof *cov);
	if (mmm_coef_cov(r, d->y, cov) == 0) {
		jw_obj(w);
		jw_key(w, "channels");
		jw_arr(w);
		for (size_t c = 0; c < k; c++)
			jw_str(w, d->media[c]);
		jw_arr_end(w);
		jw_key(w, "matrix");
		jw_arr(w);
		for (size_t a = 0; a < k; a++) {
			jw_arr(w);
			for (size_t b = 0; b < k; b++)
				jw_num(w, cov[a * k + b]);
			jw_arr_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	free(cov);

	jw_key(w, "fit");
	jw_obj(w);
	jw_kv_num(w, "r2", r->score.r2);
	jw_kv_num(w, "nrmse", r->score.nrmse);
	jw_kv_num(w, "decomp_rssd", r->score.rssd);
	jw_kv_num(w, "lambda", r->score.lambda);
	jw_kv_num(w, "durbin_watson", r->dw);
	jw_obj_end(w);

	jw_key(w, "search");
	jw_obj(w);
	jw_kv_str(w, "optimiser", "differential evolution (current-to-pbest/1/bin)"
	    ", Halton starts");
	jw_key(w, "iterations");
	jw_int(w, (long long)o->search.iterations);
	jw_key(w, "trials");
	jw_int(w, (long long)o->search.trials);
	jw_key(w, "seed");
	jw_int(w, (long long)o->search.seed);
	jw_kv_num(w, "rssd_weight", o->search.rssd_weight);
	jw_key(w, "candidates");
	jw_int(w, (long long)r->search.ncand);
	jw_key(w, "pareto_front");
	jw_int(w, (long long)r->search.nfront);
	jw_kv_str(w, "select", mmm_select_names[o->select]);
	jw_key(w, "chosen");
	jw_int(w, (long long)r->chosen);
	jw_key(w, "hyperparameters");
	jw_obj(w);
	const double *h = r->search.h + r->chosen * p->nh;
	for (size_t i = 0; i < p->nh; i++) {
		jw_key(w, p->hp[i].name);
		jw_obj(w);
		jw_kv_num(w, "value", h[i]);
		jw_kv_num(w, "lo", p->hp[i].lo);
		jw_kv_num(w, "hi", p->hp[i].hi);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);
	(void)q;
	jw_obj_end(w);
}

int
mmm_coef_cov(const mmm_result *r, const double *y, double *cov)
{
	size_t n = r->prob.n, k = r->prob.k, q = r->prob.q, m = 0;
	double lambda = r->score.lambda;
	size_t *col = emalloc((k + q + 1) * sizeof *col);
	double *mean = emalloc((k + q + 1) * sizeof *mean);
	double *sd = emalloc((k + q + 1) * sizeof *sd);
	int rc = -1;

	memset(cov, 0, k * k * sizeof *cov);
	/* The columns of the final fit: the media whose coefficient is not
	 * held at the bound 0 (the active set), the baseline terms;
	 * standardised as the ridge saw them. */
	for (size_t j = 0; j < k + q; j++) {
		if (j < k && !(r->coef[j] > 0))
			continue;
		const double *x = r->design + j * n;
		double mu = 0, ss = 0;
		for (size_t i = 0; i < n; i++)
			mu += x[i];
		mu /= (double)n;
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - mu) * (x[i] - mu);
		if (!(ss > 0))
			continue;
		mean[m] = mu;
		sd[m] = sqrt(ss / (double)n);
		col[m++] = j;
	}
	double rss = 0;
	for (size_t i = 0; i < n; i++) {
		double f = r->coef[k + q];
		for (size_t j = 0; j < k + q; j++)
			f += r->coef[j] * r->design[j * n + i];
		rss += (y[i] - f) * (y[i] - f);
	}
	gsl_matrix *g = gsl_matrix_alloc(m ? m : 1, m ? m : 1);
	gsl_matrix *pinv = gsl_matrix_alloc(m ? m : 1, m ? m : 1);
	if (!g || !pinv)
		die("out of memory");
	for (size_t a = 0; a < m; a++)
		for (size_t b = 0; b <= a; b++) {
			const double *xa = r->design + col[a] * n;
			const double *xb = r->design + col[b] * n;
			double s = 0;
			for (size_t i = 0; i < n; i++)
				s += (xa[i] - mean[a]) * (xb[i] - mean[b]);
			s /= sd[a] * sd[b];
			gsl_matrix_set(g, a, b, s);
			gsl_matrix_set(g, b, a, s);
		}
	gsl_matrix_memcpy(pinv, g);
	for (size_t a = 0; a < m; a++)
		gsl_matrix_set(pinv, a, a, gsl_matrix_get(g, a, a) + lambda);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	if (m > 0 && gsl_linalg_cholesky_decomp1(pinv) == 0 &&
	    gsl_linalg_cholesky_invert(pinv) == 0) {
		/* edf = tr(P^-1 G); sigma^2 = RSS / (n - 1 - edf), the 1 for
		 * the intercept; cov = sigma^2 P^-1 G P^-1. */
		double edf = 0;
		for (size_t a = 0; a < m; a++)
			for (size_t b = 0; b < m; b++)
				edf += gsl_matrix_get(pinv, a, b) *
				    gsl_matrix_get(g, b, a);
		double dof = (double)n - 1 - edf;
		if (dof > 0) {
			double s2 = rss / dof;
			for (size_t a = 0; a < m && col[a] < k; a++)
				for (size_t b = 0; b < m && col[b] < k; b++) {
					double v = 0;
					for (size_t i = 0; i < m; i++)
						for (size_t j = 0; j < m; j++)
							v += gsl_matrix_get(pinv,
							    a, i) *
							    gsl_matrix_get(g, i,
							    j) * gsl_matrix_get(
							    pinv, j, b);
					cov[col[a] * k + col[b]] = s2 * v /
					    (sd[a] * sd[b]);
				}
			rc = 0;
		}
	}
	if (m == 0)
		rc = 0;
	gsl_set_error_handler(old);
	gsl_matrix_free(g);
	gsl_matrix_free(pinv);
	free(col);
	free(mean);
	free(sd);
	return rc;
}

void
mmm_write_pareto(out *o, const mmm_result *r)
{
	const mmm_search *s = &r->search;
	const mmm_problem *p = &r->prob;
	jsonw w;

	for (size_t f = 0; f < s->nfront; f++) {
		size_t i = s->front[f];
		jw_init(&w, o, 0);
		jw_obj(&w);
		jw_key(&w, "candidate");
		jw_int(&w, (long long)i);
		jw_key(&w, "trial");
		jw_int(&w, (long long)s->trial[i]);
		jw_kv_num(&w, "nrmse", s->sc[i].nrmse);
		jw_kv_num(&w, "decomp_rssd", s->sc[i].rssd);
		jw_kv_num(&w, "r2", s->sc[i].r2);
		jw_key(&w, "chosen");
		jw_bool(&w, i == r->chosen);
		jw_key(&w, "params");
		jw_obj(&w);
		for (size_t j = 0; j < p->nh; j++)
			jw_kv_num(&w, p->hp[j].name, s->h[i * p->nh + j]);
		jw_obj_end(&w);
		jw_obj_end(&w);
		jw_end(&w);
	}
}

int
mmm_data_from_design(mmm_data *d, const train_design *ds, const trainset *t,
    const char *media, char *err, size_t errsz)
{
	unsigned char *flag;
	size_t n = ds->d.n, p = ds->d.p;

	memset(d, 0, sizeof *d);
	if (!ds->day) {
		snprintf(err, errsz, "--model mmm needs dates: no date column "
		    "(see --date)");
		return -1;
	}
	for (size_t i = 1; i < n; i++)
		if (ds->day[i] <= ds->day[i - 1]) {
			char a[16], b[16];
			date_format(ds->day[i - 1], a);
			date_format(ds->day[i], b);
			snprintf(err, errsz, "%s:%ld: date %s %s %s: --model mmm "
			    "needs one row per period in date order (sort, or "
			    "aggregate with mmm-features)", t->name,
			    t->line ? t->line[i] : (long)i + 2, b,
			    ds->day[i] == ds->day[i - 1] ? "repeats" :
			    "comes after", a);
			return -1;
		}
	if (train_design_flags(ds, media, &flag, err, errsz) < 0)
		return -1;
	const double **x = ecalloc(p + 1, sizeof *x);
	const double **ctl = ecalloc(p + 1, sizeof *ctl);
	const char **mn = ecalloc(p + 1, sizeof *mn);
	const char **cn = ecalloc(p + 1, sizeof *cn);
	for (size_t j = 0; j < p; j++) {
		const double *col = ds->d.X + j * n;
		if (flag[j]) {
			x[d->k] = col;
			mn[d->k++] = ds->d.names[j];
		} else {
			ctl[d->m] = col;
			cn[d->m++] = ds->d.names[j];
		}
	}
	free(flag);
	d->n = n;
	d->y = ds->d.y;
	d->x = x;
	d->ctl = ctl;
	d->media = mn;
	d->controls = cn;
	d->day = ds->day;
	return 0;
}

void
mmm_data_free(mmm_data *d)
{
	free((void *)d->x);
	free((void *)d->ctl);
	free((void *)d->media);
	free((void *)d->controls);
}

void
mmm_model_parts(const mmm_result *r, const train_design *ds, model_fit *f,
    model_data *md, model_profile **prof)
{
	size_t n = r->prob.n, k = r->prob.k, q = r->prob.q, p = k + q;

	memset(f, 0, sizeof *f);
	f->kind = MODEL_MMM;
	f->p = p;
	f->coef = emalloc(p * sizeof *f->coef);
	memcpy(f->coef, r->coef, p * sizeof *f->coef);
	f->intercept = r->coef[p];
	*md = (model_data){ .X = r->design, .y = r->prob.y, .w = NULL, .n = n,
		.p = p, .names = (const char *const *)r->names };
	model_profile *pr = ecalloc(p, sizeof *pr);
	for (size_t j = 0; j < p; j++) {
		/* An input column: its profile over the rows read. */
		const char *nm = j < k ? r->names[j] : r->zname[j - k];
		int found = 0;
		for (size_t c = 0; c < ds->d.p && !found; c++)
			if (strcmp(ds->d.names[c], nm) == 0) {
				pr[j] = ds->prof[c];
				found = 1;
			}
		if (found)
			continue;
		/* A generated term. */
		const double *z = r->zp[j - k];
		double m = 0, ss = 0, lo = HUGE_VAL, hi = -HUGE_VAL;
		for (size_t i = 0; i < n; i++) {
			m += z[i];
			lo = fmin(lo, z[i]);
			hi = fmax(hi, z[i]);
		}
		m /= (double)n;
		for (size_t i = 0; i < n; i++)
			ss += (z[i] - m) * (z[i] - m);
		/* ncats 0: trend and season are not categories */
		pr[j] = (model_profile){ .mean = m, .sd = n > 1 ?
			sqrt(ss / (double)(n - 1)) : NAN, .min = lo, .max = hi };
	}
	*prof = pr;
}

void
mmm_fit_dry_run(mmm_result *r, const mmm_opts *o, FILE *f)
{
	const mmm_problem *p = &r->prob;
	mmm_work *w = mmm_work_new(p);
	size_t np, gens, total;
	double *h = emalloc(p->nh * sizeof *h);
	mmm_score sc;
	struct timespec a, b;

	mmm_search_size(p->nh, &o->search, &np, &gens, &total);
	for (size_t j = 0; j < p->nh; j++)
		h[j] = (p->hp[j].lo + p->hp[j].hi) / 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 200; i++)
		mmm_eval(p, w, h, &sc, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double per = ((double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) * 1e-9) / 200;
	int th = o->search.threads < 1 ? 1 : o->search.threads;
	fprintf(f, "hyperparameters: %zu\n", p->nh);
	for (size_t j = 0; j < p->nh; j++)
		fprintf(f, "  %s in [%.6g, %.6g]%s\n", p->hp[j].name,
		    p->hp[j].lo, p->hp[j].hi, p->hp[j].chan < 0 ?
		    " (log scale, times n)" : "");
	fprintf(f, "candidates: %zu (%zu trials x %zu generations x %zu)\n",
	    total, o->search.trials, gens, np);
	fprintf(f, "estimated time: %.3g s on %d thread%s (%.3g us a "
	    "candidate)\n", per * (double)total / th, th, th > 1 ? "s" : "",
	    per * 1e6);
	free(h);
	mmm_work_free(w);
}
