/* out.h: buffered output to standard output or to a file written atomically
 * (a temporary name in the same folder, renamed on commit). */
#ifndef MMM_OUT_H
#define MMM_OUT_H

#include <stddef.h>

typedef struct out {
	char *buf;
	size_t len, cap;
	int fd;
	char *name;		/* for messages */
	char *path, *tmp;	/* atomic file: final and temporary names */
	size_t written;		/* bytes flushed so far */
} out;

/*
 * Standard output, or (path not NULL and not "-") a new temporary file beside
 * path that becomes path on out_commit; a path that exists and is not a
 * regular file (a symbolic link such as /dev/stdout, a device, a FIFO) is
 * written in place, so the link or node stays.  A file that cannot be created exits
 * with EXIT_CANTCREAT.  Temporary files still open at exit are removed.
 */
out *out_open(const char *path);

/* Write errors exit: EXIT_IOERR, or quietly 0 when a pipe reader has gone
 * (`| head`), so a closed pipe is never reported as an error. */
void out_write(out *o, const void *p, size_t n);
void out_flush(out *o);

static inline void
out_putc(out *o, char c)
{
	if (o->len == o->cap)
		out_flush(o);
	o->buf[o->len++] = c;
}

void out_str(out *o, const char *s);
/* The shortest round-trip form of x (num_format); nothing when not finite. */
void out_num(out *o, double x);

/* Flush and close; rename an atomic file into place.  Frees o. */
void out_commit(out *o);
/* Drop an atomic file's temporary (the old file, if any, stays); standard
 * output is flushed, since what it streamed cannot be taken back.  Frees o. */
void out_abort(out *o);

/* A scratch file in $TMPDIR, removed at exit, for data a tool reads back
 * (pread on o->fd after out_flush).  Free it with out_abort. */
out *out_scratch(void);
/* Bytes written to o so far, flushed or buffered. */
size_t out_tell(const out *o);

/* Copy standard input to a temporary file, removed at exit, so it can be
 * read more than once; its path.  Failures exit (EXIT_CANTCREAT,
 * EXIT_IOERR). */
char *out_spool_stdin(void);

#endif
