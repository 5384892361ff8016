/* gram.c: A'A by fixed row blocks over threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "err.h"
#include "gram.h"

/* Rows per block: at least this many, and at most GRAM_MAX_BLOCKS blocks,
 * so that the partial products stay small beside A. */
#define GRAM_MIN_ROWS 65536
#define GRAM_MAX_BLOCKS 16
/* A source block is filled and used GRAM_SUB_ROWS rows at a time, so that
 * the rows filled are still in the core's cache when BLAS reads them
 * (4096 x 17 doubles: 560 kB). */
#define GRAM_SUB_ROWS 4096

size_t
gram_nblocks(size_t n, size_t *rows)
{
	size_t r = (n + GRAM_MAX_BLOCKS - 1) / GRAM_MAX_BLOCKS;

	if (r < GRAM_MIN_ROWS)
		r = GRAM_MIN_ROWS;
	*rows = r;
	return n ? (n + r - 1) / r : 0;
}

/* Run job(arg + t * size) for t < nt, on nt threads counting the caller's;
 * a thread that cannot start leaves its share to the caller. */
static void
run_threads(void *(*job)(void *), void *arg, size_t size, size_t nt)
{
	pthread_t *tid = emalloc(nt * sizeof *tid);
	size_t started = 1;

	for (size_t t = 1; t < nt; t++, started++)
		if (pthread_create(&tid[t], NULL, job, (char *)arg + t * size)
		    != 0)
			break;
	for (size_t t = started; t < nt; t++)
		job((char *)arg + t * size);
	job(arg);
	for (size_t t = 1; t < started; t++)
		pthread_join(tid[t], NULL);
	free(tid);
}

typedef struct gram_job {
	const double *a;
	size_t n, lda, k, rows, nb, t, nt;
	double *part;		/* nb blocks of k x k */
} gram_job;

static void *
gram_blocks(void *arg)
{
	const gram_job *j = arg;

	/* In the parts gram_each_block uses, so that the sums are the
	 * same. */
	for (size_t b = j->t; b < j->nb; b += j->nt) {
		size_t end = (b + 1) * j->rows < j->n ? (b + 1) * j->rows : j->n;
		for (size_t r0 = b * j->rows; r0 < end; r0 += GRAM_SUB_ROWS) {
			size_t m = end - r0 < GRAM_SUB_ROWS ? end - r0 :
			    GRAM_SUB_ROWS;
			cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans,
			    (int)j->k, (int)m, 1.0, j->a + r0, (int)j->lda,
			    r0 == b * j->rows ? 0.0 : 1.0,
			    j->part + b * j->k * j->k, (int)j->k);
		}
	}
	return NULL;
}

/* The upper triangle of the sum of the nb k x k parts, in block order. */
static void
sum_parts(const double *part, size_t nb, size_t k, double *g)
{
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i <= j; i++) {
			double s = 0;
			for (size_t b = 0; b < nb; b++)
				s += part[b * k * k + j * k + i];
			g[j * k + i] = s;
		}
}

void
gram_upper(const double *a, size_t n, size_t lda, size_t k, int threads,
    double *g)
{
	size_t rows, nb = gram_nblocks(n, &rows);
	size_t nt = threads > 1 ? (size_t)threads : 1;

	if (nb == 0 || k == 0) {
		cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)k,
		    (int)n, 1.0, a, (int)lda, 0.0, g, (int)k);
		return;
	}
	if (nt > nb)
		nt = nb;
	double *part = emalloc(nb * k * k * sizeof *part);
	gram_job *job = emalloc(nt * sizeof *job);
	for (size_t t = 0; t < nt; t++)
		job[t] = (gram_job){ a, n, lda, k, rows, nb, t, nt, part };
	run_threads(gram_blocks, job, sizeof *job, nt);
	sum_parts(part, nb, k, g);
	free(part);
	free(job);
}

typedef struct each_job {
	const gram_src *s;
	gram_block_fn *op;
	void *ctx;
	size_t rows, nb, t, nt;
} each_job;

static void *
each_blocks(void *arg)
{
	const each_job *j = arg;
	const gram_src *s = j->s;
	size_t rows = j->rows < s->n ? j->rows : s->n;
	double *a;

	if (rows > GRAM_SUB_ROWS)
		rows = GRAM_SUB_ROWS;
	a = emalloc((rows ? rows : 1) * (s->kc ? s->kc : 1) * sizeof *a);
	for (size_t b = j->t; b < j->nb; b += j->nt) {
		size_t end = (b + 1) * j->rows < s->n ? (b + 1) * j->rows : s->n;
		for (size_t r0 = b * j->rows; r0 < end; r0 += GRAM_SUB_ROWS) {
			size_t m = end - r0 < GRAM_SUB_ROWS ? end - r0 :
			    GRAM_SUB_ROWS;
			if (s->fill)
				s->fill(s->ctx, r0, m, a);
			j->op(j->ctx, b, r0, m, a);
		}
	}
	free(a);
	return NULL;
}

void
gram_each_block(const gram_src *s, int threads, gram_block_fn *op,
    void *ctx)
{
	size_t rows, nb = gram_nblocks(s->n, &rows);
	size_t nt = threads > 1 ? (size_t)threads : 1;

	if (nb == 0)
		return;
	if (nt > nb)
		nt = nb;
	each_job *job = emalloc(nt * sizeof *job);
	for (size_t t = 0; t < nt; t++)
		job[t] = (each_job){ s, op, ctx, rows, nb, t, nt };
	run_threads(each_blocks, job, sizeof *job, nt);
	free(job);
}

void
gram_each_rows(size_t n, size_t kc, int threads, gram_block_fn *op,
    void *ctx)
{
	gram_src s = { n, kc, NULL, NULL };

	gram_each_block(&s, threads, op, ctx);
}

typedef struct src_gram {
	const double *tri;
	size_t kt, kc, rows;
	double *part;
} src_gram;

static void
src_gram_block(void *ctx, size_t b, size_t r0, size_t m, double *a)
{
	const src_gram *g = ctx;

	if (g->tri)
		cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper,
		    CblasNoTrans, CblasNonUnit, (int)m, (int)g->kt, 1.0,
		    g->tri, (int)g->kt, a, (int)m);
	cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)g->kc,
	    (int)m, 1.0, a, (int)m, r0 == b * g->rows ? 0.0 : 1.0,
	    g->part + b * g->kc * g->kc, (int)g->kc);
}

void
gram_upper_src(const gram_src *s, const double *tri, size_t kt,
    int threads, double *g)
{
	size_t rows, nb = gram_nblocks(s->n, &rows), kc = s->kc;
	src_gram sg = { tri, kt, kc, rows, NULL };

	if (nb == 0 || kc == 0) {
		for (size_t j = 0; j < kc; j++)
			for (size_t i = 0; i <= j; i++)
				g[j * kc + i] = 0;
		return;
	}
	/* The inverse once, then a triangular product per part: half the
	 * time of a triangular solve per part, and as accurate for the
	 * CholeskyQR2 preconditioner it serves. */
	double *inv = NULL;
	if (tri) {
		inv = ecalloc(kt * kt, sizeof *inv);
		for (size_t j = 0; j < kt; j++)
			inv[j * kt + j] = 1;
		cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper,
		    CblasNoTrans, CblasNonUnit, (int)kt, (int)kt, 1.0, tri,
		    (int)kt, inv, (int)kt);
		sg.tri = inv;
	}
	sg.part = emalloc(nb * kc * kc * sizeof *sg.part);
	gram_each_block(s, threads, src_gram_block, &sg);
	sum_parts(sg.part, nb, kc, g);
	free(sg.part);
	free(inv);
}
