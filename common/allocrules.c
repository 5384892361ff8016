/* allocrules.c: context rules per period (see allocrules.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "allocrules.h"
#include "csvio.h"
#include "err.h"
#include "num.h"

static const char *const ops[] = { ">=", "<=", "==", "!=", ">", "<" };
enum { OP_GE, OP_LE, OP_EQ, OP_NE, OP_GT, OP_LT, OP_N };

int
alloc_rule_parse(const char *s, const alloc_input *in, alloc_rule *r,
    char *err, size_t errsz)
{
	char buf[MSGFIELD_SIZE];
	const char *colon = strrchr(s, ':');

	memset(r, 0, sizeof *r);
	r->ctx_col = -1;
	if (!colon)
		return err_fail(err, errsz, NULL, 0, "--rule \"%s\": not "
		    "COND:CH*F (e.g. temperature>85:google_spend*1.2)",
		    msg_field(buf, s, strlen(s)));
	/* The condition: the first operator in it, two-character ones
	 * first. */
	const char *at = NULL;
	int op = -1;
	for (const char *q = s; q < colon && !at; q++)
		for (int o = 0; o < OP_N; o++)
			if (!strncmp(q, ops[o], strlen(ops[o])) &&
			    q + strlen(ops[o]) <= colon) {
				at = q, op = o;
				break;
			}
	double v, f;
	if (!at || at == s)
		return err_fail(err, errsz, NULL, 0, "--rule \"%s\": the "
		    "condition is not COLUMN OP NUMBER with OP one of > >= < "
		    "<= == !=", msg_field(buf, s, strlen(s)));
	const char *vs = at + strlen(ops[op]);
	if (num_parse(vs, (size_t)(colon - vs), &v) < 0)
		return err_fail(err, errsz, NULL, 0, "--rule \"%s\": \"%s\" is "
		    "not a number", msg_field(buf, s, strlen(s)),
		    msg_field(buf + MSGFIELD_SIZE / 2, vs, (size_t)(colon -
		    vs)));
	/* The action: CH*F, CH.min*F or CH.max*F. */
	const char *act = colon + 1, *star = strrchr(act, '*');
	if (!star || num_parse(star + 1, strlen(star + 1), &f) < 0 ||
	    !(f >= 0) || !isfinite(f))
		return err_fail(err, errsz, NULL, 0, "--rule \"%s\": the action "
		    "is not CH*F, CH.min*F or CH.max*F with a factor F >= 0",
		    msg_field(buf, s, strlen(s)));
	size_t cl = (size_t)(star - act);
	int what = RULE_SPEND;
	long c = alloc_channel(in, act, cl);
	if (c < 0 && cl > 4 && !memcmp(act + cl - 4, ".min", 4))
		what = RULE_MIN, c = alloc_channel(in, act, cl - 4);
	else if (c < 0 && cl > 4 && !memcmp(act + cl - 4, ".max", 4))
		what = RULE_MAX, c = alloc_channel(in, act, cl - 4);
	if (c < 0)
		return err_fail(err, errsz, NULL, 0, "--rule \"%s\": \"%s\" is "
		    "not a channel of %s", msg_field(buf, s, strlen(s)),
		    msg_field(buf + MSGFIELD_SIZE / 2, act, cl), in->source);
	r->text = estrdup(s);
	r->col = estrndup(s, (size_t)(at - s));
	r->op = op;
	r->value = v;
	r->chan = (size_t)c;
	r->what = what;
	r->factor = f;
	return 0;
}

void
alloc_rule_free(alloc_rule *r)
{
	free(r->text);
	free(r->col);
	memset(r, 0, sizeof *r);
}

int
alloc_rule_holds(const alloc_rule *r, const alloc_context *ctx, size_t i)
{
	double x = ctx->v[i * ctx->ncol + (size_t)r->ctx_col], v = r->value;

	if (isnan(x))
		return 0;
	switch (r->op) {
	case OP_GE: return x >= v;
	case OP_LE: return x <= v;
	case OP_EQ: return x == v;
	case OP_NE: return x != v;
	case OP_GT: return x > v;
	default: return x < v;
	}
}

int
alloc_context_read(const char *path, alloc_rule *rules, size_t nrules,
    alloc_context *ctx, char *err, size_t errsz, int *status)
{
	csv_reader *r = csv_open(path, 0, err, errsz, status);
	csv_record rec;
	char buf[MSGFIELD_SIZE];
	size_t cap = 0;
	int got;

	memset(ctx, 0, sizeof *ctx);
	if (!r)
		return -1;
	ctx->source = estrdup(csv_name(r));
	long dc = csv_col(r, "date");
	if (dc < 0) {
		err_fail(err, errsz, status, EXIT_DATAERR, "%s:1: no column "
		    "\"date\"", csv_name(r));
		goto fail;
	}
	ctx->ncol = csv_ncols(r);
	ctx->names = ecalloc(ctx->ncol, sizeof *ctx->names);
	for (size_t j = 0; j < ctx->ncol; j++)
		ctx->names[j] = estrdup(csv_colname(r, j));
	for (size_t i = 0; i < nrules; i++) {
		rules[i].ctx_col = csv_col(r, rules[i].col);
		if (rules[i].ctx_col < 0 || rules[i].ctx_col == dc) {
			err_fail(err, errsz, status, EXIT_USAGE, "--rule \"%s\": "
			    "%s has no numeric column \"%s\"", rules[i].text,
			    csv_name(r), rules[i].col);
			goto fail;
		}
	}
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		size_t i = ctx->n;
		if (i == cap) {
			cap = cap ? 2 * cap : 64;
			ctx->date = ereallocarray(ctx->date, cap,
			    sizeof *ctx->date);
			ctx->v = ereallocarray(ctx->v, cap * ctx->ncol,
			    sizeof *ctx->v);
		}
		ctx->date[i] = estrndup(rec.f[dc], rec.len[dc]);
		ctx->n++;
		for (size_t j = 0; j < ctx->ncol; j++) {
			double *v = &ctx->v[i * ctx->ncol + j];
			*v = NAN;
			if ((long)j == dc || csv_is_missing(rec.f[j],
			    rec.len[j]))
				continue;
			/* Only the columns a rule reads must be numbers. */
			int used = 0;
			for (size_t q = 0; q < nrules; q++)
				used |= rules[q].ctx_col == (long)j;
			if (num_parse(rec.f[j], rec.len[j], v) < 0 && used) {
				err_fail(err, errsz, status, EXIT_DATAERR,
				    "%s:%ld: column \"%s\": \"%s\" is not a "
				    "number", csv_name(r), rec.line,
				    ctx->names[j], msg_field(buf, rec.f[j],
				    rec.len[j]));
				goto fail;
			}
		}
	}
	if (got < 0)
		goto fail;
	if (ctx->n == 0) {
		err_fail(err, errsz, status, EXIT_DATAERR, "%s: no periods",
		    csv_name(r));
		goto fail;
	}
	csv_close(r);
	return 0;
fail:
	csv_close(r);
	alloc_context_free(ctx);
	return -1;
}

void
alloc_context_free(alloc_context *ctx)
{
	for (size_t i = 0; i < ctx->n; i++)
		free(ctx->date[i]);
	free(ctx->date);
	for (size_t j = 0; j < ctx->ncol && ctx->names; j++)
		free(ctx->names[j]);
	free(ctx->names);
	free(ctx->v);
	free(ctx->source);
	memset(ctx, 0, sizeof *ctx);
}

int
alloc_periods_write(jsonw *w, const alloc_problem *p, const double *x,
    const alloc_input *in, const alloc_context *ctx,
    const alloc_rule *rules, size_t nrules, char *err, size_t errsz)
{
	size_t k = p->k;
	double *mult = emalloc(k * sizeof *mult), *lo = emalloc(k * sizeof *lo);
	double *hi = emalloc(k * sizeof *hi), *y = emalloc(k * sizeof *y);
	int rc = 0;

	jw_key(w, "periods");
	jw_arr(w);
	for (size_t i = 0; i < ctx->n && rc == 0; i++) {
		int bounds = 0;
		for (size_t c = 0; c < k; c++)
			mult[c] = 1, lo[c] = p->lo[c], hi[c] = p->hi[c];
		memcpy(y, x, k * sizeof *y);
		jw_obj(w);
		jw_kv_str(w, "date", ctx->date[i]);
		jw_key(w, "rules");
		jw_arr(w);
		for (size_t r = 0; r < nrules; r++) {
			const alloc_rule *ru = &rules[r];
			if (!alloc_rule_holds(ru, ctx, i))
				continue;
			jw_str(w, ru->text);
			if (ru->what == RULE_SPEND)
				mult[ru->chan] *= ru->factor;
			else if (ru->what == RULE_MIN)
				lo[ru->chan] *= ru->factor, bounds = 1;
			else
				hi[ru->chan] *= ru->factor, bounds = 1;
		}
		jw_arr_end(w);
		if (bounds) {
			alloc_problem q = *p;
			alloc_result res;
			q.lo = lo;
			q.hi = hi;
			char e2[512];
			if (alloc_solve(&q, &res, e2, sizeof e2) < 0) {
				rc = err_fail(err, errsz, NULL, 0, "%s: period "
				    "%s: %s", ctx->source, ctx->date[i], e2);
			} else {
				memcpy(y, res.x, k * sizeof *y);
				alloc_result_free(&res);
			}
		}
		double spend = 0;
		for (size_t c = 0; c < k; c++)
			spend += y[c] *= mult[c];
		jw_kv_num(w, "budget", spend);
		jw_key(w, "channels");
		jw_arr(w);
		for (size_t c = 0; c < k; c++) {
			jw_obj(w);
			jw_kv_str(w, "channel", in->names[c]);
			jw_kv_num(w, "recommended", y[c]);
			jw_kv_num(w, "contribution", alloc_response(&in->curve[c],
			    y[c]));
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	free(mult);
	free(lo);
	free(hi);
	free(y);
	return rc;
}
