/* modelfit.c: fitting, cross-validation and training metrics of the linear
 * kinds, on the numerics of ols.c, ridge.c and bayesridge.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "gram.h"
#include "model.h"
#include "split.h"

/* OpenBLAS's own (mmm-train links it).  Its pthread build starts a
 * server thread per extra core when it loads, and each one spins for about
 * 2^28 cycles (0.1 s) before it sleeps, taking a core from our own threads:
 * shut them down (weak: absent from the serial and OpenMP builds). */
extern void openblas_set_num_threads(int n);
extern int blas_thread_shutdown_(void) __attribute__((weak));

void
model_blas_single(void)
{
	openblas_set_num_threads(1);
	if (blas_thread_shutdown_)
		blas_thread_shutdown_();
}

static int
fail(char *err, size_t errsz, const char *msg)
{
	snprintf(err, errsz, "%s", msg);
	return -1;
}

int
model_fit_run(model_fit *f, const model_spec *s, const model_data *d,
    char *err, size_t errsz)
{
	ridge_problem pr = { d->X, d->y, d->w, d->n, d->p, s->intercept,
		s->threads };
	const char *msg = NULL;

	memset(f, 0, sizeof *f);
	f->kind = s->kind;
	f->p = d->p;
	f->threads = s->threads;
	f->coef = ecalloc(d->p ? d->p : 1, sizeof *f->coef);
	f->lambda = NAN;
	if (s->kind == MODEL_OLS) {
		ols_input in = { d->n, d->p, d->X, d->y, d->w, d->names,
			s->intercept, s->level, s->threads, &f->train };
		if (ols_fit(&in, &f->ols, err, errsz) < 0)
			return -1;
		/* From its residual pass: no pass of its own. */
		f->train_X = d->X;
		size_t ic = s->intercept ? 1 : 0;
		for (size_t j = 0; j < d->p; j++)
			f->coef[j] = f->ols->coef[j + ic];
		f->intercept = ic ? f->ols->coef[0] : 0;
		return 0;
	}
	if (s->kind == MODEL_BAYES) {
		if ((msg = bayesridge_fit(&f->br, &pr, &s->bayes)))
			return fail(err, errsz, msg);
		memcpy(f->coef, f->br.coef, d->p * sizeof *f->coef);
		f->intercept = f->br.intercept;
		return 0;
	}
	f->lambda = s->lambda;
	if (isnan(s->lambda)) {
		f->ngrid = RIDGE_GRID_N;
		f->grid = emalloc(RIDGE_GRID_N * sizeof *f->grid);
		f->loo = emalloc(RIDGE_GRID_N * sizeof *f->loo);
		msg = ridge_cv(&pr, NULL, 0, &f->lambda, f->grid, f->loo,
		    f->coef, &f->intercept);
	}
	if (!msg && s->positive)
		msg = ridge_fit_nonneg(&pr, f->lambda, s->positive, f->coef,
		    &f->intercept, NULL);
	else if (!msg && !isnan(s->lambda))
		msg = ridge_fit(&pr, f->lambda, f->coef, &f->intercept);
	return msg ? fail(err, errsz, msg) : 0;
}

void
model_fit_predict(const model_fit *f, const double *X, size_t nrow,
    double *yhat)
{
	for (size_t i = 0; i < nrow; i++)
		yhat[i] = f->intercept;
	for (size_t j = 0; j < f->p; j++)
		for (size_t i = 0; i < nrow; i++)
			yhat[i] += f->coef[j] * X[j * nrow + i];
}

void
model_fit_free(model_fit *f)
{
	free(f->coef);
	ols_free(f->ols);
	if (f->kind == MODEL_BAYES)
		bayesridge_free(&f->br);
	free(f->grid);
	free(f->loo);
	memset(f, 0, sizeof *f);
}

/* The rows of d with sel[i] set, column-major, into s (arrays allocated). */
static void
subset(const model_data *d, const unsigned char *sel, size_t m,
    model_data *s)
{
	double *X = emalloc((d->p ? d->p : 1) * m * sizeof *X);
	double *y = emalloc(m * sizeof *y), *w = NULL;

	if (d->w)
		w = emalloc(m * sizeof *w);
	for (size_t i = 0, r = 0; i < d->n; i++) {
		if (!sel[i])
			continue;
		for (size_t j = 0; j < d->p; j++)
			X[j * m + r] = d->X[j * d->n + i];
		y[r] = d->y[i];
		if (w)
			w[r] = d->w[i];
		r++;
	}
	*s = (model_data){ X, y, w, m, d->p, d->names };
}

static void
subset_free(model_data *s)
{
	free((double *)s->X);
	free((double *)s->y);
	free((double *)s->w);
}

int
model_cv_run(model_cv *cv, const model_spec *s, const model_data *d,
    const long *day, size_t k, char *err, size_t errsz)
{
	split_periods per;
	size_t size, *pi = emalloc(d->n * sizeof *pi);
	unsigned char *sel = emalloc(d->n);
	char msg[512];
	int rc = 0;

	memset(cv, 0, sizeof *cv);
	split_periods_build(&per, day, d->n);
	if (split_folds_check(per.n, k, 0, 0, &size, msg, sizeof msg) < 0) {
		snprintf(err, errsz, "--cv %zu: %s", k, msg);
		rc = -1;
		goto out;
	}
	cv->k = k;
	cv->fold = ecalloc(k, sizeof *cv->fold);
	cv->ntrain = ecalloc(k, sizeof *cv->ntrain);
	cv->nvalid = ecalloc(k, sizeof *cv->nvalid);
	cv->range = ecalloc(k, sizeof *cv->range);
	for (size_t i = 0; i < d->n; i++)
		pi[i] = split_period_index(&per, day[i]);
	for (size_t f = 0; f < k && rc == 0; f++) {
		split_layout l;
		model_data tr, va;
		model_fit fit;
		double base = 0, *yhat;

		split_fold(per.n, k, 0, size, 0, f, &l);
		for (size_t i = 0; i < d->n; i++)
			sel[i] = pi[i] >= l.lo[SPLIT_TRAIN] &&
			    pi[i] < l.hi[SPLIT_TRAIN];
		for (size_t i = 0; i < d->n; i++)
			cv->ntrain[f] += sel[i];
		subset(d, sel, cv->ntrain[f], &tr);
		for (size_t i = 0; i < d->n; i++)
			sel[i] = pi[i] >= l.lo[SPLIT_TEST] &&
			    pi[i] < l.hi[SPLIT_TEST];
		for (size_t i = 0; i < d->n; i++)
			cv->nvalid[f] += sel[i];
		subset(d, sel, cv->nvalid[f], &va);
		cv->range[f][0] = per.day[l.lo[SPLIT_TEST]];
		cv->range[f][1] = per.day[l.hi[SPLIT_TEST] - 1];
		if (model_fit_run(&fit, s, &tr, msg, sizeof msg) < 0) {
			/* Early folds are short: a column constant or
			 * collinear there may be fine over every row. */
			snprintf(err, errsz, "--cv fold %zu: %s in its %zu "
			    "train rows (fewer folds give the early folds more "
			    "rows%s)", f + 1, msg, tr.n, s->kind == MODEL_OLS ?
			    "; ridge and bayes fit such folds" : "");
			rc = -1;
		} else {
			for (size_t i = 0; i < tr.n; i++)
				base += tr.y[i];
			base /= (double)tr.n;
			yhat = emalloc(va.n * sizeof *yhat);
			model_fit_predict(&fit, va.X, va.n, yhat);
			metrics_compute(va.y, yhat, va.n, base, &cv->fold[f]);
			free(yhat);
		}
		model_fit_free(&fit);
		subset_free(&tr);
		subset_free(&va);
	}
	for (int m = 0; rc == 0 && m < METRICS_N; m++) {
		double sum = 0, ss = 0, v[METRICS_N];
		for (size_t f = 0; f < k; f++) {
			metrics_values(&cv->fold[f], v);
			sum += v[m];
		}
		cv->mean[m] = sum / (double)k;
		for (size_t f = 0; f < k; f++) {
			metrics_values(&cv->fold[f], v);
			ss += (v[m] - cv->mean[m]) * (v[m] - cv->mean[m]);
		}
		cv->sd[m] = sqrt(ss / (double)k);
	}
out:
	split_periods_free(&per);
	free(pi);
	free(sel);
	return rc;
}

void
model_cv_free(model_cv *cv)
{
	free(cv->fold);
	free(cv->ntrain);
	free(cv->nvalid);
	free(cv->range);
	memset(cv, 0, sizeof *cv);
}

/* --- writing ------------------------------------------------------------ */

/* The predictions of a part of the rows (in cache) and their metrics,
 * into the part's accumulator. */
typedef struct train_pass {
	const model_fit *f;
	const model_data *d;
	metrics_acc *part;
} train_pass;

static void
train_block(void *ctx, size_t b, size_t r0, size_t m, double *yhat)
{
	const train_pass *t = ctx;
	const model_fit *f = t->f;
	size_t n = t->d->n;

	for (size_t i = 0; i < m; i++)
		yhat[i] = f->intercept;
	for (size_t j = 0; j < f->p; j++) {
		const double *x = t->d->X + j * n + r0;
		for (size_t i = 0; i < m; i++)
			yhat[i] += f->coef[j] * x[i];
	}
	metrics_acc_add(&t->part[b], t->d->y + r0, yhat, m);
}

void
model_train_metrics(const model_fit *f, const model_data *d, metrics *tr)
{
	size_t rows, nb = gram_nblocks(d->n, &rows);
	train_pass t = { f, d, emalloc((nb ? nb : 1) * sizeof *t.part) };
	metrics_acc a;

	if (f->train_X && f->train_X == d->X && f->train.n == d->n) {
		*tr = f->train;
		free(t.part);
		return;
	}
	/* One pass: the rows' predictions never stored; the baseline is
	 * the mean of y. */
	for (size_t b = 0; b < nb; b++)
		metrics_acc_init(&t.part[b]);
	gram_each_rows(d->n, 1, f->threads, train_block, &t);
	metrics_acc_init(&a);
	for (size_t b = 0; b < nb; b++)
		metrics_acc_merge(&a, &t.part[b]);
	metrics_acc_finish(&a, a.y.mean, tr);
	free(t.part);
}

void
model_valid_metrics(const model_fit *f, const model_data *d,
    const model_data *v, metrics *m)
{
	double *yhat = emalloc(v->n * sizeof *yhat), ybar = 0;

	model_fit_predict(f, v->X, v->n, yhat);
	for (size_t i = 0; i < d->n; i++)
		ybar += d->y[i];
	metrics_compute(v->y, yhat, v->n, ybar / (double)d->n, m);
	free(yhat);
}
