/* mmmstab.c: the stability report of the marketing-mix model (see
 * mmmstab.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "date.h"
#include "err.h"
#include "lift.h"
#include "mmmstab.h"

void
mmm_stab_window(size_t n, size_t w, size_t j, size_t *first, size_t *len)
{
	*len = n - n / 5;
	*first = w > 1 ? j * (n - *len) / (w - 1) : n - *len;
}

void
mmm_alloc_shares(const mmm_result *r, double *share)
{
	size_t k = r->prob.k;
	alloc_curve *cv = emalloc(k * sizeof *cv);
	double *lo = emalloc(k * sizeof *lo), *hi = emalloc(k * sizeof *hi);
	double *start = emalloc(k * sizeof *start), budget = 0;
	alloc_result ar;
	char err[256];

	for (size_t c = 0; c < k; c++) {
		const mmm_chan_fit *cf = &r->ch[c];
		cv[c] = (alloc_curve){ cf->sat, cf->carry, cf->coef };
		lo[c] = 0;
		hi[c] = INFINITY;
		start[c] = cf->recent_spend;
		budget += cf->recent_spend;
	}
	alloc_problem ap = { k, cv, lo, hi, budget, start, NULL };
	/* No recent spend, or a curve the optimiser cannot take: no
	 * shares (null in the report), not a failed run. */
	if (budget > 0 && alloc_solve(&ap, &ar, err, sizeof err) == 0) {
		for (size_t c = 0; c < k; c++)
			share[c] = ar.x[c] / budget;
		alloc_result_free(&ar);
	} else {
		for (size_t c = 0; c < k; c++)
			share[c] = NAN;
	}
	free(cv);
	free(lo);
	free(hi);
	free(start);
}

static void
fill(mmm_stab_fit *f, const mmm_result *r, uint64_t seed, size_t first)
{
	size_t k = r->prob.k;

	f->seed = seed;
	f->first = first;
	f->rows = r->nall;
	f->nrmse = r->score.nrmse;
	f->nrmse_val = r->score.nrmse_val;
	for (size_t c = 0; c < k; c++) {
		f->roi[c] = r->ch[c].roi;
		f->mroi[c] = r->ch[c].mroi;
	}
	mmm_alloc_shares(r, f->share);
}

/* Fit d with o (stability off) and record it. */
static int
refit(mmm_stab_fit *f, const mmm_data *d, const mmm_opts *o, size_t first,
    char *err, size_t errsz)
{
	mmm_result r;
	int status;

	if (mmm_fit_setup(&r, d, o, err, errsz, &status) < 0) {
		mmm_result_free(&r);
		return -1;
	}
	mmm_fit_run(&r, d, o);
	fill(f, &r, o->search.seed, first);
	mmm_result_free(&r);
	return 0;
}

int
mmm_stability_run(mmm_stability *st, const mmm_result *r,
    const mmm_data *d, const mmm_opts *o, char *err, size_t errsz)
{
	size_t k = r->prob.k, K = o->stability ? o->stability : 1;
	size_t W = o->windows;

	st->k = k;
	st->seeds = K;
	st->windows = W;
	st->nfit = K + W;
	st->fit = ecalloc(st->nfit, sizeof *st->fit);
	for (size_t i = 0; i < st->nfit; i++) {
		st->fit[i].roi = ecalloc(3 * k, sizeof *st->fit[i].roi);
		st->fit[i].mroi = st->fit[i].roi + k;
		st->fit[i].share = st->fit[i].roi + 2 * k;
	}
	fill(&st->fit[0], r, o->search.seed, 0);

	mmm_opts o2 = *o;
	o2.stability = 0;
	o2.windows = 0;
	o2.search.progress = NULL;
	for (size_t i = 1; i < K; i++) {
		o2.search.seed = o->search.seed + i;
		if (refit(&st->fit[i], d, &o2, 0, err, errsz) < 0)
			return -1;
	}
	o2.search.seed = o->search.seed;
	o2.part = 1;

	/* The windows: the same data from row first on, len rows. */
	const double **x = emalloc((d->k + 1) * sizeof *x);
	const double **ctl = emalloc((d->m + 1) * sizeof *ctl);
	int rc = 0;
	for (size_t j = 0; j < W && rc == 0; j++) {
		size_t first, len;
		mmm_stab_window(d->n, W, j, &first, &len);
		for (size_t c = 0; c < d->k; c++)
			x[c] = d->x[c] + first;
		for (size_t c = 0; c < d->m; c++)
			ctl[c] = d->ctl[c] + first;
		mmm_data dw = *d;
		dw.n = len;
		dw.y = d->y + first;
		dw.x = x;
		dw.ctl = ctl;
		dw.day = d->day + first;
		/* Lift tests are rows of the whole data: the window keeps
		 * those inside it, shifted to its rows. */
		lift_set lw = { NULL, 0 };
		if (o->lift) {
			lw.t = emalloc((o->lift->n + 1) * sizeof *lw.t);
			for (size_t t = 0; t < o->lift->n; t++) {
				lift_test e = o->lift->t[t];
				if (e.start < first || e.end >= first + len)
					continue;
				e.start -= first;
				e.end -= first;
				lw.t[lw.n++] = e;
			}
			o2.lift = lw.n ? &lw : NULL;
		}
		char msg[512];
		int bad = refit(&st->fit[K + j], &dw, &o2, first, msg,
		    sizeof msg) < 0;
		free(lw.t);
		if (bad) {
			char a[16], b[16];
			date_format(d->day[first], a);
			date_format(d->day[first + len - 1], b);
			snprintf(err, errsz, "--windows: window %zu (%s to "
			    "%s): %s", j + 1, a, b, msg);
			rc = -1;
		}
	}
	free(x);
	free(ctl);
	return rc;
}

void
mmm_stability_free(mmm_stability *st)
{
	if (!st || !st->fit)
		return;
	for (size_t i = 0; i < st->nfit; i++)
		free(st->fit[i].roi);
	free(st->fit);
	st->fit = NULL;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* min, median, max and coefficient of variation of v (m >= 2); NAN
 * throughout when a value is not a number. */
static void
spread(const double *v, size_t m, double out[4])
{
	double *s = emalloc(m * sizeof *s), sum = 0, ss = 0;

	for (size_t i = 0; i < m; i++) {
		if (isnan(v[i])) {
			free(s);
			out[0] = out[1] = out[2] = out[3] = NAN;
			return;
		}
		s[i] = v[i];
		sum += v[i];
	}
	qsort(s, m, sizeof *s, by_value);
	double mean = sum / (double)m;
	for (size_t i = 0; i < m; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	out[0] = s[0];
	out[1] = m % 2 ? s[m / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
	out[2] = s[m - 1];
	out[3] = sqrt(ss / (double)(m - 1)) / fabs(mean);
	free(s);
}

static const char *const what[3] = { "roi", "mroi", "allocation_share" };

static const double *
values(const mmm_stab_fit *f, int q)
{
	return q == 0 ? f->roi : q == 1 ? f->mroi : f->share;
}

void
mmm_stability_write(jsonw *w, const mmm_stability *st, const mmm_data *d)
{
	size_t k = st->k, m = st->nfit;
	double *v = emalloc(m * sizeof *v);
	char day[16];

	jw_obj(w);
	jw_key(w, "seeds");
	jw_int(w, (long long)st->seeds);
	jw_key(w, "windows");
	jw_int(w, (long long)st->windows);
	jw_key(w, "fits");
	jw_arr(w);
	for (size_t i = 0; i < m; i++) {
		const mmm_stab_fit *f = &st->fit[i];
		jw_obj(w);
		jw_key(w, "seed");
		jw_int(w, (long long)f->seed);
		jw_key(w, "rows");
		jw_int(w, (long long)f->rows);
		jw_key(w, "dates");
		jw_arr(w);
		date_format(d->day[f->first], day);
		jw_str(w, day);
		date_format(d->day[f->first + f->rows - 1], day);
		jw_str(w, day);
		jw_arr_end(w);
		jw_kv_num(w, "nrmse", f->nrmse);
		if (!isnan(f->nrmse_val))
			jw_kv_num(w, "nrmse_validation", f->nrmse_val);
		for (int q = 0; q < 3; q++) {
			jw_key(w, what[q]);
			jw_obj(w);
			for (size_t c = 0; c < k; c++)
				jw_kv_num(w, d->media[c], values(f, q)[c]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	for (int q = 0; q < 3; q++) {
		jw_key(w, what[q]);
		jw_obj(w);
		for (size_t c = 0; c < k; c++) {
			double s[4];
			for (size_t i = 0; i < m; i++)
				v[i] = values(&st->fit[i], q)[c];
			spread(v, m, s);
			jw_key(w, d->media[c]);
			jw_obj(w);
			jw_kv_num(w, "min", s[0]);
			jw_kv_num(w, "median", s[1]);
			jw_kv_num(w, "max", s[2]);
			jw_kv_num(w, "cv", s[3]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	free(v);
}
