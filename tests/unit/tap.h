/* tap.h: the smallest TAP producer, for the unit tests of common/. */
#ifndef MMM_TAP_H
#define MMM_TAP_H

#include <stdio.h>

static int tap_n, tap_failed;

/* One test point: "ok N - name" or "not ok N - name". Returns cond. */
#define TAP_OK(cond, ...) tap_ok_((cond) != 0, __VA_ARGS__)

static int
tap_ok_(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static int
tap_ok_(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

/* Diagnostic line, shown by TAP consumers but not counted. */
#define TAP_DIAG(...) (printf("# "), printf(__VA_ARGS__), putchar('\n'))

/* Print the plan and return the exit status for main. */
static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
