/* err.c: messages and exits for every tool; allocation that cannot fail. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

const char *argv0 = "mmm";

static void
vwarn(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", argv0);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
dien(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(EXIT_INTERNAL);
}

int
err_fail(char *err, size_t errsz, int *status, int st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	if (status)
		*status = st;
	return -1;
}

const char *
msg_field(char *buf, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < n && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f) {
			buf[o++] = (char)c;
			continue;
		}
		buf[o++] = '\\';
		switch (c) {
		case '\n': buf[o++] = 'n'; break;
		case '\r': buf[o++] = 'r'; break;
		case '\t': buf[o++] = 't'; break;
		default:
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

void *
emalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		dien(EXIT_INTERNAL, "out of memory (%zu bytes)", n);
	return p;
}

void *
ecalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		dien(EXIT_INTERNAL, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
erealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		dien(EXIT_INTERNAL, "out of memory (%zu bytes)", n);
	return q;
}

void *
ereallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		dien(EXIT_INTERNAL, "out of memory (%zu x %zu bytes)", n, size);
	return erealloc(p, n * size);
}

char *
estrndup(const char *s, size_t n)
{
	char *p = emalloc(n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
efmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		dien(EXIT_INTERNAL, "out of memory");
	va_end(ap);
	return s;
}

char *
estrdup(const char *s)
{
	return estrndup(s, strlen(s));
}
