/* holidays.c: a holidays file as days (holidays.h). */
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "err.h"
#include "holidays.h"

static int
by_day(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int
holidays_read(const char *path, const char *country, holidays *h,
    char *err, size_t errsz, int *status)
{
	csv_record rec;
	char fb[MSGFIELD_SIZE];
	size_t cap = 0;
	int got;

	memset(h, 0, sizeof *h);
	csv_reader *r = csv_open(path, CSV_SHA256, err, errsz, status);
	if (!r)
		return -1;
	const char *name = csv_name(r);
	long dc = csv_col(r, "ds") >= 0 ? csv_col(r, "ds") : csv_col(r, "date");
	long cc = csv_col(r, "country");
	if (dc < 0 || (country && cc < 0)) {
		err_fail(err, errsz, status, EXIT_DATAERR, "%s:1: a holidays "
		    "file needs a date column \"ds\" or \"date\"%s", name,
		    country ? " and a column \"country\"" : "");
		goto fail;
	}
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		long d;
		if (country && (rec.len[cc] != strlen(country) ||
		    memcmp(rec.f[cc], country, rec.len[cc]) != 0))
			continue;
		if (date_parse(rec.f[dc], rec.len[dc], &d, NULL) < 0) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
			    "column \"%s\": \"%s\" is not a date", name,
			    rec.line, csv_colname(r, (size_t)dc),
			    msg_field(fb, rec.f[dc], rec.len[dc]));
			goto fail;
		}
		if (h->n == cap) {
			cap = cap ? 2 * cap : 256;
			h->day = ereallocarray(h->day, cap, sizeof *h->day);
		}
		h->day[h->n++] = d;
	}
	if (got < 0)
		goto fail;
	if (csv_sha256(r, h->sha256) < 0) {
		err_fail(err, errsz, status, EXIT_IOERR, "%s: not read to its "
		    "end", name);
		goto fail;
	}
	if (h->n == 0) {
		err_fail(err, errsz, status, EXIT_DATAERR, "%s: no holidays%s%s"
		    "%s", name, country ? " of country \"" : "", country ?
		    country : "", country ? "\"" : "");
		goto fail;
	}
	/* Sorted and distinct: a day with two holidays counts once. */
	qsort(h->day, h->n, sizeof *h->day, by_day);
	size_t m = 1;
	for (size_t i = 1; i < h->n; i++)
		if (h->day[i] != h->day[m - 1])
			h->day[m++] = h->day[i];
	h->n = m;
	csv_close(r);
	return 0;
fail:
	csv_close(r);
	holidays_free(h);
	return -1;
}

void
holidays_free(holidays *h)
{
	free(h->day);
	h->day = NULL;
	h->n = 0;
}

size_t
holidays_count(const long *day, size_t n, long from, long len)
{
	return date_search(day, n, from + len) - date_search(day, n, from);
}
