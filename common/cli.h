/* cli.h: option conventions shared by every tool: checked number options,
 * column lists with globs, help/version, progress on stderr. */
#ifndef MMM_CLI_H
#define MMM_CLI_H

#include <stddef.h>

#ifndef MMM_VERSION
#define MMM_VERSION "0.1.0"
#endif

/* Set argv0 to the basename of argv[0]. */
void cli_init(int argc, char **argv);
/* Print help (stdout, exit 0) or the version line. */
void cli_help(const char *usage) __attribute__((noreturn));
void cli_version(void) __attribute__((noreturn));
/* One-line usage error, exit EXIT_USAGE. */
void cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Checked conversions of option values within [lo, hi]; usage error else. */
double cli_double(const char *opt, const char *s, double lo, double hi);
long cli_long(const char *opt, const char *s, long lo, long hi);

/* cols_resolve flags */
#define COLS_CASEFOLD 1		/* names and globs ignore case */
#define COLS_LENIENT 2		/* an item matching nothing is no error */

/*
 * Resolve a comma-separated list of column names and globs ('*_spend')
 * against names[0..n).  Appends matching indexes to *idx (no repeats, in
 * list order) and returns how many it has; -1 with err set when an exact name
 * or a glob matches no column (unless COLS_LENIENT).
 */
long cols_resolve(const char *spec, const char *const *names, size_t n,
    int flags,
    size_t **idx, size_t *nidx, char *err, size_t errsz);

/* Progress on stderr every second, when enabled (a terminal or --progress). */
typedef struct progress {
	int on;
	double next;
	const char *what;
} progress;
void progress_init(progress *p, int forced, int quiet, const char *what);
void progress_tick(progress *p, long long n);
void progress_done(progress *p, long long n);

#endif
