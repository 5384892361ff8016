/* err.h: the one error path of every mmm tool — messages, exit codes, and
 * allocation wrappers that never return failure. */
#ifndef MMM_ERR_H
#define MMM_ERR_H

#include <stddef.h>

/* Exit codes of DESIGN.md (sysexits.h values). */
enum {
	EXIT_CHECK = 1,		/* a check, gate or drift test did not pass */
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,	/* malformed input */
	EXIT_NOINPUT = 66,
	EXIT_INTERNAL = 70,
	EXIT_CANTCREAT = 73,
	EXIT_IOERR = 74
};

/* The tool's name for messages ("mmm-validate"), set once by main. */
extern const char *argv0;

/*
 * Print "argv0: message" on stderr.  A format ending in ':' appends
 * ": strerror(errno)".  dien exits with status; die exits with EXIT_INTERNAL.
 */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void dien(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* The failure path of common/ functions that report instead of exiting:
 * the formatted one-line message into err (errsz bytes), st into *status
 * when status is not NULL, and -1 to return. */
int err_fail(char *err, size_t errsz, int *status, int st, const char *fmt,
    ...) __attribute__((format(printf, 5, 6)));

/* A field as a one-line message shows it: at most 40 bytes, control bytes
 * escaped (\n, \t, \x01), "..." when cut.  buf holds MSGFIELD_SIZE. */
#define MSGFIELD_SIZE 176
const char *msg_field(char *buf, const char *s, size_t n);

void *emalloc(size_t n);
void *ecalloc(size_t n, size_t size);
void *erealloc(void *p, size_t n);
/* erealloc for an array of n elements of size bytes, checking overflow. */
void *ereallocarray(void *p, size_t n, size_t size);
char *estrdup(const char *s);
/* A new string from a printf format. */
char *efmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *estrndup(const char *s, size_t n);

#endif
