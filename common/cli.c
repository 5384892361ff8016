/* cli.c: option conventions shared by every tool. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "num.h"

void
cli_init(int argc, char **argv)
{
	if (argc > 0 && argv[0]) {
		const char *s = strrchr(argv[0], '/');
		argv0 = s ? s + 1 : argv[0];
	}
}

void
cli_help(const char *usage)
{
	fputs(usage, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		exit(errno == EPIPE ? 0 : EXIT_IOERR);
	exit(0);
}

void
cli_version(void)
{
	printf("%s (mmm) %s\n", argv0, MMM_VERSION);
	exit(fflush(stdout) != 0 ? EXIT_IOERR : 0);
}

void
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", argv0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", argv0);
	exit(EXIT_USAGE);
}

double
cli_double(const char *opt, const char *s, double lo, double hi)
{
	double x;

	if (num_parse(s, strlen(s), &x) < 0 || !(x >= lo && x <= hi))
		cli_usage_error("%s: \"%s\" is not a number from %g to %g",
		    opt, s, lo, hi);
	return x;
}

long
cli_long(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi)
		cli_usage_error("%s: \"%s\" is not a whole number from %ld to "
		    "%ld", opt, s, lo, hi);
	return x;
}

static void
add_index(size_t **idx, size_t *nidx, size_t i)
{
	for (size_t k = 0; k < *nidx; k++)
		if ((*idx)[k] == i)
			return;
	*idx = ereallocarray(*idx, *nidx + 1, sizeof **idx);
	(*idx)[(*nidx)++] = i;
}

long
cols_resolve(const char *spec, const char *const *names, size_t n, int flags,
    size_t **idx, size_t *nidx, char *err, size_t errsz)
{
	const char *p = spec;

	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *item = estrndup(p, len);
		int glob = strpbrk(item, "*?[") != NULL, found = 0;

		for (size_t i = 0; i < n; i++) {
			int hit = glob ? fnmatch(item, names[i],
			    flags & COLS_CASEFOLD ? FNM_CASEFOLD : 0) == 0 :
			    flags & COLS_CASEFOLD ? strcasecmp(item, names[i]) == 0 :
			    strcmp(item, names[i]) == 0;
			if (hit) {
				add_index(idx, nidx, i);
				found = 1;
			}
		}
		if (!found && len > 0 && !(flags & COLS_LENIENT)) {
			snprintf(err, errsz, glob ? "no column matches \"%s\"" :
			    "no column \"%s\" in the header", item);
			free(item);
			return -1;
		}
		free(item);
		if (!e)
			break;
		p = e + 1;
	}
	return (long)*nidx;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void
progress_init(progress *p, int forced, int quiet, const char *what)
{
	p->on = !quiet && (forced || isatty(2));
	p->next = now() + 1;
	p->what = what;
}

void
progress_tick(progress *p, long long n)
{
	if (!p->on || (n & 0xffff) != 0 || now() < p->next)
		return;
	fprintf(stderr, "\r%s: %lld %s", argv0, n, p->what);
	p->next = now() + 1;
}

void
progress_done(progress *p, long long n)
{
	if (p->on)
		fprintf(stderr, "\r%s: %lld %s\n", argv0, n, p->what);
}
