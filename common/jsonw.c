/* jsonw.c: streaming JSON writer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "jsonw.h"

void
jw_init(jsonw *w, out *o, int pretty)
{
	memset(w, 0, sizeof *w);
	w->o = o;
	w->pretty = pretty;
}

static void
indent(jsonw *w)
{
	out_putc(w->o, '\n');
	for (int i = 0; i < w->depth; i++)
		out_write(w->o, "  ", 2);
}

/* Separator and indentation before a value or a key. */
static void
before(jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first[w->depth])
		out_putc(w->o, ',');
	w->first[w->depth] = 0;
	if (w->pretty)
		indent(w);
}

static void
open_(jsonw *w, char c)
{
	before(w);
	out_putc(w->o, c);
	if (++w->depth >= JSONW_MAXDEPTH)
		die("JSON nesting deeper than %d", JSONW_MAXDEPTH);
	w->first[w->depth] = 1;
}

static void
close_(jsonw *w, char c)
{
	int empty = w->first[w->depth];

	w->depth--;
	if (w->pretty && !empty)
		indent(w);
	out_putc(w->o, c);
}

void jw_obj(jsonw *w) { open_(w, '{'); }
void jw_obj_end(jsonw *w) { close_(w, '}'); }
void jw_arr(jsonw *w) { open_(w, '['); }
void jw_arr_end(jsonw *w) { close_(w, ']'); }

static void
quoted(out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	out_putc(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		out_write(o, s + run, i - run);
		run = i + 1;
		out_putc(o, '\\');
		switch (c) {
		case '"': out_putc(o, '"'); break;
		case '\\': out_putc(o, '\\'); break;
		case '\n': out_putc(o, 'n'); break;
		case '\r': out_putc(o, 'r'); break;
		case '\t': out_putc(o, 't'); break;
		default:
			out_write(o, "u00", 3);
			out_putc(o, hex[c >> 4]);
			out_putc(o, hex[c & 15]);
		}
	}
	out_write(o, s + run, n - run);
	out_putc(o, '"');
}

void
jw_key(jsonw *w, const char *k)
{
	before(w);
	quoted(w->o, k, strlen(k));
	out_putc(w->o, ':');
	if (w->pretty)
		out_putc(w->o, ' ');
	w->after_key = 1;
}

void
jw_strn(jsonw *w, const char *s, size_t n)
{
	before(w);
	quoted(w->o, s, n);
}

void
jw_str(jsonw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void
jw_num(jsonw *w, double x)
{
	before(w);
	if (isfinite(x))
		out_num(w->o, x);
	else
		out_write(w->o, "null", 4);
}

void
jw_int(jsonw *w, long long x)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%lld", x);

	before(w);
	out_write(w->o, buf, (size_t)n);
}

void
jw_bool(jsonw *w, int b)
{
	before(w);
	out_str(w->o, b ? "true" : "false");
}

void
jw_null(jsonw *w)
{
	before(w);
	out_write(w->o, "null", 4);
}

void
jw_end(jsonw *w)
{
	out_putc(w->o, '\n');
}

void
jw_kv_num(jsonw *w, const char *k, double x)
{
	jw_key(w, k);
	jw_num(w, x);
}

void
jw_kv_str(jsonw *w, const char *k, const char *s)
{
	jw_key(w, k);
	if (s)
		jw_str(w, s);
	else
		jw_null(w);
}
