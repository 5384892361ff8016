/* featurize.c: the feature pipeline of mmm-features.
 *
 * Every row gets a value array: the input columns a step reads (parsed on
 * demand), then each step's outputs in order, so a step may read what an
 * earlier one made.  State that runs along time (lags, windows, carryover)
 * lives per group and is reset when the group changes; input must come
 * sorted by group and date.  State fitted on the data (scalers, one-hot
 * categories, trend origin, saturation scale) comes from extra passes before
 * the rows are written, one pass per level of steps that need it. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "featurize.h"
#include "hashset.h"
#include "holidays.h"
#include "jsonw.h"
#include "num.h"
#include "stats.h"
#include "transform_step.h"

#define MAX_CATEGORIES 1000
#define MAX_WINDOW 100000

enum { T_DOW, T_MONTH, T_QUARTER, T_SEASON, T_WEEKOFYEAR, T_DAYOFYEAR,
	T_WEEKEND, T_TREND, T_NTIME };
static const char *const time_names[T_NTIME] = { "dow", "month", "quarter",
	"season", "weekofyear", "dayofyear", "weekend", "trend" };

enum { R_MEAN, R_STD, R_MIN, R_MAX, R_SUM, R_NSTAT };
static const char *const roll_names[R_NSTAT] = { "mean", "std", "min", "max",
	"sum" };

enum { S_STANDARD, S_MINMAX, S_MAXABS };
static const char *const scale_names[] = { "standard", "minmax", "maxabs" };

static const char *const kind_names[] = { "join", "time", "fourier",
	"holidays", "lag", "diff", "pct_change", "rolling", "adstock",
	"saturation", "onehot", "log", "scale", "interact" };

typedef struct fstep {
	enum fkind kind;
	char *arg;		/* the option text, for messages */
	char *col, *col2;	/* input column names */
	long in, in2;		/* their value slots */
	size_t out0, nout;	/* output slots */
	int *k;			/* lags, diffs, windows; time parts; stats */
	int *stat;		/* rolling: the statistic of each output */
	size_t nk;
	int hist;		/* values of history the step keeps */
	int fitted;		/* fitted state is known */
	int fit_level;		/* pass in which it was fitted */
	/* fourier */
	double period;
	/* scale */
	int method;
	moments mom;
	double a, b;
	/* onehot */
	char **cats;
	size_t ncats;
	hashset catset;
	int warned;
	/* holidays */
	long *hdays;
	size_t nhdays;
	char *path;
	/* join: right rows' fields, keyed by the --on values */
	char **jnames;
	size_t jncols;
	char ***jrows;
	size_t **jlens;
	size_t njrows;
	hashset jkeys;
	int loaded;
	long *jon;		/* key slots on the left */
	size_t njon;
	/* adstock and saturation */
	tstep ts;
} fstep;

typedef struct ring {
	double *v;
	int cap, n, pos;
} ring;

typedef struct group {
	char **key;		/* --by values */
	size_t *keylen, nkey;
	long last_day;
	int started;
	ring *rings;		/* per step */
	double **tstate;	/* per step: transform carryover */
} group;

struct fpipe {
	fopts o;
	char *owned[3];		/* option strings read from a spec */
	char *by_text;
	fstep *steps;
	size_t nsteps;
	char *on_text;

	/* bound to the input */
	const char *input;
	size_t ncols;		/* input columns */
	char **names;		/* every slot's name */
	size_t nslots;
	int *need;		/* input slot parsed on each row */
	long date_idx;
	size_t *by;
	size_t nby;

	/* per row */
	double *val;
	const char **str;	/* slots that hold text (joins) */
	size_t *strlen_;
	int short_history;
	char why[256];
	long line;
	long day;

	/* per pass */
	int fitting, pass;
	group **groups;		/* every group seen, in order */
	size_t ngroups;
	hashset groupset;
	group *cur;
	int freq;
	long origin;		/* trend origin (fitted) */
	int origin_fitted;
	long min_day;
	int have_day;
	long min_gap;		/* fitting: smallest step between dates */

	/* groups loaded from a spec, to continue */
	group **saved;
	size_t nsaved;
	int restart_warned;
	hashset savedset;

	char **warnings;
	size_t nwarnings;
};

fpipe *
fp_new(const fopts *o)
{
	fpipe *p = ecalloc(1, sizeof *p);

	p->o = *o;
	p->freq = o->freq;
	p->by_text = (char *)o->by;
	if (!p->o.date_col)
		p->o.date_col = "date";
	hs_init(&p->groupset);
	hs_init(&p->savedset);
	return p;
}

static fstep *
new_step(fpipe *p, enum fkind kind, const char *arg)
{
	p->steps = ereallocarray(p->steps, p->nsteps + 1, sizeof *p->steps);
	fstep *s = &p->steps[p->nsteps++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->arg = estrdup(arg ? arg : "");
	s->in = s->in2 = -1;
	s->fitted = 1;
	mom_init(&s->mom);
	hs_init(&s->catset);
	hs_init(&s->jkeys);
	return s;
}

/* Parse "1,7,14" into positive integers. */
static int
parse_ints(const char *s, int lo, int hi, int **out, size_t *n)
{
	char *end;

	*n = 0;
	for (;;) {
		long x = strtol(s, &end, 10);
		if (end == s || x < lo || x > hi || (*end && *end != ','))
			return -1;
		*out = ereallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = (int)x;
		if (!*end)
			return 0;
		s = end + 1;
	}
}

/* Split "COL:rest" at the last ':' that precedes the parameters: column
 * names may not contain ':' here. */
static char *
split_col(const char *arg, const char **rest)
{
	const char *c = strchr(arg, ':');

	if (!c || c == arg)
		return NULL;
	*rest = c + 1;
	return estrndup(arg, (size_t)(c - arg));
}

int
fp_add(fpipe *p, enum fkind kind, const char *arg, char *err, size_t errsz)
{
	const char *rest = NULL;
	fstep *s = new_step(p, kind, arg);

	switch (kind) {
	case F_JOIN:
		s->path = estrdup(arg);
		return 0;
	case F_HOLIDAYS:
		/* Weekly data mark whole weeks: the frequency must be known
		 * (given, or found by a fitting pass). */
		s->path = estrdup(arg);
		s->fitted = p->o.freq != 0;
		return 0;
	case F_TIME: {
		const char *q = arg;
		for (;;) {
			const char *e = strchr(q, ',');
			size_t len = e ? (size_t)(e - q) : strlen(q);
			int t;
			for (t = 0; t < T_NTIME; t++)
				if (strlen(time_names[t]) == len &&
				    strncmp(q, time_names[t], len) == 0)
					break;
			if (t == T_NTIME) {
				snprintf(err, errsz, "--time \"%s\": \"%.*s\" is "
				    "not one of dow, month, quarter, season, "
				    "weekofyear, dayofyear, weekend, trend", arg,
				    (int)len, q);
				return -1;
			}
			s->k = ereallocarray(s->k, s->nk + 1, sizeof *s->k);
			s->k[s->nk++] = t;
			if (t == T_TREND)
				s->fitted = 0;
			if (!e)
				break;
			q = e + 1;
		}
		return 0;
	}
	case F_FOURIER: {
		/* One step per term: "yearly:2,weekly:3"; the step made above
		 * is the first term's. */
		const char *q = arg;
		free(s->arg);
		p->nsteps--;
		for (;;) {
			const char *e = strchr(q, ',');
			size_t len = e ? (size_t)(e - q) : strlen(q);
			char *term = estrndup(q, len);
			char *colon = strchr(term, ':');
			fstep *f = new_step(p, F_FOURIER, term);
			long kk;
			if (colon)
				*colon = '\0';
			kk = colon ? strtol(colon + 1, &colon, 10) : -1;
			if (strcmp(term, "yearly") == 0)
				f->period = 365.25;
			else if (strcmp(term, "weekly") == 0)
				f->period = 7;
			f->nk = (size_t)kk;
			if (f->period == 0 || kk < 1 || kk > 50 || *colon) {
				snprintf(err, errsz, "--fourier \"%s\": expected "
				    "yearly:K or weekly:K with K from 1 to 50",
				    arg);
				free(term);
				return -1;
			}
			f->col = term;
			if (!e)
				break;
			q = e + 1;
		}
		return 0;
	}
	case F_LAG: case F_DIFF: case F_PCT:
		if (!(s->col = split_col(arg, &rest)) ||
		    parse_ints(rest, 1, MAX_WINDOW, &s->k, &s->nk) < 0) {
			snprintf(err, errsz, "--%s \"%s\": expected COL:N[,N...] "
			    "with N from 1 to %d", kind == F_LAG ? "lag" : kind ==
			    F_DIFF ? "diff" : "pct-change", arg, MAX_WINDOW);
			return -1;
		}
		for (size_t i = 0; i < s->nk; i++)
			if (s->k[i] > s->hist)
				s->hist = s->k[i];
		return 0;
	case F_ROLLING: {
		if (!(s->col = split_col(arg, &rest)))
			goto bad_rolling;
		const char *q = rest;
		for (;;) {
			const char *c = strchr(q, ':');
			int st;
			char *end;
			if (!c)
				goto bad_rolling;
			for (st = 0; st < R_NSTAT; st++)
				if (strlen(roll_names[st]) == (size_t)(c - q) &&
				    strncmp(q, roll_names[st], (size_t)(c - q)) == 0)
					break;
			long w = strtol(c + 1, &end, 10);
			if (st == R_NSTAT || end == c + 1 || w < 1 ||
			    w > MAX_WINDOW || (*end && *end != ',') ||
			    (st == R_STD && w < 2))
				goto bad_rolling;
			s->k = ereallocarray(s->k, s->nk + 1, sizeof *s->k);
			s->stat = ereallocarray(s->stat, s->nk + 1,
			    sizeof *s->stat);
			s->k[s->nk] = (int)w;
			s->stat[s->nk++] = st;
			if (w - 1 > s->hist)
				s->hist = (int)w - 1;
			if (!*end)
				break;
			q = end + 1;
		}
		return 0;
bad_rolling:
		snprintf(err, errsz, "--rolling \"%s\": expected COL:STAT:W[,"
		    "STAT:W...] with STAT mean, std, min, max or sum and W from "
		    "1 (std: 2) to %d", arg, MAX_WINDOW);
		return -1;
	}
	case F_ADSTOCK: case F_SATURATION:
		if (!(s->col = split_col(arg, &rest)) ||
		    tstep_parse(&s->ts, kind == F_ADSTOCK, rest, err, errsz) < 0) {
			if (!s->col)
				snprintf(err, errsz, "--%s \"%s\": expected "
				    "COL:KIND:PARAMS", kind == F_ADSTOCK ?
				    "adstock" : "saturation", arg);
			return -1;
		}
		s->fitted = !tstep_needs_fit(&s->ts);
		return 0;
	case F_ONEHOT: case F_LOG:
		s->col = estrdup(arg);
		s->fitted = kind != F_ONEHOT;
		return 0;
	case F_SCALE: {
		const char *c = strrchr(arg, ':');
		int m;
		for (m = 0; c && m < 3; m++)
			if (strcmp(c + 1, scale_names[m]) == 0)
				break;
		if (!c || c == arg || m == 3) {
			snprintf(err, errsz, "--scale \"%s\": expected "
			    "COLS:standard, COLS:minmax or COLS:maxabs", arg);
			return -1;
		}
		s->col = estrndup(arg, (size_t)(c - arg));
		s->method = m;
		s->fitted = 0;
		return 0;
	}
	case F_INTERACT: {
		const char *star = strchr(arg, '*');
		if (!star || star == arg || !star[1]) {
			snprintf(err, errsz, "--interact \"%s\": expected A*B",
			    arg);
			return -1;
		}
		s->col = estrndup(arg, (size_t)(star - arg));
		s->col2 = estrdup(star + 1);
		return 0;
	}
	}
	return 0;
}

static long
slot_of(const fpipe *p, const char *name)
{
	for (size_t i = p->nslots; i-- > 0;)
		if (strcmp(p->names[i], name) == 0)
			return (long)i;
	return -1;
}

static size_t
add_slot(fpipe *p, char *name)
{
	p->names = ereallocarray(p->names, p->nslots + 1, sizeof *p->names);
	p->names[p->nslots] = name;
	return p->nslots++;
}

/* A column the step reads as text: an existing slot. */
static int
bind_text(fpipe *p, fstep *s, const char *name, long *slot, char *err,
    size_t errsz)
{
	if ((*slot = slot_of(p, name)) < 0) {
		snprintf(err, errsz, "%s:1: %s \"%s\": no column \"%s\" in the "
		    "header or made by an earlier step", p->input,
		    kind_names[s->kind], s->arg, name);
		return -1;
	}
	return 0;
}

/* A column the step reads as numbers: input columns get parsed. */
static int
bind_input(fpipe *p, fstep *s, const char *name, long *slot, char *err,
    size_t errsz)
{
	if (bind_text(p, s, name, slot, err, errsz) < 0)
		return -1;
	if ((size_t)*slot < p->ncols)
		p->need[*slot] = 1;
	return 0;
}

static int
add_output(fpipe *p, fstep *s, char *name, char *err, size_t errsz)
{
	if (slot_of(p, name) >= 0) {
		snprintf(err, errsz, "%s:1: %s \"%s\": its column \"%s\" "
		    "exists already", p->input, kind_names[s->kind], s->arg,
		    name);
		free(name);
		return -1;
	}
	size_t i = add_slot(p, name);
	if (s->nout++ == 0)
		s->out0 = i;
	return 0;
}

static int
load_holidays(fpipe *p, fstep *s, char *err, size_t errsz, int *status)
{
	holidays h;

	if (holidays_read(s->path, p->o.country, &h, err, errsz, status) < 0)
		return -1;
	s->hdays = h.day;	/* sorted and distinct, for a binary search */
	s->nhdays = h.n;
	return 0;
}

static hkey
key_hash(const char *const *f, const size_t *len, size_t n)
{
	hkey h = hash_bytes("", 0);

	for (size_t i = 0; i < n; i++)
		h = hash_more(h, f[i], len[i]);
	return h;
}

static int
load_join(fpipe *p, fstep *s, char *err, size_t errsz, int *status)
{
	csv_reader *r = csv_open(s->path, 0, err, errsz, status);
	csv_record rec;
	size_t *on = NULL, non = 0, *rest = NULL;
	int got;

	if (!r)
		return -1;
	*status = EXIT_DATAERR;
	if (!p->on_text) {
		snprintf(err, errsz, "--join %s needs --on COLS", s->path);
		*status = EXIT_USAGE;
		goto fail;
	}
	char e[256];
	if (cols_resolve(p->on_text, csv_colnames(r), csv_ncols(r), 0, &on,
	    &non, e, sizeof e) < 0) {
		snprintf(err, errsz, "%s:1: %s", s->path, e);
		goto fail;
	}
	s->jon = emalloc(non * sizeof *s->jon);
	s->njon = non;
	for (size_t i = 0; i < non; i++)
		if (bind_text(p, s, csv_colname(r, on[i]), &s->jon[i], err,
		    errsz) < 0)
			goto fail;
	for (size_t i = 0; i < csv_ncols(r); i++) {
		int key = 0;
		for (size_t j = 0; j < non; j++)
			key |= on[j] == i;
		if (key)
			continue;
		rest = ereallocarray(rest, s->jncols + 1, sizeof *rest);
		rest[s->jncols] = i;
		s->jnames = ereallocarray(s->jnames, s->jncols + 1,
		    sizeof *s->jnames);
		s->jnames[s->jncols++] = estrdup(csv_colname(r, i));
	}
	if (non > 16) {
		*status = EXIT_USAGE;
		snprintf(err, errsz, "--on: 16 key columns at most");
		goto fail;
	}
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		const char *kf[16];
		size_t kl[16];
		uint64_t first;
		for (size_t j = 0; j < non; j++) {
			kf[j] = rec.f[on[j]];
			kl[j] = rec.len[on[j]];
		}
		if (!hs_put(&s->jkeys, key_hash(kf, kl, non), s->njrows,
		    &first)) {
			*status = EXIT_DATAERR;
			snprintf(err, errsz, "%s:%ld: duplicate join key (the "
			    "same --on values as row %llu)", s->path, rec.line,
			    (unsigned long long)first + 1);
			goto fail;
		}
		s->jrows = ereallocarray(s->jrows, s->njrows + 1,
		    sizeof *s->jrows);
		s->jlens = ereallocarray(s->jlens, s->njrows + 1,
		    sizeof *s->jlens);
		s->jrows[s->njrows] = emalloc((s->jncols ? s->jncols : 1) *
		    sizeof **s->jrows);
		s->jlens[s->njrows] = emalloc((s->jncols ? s->jncols : 1) *
		    sizeof **s->jlens);
		for (size_t j = 0; j < s->jncols; j++) {
			s->jrows[s->njrows][j] = estrndup(rec.f[rest[j]],
			    rec.len[rest[j]]);
			s->jlens[s->njrows][j] = rec.len[rest[j]];
		}
		s->njrows++;
	}
	if (got < 0)
		goto fail;
	for (size_t j = 0; j < s->jncols; j++)
		if (add_output(p, s, estrdup(s->jnames[j]), err, errsz) < 0)
			goto fail;
	free(on);
	free(rest);
	csv_close(r);
	return 0;
fail:
	free(on);
	free(rest);
	csv_close(r);
	return -1;
}

/* Expand a --scale over several columns into one step per column. */
static int
expand_scales(fpipe *p, char *err, size_t errsz)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		fstep *s = &p->steps[i];
		if (s->kind != F_SCALE || strpbrk(s->col, ",*?[") == NULL)
			continue;
		size_t *idx = NULL, n = 0;
		char e[256];
		if (cols_resolve(s->col, (const char *const *)p->names,
		    p->nslots, 0, &idx, &n, e,
		    sizeof e) < 0) {
			snprintf(err, errsz, "%s:1: --scale \"%s\": %s", p->input,
			    s->arg, e);
			free(idx);
			return -1;
		}
		fstep proto = *s;
		p->steps = ereallocarray(p->steps, p->nsteps + n - 1,
		    sizeof *p->steps);
		memmove(&p->steps[i + n], &p->steps[i + 1],
		    (p->nsteps - i - 1) * sizeof *p->steps);
		for (size_t j = 0; j < n; j++) {
			fstep *t = &p->steps[i + j];
			*t = proto;
			t->arg = j ? estrdup(proto.arg) : proto.arg;
			t->col = estrdup(p->names[idx[j]]);
		}
		free(proto.col);
		p->nsteps += n - 1;
		i += n - 1;
		free(idx);
	}
	return 0;
}

int
fp_bind(fpipe *p, const csv_reader *r, char *err, size_t errsz, int *status)
{
	*status = EXIT_DATAERR;
	for (size_t i = 0; i < p->nslots; i++)
		free(p->names[i]);
	p->nslots = 0;
	free(p->need);
	free(p->val);
	free(p->str);
	free(p->strlen_);
	free(p->by);
	p->by = NULL;
	p->nby = 0;
	p->input = csv_name(r);
	p->ncols = csv_ncols(r);
	for (size_t i = 0; i < p->ncols; i++)
		add_slot(p, estrdup(csv_colname(r, i)));
	p->need = ecalloc(p->ncols, sizeof *p->need);
	p->date_idx = csv_col(r, p->o.date_col);
	if (p->date_idx < 0) {
		snprintf(err, errsz, "%s:1: no date column \"%s\" in the header",
		    p->input, p->o.date_col);
		return -1;
	}
	if (p->o.by) {
		char e[256];
		if (strlen(p->o.by) > 0 && p->nby > 64) {
			snprintf(err, errsz, "--by: 64 columns at most");
			return -1;
		}
		if (cols_resolve(p->o.by, (const char *const *)p->names,
		    p->ncols, 0, &p->by, &p->nby,
		    e, sizeof e) < 0) {
			snprintf(err, errsz, "%s:1: --by: %s", p->input, e);
			return -1;
		}
	}
	/* Only input columns may be scaled by a glob list. */
	if (expand_scales(p, err, errsz) < 0)
		return -1;
	for (size_t i = 0; i < p->nsteps; i++) {
		fstep *s = &p->steps[i];
		s->nout = 0;
		switch (s->kind) {
		case F_JOIN:
			if (!s->loaded) {
				if (load_join(p, s, err, errsz, status) < 0)
					return -1;
				s->loaded = 1;
			} else {
				for (size_t j = 0; j < s->njon; j++)
					if (bind_text(p, s, p->names[s->jon[j]],
					    &s->jon[j], err, errsz) < 0)
						return -1;
				for (size_t j = 0; j < s->jncols; j++)
					if (add_output(p, s, estrdup(s->jnames[j]),
					    err, errsz) < 0)
						return -1;
			}
			break;
		case F_HOLIDAYS:
			if (!s->loaded && load_holidays(p, s, err, errsz,
			    status) < 0)
				return -1;
			s->loaded = 1;
			if (add_output(p, s, estrdup("holiday"), err, errsz) < 0)
				return -1;
			break;
		case F_TIME:
			for (size_t j = 0; j < s->nk; j++)
				if (add_output(p, s, estrdup(time_names[s->k[j]]),
				    err, errsz) < 0)
					return -1;
			break;
		case F_FOURIER:
			for (size_t j = 1; j <= s->nk; j++) {
				if (add_output(p, s, efmt("fourier_%s_sin%zu",
				    s->col, j), err, errsz) < 0 ||
				    add_output(p, s, efmt("fourier_%s_cos%zu",
				    s->col, j), err, errsz) < 0)
					return -1;
			}
			break;
		case F_LAG: case F_DIFF: case F_PCT:
			if (bind_input(p, s, s->col, &s->in, err, errsz) < 0)
				return -1;
			for (size_t j = 0; j < s->nk; j++)
				if (add_output(p, s, efmt("%s_%s%d", s->col,
				    s->kind == F_LAG ? "lag" : s->kind == F_DIFF ?
				    "diff" : "pct", s->k[j]), err, errsz) < 0)
					return -1;
			break;
		case F_ROLLING:
			if (bind_input(p, s, s->col, &s->in, err, errsz) < 0)
				return -1;
			for (size_t j = 0; j < s->nk; j++)
				if (add_output(p, s, efmt("%s_roll_%s%d", s->col,
				    roll_names[s->stat[j]], s->k[j]), err,
				    errsz) < 0)
					return -1;
			break;
		case F_ADSTOCK: case F_SATURATION:
			if (bind_input(p, s, s->col, &s->in, err, errsz) < 0 ||
			    add_output(p, s, efmt("%s_%s", s->col,
			    tstep_suffix(&s->ts)), err, errsz) < 0)
				return -1;
			break;
		case F_ONEHOT:
			if (bind_text(p, s, s->col, &s->in, err, errsz) < 0)
				return -1;
			/* Outputs are named once the categories are known. */
			for (size_t j = 0; j < s->ncats; j++)
				if (add_output(p, s, efmt("%s_%s", s->col,
				    s->cats[j]), err, errsz) < 0)
					return -1;
			break;
		case F_LOG:
			if (bind_input(p, s, s->col, &s->in, err, errsz) < 0 ||
			    add_output(p, s, efmt("%s_log", s->col), err,
			    errsz) < 0)
				return -1;
			break;
		case F_SCALE:
			if (bind_input(p, s, s->col, &s->in, err, errsz) < 0 ||
			    add_output(p, s, efmt("%s_%s", s->col,
			    scale_names[s->method]), err, errsz) < 0)
				return -1;
			break;
		case F_INTERACT:
			if (bind_input(p, s, s->col, &s->in, err, errsz) < 0 ||
			    bind_input(p, s, s->col2, &s->in2, err, errsz) < 0 ||
			    add_output(p, s, efmt("%s_x_%s", s->col, s->col2),
			    err, errsz) < 0)
				return -1;
			break;
		}
	}
	p->val = ecalloc(p->nslots, sizeof *p->val);
	p->str = ecalloc(p->nslots, sizeof *p->str);
	p->strlen_ = ecalloc(p->nslots, sizeof *p->strlen_);
	return 0;
}

/* --- history -------------------------------------------------------------- */

static void
ring_init(ring *g, int cap)
{
	g->cap = cap;
	g->n = g->pos = 0;
	g->v = cap ? emalloc((size_t)cap * sizeof *g->v) : NULL;
}

static void
ring_push(ring *g, double x)
{
	if (!g->cap)
		return;
	g->v[g->pos] = x;
	g->pos = (g->pos + 1) % g->cap;
	if (g->n < g->cap)
		g->n++;
}

/* The k-th value back (1: the previous row); 0 when there is none. */
static int
ring_back(const ring *g, int k, double *x)
{
	if (k > g->n)
		return 0;
	*x = g->v[((g->pos - k) % g->cap + g->cap) % g->cap];
	return 1;
}

static group *
group_new(fpipe *p, const csv_record *rec)
{
	group *g = ecalloc(1, sizeof *g);

	g->nkey = p->nby;
	g->key = ecalloc(p->nby ? p->nby : 1, sizeof *g->key);
	g->keylen = ecalloc(p->nby ? p->nby : 1, sizeof *g->keylen);
	for (size_t i = 0; i < p->nby; i++) {
		g->key[i] = estrndup(rec->f[p->by[i]], rec->len[p->by[i]]);
		g->keylen[i] = rec->len[p->by[i]];
	}
	g->rings = ecalloc(p->nsteps ? p->nsteps : 1, sizeof *g->rings);
	g->tstate = ecalloc(p->nsteps ? p->nsteps : 1, sizeof *g->tstate);
	for (size_t i = 0; i < p->nsteps; i++) {
		fstep *s = &p->steps[i];
		ring_init(&g->rings[i], s->hist);
		size_t n = s->kind == F_ADSTOCK || s->kind == F_SATURATION ?
		    tstep_state_len(&s->ts) : 0;
		if (n) {
			g->tstate[i] = emalloc(n * sizeof *g->tstate[i]);
			tstep_state_init(&s->ts, g->tstate[i]);
		}
	}
	return g;
}

static void
group_free(const fpipe *p, group *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nkey; i++)
		free(g->key[i]);
	for (size_t i = 0; g->rings && i < p->nsteps; i++) {
		free(g->rings[i].v);
		free(g->tstate[i]);
	}
	free(g->key);
	free(g->keylen);
	free(g->rings);
	free(g->tstate);
	free(g);
}

/* Copy a saved group's history into g, to continue it. */
static void
group_continue(const fpipe *p, group *g, const group *saved)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		ring *a = &g->rings[i];
		const ring *b = &saved->rings[i];
		for (int k = b->n; k >= 1; k--) {
			double x = NAN;
			ring_back(b, k, &x);
			ring_push(a, x);
		}
		size_t n = p->steps[i].kind == F_ADSTOCK ||
		    p->steps[i].kind == F_SATURATION ?
		    tstep_state_len(&p->steps[i].ts) : 0;
		if (n)
			memcpy(g->tstate[i], saved->tstate[i],
			    n * sizeof *g->tstate[i]);
	}
}

static int
same_key(const fpipe *p, const group *g, const csv_record *rec)
{
	for (size_t i = 0; i < p->nby; i++)
		if (g->keylen[i] != rec->len[p->by[i]] || memcmp(g->key[i],
		    rec->f[p->by[i]], g->keylen[i]) != 0)
			return 0;
	return 1;
}

static char *
key_text(const fpipe *p, const group *g)
{
	char *s = estrdup("");

	for (size_t i = 0; i < p->nby; i++) {
		char *t = efmt("%s%s%.*s", s, i ? "," : "", (int)(g->keylen[i] >
		    40 ? 40 : g->keylen[i]), g->key[i]);
		free(s);
		s = t;
	}
	return s;
}

/* Find or start the row's group; -1 when the input is not sorted. */
static int
enter_group(fpipe *p, const csv_record *rec, char *err, size_t errsz)
{
	if (p->cur && same_key(p, p->cur, rec))
		return 0;
	if (p->cur && p->fitting)
		for (size_t i = 0; i < p->nsteps; i++)
			if (p->steps[i].kind == F_ADSTOCK ||
			    p->steps[i].kind == F_SATURATION)
				tstep_fit_group_end(&p->steps[i].ts);
	const char *kf[64];
	size_t kl[64];
	for (size_t i = 0; i < p->nby && i < 64; i++) {
		kf[i] = rec->f[p->by[i]];
		kl[i] = rec->len[p->by[i]];
	}
	hkey h = key_hash(kf, kl, p->nby);
	uint64_t at;
	group *g = group_new(p, rec);
	if (!hs_put(&p->groupset, h, p->ngroups, &at)) {
		char *k = key_text(p, g);
		snprintf(err, errsz, "%s:%ld: input is not sorted by %s: group "
		    "\"%s\" appears again (sort by the --by columns, then the "
		    "date, or use --sort)", p->input, rec->line, p->by_text ?
		    p->by_text : "", k);
		free(k);
		group_free(p, g);
		return -1;
	}
	if (!p->fitting && hs_get(&p->savedset, h, &at)) {
		if (p->saved[at]->last_day < p->day) {
			group_continue(p, g, p->saved[at]);
			p->saved[at]->started = 1;	/* continued */
		} else if (!p->restart_warned) {
			char d[16], *k = key_text(p, g);
			p->restart_warned = 1;
			date_format(p->saved[at]->last_day, d);
			p->warnings = ereallocarray(p->warnings, p->nwarnings + 1,
			    sizeof *p->warnings);
			p->warnings[p->nwarnings++] = efmt("%s:%ld: group \"%s\" "
			    "starts on or before its spec's last date %s: its "
			    "lags and carryover start afresh (warned once)",
			    p->input, rec->line, k, d);
			free(k);
		}
	}
	p->groups = ereallocarray(p->groups, p->ngroups + 1, sizeof *p->groups);
	p->groups[p->ngroups++] = g;
	p->cur = g;
	return 0;
}

/* --- one row ---------------------------------------------------------------- */

/* The number in a slot; -1 when it holds text. */
static int
number(fpipe *p, const csv_record *rec, long slot, double *x, char *err,
    size_t errsz)
{
	*x = p->val[slot];
	if (!isnan(*x) || !p->str[slot])
		return 0;
	if (csv_is_missing(p->str[slot], p->strlen_[slot]))
		return 0;
	if (num_parse(p->str[slot], p->strlen_[slot], x) == 0 && isfinite(*x))
		return 0;
	char fb[MSGFIELD_SIZE];
	snprintf(err, errsz, "%s:%ld: column \"%s\": \"%s\" is not a number",
	    p->input, rec->line, p->names[slot], msg_field(fb, p->str[slot],
	    p->strlen_[slot]));
	return -1;
}


static void
set(fpipe *p, fstep *s, size_t j, double x)
{
	p->val[s->out0 + j] = x;
}

static void
short_of(fpipe *p, fstep *s, size_t j)
{
	p->val[s->out0 + j] = NAN;
	if (!p->short_history)
		snprintf(p->why, sizeof p->why, "%s: too little history in its "
		    "group", p->names[s->out0 + j]);
	p->short_history = 1;
}

static void
do_time(fpipe *p, fstep *s)
{
	long y;
	int m, d;

	date_civil(p->day, &y, &m, &d);
	for (size_t j = 0; j < s->nk; j++) {
		double v = 0;
		switch (s->k[j]) {
		case T_DOW: v = date_dow(p->day); break;
		case T_MONTH: v = m; break;
		case T_QUARTER: v = (m - 1) / 3 + 1; break;
		/* Meteorological seasons: 1 Dec-Feb, 2 Mar-May, 3 Jun-Aug,
		 * 4 Sep-Nov. */
		case T_SEASON: v = m % 12 / 3 + 1; break;
		case T_WEEKOFYEAR: v = date_isoweek(p->day); break;
		case T_DAYOFYEAR: v = (double)(p->day - date_days(y, 1, 1) + 1);
			break;
		case T_WEEKEND: v = date_dow(p->day) >= 5; break;
		case T_TREND:
			v = s->fitted ? (double)(p->day - p->origin) /
			    (p->freq ? p->freq : 1) : NAN;
			break;
		}
		set(p, s, j, v);
	}
}

static void
do_holiday(fpipe *p, fstep *s)
{
	/* A day is marked when a holiday h has h + lo <= day <= h + hi; a
	 * week [day, day + 6] when that holds for any of its days. */
	long lo = p->day - p->o.hwin_hi;
	long hi = p->day + (p->freq == 7 ? 6 : 0) - p->o.hwin_lo;
	size_t a = date_search(s->hdays, s->nhdays, lo);

	set(p, s, 0, a < s->nhdays && s->hdays[a] <= hi);
}

static double
rolling(const ring *g, int st, int w, double x)
{
	double sum = x, mn = x, mx = x, v = NAN;

	if (isnan(x))
		return NAN;
	for (int k = 1; k < w; k++) {
		ring_back(g, k, &v);
		if (isnan(v))
			return NAN;
		sum += v;
		mn = v < mn ? v : mn;
		mx = v > mx ? v : mx;
	}
	switch (st) {
	case R_SUM: return sum;
	case R_MIN: return mn;
	case R_MAX: return mx;
	case R_MEAN: return sum / w;
	default: {
		/* Two passes over the window, as pandas' result to rounding. */
		double mean = sum / w, ss = (x - mean) * (x - mean);
		for (int k = 1; k < w; k++) {
			ring_back(g, k, &v);
			ss += (v - mean) * (v - mean);
		}
		return sqrt(ss / (w - 1));
	}
	}
}

static int
do_onehot(fpipe *p, fstep *s, const csv_record *rec)
{
	const char *v = (size_t)s->in < p->ncols ? rec->f[s->in] : p->str[s->in];
	size_t n = (size_t)s->in < p->ncols ? rec->len[s->in] :
	    p->strlen_[s->in];
	char num[NUM_BUFSIZE];

	/* A column an earlier step computed: its number, as printed, is the
	 * category ("month" gives month_1 ... month_12). */
	if (!v && !isnan(p->val[s->in])) {
		n = num_format(p->val[s->in], num);
		v = num;
	}

	if (!v || csv_is_missing(v, n)) {
		for (size_t j = 0; j < s->nout; j++)
			set(p, s, j, NAN);
		return 0;
	}
	if (!s->fitted) {
		if (p->fitting && hs_put(&s->catset, hash_bytes(v, n), s->ncats,
		    NULL)) {
			if (s->ncats == MAX_CATEGORIES)
				return -1;
			s->cats = ereallocarray(s->cats, s->ncats + 1,
			    sizeof *s->cats);
			s->cats[s->ncats++] = estrndup(v, n);
		}
		return 0;
	}
	int hit = 0;
	for (size_t j = 0; j < s->nout; j++) {
		int eq = strlen(s->cats[j]) == n && memcmp(s->cats[j], v, n) == 0;
		set(p, s, j, eq);
		hit |= eq;
	}
	if (!hit && !s->warned) {
		s->warned = 1;
		p->warnings = ereallocarray(p->warnings, p->nwarnings + 1,
		    sizeof *p->warnings);
		char fb[MSGFIELD_SIZE];
		p->warnings[p->nwarnings++] = efmt("%s:%ld: --onehot %s: category "
		    "\"%s\" was not seen when fitting: all its columns are 0 "
		    "(warned once)", p->input, rec->line, s->col,
		    msg_field(fb, v, n));
	}
	return 0;
}

static int
do_join(fpipe *p, fstep *s, const csv_record *rec)
{
	const char *kf[16];
	size_t kl[16];
	uint64_t at;

	for (size_t j = 0; j < s->njon; j++) {
		long k = s->jon[j];
		kf[j] = (size_t)k < p->ncols ? rec->f[k] : p->str[k];
		kl[j] = (size_t)k < p->ncols ? rec->len[k] : p->strlen_[k];
		if (!kf[j])
			kf[j] = "";
	}
	int found = hs_get(&s->jkeys, key_hash(kf, kl, s->njon), &at);
	for (size_t j = 0; j < s->jncols; j++) {
		size_t o = s->out0 + j;
		p->str[o] = found ? s->jrows[at][j] : "";
		p->strlen_[o] = found ? s->jlens[at][j] : 0;
		p->val[o] = NAN;
		if (found && !csv_is_missing(p->str[o], p->strlen_[o]) &&
		    (num_parse(p->str[o], p->strlen_[o], &p->val[o]) < 0 ||
		    !isfinite(p->val[o])))
			p->val[o] = NAN;	/* text: number() says so if read */
	}
	return 0;
}

void
fp_begin(fpipe *p, int fitting)
{
	for (size_t i = 0; i < p->ngroups; i++)
		group_free(p, p->groups[i]);
	free(p->groups);
	p->groups = NULL;
	p->ngroups = 0;
	p->cur = NULL;
	hs_free(&p->groupset);
	p->fitting = fitting;
	p->pass++;
}

int
fp_unfitted(const fpipe *p)
{
	int n = 0;

	for (size_t i = 0; i < p->nsteps; i++)
		n += !p->steps[i].fitted;
	return n;
}

/* Does the slot depend on a step not yet fitted?  (Its value is NaN in a
 * fitting pass, so nothing may be fitted on it in this pass.) */
static int
unfitted_slot(const fpipe *p, long slot)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		const fstep *s = &p->steps[i];
		if ((size_t)slot >= s->out0 && (size_t)slot < s->out0 + s->nout)
			return !s->fitted || (s->in >= 0 && unfitted_slot(p,
			    s->in)) || (s->in2 >= 0 && unfitted_slot(p, s->in2));
	}
	return 0;
}

static int
step_row(fpipe *p, fstep *s, size_t si, const csv_record *rec, char *err,
    size_t errsz)
{
	double x = NAN, y, b;
	ring *g = &p->cur->rings[si];

	if (s->in >= 0 && s->kind != F_ONEHOT &&
	    number(p, rec, s->in, &x, err, errsz) < 0)
		return -1;
	switch (s->kind) {
	case F_JOIN:
		return do_join(p, s, rec);
	case F_TIME:
		do_time(p, s);
		break;
	case F_FOURIER:
		for (size_t j = 0; j < s->nk; j++) {
			/* Prophet's fourier_series, to the last bit: x_T = t pi 2,
			 * c = x_T k / P, t in days since 1970-01-01. */
			double xt = (double)p->day * M_PI * 2;
			double a = xt * (double)(j + 1) / s->period;
			set(p, s, 2 * j, sin(a));
			set(p, s, 2 * j + 1, cos(a));
		}
		break;
	case F_HOLIDAYS:
		do_holiday(p, s);
		break;
	case F_LAG: case F_DIFF: case F_PCT:
		for (size_t j = 0; j < s->nk; j++) {
			if (!ring_back(g, s->k[j], &b)) {
				short_of(p, s, j);
				continue;
			}
			y = s->kind == F_LAG ? b : s->kind == F_DIFF ? x - b :
			    b == 0 ? NAN : x / b - 1;
			set(p, s, j, y);
		}
		ring_push(g, x);
		break;
	case F_ROLLING:
		for (size_t j = 0; j < s->nk; j++) {
			if (g->n < s->k[j] - 1) {
				short_of(p, s, j);
				continue;
			}
			set(p, s, j, rolling(g, s->stat[j], s->k[j], x));
		}
		ring_push(g, x);
		break;
	case F_ADSTOCK: case F_SATURATION:
		if (isnan(x)) {
			if (s->kind == F_SATURATION) {
				set(p, s, 0, NAN);
				break;
			}
			snprintf(err, errsz, "%s:%ld: --adstock %s: column "
			    "\"%s\" is missing here; carryover needs a value "
			    "at every row (fill or drop it first)", p->input,
			    rec->line, s->arg, p->names[s->in]);
			return -1;
		}
		if (!s->fitted) {
			if (p->fitting && !unfitted_slot(p, s->in))
				tstep_fit_add(&s->ts, x);
			set(p, s, 0, NAN);
			break;
		}
		set(p, s, 0, tstep_apply(&s->ts, p->cur->tstate[si], x));
		break;
	case F_ONEHOT:
		if (do_onehot(p, s, rec) < 0) {
			snprintf(err, errsz, "%s:%ld: --onehot %s: more than %d "
			    "categories", p->input, rec->line, s->col,
			    MAX_CATEGORIES);
			return -1;
		}
		break;
	case F_LOG:
		if (x <= -1) {
			snprintf(err, errsz, "%s:%ld: --log %s: %.17g is not "
			    "above -1 (log1p)", p->input, rec->line, s->col, x);
			return -1;
		}
		set(p, s, 0, log1p(x));
		break;
	case F_SCALE:
		if (!s->fitted) {
			if (p->fitting && !isnan(x) && !unfitted_slot(p, s->in))
				mom_add(&s->mom, x);
			set(p, s, 0, NAN);
			break;
		}
		set(p, s, 0, s->method == S_MINMAX ? x * s->b + s->a :
		    (x - s->a) / s->b);
		break;
	case F_INTERACT:
		if (number(p, rec, s->in2, &b, err, errsz) < 0)
			return -1;
		set(p, s, 0, x * b);
		break;
	}
	return 0;
}

int
fp_row(fpipe *p, const csv_record *rec, char *err, size_t errsz)
{
	size_t di = (size_t)p->date_idx;

	p->short_history = 0;
	if (date_parse(rec->f[di], rec->len[di], &p->day, NULL) < 0) {
		char fb[MSGFIELD_SIZE];
		snprintf(err, errsz, "%s:%ld: column \"%s\": \"%s\" is not a "
		    "date (YYYY-MM-DD[ HH:MM[:SS]])", p->input, rec->line,
		    p->names[di], msg_field(fb, rec->f[di], rec->len[di]));
		return -1;
	}
	if (enter_group(p, rec, err, errsz) < 0)
		return -1;
	group *g = p->cur;
	if (g->started && p->day <= g->last_day) {
		char d[16], *k = key_text(p, g);
		date_format(g->last_day, d);
		snprintf(err, errsz, "%s:%ld: dates are not increasing%s%s%s: "
		    "%.*s after %s (sort by %s%sthe date, or use --sort)",
		    p->input, rec->line, p->nby ? " in group \"" : "", k,
		    p->nby ? "\"" : "", (int)rec->len[di], rec->f[di], d,
		    p->by_text ? p->by_text : "", p->by_text ? " then " : "");
		free(k);
		return -1;
	}
	/* The frequency: given, or the smallest step over the data when a
	 * pass fits (weekly when it is a multiple of 7 days), else the first
	 * step seen. */
	if (g->started && p->fitting && (p->min_gap == 0 ||
	    p->day - g->last_day < p->min_gap))
		p->min_gap = p->day - g->last_day;
	if (!p->freq && !p->fitting && g->started)
		p->freq = (p->day - g->last_day) % 7 == 0 ? 7 : 1;
	if (p->freq == 7)
		for (size_t i = 0; i < p->nsteps; i++)
			if (p->steps[i].kind == F_FOURIER &&
			    p->steps[i].period == 7) {
				snprintf(err, errsz, "%s:%ld: --fourier weekly on "
				    "weekly data: every term would be constant",
				    p->input, rec->line);
				return -1;
			}
	g->started = 1;
	g->last_day = p->day;
	if (!p->have_day || p->day < p->min_day)
		p->min_day = p->day;
	p->have_day = 1;

	for (size_t i = 0; i < p->ncols; i++) {
		p->str[i] = NULL;
		if (!p->need[i])
			continue;
		if (csv_is_missing(rec->f[i], rec->len[i])) {
			p->val[i] = NAN;
		} else if (num_parse(rec->f[i], rec->len[i], &p->val[i]) < 0 ||
		    !isfinite(p->val[i])) {
			char fb[MSGFIELD_SIZE];
			snprintf(err, errsz, "%s:%ld: column \"%s\": \"%s\" is "
			    "not a number", p->input, rec->line, p->names[i],
			    msg_field(fb, rec->f[i], rec->len[i]));
			return -1;
		}
	}
	for (size_t i = 0; i < p->nsteps; i++)
		if (step_row(p, &p->steps[i], i, rec, err, errsz) < 0)
			return -1;
	return !p->short_history;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
fp_end_fit(fpipe *p)
{
	if (p->cur)
		for (size_t i = 0; i < p->nsteps; i++)
			if (p->steps[i].kind == F_ADSTOCK ||
			    p->steps[i].kind == F_SATURATION)
				tstep_fit_group_end(&p->steps[i].ts);
	if (!p->freq && p->min_gap)
		p->freq = p->min_gap % 7 == 0 ? 7 : 1;
	/* Fit, in this pass, what did not read an unfitted step's output. */
	int *ready = ecalloc(p->nsteps ? p->nsteps : 1, sizeof *ready);
	for (size_t i = 0; i < p->nsteps; i++) {
		fstep *s = &p->steps[i];
		ready[i] = !s->fitted && (s->in < 0 || !unfitted_slot(p, s->in));
	}
	for (size_t i = 0; i < p->nsteps; i++) {
		fstep *s = &p->steps[i];
		if (!ready[i])
			continue;
		switch (s->kind) {
		case F_TIME:
			p->origin = p->min_day;
			p->origin_fitted = 1;
			break;
		case F_SCALE: {
			/* scikit-learn's scalers: population sd; a zero scale
			 * counts as 1. */
			double sd = s->mom.n ? sqrt(s->mom.m2 / s->mom.n) : 0;
			double ma = fmax(fabs(s->mom.min), fabs(s->mom.max));
			s->a = s->method == S_STANDARD ? s->mom.mean : 0;
			s->b = s->method == S_STANDARD ? sd : s->method ==
			    S_MINMAX ? s->mom.max - s->mom.min : ma;
			if (!(s->b > 0))
				s->b = 1;
			if (s->method == S_MINMAX) {
				/* MinMaxScaler's own form: x scale_ + min_ */
				s->b = 1 / s->b;
				s->a = -s->mom.min * s->b;
			}
			break;
		}
		case F_ONEHOT:
			qsort(s->cats, s->ncats, sizeof *s->cats, cmp_str);
			break;
		case F_ADSTOCK: case F_SATURATION:
			tstep_fit_done(&s->ts);
			break;
		default:
			break;
		}
		s->fitted = 1;
		s->fit_level = p->pass;
	}
	free(ready);
}

void
fp_write_header(const fpipe *p, out *o)
{
	for (size_t i = p->ncols; i < p->nslots; i++) {
		out_putc(o, ',');
		csv_write_field(o, p->names[i], strlen(p->names[i]));
	}
}

void
fp_write_values(const fpipe *p, out *o)
{
	for (size_t i = p->ncols; i < p->nslots; i++) {
		out_putc(o, ',');
		if (p->str[i])
			csv_write_field(o, p->str[i], p->strlen_[i]);
		else
			out_num(o, p->val[i]);
	}
}

const char *
fp_incomplete(const fpipe *p)
{
	return p->why;
}

const char *
fp_warning(const fpipe *p, size_t i)
{
	return i < p->nwarnings ? p->warnings[i] : NULL;
}

/* --- the spec ----------------------------------------------------------------- */

/* Did this run have a group with a saved group's key? */
static int
saved_met(const fpipe *p, const group *saved)
{
	for (size_t i = 0; i < p->ngroups; i++) {
		const group *g = p->groups[i];
		size_t k;
		for (k = 0; k < saved->nkey && k < g->nkey; k++)
			if (g->keylen[k] != saved->keylen[k] ||
			    memcmp(g->key[k], saved->key[k], g->keylen[k]) != 0)
				break;
		if (k == saved->nkey && k == g->nkey)
			return 1;
	}
	return 0;
}

void
fp_save(const fpipe *p, out *o)
{
	jsonw w;
	char d[16];

	jw_init(&w, o, 1);
	jw_obj(&w);
	jw_key(&w, "format");
	jw_str(&w, "mmm-features-spec");
	jw_key(&w, "format_version");
	jw_int(&w, 1);
	jw_key(&w, "date");
	jw_str(&w, p->o.date_col);
	jw_key(&w, "by");
	jw_str(&w, p->o.by);
	jw_key(&w, "on");
	jw_str(&w, p->on_text);
	jw_key(&w, "country");
	jw_str(&w, p->o.country);
	jw_key(&w, "holiday_window");
	jw_arr(&w);
	jw_int(&w, p->o.hwin_lo);
	jw_int(&w, p->o.hwin_hi);
	jw_arr_end(&w);
	jw_key(&w, "freq");
	jw_int(&w, p->freq);
	jw_key(&w, "origin");
	if (p->origin_fitted) {
		date_format(p->origin, d);
		jw_str(&w, d);
	} else {
		jw_null(&w);
	}
	jw_key(&w, "steps");
	jw_arr(&w);
	for (size_t i = 0; i < p->nsteps; i++) {
		const fstep *s = &p->steps[i];
		jw_obj(&w);
		jw_key(&w, "kind");
		jw_str(&w, kind_names[s->kind]);
		jw_key(&w, "arg");
		jw_str(&w, s->kind == F_SCALE ? NULL : s->arg);
		if (s->kind == F_SCALE) {
			jw_key(&w, "column");
			jw_str(&w, s->col);
			jw_key(&w, "method");
			jw_str(&w, scale_names[s->method]);
			jw_key(&w, "center");
			jw_num(&w, s->a);
			jw_key(&w, "scale");
			jw_num(&w, s->b);
		}
		if (s->kind == F_ONEHOT) {
			jw_key(&w, "categories");
			jw_arr(&w);
			for (size_t j = 0; j < s->ncats; j++)
				jw_str(&w, s->cats[j]);
			jw_arr_end(&w);
		}
		if (s->kind == F_HOLIDAYS) {
			jw_key(&w, "days");
			jw_arr(&w);
			for (size_t j = 0; j < s->nhdays; j++) {
				date_format(s->hdays[j], d);
				jw_str(&w, d);
			}
			jw_arr_end(&w);
		}
		if (s->kind == F_ADSTOCK || s->kind == F_SATURATION) {
			jw_key(&w, "fitted");
			tstep_save(&s->ts, &w);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	/* Each group's last date and history, so that the rows that follow
	 * continue lags, windows and carryover. */
	jw_key(&w, "groups");
	jw_arr(&w);
	/* This run's groups, then the spec's groups it did not meet, so a
	 * re-saved spec loses none. */
	for (size_t gi = 0; gi < p->ngroups + p->nsaved; gi++) {
		const group *g = gi < p->ngroups ? p->groups[gi] :
		    p->saved[gi - p->ngroups];
		if (gi >= p->ngroups && saved_met(p, g))
			continue;
		jw_obj(&w);
		jw_key(&w, "key");
		jw_arr(&w);
		for (size_t i = 0; i < p->nby; i++)
			jw_strn(&w, g->key[i], g->keylen[i]);
		jw_arr_end(&w);
		jw_key(&w, "last_date");
		date_format(g->last_day, d);
		jw_str(&w, d);
		jw_key(&w, "history");
		jw_arr(&w);
		for (size_t i = 0; i < p->nsteps; i++) {
			const ring *r = &g->rings[i];
			jw_arr(&w);
			for (int k = r->n; k >= 1; k--) {
				double x = NAN;
				ring_back(r, k, &x);
				jw_num(&w, x);
			}
			jw_arr_end(&w);
		}
		jw_arr_end(&w);
		jw_key(&w, "carryover");
		jw_arr(&w);
		for (size_t i = 0; i < p->nsteps; i++) {
			const fstep *s = &p->steps[i];
			size_t n = s->kind == F_ADSTOCK || s->kind ==
			    F_SATURATION ? tstep_state_len(&s->ts) : 0;
			jw_arr(&w);
			for (size_t j = 0; j < n; j++)
				jw_num(&w, g->tstate[i][j]);
			jw_arr_end(&w);
		}
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

static enum fkind
kind_of(const char *name)
{
	for (int k = 0; k <= F_INTERACT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return (enum fkind)k;
	return (enum fkind)-1;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static double
jnum(json_t *v)
{
	/* null (a missing value saved) reads back as NaN */
	return json_is_number(v) ? json_number_value(v) : NAN;
}

int
fp_load(fpipe *p, const char *path, char *err, size_t errsz, int *status)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_DECODE_ANY, &je);
	char e[256];
	long day;

	*status = EXIT_DATAERR;
	if (!j) {
		FILE *f = fopen(path, "r");
		if (!f)
			*status = EXIT_NOINPUT;
		else
			fclose(f);
		snprintf(err, errsz, f ? "%s:%d: not JSON: %s" :
		    "%s: cannot open spec", path, je.line, je.text);
		return -1;
	}
	const char *fmt_ = jstr(j, "format");
	json_t *steps = json_object_get(j, "steps");
	if (!fmt_ || strcmp(fmt_, "mmm-features-spec") != 0 ||
	    !json_is_array(steps)) {
		snprintf(err, errsz, "%s: not an mmm-features spec (written by "
		    "mmm-features --spec-out)", path);
		goto fail;
	}
	if (json_integer_value(json_object_get(j, "format_version")) != 1) {
		snprintf(err, errsz, "%s: spec format_version %lld is not "
		    "supported (this mmm reads 1)", path, (long long)
		    json_integer_value(json_object_get(j, "format_version")));
		goto fail;
	}
	p->o.date_col = p->owned[0] = estrdup(jstr(j, "date") ? jstr(j, "date") :
	    "date");
	p->o.by = p->owned[1] = jstr(j, "by") ? estrdup(jstr(j, "by")) : NULL;
	p->by_text = p->owned[1];
	if (jstr(j, "on"))
		fp_set_on(p, jstr(j, "on"));
	p->o.country = p->owned[2] = jstr(j, "country") ?
	    estrdup(jstr(j, "country")) : NULL;
	json_t *hw = json_object_get(j, "holiday_window");
	p->o.hwin_lo = (int)json_integer_value(json_array_get(hw, 0));
	p->o.hwin_hi = (int)json_integer_value(json_array_get(hw, 1));
	p->freq = (int)json_integer_value(json_object_get(j, "freq"));
	if (jstr(j, "origin") && date_parse(jstr(j, "origin"),
	    strlen(jstr(j, "origin")), &p->origin, NULL) == 0)
		p->origin_fitted = 1;

	size_t i;
	json_t *js;
	json_array_foreach(steps, i, js) {
		const char *kn = jstr(js, "kind"), *arg = jstr(js, "arg");
		enum fkind k = kn ? kind_of(kn) : (enum fkind)-1;
		if ((int)k < 0) {
			snprintf(err, errsz, "%s: step %zu: unknown kind", path,
			    i + 1);
			goto fail;
		}
		if (k == F_SCALE) {
			char *a = efmt("%s:%s", jstr(js, "column") ?
			    jstr(js, "column") : "", jstr(js, "method") ?
			    jstr(js, "method") : "");
			int rc = fp_add(p, k, a, e, sizeof e);
			free(a);
			if (rc < 0)
				goto bad_step;
			fstep *s = &p->steps[p->nsteps - 1];
			s->a = jnum(json_object_get(js, "center"));
			s->b = jnum(json_object_get(js, "scale"));
			s->fitted = 1;
			continue;
		}
		if (!arg || fp_add(p, k, arg, e, sizeof e) < 0)
			goto bad_step;
		fstep *s = &p->steps[p->nsteps - 1];
		if (k == F_FOURIER)
			continue;
		if (k == F_TIME)
			s->fitted = p->origin_fitted || !s->fitted;
		if (k == F_ONEHOT) {
			json_t *c, *cats = json_object_get(js, "categories");
			size_t q;
			json_array_foreach(cats, q, c) {
				s->cats = ereallocarray(s->cats, s->ncats + 1,
				    sizeof *s->cats);
				s->cats[s->ncats++] = estrdup(json_string_value(c) ?
				    json_string_value(c) : "");
			}
			s->fitted = 1;
		}
		if (k == F_HOLIDAYS) {
			json_t *c, *days = json_object_get(js, "days");
			size_t q;
			json_array_foreach(days, q, c) {
				const char *ds = json_string_value(c);
				if (!ds || date_parse(ds, strlen(ds), &day,
				    NULL) < 0) {
					snprintf(err, errsz, "%s: step %zu: a "
					    "holiday is not a date", path, i + 1);
					goto fail;
				}
				s->hdays = ereallocarray(s->hdays, s->nhdays + 1,
				    sizeof *s->hdays);
				s->hdays[s->nhdays++] = day;
			}
			s->loaded = 1;
			s->fitted = 1;
		}
		if (k == F_ADSTOCK || k == F_SATURATION) {
			if (tstep_load(&s->ts, json_object_get(js, "fitted"), e,
			    sizeof e) < 0)
				goto bad_step;
			s->fitted = 1;
		}
		continue;
bad_step:
		snprintf(err, errsz, "%s: step %zu: %s", path, i + 1, e);
		goto fail;
	}
	json_t *groups = json_object_get(j, "groups"), *jg;
	json_array_foreach(groups, i, jg) {
		group *g = ecalloc(1, sizeof *g);
		json_t *key = json_object_get(jg, "key");
		size_t nk = json_array_size(key);
		const char *ld = jstr(jg, "last_date");
		p->saved = ereallocarray(p->saved, p->nsaved + 1,
		    sizeof *p->saved);
		p->saved[p->nsaved++] = g;
		g->nkey = nk;
		g->key = ecalloc(nk ? nk : 1, sizeof *g->key);
		g->keylen = ecalloc(nk ? nk : 1, sizeof *g->keylen);
		const char *kf[64];
		for (size_t q = 0; q < nk && q < 64; q++) {
			const char *v = json_string_value(json_array_get(key, q));
			g->key[q] = estrdup(v ? v : "");
			g->keylen[q] = strlen(g->key[q]);
			kf[q] = g->key[q];
		}
		if (!ld || date_parse(ld, strlen(ld), &g->last_day, NULL) < 0) {
			snprintf(err, errsz, "%s: group %zu: no last_date", path,
			    i + 1);
			goto fail;
		}
		g->rings = ecalloc(p->nsteps ? p->nsteps : 1, sizeof *g->rings);
		g->tstate = ecalloc(p->nsteps ? p->nsteps : 1,
		    sizeof *g->tstate);
		json_t *hist = json_object_get(jg, "history");
		json_t *carry = json_object_get(jg, "carryover");
		for (size_t q = 0; q < p->nsteps; q++) {
			fstep *s = &p->steps[q];
			json_t *h = json_array_get(hist, q), *v;
			size_t z;
			ring_init(&g->rings[q], s->hist);
			json_array_foreach(h, z, v)
				ring_push(&g->rings[q], jnum(v));
			size_t n = s->kind == F_ADSTOCK || s->kind ==
			    F_SATURATION ? tstep_state_len(&s->ts) : 0;
			if (n) {
				json_t *c = json_array_get(carry, q);
				g->tstate[q] = emalloc(n * sizeof *g->tstate[q]);
				tstep_state_init(&s->ts, g->tstate[q]);
				for (size_t t = 0; t < n && t < json_array_size(c);
				    t++)
					g->tstate[q][t] = jnum(json_array_get(c,
					    t));
			}
		}
		hs_put(&p->savedset, key_hash(kf, g->keylen, nk),
		    p->nsaved - 1, NULL);
	}
	json_decref(j);
	return 0;
fail:
	json_decref(j);
	return -1;
}

void
fp_free(fpipe *p)
{
	if (!p)
		return;
	fp_begin(p, 0);
	for (size_t i = 0; i < p->nsaved; i++)
		group_free(p, p->saved[i]);
	free(p->saved);
	hs_free(&p->savedset);
	for (size_t i = 0; i < p->nsteps; i++) {
		fstep *s = &p->steps[i];
		free(s->arg);
		free(s->col);
		free(s->col2);
		free(s->k);
		free(s->stat);
		for (size_t j = 0; j < s->ncats; j++)
			free(s->cats[j]);
		free(s->cats);
		hs_free(&s->catset);
		free(s->hdays);
		free(s->path);
		for (size_t r = 0; r < s->njrows; r++) {
			for (size_t j = 0; j < s->jncols; j++)
				free(s->jrows[r][j]);
			free(s->jrows[r]);
			free(s->jlens[r]);
		}
		for (size_t j = 0; j < s->jncols; j++)
			free(s->jnames[j]);
		free(s->jnames);
		free(s->jrows);
		free(s->jlens);
		free(s->jon);
		hs_free(&s->jkeys);
		tstep_free(&s->ts);
	}
	free(p->steps);
	for (size_t i = 0; i < p->nslots; i++)
		free(p->names[i]);
	free(p->names);
	free(p->need);
	free(p->val);
	free(p->str);
	free(p->strlen_);
	free(p->by);
	free(p->on_text);
	for (int i = 0; i < 3; i++)
		free(p->owned[i]);
	for (size_t i = 0; i < p->nwarnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	free(p);
}

void
fp_set_on(fpipe *p, const char *on)
{
	free(p->on_text);
	p->on_text = on ? estrdup(on) : NULL;
}

int
fp_set_join_path(fpipe *p, size_t n, const char *path)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		fstep *s = &p->steps[i];
		if (s->kind != F_JOIN || n--)
			continue;
		free(s->path);
		s->path = estrdup(path);
		return 0;
	}
	return -1;
}

const fopts *
fp_opts(const fpipe *p)
{
	return &p->o;
}
