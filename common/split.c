/* split.c: time splits over distinct dates, their checks, the plan as JSON,
 * and the row store that holds the rows until the split is known. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "num.h"
#include "split.h"

/* --- periods ----------------------------------------------------------- */

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

void
split_periods_build(split_periods *p, const long *day, size_t nrows)
{
	long *d = emalloc(nrows * sizeof *d);
	size_t n = 0;

	if (nrows)
		memcpy(d, day, nrows * sizeof *d);
	qsort(d, nrows, sizeof *d, cmp_long);
	for (size_t i = 0; i < nrows; i++)
		n += !i || d[i] != d[i - 1];
	p->rows = ecalloc(n, sizeof *p->rows);
	p->n = 0;
	for (size_t i = 0; i < nrows; i++) {
		if (!i || d[i] != d[p->n - 1])
			d[p->n++] = d[i];
		p->rows[p->n - 1]++;
	}
	p->day = erealloc(d, n * sizeof *d);
}

void
split_periods_free(split_periods *p)
{
	free(p->day);
	free(p->rows);
	memset(p, 0, sizeof *p);
}

size_t
split_period_index(const split_periods *p, long day)
{
	return date_search(p->day, p->n, day);
}

/* --- boundaries -------------------------------------------------------- */

size_t
split_frac_count(double frac, size_t n)
{
	/* The same double product scikit-learn rounds up, quirks included. */
	return (size_t)ceil(frac * (double)n);
}

static void
layout(split_layout *l, size_t n, size_t train_lo, size_t train_end,
    size_t test_lo, size_t test_end)
{
	l->lo[SPLIT_BEFORE] = 0;
	l->hi[SPLIT_BEFORE] = l->lo[SPLIT_TRAIN] = train_lo;
	l->hi[SPLIT_TRAIN] = l->lo[SPLIT_GAP] = train_end;
	l->hi[SPLIT_GAP] = l->lo[SPLIT_TEST] = test_lo;
	l->hi[SPLIT_TEST] = l->lo[SPLIT_AFTER] = test_end;
	l->hi[SPLIT_AFTER] = n;
}

int
split_holdout(size_t n, size_t test_start, size_t gap, split_layout *l,
    char *err, size_t errsz)
{
	if (test_start >= n) {
		snprintf(err, errsz, "the test set would be empty");
		return -1;
	}
	if (test_start <= gap) {
		snprintf(err, errsz, "%zu test periods and %zu gap periods "
		    "leave no train period among %zu", n - test_start, gap, n);
		return -1;
	}
	layout(l, n, 0, test_start - gap, test_start, n);
	return 0;
}

int
split_folds_check(size_t n, size_t k, size_t gap, size_t test_size,
    size_t *size, char *err, size_t errsz)
{
	size_t ts = test_size ? test_size : n / (k + 1);

	/* scikit-learn: "Cannot have number of folds=k+1 greater than the
	 * number of samples" and "Too many splits". */
	if (k + 1 > n) {
		snprintf(err, errsz, "%zu folds need at least %zu periods "
		    "(folds + 1), found %zu", k, k + 1, n);
		return -1;
	}
	if (ts > n / k || gap >= n - k * ts) {
		char why[64] = "";
		if (!test_size)
			snprintf(why, sizeof why, " (%zu // %zu)", n, k + 1);
		snprintf(err, errsz, "%zu folds of %zu validation periods%s and "
		    "a gap of %zu need more than %zu + %zu x %zu = %.0f periods, "
		    "found %zu", k, ts, why, gap, gap, k, ts,
		    (double)gap + (double)k * (double)ts, n);
		return -1;
	}
	*size = ts;
	return 0;
}

void
split_fold(size_t n, size_t k, size_t gap, size_t size, size_t max_train,
    size_t i, split_layout *l)
{
	size_t test_start = n - k * size + i * size;
	size_t train_end = test_start - gap;
	size_t train_lo = max_train && max_train < train_end ?
	    train_end - max_train : 0;

	layout(l, n, train_lo, train_end, test_start, test_start + size);
}

/* --- the plan ---------------------------------------------------------- */

int
split_parse_test(const char *s, split_conf *c)
{
	size_t n = strlen(s);
	long day;

	if (n == 10 && date_parse(s, n, &day, NULL) == 0) {
		c->test_kind = SPLIT_CUTOFF;
		c->cutoff = day;
	} else if (n && n < 10 && strspn(s, "0123456789") == n) {
		c->test_kind = SPLIT_COUNT;
		c->test_count = (size_t)strtoul(s, NULL, 10);
		if (c->test_count == 0)
			return -1;
	} else if (num_parse(s, n, &c->test_frac) == 0 &&
	    c->test_frac > 0 && c->test_frac < 1) {
		c->test_kind = SPLIT_FRACTION;
	} else {
		return -1;
	}
	return 0;
}

static void
fmt_test(const split_conf *c, char *buf, size_t n)
{
	char num[NUM_BUFSIZE];

	switch (c->test_kind) {
	case SPLIT_FRACTION:
		num_format(c->test_frac, num);
		snprintf(buf, n, "--test %s", num);
		break;
	case SPLIT_COUNT:
		snprintf(buf, n, "--test %zu", c->test_count);
		break;
	default:
		date_format(c->cutoff, num);
		snprintf(buf, n, "--test %s", num);
	}
}

static int
make_holdout(split_plan *pl, char *err, size_t errsz)
{
	const split_conf *c = &pl->c;
	size_t n = pl->p->n, start;
	char what[64], why[256], d[16];

	fmt_test(c, what, sizeof what);
	switch (c->test_kind) {
	case SPLIT_FRACTION:
		pl->size = split_frac_count(c->test_frac, n);
		break;
	case SPLIT_COUNT:
		if (c->test_count > n) {
			snprintf(err, errsz, "%s: more test periods than the "
			    "%zu periods of the input", what, n);
			return -1;
		}
		pl->size = c->test_count;
		break;
	default:
		start = split_period_index(pl->p, c->cutoff);
		if (start == n) {
			date_format(pl->p->day[n - 1], d);
			snprintf(err, errsz, "%s: no date on or after it (the "
			    "last date is %s)", what, d);
			return -1;
		}
		pl->size = n - start;
	}
	if (split_holdout(n, n - pl->size, c->gap, &pl->layout[0], why,
	    sizeof why) < 0) {
		snprintf(err, errsz, "%s with --gap %zu: %s", what, c->gap, why);
		return -1;
	}
	return 0;
}

int
split_plan_make(split_plan *pl, const split_conf *c, const split_periods *p,
    size_t nrows, char *err, size_t errsz)
{
	char why[256];

	memset(pl, 0, sizeof *pl);
	pl->c = *c;
	pl->p = p;
	pl->nrows = nrows;
	if (p->n == 0) {
		snprintf(err, errsz, "no rows to split");
		return -1;
	}
	if (c->test_kind) {
		pl->nsplits = 1;
		pl->layout = ecalloc(1, sizeof *pl->layout);
		if (make_holdout(pl, err, errsz) < 0)
			return -1;
	} else {
		if (split_folds_check(p->n, c->folds, c->gap, c->valid_size,
		    &pl->size, why, sizeof why) < 0) {
			snprintf(err, errsz, "--folds %zu: %s", c->folds, why);
			return -1;
		}
		pl->nsplits = c->folds;
		pl->layout = ecalloc(pl->nsplits, sizeof *pl->layout);
		for (size_t i = 0; i < pl->nsplits; i++)
			split_fold(p->n, c->folds, c->gap, pl->size,
			    c->max_train, i, &pl->layout[i]);
	}
	pl->tally = ecalloc(pl->nsplits, sizeof *pl->tally);
	pl->pass = ecalloc(pl->nsplits, sizeof *pl->pass);
	pl->detail = ecalloc(pl->nsplits, sizeof *pl->detail);
	return 0;
}

void
split_plan_free(split_plan *pl)
{
	free(pl->layout);
	free(pl->tally);
	free(pl->pass);
	free(pl->detail);
	memset(pl, 0, sizeof *pl);
}

static int
set_of(const split_layout *l, size_t period)
{
	for (int s = 0; s < SPLIT_NSETS; s++)
		if (period >= l->lo[s] && period < l->hi[s])
			return s;
	return SPLIT_NSETS;	/* never: the sets cover every period */
}

void
split_assign(const split_plan *pl, size_t s, const long *day,
    unsigned char *set)
{
	for (size_t i = 0; i < pl->nrows; i++)
		set[i] = (unsigned char)set_of(&pl->layout[s],
		    split_period_index(pl->p, day[i]));
}

static const char *const set_name[SPLIT_NSETS] = { "before", "train", "gap",
	"test", "after" };

static void
tally(split_tally *t, const unsigned char *set, const long *day,
    const uint32_t *group, size_t ngroups, size_t nrows, unsigned char *seen)
{
	memset(t, 0, sizeof *t);
	if (group)
		memset(seen, 0, ngroups);
	for (size_t i = 0; i < nrows; i++) {
		int s = set[i];
		if (s >= SPLIT_NSETS)
			continue;
		if (!t->rows[s]++ || day[i] < t->first[s])
			t->first[s] = day[i];
		if (t->rows[s] == 1 || day[i] > t->last[s])
			t->last[s] = day[i];
		if (group && !(seen[group[i]] & 1 << s)) {
			seen[group[i]] |= (unsigned char)(1 << s);
			t->groups[s]++;
		}
	}
}

/* Each set's dates come after the sets' before it, with exactly gap periods
 * between the last train date and the first test date. */
static int
check_order(const split_plan *pl, const split_tally *t, char *why, size_t n)
{
	char a[16], b[16];
	int prev = -1;

	for (int s = 0; s < SPLIT_NSETS; s++) {
		if (!t->rows[s])
			continue;
		if (prev >= 0 && t->last[prev] >= t->first[s]) {
			date_format(t->last[prev], a);
			date_format(t->first[s], b);
			snprintf(why, n, "%s date %s is not before %s date %s",
			    set_name[prev], a, set_name[s], b);
			return 0;
		}
		prev = s;
	}
	if (!t->rows[SPLIT_TRAIN] || !t->rows[SPLIT_TEST]) {
		snprintf(why, n, "the train or the test set is empty");
		return 0;
	}
	size_t i = split_period_index(pl->p, t->last[SPLIT_TRAIN]);
	size_t j = split_period_index(pl->p, t->first[SPLIT_TEST]);
	if (j - i - 1 != pl->c.gap) {
		snprintf(why, n, "%zu periods between train and test, not the "
		    "gap %zu", j - i - 1, pl->c.gap);
		return 0;
	}
	return 1;
}

/* The rows of a date are all in one set. */
static int
check_disjoint(const split_plan *pl, const unsigned char *set,
    const long *day, unsigned char *per, char *why, size_t n)
{
	char d[16];

	memset(per, 0xff, pl->p->n);
	for (size_t i = 0; i < pl->nrows; i++) {
		size_t k = split_period_index(pl->p, day[i]);
		if (k == pl->p->n || pl->p->day[k] != day[i] ||
		    set[i] >= SPLIT_NSETS) {
			snprintf(why, n, "row %zu has no set", i + 1);
			return 0;
		}
		if (per[k] == 0xff)
			per[k] = set[i];
		else if (per[k] != set[i]) {
			date_format(day[i], d);
			snprintf(why, n, "date %s is in both %s and %s", d,
			    set_name[per[k]], set_name[set[i]]);
			return 0;
		}
	}
	return 1;
}

/* The sets' rows add up to the input, and each set holds the rows and the
 * dates the plan gives it. */
static int
check_complete(const split_plan *pl, const split_layout *l,
    const split_tally *t, char *why, size_t n)
{
	size_t sum = 0;

	for (int s = 0; s < SPLIT_NSETS; s++) {
		size_t rows = 0;
		for (size_t k = l->lo[s]; k < l->hi[s]; k++)
			rows += pl->p->rows[k];
		int dates = !rows || (t->first[s] == pl->p->day[l->lo[s]] &&
		    t->last[s] == pl->p->day[l->hi[s] - 1]);
		if (t->rows[s] != rows || !dates) {
			snprintf(why, n, "%s holds %zu rows, the plan %zu%s",
			    set_name[s], t->rows[s], rows, dates ? "" :
			    ", or other dates");
			return 0;
		}
		sum += t->rows[s];
	}
	if (sum != pl->nrows) {
		snprintf(why, n, "the sets hold %zu rows, the input %zu", sum,
		    pl->nrows);
		return 0;
	}
	return 1;
}

int
split_plan_verify(split_plan *pl, const long *day, const uint32_t *group,
    size_t ngroups)
{
	unsigned char *set = emalloc(pl->nrows);
	unsigned char *per = emalloc(pl->p->n);
	unsigned char *seen = group ? emalloc(ngroups) : NULL;
	int all = 1;

	pl->ngroups = group ? ngroups : 0;
	for (size_t s = 0; s < pl->nsplits; s++) {
		char (*why)[160] = pl->detail[s];
		split_assign(pl, s, day, set);
		tally(&pl->tally[s], set, day, group, ngroups, pl->nrows, seen);
		pl->pass[s][SPLIT_CHECK_ORDER] = (unsigned char)check_order(pl,
		    &pl->tally[s], why[SPLIT_CHECK_ORDER], sizeof *why);
		pl->pass[s][SPLIT_CHECK_DISJOINT] = (unsigned char)
		    check_disjoint(pl, set, day, per, why[SPLIT_CHECK_DISJOINT],
		    sizeof *why);
		pl->pass[s][SPLIT_CHECK_COMPLETE] = (unsigned char)
		    check_complete(pl, &pl->layout[s], &pl->tally[s],
		    why[SPLIT_CHECK_COMPLETE], sizeof *why);
		for (int k = 0; k < SPLIT_NCHECKS; k++)
			all &= pl->pass[s][k];
	}
	free(set);
	free(per);
	free(seen);
	return all;
}

/* --- the plan as JSON -------------------------------------------------- */

static const char *const check_name[SPLIT_NCHECKS] = { "order", "disjoint",
	"complete" };

int
split_plan_failure(const split_plan *pl, char *buf, size_t n)
{
	for (size_t s = 0; s < pl->nsplits; s++)
		for (int k = 0; k < SPLIT_NCHECKS; k++) {
			if (pl->pass[s][k])
				continue;
			char fold[32] = "";
			if (!pl->c.test_kind)
				snprintf(fold, sizeof fold, " in fold %zu", s + 1);
			snprintf(buf, n, "check %s failed%s: %s", check_name[k],
			    fold, pl->detail[s][k]);
			return 1;
		}
	return 0;
}

char *
split_path(const split_meta *m, const split_plan *pl, size_t s, int set)
{
	if (pl->c.test_kind)
		return m->file[set] ? estrdup(m->file[set]) : NULL;
	if (!m->fold_dir || (set != SPLIT_TRAIN && set != SPLIT_TEST))
		return NULL;
	size_t n = strlen(m->fold_dir) + 48;
	char *p = emalloc(n);
	snprintf(p, n, "%s/fold-%zu.%s.csv", m->fold_dir, s + 1,
	    set == SPLIT_TRAIN ? "train" : "valid");
	return p;
}

static void
jw_date(jsonw *w, long day)
{
	char d[16];

	date_format(day, d);
	jw_str(w, d);
}

static void
json_set(jsonw *w, const split_plan *pl, const split_meta *m, size_t s,
    int set, const char *name)
{
	char *file = split_path(m, pl, s, set);
	const split_layout *l = &pl->layout[s];
	const split_tally *t = &pl->tally[s];

	jw_key(w, name);
	jw_obj(w);
	jw_key(w, "rows");
	jw_int(w, (long long)t->rows[set]);
	jw_key(w, "periods");
	jw_int(w, (long long)(l->hi[set] - l->lo[set]));
	jw_key(w, "index");
	jw_arr(w);
	jw_int(w, (long long)l->lo[set]);
	jw_int(w, (long long)l->hi[set]);
	jw_arr_end(w);
	jw_key(w, "first");
	if (t->rows[set])
		jw_date(w, t->first[set]);
	else
		jw_null(w);
	jw_key(w, "last");
	if (t->rows[set])
		jw_date(w, t->last[set]);
	else
		jw_null(w);
	if (pl->ngroups) {
		jw_key(w, "groups");
		jw_int(w, (long long)t->groups[set]);
	}
	jw_key(w, "file");
	if (file)
		jw_str(w, file);
	else
		jw_null(w);
	jw_obj_end(w);
	free(file);
}

static void
json_checks(jsonw *w, const split_plan *pl, size_t s)
{
	jw_key(w, "checks");
	jw_arr(w);
	for (int k = 0; k < SPLIT_NCHECKS; k++) {
		jw_obj(w);
		jw_key(w, "check");
		jw_str(w, check_name[k]);
		jw_key(w, "pass");
		jw_bool(w, pl->pass[s][k]);
		if (!pl->pass[s][k]) {
			jw_key(w, "detail");
			jw_str(w, pl->detail[s][k]);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
json_folds(jsonw *w, const split_plan *pl, const split_meta *m)
{
	jw_key(w, "n_splits");
	jw_int(w, (long long)pl->nsplits);
	jw_key(w, "valid_periods");
	jw_int(w, (long long)pl->size);
	jw_key(w, "gap");
	jw_int(w, (long long)pl->c.gap);
	jw_key(w, "max_train");
	if (pl->c.max_train)
		jw_int(w, (long long)pl->c.max_train);
	else
		jw_null(w);
	jw_key(w, "folds");
	jw_arr(w);
	for (size_t s = 0; s < pl->nsplits; s++) {
		jw_obj(w);
		jw_key(w, "fold");
		jw_int(w, (long long)s + 1);
		jw_key(w, "sets");
		jw_obj(w);
		for (int k = 0; k < SPLIT_NSETS; k++)
			json_set(w, pl, m, s, k, k == SPLIT_TEST ? "valid" :
			    set_name[k]);
		jw_obj_end(w);
		json_checks(w, pl, s);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void
split_plan_json(jsonw *w, const split_plan *pl, const split_meta *m)
{
	int pass = 1;

	for (size_t s = 0; s < pl->nsplits; s++)
		for (int k = 0; k < SPLIT_NCHECKS; k++)
			pass &= pl->pass[s][k];
	jw_obj(w);
	jw_key(w, "format");
	jw_str(w, "mmm-split-plan");
	jw_key(w, "format_version");
	jw_int(w, 1);
	jw_key(w, "input");
	jw_str(w, m->input);
	jw_key(w, "date_column");
	jw_str(w, m->date_col);
	jw_key(w, "by");
	if (m->by)
		jw_str(w, m->by);
	else
		jw_null(w);
	jw_key(w, "rows");
	jw_int(w, (long long)pl->nrows);
	jw_key(w, "periods");
	jw_int(w, (long long)pl->p->n);
	jw_key(w, "groups");
	if (m->by)
		jw_int(w, (long long)pl->ngroups);
	else
		jw_null(w);
	jw_key(w, "first");
	jw_date(w, pl->p->day[0]);
	jw_key(w, "last");
	jw_date(w, pl->p->day[pl->p->n - 1]);
	jw_key(w, "method");
	jw_str(w, pl->c.test_kind ? "holdout" : "folds");
	if (pl->c.test_kind) {
		const split_layout *l = &pl->layout[0];
		jw_key(w, "test_periods");
		jw_int(w, (long long)pl->size);
		jw_key(w, "gap");
		jw_int(w, (long long)pl->c.gap);
		jw_key(w, "cutoff");
		jw_date(w, pl->p->day[l->lo[SPLIT_TEST]]);
		jw_key(w, "sets");
		jw_obj(w);
		for (int k = SPLIT_TRAIN; k <= SPLIT_TEST; k++)
			json_set(w, pl, m, 0, k, set_name[k]);
		jw_obj_end(w);
		json_checks(w, pl, 0);
	} else {
		json_folds(w, pl, m);
	}
	jw_key(w, "pass");
	jw_bool(w, pass);
	jw_obj_end(w);
}

/* --- the row store ----------------------------------------------------- */

static void
reserve(split_rows *r, size_t n)
{
	if (n <= r->cap - r->len)
		return;
	if (n > SIZE_MAX / 4 - r->len)
		dien(EXIT_INTERNAL, "out of memory (rows over %zu bytes)",
		    r->len);
	while (n > r->cap - r->len)
		r->cap = r->cap ? 2 * r->cap : 1 << 16;
	r->buf = erealloc(r->buf, r->cap);
}

void
split_rows_add(split_rows *r, const csv_record *rec, long day,
    uint32_t group)
{
	if (r->n + 2 > r->ocap) {
		r->ocap = r->ocap ? 2 * r->ocap : 1024;
		r->off = ereallocarray(r->off, r->ocap, sizeof *r->off);
		r->day = ereallocarray(r->day, r->ocap, sizeof *r->day);
		if (r->grouped)
			r->group = ereallocarray(r->group, r->ocap,
			    sizeof *r->group);
		r->off[0] = 0;
	}
	if (rec->raw) {
		reserve(r, rec->rawlen + 1);
		r->buf[r->len++] = 'R';
		memcpy(r->buf + r->len, rec->raw, rec->rawlen);
		r->len += rec->rawlen;
	} else {
		/* 'F', then per field its length (7 bits a byte, low first)
		 * and its bytes. */
		reserve(r, 1);
		r->buf[r->len++] = 'F';
		for (size_t i = 0; i < rec->n; i++) {
			size_t n = rec->len[i];
			reserve(r, n + 10);
			do {
				r->buf[r->len++] = (char)((n & 0x7f) |
				    (n > 0x7f ? 0x80 : 0));
				n >>= 7;
			} while (n);
			if (rec->len[i])
				memcpy(r->buf + r->len, rec->f[i], rec->len[i]);
			r->len += rec->len[i];
		}
	}
	r->day[r->n] = day;
	if (r->grouped)
		r->group[r->n] = group;
	r->off[++r->n] = r->len;
}

void
split_rows_write(out *o, const split_rows *r, size_t i)
{
	const char *p = r->buf + r->off[i], *e = r->buf + r->off[i + 1];

	if (*p++ == 'R') {
		out_write(o, p, (size_t)(e - p));
	} else {
		for (int first = 1; p < e; first = 0) {
			size_t n = 0;
			int shift = 0;
			unsigned char c;
			do {
				c = (unsigned char)*p++;
				n |= (size_t)(c & 0x7f) << shift;
				shift += 7;
			} while (c & 0x80);
			if (!first)
				out_putc(o, ',');
			csv_write_field(o, p, n);
			p += n;
		}
	}
	out_putc(o, '\n');
}

void
split_write_header(out *o, const csv_reader *r)
{
	csv_write_names(o, r);
	out_putc(o, '\n');
}

int
split_rows_read(split_rows *rows, split_groups *g, csv_reader *r,
    const char *date_col, const char *by, char *err, size_t errsz,
    int *status)
{
	const char *name = csv_name(r);
	long dcol = csv_col(r, date_col), day;
	csv_record rec;
	char why[512];
	int got;

	*status = EXIT_DATAERR;
	if (dcol < 0) {
		snprintf(err, errsz, "%s:1: no column \"%s\"", name, date_col);
		return -1;
	}
	if (by && split_groups_init(g, r, by, why, sizeof why) < 0) {
		snprintf(err, errsz, "%s:1: --by: %s", name, why);
		return -1;
	}
	rows->grouped = by != NULL;
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		size_t n = rec.len[dcol];
		if (date_parse(rec.f[dcol], n, &day, NULL) < 0) {
			char fb[MSGFIELD_SIZE];
			*status = EXIT_DATAERR;
			snprintf(err, errsz, "%s:%ld: column \"%s\": \"%s\" is "
			    "not a date", name, rec.line, date_col,
			    msg_field(fb, rec.f[dcol], n));
			return -1;
		}
		split_rows_add(rows, &rec, day, by ? split_group(g, &rec) : 0);
	}
	return got;
}

void
split_rows_free(split_rows *r)
{
	free(r->buf);
	free(r->off);
	free(r->day);
	free(r->group);
	memset(r, 0, sizeof *r);
}

/* --- groups ------------------------------------------------------------ */

int
split_groups_init(split_groups *g, const csv_reader *r, const char *by,
    char *err, size_t errsz)
{
	memset(g, 0, sizeof *g);
	hs_init(&g->hs);
	long got = cols_resolve(by, csv_colnames(r), csv_ncols(r), 0, &g->by,
	    &g->nby, err, errsz);
	return got < 0 ? -1 : 0;
}

uint32_t
split_group(split_groups *g, const csv_record *rec)
{
	hkey h = hash_bytes("", 0);
	uint64_t old;

	for (size_t i = 0; i < g->nby; i++)
		h = hash_more(h, rec->f[g->by[i]], rec->len[g->by[i]]);
	if (!hs_put(&g->hs, h, g->n, &old))
		return (uint32_t)old;
	if (g->n == UINT32_MAX)
		dien(EXIT_INTERNAL, "more than %u groups", UINT32_MAX - 1);
	return g->n++;
}

void
split_groups_free(split_groups *g)
{
	hs_free(&g->hs);
	free(g->by);
	memset(g, 0, sizeof *g);
}
