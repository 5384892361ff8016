/* csvfuzz: a seeded generator of adversarial training CSVs, and a scanner of
 * a CSV file's record boundaries, for the differential tests of mmm-train's
 * split reading (tests/mmm-train-split.bats).
 *
 *   csvfuzz SEED          one CSV on stdout: date, y, x1..xK (3 <= K <= 8),
 *                         maybe w (positive) and note (text), with random
 *                         quoting, line ends, BOM, blank lines, missing
 *                         values and, now and then, an error
 *   csvfuzz -d SEED       the choices made for SEED, one line, on stdout
 *   csvfuzz -b FILE       every line start of FILE: "B OFFSET LINE" where a
 *                         record may start (outside quotes), "I OFFSET LINE"
 *                         inside a quoted field; LINE counts LF bytes as the
 *                         reader does (1-based), OFFSET counts from byte 0;
 *                         "X OFFSET" at a malformed quote, and then stops
 *
 * The output depends on SEED only (an own PRNG, no locale, no clock). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* splitmix64: small, fast, and the same sequence everywhere. */
typedef struct rng {
	uint64_t s;
} rng;

static uint64_t
rnext(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1), 53 bits. */
static double
unif(rng *r)
{
	return (double)(rnext(r) >> 11) * 0x1.0p-53;
}

static int
chance(rng *r, double p)
{
	return unif(r) < p;
}

/* Uniform in [0, n), n > 0. */
static size_t
upto(rng *r, size_t n)
{
	return (size_t)(rnext(r) % n);
}

/* A growing byte buffer: the file is built in memory, then written once. */
typedef struct buf {
	char *s;
	size_t n, cap;
} buf;

static void
put(buf *b, const char *s, size_t n)
{
	if (b->n + n > b->cap) {
		while (b->n + n > b->cap)
			b->cap = b->cap ? 2 * b->cap : 4096;
		b->s = erealloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
}

static void
puts_(buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
putf(buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		die("number format overflow");
	put(b, tmp, (size_t)n);
}

/* Kinds of error a file may hold (at one row each). */
enum {
	E_QUOTE_MID,	/* a quote inside an unquoted field, or after one */
	E_QUOTE_OPEN,	/* a quoted field never closed: swallows the rest */
	E_FIELDS,	/* a record with one field too many or too few */
	E_NONNUM,	/* a non-number in a numeric column */
	E_INF,		/* a non-finite number */
	E_DATE,		/* a bad date */
	E_TOTEXT,	/* a numeric column turns to text for good */
	E_WEIGHT,	/* a weight <= 0 (an error only with --weights) */
	E_NKINDS
};

static const char *const ekind[E_NKINDS] = { "quote-mid", "quote-open",
	"fields", "nonnum", "inf", "date", "totext", "weight" };

#define MAXCOLS 12
#define MAXERR 2

/* Column roles. */
enum { C_DATE, C_Y, C_X, C_W, C_NOTE };

typedef struct cfg {
	size_t k;		/* features x1..xk */
	int has_date, date_fmt, has_w, has_note;
	int ncol, role[MAXCOLS], xi[MAXCOLS];
	int quote_names, bom;
	int eol;		/* 0 LF, 1 CRLF, 2 CR, 3 mixed */
	double pblank, pmiss, pquote, pnote_q;
	int xint[8];		/* x column of small integers */
	size_t rows;
	int no_last_eol, trailing_blank;
	size_t note_from;	/* note missing before this row */
	int late_x;		/* x column missing before late_row, or -1 */
	size_t late_row;
	int nerr, ekind[MAXERR];
	size_t erow[MAXERR];
	int ecol[MAXERR];	/* the column the error hits */
} cfg;

static void
choose(cfg *c, rng *r)
{
	memset(c, 0, sizeof *c);
	c->k = 3 + upto(r, 6);
	c->has_date = chance(r, 0.9);
	c->date_fmt = (int)upto(r, 4);	/* mostly plain dates */
	c->has_w = chance(r, 0.5);
	c->has_note = chance(r, 0.6);
	if (c->has_date)
		c->role[c->ncol++] = C_DATE;
	c->role[c->ncol++] = C_Y;
	for (size_t j = 0; j < c->k; j++) {
		c->xi[c->ncol] = (int)j;
		c->role[c->ncol++] = C_X;
		c->xint[j] = chance(r, 0.25);
	}
	if (c->has_w)
		c->role[c->ncol++] = C_W;
	if (c->has_note)
		c->role[c->ncol++] = C_NOTE;
	if (chance(r, 0.3)) {	/* columns in any order */
		for (int i = c->ncol - 1; i > 0; i--) {
			int j = (int)upto(r, (size_t)i + 1);
			int t = c->role[i], u = c->xi[i];
			c->role[i] = c->role[j];
			c->xi[i] = c->xi[j];
			c->role[j] = t;
			c->xi[j] = u;
		}
	}
	c->quote_names = chance(r, 0.15);
	c->bom = chance(r, 0.15);
	double e = unif(r);
	c->eol = e < 0.45 ? 0 : e < 0.7 ? 1 : e < 0.8 ? 2 : 3;
	c->pblank = chance(r, 0.5) ? 0 : 0.02 + 0.13 * unif(r);
	c->pmiss = chance(r, 0.4) ? 0 : 0.005 + 0.06 * unif(r);
	c->pquote = chance(r, 0.5) ? 0 : 0.1 * unif(r);
	c->pnote_q = unif(r);
	double n = unif(r);
	/* now and then more rows than a batch of the reading pipeline */
	c->rows = n < 0.05 ? 1 : n < 0.1 ? 2 + upto(r, 4) :
	    n < 0.6 ? 10 + upto(r, 50) : n < 0.97 ? 60 + upto(r, 240) :
	    4000 + upto(r, 6000);
	c->no_last_eol = chance(r, 0.3);
	c->trailing_blank = chance(r, 0.1);
	c->note_from = chance(r, 0.3) ? (size_t)(c->rows * (0.3 + 0.65 *
	    unif(r))) : 0;
	c->late_x = chance(r, 0.1) ? (int)upto(r, c->k) : -1;
	c->late_row = (size_t)(c->rows * (0.3 + 0.65 * unif(r)));
	if (chance(r, 0.3)) {
		c->nerr = 1 + chance(r, 0.3);
		for (int i = 0; i < c->nerr; i++) {
			c->ekind[i] = (int)upto(r, E_NKINDS);
			/* mostly in the second half: where part 2 reads */
			double u = unif(r);
			c->erow[i] = (size_t)(c->rows * (chance(r, 0.7) ?
			    0.5 + 0.5 * u : u));
			c->ecol[i] = (int)upto(r, (size_t)c->ncol);
		}
	}
}

static void
describe(const cfg *c, uint64_t seed)
{
	static const char *const eols[] = { "lf", "crlf", "cr", "mixed" };

	printf("seed %" PRIu64 ": rows %zu, features %zu, date %d/%d, w %d, "
	    "note %d (from row %zu), bom %d, eol %s, blank %.3f, missing %.3f, "
	    "quoted %.3f, last eol %d, late x %d (row %zu), errors", seed,
	    c->rows, c->k, c->has_date, c->date_fmt, c->has_w, c->has_note,
	    c->note_from, c->bom, eols[c->eol], c->pblank, c->pmiss,
	    c->pquote, !c->no_last_eol, c->late_x, c->late_row);
	for (int i = 0; i < c->nerr; i++)
		printf(" %s@%zu:col%d", ekind[c->ekind[i]], c->erow[i] + 1,
		    c->ecol[i]);
	printf(c->nerr ? "\n" : " none\n");
}

static void
put_eol(buf *b, const cfg *c, rng *r)
{
	static const char *const e[] = { "\n", "\r\n", "\r" };

	puts_(b, e[c->eol < 3 ? c->eol : (int)upto(r, 3)]);
}

static void
put_missing(buf *b, rng *r)
{
	static const char *const m[] = { "", "NA", "na", "NaN", "nan", "null",
		"NULL", "\"\"", "\"NA\"", "Null" };

	puts_(b, m[upto(r, sizeof m / sizeof *m)]);
}

/* A number in one of the forms the reader takes: %g of some precision,
 * fixed, exponent; quoted now and then. */
static void
put_num(buf *b, const cfg *c, rng *r, double x, int integer)
{
	int q = chance(r, c->pquote);

	if (q)
		puts_(b, "\"");
	if (integer)
		putf(b, "%d", (int)x);
	else
		switch (upto(r, 5)) {
		case 0:
			putf(b, "%.17g", x);
			break;
		case 1:
			putf(b, "%.*g", 1 + (int)upto(r, 9), x);
			break;
		case 2:
			putf(b, "%.3f", x);
			break;
		case 3:
			putf(b, "%e", x);
			break;
		default:
			putf(b, "%.6g", x);
			break;
		}
	if (q)
		puts_(b, "\"");
}

static void
put_date(buf *b, const cfg *c, rng *r, size_t i)
{
	/* Day i after 2023-01-01, by whole months of 28 days: always valid. */
	int y = 2023 + (int)(i / 336), m = 1 + (int)(i / 28 % 12),
	    d = 1 + (int)(i % 28);
	int q = chance(r, c->pquote);

	if (q)
		puts_(b, "\"");
	putf(b, "%04d-%02d-%02d", y, m, d);
	if (c->date_fmt == 1)
		putf(b, "T%02d:%02d", (int)(i % 24), (int)(i * 7 % 60));
	else if (c->date_fmt == 2)
		putf(b, " %02d:%02d:%02d", (int)(i % 24), (int)(i % 60),
		    (int)(i * 13 % 60));
	if (q)
		puts_(b, "\"");
}

/* Text: plain words, or quoted with commas, doubled quotes, LF, CRLF or CR
 * inside, or lines inside the quotes that look like records. */
static void
put_note(buf *b, const cfg *c, rng *r, size_t i)
{
	static const char *const w[] = { "tv", "radio promo", "spring sale",
		"caf\xc3\xa9 na\xc3\xafve", "x", "brand-lift", "q4", "promo" };

	if (!chance(r, c->pnote_q)) {
		puts_(b, w[upto(r, sizeof w / sizeof *w)]);
		return;
	}
	puts_(b, "\"");
	puts_(b, w[upto(r, sizeof w / sizeof *w)]);
	int parts = 1 + (int)upto(r, 3);
	for (int p = 0; p < parts; p++) {
		switch (upto(r, 8)) {
		case 0:
			puts_(b, ", and more");
			break;
		case 1:
			puts_(b, " said \"\"hi\"\"");
			break;
		case 2:
			puts_(b, "\n");
			break;
		case 3:
			puts_(b, "\r\n");
			break;
		case 4:
			puts_(b, "\r");
			break;
		case 5:	/* a line that reads as a record when cut here */
			putf(b, "\n2024-01-%02d", 1 + (int)(i % 28));
			for (int k = 1; k < c->ncol; k++)
				putf(b, ",%d", k);
			puts_(b, "\n");
			break;
		case 6:
			puts_(b, "\n\n");
			break;
		default:
			puts_(b, ",\n\"\",");
			break;
		}
		puts_(b, w[upto(r, sizeof w / sizeof *w)]);
	}
	puts_(b, "\"");
}

/* The bad field of error kind e in a column of role role. */
static void
put_bad(buf *b, rng *r, int e, int role)
{
	static const char *const nonnum[] = { "abc", "1,5", "1 ", " 2",
		"--1", "1e", "0x", "12abc", "\"\"\"\"" };
	static const char *const inf[] = { "inf", "-inf", "Infinity", "1e999",
		"-1e400", "INF" };
	static const char *const date[] = { "2024-02-30", "2024-1-5",
		"05/01/2024", "2024-01-01T25:00", "20240101", "2024-13-01" };

	switch (e) {
	case E_QUOTE_MID:
		puts_(b, chance(r, 0.5) ? "1\"2" : "\"1\"2");
		break;
	case E_QUOTE_OPEN:
		puts_(b, "\"3");
		break;
	case E_INF:
		puts_(b, inf[upto(r, sizeof inf / sizeof *inf)]);
		break;
	case E_DATE:
		if (role == C_DATE) {
			puts_(b, date[upto(r, sizeof date / sizeof *date)]);
			break;
		}
		/* FALLTHROUGH */
	default:
		puts_(b, nonnum[upto(r, sizeof nonnum / sizeof *nonnum)]);
		break;
	}
}

static void
generate(buf *b, const cfg *c, rng *r)
{
	double beta[8];
	int totext[MAXCOLS] = { 0 };

	for (size_t j = 0; j < c->k; j++)
		beta[j] = 4 * unif(r) - 2;
	if (c->bom)
		puts_(b, "\xef\xbb\xbf");
	for (int col = 0; col < c->ncol; col++) {
		static const char *const name[] = { "date", "y", "x", "w", "note" };
		if (col)
			puts_(b, ",");
		if (c->quote_names)
			puts_(b, "\"");
		puts_(b, name[c->role[col]]);
		if (c->role[col] == C_X)
			putf(b, "%d", c->xi[col] + 1);
		if (c->quote_names)
			puts_(b, "\"");
	}
	put_eol(b, c, r);
	for (size_t i = 0; i < c->rows; i++) {
		double x[8], y = 1;
		for (size_t j = 0; j < c->k; j++) {
			x[j] = c->xint[j] ? (double)upto(r, 5) :
			    100 * unif(r) - 20;
			y += beta[j] * x[j];
		}
		y += unif(r) - 0.5;
		while (chance(r, c->pblank))
			put_eol(b, c, r);
		int skip = -1, extra = 0;
		for (int e = 0; e < c->nerr; e++)
			if (c->erow[e] == i && c->ekind[e] == E_FIELDS) {
				if (chance(r, 0.5))
					extra = 1;
				else
					skip = c->ecol[e];
			}
		for (int col = 0, first = 1; col < c->ncol; col++) {
			int role = c->role[col], bad = -1;
			if (col == skip)
				continue;
			if (!first)
				puts_(b, ",");
			first = 0;
			for (int e = 0; e < c->nerr; e++)
				if (c->erow[e] == i && c->ecol[e] == col &&
				    c->ekind[e] != E_FIELDS)
					bad = c->ekind[e];
			if (bad == E_TOTEXT)
				totext[col] = 1;
			if (bad == E_WEIGHT && role == C_W) {
				puts_(b, chance(r, 0.5) ? "0" : "-1.5");
				continue;
			}
			if (bad >= 0 && bad != E_WEIGHT && bad != E_TOTEXT) {
				put_bad(b, r, bad, role);
				continue;
			}
			if (totext[col]) {
				puts_(b, chance(r, 0.5) ? "n/a" : "unknown");
				continue;
			}
			if (role != C_DATE && chance(r, c->pmiss)) {
				put_missing(b, r);
				continue;
			}
			switch (role) {
			case C_DATE:
				put_date(b, c, r, i);
				break;
			case C_Y:
				put_num(b, c, r, y, 0);
				break;
			case C_X:
				if (c->late_x == c->xi[col] && i < c->late_row)
					put_missing(b, r);
				else
					put_num(b, c, r, x[c->xi[col]],
					    c->xint[c->xi[col]]);
				break;
			case C_W:
				put_num(b, c, r, 0.1 + 3 * unif(r), 0);
				break;
			default:
				if (i < c->note_from)
					put_missing(b, r);
				else
					put_note(b, c, r, i);
				break;
			}
		}
		if (extra)
			puts_(b, ",7");
		if (i + 1 < c->rows || !c->no_last_eol)
			put_eol(b, c, r);
	}
	if (c->trailing_blank && !c->no_last_eol)
		put_eol(b, c, r);
}

/* Every line start of the file: outside quotes a record may start there
 * (a blank line is skipped, so it is a boundary too); inside quotes not.
 * A CR not followed by LF ends a record as well; the reader counts lines
 * by LF.  Quotes are read as RFC 4180 in libcsv's strict mode: at the
 * first quote that mode refuses, "X OFFSET" and nothing after it (the
 * reader's records are unknown from there). */
enum { S_FIELD, S_PLAIN, S_QUOTED, S_QUOTE2 };

static int
bounds(const char *path)
{
	FILE *f = fopen(path, "rb");
	buf b = { NULL, 0, 0 };
	char chunk[65536];
	size_t n, off = 0;
	int prev = -1, st = S_FIELD;
	long line = 1;

	if (!f)
		dien(EXIT_NOINPUT, "%s:", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		put(&b, chunk, n);
	if (ferror(f))
		dien(EXIT_IOERR, "%s: read error:", path);
	fclose(f);
	/* The reader skips a UTF-8 BOM before it parses. */
	if (b.n >= 3 && memcmp(b.s, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	for (; off < b.n; off++) {
		int ch = (unsigned char)b.s[off];
		if (prev == '\r' && ch != '\n')
			printf("%c %zu %ld\n", st == S_QUOTED ? 'I' : 'B', off,
			    line);
		prev = ch;
		if (ch == '\n')
			line++;
		if (st == S_QUOTED) {
			st = ch == '"' ? S_QUOTE2 : S_QUOTED;
		} else if (ch == '"') {
			if (st == S_PLAIN) {
				printf("X %zu\n", off);
				break;
			}
			st = S_QUOTED;	/* opening, or a doubled quote */
		} else if (ch == ',' || ch == '\n' || ch == '\r') {
			st = S_FIELD;
		} else if (st == S_QUOTE2) {
			printf("X %zu\n", off);
			break;
		} else {
			st = S_PLAIN;
		}
		if (ch == '\n')
			printf("%c %zu %ld\n", st == S_QUOTED ? 'I' : 'B',
			    off + 1, line);
	}
	free(b.s);
	if (fflush(stdout) == EOF || ferror(stdout))
		dien(EXIT_IOERR, "<stdout>: write error:");
	return 0;
}

static uint64_t
seed_arg(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (!*s || *end)
		dien(EXIT_USAGE, "bad seed \"%s\"", s);
	return (uint64_t)v;
}

int
main(int argc, char **argv)
{
	cfg c;
	buf b = { NULL, 0, 0 };

	argv0 = "csvfuzz";
	if (argc == 3 && strcmp(argv[1], "-b") == 0)
		return bounds(argv[2]);
	if (argc == 3 && strcmp(argv[1], "-d") == 0) {
		uint64_t seed = seed_arg(argv[2]);
		rng r = { seed };
		choose(&c, &r);
		describe(&c, seed);
		return fflush(stdout) == EOF || ferror(stdout) ? EXIT_IOERR : 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: csvfuzz SEED | -d SEED | -b FILE\n");
		return EXIT_USAGE;
	}
	rng r = { seed_arg(argv[1]) };
	choose(&c, &r);
	generate(&b, &c, &r);
	if (fwrite(b.s, 1, b.n, stdout) != b.n || fflush(stdout) == EOF)
		dien(EXIT_IOERR, "<stdout>: write error:");
	free(b.s);
	return 0;
}
