/* allocio.c: mmm-allocate's inputs (model file or response CSV, bounds) and
 * its JSON (see allocio.h). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocio.h"
#include "csvio.h"
#include "err.h"
#include "num.h"

static void
input_alloc(alloc_input *in, size_t k)
{
	in->k = k;
	in->names = ecalloc(k + 1, sizeof *in->names);
	in->curve = ecalloc(k + 1, sizeof *in->curve);
	in->current = ecalloc(k + 1, sizeof *in->current);
	in->min = ecalloc(k + 1, sizeof *in->min);
	in->max = ecalloc(k + 1, sizeof *in->max);
	for (size_t c = 0; c < k; c++)
		in->min[c] = in->max[c] = NAN;
}

void
alloc_input_free(alloc_input *in)
{
	for (size_t c = 0; c < in->k; c++)
		free(in->names[c]);
	free(in->names);
	free(in->curve);
	free(in->current);
	free(in->min);
	free(in->max);
	free(in->coef_sd);
	memset(in, 0, sizeof *in);
}

long
alloc_channel(const alloc_input *in, const char *name, size_t n)
{
	for (size_t c = 0; c < in->k; c++)
		if (strlen(in->names[c]) == n && !memcmp(in->names[c], name, n))
			return (long)c;
	return -1;
}

enum { R_CHANNEL, R_BETA, R_THETA, R_ALPHA, R_GAMMA, R_CURRENT, R_MIN, R_MAX,
	R_SD, R_NCOLS };
static const char *const rcols[R_NCOLS] = { "channel", "beta", "theta",
	"alpha", "gamma", "current", "min", "max", "beta_sd" };

/* Field j of rec as a number within [lo, hi) (hi_open) or [lo, hi]; NAN
 * for a missing optional field. */
static int
field(const csv_reader *r, const csv_record *rec, long col, int optional,
    double lo, double hi, int hi_open, double *v, char *err, size_t errsz,
    int *status)
{
	char buf[MSGFIELD_SIZE];
	const char *s = rec->f[col];
	size_t n = rec->len[col];

	if (csv_is_missing(s, n)) {
		if (optional) {
			*v = NAN;
			return 0;
		}
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
		    "column \"%s\": missing value", csv_name(r), rec->line,
		    csv_colname(r, (size_t)col));
	}
	if (num_parse(s, n, v) < 0 || !isfinite(*v))
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
		    "column \"%s\": \"%s\" is not a number", csv_name(r),
		    rec->line, csv_colname(r, (size_t)col),
		    msg_field(buf, s, n));
	if (*v < lo || *v > hi || (hi_open && *v == hi))
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
		    "column \"%s\": %s is out of range (%s %g and %s %g)",
		    csv_name(r), rec->line, csv_colname(r, (size_t)col),
		    msg_field(buf, s, n), lo > 0 ? "above" : ">=", lo,
		    hi_open ? "below" : "<=", hi);
	return 0;
}

int
alloc_read_response(const char *path, alloc_input *in, char *err,
    size_t errsz, int *status)
{
	csv_reader *r = csv_open(path, 0, err, errsz, status);
	long col[R_NCOLS];
	csv_record rec;
	size_t cap = 0;
	int got;
	char buf[MSGFIELD_SIZE];

	memset(in, 0, sizeof *in);
	if (!r)
		return -1;
	in->source = csv_name(r);
	for (int j = 0; j < R_NCOLS; j++) {
		col[j] = csv_col(r, rcols[j]);
		if (col[j] < 0 && j < R_MIN) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s:1: no "
			    "column \"%s\" (needs channel,beta,theta,alpha,"
			    "gamma,current)", csv_name(r), rcols[j]);
			csv_close(r);
			return -1;
		}
	}
	input_alloc(in, 0);
	if (col[R_SD] >= 0)
		in->coef_sd = ecalloc(1, sizeof *in->coef_sd);
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		size_t c = in->k;
		double v[R_NCOLS];
		if (c == cap) {
			cap = cap ? 2 * cap : 16;
			in->names = ereallocarray(in->names, cap + 1,
			    sizeof *in->names);
			in->curve = ereallocarray(in->curve, cap + 1,
			    sizeof *in->curve);
			in->current = ereallocarray(in->current, cap + 1,
			    sizeof *in->current);
			in->min = ereallocarray(in->min, cap + 1,
			    sizeof *in->min);
			in->max = ereallocarray(in->max, cap + 1,
			    sizeof *in->max);
			if (in->coef_sd)
				in->coef_sd = ereallocarray(in->coef_sd,
				    cap + 1, sizeof *in->coef_sd);
		}
		const char *nm = rec.f[col[R_CHANNEL]];
		size_t nl = rec.len[col[R_CHANNEL]];
		if (csv_is_missing(nm, nl) || alloc_channel(in, nm, nl) >= 0) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
			    "column \"channel\": \"%s\" is %s", csv_name(r),
			    rec.line, msg_field(buf, nm, nl), nl ?
			    "a repeated channel" : "missing");
			goto fail;
		}
		if (field(r, &rec, col[R_BETA], 0, 0, INFINITY, 0, &v[R_BETA],
		    err, errsz, status) < 0 ||
		    field(r, &rec, col[R_THETA], 0, 0, 1, 1, &v[R_THETA], err,
		    errsz, status) < 0 ||
		    field(r, &rec, col[R_ALPHA], 0, 1e-300, INFINITY, 0,
		    &v[R_ALPHA], err, errsz, status) < 0 ||
		    field(r, &rec, col[R_GAMMA], 0, 1e-300, INFINITY, 0,
		    &v[R_GAMMA], err, errsz, status) < 0 ||
		    field(r, &rec, col[R_CURRENT], 0, 0, INFINITY, 0,
		    &v[R_CURRENT], err, errsz, status) < 0)
			goto fail;
		v[R_MIN] = v[R_MAX] = v[R_SD] = NAN;
		for (int j = R_MIN; j <= R_SD; j++)
			if (col[j] >= 0 && field(r, &rec, col[j], 1, 0,
			    INFINITY, 0, &v[j], err, errsz, status) < 0)
				goto fail;
		in->names[c] = estrndup(nm, nl);
		in->k++;
		in->curve[c] = (alloc_curve){ .sat = { .kind = SAT_HILL,
			.alpha = v[R_ALPHA], .gamma = v[R_GAMMA] },
			.carry = 1 / (1 - v[R_THETA]), .coef = v[R_BETA] };
		in->current[c] = v[R_CURRENT];
		in->min[c] = v[R_MIN];
		in->max[c] = v[R_MAX];
		if (in->coef_sd)
			in->coef_sd[c] = isnan(v[R_SD]) ? 0 : v[R_SD];
	}
	if (got < 0)
		goto fail;
	if (in->k == 0) {
		err_fail(err, errsz, status, EXIT_DATAERR, "%s: no channel "
		    "rows", csv_name(r));
		goto fail;
	}
	/* The name outlives the reader. */
	in->source = path && strcmp(path, "-") ? path : "<stdin>";
	csv_close(r);
	return 0;
fail:
	csv_close(r);
	alloc_input_free(in);
	return -1;
}

static double
num_of(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

int
alloc_read_model(void *root, const char *path, size_t window,
    alloc_input *in, char *err, size_t errsz, int *status)
{
	json_t *mmm = json_object_get(root, "mmm");
	json_t *media = json_object_get(mmm, "media");
	json_t *chans = json_object_get(mmm, "channels");

	memset(in, 0, sizeof *in);
	if (!json_is_array(media) || !json_is_object(chans))
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s: not a "
		    "marketing-mix model (no \"mmm\" block with media and "
		    "channels): train one with mmm-train --model mmm", path);
	input_alloc(in, json_array_size(media));
	in->source = path;
	in->root = root;
	for (size_t c = 0; c < in->k; c++) {
		const char *nm = json_string_value(json_array_get(media, c));
		json_t *ch = nm ? json_object_get(chans, nm) : NULL;
		json_t *s = json_object_get(ch, "saturation");
		const char *kind = json_string_value(json_object_get(s,
		    "kind"));
		int sk = saturation_kind_parse(kind ? kind : "");
		in->names[c] = estrdup(nm ? nm : "");
		if (!ch || sk < 0) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s: channel "
			    "\"%s\": no channel block with a known saturation",
			    path, in->names[c]);
			goto fail;
		}
		alloc_curve *cv = &in->curve[c];
		cv->sat = (saturation){ .kind = (saturation_kind)sk,
			.alpha = num_of(s, "alpha"), .gamma = num_of(s, "gamma"),
			.lambda = num_of(s, "lambda"), .vmax = num_of(s, "vmax"),
			.k = num_of(s, "k") };
		cv->coef = num_of(ch, "coef");
		cv->carry = num_of(ch, "carry");
		const char *why = saturation_check(&cv->sat);
		if (!why && !(cv->coef >= 0 && isfinite(cv->coef)))
			why = "coef is not a number >= 0";
		if (!why && !(cv->carry > 0 && isfinite(cv->carry)))
			why = "carry is not a number > 0";
		double cur = num_of(ch, "recent_spend");
		json_t *rec = json_object_get(ch, "recent");
		if (window > 0) {
			size_t n = json_array_size(rec);
			if (!json_is_array(rec) || n == 0) {
				err_fail(err, errsz, status, EXIT_USAGE, "%s: "
				    "--window needs the model's recent "
				    "spends (channel \"%s\" has none): "
				    "retrain, or give --current", path,
				    in->names[c]);
				goto fail;
			}
			size_t m = window < n ? window : n;
			cur = 0;
			for (size_t i = n - m; i < n; i++)
				cur += json_number_value(json_array_get(rec, i));
			cur /= (double)m;
		}
		if (!why && !(cur >= 0 && isfinite(cur)))
			why = "recent_spend is not a number >= 0";
		if (why) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s: channel "
			    "\"%s\": %s", path, in->names[c], why);
			goto fail;
		}
		in->current[c] = cur;
	}
	if (in->k == 0) {
		err_fail(err, errsz, status, EXIT_DATAERR, "%s: the model has "
		    "no media channels", path);
		goto fail;
	}
	return 0;
fail:
	alloc_input_free(in);
	return -1;
}

/* The next "NAME" or "NAME=VALUE" item of a comma list: name and value
 * spans; 0 at the end. */
static int
next_item(const char **p, const char **name, size_t *nn, const char **val,
    size_t *vn)
{
	const char *s = *p, *e;

	if (!*s)
		return 0;
	e = strchr(s, ',');
	if (!e)
		e = s + strlen(s);
	const char *eq = memchr(s, '=', (size_t)(e - s));
	*name = s;
	*nn = (size_t)((eq ? eq : e) - s);
	*val = eq ? eq + 1 : NULL;
	*vn = eq ? (size_t)(e - eq - 1) : 0;
	*p = *e ? e + 1 : e;
	return 1;
}

/* Apply a "CH=X[%],..." list: dst[c] = X, or X% of cur[c]. */
static int
apply_list(alloc_input *in, const char *opt, const char *spec, int pct_ok,
    double *dst, char *err, size_t errsz, int *status)
{
	const char *p = spec, *nm, *val;
	size_t nn, vn;
	char buf[MSGFIELD_SIZE];

	while (next_item(&p, &nm, &nn, &val, &vn)) {
		long c = alloc_channel(in, nm, nn);
		if (c < 0)
			return err_fail(err, errsz, status, EXIT_USAGE, "%s: "
			    "\"%s\" is not a channel of %s", opt,
			    msg_field(buf, nm, nn), in->source);
		int pct = pct_ok && vn > 0 && val[vn - 1] == '%';
		double v;
		if (!val || num_parse(val, vn - (size_t)pct, &v) < 0 ||
		    !(v >= 0) || !isfinite(v))
			return err_fail(err, errsz, status, EXIT_USAGE, "%s: "
			    "channel %s: \"%s\" is not a spend >= 0%s", opt,
			    in->names[c], val ? msg_field(buf, val, vn) : "",
			    pct_ok ? " or a percentage of current" : "");
		dst[c] = pct ? v / 100 * in->current[c] : v;
	}
	return 0;
}

int
alloc_bounds(alloc_input *in, const alloc_bound_opts *o, double *lo,
    double *hi, char *err, size_t errsz, int *status)
{
	size_t k = in->k;

	if (o->current && apply_list(in, "--current", o->current, 0,
	    in->current, err, errsz, status) < 0)
		return -1;
	for (size_t c = 0; c < k; c++) {
		lo[c] = o->unbounded ? 0 : 0.5 * in->current[c];
		hi[c] = o->unbounded ? INFINITY : 2 * in->current[c];
		if (!isnan(in->min[c]))
			lo[c] = in->min[c];
		if (!isnan(in->max[c]))
			hi[c] = in->max[c];
	}
	if (o->min && apply_list(in, "--min", o->min, 1, lo, err, errsz,
	    status) < 0)
		return -1;
	if (o->max && apply_list(in, "--max", o->max, 1, hi, err, errsz,
	    status) < 0)
		return -1;
	const char *p = o->fix, *nm, *val;
	size_t nn, vn;
	char buf[MSGFIELD_SIZE];
	while (p && next_item(&p, &nm, &nn, &val, &vn)) {
		long c = alloc_channel(in, nm, nn);
		if (c < 0 || val)
			return err_fail(err, errsz, status, EXIT_USAGE, "--fix: "
			    "\"%s\" is not a channel of %s",
			    msg_field(buf, nm, nn + (val ? vn + 1 : 0)),
			    in->source);
		lo[c] = hi[c] = in->current[c];
	}
	for (size_t c = 0; c < k; c++)
		if (lo[c] > hi[c])
			return err_fail(err, errsz, status, EXIT_USAGE, "channel "
			    "%s: minimum %.17g is above maximum %.17g",
			    in->names[c], lo[c], hi[c]);
	return 0;
}

static const char *
binding_name(signed char at)
{
	return at == ALLOC_AT_MIN ? "min" : at == ALLOC_AT_MAX ? "max" : NULL;
}

void
alloc_write(jsonw *w, const alloc_report *r)
{
	const alloc_input *in = r->in;
	const alloc_problem *p = r->prob;
	const alloc_result *res = r->res;
	double cur_spend = 0, cur_resp = 0;

	jw_kv_str(w, "mode", r->mode);
	if (!isnan(r->target)) {
		jw_kv_num(w, "target", r->target);
		jw_key(w, "average");
		jw_bool(w, r->average);
	}
	jw_kv_num(w, "budget", r->budget);
	if (r->periods > 0) {
		jw_key(w, "periods");
		jw_int(w, r->periods);
		jw_kv_num(w, "budget_total", r->budget * (double)r->periods);
	}
	jw_key(w, "feasible");
	jw_bool(w, r->feasible);
	jw_kv_str(w, "reason", r->reason);
	jw_key(w, "channels");
	jw_arr(w);
	for (size_t c = 0; res && c < in->k; c++) {
		const alloc_curve *cv = &in->curve[c];
		double x = res->x[c], x0 = in->current[c];
		double f = alloc_response(cv, x), f0 = alloc_response(cv, x0);
		cur_spend += x0;
		cur_resp += f0;
		jw_obj(w);
		jw_kv_str(w, "channel", in->names[c]);
		jw_kv_num(w, "current", x0);
		jw_kv_num(w, "recommended", x);
		jw_kv_num(w, "change_pct", x0 > 0 ? 100 * (x - x0) / x0 : NAN);
		jw_kv_num(w, "min", p->lo[c]);
		jw_kv_num(w, "max", p->hi[c]);
		jw_kv_str(w, "binding", binding_name(res->at[c]));
		jw_kv_num(w, "contribution_current", f0);
		jw_kv_num(w, "contribution", f);
		jw_kv_num(w, "roas", x > 0 ? f / x : NAN);
		jw_kv_num(w, "mroas", alloc_marginal(cv, x));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "totals");
	if (res) {
		jw_obj(w);
		jw_kv_num(w, "current_spend", cur_spend);
		jw_kv_num(w, "recommended_spend", res->spent);
		jw_kv_num(w, "response_current", cur_resp);
		jw_kv_num(w, "response", res->response);
		jw_kv_num(w, "lift_pct", cur_resp != 0 ? 100 * (res->response -
		    cur_resp) / cur_resp : NAN);
		jw_kv_num(w, "roas", res->spent > 0 ? res->response /
		    res->spent : NAN);
		if (!isnan(r->level)) {
			jw_kv_num(w, "lower", r->lower);
			jw_kv_num(w, "upper", r->upper);
			jw_kv_num(w, "level", r->level);
		}
		jw_obj_end(w);
		jw_key(w, "kkt");
		jw_obj(w);
		jw_kv_num(w, "multiplier", res->mu);
		jw_kv_num(w, "max_violation", res->kkt_violation);
		jw_key(w, "ok");
		jw_bool(w, res->kkt_ok);
		jw_key(w, "global");
		jw_bool(w, res->global);
		jw_obj_end(w);
	} else {
		jw_null(w);
		jw_key(w, "kkt");
		jw_null(w);
	}
}

void
alloc_curves_write(out *o, const alloc_input *in, const double *hi,
    size_t points, double max_x)
{
	out_str(o, "channel,spend,response,marginal\n");
	for (size_t c = 0; c < in->k; c++) {
		double top = in->current[c] > 0 ? max_x * in->current[c] :
		    isfinite(hi[c]) && hi[c] > 0 ? hi[c] : 1;
		for (size_t i = 0; i < points; i++) {
			double x = points > 1 ? top * (double)i /
			    (double)(points - 1) : top;
			csv_write_field(o, in->names[c], strlen(in->names[c]));
			out_putc(o, ',');
			out_num(o, x);
			out_putc(o, ',');
			out_num(o, alloc_response(&in->curve[c], x));
			out_putc(o, ',');
			out_num(o, alloc_marginal(&in->curve[c], x));
			out_putc(o, '\n');
		}
	}
}
