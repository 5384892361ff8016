/* predpipe.c: mmm-predict's row loop, plain or as a reading thread beside a
 * predicting one, handing over batches of parsed doubles. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "predpipe.h"

/* Rows per batch and batches in flight: a batch of 16 features is 256 KB
 * of doubles, so four stay in the cache the two cores share; 512-row
 * batches cost a tenth more CPU in the sleeps and wake-ups of the handover
 * (five times the context switches) when the predicting thread waits. */
#define BATCH_ROWS 2048
#define NBATCH 4
#define BATCH_ERRSZ 1024

/* One batch, written by the reader, then read by the predictor: parsed
 * values only (handing over field offsets cost more than parsing did in
 * mmm-train's pipeline), and the bytes of the --keep fields. */
typedef struct batch {
	size_t n;		/* rows */
	int end;		/* 0 more follow, 1 end of input, -1 err after
				 * the n rows */
	int status;
	double *x, *raw, *y;	/* n x p, n x p (mmm models), n */
	long *line;		/* n */
	size_t *koff;		/* n x nkeep + 1: field starts in kb */
	char *kb;
	size_t kcap;
	char err[BATCH_ERRSZ];
} batch;

typedef struct pipeline {
	predictor *p;
	csv_reader *r;
	jsonl_reader *jl;
	size_t nf, nkeep;
	const size_t *keep;
	batch *b;
	pthread_mutex_t mu;
	pthread_cond_t ready, freed;
	size_t published, done;	/* batches, counted from the start */
} pipeline;

static int
next_record(csv_reader *r, jsonl_reader *jl, csv_record *rec, char *err,
    size_t errsz, int *status)
{
	return r ? csv_next(r, rec, err, errsz, status) : jsonl_next(jl, rec,
	    err, errsz, status);
}

/* Copy the --keep fields of rec as row i of b. */
static void
keep_fields(const pipeline *pl, batch *b, size_t i, const csv_record *rec)
{
	size_t *ko = b->koff + i * pl->nkeep, at = ko[0];

	for (size_t a = 0; a < pl->nkeep; a++) {
		size_t c = pl->keep[a], n = rec->len[c];
		if (n > b->kcap - at) {
			b->kcap = 2 * (at + n) + 256;
			b->kb = erealloc(b->kb, b->kcap);
		}
		memcpy(b->kb + at, rec->f[c], n);
		at += n;
		ko[a + 1] = at;
	}
}

/* Fill b with up to BATCH_ROWS rows; its end flag says what stopped it. */
static void
fill(pipeline *pl, batch *b)
{
	size_t nf = pl->nf;
	csv_record rec;

	b->n = 0;
	b->end = 0;
	b->koff[0] = 0;
	while (b->n < BATCH_ROWS) {
		int got = next_record(pl->r, pl->jl, &rec, b->err, sizeof b->err,
		    &b->status);
		if (got <= 0) {
			b->end = got == 0 ? 1 : -1;
			break;
		}
		size_t i = b->n;
		double *raw = b->raw ? b->raw + i * nf : b->x + i * nf;
		if (predict_parse(pl->p, &rec, b->x + i * nf, raw, b->y + i,
		    b->err, sizeof b->err) < 0) {
			b->status = EXIT_DATAERR;
			b->end = -1;
			break;
		}
		b->line[i] = rec.line;
		keep_fields(pl, b, i, &rec);
		b->n++;
	}
}

static void *
reader(void *arg)
{
	pipeline *pl = arg;

	for (size_t k = 0;; k++) {
		pthread_mutex_lock(&pl->mu);
		while (k - pl->done >= NBATCH)
			pthread_cond_wait(&pl->freed, &pl->mu);
		pthread_mutex_unlock(&pl->mu);
		batch *b = &pl->b[k % NBATCH];
		fill(pl, b);
		int end = b->end;
		pthread_mutex_lock(&pl->mu);
		pl->published = k + 1;
		pthread_cond_signal(&pl->ready);
		pthread_mutex_unlock(&pl->mu);
		if (end)
			return NULL;
	}
}

/* Predict and write the rows of b; its end flag. */
static int
drain(pipeline *pl, batch *b, out *o)
{
	const char *kf[pl->nkeep + 1];
	size_t kl[pl->nkeep + 1], nf = pl->nf;

	for (size_t i = 0; i < b->n; i++) {
		const size_t *ko = b->koff + i * pl->nkeep;
		for (size_t a = 0; a < pl->nkeep; a++) {
			kf[a] = b->kb + ko[a];
			kl[a] = ko[a + 1] - ko[a];
		}
		const double *x = b->x + i * nf;
		predict_emit(pl->p, x, b->raw ? b->raw + i * nf : x, b->y[i],
		    b->line[i], kf, kl, o);
	}
	return b->end;
}

/* 0 or -1 as predict_stream; 1 when the reading thread could not start
 * (nothing read: the caller runs the plain loop). */
static int
run_pipeline(pipeline *pl, out *o, char *err, size_t errsz, int *status)
{
	pthread_t tid;
	int end = 0, rc;

	if ((rc = pthread_mutex_init(&pl->mu, NULL)) != 0 ||
	    (rc = pthread_cond_init(&pl->ready, NULL)) != 0 ||
	    (rc = pthread_cond_init(&pl->freed, NULL)) != 0)
		dien(EXIT_INTERNAL, "cannot set up the reading thread: %s",
		    strerror(rc));
	if (pthread_create(&tid, NULL, reader, pl) != 0) {
		pthread_cond_destroy(&pl->freed);
		pthread_cond_destroy(&pl->ready);
		pthread_mutex_destroy(&pl->mu);
		return 1;
	}
	for (size_t k = 0; !end; k++) {
		pthread_mutex_lock(&pl->mu);
		while (pl->published <= k)
			pthread_cond_wait(&pl->ready, &pl->mu);
		pthread_mutex_unlock(&pl->mu);
		batch *b = &pl->b[k % NBATCH];
		end = drain(pl, b, o);
		if (end < 0) {
			snprintf(err, errsz, "%s", b->err);
			*status = b->status;
		}
		pthread_mutex_lock(&pl->mu);
		pl->done = k + 1;
		pthread_cond_signal(&pl->freed);
		pthread_mutex_unlock(&pl->mu);
	}
	pthread_join(tid, NULL);
	pthread_cond_destroy(&pl->freed);
	pthread_cond_destroy(&pl->ready);
	pthread_mutex_destroy(&pl->mu);
	return end < 0 ? -1 : 0;
}

/* Read, predict, write: one row at a time on this thread. */
static int
plain_loop(predictor *p, csv_reader *r, jsonl_reader *jl, out *o, char *err,
    size_t errsz, int *status)
{
	csv_record rec;
	int got;

	while ((got = next_record(r, jl, &rec, err, errsz, status)) > 0)
		if (predict_row(p, &rec, o, err, errsz) < 0) {
			*status = EXIT_DATAERR;
			return -1;
		}
	return got;
}

int
predict_stream(predictor *p, csv_reader *r, jsonl_reader *jl, out *o,
    int threads, char *err, size_t errsz, int *status)
{
	if (threads <= 1)
		return plain_loop(p, r, jl, o, err, errsz, status);
	pipeline pl = { .p = p, .r = r, .jl = jl, .nf = predict_nfeatures(p) };
	pl.keep = predict_keep(p, &pl.nkeep);
	pl.b = ecalloc(NBATCH, sizeof *pl.b);
	for (size_t k = 0; k < NBATCH; k++) {
		batch *b = &pl.b[k];
		b->x = ecalloc(BATCH_ROWS * pl.nf + 1, sizeof *b->x);
		if (predict_is_mmm(p))
			b->raw = ecalloc(BATCH_ROWS * pl.nf + 1, sizeof *b->raw);
		b->y = ecalloc(BATCH_ROWS, sizeof *b->y);
		b->line = ecalloc(BATCH_ROWS, sizeof *b->line);
		b->koff = ecalloc(BATCH_ROWS * pl.nkeep + 1, sizeof *b->koff);
		b->kcap = BATCH_ROWS * 16;
		b->kb = emalloc(b->kcap);
	}
	int rc = run_pipeline(&pl, o, err, errsz, status);
	if (rc > 0)
		rc = plain_loop(p, r, jl, o, err, errsz, status);
	for (size_t k = 0; k < NBATCH; k++) {
		batch *b = &pl.b[k];
		free(b->x);
		free(b->raw);
		free(b->y);
		free(b->line);
		free(b->koff);
		free(b->kb);
	}
	free(pl.b);
	return rc;
}
