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

typedef struct gram_job {
	const double *a;
	size_t n, lda, k, rows, nb, t, nt;
	double *part;		/* nb blocks of k x k */
} gram_job;

static void *
gram_blocks(void *arg)
{
	const gram_job *j = arg;

	for (size_t b = j->t; b < j->nb; b += j->nt) {
		size_t r0 = b * j->rows;
		size_t m = j->n - r0 < j->rows ? j->n - r0 : j->rows;
		cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)j->k,
		    (int)m, 1.0, j->a + r0, (int)j->lda, 0.0,
		    j->part + b * j->k * j->k, (int)j->k);
	}
	return NULL;
}

void
gram_upper(const double *a, size_t n, size_t lda, size_t k, int threads,
    double *g)
{
	size_t rows = (n + GRAM_MAX_BLOCKS - 1) / GRAM_MAX_BLOCKS;
	size_t nb, nt = threads > 1 ? (size_t)threads : 1, started = 1;

	if (rows < GRAM_MIN_ROWS)
		rows = GRAM_MIN_ROWS;
	nb = n ? (n + rows - 1) / rows : 0;
	if (nb <= 1 || k == 0) {
		cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)k,
		    (int)n, 1.0, a, (int)lda, 0.0, g, (int)k);
		return;
	}
	if (nt > nb)
		nt = nb;
	double *part = emalloc(nb * k * k * sizeof *part);
	pthread_t *tid = emalloc(nt * sizeof *tid);
	gram_job *job = emalloc(nt * sizeof *job);
	for (size_t t = 0; t < nt; t++)
		job[t] = (gram_job){ a, n, lda, k, rows, nb, t, nt, part };
	/* A thread that cannot start leaves its blocks to this one. */
	for (size_t t = 1; t < nt; t++, started++)
		if (pthread_create(&tid[t], NULL, gram_blocks, &job[t]) != 0)
			break;
	for (size_t t = started; t < nt; t++)
		gram_blocks(&job[t]);
	gram_blocks(&job[0]);
	for (size_t t = 1; t < started; t++)
		pthread_join(tid[t], NULL);
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i <= j; i++) {
			double s = 0;
			for (size_t b = 0; b < nb; b++)
				s += part[b * k * k + j * k + i];
			g[j * k + i] = s;
		}
	free(part);
	free(tid);
	free(job);
}
