/*
 * bench_fit.c: in-process timing of our fits on generated data -- ols_fit
 * with every statistic, bayesridge_fit with scikit-learn's defaults and
 * ridge_fit at lambda 1 (Ridge's default alpha) -- on ROWS x 20 and on
 * ROWS x 10.
 *
 *	cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Icommon \
 *	    bench/bench_fit.c build/opt/libmmm.a \
 *	    -lcsv -ljansson -lgsl -lopenblas -lm -o bench_fit
 *	./bench_fit [--rows N] [--repeat R] [--dump PATH] [--coef PATH]
 *
 * --rows N	rows (default 1000000)
 * --repeat R	best of R runs per case (default $BENCH_FIT_REPEAT, else 3)
 * --dump PATH	write the data for bench/fit_peer.py: little-endian
 *		doubles, column-major, the 20 feature columns of N values
 *		each, then y20 (N), then y10 (N); 22 N doubles in all.  The
 *		10-feature problem is the first 10 columns with y10.
 * --coef PATH	write what ours found, one line per quantity:
 *		"name<TAB>v1<TAB>v2..." in %.17g, the intercept first
 *		(ols-p20-coef, ols-p20-se, ols-p20-vif, ols-p20-stats,
 *		bayes-p20-coef, ridge-p20-coef, the same for p10)
 *
 * As mmm-train: OpenBLAS on one thread (model_blas_single), ols_fit's own
 * passes on the online CPUs.
 *
 * Prints a header, then "case<TAB>rows<TAB>ours_s" per case; run.sh fills
 * in the peer's time.  The 20-feature cases are fit-ols-inproc,
 * fit-bayes-inproc and fit-ridge-inproc; the 10-feature ones carry a -p10
 * suffix.  ols_fit always computes the VIFs, so its time serves both
 * fit-ols-inproc and fit-ols-vif-inproc (run.sh pairs them with the peer
 * with and without VIF).
 *
 * The data: fixed-seed splitmix64; row factor f ~ U(0,1) shared by all the
 * columns of a row; x_j = (j + 1) (u_ij + 0.5 f_i) with u ~ U(0,1), so the
 * columns are correlated (VIF ~ 4) and of different scales;
 * y = 1 + sum_j b_j x_j + e with b_j = (-1)^j (0.2 + 0.1 j) / (j + 1) and
 * e ~ N(0, 1) by Box-Muller.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"
#include "bayesridge.h"
#include "model.h"
#include "ols.h"
#include "ridge.h"

#define PMAX	20
#define PSMALL	10

static double
gauss(uint64_t *s)
{
	double u1 = 1 - rng_unit(s), u2 = rng_unit(s);	/* u1 in (0, 1] */

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
beta(size_t j)
{
	return (j % 2 ? -1 : 1) * (0.2 + 0.1 * (double)j) / (double)(j + 1);
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_fit: %s: %s\n", what, msg);
	exit(1);
}

static void
putv(FILE *f, const char *name, double first, const double *v, size_t n)
{
	fprintf(f, "%s", name);
	if (!isnan(first))
		fprintf(f, "\t%.17g", first);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\t%.17g", v[i]);
	fputc('\n', f);
}

/* All three fits on the first p columns with target y, best of repeat. */
static void
bench(const double *X, const double *y, size_t n, size_t p, int repeat,
    FILE *coef)
{
	const char *suffix = p == PMAX ? "" : "-p10";
	char name[64], err[256];
	double best_ols = INFINITY, best_bay = INFINITY, best_rid = INFINITY;
	double *rc = malloc(p * sizeof *rc), ri = 0;
	ols_input in = { .n = n, .p = p, .X = X, .y = y, .w = NULL,
	    .names = NULL, .intercept = 1, .level = 0.95,
	    .threads = (int)sysconf(_SC_NPROCESSORS_ONLN) };	/* as mmm-train */
	ridge_problem pr = { .X = X, .y = y, .w = NULL, .n = n, .p = p,
	    .fit_intercept = 1, .threads = in.threads };	/* as mmm-train */
	bayesridge_opts bo;
	ols_result *r = NULL;
	bayesridge m;
	const char *e;

	if (rc == NULL)
		die("malloc", "out of memory");
	bayesridge_opts_default(&bo);
	for (int k = 0; k < repeat; k++) {
		double t0, t1, t2, t3;

		if (r != NULL)
			ols_free(r);
		t0 = now();
		if (ols_fit(&in, &r, err, sizeof err) != 0)
			die("ols_fit", err);
		t1 = now();
		if (k > 0)
			bayesridge_free(&m);
		if ((e = bayesridge_fit(&m, &pr, &bo)) != NULL)
			die("bayesridge_fit", e);
		t2 = now();
		if ((e = ridge_fit(&pr, 1.0, rc, &ri)) != NULL)
			die("ridge_fit", e);
		t3 = now();
		best_ols = fmin(best_ols, t1 - t0);
		best_bay = fmin(best_bay, t2 - t1);
		best_rid = fmin(best_rid, t3 - t2);
	}
	printf("fit-ols-inproc%s\t%zu\t%.6f\n", suffix, n, best_ols);
	printf("fit-ols-vif-inproc%s\t%zu\t%.6f\n", suffix, n, best_ols);
	printf("fit-bayes-inproc%s\t%zu\t%.6f\n", suffix, n, best_bay);
	printf("fit-ridge-inproc%s\t%zu\t%.6f\n", suffix, n, best_rid);
	fflush(stdout);
	if (coef != NULL) {
		double st[] = { r->r2, r->r2_adj, r->fvalue, r->llf, r->aic,
		    r->bic, r->dw, r->jb, r->cond };

		snprintf(name, sizeof name, "ols-p%zu-coef", p);
		putv(coef, name, NAN, r->coef, r->k);
		snprintf(name, sizeof name, "ols-p%zu-se", p);
		putv(coef, name, NAN, r->se, r->k);
		snprintf(name, sizeof name, "ols-p%zu-vif", p);
		putv(coef, name, NAN, r->vif, r->p);
		/* r2 r2_adj F llf aic bic dw jb cond */
		snprintf(name, sizeof name, "ols-p%zu-stats", p);
		putv(coef, name, NAN, st, sizeof st / sizeof st[0]);
		snprintf(name, sizeof name, "bayes-p%zu-coef", p);
		putv(coef, name, m.intercept, m.coef, p);
		snprintf(name, sizeof name, "ridge-p%zu-coef", p);
		putv(coef, name, ri, rc, p);
	}
	ols_free(r);
	bayesridge_free(&m);
	free(rc);
}

int
main(int argc, char **argv)
{
	size_t n = 1000000;
	int repeat = 3;
	const char *dump = NULL, *coefpath = NULL, *env;
	uint64_t s = 0x62656e6368666974;	/* "benchfit" */
	double *X, *y20, *y10;
	FILE *coef = NULL;

	model_blas_single();

	if ((env = getenv("BENCH_FIT_REPEAT")) != NULL && atoi(env) > 0)
		repeat = atoi(env);
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--rows") == 0)
			n = (size_t)strtoull(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--repeat") == 0)
			repeat = atoi(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--dump") == 0)
			dump = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--coef") == 0)
			coefpath = argv[++i];
		else {
			fprintf(stderr, "usage: bench_fit [--rows N] "
			    "[--repeat R] [--dump PATH] [--coef PATH]\n");
			return 64;
		}
	}
	if (n < 100 || repeat < 1)
		die("arguments", "need --rows >= 100 and --repeat >= 1");

	X = malloc((PMAX + 2) * n * sizeof *X);
	if (X == NULL)
		die("malloc", "out of memory");
	y20 = X + PMAX * n;
	y10 = y20 + n;
	for (size_t i = 0; i < n; i++) {
		double f = 0.5 * rng_unit(&s), lin = 1;

		for (size_t j = 0; j < PMAX; j++) {
			double x = (double)(j + 1) * (rng_unit(&s) + f);

			X[j * n + i] = x;
			lin += beta(j) * x;
			if (j + 1 == PSMALL)
				y10[i] = lin;
		}
		y20[i] = lin + gauss(&s);
		y10[i] += gauss(&s);
	}
	if (dump != NULL) {
		FILE *f = fopen(dump, "wb");

		if (f == NULL ||
		    fwrite(X, sizeof *X, (PMAX + 2) * n, f) != (PMAX + 2) * n ||
		    fclose(f) != 0)
			die(dump, "cannot write");
	}
	if (coefpath != NULL && (coef = fopen(coefpath, "w")) == NULL)
		die(coefpath, "cannot write");

	printf("case\trows\tours_s\n");
	bench(X, y20, n, PMAX, repeat, coef);
	bench(X, y10, n, PSMALL, repeat, coef);
	if (coef != NULL && fclose(coef) != 0)
		die(coefpath, "cannot write");
	free(X);
	return 0;
}
