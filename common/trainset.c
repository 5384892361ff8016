/* trainset.c: the table and the design mmm-train fits on. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
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
	t->c[t->nc++] = (trainset_col){ idx, role, role ? 1 : -1, 0, NULL };
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
	for (size_t k = 0; k < t->nc; k++) {
		if (!t->block) {
			t->c[k].v = ereallocarray(t->c[k].v, t->cap,
			    sizeof(double));
			continue;
		}
		/* Out of the one block: each column its own array. */
		double *v = ereallocarray(NULL, t->cap, sizeof(double));
		memcpy(v, t->c[k].v, t->n * sizeof *v);
		t->c[k].v = v;
	}
	free(t->block);
	t->block = NULL;
	t->line = ereallocarray(t->line, t->cap, sizeof(long));
	if (t->date_idx >= 0)
		t->day = ereallocarray(t->day, t->cap, sizeof(long));
}

static void moments_of(moments *m, const double *v, size_t n);

/* Rows per batch of a feature's profile moments. */
#define MOM_ROWS 4096

/*
 * A regular file is read in two parts on two threads: this thread reads up
 * to a cut (and hashes every byte), a second thread from it.  The cut is a
 * guess, the first line start after MMM_SPLIT_AT of the bytes; it holds when
 * this thread's records end exactly on it, else the second part is dropped
 * and this thread reads on.  The second part cannot know how the first left
 * each column, so what depends on it is kept aside: an automatically chosen
 * column's first non-number (text if the column had no number before it,
 * an error if it had), or a bad value after numbers (an error unless the
 * column turned out text).  Errors are ordered as one thread meets them:
 * by row, then the CSV record, the date, the columns in order.
 */
enum { COND_NONE, COND_TEXT, COND_BAD };

typedef struct cond_err {
	int kind;
	size_t row;		/* in the part */
	char *msg;
} cond_err;

typedef struct part {
	trainset t;		/* the second part's rows: a view into the
				 * table's arrays from row ub1 on */
	const csv_reader *parent;
	const trainset_opts *o;
	off_t cut;
	long line;		/* of the cut */
	size_t ub2;		/* newlines from the cut on */
	int ends_nl;		/* the file's last byte is one */
	size_t alloc;		/* rows in the table's arrays */
	int counted, go;	/* ub2 known; the view is set */
	pthread_t tid;
	int joined;
	int overflow;		/* more records than newlines (lone CRs) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int quit;	/* the first part failed or missed the cut */
	cond_err *cond;		/* per column */
	int failed, status;
	size_t fail_row;
	int fail_pos;		/* -2 the record, -1 the date, k column k */
	char err[1024];
} part;

static int
not_number(char *err, size_t errsz, int *status, const trainset *t,
    const csv_reader *r, const trainset_col *c, long line, const char *f,
    size_t len)
{
	char fb[MSGFIELD_SIZE];

	return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: column "
	    "\"%s\": \"%s\" is not a finite number", t->name, line,
	    csv_colname(r, c->idx), msg_field(fb, f, len));
}

/* Column k's error in the second part, kept aside. */
static void
keep_cond(part *pp, size_t k, int kind, const trainset *t,
    const csv_reader *r, long line, const char *f, size_t len)
{
	char msg[1024];
	int st;

	not_number(msg, sizeof msg, &st, t, r, &t->c[k], line, f, len);
	pp->cond[k] = (cond_err){ kind, t->n, estrdup(msg) };
}

/* One record into row t->n: f[k], len[k] the field of column t->c[k],
 * f[t->nc] the date's.  pp: reading the second part. */
static int
read_row(trainset *t, const csv_reader *r, const char *const *f,
    const size_t *len, long line, const trainset_opts *o, part *pp,
    char *err, size_t errsz, int *status)
{
	char fb[MSGFIELD_SIZE];

	t->line[t->n] = line;
	if (t->date_idx >= 0) {
		long sec;
		if (date_parse(f[t->nc], len[t->nc], &t->day[t->n], &sec) < 0) {
			if (pp)
				pp->fail_pos = -1;
			return err_fail(err, errsz, status, EXIT_DATAERR,
			    "%s:%ld: column \"%s\": \"%s\" is not a date",
			    t->name, line, o->date_col,
			    msg_field(fb, f[t->nc], len[t->nc]));
		}
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
			if (pp)
				keep_cond(pp, k, COND_TEXT, t, r, line, f[k],
				    len[k]);
			c->numeric = 0;	/* a text column */
			x = NAN;
			c->nmiss++;
		} else if (bad || !isfinite(x)) {
			if (pp && c->role == 0) {
				keep_cond(pp, k, COND_BAD, t, r, line, f[k],
				    len[k]);
				c->numeric = 0;	/* the rest: moot or lost */
				c->v[t->n] = NAN;
				c->nmiss++;
				continue;
			}
			if (pp)
				pp->fail_pos = (int)k;
			return not_number(err, errsz, status, t, r, c, line,
			    f[k], len[k]);
		} else {
			c->numeric = 1;
		}
		c->v[t->n] = x;
	}
	t->n++;
	return 0;
}

static void part_stop(part *pp, trainset *t);

/* Read r's records into t until the end or r's stop: 0, or -1 with err.
 * pp: reading the second part, into a view that cannot grow: 1 when it is
 * full.  room: the second part, stopped to let the first part grow (it
 * holds more records than its newlines). */
static int
read_rows(trainset *t, csv_reader *r, const trainset_opts *o, part *pp,
    part *room, char *err, size_t errsz, int *status)
{
	size_t nf = t->nc + (t->date_idx >= 0);
	const char **f = emalloc(nf * sizeof *f);
	size_t *len = emalloc(nf * sizeof *len);
	csv_record rec;
	int rc = 0;

	while ((!pp || !atomic_load_explicit(&pp->quit,
	    memory_order_relaxed)) &&
	    (rc = csv_next(r, &rec, err, errsz, status)) > 0) {
		if (t->n == t->cap) {
			if (pp) {
				rc = 1;
				break;
			}
			if (room && !room->joined)
				part_stop(room, t);
			if (t->n == t->cap)
				grow(t);
		}
		for (size_t k = 0; k < nf; k++) {
			size_t c = k < t->nc ? t->c[k].idx :
			    (size_t)t->date_idx;
			f[k] = rec.f[c];
			len[k] = rec.len[c];
		}
		if ((rc = read_row(t, r, f, len, rec.line, o, pp, err, errsz,
		    status)) < 0)
			break;
	}
	if (pp && atomic_load(&pp->quit))
		rc = 0;
	free(f);
	free(len);
	return rc;
}

static void *
part_read(void *arg)
{
	part *pp = arg;
	csv_reader *r = NULL;
	int rc;

	/* A bound on the part's records, for the table's arrays. */
	rc = csv_count_lines(pp->parent, pp->cut, -1, &pp->ub2, &pp->ends_nl,
	    pp->err, sizeof pp->err, &pp->status);
	pthread_mutex_lock(&pp->mu);
	pp->counted = rc < 0 ? -1 : 1;
	pthread_cond_broadcast(&pp->cv);
	while (!pp->go && !atomic_load(&pp->quit))
		pthread_cond_wait(&pp->cv, &pp->mu);
	pthread_mutex_unlock(&pp->mu);
	if (rc < 0 || atomic_load(&pp->quit))
		return NULL;
	r = csv_open_at(pp->parent, pp->cut, pp->line);
	pp->fail_pos = -2;
	rc = read_rows(&pp->t, r, pp->o, pp, NULL, pp->err, sizeof pp->err,
	    &pp->status);
	if (rc > 0)
		pp->overflow = 1;
	if (rc < 0) {
		pp->failed = 1;
		pp->fail_row = pp->t.n;
	}
	csv_close(r);
	return NULL;
}

static void
part_quit(part *pp)
{
	pthread_mutex_lock(&pp->mu);
	atomic_store(&pp->quit, 1);
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
}

/* Stop the second part and give its rows to the first. */
static void
part_stop(part *pp, trainset *t)
{
	part_quit(pp);
	pthread_join(pp->tid, NULL);
	pp->joined = 1;
	t->cap = pp->alloc;
}

static void
part_free(part *pp)
{
	for (size_t k = 0; k < pp->t.nc; k++)
		free(pp->cond[k].msg);
	free(pp->cond);
	free(pp->t.c);		/* the values are the table's */
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv);
	free(pp);
}

/* The first error of the second part, given how the first part left each
 * column (numeric[k] of t); -1 with it, or 0. */
static int
part_error(const trainset *t, const part *pp, char *err, size_t errsz,
    int *status)
{
	size_t best_row = pp->failed ? pp->fail_row : (size_t)-1;
	long best_pos = pp->failed ? pp->fail_pos : 0;
	const char *msg = pp->failed ? pp->err : NULL;
	int st = pp->status;

	for (size_t k = 0; k < t->nc; k++) {
		const cond_err *ce = &pp->cond[k];
		int counts = ce->kind == COND_TEXT ? t->c[k].numeric == 1 :
		    ce->kind == COND_BAD ? t->c[k].numeric != 0 : 0;
		if (counts && (ce->row < best_row || (ce->row == best_row &&
		    (long)k < best_pos))) {
			best_row = ce->row;
			best_pos = (long)k;
			msg = ce->msg;
			st = EXIT_DATAERR;
		}
	}
	if (!msg)
		return 0;
	snprintf(err, errsz, "%s", msg);
	*status = st;
	return -1;
}

/* Join the second part's rows, at row ub1 of t's arrays, to the first's. */
static void
part_join(trainset *t, const part *pp, size_t ub1)
{
	const trainset *u = &pp->t;
	size_t at = t->n;

	for (size_t k = 0; k < t->nc; k++) {
		trainset_col *c = &t->c[k];
		const trainset_col *d = &u->c[k];
		if (c->numeric == 0) {
			for (size_t i = 0; i < u->n; i++)
				c->v[at + i] = NAN;
			c->nmiss += u->n;
			continue;
		}
		if (at < ub1)
			memmove(c->v + at, c->v + ub1, u->n * sizeof(double));
		c->nmiss += d->nmiss;
		if (c->numeric < 0)
			c->numeric = d->numeric;
	}
	if (at < ub1) {
		memmove(t->line + at, t->line + ub1, u->n * sizeof(long));
		if (t->date_idx >= 0)
			memmove(t->day + at, t->day + ub1, u->n * sizeof(long));
	}
	t->n = at + u->n;
}

static double
env_num(const char *name, double dflt)
{
	const char *s = getenv(name);
	double x;

	if (!s || !*s || num_parse(s, strlen(s), &x) < 0)
		return dflt;
	return x;
}

/* Read in two parts: 0 or -1 as read_rows, 1 when r cannot be cut
 * (nothing read). */
static int
read_split(trainset *t, csv_reader *r, const trainset_opts *o, char *err,
    size_t errsz, int *status)
{
	off_t cut, from = csv_offset(r);
	size_t ub1;
	int trace = getenv("MMM_SPLIT_TRACE") != NULL, rc;

	if (!csv_split_guess(r, env_num("MMM_SPLIT_AT", 0.35),
	    (off_t)env_num("MMM_SPLIT_MIN_BYTES", 4194304), &cut))
		return 1;
	part *pp = ecalloc(1, sizeof *pp);
	pp->parent = r;
	pp->o = o;
	pp->cut = cut;
	atomic_init(&pp->quit, 0);
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	pp->t.name = t->name;
	pp->t.nc = t->nc;
	pp->t.date_idx = t->date_idx;
	pp->t.c = ecalloc(t->nc, sizeof *pp->t.c);
	pp->cond = ecalloc(t->nc, sizeof *pp->cond);
	for (size_t k = 0; k < t->nc; k++)
		pp->t.c[k] = (trainset_col){ t->c[k].idx, t->c[k].role,
			t->c[k].numeric, 0, NULL };
	if (pthread_create(&pp->tid, NULL, part_read, pp) != 0) {
		part_free(pp);
		return 1;
	}
	/* Both parts count their newlines; the table is sized for both, the
	 * first part's rows at 0, the second's at ub1: a part holds no more
	 * records than newlines (and one more at the end of a file without a
	 * last one) unless lone CRs end records, or a record runs over the
	 * cut; either way the cut is dropped. */
	int nl1;
	rc = csv_count_lines(r, from, cut, &ub1, &nl1, err, errsz, status);
	pthread_mutex_lock(&pp->mu);
	while (!pp->counted)
		pthread_cond_wait(&pp->cv, &pp->mu);
	pthread_mutex_unlock(&pp->mu);
	if (rc < 0 || pp->counted < 0) {
		part_quit(pp);
		pthread_join(pp->tid, NULL);
		part_free(pp);
		return rc < 0 ? -1 : 1;
	}
	size_t at2 = ub1;
	pp->alloc = at2 + pp->ub2 + !pp->ends_nl;
	if (pp->alloc > SIZE_MAX / t->nc)
		die("%s: too many rows", t->name);
	t->cap = at2;		/* the first part's share */
	t->block = ereallocarray(NULL, t->nc * pp->alloc, sizeof(double));
	for (size_t k = 0; k < t->nc; k++) {
		t->c[k].v = t->block + k * pp->alloc;
		pp->t.c[k].v = t->c[k].v + at2;
	}
	t->line = ereallocarray(NULL, pp->alloc, sizeof(long));
	pp->t.line = t->line + at2;
	if (t->date_idx >= 0) {
		t->day = ereallocarray(NULL, pp->alloc, sizeof(long));
		pp->t.day = t->day + at2;
	}
	pp->t.cap = pp->alloc - at2;
	pp->line = csv_line(r) + (long)ub1;
	pthread_mutex_lock(&pp->mu);
	pp->go = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);

	csv_set_stop(r, cut);
	rc = read_rows(t, r, o, NULL, pp, err, errsz, status);
	csv_set_stop(r, -1);
	/* Out of room before the cut: lone CRs, or a record over it. */
	int crowded = pp->joined && rc == 0 && csv_offset(r) == cut;
	int whole = rc == 0 && !pp->joined && csv_offset(r) == cut;
	long cut_line = csv_line(r);
	/* Hash the rest while the second part is still being read. */
	if (whole && (rc = csv_finish_hash(r, err, errsz, status)) < 0)
		whole = 0;
	if (!pp->joined) {
		if (!whole)
			part_quit(pp);
		pthread_join(pp->tid, NULL);
		pp->joined = 1;
		t->cap = pp->alloc;
	}
	if (whole && !pp->overflow) {
		if (trace)
			warn("%s: read in two parts cut at byte %lld (line %ld)",
			    t->name, (long long)cut, cut_line);
		rc = part_error(t, pp, err, errsz, status);
		if (rc == 0)
			part_join(t, pp, at2);
	} else if (rc >= 0) {
		if (trace && (crowded || whole))
			warn("%s: cut at byte %lld: more records than lines "
			    "%s it; read in one part", t->name, (long long)cut,
			    crowded ? "before" : "after");
		else if (trace)
			warn("%s: cut at byte %lld fell inside a record; read "
			    "in one part", t->name, (long long)cut);
		if (whole) {
			/* r has hashed, not parsed, the rest: a reader from
			 * the cut parses it. */
			csv_reader *q = csv_open_at(r, cut, cut_line);
			rc = read_rows(t, q, o, NULL, NULL, err, errsz, status);
			csv_close(q);
		} else {
			rc = read_rows(t, r, o, NULL, NULL, err, errsz, status);
		}
	}
	part_free(pp);
	return rc;
}

int
trainset_read(trainset *t, csv_reader *r, const trainset_opts *o,
    char *err, size_t errsz, int *status)
{
	int rc = 1;

	memset(t, 0, sizeof *t);
	t->name = csv_name(r);
	if (choose_columns(t, r, o, err, errsz, status) < 0)
		return -1;
	if (o->threads > 1)
		rc = read_split(t, r, o, err, errsz, status);
	if (rc > 0)
		rc = read_rows(t, r, o, NULL, NULL, err, errsz, status);
	if (rc < 0)
		return -1;
	if (t->n == 0)
		return err_fail(err, errsz, status, EXIT_DATAERR,
		    "%s: no data rows", t->name);
	return 0;
}

void
trainset_free(trainset *t)
{
	for (size_t k = 0; k < t->nc && !t->block; k++)
		free(t->c[k].v);
	free(t->block);
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

/* Feature j's profile over every row read, and its kept values (unless X
 * is the table's block: they are in place); the table's column is freed
 * once copied. */
static void
fill_feature(train_design *ds, trainset *t, const unsigned char *keep,
    size_t j, size_t n)
{
	trainset_col *c = &t->c[ds->fcol[j]];
	moments m = { 0, 0, 0, 0, 0 };
	int inplace = c->v == ds->X + j * n;

	/* The profile's moments in fixed row batches (the same bits for any
	 * threads), each batch while it is in the cache for the copy. */
	for (size_t i = 0, q = 0; i < t->n; i += MOM_ROWS) {
		size_t b = t->n - i < MOM_ROWS ? t->n - i : MOM_ROWS;
		moments bm;
		moments_of(&bm, c->v + i, b);
		mom_merge(&m, &bm);
		if (inplace)
			;
		else if (n == t->n)
			memcpy(ds->X + j * n + i, c->v + i, b * sizeof *ds->X);
		else
			for (size_t r = i; r < i + b; r++)
				if (keep[r])
					ds->X[j * n + q++] = c->v[r];
	}
	ds->prof[j] = (model_profile){ m.n ? m.mean : NAN, mom_sd(&m),
		m.n ? m.min : NAN, m.n ? m.max : NAN,
		(double)(t->n - (size_t)m.n) / (double)t->n, 0, { 0 } };
	categories(&ds->prof[j], c->v, t->n);
	if (!t->block && !inplace)
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
		if (f->t->c[f->ds->fcol[j]].v != f->ds->X + j * f->n)
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
 * column freed; always a copy (nothing freed) of a column in a block. */
static void *
take_kept(void *col, size_t size, const unsigned char *keep, size_t nt,
    size_t n, int inblock)
{
	unsigned char *src = col, *dst;

	if (n == nt && !inblock)
		return src;
	dst = ereallocarray(NULL, n ? n : 1, size);
	if (n == nt)
		memcpy(dst, src, n * size);
	else
		for (size_t i = 0, q = 0; i < nt; i++)
			if (keep[i])
				memcpy(dst + size * q++, src + size * i, size);
	if (!inblock)
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
	for (size_t j = 0; j < p; j++)
		ds->names[j] = (char *)csv_colname(r, t->c[ds->fcol[j]].idx);
	int inblock = t->block != NULL;
	ds->y = take_kept(t->c[yc].v, sizeof *ds->y, keep, t->n, n, inblock);
	t->c[yc].v = NULL;
	if (o->weights && wc == yc) {
		ds->w = emalloc(n * sizeof *ds->w);
		memcpy(ds->w, ds->y, n * sizeof *ds->w);
	} else if (o->weights) {
		ds->w = take_kept(t->c[wc].v, sizeof *ds->w, keep, t->n, n,
		    inblock);
		t->c[wc].v = NULL;
	}
	if (t->day) {
		ds->day = take_kept(t->day, sizeof *ds->day, keep, t->n, n, 0);
		t->day = NULL;
	}
	/* The table's block is X when it holds the features first, in
	 * order, every row kept and no room to spare: no copy. */
	int takeover = inblock && n == t->n && t->cap == t->n;
	for (size_t j = 0; j < p && takeover; j++)
		takeover = ds->fcol[j] == j;
	if (takeover) {
		ds->X = t->block;
		t->block = NULL;
	} else {
		ds->X = ereallocarray(NULL, n ? n : 1, p * sizeof *ds->X);
	}
	fill_features(ds, t, keep, n, p, o->threads);
	if (takeover) {
		/* The columns after the features (target, weights, others)
		 * were copied out or are not used: give back their memory. */
		double *x = realloc(ds->X, n * p * sizeof *ds->X);
		if (x)
			ds->X = x;
		for (size_t k = 0; k < t->nc; k++)
			t->c[k].v = NULL;
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
