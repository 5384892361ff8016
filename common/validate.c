/* validate.c: the checks of mmm-validate. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "hashset.h"
#include "jsonw.h"
#include "num.h"
#include "sketch.h"
#include "stats.h"
#include "validate.h"

#define MAX_CATEGORIES 1000
/* sqrt(pi/2): scales the mean absolute deviation to a normal sd, used when
 * the MAD is zero (Iglewicz and Hoaglin's modified z-score). */
#define MEANAD_TO_SD 1.2533141373155003

static const char default_nonneg[] =
    "*spend*,*impressions*,*clicks*,*conversions*,revenue";

enum { OP_LE, OP_LT, OP_GE, OP_GT, OP_EQ };

typedef struct vcheck {
	const char *check;
	char *column;
	double value, threshold;
	int pass, has_value, has_threshold;
	uint64_t rows;		/* rows that broke a row-level check */
	long line;		/* the first of them */
	char *detail;
} vcheck;

typedef struct vrule {
	char *text;
	size_t lhs, rhs;
	int op, rhs_num;
	double num;
	vcheck *chk;
} vrule;

typedef struct vrange {
	size_t col;
	double lo, hi;
	vcheck *chk;
} vrange;

typedef struct vcol {
	const char *name;
	int declared, nonneg, nonneg_strict, required, try_num, try_date;
	int allow_missing, no_outliers;
	uint64_t missing, nonmissing, num_ok, date_ok;
	moments mom;
	sketch sk;
	double d[2];		/* first distinct values, to spot indicators */
	int ndistinct;
	/* categories of non-numeric, non-date values */
	hashset cat_set;
	char **cat_name;
	uint64_t *cat_count;
	size_t ncat;
	int cat_overflow;
	/* leakage: against the target */
	comoments lk;
	double rmin, rmax;
	int rbroken;
	/* this row */
	double x;
	int miss, isnum;
	/* at the end */
	const char *type;
	double median, mad;
	uint64_t outliers;
	int outliers_done;
	const char *scale;	/* what the robust z divides by */
	vcheck *c_require, *c_numeric, *c_nonneg;
} vcol;

typedef struct vgroup {
	char *name;
	long last;
	int seen;
} vgroup;

struct validator {
	vconf c;
	const char *input;
	size_t ncol;
	vcol *col;
	long date_idx;
	size_t *by, nby, *key, nkey;
	long target;
	vrule *rules;
	size_t nrules;
	vrange *ranges;
	size_t nranges;

	vcheck **chk;
	size_t nchk, chkcap;

	uint64_t rows_in, rows_out, rows_rejected;
	hashset keys, rowset, groupset;
	vgroup *groups;
	size_t ngroups;
	char *lastkey;		/* the previous row's --by fields, joined */
	size_t *lastflen, lastcap;	/* and their lengths */
	uint64_t lastgroup;
	long min_day, max_day;
	int have_day;
	vcheck *c_order, *c_gaps, *c_key, *c_dups, *c_date;
	uint64_t missing_periods;
	int pass;
};

void
vconf_defaults(vconf *c)
{
	memset(c, 0, sizeof *c);
	c->date_col = "date";
	c->max_missing = 0.05;
	c->today = date_today();
	c->max_age = -1;
	c->unique = 1;
	c->max_duplicates = 0;
	c->outlier_z = 5;
	c->max_outliers = 0.02;
	c->leak_corr = 0.98;
	c->drift_sd = 2;
	c->drift_missing = 0.05;
	c->max_rejected = -1;
}

/* A check entry.  Each is allocated on its own so that row-level checks can
 * keep a pointer to theirs while more are added. */
static vcheck *
add_check(validator *v, const char *check, const char *column)
{
	if (v->nchk == v->chkcap) {
		v->chkcap = v->chkcap ? 2 * v->chkcap : 64;
		v->chk = ereallocarray(v->chk, v->chkcap, sizeof *v->chk);
	}
	vcheck *k = ecalloc(1, sizeof *k);
	v->chk[v->nchk++] = k;
	k->check = check;
	k->column = column ? estrdup(column) : NULL;
	k->pass = 1;
	return k;
}


static int
resolve(validator *v, const char *spec, int flags, size_t **idx,
    size_t *n, char *err, size_t errsz)
{
	const char **names = emalloc(v->ncol * sizeof *names);
	char e[256];

	for (size_t i = 0; i < v->ncol; i++)
		names[i] = v->col[i].name;
	long got = cols_resolve(spec, names, v->ncol, flags, idx, n, e,
	    sizeof e);
	free(names);
	if (got < 0) {
		snprintf(err, errsz, "%s:1: %s", v->input, e);
		return -1;
	}
	return 0;
}

/* Set the int member at offset off to val in every column spec names. */
static int
mark_cols(validator *v, const char *spec, int flags, size_t off, int val,
    char *err, size_t errsz)
{
	size_t *idx = NULL, n = 0;

	if (resolve(v, spec, flags, &idx, &n, err, errsz) < 0) {
		free(idx);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		*(int *)((char *)&v->col[idx[i]] + off) = val;
	free(idx);
	return 0;
}

#define MARK(spec, member, val) \
	mark_cols(v, spec, 0, offsetof(vcol, member), val, err, errsz)

static int
parse_rule(validator *v, const char *text, vrule *r, char *err, size_t errsz)
{
	static const char *const ops[] = { "<=", ">=", "==", "<", ">" };
	static const int opv[] = { OP_LE, OP_GE, OP_EQ, OP_LT, OP_GT };
	const char *p = NULL;
	int k;

	for (k = 0; k < 5 && !p; k++)
		if ((p = strstr(text, ops[k])))
			break;
	if (!p) {
		snprintf(err, errsz, "--rule \"%s\": expected A<=B, A<B, A>=B, "
		    "A>B or A==B", text);
		return EXIT_USAGE;
	}
	char *lhs = estrndup(text, (size_t)(p - text));
	const char *rhs = p + strlen(ops[k]);
	long li = -1, ri = -1;
	for (size_t i = 0; i < v->ncol; i++) {
		if (strcmp(v->col[i].name, lhs) == 0)
			li = (long)i;
		if (strcmp(v->col[i].name, rhs) == 0)
			ri = (long)i;
	}
	r->text = estrdup(text);
	r->op = opv[k];
	if (li < 0) {
		snprintf(err, errsz, "%s:1: --rule \"%s\": no column \"%s\" in "
		    "the header", v->input, text, lhs);
		free(lhs);
		return EXIT_DATAERR;
	}
	free(lhs);
	r->lhs = (size_t)li;
	if (ri >= 0) {
		r->rhs = (size_t)ri;
	} else if (num_parse(rhs, strlen(rhs), &r->num) == 0) {
		r->rhs_num = 1;
	} else if (!*rhs) {
		snprintf(err, errsz, "--rule \"%s\": nothing after the operator",
		    text);
		return EXIT_USAGE;
	} else {
		snprintf(err, errsz, "%s:1: --rule \"%s\": \"%s\" is neither a "
		    "column nor a number", v->input, text, rhs);
		return EXIT_DATAERR;
	}
	return 0;
}

static int
parse_range(validator *v, const char *text, size_t *ncols, char *err,
    size_t errsz)
{
	const char *eq = strchr(text, '='), *colon = eq ? strchr(eq, ':') : NULL;
	double lo, hi;

	if (!eq || !colon || num_parse(eq + 1, (size_t)(colon - eq - 1),
	    &lo) < 0 || num_parse(colon + 1, strlen(colon + 1), &hi) < 0 ||
	    lo > hi) {
		snprintf(err, errsz, "--range \"%s\": expected COL=MIN:MAX with "
		    "MIN <= MAX", text);
		return EXIT_USAGE;
	}
	char *spec = estrndup(text, (size_t)(eq - text));
	size_t *idx = NULL, n = 0;
	int rc = resolve(v, spec, 0, &idx, &n, err, errsz);
	free(spec);
	if (rc < 0) {
		free(idx);
		return EXIT_DATAERR;
	}
	for (size_t i = 0; i < n; i++) {
		v->ranges = ereallocarray(v->ranges, v->nranges + 1,
		    sizeof *v->ranges);
		vrange *g = &v->ranges[v->nranges++];
		g->col = idx[i];
		g->lo = lo;
		g->hi = hi;
		g->chk = NULL;
		v->col[idx[i]].declared = 1;
	}
	*ncols = n;
	free(idx);
	return 0;
}

validator *
val_new(const vconf *c, const csv_reader *r, char *err, size_t errsz,
    int *status)
{
	validator *v = ecalloc(1, sizeof *v);

	v->c = *c;
	v->input = csv_name(r);
	v->ncol = csv_ncols(r);
	v->col = ecalloc(v->ncol, sizeof *v->col);
	v->target = -1;
	v->pass = 1;
	hs_init(&v->keys);
	hs_init(&v->rowset);
	hs_init(&v->groupset);
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		k->name = csv_colname(r, i);
		k->try_num = k->try_date = 1;
		mom_init(&k->mom);
		sketch_init(&k->sk);
		hs_init(&k->cat_set);
		k->rmin = INFINITY;
		k->rmax = -INFINITY;
	}
	*status = EXIT_DATAERR;

	v->date_idx = csv_col(r, c->date_col);
	if (v->date_idx < 0 && c->date_given) {
		snprintf(err, errsz, "%s:1: no date column \"%s\" in the header",
		    v->input, c->date_col);
		goto fail;
	}
	if (v->date_idx < 0 && (c->freq || c->max_age >= 0)) {
		snprintf(err, errsz, "%s:1: --freq and --max-age need the date "
		    "column \"%s\", which the header lacks", v->input,
		    c->date_col);
		goto fail;
	}
	if (c->by && resolve(v, c->by, 0, &v->by, &v->nby, err, errsz) < 0)
		goto fail;
	if (c->require && MARK(c->require, required, 1) < 0)
		goto fail;
	if (c->numeric && MARK(c->numeric, declared, 1) < 0)
		goto fail;
	if (c->nonneg) {
		if (MARK(c->nonneg, nonneg, 1) < 0)
			goto fail;
		MARK(c->nonneg, nonneg_strict, 1);
		MARK(c->nonneg, declared, 1);
	} else {
		mark_cols(v, default_nonneg, COLS_CASEFOLD | COLS_LENIENT,
		    offsetof(vcol, nonneg), 1, err, errsz);
	}
	if (c->allow_missing && MARK(c->allow_missing, allow_missing, 1) < 0)
		goto fail;
	if (c->outlier_cols) {
		for (size_t i = 0; i < v->ncol; i++)
			v->col[i].no_outliers = 1;
		if (MARK(c->outlier_cols, no_outliers, 0) < 0)
			goto fail;
	}
	if (c->target) {
		v->target = csv_col(r, c->target);
		if (v->target < 0) {
			snprintf(err, errsz, "%s:1: no target column \"%s\" in "
			    "the header", v->input, c->target);
			goto fail;
		}
	}
	for (size_t i = 0; i < c->nranges; i++) {
		size_t before = v->nranges, got;
		if ((*status = parse_range(v, c->ranges[i], &got, err,
		    errsz)) != 0)
			goto fail;
		for (size_t j = before; j < v->nranges; j++)
			v->ranges[j].chk = add_check(v, "range",
			    v->col[v->ranges[j].col].name);
	}
	v->rules = ecalloc(c->nrules ? c->nrules : 1, sizeof *v->rules);
	for (size_t i = 0; i < c->nrules; i++) {
		vrule *u = &v->rules[i];
		if ((*status = parse_rule(v, c->rules[i], u, err, errsz)) != 0) {
			v->nrules = i + 1;
			goto fail;
		}
		v->nrules = i + 1;
		v->col[u->lhs].declared = 1;
		if (!u->rhs_num)
			v->col[u->rhs].declared = 1;
		u->chk = add_check(v, "rule", u->text);
	}
	*status = EXIT_DATAERR;
	if (c->unique) {
		if (c->key) {
			if (resolve(v, c->key, 0, &v->key, &v->nkey, err,
			    errsz) < 0)
				goto fail;
		} else if (v->date_idx >= 0) {
			v->key = emalloc((v->nby + 1) * sizeof *v->key);
			v->key[v->nkey++] = (size_t)v->date_idx;
			for (size_t i = 0; i < v->nby; i++)
				if (v->by[i] != (size_t)v->date_idx)
					v->key[v->nkey++] = v->by[i];
		}
		if (v->nkey) {
			char *names = NULL;
			for (size_t i = 0; i < v->nkey; i++) {
				char *t = efmt("%s%s%s", names ? names : "",
				    i ? "," : "", v->col[v->key[i]].name);
				free(names);
				names = t;
			}
			v->c_key = add_check(v, "unique_key", names);
			free(names);
		}
		v->c_dups = add_check(v, "duplicate_rows", NULL);
		v->c_dups->has_threshold = 1;
		v->c_dups->threshold = (double)c->max_duplicates;
	}
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		if (k->required)
			k->c_require = add_check(v, "require", k->name);
		if (k->declared)
			k->c_numeric = add_check(v, "numeric", k->name);
		if (k->nonneg)
			k->c_nonneg = add_check(v, "nonneg", k->name);
	}
	if (v->date_idx >= 0) {
		v->c_date = add_check(v, "date", c->date_col);
		v->c_order = add_check(v, "date_order", c->date_col);
		if (c->freq)
			v->c_gaps = add_check(v, "date_gaps", c->date_col);
	}
	return v;
fail:
	val_free(v);
	return NULL;
}

/* Append "; "-separated reasons, marking the cut when they do not fit. */
static void
add_reason(char *reason, size_t rsz, int *nreasons, const char *f, ...)
    __attribute__((format(printf, 4, 5)));

static void
add_reason(char *reason, size_t rsz, int *nreasons, const char *f, ...)
{
	size_t len = strlen(reason);
	va_list ap;

	if (len + 8 >= rsz)
		return;
	if ((*nreasons)++)
		len += (size_t)snprintf(reason + len, rsz - len, "; ");
	va_start(ap, f);
	vsnprintf(reason + len, rsz - len, f, ap);
	va_end(ap);
}

static void
hit(vcheck *k, long line)
{
	if (k->rows++ == 0)
		k->line = line;
}

/* A field for messages: at most 40 bytes of it. */
/* A field for messages and reasons, on one line. */
#define SHOW(buf, rec, i) msg_field(buf, (rec)->f[i], (rec)->len[i])

static int
rule_holds(const vrule *u, double a, double b)
{
	switch (u->op) {
	case OP_LE: return a <= b;
	case OP_LT: return a < b;
	case OP_GE: return a >= b;
	case OP_GT: return a > b;
	default: return a == b;
	}
}

static void
count_category(vcol *k, const char *s, size_t n)
{
	uint64_t at;

	if (k->cat_overflow)
		return;
	if (hs_put(&k->cat_set, hash_bytes(s, n), k->ncat, &at)) {
		if (k->ncat == MAX_CATEGORIES) {
			k->cat_overflow = 1;
			return;
		}
		k->cat_name = ereallocarray(k->cat_name, k->ncat + 1,
		    sizeof *k->cat_name);
		k->cat_count = ereallocarray(k->cat_count, k->ncat + 1,
		    sizeof *k->cat_count);
		k->cat_name[k->ncat] = estrndup(s, n);
		k->cat_count[k->ncat++] = 1;
	} else {
		k->cat_count[at]++;
	}
}

/* Is the row in the previous row's group?  Input is usually sorted by group,
 * so this spares a hash and a lookup per row.  Remembers the key. */
static int
same_group(validator *v, const csv_record *rec)
{
	size_t n = 0, at = 0;

	if (!v->lastflen)
		v->lastflen = ecalloc(v->nby, sizeof *v->lastflen);
	for (size_t i = 0; i < v->nby; i++)
		n += rec->len[v->by[i]];
	if (n > v->lastcap) {
		v->lastcap = 2 * n;
		v->lastkey = erealloc(v->lastkey, v->lastcap);
	}
	int same = v->ngroups > 0;
	for (size_t i = 0; i < v->nby; i++) {
		size_t len = rec->len[v->by[i]];
		if (same && (len != v->lastflen[i] ||
		    memcmp(v->lastkey + at, rec->f[v->by[i]], len) != 0))
			same = 0;
		if (!same && len)
			memcpy(v->lastkey + at, rec->f[v->by[i]], len);
		v->lastflen[i] = len;
		at += len;
	}
	return same;
}

static void
track_dates(validator *v, const csv_record *rec, long day)
{
	vgroup *g;
	uint64_t gi = 0;

	if (!v->have_day || day < v->min_day)
		v->min_day = day;
	if (!v->have_day || day > v->max_day)
		v->max_day = day;
	v->have_day = 1;
	if (v->nby && same_group(v, rec)) {
		gi = v->lastgroup;
	} else if (v->nby) {
		hkey h = hash_bytes("", 0);
		for (size_t i = 0; i < v->nby; i++)
			h = hash_more(h, rec->f[v->by[i]], rec->len[v->by[i]]);
		if (hs_put(&v->groupset, h, v->ngroups, &gi)) {
			gi = v->ngroups++;
			v->groups = ereallocarray(v->groups, v->ngroups,
			    sizeof *v->groups);
			g = &v->groups[gi];
			g->seen = 0;
			g->name = NULL;
			for (size_t i = 0; i < v->nby; i++) {
				char *t = efmt("%s%s%.*s", g->name ? g->name : "",
				    i ? "," : "", (int)rec->len[v->by[i]],
				    rec->f[v->by[i]]);
				free(g->name);
				g->name = t;
			}
		}
	} else if (v->ngroups == 0) {
		v->groups = ecalloc(1, sizeof *v->groups);
		v->ngroups = 1;
	}
	v->lastgroup = gi;
	g = &v->groups[gi];
	if (g->seen) {
		long d = day - g->last;
		if (d < 0) {
			hit(v->c_order, rec->line);
		} else if (v->c_gaps && d > 0) {
			long f = v->c.freq;
			if (d % f != 0 || d > f) {
				hit(v->c_gaps, rec->line);
				v->missing_periods += (uint64_t)(d / f -
				    (d % f == 0));
			}
		}
	}
	if (!g->seen || day > g->last)
		g->last = day;
	g->seen = 1;
}

int
val_row(validator *v, const csv_record *rec, char *reason, size_t rsz,
    char *err, size_t errsz)
{
	int nreasons = 0;
	long day = 0;
	char fb[2][MSGFIELD_SIZE];
	int have_day = 0;

	reason[0] = '\0';
	v->rows_in++;
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		const char *s = rec->f[i];
		size_t n = rec->len[i];

		k->isnum = 0;
		k->x = NAN;
		if ((k->miss = csv_is_missing(s, n))) {
			if (k->required) {
				hit(k->c_require, rec->line);
				add_reason(reason, rsz, &nreasons,
				    "column \"%s\": missing required value",
				    k->name);
			}
			continue;
		}
		/* A --nonneg column keeps being read as numbers after a text
		 * value, so no negative number slips past. */
		if (k->try_num || k->declared || k->nonneg) {
			if (num_parse(s, n, &k->x) == 0 && isfinite(k->x)) {
				k->isnum = 1;
			} else if (k->declared) {
				if (!v->c.drop_invalid) {
					snprintf(err, errsz, "%s:%ld: column "
					    "\"%s\": \"%s\" is not a number",
					    v->input, rec->line, k->name,
					    SHOW(fb[0], rec, i));
					return -1;
				}
				hit(k->c_numeric, rec->line);
				add_reason(reason, rsz, &nreasons, "column "
				    "\"%s\": \"%s\" is not a number", k->name,
				    SHOW(fb[0], rec, i));
				continue;
			}
		}
		if (k->isnum && k->nonneg && k->x < 0) {
			hit(k->c_nonneg, rec->line);
			add_reason(reason, rsz, &nreasons, "column \"%s\": %s "
			    "is negative", k->name, SHOW(fb[0], rec, i));
		}
	}
	if (v->date_idx >= 0 && !v->col[v->date_idx].miss) {
		size_t i = (size_t)v->date_idx;
		if (date_parse(rec->f[i], rec->len[i], &day, NULL) == 0) {
			have_day = 1;
		} else if (!v->c.drop_invalid) {
			snprintf(err, errsz, "%s:%ld: column \"%s\": \"%s\" is "
			    "not a date (YYYY-MM-DD[ HH:MM[:SS]])", v->input,
			    rec->line, v->col[i].name, SHOW(fb[0], rec, i));
			return -1;
		} else {
			hit(v->c_date, rec->line);
			add_reason(reason, rsz, &nreasons, "column \"%s\": "
			    "\"%s\" is not a date", v->col[i].name,
			    SHOW(fb[0], rec, i));
		}
	}
	for (size_t i = 0; i < v->nranges; i++) {
		vrange *g = &v->ranges[i];
		vcol *k = &v->col[g->col];
		if (k->isnum && (k->x < g->lo || k->x > g->hi)) {
			hit(g->chk, rec->line);
			add_reason(reason, rsz, &nreasons, "column \"%s\": %s "
			    "is outside [%g, %g]", k->name, SHOW(fb[0], rec, g->col),
			    g->lo, g->hi);
		}
	}
	for (size_t i = 0; i < v->nrules; i++) {
		vrule *u = &v->rules[i];
		vcol *a = &v->col[u->lhs];
		double b = u->rhs_num ? u->num : v->col[u->rhs].x;
		if (a->isnum && !isnan(b) && !rule_holds(u, a->x, b)) {
			hit(u->chk, rec->line);
			if (u->rhs_num)
				add_reason(reason, rsz, &nreasons, "rule %s "
				    "broken: %s=%s", u->text, a->name,
				    SHOW(fb[0], rec, u->lhs));
			else
				add_reason(reason, rsz, &nreasons, "rule %s "
				    "broken: %s=%s, %s=%s", u->text,
				    a->name, SHOW(fb[0], rec, u->lhs),
				    v->col[u->rhs].name, SHOW(fb[1], rec, u->rhs));
		}
	}
	/* Uniqueness last: only a row that passes everything else claims its
	 * key, so a later good row is not rejected for a bad one's key. */
	if (v->c.unique && (nreasons == 0 || !v->c.drop_invalid)) {
		uint64_t first;
		hkey h = hash_bytes("", 0);
		for (size_t i = 0; i < rec->n; i++)
			h = hash_more(h, rec->f[i], rec->len[i]);
		if (!hs_put(&v->rowset, h, (uint64_t)rec->line, &first)) {
			hit(v->c_dups, rec->line);
			add_reason(reason, rsz, &nreasons, "duplicate of line "
			    "%llu", (unsigned long long)first);
		} else if (v->nkey) {
			h = hash_bytes("", 0);
			for (size_t i = 0; i < v->nkey; i++)
				h = hash_more(h, rec->f[v->key[i]],
				    rec->len[v->key[i]]);
			if (!hs_put(&v->keys, h, (uint64_t)rec->line, &first)) {
				hit(v->c_key, rec->line);
				add_reason(reason, rsz, &nreasons, "duplicate "
				    "key %s (first at line %llu)",
				    v->c_key->column, (unsigned long long)first);
			}
		}
	}
	if (nreasons && v->c.drop_invalid) {
		v->rows_rejected++;
		return 0;
	}

	/* The row goes on: it counts in the column statistics. */
	v->rows_out++;
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		if (k->miss) {
			k->missing++;
			continue;
		}
		k->nonmissing++;
		if (k->isnum) {
			k->num_ok++;
			mom_add(&k->mom, k->x);
			sketch_add(&k->sk, k->x);
			if (k->ndistinct < 3) {
				int seen = 0;
				for (int d = 0; d < k->ndistinct && d < 2; d++)
					seen |= k->x == k->d[d];
				if (!seen && k->ndistinct < 2)
					k->d[k->ndistinct] = k->x;
				k->ndistinct += !seen;
			}
			continue;
		}
		k->try_num = 0;
		long d;
		if (k->try_date && (have_day && (long)i == v->date_idx ?
		    1 : date_parse(rec->f[i], rec->len[i], &d, NULL) == 0)) {
			k->date_ok++;
			continue;
		}
		k->try_date = 0;
		count_category(k, rec->f[i], rec->len[i]);
	}
	if (v->target >= 0 && v->col[v->target].isnum) {
		double y = v->col[v->target].x;
		for (size_t i = 0; i < v->ncol; i++) {
			vcol *k = &v->col[i];
			if ((long)i == v->target || !k->isnum)
				continue;
			com_add(&k->lk, k->x, y);
			if (y != 0) {
				double q = k->x / y;
				if (q < k->rmin)
					k->rmin = q;
				if (q > k->rmax)
					k->rmax = q;
			} else if (k->x != 0) {
				k->rbroken = 1;
			}
		}
	}
	if (have_day)
		track_dates(v, rec, day);
	return 1;
}

static const char *
col_type(const vcol *k)
{
	if (k->nonmissing == 0)
		return "empty";
	if (k->num_ok == k->nonmissing)
		return "numeric";
	if (k->num_ok + k->date_ok == k->nonmissing && k->date_ok)
		return "date";
	return "text";
}

static void
outliers(validator *v, vcol *k)
{
	if (k->outliers_done)
		return;
	k->outliers_done = 1;
	k->median = sketch_quantile(&k->sk, 0.5);
	k->mad = sketch_mad(&k->sk, k->median);
	k->outliers = 0;
	/* Indicators (two values at most) have no outliers to speak of. */
	if (k->ndistinct < 3)
		return;
	double s = MAD_TO_SD * k->mad;
	k->scale = "1.4826 MAD";
	if (s == 0) {
		s = MEANAD_TO_SD * sketch_meanad(&k->sk, k->median);
		k->scale = "1.2533 mean absolute deviation (MAD is 0)";
	}
	if (s > 0)
		k->outliers = sketch_count_outside(&k->sk,
		    k->median - v->c.outlier_z * s,
		    k->median + v->c.outlier_z * s);
}

static void
fail_if(validator *v, vcheck *k, int failed)
{
	if (failed) {
		k->pass = 0;
		v->pass = 0;
	}
}

void
val_finish(validator *v)
{
	const vconf *c = &v->c;

	/* Row-level checks: rejected rows are handled, unless nothing was
	 * rejected and they went on. */
	for (size_t i = 0; i < v->nchk; i++) {
		vcheck *k = v->chk[i];
		if (strcmp(k->check, "date_order") == 0 ||
		    strcmp(k->check, "date_gaps") == 0 ||
		    strcmp(k->check, "duplicate_rows") == 0)
			continue;
		k->has_value = 1;
		k->value = (double)k->rows;
		k->has_threshold = 1;
		k->threshold = 0;
		fail_if(v, k, k->rows > 0 && !c->drop_invalid);
	}
	if (v->c_dups) {
		vcheck *k = v->c_dups;
		k->has_value = 1;
		k->value = (double)k->rows;
		fail_if(v, k, k->rows > (uint64_t)c->max_duplicates &&
		    !c->drop_invalid);
	}
	if (v->c_order) {
		vcheck *k = v->c_order;
		k->has_value = k->has_threshold = 1;
		k->value = (double)k->rows;
		fail_if(v, k, k->rows > 0);
	}
	if (v->c_gaps) {
		vcheck *k = v->c_gaps;
		k->has_value = k->has_threshold = 1;
		k->value = (double)k->rows;
		if (k->rows)
			k->detail = efmt("%llu missing %s periods",
			    (unsigned long long)v->missing_periods,
			    c->freq == 1 ? "daily" : "weekly");
		fail_if(v, k, k->rows > 0);
	}
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		k->type = col_type(k);
		vcheck *m = add_check(v, "missing", k->name);
		m->has_value = m->has_threshold = 1;
		m->value = v->rows_out ? (double)k->missing / (double)v->rows_out
		    : 0;
		m->threshold = k->allow_missing ? 1 : c->max_missing;
		fail_if(v, m, m->value > m->threshold);
	}
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		if (strcmp(k->type, "numeric") != 0 || k->no_outliers)
			continue;
		outliers(v, k);
		vcheck *o = add_check(v, "outliers", k->name);
		o->has_value = o->has_threshold = 1;
		o->rows = k->outliers;
		o->value = k->num_ok ? (double)k->outliers / (double)k->num_ok : 0;
		o->threshold = c->max_outliers;
		o->detail = k->scale ? efmt("|x - median| / %s > %g", k->scale,
		    c->outlier_z) : estrdup("two distinct values or fewer: not "
		    "checked");
		fail_if(v, o, o->value > c->max_outliers);
	}
	if (v->target >= 0 && strcmp(v->col[v->target].type, "numeric") == 0) {
		for (size_t i = 0; i < v->ncol; i++) {
			vcol *k = &v->col[i];
			if ((long)i == v->target ||
			    strcmp(k->type, "numeric") != 0)
				continue;
			double r = com_corr(&k->lk);
			int prop = !k->rbroken && k->lk.n >= 2 &&
			    k->rmax - k->rmin <= 1e-9 * fmax(fabs(k->rmin),
			    fabs(k->rmax)) && k->rmax != 0;
			vcheck *l = add_check(v, "leakage", k->name);
			l->has_value = l->has_threshold = 1;
			l->value = fabs(r);
			l->threshold = c->leak_corr;
			if (prop)
				l->detail = efmt("equals the target \"%s\" "
				    "times %.17g", c->target, k->rmin);
			else if (fabs(r) >= c->leak_corr)
				l->detail = efmt("near-copy of the target "
				    "\"%s\"", c->target);
			fail_if(v, l, prop || fabs(r) >= c->leak_corr);
		}
	}
	if (c->max_age >= 0 && v->date_idx >= 0) {
		vcheck *a = add_check(v, "max_age", c->date_col);
		a->has_threshold = 1;
		a->threshold = c->max_age;
		if (v->have_day) {
			char d[16];
			a->has_value = 1;
			a->value = (double)(c->today - v->max_day);
			date_format(v->max_day, d);
			a->detail = efmt("latest date %s", d);
			fail_if(v, a, a->value > c->max_age);
		} else {
			a->detail = estrdup("no dates");
			fail_if(v, a, 1);
		}
	}
	if (c->drop_invalid) {
		vcheck *k = add_check(v, "rejected", NULL);
		k->has_value = 1;
		k->rows = v->rows_rejected;
		k->value = v->rows_in ? (double)v->rows_rejected /
		    (double)v->rows_in : 0;
		if (c->max_rejected >= 0) {
			k->has_threshold = 1;
			k->threshold = c->max_rejected;
			fail_if(v, k, k->value > c->max_rejected);
		}
	}
}

static json_t *
profile_col(json_t *cols, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(cols, i, c) {
		const char *n = json_string_value(json_object_get(c, "name"));
		if (n && strcmp(n, name) == 0)
			return c;
	}
	return NULL;
}

int
val_against(validator *v, const char *path, char *err, size_t errsz,
    int *status)
{
	json_error_t je;
	json_t *p = json_load_file(path, 0, &je);

	if (!p) {
		FILE *f = fopen(path, "r");
		*status = f ? EXIT_DATAERR : EXIT_NOINPUT;
		if (f) {
			fclose(f);
			snprintf(err, errsz, "%s:%d: not JSON: %s", path,
			    je.line, je.text);
		} else {
			snprintf(err, errsz, "%s: cannot open profile", path);
		}
		return -1;
	}
	json_t *cols = json_object_get(p, "columns");
	const char *f = json_string_value(json_object_get(p, "format"));
	if (!f || strcmp(f, "mmm-profile") != 0 || !json_is_array(cols)) {
		*status = EXIT_DATAERR;
		snprintf(err, errsz, "%s: not an mmm profile (written by "
		    "mmm-validate --profile-out)", path);
		json_decref(p);
		return -1;
	}
	json_int_t ver = json_integer_value(json_object_get(p,
	    "format_version"));
	if (ver != 1) {
		*status = EXIT_DATAERR;
		snprintf(err, errsz, "%s: profile format_version %lld is not "
		    "supported (this mmm reads 1)", path, (long long)ver);
		json_decref(p);
		return -1;
	}
	size_t i;
	json_t *pc;
	json_array_foreach(cols, i, pc) {
		const char *name = json_string_value(json_object_get(pc, "name"));
		if (!name)
			continue;
		long j = -1;
		for (size_t t = 0; t < v->ncol; t++)
			if (strcmp(v->col[t].name, name) == 0)
				j = (long)t;
		if (j < 0) {
			vcheck *k = add_check(v, "drift_schema", name);
			k->detail = estrdup("column of the profile is missing");
			fail_if(v, k, 1);
		}
	}
	for (size_t t = 0; t < v->ncol; t++) {
		vcol *k = &v->col[t];
		pc = profile_col(cols, k->name);
		if (!pc) {
			vcheck *c = add_check(v, "drift_schema", k->name);
			c->detail = estrdup("new column, not in the profile");
			continue;
		}
		const char *ptype = json_string_value(json_object_get(pc,
		    "type"));
		if (ptype && strcmp(ptype, "empty") != 0 &&
		    strcmp(k->type, "empty") != 0 && strcmp(ptype, k->type)) {
			vcheck *c = add_check(v, "drift_type", k->name);
			c->detail = efmt("was %s, now %s", ptype, k->type);
			fail_if(v, c, 1);
		}
		double pmiss = json_number_value(json_object_get(pc,
		    "missing_frac"));
		double miss = v->rows_out ? (double)k->missing /
		    (double)v->rows_out : 0;
		vcheck *c = add_check(v, "drift_missing", k->name);
		c->has_value = c->has_threshold = 1;
		c->value = miss - pmiss;
		c->threshold = v->c.drift_missing;
		fail_if(v, c, c->value > v->c.drift_missing);
		json_t *jm = json_object_get(pc, "mean"),
		    *js = json_object_get(pc, "sd");
		if (strcmp(k->type, "numeric") == 0 && json_is_number(jm) &&
		    k->mom.n > 0) {
			double pm = json_number_value(jm);
			double ps = json_is_number(js) ? json_number_value(js) : 0;
			double shift = k->mom.mean == pm ? 0 :
			    ps > 0 ? fabs(k->mom.mean - pm) / ps : INFINITY;
			c = add_check(v, "drift_mean", k->name);
			c->has_value = c->has_threshold = 1;
			c->value = shift;
			c->threshold = v->c.drift_sd;
			c->detail = efmt("mean %.17g, profile mean %.17g sd %.17g",
			    k->mom.mean, pm, ps);
			fail_if(v, c, shift > v->c.drift_sd);
		}
		json_t *cats = json_object_get(pc, "categories");
		if (json_is_object(cats) && k->ncat) {
			size_t fresh = 0;
			const char *first = NULL;
			for (size_t q = 0; q < k->ncat; q++)
				if (!json_object_get(cats, k->cat_name[q])) {
					if (!fresh++)
						first = k->cat_name[q];
				}
			c = add_check(v, "drift_category", k->name);
			c->has_value = c->has_threshold = 1;
			c->value = (double)fresh;
			if (fresh)
				c->detail = efmt("new category \"%.40s\"%s", first,
				    fresh > 1 ? " and more" : "");
			fail_if(v, c, fresh > 0);
		}
	}
	json_decref(p);
	return 0;
}

int
val_pass(const validator *v)
{
	return v->pass;
}

int
val_failure(const validator *v, size_t which, char *buf, size_t bufsz)
{
	for (size_t i = 0; i < v->nchk; i++) {
		const vcheck *k = v->chk[i];
		if (k->pass || which--)
			continue;
		char where[64] = "";
		if (k->line)
			snprintf(where, sizeof where, ":%ld", k->line);
		int n = snprintf(buf, bufsz, "%s%s: check %s failed", v->input,
		    where, k->check);
		if (k->column && n >= 0 && (size_t)n < bufsz)
			n += snprintf(buf + n, bufsz - (size_t)n, ": %s \"%s\"",
			    strncmp(k->check, "rule", 4) ? "column" : "rule",
			    k->column);
		if (k->rows && n >= 0 && (size_t)n < bufsz)
			n += snprintf(buf + n, bufsz - (size_t)n, ": %llu "
			    "row%s%s", (unsigned long long)k->rows,
			    k->rows == 1 ? "" : "s", k->line ? ", the first "
			    "here" : "");
		if (k->has_value && !k->rows && n >= 0 && (size_t)n < bufsz)
			n += snprintf(buf + n, bufsz - (size_t)n, ": %.6g %s "
			    "%.6g", k->value, k->has_threshold ? ">" : "",
			    k->threshold);
		if (k->detail && n >= 0 && (size_t)n < bufsz)
			snprintf(buf + n, bufsz - (size_t)n, " (%s)", k->detail);
		return 1;
	}
	return 0;
}

static void
write_quantiles(jsonw *w, vcol *k)
{
	static const double qs[] = { 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99 };
	static const char *const qn[] = { "0.01", "0.05", "0.25", "0.5",
	    "0.75", "0.95", "0.99" };

	jw_key(w, "quantiles");
	jw_obj(w);
	for (size_t q = 0; q < 7; q++) {
		jw_key(w, qn[q]);
		jw_num(w, sketch_quantile(&k->sk, qs[q]));
	}
	jw_obj_end(w);
	jw_key(w, "quantiles_exact");
	jw_bool(w, sketch_is_exact(&k->sk));
}

static void
write_col_stats(jsonw *w, vcol *k, uint64_t rows)
{
	int num = strcmp(k->type, "numeric") == 0;

	jw_key(w, "name");
	jw_str(w, k->name);
	jw_key(w, "type");
	jw_str(w, k->type);
	jw_key(w, "count");
	jw_int(w, (long long)k->nonmissing);
	jw_key(w, "missing");
	jw_int(w, (long long)k->missing);
	jw_key(w, "missing_frac");
	jw_num(w, rows ? (double)k->missing / (double)rows : 0);
	jw_key(w, "min");
	jw_num(w, num ? k->mom.min : NAN);
	jw_key(w, "max");
	jw_num(w, num ? k->mom.max : NAN);
	jw_key(w, "mean");
	jw_num(w, num ? k->mom.mean : NAN);
	jw_key(w, "sd");
	jw_num(w, num ? mom_sd(&k->mom) : NAN);
}

void
val_report(validator *v, out *o)
{
	jsonw w;

	jw_init(&w, o, 1);
	jw_obj(&w);
	jw_key(&w, "format");
	jw_str(&w, "mmm-validate-report");
	jw_key(&w, "format_version");
	jw_int(&w, 1);
	jw_key(&w, "input");
	jw_str(&w, v->input);
	jw_key(&w, "rows_in");
	jw_int(&w, (long long)v->rows_in);
	jw_key(&w, "rows_out");
	jw_int(&w, (long long)v->rows_out);
	jw_key(&w, "rows_rejected");
	jw_int(&w, (long long)v->rows_rejected);
	jw_key(&w, "pass");
	jw_bool(&w, v->pass);
	if (v->have_day) {
		char d[16];
		jw_key(&w, "date_range");
		jw_arr(&w);
		date_format(v->min_day, d);
		jw_str(&w, d);
		date_format(v->max_day, d);
		jw_str(&w, d);
		jw_arr_end(&w);
	}
	jw_key(&w, "columns");
	jw_arr(&w);
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		int num = strcmp(k->type, "numeric") == 0;
		jw_obj(&w);
		write_col_stats(&w, k, v->rows_out);
		if (num)
			outliers(v, k);
		jw_key(&w, "median");
		jw_num(&w, num ? k->median : NAN);
		jw_key(&w, "mad");
		jw_num(&w, num ? k->mad : NAN);
		jw_key(&w, "outliers");
		if (num)
			jw_int(&w, (long long)k->outliers);
		else
			jw_null(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "checks");
	jw_arr(&w);
	for (size_t i = 0; i < v->nchk; i++) {
		vcheck *k = v->chk[i];
		jw_obj(&w);
		jw_key(&w, "check");
		jw_str(&w, k->check);
		jw_key(&w, "column");
		jw_str(&w, k->column);
		jw_key(&w, "value");
		if (k->has_value)
			jw_num(&w, k->value);
		else
			jw_null(&w);
		jw_key(&w, "threshold");
		if (k->has_threshold)
			jw_num(&w, k->threshold);
		else
			jw_null(&w);
		jw_key(&w, "pass");
		jw_bool(&w, k->pass);
		if (k->rows) {
			jw_key(&w, "rows");
			jw_int(&w, (long long)k->rows);
		}
		if (k->line) {
			jw_key(&w, "first_line");
			jw_int(&w, k->line);
		}
		if (k->detail) {
			jw_key(&w, "detail");
			jw_str(&w, k->detail);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

void
val_profile(validator *v, out *o)
{
	jsonw w;

	jw_init(&w, o, 1);
	jw_obj(&w);
	jw_key(&w, "format");
	jw_str(&w, "mmm-profile");
	jw_key(&w, "format_version");
	jw_int(&w, 1);
	jw_key(&w, "rows");
	jw_int(&w, (long long)v->rows_out);
	jw_key(&w, "columns");
	jw_arr(&w);
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		jw_obj(&w);
		write_col_stats(&w, k, v->rows_out);
		if (strcmp(k->type, "numeric") == 0)
			write_quantiles(&w, k);
		jw_key(&w, "categories");
		if (k->cat_overflow || strcmp(k->type, "text") != 0) {
			jw_null(&w);
		} else {
			jw_obj(&w);
			for (size_t q = 0; q < k->ncat; q++) {
				jw_key(&w, k->cat_name[q]);
				jw_int(&w, (long long)k->cat_count[q]);
			}
			jw_obj_end(&w);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

void
val_free(validator *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->ncol; i++) {
		vcol *k = &v->col[i];
		sketch_free(&k->sk);
		hs_free(&k->cat_set);
		for (size_t q = 0; q < k->ncat; q++)
			free(k->cat_name[q]);
		free(k->cat_name);
		free(k->cat_count);
	}
	for (size_t i = 0; i < v->nchk; i++) {
		free(v->chk[i]->column);
		free(v->chk[i]->detail);
		free(v->chk[i]);
	}
	for (size_t i = 0; i < v->nrules; i++)
		free(v->rules[i].text);
	for (size_t i = 0; i < v->ngroups; i++)
		free(v->groups[i].name);
	free(v->groups);
	free(v->lastkey);
	free(v->lastflen);
	free(v->rules);
	free(v->ranges);
	free(v->chk);
	free(v->col);
	free(v->by);
	free(v->key);
	hs_free(&v->keys);
	hs_free(&v->rowset);
	hs_free(&v->groupset);
	free(v);
}
