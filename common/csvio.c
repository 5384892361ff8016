/* csvio.c: streaming CSV reader.  Lines without a quote or a stray CR are split
 * at commas in place, which is exactly how RFC 4180 reads them; every other
 * line goes through libcsv in strict mode, fed one line at a time so that
 * record line numbers stay exact.  CSV_LIBCSV_ONLY sends every line through
 * libcsv: the differential tests prove both paths read the same records. */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "err.h"
#include "inbuf.h"
#include "sha256.h"

#define READ_CHUNK INBUF_CHUNK

struct csv_reader {
	inbuf in;		/* the input window in.buf[in.start, in.end) */
	int own_fd;		/* close in.fd with the reader */
	int libcsv_only;
	char *name;
	size_t max_record;

	off_t stop;		/* csv_next pauses at a record starting here
				 * or later; -1: never */
	long line;		/* line number of buf[start] */

	/* current record's fields */
	const char **f;
	size_t *len;
	size_t nf, fcap;

	/* libcsv path: fields copied out of the parser, records queued */
	struct csv_parser p;
	int p_ready;
	char *q;		/* field bytes */
	size_t qlen, qcap;
	size_t *qoff, *qflen;	/* per field: offset in q, length */
	size_t qnf, qfcap;	/* fields in the queue */
	size_t *rend;		/* per complete record: its end field index */
	long *rline;		/* per complete record: start line */
	size_t nrec, rcap, rnext; /* complete records, next to deliver */
	size_t cur_first;	/* first field of the open (incomplete) record */
	long next_line;		/* line where the next record starts */
	long feed_line;		/* line being fed */
	int row_open;		/* libcsv is inside a record */
	int q_overflow;

	size_t ncols;
	char **names;
};

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static int
too_long(csv_reader *r, long line, char *err, size_t errsz, int *status)
{
	*status = EXIT_DATAERR;
	seterr(err, errsz, "%s:%ld: record longer than %zu bytes", r->name,
	    line, r->max_record);
	return -1;
}

/* No byte is a space: fields are kept exactly as written. */
static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
on_field(void *s, size_t n, void *data)
{
	csv_reader *r = data;

	if (r->qlen + n > r->max_record) {
		r->q_overflow = 1;
		return;
	}
	/* >=: the buffer exists even for empty fields, so that every field
	 * pointer points into it. */
	if (r->qlen + n >= r->qcap) {
		while (r->qlen + n >= r->qcap)
			r->qcap = r->qcap ? 2 * r->qcap : 4096;
		r->q = erealloc(r->q, r->qcap);
	}
	if (r->qnf == r->qfcap) {
		r->qfcap = r->qfcap ? 2 * r->qfcap : 64;
		r->qoff = ereallocarray(r->qoff, r->qfcap, sizeof *r->qoff);
		r->qflen = ereallocarray(r->qflen, r->qfcap, sizeof *r->qflen);
	}
	if (n)
		memcpy(r->q + r->qlen, s, n);
	r->qoff[r->qnf] = r->qlen;
	r->qflen[r->qnf] = n;
	r->qnf++;
	r->qlen += n;
	r->row_open = 1;
}

static void
on_record(int c, void *data)
{
	csv_reader *r = data;

	if (r->qnf > r->cur_first) {
		if (r->nrec == r->rcap) {
			r->rcap = r->rcap ? 2 * r->rcap : 16;
			r->rend = ereallocarray(r->rend, r->rcap, sizeof *r->rend);
			r->rline = ereallocarray(r->rline, r->rcap, sizeof *r->rline);
		}
		r->rend[r->nrec] = r->qnf;
		r->rline[r->nrec] = r->next_line;
		r->nrec++;
		r->cur_first = r->qnf;
	}
	/* A terminating LF is always the last byte fed; after a CR the next
	 * record may start on the same line. */
	r->next_line = c == '\n' ? r->feed_line + 1 : r->feed_line;
	r->row_open = c != '\n' && c != -1;
}

static void
grow_fields(csv_reader *r, size_t n)
{
	if (n <= r->fcap)
		return;
	while (r->fcap < n)
		r->fcap = r->fcap ? 2 * r->fcap : 64;
	r->f = ereallocarray(r->f, r->fcap, sizeof *r->f);
	r->len = ereallocarray(r->len, r->fcap, sizeof *r->len);
}

/* Read more input; 1 if bytes arrived, 0 at end of input, -1 on error. */
static int
fill(csv_reader *r, char *err, size_t errsz, int *status)
{
	int got = inbuf_fill(&r->in, r->max_record + 2);

	if (got == -2)
		return too_long(r, r->line, err, errsz, status);
	if (got == -1) {
		*status = EXIT_IOERR;
		seterr(err, errsz, "%s: read error: %s", r->name,
		    strerror(errno));
	}
	return got;
}

/* Deliver the next queued libcsv record, if any. */
static int
pop_queued(csv_reader *r, csv_record *rec)
{
	if (r->rnext == r->nrec)
		return 0;
	size_t first = r->rnext ? r->rend[r->rnext - 1] : 0;
	size_t last = r->rend[r->rnext];
	grow_fields(r, last - first);
	r->nf = last - first;
	for (size_t i = 0; i < r->nf; i++) {
		r->f[i] = r->q + r->qoff[first + i];
		r->len[i] = r->qflen[first + i];
	}
	rec->line = r->rline[r->rnext];
	rec->raw = NULL;
	rec->rawlen = 0;
	r->rnext++;
	return 1;
}

/* Drop delivered records, keeping the open one's fields. */
static void
compact_queue(csv_reader *r)
{
	size_t first = r->cur_first, keep = r->qnf - first;
	size_t base = keep ? r->qoff[first] : r->qlen;

	if (r->qlen > base)
		memmove(r->q, r->q + base, r->qlen - base);
	for (size_t i = 0; i < keep; i++) {
		r->qoff[i] = r->qoff[first + i] - base;
		r->qflen[i] = r->qflen[first + i];
	}
	r->qlen -= base;
	r->qnf = keep;
	r->cur_first = 0;
	r->nrec = r->rnext = 0;
}

static int
libcsv_failed(csv_reader *r, char *err, size_t errsz, int *status)
{
	if (r->q_overflow || csv_error(&r->p) == CSV_ENOMEM ||
	    csv_get_buffer_size(&r->p) > r->max_record)
		return too_long(r, r->feed_line, err, errsz, status);
	*status = EXIT_DATAERR;
	seterr(err, errsz, "%s:%ld: malformed CSV: a quote inside an "
	    "unquoted field or text after a closing quote", r->name,
	    r->feed_line);
	return -1;
}

/* Feed lines to libcsv until a record completes or input ends. */
static int
feed_libcsv(csv_reader *r, char *err, size_t errsz, int *status)
{
	if (!r->p_ready) {
		if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI |
		    CSV_REPALL_NL) != 0)
			die("cannot initialise libcsv");
		csv_set_space_func(&r->p, no_space);
		r->p_ready = 1;
	}
	compact_queue(r);
	if (!r->row_open)
		r->next_line = r->line;
	for (;;) {
		char *nl = memchr(r->in.buf + r->in.start, '\n', r->in.end - r->in.start);
		if (!nl) {
			int got = fill(r, err, errsz, status);
			if (got < 0)
				return -1;
			if (got > 0)
				continue;
			/* End of input: the rest without a newline, then fini. */
			r->feed_line = r->line;
			size_t n = r->in.end - r->in.start;
			if (csv_parse(&r->p, r->in.buf + r->in.start, n, on_field,
			    on_record, r) != n || r->q_overflow)
				return libcsv_failed(r, err, errsz, status);
			r->in.start = r->in.end;
			if (csv_fini(&r->p, on_field, on_record, r) != 0) {
				*status = EXIT_DATAERR;
				seterr(err, errsz, "%s:%ld: unterminated quoted "
				    "field at end of input", r->name,
				    r->next_line);
				return -1;
			}
			r->row_open = 0;
			return 0;
		}
		size_t n = (size_t)(nl - (r->in.buf + r->in.start)) + 1;
		r->feed_line = r->line;
		if (csv_parse(&r->p, r->in.buf + r->in.start, n, on_field, on_record,
		    r) != n || r->q_overflow ||
		    csv_get_buffer_size(&r->p) > r->max_record)
			return libcsv_failed(r, err, errsz, status);
		r->in.start += n;
		r->line++;
		if (r->nrec > 0)
			return 0;
	}
}

/* Split buf[s, e) at commas into the current record. */
static void
split_plain(csv_reader *r, char *s, char *e)
{
	size_t n = 0;

	for (;;) {
		char *c = memchr(s, ',', (size_t)(e - s));
		if (n == r->fcap)
			grow_fields(r, n + 1);
		r->f[n] = s;
		if (!c) {
			r->len[n++] = (size_t)(e - s);
			break;
		}
		r->len[n++] = (size_t)(c - s);
		s = c + 1;
	}
	r->nf = n;
}

#ifdef __SSE2__
#include <emmintrin.h>

/*
 * One pass over a line in the buffer, 16 bytes at a time: its newline and
 * its commas (into the current record), and whether a quote or a CR (but
 * one just before the newline) sends it to libcsv.  1 with the fields and
 * *nlp set; 0 when the general path must decide (a quote or CR, no newline
 * before the last 16 bytes of the buffer): it starts over.
 */
static int
split_fast(csv_reader *r, char *s, char *be, char **nlp)
{
	const __m128i comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n');
	const __m128i dq = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
	char *field = s;
	size_t n = 0;

	for (char *p = s; be - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
		unsigned mc = (unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(v, comma));
		unsigned mq = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, cr)));
		unsigned first = mn & -mn;	/* the newline's bit, or 0 */
		unsigned before = mn ? first - 1 : 0xffffu;
		/* A CR just before the newline ends the line (CRLF). */
		if ((mq & before) && (!first || (mq & before) != first >> 1 ||
		    p[__builtin_ctz(first) - 1] != '\r'))
			return 0;
		for (mc &= before; mc; mc &= mc - 1) {
			char *c = p + __builtin_ctz(mc);
			if (n == r->fcap)
				grow_fields(r, n + 1);
			r->f[n] = field;
			r->len[n++] = (size_t)(c - field);
			field = c + 1;
		}
		if (first) {
			char *nl = p + __builtin_ctz(first);
			char *e = nl > s && nl[-1] == '\r' ? nl - 1 : nl;
			if (n == r->fcap)
				grow_fields(r, n + 1);
			r->f[n] = field;
			r->len[n++] = (size_t)(e > field ? e - field : 0);
			r->nf = n;
			*nlp = nl;
			return 1;
		}
	}
	return 0;
}
#endif

static int
next_raw(csv_reader *r, csv_record *rec, char *err, size_t errsz, int *status)
{
	for (;;) {
		if (pop_queued(r, rec))
			return 1;
		/* Between records: the only place a record starts. */
		if (r->stop >= 0 && !r->row_open &&
		    r->in.buf_off + (off_t)r->in.start >= r->stop)
			return 0;
		if (r->row_open || r->libcsv_only) {
			if (feed_libcsv(r, err, errsz, status) < 0)
				return -1;
			if (pop_queued(r, rec))
				return 1;
			if (r->in.eof && r->in.start == r->in.end && !r->row_open)
				return 0;
			continue;
		}
		char *s = r->in.buf + r->in.start;
		char *nl;
#ifdef __SSE2__
		if (split_fast(r, s, r->in.buf + r->in.end, &nl)) {
			char *e = nl > s && nl[-1] == '\r' ? nl - 1 : nl;
			if ((size_t)(e - s) > r->max_record)
				return too_long(r, r->line, err, errsz, status);
			rec->line = r->line;
			r->in.start = (size_t)(nl - r->in.buf) + 1;
			r->line++;
			if (e == s)
				continue;	/* blank line */
			rec->raw = s;
			rec->rawlen = (size_t)(e - s);
			return 1;
		}
#endif
		nl = memchr(s, '\n', r->in.end - r->in.start);
		if (!nl) {
			int got = fill(r, err, errsz, status);
			if (got < 0)
				return -1;
			if (got > 0)
				continue;
			if (r->in.start == r->in.end)
				return 0;
			s = r->in.buf + r->in.start;
			nl = r->in.buf + r->in.end;	/* last line, no newline */
		}
		char *e = nl;
		if (e > s && e[-1] == '\r')
			e--;
		if (memchr(s, '"', (size_t)(e - s)) ||
		    memchr(s, '\r', (size_t)(e - s))) {
			r->row_open = 0;
			if (feed_libcsv(r, err, errsz, status) < 0)
				return -1;
			continue;
		}
		if ((size_t)(e - s) > r->max_record)
			return too_long(r, r->line, err, errsz, status);
		rec->line = r->line;
		r->in.start = (size_t)(nl - r->in.buf) + (nl < r->in.buf + r->in.end);
		r->line++;
		if (e == s)
			continue;	/* blank line */
		split_plain(r, s, e);
		rec->raw = s;
		rec->rawlen = (size_t)(e - s);
		return 1;
	}
}

int
csv_next(csv_reader *r, csv_record *rec, char *err, size_t errsz, int *status)
{
	int got = next_raw(r, rec, err, errsz, status);

	if (got <= 0)
		return got;
	rec->n = r->nf;
	rec->f = r->f;
	rec->len = r->len;
	if (r->ncols && r->nf != r->ncols) {
		*status = EXIT_DATAERR;
		seterr(err, errsz, "%s:%ld: expected %zu fields as in the header, "
		    "found %zu", r->name, rec->line, r->ncols, r->nf);
		return -1;
	}
	return 1;
}

csv_reader *
csv_open(const char *path, int flags, char *err, size_t errsz, int *status)
{
	return csv_open_as(path, NULL, flags, err, errsz, status);
}

csv_reader *
csv_open_as(const char *path, const char *name, int flags, char *err,
    size_t errsz, int *status)
{
	csv_reader *r = ecalloc(1, sizeof *r);
	csv_record rec;

	r->line = 1;
	r->stop = -1;
	r->max_record = CSV_MAX_RECORD;
	r->libcsv_only = (flags & CSV_LIBCSV_ONLY) != 0;
	if ((r->in.hashing = (flags & CSV_SHA256) != 0))
		sha256_init(&r->in.sh);
	if (!path || strcmp(path, "-") == 0) {
		r->in.fd = 0;
		r->name = estrdup("<stdin>");
	} else {
		r->name = estrdup(name ? name : path);
		struct stat st;
		r->own_fd = 1;
		if ((r->in.fd = open(path, O_RDONLY)) < 0 || fstat(r->in.fd, &st) < 0 ||
		    S_ISDIR(st.st_mode)) {
			*status = EXIT_NOINPUT;
			seterr(err, errsz, "%s: cannot open: %s", path,
			    r->in.fd >= 0 && S_ISDIR(st.st_mode) ? "is a directory" :
			    strerror(errno));
			csv_close(r);
			return NULL;
		}
	}
	/* Offsets count from the file's start even when standard input
	 * is a regular file opened part-way (pipes: 0, they never split). */
	off_t at = lseek(r->in.fd, 0, SEEK_CUR);
	r->in.buf_off = r->in.read_pos = at > 0 ? at : 0;
	/* Skip a UTF-8 byte order mark. */
	while (r->in.end < 3 && !r->in.eof)
		if (fill(r, err, errsz, status) < 0) {
			csv_close(r);
			return NULL;
		}
	if (r->in.end >= 3 && memcmp(r->in.buf, "\xEF\xBB\xBF", 3) == 0)
		r->in.start = 3;

	int got = next_raw(r, &rec, err, errsz, status);
	if (got <= 0) {
		if (got == 0) {
			*status = EXIT_DATAERR;
			seterr(err, errsz, "%s: empty input: no header line",
			    r->name);
		}
		csv_close(r);
		return NULL;
	}
	r->ncols = r->nf;
	r->names = ecalloc(r->ncols, sizeof *r->names);
	for (size_t i = 0; i < r->ncols; i++) {
		r->names[i] = estrndup(r->f[i], r->len[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->names[i], r->names[j]) == 0) {
				*status = EXIT_DATAERR;
				seterr(err, errsz, "%s:%ld: duplicate column "
				    "name \"%s\" in the header", r->name,
				    rec.line, r->names[i]);
				csv_close(r);
				return NULL;
			}
	}
	return r;
}

off_t
csv_offset(const csv_reader *r)
{
	return r->in.buf_off + (off_t)r->in.start;
}

void
csv_set_stop(csv_reader *r, off_t stop)
{
	r->stop = stop;
}

int
csv_split_guess(const csv_reader *r, double frac, off_t min_bytes,
    off_t *cut)
{
	struct stat st;
	off_t from = csv_offset(r), at;
	char b[65536];

	if (r->in.positioned || r->row_open || r->rnext != r->nrec ||
	    fstat(r->in.fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < min_bytes || st.st_size <= from ||
	    !(frac > 0 && frac < 1))
		return 0;
	/* The first line start at or after the nominal offset; the byte
	 * before it may be the newline itself. */
	at = from + (off_t)ceil(frac * (double)(st.st_size - from));
	if (at <= from)
		at = from + 1;
	for (at--;;) {
		ssize_t n = pread(r->in.fd, b, sizeof b, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		char *nl = memchr(b, '\n', (size_t)n);
		if (nl) {
			*cut = at + (nl - b) + 1;
			return *cut < st.st_size;
		}
		at += n;
	}
}

int
csv_count_lines(const csv_reader *r, off_t from, off_t to, size_t *n,
    int *ends_nl, char *err, size_t errsz, int *status)
{
	char *b = emalloc(READ_CHUNK);

	*n = 0;
	*ends_nl = 0;
	/* to < 0: to the end of the file. */
	while (to < 0 || from < to) {
		size_t want = to < 0 || to - from > (off_t)READ_CHUNK ? READ_CHUNK :
		    (size_t)(to - from);
		ssize_t got = pread(r->in.fd, b, want, from);
		if (got < 0 && errno == EINTR)
			continue;
		if (got == 0 && to < 0)
			break;
		if (got <= 0) {
			*status = EXIT_IOERR;
			seterr(err, errsz, "%s: read error: %s", r->name,
			    got < 0 ? strerror(errno) : "the file shrank");
			free(b);
			return -1;
		}
		for (char *p = b, *e = b + got;
		    (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
			++*n;
		*ends_nl = b[got - 1] == '\n';
		from += got;
	}
	free(b);
	return 0;
}

csv_reader *
csv_open_at(const csv_reader *r, off_t cut, long line)
{
	csv_reader *s;

	s = ecalloc(1, sizeof *s);
	s->in.fd = r->in.fd;
	s->in.positioned = 1;
	s->in.read_pos = s->in.buf_off = cut;
	s->in.cap = READ_CHUNK;
	s->in.buf = emalloc(s->in.cap + 1);
	s->stop = -1;
	s->line = line;
	s->max_record = r->max_record;
	s->libcsv_only = r->libcsv_only;
	s->name = estrdup(r->name);
	s->ncols = r->ncols;
	s->names = ecalloc(r->ncols, sizeof *s->names);
	for (size_t i = 0; i < r->ncols; i++)
		s->names[i] = estrdup(r->names[i]);
	return s;
}

int
csv_finish_hash(csv_reader *r, char *err, size_t errsz, int *status)
{
	int got;

	if (!r->in.hashing)
		return 0;
	/* fill hashes what it reads; nothing is parsed. */
	r->row_open = 0;
	r->nrec = r->rnext = 0;
	do
		r->in.start = r->in.end;
	while ((got = fill(r, err, errsz, status)) > 0);
	r->in.start = r->in.end;
	return got;
}

int
csv_sha256(csv_reader *r, char hex[65])
{
	if (!r->in.hashing || !r->in.eof || r->in.start != r->in.end)
		return -1;
	sha256_hex(&r->in.sh, hex);
	return 0;
}

void
csv_set_max_record(csv_reader *r, size_t max)
{
	r->max_record = max;
}

size_t
csv_ncols(const csv_reader *r)
{
	return r->ncols;
}

int
csv_is_missing(const char *s, size_t n)
{
	/* Every spelling but "" starts with n or N: numbers leave at the
	 * first byte. */
	if (n && (s[0] | 0x20) != 'n')
		return 0;
	return n == 0 || (n == 2 && strncasecmp(s, "na", 2) == 0) ||
	    (n == 3 && strncasecmp(s, "nan", 3) == 0) ||
	    (n == 4 && strncasecmp(s, "null", 4) == 0);
}

const char *const *
csv_colnames(const csv_reader *r)
{
	return (const char *const *)r->names;
}

void
csv_write_names(out *o, const csv_reader *r)
{
	for (size_t i = 0; i < r->ncols; i++) {
		if (i)
			out_putc(o, ',');
		csv_write_field(o, r->names[i], strlen(r->names[i]));
	}
}

const char *
csv_colname(const csv_reader *r, size_t i)
{
	return r->names[i];
}

long
csv_col(const csv_reader *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (strcmp(r->names[i], name) == 0)
			return (long)i;
	return -1;
}

const char *
csv_name(const csv_reader *r)
{
	return r->name;
}

void
csv_close(csv_reader *r)
{
	if (!r)
		return;
	if (r->own_fd && r->in.fd >= 0)
		close(r->in.fd);
	if (r->p_ready)
		csv_free(&r->p);
	for (size_t i = 0; i < r->ncols; i++)
		free(r->names[i]);
	free(r->names);
	free(r->name);
	free(r->in.buf);
	free(r->f);
	free(r->len);
	free(r->q);
	free(r->qoff);
	free(r->qflen);
	free(r->rend);
	free(r->rline);
	free(r);
}

/* Bytes that force quoting. */
static const unsigned char needs_quote[256] = {
	['"'] = 1, [','] = 1, ['\r'] = 1, ['\n'] = 1,
};

void
csv_write_field(out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (needs_quote[(unsigned char)s[i]])
			break;
	if (i == n) {
		out_write(o, s, n);
		return;
	}
	out_putc(o, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			out_putc(o, '"');
		out_putc(o, s[i]);
	}
	out_putc(o, '"');
}

void
csv_write_record(out *o, const csv_record *rec)
{
	csv_write_fields(o, rec);
	out_putc(o, '\n');
}

void
csv_write_fields(out *o, const csv_record *rec)
{
	if (rec->raw) {
		out_write(o, rec->raw, rec->rawlen);
	} else if (rec->n == 1 && rec->len[0] == 0) {
		/* An empty line would be read back as no record at all. */
		out_write(o, "\"\"", 2);
	} else {
		for (size_t i = 0; i < rec->n; i++) {
			if (i)
				out_putc(o, ',');
			csv_write_field(o, rec->f[i], rec->len[i]);
		}
	}
}

long
csv_line(const csv_reader *r)
{
	return r->line;
}
