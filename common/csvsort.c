/* csvsort.c: records copied to a scratch file, an index sorted in memory,
 * then the records copied again in index order. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csvio.h"
#include "csvsort.h"
#include "date.h"
#include "err.h"
#include "hashset.h"
#include "out.h"

typedef struct item {
	uint64_t group;		/* order of first appearance */
	long day;
	size_t seq, off, len;
} item;

static int
cmp_item(const void *a, const void *b)
{
	const item *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
copy_range(int from, out *to, size_t off, size_t len, char **buf,
    size_t *cap)
{
	if (len > *cap) {
		*cap = len;
		*buf = erealloc(*buf, *cap);
	}
	for (size_t done = 0; done < len;) {
		ssize_t n = pread(from, *buf + done, len - done,
		    (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	out_write(to, *buf, len);
	return 0;
}

char *
csv_sort_by_date(const char *path, const char *name, const char *by,
    const char *date_col, char *err, size_t errsz, int *status)
{
	csv_reader *r = csv_open_as(path, name, 0, err, errsz, status);
	size_t *key = NULL, nkey = 0, nitems = 0, cap = 0;
	item *items = NULL;
	hashset groups;
	csv_record rec;
	char *result = NULL;
	int got;

	if (!r)
		return NULL;
	hs_init(&groups);
	*status = EXIT_DATAERR;
	long di = csv_col(r, date_col);
	if (di < 0) {
		snprintf(err, errsz, "%s:1: no date column \"%s\" in the header",
		    csv_name(r), date_col);
		goto done;
	}
	if (by) {
		char e[256];
		long ok = cols_resolve(by, csv_colnames(r), csv_ncols(r), 0,
		    &key, &nkey, e, sizeof e);
		if (ok < 0) {
			snprintf(err, errsz, "%s:1: --by: %s", csv_name(r), e);
			goto done;
		}
	}
	out *a = out_scratch();
	csv_write_names(a, r);
	out_putc(a, '\n');
	size_t header = out_tell(a);
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		long day;
		if (date_parse(rec.f[di], rec.len[di], &day, NULL) < 0) {
			char fb[MSGFIELD_SIZE];
			*status = EXIT_DATAERR;
			snprintf(err, errsz, "%s:%ld: column \"%s\": \"%s\" is "
			    "not a date (YYYY-MM-DD[ HH:MM[:SS]])", csv_name(r),
			    rec.line, date_col, msg_field(fb, rec.f[di],
			    rec.len[di]));
			out_abort(a);
			goto done;
		}
		hkey h = hash_bytes("", 0);
		for (size_t i = 0; i < nkey; i++)
			h = hash_more(h, rec.f[key[i]], rec.len[key[i]]);
		uint64_t g;
		if (!hs_get(&groups, h, &g)) {
			g = groups.n;
			hs_put(&groups, h, g, NULL);
		}
		if (nitems == cap) {
			cap = cap ? 2 * cap : 1024;
			items = ereallocarray(items, cap, sizeof *items);
		}
		items[nitems].group = g;
		items[nitems].day = day;
		items[nitems].seq = nitems;
		items[nitems].off = out_tell(a);
		csv_write_record(a, &rec);
		items[nitems].len = out_tell(a) - items[nitems].off;
		nitems++;
	}
	if (got < 0) {
		out_abort(a);
		goto done;
	}
	out_flush(a);
	qsort(items, nitems, sizeof *items, cmp_item);
	out *b = out_scratch();
	char *buf = NULL;
	size_t bufcap = 0;
	int bad = copy_range(a->fd, b, 0, header, &buf, &bufcap) < 0;
	for (size_t i = 0; i < nitems && !bad; i++)
		bad = copy_range(a->fd, b, items[i].off, items[i].len, &buf,
		    &bufcap) < 0;
	free(buf);
	out_flush(b);
	if (bad) {
		*status = EXIT_IOERR;
		snprintf(err, errsz, "%s: read error", a->name);
	} else {
		result = estrdup(b->name);
	}
	out_abort(a);
	out_abort(b);
done:
	free(key);
	free(items);
	hs_free(&groups);
	csv_close(r);
	return result;
}
