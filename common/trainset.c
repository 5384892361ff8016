/* trainset.c: the table and the design mmm-train fits on. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "num.h"
#include "stats.h"
#include "trainset.h"

static int
need_col(const csv_reader *r, const char *what, const char *c, long *i,
    char *err, size_t errsz, int *status)
{
	if ((*i = csv_col(r, c)) < 0)
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s: %s column "
		    "\"%s\" is not in the header", csv_name(r), what, c);
	return 0;
}

static void
add_col(trainset *t, size_t idx, int role)
{
	for (size_t k = 0; k < t->nc; k++)
		if (t->c[k].idx == idx) {
			if (role > t->c[k].role)
				t->c[k].role = role;
			return;
		}
	t->c = ereallocarray(t->c, t->nc + 1, sizeof *t->c);
	t->c[t->nc++] = (trainset_col){ idx, role, role ? 1 : -1, 0, NULL,
		{ 0, 0, 0, 0, 0 } };
}

static int
choose_columns(trainset *t, const csv_reader *r, const trainset_opts *o,
    char *err, size_t errsz, int *status)
{
	long ti, wi = -1, di;
	size_t *idx = NULL, nidx = 0;
	char msg[512];

	if (need_col(r, "target", o->target, &ti, err, errsz, status) < 0 ||
	    (o->weights && need_col(r, "weights", o->weights, &wi, err, errsz,
	    status) < 0))
		return -1;
	t->date_idx = csv_col(r, o->date_col);
	if (o->date_given && t->date_idx < 0)
		return need_col(r, "date", o->date_col, &di, err, errsz,
		    status);
	if (o->features) {
		if (cols_resolve(o->features, csv_colnames(r), csv_ncols(r), 0,
		    &idx, &nidx, msg, sizeof msg) < 0) {
			free(idx);
			return err_fail(err, errsz, status, EXIT_DATAERR,
			    "%s: --features: %s", t->name, msg);
		}
		for (size_t k = 0; k < nidx; k++) {
			if ((long)idx[k] == ti || (long)idx[k] == wi ||
			    (long)idx[k] == t->date_idx) {
				err_fail(err, errsz, status, EXIT_USAGE,
				    "--features: \"%s\" is the target, the "
				    "weights or the date",
				    csv_colname(r, idx[k]));
				free(idx);
				return -1;
			}
			add_col(t, idx[k], 1);
		}
		free(idx);
	} else {
		for (size_t k = 0; k < csv_ncols(r); k++)
			if ((long)k != ti && (long)k != wi &&
			    (long)k != t->date_idx)
				add_col(t, k, 0);
	}
	add_col(t, (size_t)ti, 2);
	if (wi >= 0)
		add_col(t, (size_t)wi, 2);
	return 0;
}

static void
grow(trainset *t)
{
	t->cap = t->cap ? 2 * t->cap : 1024;
	for (size_t k = 0; k < t->nc; k++)
		t->c[k].v = ereallocarray(t->c[k].v, t->cap, sizeof(double));
	t->line = ereallocarray(t->line, t->cap, sizeof(long));
	if (t->date_idx >= 0)
		t->day = ereallocarray(t->day, t->cap, sizeof(long));
}

static void moments_of(moments *m, const double *v, size_t n);

/* Rows per batch: of the reading pipeline, and of the columns' moments
 * (the same batches whatever the threads, for the same bytes). */
#define PIPE_ROWS 4096

/* The moments of rows [mdone, n) merged into each column's, while the
 * values are still in the cache. */
static void
batch_moments(trainset *t)
{
	for (size_t k = 0; k < t->nc; k++) {
		trainset_col *c = &t->c[k];
		moments b;
		if (c->numeric == 0 && c->nmiss == t->n)
			continue;	/* text: no numbers */
		moments_of(&b, c->v + t->mdone, t->n - t->mdone);
		mom_merge(&c->mom, &b);
	}
	t->mdone = t->n;
}

/* One record into row t->n: f[k], len[k] the field of column t->c[k],
 * f[t->nc] the date's. */
static int
read_row(trainset *t, const csv_reader *r, const char *const *f,
    const size_t *len, long line, const trainset_opts *o, char *err,
    size_t errsz, int *status)
{
	char fb[MSGFIELD_SIZE];

	t->line[t->n] = line;
	if (t->date_idx >= 0) {
		long sec;
		if (date_parse(f[t->nc], len[t->nc], &t->day[t->n], &sec) < 0)
			return err_fail(err, errsz, status, EXIT_DATAERR,
			    "%s:%ld: column \"%s\": \"%s\" is not a date",
			    t->name, line, o->date_col,
			    msg_field(fb, f[t->nc], len[t->nc]));
	}
	for (size_t k = 0; k < t->nc; k++) {
		trainset_col *c = &t->c[k];
		double x = NAN;
		if (c->numeric == 0 || csv_is_missing(f[k], len[k])) {
			c->v[t->n] = NAN;
			c->nmiss++;
			continue;
		}
		/* One parse per value: it is most of the reading's cost. */
		int bad = num_parse(f[k], len[k], &x) < 0;
		if (bad && c->numeric < 0) {
			c->numeric = 0;	/* a text column */
			x = NAN;
			c->nmiss++;
		} else if (bad || !isfinite(x)) {
			return err_fail(err, errsz, status, EXIT_DATAERR,
			    "%s:%ld: column \"%s\": \"%s\" is not a finite "
			    "number", t->name, line, csv_colname(r, c->idx),
			    msg_field(fb, f[k], len[k]));
		} else {
			c->numeric = 1;
		}
		c->v[t->n] = x;
	}
	t->n++;
	if (t->n - t->mdone == PIPE_ROWS)
		batch_moments(t);
	return 0;
}

/*
 * With two threads or more the reading is a pipeline: this thread splits
 * the records (and hashes the bytes), copying the used fields of
 * PIPE_ROWS records at a time into a batch; a second thread parses the
 * batches in order into the table.  The rows, values and the first error
 * are those of the one-thread loop: a CSV error is reported only after
 * the rows before it parsed without one.
 */
#define PIPE_SLOTS 4

typedef struct batch {
	size_t rows;
	char *bytes;
	size_t nbytes, cap;
	size_t *off, *len;	/* rows x nf */
	long *line;
} batch;

typedef struct pipe {
	trainset *t;
	const csv_reader *r;
	const trainset_opts *o;
	size_t nf;
	batch b[PIPE_SLOTS];
	int full[PIPE_SLOTS];
	size_t head, tail;	/* next to fill, next to parse */
	int done, failed;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char err[1024];
	int status;
} pipe;

static void *
pipe_parse(void *arg)
{
	pipe *pp = arg;
	const char **f = emalloc(pp->nf * sizeof *f);

	for (;;) {
		pthread_mutex_lock(&pp->mu);
		while (!pp->full[pp->tail % PIPE_SLOTS] && !pp->done)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (!pp->full[pp->tail % PIPE_SLOTS]) {
			pthread_mutex_unlock(&pp->mu);
			break;
		}
		pthread_mutex_unlock(&pp->mu);
		batch *b = &pp->b[pp->tail % PIPE_SLOTS];
		int bad = 0;
		for (size_t i = 0; i < b->rows && !bad; i++) {
			trainset *t = pp->t;
			for (size_t k = 0; k < pp->nf; k++)
				f[k] = b->bytes + b->off[i * pp->nf + k];
			if (t->n == t->cap)
				grow(t);
			bad = read_row(t, pp->r, f, b->len + i * pp->nf,
			    b->line[i], pp->o, pp->err, sizeof pp->err,
			    &pp->status) < 0;
		}
		pthread_mutex_lock(&pp->mu);
		pp->full[pp->tail % PIPE_SLOTS] = 0;
		pp->tail++;
		pp->failed = bad;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
		if (bad)
			break;
	}
	free(f);
	return NULL;
}

/* Hand the batch being filled to the parser; 0, or -1 when it failed. */
static int
pipe_push(pipe *pp)
{
	int failed;

	pthread_mutex_lock(&pp->mu);
	pp->full[pp->head % PIPE_SLOTS] = 1;
	pp->head++;
	pthread_cond_broadcast(&pp->cv);
	while (pp->full[pp->head % PIPE_SLOTS] && !pp->failed)
		pthread_cond_wait(&pp->cv, &pp->mu);
	failed = pp->failed;
	pthread_mutex_unlock(&pp->mu);
	pp->b[pp->head % PIPE_SLOTS].rows = 0;
	pp->b[pp->head % PIPE_SLOTS].nbytes = 0;
	return failed ? -1 : 0;
}

/* Copy the used fields of rec into the batch being filled. */
static void
pipe_add(pipe *pp, const csv_record *rec)
{
	batch *b = &pp->b[pp->head % PIPE_SLOTS];
	const trainset *t = pp->t;
	size_t i = b->rows, need = 0;

	/* A record read in place has its fields inside its raw bytes: one
	 * copy of the line; otherwise the used fields one by one. */
	if (rec->raw)
		need = rec->rawlen;
	else
		for (size_t k = 0; k < pp->nf; k++)
			need += rec->len[k < t->nc ? t->c[k].idx :
			    (size_t)t->date_idx];
	if (b->nbytes + need > b->cap) {
		while (b->nbytes + need > b->cap)
			b->cap = b->cap ? 2 * b->cap : 65536;
		b->bytes = erealloc(b->bytes, b->cap);
	}
	if (rec->raw)
		memcpy(b->bytes + b->nbytes, rec->raw, need);
	for (size_t k = 0; k < pp->nf; k++) {
		size_t c = k < t->nc ? t->c[k].idx : (size_t)t->date_idx;
		size_t n = rec->len[c];
		if (rec->raw) {
			b->off[i * pp->nf + k] = b->nbytes +
			    (size_t)(rec->f[c] - rec->raw);
		} else {
			memcpy(b->bytes + b->nbytes, rec->f[c], n);
			b->off[i * pp->nf + k] = b->nbytes;
			b->nbytes += n;
		}
		b->len[i * pp->nf + k] = n;
	}
	if (rec->raw)
		b->nbytes += need;
	b->line[i] = rec->line;
	b->rows++;
}

/* Read every record through the pipeline: 0, -1 with err, or 1 when no
 * thread could start (nothing read). */
static int
read_piped(trainset *t, csv_reader *r, const trainset_opts *o, size_t nf,
    char *err, size_t errsz, int *status)
{
	pipe *pp = ecalloc(1, sizeof *pp);
	pthread_t tid;
	csv_record rec;
	int rc = 0;

	pp->t = t;
	pp->r = r;
	pp->o = o;
	pp->nf = nf;
	for (size_t s = 0; s < PIPE_SLOTS; s++) {
		pp->b[s].off = emalloc(PIPE_ROWS * nf * sizeof *pp->b[s].off);
		pp->b[s].len = emalloc(PIPE_ROWS * nf * sizeof *pp->b[s].len);
		pp->b[s].line = emalloc(PIPE_ROWS * sizeof *pp->b[s].line);
	}
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	if (pthread_create(&tid, NULL, pipe_parse, pp) != 0) {
		rc = 1;
		goto out;
	}
	while ((rc = csv_next(r, &rec, err, errsz, status)) > 0) {
		pipe_add(pp, &rec);
		if (pp->b[pp->head % PIPE_SLOTS].rows == PIPE_ROWS &&
		    pipe_push(pp) < 0)
			break;
	}
	/* The rows before the end, or before a CSV error. */
	if (rc <= 0 && pp->b[pp->head % PIPE_SLOTS].rows > 0)
		pipe_push(pp);
	pthread_mutex_lock(&pp->mu);
	pp->done = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(tid, NULL);
	if (pp->failed) {
		/* A parse error comes before whatever the reader met after. */
		snprintf(err, errsz, "%s", pp->err);
		*status = pp->status;
		rc = -1;
	}
	if (rc > 0)
		rc = -1;	/* the parser stopped: it failed */
out:
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv);
	for (size_t s = 0; s < PIPE_SLOTS; s++) {
		free(pp->b[s].bytes);
		free(pp->b[s].off);
		free(pp->b[s].len);
		free(pp->b[s].line);
	}
	free(pp);
	return rc;
}

int
trainset_read(trainset *t, csv_reader *r, const trainset_opts *o,
    char *err, size_t errsz, int *status)
{
	csv_record rec;
	int rc = 1;

	memset(t, 0, sizeof *t);
	t->name = csv_name(r);
	if (choose_columns(t, r, o, err, errsz, status) < 0)
		return -1;
	size_t nf = t->nc + (t->date_idx >= 0);
	if (o->threads > 1)
		rc = read_piped(t, r, o, nf, err, errsz, status);
	if (rc > 0) {
		const char **f = emalloc(nf * sizeof *f);
		size_t *len = emalloc(nf * sizeof *len);
		while ((rc = csv_next(r, &rec, err, errsz, status)) > 0) {
			for (size_t k = 0; k < nf; k++) {
				size_t c = k < t->nc ? t->c[k].idx :
				    (size_t)t->date_idx;
				f[k] = rec.f[c];
				len[k] = rec.len[c];
			}
			if (t->n == t->cap)
				grow(t);
			if (read_row(t, r, f, len, rec.line, o, err, errsz,
			    status) < 0) {
				rc = -1;
				break;
			}
		}
		free(f);
		free(len);
	}
	if (rc < 0)
		return -1;
	if (t->n == 0)
		return err_fail(err, errsz, status, EXIT_DATAERR,
		    "%s: no data rows", t->name);
	if (t->mdone < t->n)
		batch_moments(t);
	return 0;
}

void
trainset_free(trainset *t)
{
	for (size_t k = 0; k < t->nc; k++)
		free(t->c[k].v);
	free(t->c);
	free(t->line);
	free(t->day);
	memset(t, 0, sizeof *t);
}

/* Which rows to keep: those without a missing used value; n of them. */
static int
keep_rows(unsigned char *keep, size_t *n, const trainset *t,
    const csv_reader *r, const trainset_opts *o, char *err, size_t errsz,
    int *status)
{
	size_t k;

	/* No missing used value (the common case): every row, no scan. */
	for (k = 0; k < t->nc; k++)
		if (t->c[k].nmiss && !(t->c[k].role == 0 &&
		    t->c[k].numeric != 1))
			break;
	if (k == t->nc) {
		memset(keep, 1, t->n);
		*n = t->n;
		return 0;
	}
	*n = 0;
	for (size_t i = 0; i < t->n; i++) {
		keep[i] = 1;
		for (size_t k = 0; k < t->nc && keep[i]; k++) {
			const trainset_col *c = &t->c[k];
			if (!isnan(c->v[i]) || (c->role == 0 && c->numeric != 1))
				continue;
			if (!o->drop_missing)
				return err_fail(err, errsz, status, EXIT_DATAERR,
				    "%s:%ld: column \"%s\": missing value "
				    "(--drop-missing drops such rows)",
				    t->name, t->line[i],
				    csv_colname(r, c->idx));
			keep[i] = 0;
		}
		*n += keep[i];
	}
	if (*n == 0)
		return err_fail(err, errsz, status, EXIT_DATAERR,
		    "%s: every row has a missing value", t->name);
	return 0;
}

/* The sorted distinct values of v[0, n) into pr when they are few integers
 * (model.h), else ncats 0. */
static void
categories(model_profile *pr, const double *v, size_t n)
{
	size_t k = 0, seen = 0;

	for (size_t i = 0; i < n; i++) {
		double x = v[i], t;
		if (isnan(x))
			continue;
		seen++;
		if (x != floor(x) || fabs(x) > 1e15)
			return;
		size_t a = 0;
		while (a < k && pr->cats[a] < x)
			a++;
		if (a < k && pr->cats[a] == x)
			continue;
		if (k == MODEL_MAXCATS)
			return;
		for (size_t b = a; b < k + 1; b++, x = t) {
			t = pr->cats[b];
			pr->cats[b] = x;
		}
		k++;
	}
	if (seen >= 2 * k)
		pr->ncats = k;
}

/* The moments of v[0, n) without its NaNs: sums in four lanes (rows
 * i mod 4), the mean, then the squared deviations about it with the
 * lanes' correction (two-pass, as accurate as Welford's update and
 * without its division per value). */
static void
moments_of(moments *m, const double *v, size_t n)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
	double q0 = 0, q1 = 0, q2 = 0, q3 = 0, lo = INFINITY, hi = -INFINITY;
	double mean, sc, cn;
	size_t cnt = 0, i;

#define LANE(s, x) do {							\
		double x_ = (x);					\
		if (!isnan(x_)) {					\
			s += x_;					\
			cnt++;						\
			lo = x_ < lo ? x_ : lo;				\
			hi = x_ > hi ? x_ : hi;				\
		}							\
	} while (0)
	for (i = 0; i + 4 <= n; i += 4) {
		LANE(s0, v[i]);
		LANE(s1, v[i + 1]);
		LANE(s2, v[i + 2]);
		LANE(s3, v[i + 3]);
	}
	for (; i < n; i++) {
		double *sl = (i & 3) == 0 ? &s0 : (i & 3) == 1 ? &s1 : &s2;
		LANE(*sl, v[i]);
	}
#undef LANE
	mom_init(m);
	if (cnt == 0)
		return;
	cn = (double)cnt;
	mean = ((s0 + s1) + (s2 + s3)) / cn;
#define DEV(c, q, x) do {						\
		double d_ = (x) - mean;					\
		if (!isnan(d_)) {					\
			c += d_;					\
			q += d_ * d_;					\
		}							\
	} while (0)
	for (i = 0; i + 4 <= n; i += 4) {
		DEV(c0, q0, v[i]);
		DEV(c1, q1, v[i + 1]);
		DEV(c2, q2, v[i + 2]);
		DEV(c3, q3, v[i + 3]);
	}
	for (; i < n; i++) {
		if ((i & 3) == 0)
			DEV(c0, q0, v[i]);
		else if ((i & 3) == 1)
			DEV(c1, q1, v[i]);
		else
			DEV(c2, q2, v[i]);
	}
#undef DEV
	sc = (c0 + c1) + (c2 + c3);
	m->n = cn;
	m->mean = mean + sc / cn;
	m->m2 = ((q0 + q1) + (q2 + q3)) - sc * sc / cn;
	if (m->m2 < 0)
		m->m2 = 0;
	m->min = lo;
	m->max = hi;
}

/* Feature j's profile over every row read, and its kept values; the
 * table's column is freed once copied. */
static void
fill_feature(train_design *ds, trainset *t, const unsigned char *keep,
    size_t j, size_t n)
{
	trainset_col *c = &t->c[ds->fcol[j]];
	moments m = c->mom;

	ds->prof[j] = (model_profile){ m.n ? m.mean : NAN, mom_sd(&m),
		m.n ? m.min : NAN, m.n ? m.max : NAN,
		(double)(t->n - (size_t)m.n) / (double)t->n, 0, { 0 } };
	categories(&ds->prof[j], c->v, t->n);
	if (n == t->n)
		memcpy(ds->X + j * n, c->v, n * sizeof *ds->X);
	else
		for (size_t i = 0, q = 0; i < t->n; i++)
			if (keep[i])
				ds->X[j * n + q++] = c->v[i];
	free(c->v);
	c->v = NULL;
}

/* Features t0, t0 + nt, ... of the design: each column one thread's. */
typedef struct fill_job {
	train_design *ds;
	trainset *t;
	const unsigned char *keep;
	size_t n, p, t0, nt;
} fill_job;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23	/* Linux 5.14 */
#endif

/* Fault in the pages of x[0..n) in one call: one page fault per 4 kB
 * costs more than the copy into them.  Only advice: an older kernel
 * refuses it and the copy faults them in. */
static void
populate(double *x, size_t n)
{
	uintptr_t lo = ((uintptr_t)x + 4095) & ~(uintptr_t)4095;
	uintptr_t hi = ((uintptr_t)(x + n)) & ~(uintptr_t)4095;

	if (hi > lo + (1 << 20))
		(void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

static void *
fill_some(void *arg)
{
	const fill_job *f = arg;

	for (size_t j = f->t0; j < f->p; j += f->nt) {
		populate(f->ds->X + j * f->n, f->n);
		fill_feature(f->ds, f->t, f->keep, j, f->n);
	}
	return NULL;
}

static void
fill_features(train_design *ds, trainset *t, const unsigned char *keep,
    size_t n, size_t p, int threads)
{
	fill_job f[2] = { { ds, t, keep, n, p, 0, 2 },
		{ ds, t, keep, n, p, 1, 2 } };
	pthread_t tid;

	if (threads > 1 && p > 1 &&
	    pthread_create(&tid, NULL, fill_some, &f[1]) == 0) {
		fill_some(&f[0]);
		pthread_join(tid, NULL);
		return;
	}
	f[0].nt = 1;
	fill_some(&f[0]);
}

/* The kept values of a table column: the column itself when every row is
 * kept (handed over: the caller forgets it), else a copy of them and the
 * column freed. */
static void *
take_kept(void *col, size_t size, const unsigned char *keep, size_t nt,
    size_t n)
{
	unsigned char *src = col, *dst;

	if (n == nt)
		return src;
	dst = emalloc(n * size);
	for (size_t i = 0, q = 0; i < nt; i++)
		if (keep[i])
			memcpy(dst + size * q++, src + size * i, size);
	free(src);
	return dst;
}

int
train_design_build(train_design *ds, trainset *t,
    const csv_reader *r, const trainset_opts *o, char *err, size_t errsz,
    int *status)
{
	size_t p = 0, n = 0, yc = 0, wc = 0;
	unsigned char *keep;

	memset(ds, 0, sizeof *ds);
	ds->fcol = emalloc((t->nc + 1) * sizeof *ds->fcol);
	for (size_t k = 0; k < t->nc; k++) {
		const char *cn = csv_colname(r, t->c[k].idx);
		if (o->weights && strcmp(cn, o->weights) == 0)
			wc = k;
		if (strcmp(cn, o->target) == 0)
			yc = k;
		else if (o->weights && strcmp(cn, o->weights) == 0)
			;
		else if (t->c[k].role == 1 || t->c[k].numeric == 1)
			ds->fcol[p++] = k;
	}
	if (p == 0)
		return err_fail(err, errsz, status, EXIT_DATAERR,
		    "%s: no numeric feature column", t->name);
	keep = emalloc(t->n);
	if (keep_rows(keep, &n, t, r, o, err, errsz, status) < 0) {
		free(keep);
		return -1;
	}
	ds->names = emalloc(p * sizeof *ds->names);
	ds->prof = emalloc(p * sizeof *ds->prof);
	ds->X = emalloc(n * p * sizeof *ds->X);
	for (size_t j = 0; j < p; j++)
		ds->names[j] = (char *)csv_colname(r, t->c[ds->fcol[j]].idx);
	fill_features(ds, t, keep, n, p, o->threads);
	ds->y = take_kept(t->c[yc].v, sizeof *ds->y, keep, t->n, n);
	t->c[yc].v = NULL;
	if (o->weights && wc == yc) {
		ds->w = emalloc(n * sizeof *ds->w);
		memcpy(ds->w, ds->y, n * sizeof *ds->w);
	} else if (o->weights) {
		ds->w = take_kept(t->c[wc].v, sizeof *ds->w, keep, t->n, n);
		t->c[wc].v = NULL;
	}
	if (t->day) {
		ds->day = take_kept(t->day, sizeof *ds->day, keep, t->n, n);
		t->day = NULL;
	}
	ds->d = (model_data){ ds->X, ds->y, ds->w, n, p,
		(const char *const *)ds->names };
	free(keep);
	return 0;
}

void
train_design_days(const train_design *ds, long *first, long *last)
{
	*first = *last = 0;
	for (size_t i = 0; ds->day && i < ds->d.n; i++) {
		if (i == 0 || ds->day[i] < *first)
			*first = ds->day[i];
		if (i == 0 || ds->day[i] > *last)
			*last = ds->day[i];
	}
}

int
train_design_flags(const train_design *ds, const char *spec,
    unsigned char **flags, char *err, size_t errsz)
{
	size_t *idx = NULL, nidx = 0;

	*flags = NULL;
	if (cols_resolve(spec, (const char *const *)ds->names, ds->d.p, 0,
	    &idx, &nidx, err, errsz) < 0) {
		free(idx);
		return -1;
	}
	*flags = ecalloc(ds->d.p, 1);
	for (size_t k = 0; k < nidx; k++)
		(*flags)[idx[k]] = 1;
	free(idx);
	return 0;
}

void
train_design_free(train_design *ds)
{
	free(ds->names);
	free(ds->prof);
	free(ds->day);
	free(ds->fcol);
	free(ds->y);
	free(ds->w);
	free(ds->X);
	memset(ds, 0, sizeof *ds);
}

int
train_valid_read(train_valid *v, const train_design *ds, csv_reader *r,
    const trainset_opts *o, char *err, size_t errsz, int *status)
{
	size_t p = ds->d.p, nc = p + 1, cap = 0, n = 0;
	long *idx = emalloc(nc * sizeof *idx);
	double *rows = NULL;	/* row-major n x nc, the target last */
	char fb[MSGFIELD_SIZE];
	csv_record rec;
	int rc = -1, got;

	memset(v, 0, sizeof *v);
	for (size_t j = 0; j < nc; j++) {
		const char *cn = j < p ? ds->names[j] : o->target;
		if ((idx[j] = csv_col(r, cn)) < 0) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s: column "
			    "\"%s\" is not in the header", csv_name(r), cn);
			goto out;
		}
	}
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		int drop = 0;
		v->rows_read++;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			rows = ereallocarray(rows, cap, nc * sizeof *rows);
		}
		for (size_t j = 0; j < nc && !drop; j++) {
			const char *f = rec.f[idx[j]];
			size_t len = rec.len[idx[j]];
			double x;
			if (csv_is_missing(f, len)) {
				if (o->drop_missing) {
					drop = 1;
					continue;
				}
				err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
				    "column \"%s\": missing value "
				    "(--drop-missing drops such rows)",
				    csv_name(r), rec.line,
				    csv_colname(r, (size_t)idx[j]));
				goto out;
			}
			if (num_parse(f, len, &x) < 0 || !isfinite(x)) {
				err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
				    "column \"%s\": \"%s\" is not a finite "
				    "number", csv_name(r), rec.line,
				    csv_colname(r, (size_t)idx[j]),
				    msg_field(fb, f, len));
				goto out;
			}
			rows[n * nc + j] = x;
		}
		n += !drop;
	}
	if (got < 0)
		goto out;
	if (n == 0) {
		err_fail(err, errsz, status, EXIT_DATAERR, v->rows_read ?
		    "%s: every row has a missing value" : "%s: no data rows",
		    csv_name(r));
		goto out;
	}
	v->X = emalloc(n * p * sizeof *v->X);
	v->y = emalloc(n * sizeof *v->y);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < p; j++)
			v->X[j * n + i] = rows[i * nc + j];
		v->y[i] = rows[i * nc + p];
	}
	v->d = (model_data){ v->X, v->y, NULL, n, p, ds->d.names };
	rc = 0;
out:
	free(idx);
	free(rows);
	return rc;
}

void
train_valid_free(train_valid *v)
{
	free(v->X);
	free(v->y);
	memset(v, 0, sizeof *v);
}
