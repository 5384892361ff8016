/* jsonw.h: the one JSON writer — records (JSON lines) and documents (reports,
 * profiles, model files) — on the shared number printer.  Reading JSON
 * documents is jansson's job. */
#ifndef MMM_JSONW_H
#define MMM_JSONW_H

#include <stddef.h>

#include "out.h"

#define JSONW_MAXDEPTH 64

typedef struct jsonw {
	out *o;
	int pretty;		/* indent documents; JSON lines stay compact */
	int depth;
	unsigned char first[JSONW_MAXDEPTH];	/* no member written yet */
	unsigned char after_key;
} jsonw;

void jw_init(jsonw *w, out *o, int pretty);
void jw_obj(jsonw *w);
void jw_obj_end(jsonw *w);
void jw_arr(jsonw *w);
void jw_arr_end(jsonw *w);
/* Member name of the next value inside an object. */
void jw_key(jsonw *w, const char *k);
void jw_str(jsonw *w, const char *s);
void jw_strn(jsonw *w, const char *s, size_t n);
/* A number; null when not finite (NaN, inf are never data). */
void jw_num(jsonw *w, double x);
void jw_int(jsonw *w, long long x);
void jw_bool(jsonw *w, int b);
void jw_null(jsonw *w);
/* End a top-level value with a newline. */
void jw_end(jsonw *w);
/* A member: the key, then the number; or the string (NULL: null). */
void jw_kv_num(jsonw *w, const char *k, double x);
void jw_kv_str(jsonw *w, const char *k, const char *s);

#endif
