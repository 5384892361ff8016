/* csvio.h: the one CSV reader (RFC 4180 on libcsv) and the CSV field writer. */
#ifndef MMM_CSVIO_H
#define MMM_CSVIO_H

#include <stddef.h>
#include <sys/types.h>

#include "out.h"

/* Default limit on one record's bytes: longer is an error, not unbounded memory. */
#define CSV_MAX_RECORD ((size_t)64 << 20)

typedef struct csv_reader csv_reader;

/* One record; valid until the next csv_next or csv_close. */
typedef struct csv_record {
	size_t n;		/* number of fields */
	const char **f;		/* field bytes, unquoted; not NUL-terminated */
	const size_t *len;	/* field lengths */
	long line;		/* input line where the record starts (1-based) */
	const char *raw;	/* the record's bytes when they need no quoting */
	size_t rawlen;		/* (raw != NULL): written back as they are */
} csv_record;

/*
 * Open path ("-" or NULL: standard input) and read its header.  On failure
 * return NULL, write "NAME: reason" or "NAME:LINE: reason" into err and set
 * *status to EXIT_NOINPUT (cannot open), EXIT_IOERR (read error) or
 * EXIT_DATAERR (no header,
 * duplicate column names, malformed CSV).  A UTF-8 BOM is skipped.
 */
csv_reader *csv_open(const char *path, int flags, char *err, size_t errsz,
    int *status);

/* csv_open with another name for messages ("<stdin>" for a spooled copy). */
csv_reader *csv_open_as(const char *path, const char *name, int flags,
    char *err, size_t errsz, int *status);

/* csv_open flags */
#define CSV_LIBCSV_ONLY 1	/* read every record through libcsv: the
				 * reference path for differential tests */
#define CSV_SHA256 2		/* hash every byte read, for csv_sha256 */

/* The SHA-256 of the input's bytes, in hex, once every byte was read
 * (csv_next returned 0) by a reader opened with CSV_SHA256; -1 before. */
int csv_sha256(csv_reader *r, char hex[65]);

/*
 * Next record: 1, or 0 at the end of input, or -1 with err/status set
 * (malformed CSV, wrong number of fields, record over the limit: 65; read
 * error: 74).
 * Blank lines are skipped.
 */
int csv_next(csv_reader *r, csv_record *rec, char *err, size_t errsz,
    int *status);

/*
 * Reading a regular file in parts.  csv_offset: the input offset where the
 * next record starts (between records).  csv_set_stop: csv_next returns 0
 * before a record that starts at offset stop or later (-1: read to the end;
 * reading goes on after lifting it).  csv_split_guess: 1 and *cut, the first
 * line start after frac of the bytes left, when r reads a regular file with
 * at least min_bytes left; 0 otherwise.  The cut is a guess: it is a record
 * start only if a reader stopped there ends exactly on it.
 * csv_count_lines: the newlines in the file's bytes [from, to) (to < 0: to
 * its end), read with pread: a bound on the records there; *ends_nl, whether
 * the last of those bytes is one.
 * csv_open_at: a second reader of r's file from offset cut, whose first
 * line is line, with r's header, names and limits and no hashing; it reads
 * with pread, so it may run in another thread beside r.
 * csv_finish_hash: read and hash the rest of the input without parsing it
 * (after a stop), so that csv_sha256 covers every byte; 0, or -1 with err.
 */
off_t csv_offset(const csv_reader *r);
void csv_set_stop(csv_reader *r, off_t stop);
int csv_split_guess(const csv_reader *r, double frac, off_t min_bytes,
    off_t *cut);
int csv_count_lines(const csv_reader *r, off_t from, off_t to, size_t *n,
    int *ends_nl, char *err, size_t errsz, int *status);
csv_reader *csv_open_at(const csv_reader *r, off_t cut, long line);
int csv_finish_hash(csv_reader *r, char *err, size_t errsz, int *status);
/* The line number of the next record start (between records). */
long csv_line(const csv_reader *r);

size_t csv_ncols(const csv_reader *r);
const char *csv_colname(const csv_reader *r, size_t i);
/* Column index of name, or -1. */
long csv_col(const csv_reader *r, const char *name);
/* "<stdin>" or the path, for messages. */
const char *csv_name(const csv_reader *r);
void csv_close(csv_reader *r);

/* Lower the record limit (tests). */
void csv_set_max_record(csv_reader *r, size_t max);

/* Is the field a missing value: empty, NA, NaN or null in any case? */
int csv_is_missing(const char *s, size_t n);

/* The header's names, csv_ncols(r) of them. */
const char *const *csv_colnames(const csv_reader *r);
/* Write the header's names, comma-separated, without a newline. */
void csv_write_names(out *o, const csv_reader *r);
/* Write one field, quoted only when it holds a comma, quote, CR or LF. */
void csv_write_field(out *o, const char *s, size_t n);
/* Write a record's fields (raw bytes when it has them), and then a newline. */
void csv_write_fields(out *o, const csv_record *rec);
void csv_write_record(out *o, const csv_record *rec);

#endif
