/* mmmpredict.c: a marketing-mix model's features, row by row (see
 * mmmpredict.h). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "err.h"
#include "holidays.h"
#include "mmmpredict.h"
#include "num.h"
#include "transform.h"

enum { SRC_RAW, SRC_MEDIA, SRC_TREND, SRC_SIN, SRC_COS, SRC_HOLIDAYS };

struct mmm_rows {
	size_t p;
	const char *input;
	const char *const *names;
	int *src;		/* p: SRC_* */
	int *order;		/* p: Fourier order */
	long *col;		/* p: input column, or -1 */
	adstock *ad;		/* p (media only) */
	saturation *sat;
	double **w, **state;	/* weights and carried state per media */
	long datecol;
	long day0, day1;	/* trend: 0 at day0, 1 at day1 */
	double year_days;
	long first_day, last_day;	/* of the training data */
	long prev;		/* last date seen, or LONG_MIN */
	long *hday;		/* the holidays the model keeps, sorted */
	size_t nhday;
	long hperiod, hto;	/* days a row covers; the last day kept */
	int started;
	int replay;		/* the rows began at the first training date */
};

static int
bad(char *err, size_t errsz, int *status, const char *path, const char *why)
{
	snprintf(err, errsz, "%s: not a valid mmm model: %s", path, why);
	*status = EXIT_DATAERR;
	return -1;
}

static double
num_of(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int
day_of(json_t *v, long *day)
{
	const char *s = json_string_value(v);
	return s && date_parse(s, strlen(s), day, NULL) == 0 ? 0 : -1;
}

static long
col_named(const mmm_rows *r, const char *name, size_t ncols)
{
	for (size_t i = 0; i < ncols; i++)
		if (strcmp(r->names[i], name) == 0)
			return (long)i;
	return -1;
}

void
mmm_rows_free(mmm_rows *r)
{
	if (!r)
		return;
	for (size_t j = 0; j < r->p; j++) {
		free(r->w[j]);
		free(r->state[j]);
	}
	free(r->w);
	free(r->state);
	free(r->src);
	free(r->order);
	free(r->col);
	free(r->ad);
	free(r->sat);
	free(r->hday);
	free(r);
}

/* The holidays block: period, last day and the days, ascending. */
static int
read_holidays(mmm_rows *r, json_t *h)
{
	json_t *days = json_object_get(h, "days");
	double per = num_of(h, "period");

	if (!json_is_array(days) || !(per >= 1 && per <= 366) ||
	    day_of(json_object_get(h, "to"), &r->hto) < 0)
		return -1;
	r->hperiod = (long)per;
	r->nhday = json_array_size(days);
	r->hday = ecalloc(r->nhday + 1, sizeof *r->hday);
	for (size_t i = 0; i < r->nhday; i++)
		if (day_of(json_array_get(days, i), &r->hday[i]) < 0 ||
		    (i && r->hday[i] <= r->hday[i - 1]))
			return -1;
	return 0;
}

/* Channel name's transforms and end state from the model's block. */
static int
read_channel(mmm_rows *r, size_t j, json_t *ch)
{
	json_t *a = json_object_get(ch, "adstock");
	json_t *s = json_object_get(ch, "saturation");
	json_t *st = json_object_get(ch, "state");
	int ak = adstock_kind_parse(json_string_value(
	    json_object_get(a, "kind")) ? json_string_value(
	    json_object_get(a, "kind")) : "");
	int sk = saturation_kind_parse(json_string_value(
	    json_object_get(s, "kind")) ? json_string_value(
	    json_object_get(s, "kind")) : "");

	if (ak < 0 || sk < 0 || !json_is_array(st))
		return -1;
	adstock *ad = &r->ad[j];
	memset(ad, 0, sizeof *ad);
	ad->kind = (adstock_kind)ak;
	ad->theta = num_of(a, "theta");
	ad->shape = num_of(a, "shape");
	ad->scale = num_of(a, "scale");
	ad->peak = num_of(a, "peak");
	double len = num_of(a, "len");
	ad->len = isnan(len) ? 0 : (size_t)len;
	ad->normalize = json_is_true(json_object_get(a, "normalize"));
	if (ad->kind == ADSTOCK_GEOMETRIC)
		ad->len = 0;
	if (adstock_check(ad))
		return -1;
	saturation *sa = &r->sat[j];
	memset(sa, 0, sizeof *sa);
	sa->kind = (saturation_kind)sk;
	sa->alpha = num_of(s, "alpha");
	sa->gamma = num_of(s, "gamma");
	sa->lambda = num_of(s, "lambda");
	sa->vmax = num_of(s, "vmax");
	sa->k = num_of(s, "k");
	if (saturation_check(sa))
		return -1;
	size_t sl = adstock_state_len(ad), nw = adstock_nweights(ad);
	if (json_array_size(st) != sl)
		return -1;
	r->w[j] = ecalloc(nw + 1, sizeof *r->w[j]);
	adstock_weights(ad, r->w[j]);
	r->state[j] = ecalloc(2 * sl + 1, sizeof *r->state[j]);
	for (size_t i = 0; i < sl; i++) {
		json_t *v = json_array_get(st, i);
		if (!json_is_number(v))
			return -1;
		/* the saved end state after the zeros a replay starts from */
		r->state[j][sl + i] = json_number_value(v);
	}
	return 0;
}

int
mmm_rows_new(mmm_rows **out, void *root, const char *const *features,
    size_t p, const char *input, const char *const *names, size_t ncols,
    char *err, size_t errsz, int *status)
{
	json_t *doc = root, *mm = json_object_get(doc, "mmm");

	*out = NULL;
	if (strcmp(json_string_value(json_object_get(doc, "kind")) ?
	    json_string_value(json_object_get(doc, "kind")) : "", "mmm") != 0)
		return 0;
	if (!json_is_object(mm))
		return bad(err, errsz, status, "model", "no \"mmm\" block");
	mmm_rows *r = ecalloc(1, sizeof *r);
	*out = r;
	r->p = p;
	r->input = input;
	r->names = names;
	r->src = ecalloc(p + 1, sizeof *r->src);
	r->order = ecalloc(p + 1, sizeof *r->order);
	r->col = ecalloc(p + 1, sizeof *r->col);
	r->ad = ecalloc(p + 1, sizeof *r->ad);
	r->sat = ecalloc(p + 1, sizeof *r->sat);
	r->w = ecalloc(p + 1, sizeof *r->w);
	r->state = ecalloc(p + 1, sizeof *r->state);
	r->prev = 0;

	json_t *chans = json_object_get(mm, "channels");
	json_t *base = json_object_get(mm, "baseline");
	json_t *trend = json_object_get(base, "trend");
	json_t *range = json_object_get(json_object_get(doc, "data"),
	    "date_range");
	const char *dname = json_string_value(json_object_get(
	    json_object_get(doc, "options"), "date"));
	r->year_days = num_of(base, "year_days");
	if (!json_is_object(chans) || !dname || !(r->year_days > 0) ||
	    day_of(json_array_get(range, 0), &r->first_day) < 0 ||
	    day_of(json_array_get(range, 1), &r->last_day) < 0)
		return bad(err, errsz, status, "model", "its channels, "
		    "baseline, date column or date range");
	if (json_is_object(trend) && (day_of(json_object_get(trend, "from"),
	    &r->day0) < 0 || day_of(json_object_get(trend, "to"),
	    &r->day1) < 0))
		return bad(err, errsz, status, "model", "its trend");
	if ((r->datecol = col_named(r, dname, ncols)) < 0) {
		snprintf(err, errsz, "%s: column \"%s\" the model needs is "
		    "missing (the dates of its trend, season and carryover)",
		    input, dname);
		*status = EXIT_DATAERR;
		return -1;
	}
	for (size_t j = 0; j < p; j++) {
		const char *f = features[j];
		json_t *ch = json_object_get(chans, f);
		int ord;
		char c;
		r->col[j] = -1;
		if (ch) {
			r->src[j] = SRC_MEDIA;
			if (read_channel(r, j, ch) < 0)
				return bad(err, errsz, status, "model",
				    "a channel's transforms or state");
		} else if (strcmp(f, "holidays") == 0 && json_is_object(
		    json_object_get(base, "holidays"))) {
			r->src[j] = SRC_HOLIDAYS;
			if (!r->hday && read_holidays(r, json_object_get(base,
			    "holidays")) < 0)
				return bad(err, errsz, status, "model",
				    "its holidays");
			continue;
		} else if (strcmp(f, "trend") == 0 && json_is_object(trend)) {
			r->src[j] = SRC_TREND;
			continue;
		} else if ((sscanf(f, "sin%d%c", &ord, &c) == 1 ||
		    sscanf(f, "cos%d%c", &ord, &c) == 1) && ord > 0) {
			r->src[j] = f[0] == 's' ? SRC_SIN : SRC_COS;
			r->order[j] = ord;
			continue;
		} else {
			r->src[j] = SRC_RAW;
		}
		if ((r->col[j] = col_named(r, f, ncols)) < 0) {
			snprintf(err, errsz, "%s: column \"%s\" the model needs "
			    "is missing", input, f);
			*status = EXIT_DATAERR;
			return -1;
		}
	}
	return 0;
}

int
mmm_rows_replay(const mmm_rows *r)
{
	return r->replay;
}

long
mmm_rows_col(const mmm_rows *r, size_t j)
{
	return r->col[j];
}

int
mmm_rows_next(mmm_rows *r, const csv_record *rec, double *x, double *raw,
    char *err, size_t errsz, int *status)
{
	long day;
	size_t dc = (size_t)r->datecol;
	char fb[64];

	*status = EXIT_DATAERR;
	if (date_parse(rec->f[dc], rec->len[dc], &day, NULL) < 0) {
		snprintf(err, errsz, "%s:%ld: column \"%s\": \"%s\" is not a "
		    "date", r->input, rec->line, r->names[dc], msg_field(fb,
		    rec->f[dc], rec->len[dc]));
		return -1;
	}
	if (!r->started) {
		/* A replay from the first training date starts from zero; rows
		 * after the training data continue its carryover. */
		int replay = r->replay = day == r->first_day;
		if (!replay && day <= r->last_day) {
			char a[16], b[16];
			date_format(r->first_day, a);
			date_format(r->last_day, b);
			snprintf(err, errsz, "%s:%ld: date %s: an mmm model "
			    "predicts from the first date of its training data "
			    "(%s) or after its last (%s), to carry the adstock "
			    "over", r->input, rec->line, msg_field(fb,
			    rec->f[dc], rec->len[dc]), a, b);
			return -1;
		}
		for (size_t j = 0; j < r->p; j++)
			if (r->src[j] == SRC_MEDIA) {
				size_t sl = adstock_state_len(&r->ad[j]);
				if (replay)
					memset(r->state[j], 0, sl *
					    sizeof *r->state[j]);
				else
					memmove(r->state[j], r->state[j] + sl,
					    sl * sizeof *r->state[j]);
			}
		r->started = 1;
	} else if (day <= r->prev) {
		snprintf(err, errsz, "%s:%ld: date %s is not after the row "
		    "before: an mmm model needs one row per period in date "
		    "order", r->input, rec->line, msg_field(fb, rec->f[dc],
		    rec->len[dc]));
		return -1;
	}
	r->prev = day;
	for (size_t j = 0; j < r->p; j++) {
		double v = NAN, a;
		long c = r->col[j];
		if (c >= 0 && num_parse(rec->f[c], rec->len[c], &v) < 0) {
			if (!csv_is_missing(rec->f[c], rec->len[c]) ||
			    r->src[j] == SRC_MEDIA) {
				snprintf(err, errsz, "%s:%ld: column \"%s\": "
				    "\"%s\" is not a %s", r->input,
				    rec->line, r->names[c], msg_field(fb,
				    rec->f[c], rec->len[c]), r->src[j] ==
				    SRC_MEDIA ? "spend (a missing spend "
				    "breaks the carryover)" : "number");
				return -1;
			}
			v = NAN;
		}
		raw[j] = v;
		switch (r->src[j]) {
		case SRC_MEDIA:
			if (!(v >= 0) || !isfinite(v)) {
				snprintf(err, errsz, "%s:%ld: column \"%s\": "
				    "spend %s is negative or not finite",
				    r->input, rec->line, r->names[c],
				    msg_field(fb, rec->f[c], rec->len[c]));
				return -1;
			}
			adstock_apply(&r->ad[j], r->w[j], r->state[j], &v, &a,
			    1);
			x[j] = saturation_value(&r->sat[j], a);
			break;
		case SRC_TREND:
			x[j] = (double)(day - r->day0) / (double)(r->day1 >
			    r->day0 ? r->day1 - r->day0 : 1);
			break;
		case SRC_HOLIDAYS:
			if (day + r->hperiod - 1 > r->hto) {
				char to[16];
				date_format(r->hto, to);
				snprintf(err, errsz, "%s:%ld: date %s: the "
				    "model keeps holidays up to %s only "
				    "(retrain it with a newer holidays file)",
				    r->input, rec->line, msg_field(fb,
				    rec->f[dc], rec->len[dc]), to);
				return -1;
			}
			x[j] = (double)holidays_count(r->hday, r->nhday, day,
			    r->hperiod);
			break;
		case SRC_SIN:
		case SRC_COS: {
			double ang = 2 * M_PI * r->order[j] * (double)day /
			    r->year_days;
			x[j] = r->src[j] == SRC_SIN ? sin(ang) : cos(ang);
			break;
		}
		default:
			x[j] = v;
		}
	}
	return 0;
}
