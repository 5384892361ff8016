/* test_csv: the CSV reader — edge cases, and a differential test proving the
 * quote-free fast path reads every input exactly as the plain libcsv path. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "err.h"
#include "tap.h"

static char path[] = "/tmp/mmm-test-csv-XXXXXX";

static void
put_file(const char *s, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(s, 1, n, f) != n || fclose(f) != 0)
		die("cannot write %s", path);
}

/* Append r's records as lines "LINE:[len:bytes]..." (and its error) to *s. */
static void
drain(csv_reader *r, char **s, size_t *len, size_t *cap)
{
	char err[512], b[600];
	int status = 0, got, n;
	csv_record rec;

#define PUT(p, k) do { \
	size_t k_ = (k); \
	while (*len + k_ + 1 > *cap) \
		*s = erealloc(*s, *cap *= 2); \
	memcpy(*s + *len, (p), k_); \
	*len += k_; \
	(*s)[*len] = '\0'; \
} while (0)
	while ((got = csv_next(r, &rec, err, sizeof err, &status)) > 0) {
		n = snprintf(b, sizeof b, "%ld:", rec.line);
		PUT(b, (size_t)n);
		for (size_t i = 0; i < rec.n; i++) {
			n = snprintf(b, sizeof b, "[%zu:", rec.len[i]);
			PUT(b, (size_t)n);
			PUT(rec.f[i], rec.len[i]);
			PUT("]", 1);
		}
		PUT("\n", 1);
	}
	if (got < 0) {
		n = snprintf(b, sizeof b, "error %d: %s\n", status, err);
		PUT(b, (size_t)n);
	}
#undef PUT
}

/* Append r's header as <name><name>...newline to *s. */
static void
header(const csv_reader *r, char **s, size_t *len, size_t *cap)
{
	for (size_t i = 0; i <= csv_ncols(r); i++) {
		const char *c = i < csv_ncols(r) ? csv_colname(r, i) : NULL;
		size_t k = c ? strlen(c) + 2 : 1;
		while (*len + k + 1 > *cap)
			*s = erealloc(*s, *cap *= 2);
		*len += (size_t)snprintf(*s + *len, *cap - *len, c ? "<%s>" :
		    "\n", c);
	}
}

/* Read the whole file into a canonical text: one line per record with its
 * line number and fields as [len:bytes], or the error. */
static char *
read_all(int flags, size_t max_record)
{
	char err[512];
	int status = 0;
	size_t cap = 1024, len = 0;
	char *s = emalloc(cap);

	s[0] = '\0';
	csv_reader *r = csv_open(path, flags, err, sizeof err, &status);
	if (!r) {
		char b[600];
		int n = snprintf(b, sizeof b, "open error %d: %s\n", status, err);
		s = erealloc(s, (size_t)n + 1);
		memcpy(s, b, (size_t)n + 1);
		return s;
	}
	if (max_record)
		csv_set_max_record(r, max_record);
	header(r, &s, &len, &cap);
	drain(r, &s, &len, &cap);
	csv_close(r);
	return s;
}

/*
 * The file read in two parts as mmm-train does: a reader stopped at a
 * guessed cut, then, when it stopped exactly there, a second reader from
 * the cut; else the first reader goes on.  Returns the records as read_all
 * writes them, *split whether the second reader was used, and the hash
 * after csv_finish_hash in hex.
 */
static char *
read_split(double frac, int *split, char hex[65])
{
	char err[512];
	int status = 0;
	size_t cap = 1024, len = 0, nl;
	char *s = emalloc(cap);
	off_t cut, from;
	int ends;

	*split = 0;
	hex[0] = '\0';
	s[0] = '\0';
	csv_reader *r = csv_open(path, CSV_SHA256, err, sizeof err, &status);
	if (!r) {
		free(s);
		return read_all(0, 0);	/* the same open error */
	}
	header(r, &s, &len, &cap);
	from = csv_offset(r);
	long line0 = csv_line(r);
	if (!csv_split_guess(r, frac, 1, &cut)) {
		drain(r, &s, &len, &cap);
		csv_sha256(r, hex);
		csv_close(r);
		return s;
	}
	csv_set_stop(r, cut);
	drain(r, &s, &len, &cap);
	csv_set_stop(r, -1);
	if (csv_offset(r) == cut && !strstr(s, "error") &&
	    csv_count_lines(r, from, cut, &nl, &ends, err, sizeof err, &status) == 0) {
		csv_reader *q = csv_open_at(r, cut, line0 + (long)nl);
		drain(q, &s, &len, &cap);
		csv_close(q);
		*split = 1;
		if (csv_finish_hash(r, err, sizeof err, &status) == 0)
			csv_sha256(r, hex);
	} else if (!strstr(s, "error")) {
		drain(r, &s, &len, &cap);
		csv_sha256(r, hex);
	}
	csv_close(r);
	return s;
}

/* The whole file's SHA-256 through the reader, read to its end. */
static void
whole_hash(char hex[65])
{
	char err[512];
	int status;
	csv_record rec;
	csv_reader *r = csv_open(path, CSV_SHA256, err, sizeof err, &status);

	hex[0] = '\0';
	while (r && csv_next(r, &rec, err, sizeof err, &status) > 0)
		;
	if (r && csv_sha256(r, hex) < 0)
		hex[0] = '\0';
	csv_close(r);
}

static int
check(const char *name, const char *input, size_t n, const char *want)
{
	put_file(input, n);
	char *fast = read_all(0, 0), *ref = read_all(CSV_LIBCSV_ONLY, 0);
	int ok = strcmp(fast, want) == 0 && strcmp(ref, want) == 0;
	TAP_OK(ok, "%s", name);
	if (!ok) {
		TAP_DIAG("want:\n%s", want);
		TAP_DIAG("fast:\n%s", fast);
		TAP_DIAG("libcsv:\n%s", ref);
	}
	free(fast);
	free(ref);
	return ok;
}

#define CHECK(name, lit, want) check(name, lit, sizeof lit - 1, want)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random CSV: mostly well-formed records of ncols fields, with every hard
 * case mixed in (quotes, embedded separators, CR, CRLF, blank lines, a
 * missing final newline, stray quotes, ragged rows, high bytes). */
static size_t
random_csv(char *buf, size_t cap)
{
	static const char *const plain[] = { "a", "12.5", "", " x ", "\xc3\xa9",
	    "\xff", "NA", "2024-01-01", "-0" };
	static const char *const quoted[] = { "\"a,b\"", "\"\"", "\"say \"\"hi\"\"\"",
	    "\"two\nlines\"", "\"cr\rin\"", "\"crlf\r\nin\"", "\"\"\"\"" };
	size_t n = 0;
	int ncols = 1 + (int)(next() % 4), nrec = 1 + (int)(next() % 12);

	for (int r = 0; r < nrec && n + 200 < cap; r++) {
		int cols = ncols;
		if (next() % 20 == 0)
			cols += (next() % 2) ? 1 : -1;
		for (int c = 0; c < cols; c++) {
			const char *f;
			unsigned k = (unsigned)(next() % 100);
			if (k < 60)
				f = plain[next() % (sizeof plain / sizeof *plain)];
			else if (k < 95)
				f = quoted[next() % (sizeof quoted / sizeof *quoted)];
			else if (k < 97)
				f = "x\"y";	/* stray quote: malformed */
			else if (k < 99)
				f = "a\rb";	/* bare CR in a plain field */
			else
				f = "\"q\"z";	/* text after a closing quote */
			if (c)
				buf[n++] = ',';
			memcpy(buf + n, f, strlen(f));
			n += strlen(f);
		}
		unsigned t = (unsigned)(next() % 10);
		if (r == nrec - 1 && next() % 3 == 0)
			break;	/* no final newline */
		if (t < 6) {
			buf[n++] = '\n';
		} else if (t < 9) {
			buf[n++] = '\r';
			buf[n++] = '\n';
		} else {
			buf[n++] = '\n';
			buf[n++] = '\n';	/* a blank line */
		}
	}
	return n;
}

int
main(void)
{
	int fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp:");
	close(fd);

	CHECK("plain records", "a,b\n1,2\n3,4\n",
	    "<a><b>\n2:[1:1][1:2]\n3:[1:3][1:4]\n");
	CHECK("no final newline", "a,b\n1,2",
	    "<a><b>\n2:[1:1][1:2]\n");
	CHECK("CRLF", "a,b\r\n1,2\r\n",
	    "<a><b>\n2:[1:1][1:2]\n");
	CHECK("UTF-8 BOM skipped", "\xef\xbb\xbf" "a,b\n1,2\n",
	    "<a><b>\n2:[1:1][1:2]\n");
	CHECK("quoted comma, quote, newline; line numbers after them",
	    "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n5,6\n",
	    "<a><b>\n2:[3:x,y][8:say \"hi\"]\n3:[9:two\nlines][1:z]\n5:[1:5][1:6]\n");
	CHECK("empty fields and quoted empty", "a,b,c\n,,\n\"\",x,\n",
	    "<a><b><c>\n2:[0:][0:][0:]\n3:[0:][1:x][0:]\n");
	CHECK("spaces are kept", "a,b\n 1 , 2\n",
	    "<a><b>\n2:[3: 1 ][2: 2]\n");
	CHECK("blank lines skipped, numbering kept", "a\n1\n\n\r\n2\n",
	    "<a>\n2:[1:1]\n5:[1:2]\n");
	put_file("a,b\n1,2\n3\n", 10);
	char *got = read_all(0, 0);
	char want[512];
	snprintf(want, sizeof want, "<a><b>\n2:[1:1][1:2]\nerror 65: %s:3: "
	    "expected 2 fields as in the header, found 1\n", path);
	TAP_OK(strcmp(got, want) == 0, "ragged row message names file and line");
	free(got);

	snprintf(want, sizeof want, "<a><b>\nerror 65: %s:2: malformed CSV: a "
	    "quote inside an unquoted field or text after a closing quote\n",
	    path);
	put_file("a,b\nx\"y,1\n", 10);
	got = read_all(0, 0);
	TAP_OK(strcmp(got, want) == 0, "stray quote is malformed");
	free(got);

	snprintf(want, sizeof want, "<a><b>\n2:[1:1][1:2]\nerror 65: %s:3: "
	    "unterminated quoted field at end of input\n", path);
	put_file("a,b\n1,2\n\"open,\nmore\n", 20);
	got = read_all(0, 0);
	TAP_OK(strcmp(got, want) == 0, "unterminated quote at end of input");
	free(got);

	snprintf(want, sizeof want, "open error 65: %s: empty input: no header "
	    "line\n", path);
	put_file("", 0);
	got = read_all(0, 0);
	TAP_OK(strcmp(got, want) == 0, "empty input");
	free(got);
	CHECK("header only", "a,b\n", "<a><b>\n");

	snprintf(want, sizeof want, "open error 65: %s:1: duplicate column name "
	    "\"a\" in the header\n", path);
	put_file("a,b,a\n1,2,3\n", 12);
	got = read_all(0, 0);
	TAP_OK(strcmp(got, want) == 0, "duplicate header names");
	free(got);

	/* Bare CR ends a record in libcsv; the fast path must agree. */
	CHECK("bare CR inside a line splits records as libcsv does",
	    "a\nx\ry\n", "<a>\n2:[1:x]\n2:[1:y]\n");
	CHECK("non-UTF-8 bytes kept", "a\n\xff\xfe\n", "<a>\n2:[2:\xff\xfe]\n");

	/* A 1 MB field, plain and quoted. */
	size_t big = 1 << 20;
	char *b = emalloc(big + 64);
	memcpy(b, "a,b\n", 4);
	memset(b + 4, 'z', big);
	memcpy(b + 4 + big, ",1\n\"q\nq\",2\n", 11);
	put_file(b, big + 15);
	char *fast = read_all(0, 0), *ref = read_all(CSV_LIBCSV_ONLY, 0);
	TAP_OK(strcmp(fast, ref) == 0 && strstr(fast, "2:[1048576:zzz") &&
	    strstr(fast, "3:[3:q\nq][1:2]"), "1 MB field, then a quoted one");
	free(fast);
	free(ref);

	/* The record limit: an error, not unbounded memory. */
	put_file(b, big + 15);
	got = read_all(0, 4096);
	snprintf(want, sizeof want, "error 65: %s:2: record longer than 4096 "
	    "bytes\n", path);
	TAP_OK(strstr(got, want) != NULL, "record over the limit (plain)");
	free(got);
	b[4] = '"';
	b[big] = '"';
	put_file(b, big + 15);
	got = read_all(0, 4096);
	TAP_OK(strstr(got, "record longer than 4096 bytes") != NULL,
	    "record over the limit (quoted)");
	free(got);
	free(b);

	/* Differential: random and adversarial inputs, both paths. */
	char *in = emalloc(1 << 16);
	int same = 1, tried = 0, errors = 0;
	for (int i = 0; i < 20000 && same; i++, tried++) {
		size_t n = random_csv(in, 1 << 16);
		put_file(in, n);
		fast = read_all(0, 0);
		ref = read_all(CSV_LIBCSV_ONLY, 0);
		if (strcmp(fast, ref) != 0) {
			same = 0;
			TAP_DIAG("input %d differs:\n%.*s", i, (int)n, in);
			TAP_DIAG("fast:\n%s", fast);
			TAP_DIAG("libcsv:\n%s", ref);
		}
		errors += strstr(fast, "error") != NULL;
		free(fast);
		free(ref);
	}
	TAP_OK(same, "fast path = libcsv path on %d random inputs (%d of them "
	    "malformed)", tried, errors);
	free(in);

	/* Reading in two parts (mmm-train --threads 2): for random inputs and
	 * cuts everywhere, the records, lines and first error are those of
	 * one reading, and the hash covers every byte. */
	in = emalloc(1 << 16);
	int psame = 1, splits = 0, misses = 0, ptried = 0;
	for (int i = 0; i < 1500 && psame; i++) {
		size_t n = random_csv(in, 1 << 16);
		put_file(in, n);
		char *one = read_all(0, 0), h1[65], h2[65];
		int erred = strstr(one, "error") != NULL;
		if (!erred)
			whole_hash(h1);
		for (int c = 1; c < 20 && psame; c++, ptried++) {
			int split;
			char *two = read_split(c / 20.0, &split, h2);
			if (strcmp(one, two) != 0 || (!erred && !strstr(two,
			    "error") && strcmp(h1, h2) != 0)) {
				psame = 0;
				TAP_DIAG("input %d cut %d/20 differs:\n%.*s", i, c,
				    (int)n, in);
				TAP_DIAG("one:\n%s", one);
				TAP_DIAG("two:\n%s", two);
			}
			splits += split;
			misses += !split;
			free(two);
		}
		free(one);
	}
	TAP_OK(psame && splits > 1000 && misses > 100, "two parts = one "
	    "reading on %d cuts (%d read in two, %d not)", ptried, splits,
	    misses);
	free(in);

	/* A CSV writer round trip: written fields read back identical. */
	static const char *const fields[] = { "plain", "", "a,b", "q\"q",
	    "nl\nnl", "cr\rcr", " sp " };
	out *o = out_open(path);
	for (int k = 0; k < 7; k++) {
		if (k)
			out_putc(o, ',');
		csv_write_field(o, "h", 1);
		o->buf[o->len - 1] = (char)('a' + k);
	}
	out_putc(o, '\n');
	for (int k = 0; k < 7; k++) {
		if (k)
			out_putc(o, ',');
		csv_write_field(o, fields[k], strlen(fields[k]));
	}
	out_putc(o, '\n');
	char *p = o->path ? estrdup(o->path) : NULL;
	out_commit(o);
	free(p);
	got = read_all(0, 0);
	TAP_OK(strcmp(got, "<a><b><c><d><e><f><g>\n2:[5:plain][0:][3:a,b]"
	    "[3:q\"q][5:nl\nnl][5:cr\rcr][4: sp ]\n") == 0,
	    "writer quotes only where needed and reads back");
	free(got);

	/* The reader hashes every byte it reads (BOM and quotes included):
	 * sha256sum of the same bytes gives 01d5afc6...683d1f. */
	put_file("\xef\xbb\xbf" "a,b\r\n1,\"x\ny\"\n", 16);
	int hst;
	char herr[256], hex[65];
	csv_reader *hr = csv_open(path, CSV_SHA256, herr, sizeof herr, &hst);
	csv_record hrec;
	int early = hr && csv_sha256(hr, hex) == -1;
	while (hr && csv_next(hr, &hrec, herr, sizeof herr, &hst) > 0)
		;
	TAP_OK(hr && early && csv_sha256(hr, hex) == 0 && strcmp(hex,
	    "01d5afc6b157701edfdd0ac0c803c627061340b56ea260070724f0654a683d1f")
	    == 0, "CSV_SHA256: the input's SHA-256, once read to its end");
	csv_close(hr);

	unlink(path);
	return tap_done();
}
