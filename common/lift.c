/* lift.c: the lift-test file and MAPE.LIFT (lift.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "err.h"
#include "lift.h"
#include "num.h"

enum { L_CHAN, L_START, L_END, L_LIFT, L_SD, L_NCOLS };
static const char *const colnames[L_NCOLS] = { "channel", "start", "end",
	"lift", "lift_sd" };

/* One record into t; -1 with the message. */
static int
parse_test(const csv_record *rec, const long *col, const char *name,
    const char *const *media, size_t k, const long *day, size_t n,
    lift_test *t, char *err, size_t errsz)
{
	char fb[MSGFIELD_SIZE];
	const char *f;
	size_t len;

#define FIELD(c) (f = rec->f[col[c]], len = rec->len[col[c]])
	t->line = rec->line;
	FIELD(L_CHAN);
	for (t->chan = 0; t->chan < k; t->chan++)
		if (strlen(media[t->chan]) == len &&
		    memcmp(media[t->chan], f, len) == 0)
			break;
	if (t->chan == k)
		return err_fail(err, errsz, NULL, 0, "%s:%ld: column "
		    "\"channel\": \"%s\" is not one of the media", name,
		    rec->line, msg_field(fb, f, len));
	FIELD(L_START);
	if (date_parse(f, len, &t->day0, NULL) < 0)
		return err_fail(err, errsz, NULL, 0, "%s:%ld: column \"start\": "
		    "\"%s\" is not a date", name, rec->line,
		    msg_field(fb, f, len));
	FIELD(L_END);
	if (date_parse(f, len, &t->day1, NULL) < 0)
		return err_fail(err, errsz, NULL, 0, "%s:%ld: column \"end\": "
		    "\"%s\" is not a date", name, rec->line,
		    msg_field(fb, f, len));
	if (t->day1 < t->day0)
		return err_fail(err, errsz, NULL, 0, "%s:%ld: column \"end\": "
		    "\"%s\" is before the start", name, rec->line,
		    msg_field(fb, f, len));
	/* The last period covers the days up to the next period's start. */
	long last = day[n - 1] + (n > 1 ? day[n - 1] - day[n - 2] - 1 : 0);
	char d0[16], d1[16];
	date_format(day[0], d0);
	date_format(last, d1);
	if (t->day0 < day[0] || t->day1 > last) {
		int c = t->day0 < day[0] ? L_START : L_END;
		FIELD(c);
		return err_fail(err, errsz, NULL, 0, "%s:%ld: column \"%s\": "
		    "\"%s\" is outside the training dates %s..%s", name,
		    rec->line, colnames[c], msg_field(fb, f, len), d0, d1);
	}
	t->start = date_search(day, n, t->day0);
	t->end = date_search(day, n, t->day1 + 1);
	if (t->end == t->start)
		return err_fail(err, errsz, NULL, 0, "%s:%ld: column \"end\": "
		    "no training period starts in the window", name,
		    rec->line);
	t->end--;
	FIELD(L_LIFT);
	if (num_parse(f, len, &t->lift) < 0 || !isfinite(t->lift) ||
	    t->lift == 0)
		return err_fail(err, errsz, NULL, 0, "%s:%ld: column \"lift\": "
		    "\"%s\" is not a finite non-zero number", name, rec->line,
		    msg_field(fb, f, len));
	t->sd = NAN;
	if (col[L_SD] < 0)
		return 0;
	FIELD(L_SD);
	if (!csv_is_missing(f, len) && (num_parse(f, len, &t->sd) < 0 || !(t->sd > 0) ||
	    !isfinite(t->sd)))
		return err_fail(err, errsz, NULL, 0, "%s:%ld: column "
		    "\"lift_sd\": \"%s\" is not a positive number", name,
		    rec->line, msg_field(fb, f, len));
#undef FIELD
	return 0;
}

int
lift_read(const char *path, const char *const *media, size_t k,
    const long *day, size_t n, lift_set *out, char *err, size_t errsz,
    int *status)
{
	csv_record rec;
	long col[L_NCOLS];
	int got;

	out->t = NULL;
	out->n = 0;
	csv_reader *r = csv_open(path, 0, err, errsz, status);
	if (!r)
		return -1;
	const char *name = csv_name(r);
	for (int c = 0; c < L_NCOLS; c++)
		if ((col[c] = csv_col(r, colnames[c])) < 0 && c != L_SD) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s:1: no "
			    "column \"%s\" (a lift file has channel,start,"
			    "end,lift[,lift_sd])", name, colnames[c]);
			csv_close(r);
			return -1;
		}
	if (n == 0) {
		err_fail(err, errsz, status, EXIT_DATAERR, "%s: no training "
		    "rows to place the windows in", name);
		csv_close(r);
		return -1;
	}
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		lift_test t;
		if (parse_test(&rec, col, name, media, k, day, n, &t, err,
		    errsz) < 0) {
			*status = EXIT_DATAERR;
			csv_close(r);
			lift_free(out);
			return -1;
		}
		out->t = ereallocarray(out->t, out->n + 1, sizeof *out->t);
		out->t[out->n++] = t;
	}
	if (got == 0 && out->n == 0)
		got = err_fail(err, errsz, status, EXIT_DATAERR, "%s: no lift "
		    "tests", name);
	csv_close(r);
	if (got < 0) {
		lift_free(out);
		return -1;
	}
	return 0;
}

void
lift_free(lift_set *s)
{
	free(s->t);
	s->t = NULL;
	s->n = 0;
}

double
lift_predicted(const lift_test *t, double coef, const double *s)
{
	double sum = 0;

	for (size_t i = t->start; i <= t->end; i++)
		sum += s[i];
	return coef * sum;
}

double
lift_mape(const lift_set *s, const double *coef, const double *media,
    size_t n, double *pred)
{
	double sum = 0;

	if (s->n == 0)
		return NAN;
	for (size_t i = 0; i < s->n; i++) {
		const lift_test *t = &s->t[i];
		double p = lift_predicted(t, coef[t->chan],
		    media + t->chan * n);
		if (pred)
			pred[i] = p;
		sum += fabs(p - t->lift) / fabs(t->lift);
	}
	return sum / (double)s->n;
}
