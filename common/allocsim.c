/* allocsim.c: Monte Carlo over the curves' uncertainty (see allocsim.h). */
#include <gsl/gsl_eigen.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "allocsim.h"
#include "csvio.h"
#include "err.h"
#include "num.h"
#include "rng.h"
#include "synth.h"

enum { U_DRAWS, U_COV, U_SD };
static const char *const unc_names[] = { "draws", "coef_cov", "beta_sd" };

/* Curve parameters a posterior draw may carry. */
enum { P_COEF, P_CARRY, P_ALPHA, P_GAMMA, P_LAMBDA, P_VMAX, P_K, P_N };
static const char *const pnames[P_N] = { "coef", "carry", "alpha", "gamma",
	"lambda", "vmax", "k" };

struct alloc_unc {
	int kind;
	size_t k, n;		/* channels; posterior draws */
	double **par;		/* U_DRAWS: k x P_N arrays of n, or NULL */
	double *l;		/* U_COV: k x k factor, cov = L L' */
	const double *sd;	/* U_SD: k */
};

const char *
alloc_unc_source(const alloc_unc *u)
{
	return u ? unc_names[u->kind] : "none";
}

void
alloc_unc_free(alloc_unc *u)
{
	if (!u)
		return;
	if (u->par)
		for (size_t i = 0; i < u->k * P_N; i++)
			free(u->par[i]);
	free(u->par);
	free(u->l);
	free(u);
}

static int
read_draws(alloc_unc *u, const alloc_input *in, json_t *dr, char *err,
    size_t errsz)
{
	json_t *chans = json_object_get(dr, "channels");
	json_t *nv = json_object_get(dr, "n");

	if (!json_is_integer(nv) || json_integer_value(nv) < 1 ||
	    !json_is_object(chans))
		return err_fail(err, errsz, NULL, 0, "%s: \"mmm.draws\" needs "
		    "an integer \"n\" >= 1 and an object \"channels\"",
		    in->source);
	u->n = (size_t)json_integer_value(nv);
	u->par = ecalloc(in->k * P_N, sizeof *u->par);
	for (size_t c = 0; c < in->k; c++) {
		json_t *ch = json_object_get(chans, in->names[c]);
		for (int j = 0; j < P_N && ch; j++) {
			json_t *a = json_object_get(ch, pnames[j]);
			if (!a)
				continue;
			if (!json_is_array(a) || json_array_size(a) != u->n)
				return err_fail(err, errsz, NULL, 0, "%s: "
				    "\"mmm.draws.channels.%s.%s\" is not an "
				    "array of n numbers", in->source,
				    in->names[c], pnames[j]);
			double *v = emalloc(u->n * sizeof *v);
			u->par[c * P_N + j] = v;
			for (size_t i = 0; i < u->n; i++) {
				json_t *x = json_array_get(a, i);
				if (!json_is_number(x))
					return err_fail(err, errsz, NULL, 0,
					    "%s: \"mmm.draws.channels.%s.%s\" "
					    "holds a non-number", in->source,
					    in->names[c], pnames[j]);
				v[i] = json_number_value(x);
			}
		}
	}
	return 0;
}

/* L with L L' = cov from the eigen-decomposition, so that a singular
 * covariance (channels at the bound 0) works as well. */
static int
read_cov(alloc_unc *u, const alloc_input *in, json_t *cv, char *err,
    size_t errsz)
{
	json_t *names = json_object_get(cv, "channels");
	json_t *mat = json_object_get(cv, "matrix");
	size_t m = json_array_size(names), k = in->k;

	if (!json_is_array(names) || !json_is_array(mat) ||
	    json_array_size(mat) != m)
		return err_fail(err, errsz, NULL, 0, "%s: \"mmm.coef_cov\" "
		    "needs arrays \"channels\" and \"matrix\" of one size",
		    in->source);
	size_t *idx = emalloc((m ? m : 1) * sizeof *idx);
	double *a = ecalloc(k * k, sizeof *a);
	for (size_t i = 0; i < m; i++) {
		const char *nm = json_string_value(json_array_get(names, i));
		long c = nm ? alloc_channel(in, nm, strlen(nm)) : -1;
		json_t *row = json_array_get(mat, i);
		if (c < 0 || json_array_size(row) != m) {
			free(idx);
			free(a);
			return err_fail(err, errsz, NULL, 0, "%s: "
			    "\"mmm.coef_cov\": channel %zu is unknown or its "
			    "row is not %zu numbers", in->source, i, m);
		}
		idx[i] = (size_t)c;
	}
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++) {
			json_t *x = json_array_get(json_array_get(mat, i), j);
			a[idx[i] * k + idx[j]] = json_number_value(x);
		}
	free(idx);
	double *d = emalloc(k * sizeof *d), *v = emalloc(k * k * sizeof *v);
	gsl_matrix_view av = gsl_matrix_view_array(a, k, k);
	gsl_vector_view dv = gsl_vector_view_array(d, k);
	gsl_matrix_view vv = gsl_matrix_view_array(v, k, k);
	gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(k);
	if (!ws)
		die("out of memory");
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int st = gsl_eigen_symmv(&av.matrix, &dv.vector, &vv.matrix, ws);
	gsl_set_error_handler(old);
	gsl_eigen_symmv_free(ws);
	free(a);
	if (st) {
		free(d);
		free(v);
		return err_fail(err, errsz, NULL, 0, "%s: \"mmm.coef_cov\" "
		    "has no eigen-decomposition", in->source);
	}
	u->l = emalloc(k * k * sizeof *u->l);
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++)
			u->l[i * k + j] = v[i * k + j] * sqrt(fmax(d[j], 0));
	free(d);
	free(v);
	return 0;
}

int
alloc_unc_new(const alloc_input *in, alloc_unc **up, char *err,
    size_t errsz)
{
	json_t *mmm = in->root ? json_object_get(in->root, "mmm") : NULL;
	json_t *dr = json_object_get(mmm, "draws");
	json_t *cv = json_object_get(mmm, "coef_cov");
	alloc_unc *u;
	int rc = 0;

	*up = NULL;
	if (dr && !json_is_null(dr)) {
		u = ecalloc(1, sizeof *u);
		u->kind = U_DRAWS;
		u->k = in->k;
		rc = read_draws(u, in, dr, err, errsz);
	} else if (cv && !json_is_null(cv)) {
		u = ecalloc(1, sizeof *u);
		u->kind = U_COV;
		u->k = in->k;
		rc = read_cov(u, in, cv, err, errsz);
	} else if (in->coef_sd) {
		u = ecalloc(1, sizeof *u);
		u->kind = U_SD;
		u->k = in->k;
		u->sd = in->coef_sd;
	} else {
		return 0;
	}
	if (rc < 0) {
		alloc_unc_free(u);
		return -1;
	}
	*up = u;
	return 0;
}

alloc_curve *
alloc_unc_sample(const alloc_unc *u, const alloc_input *in, size_t ndraw,
    uint64_t seed)
{
	size_t k = in->k;
	alloc_curve *out = emalloc((ndraw ? ndraw : 1) * (k ? k : 1) *
	    sizeof *out);
	double *z = emalloc((k ? k : 1) * sizeof *z);
	uint64_t s = seed;

	for (size_t d = 0; d < ndraw; d++) {
		alloc_curve *cv = out + d * k;
		memcpy(cv, in->curve, k * sizeof *cv);
		if (!u)
			continue;
		if (u->kind == U_DRAWS) {
			/* A posterior draw picked uniformly. */
			size_t i = (size_t)(rng_unit(&s) * (double)u->n);
			for (size_t c = 0; c < k; c++) {
				double *const *p = u->par + c * P_N;
				if (p[P_COEF]) cv[c].coef = p[P_COEF][i];
				if (p[P_CARRY]) cv[c].carry = p[P_CARRY][i];
				if (p[P_ALPHA]) cv[c].sat.alpha = p[P_ALPHA][i];
				if (p[P_GAMMA]) cv[c].sat.gamma = p[P_GAMMA][i];
				if (p[P_LAMBDA])
					cv[c].sat.lambda = p[P_LAMBDA][i];
				if (p[P_VMAX]) cv[c].sat.vmax = p[P_VMAX][i];
				if (p[P_K]) cv[c].sat.k = p[P_K][i];
			}
			continue;
		}
		for (size_t c = 0; c < k; c++)
			z[c] = synth_normal(&s);
		for (size_t c = 0; c < k; c++) {
			double e = 0;
			if (u->kind == U_COV)
				for (size_t j = 0; j < k; j++)
					e += u->l[c * k + j] * z[j];
			else
				e = u->sd[c] * z[c];
			/* A response cannot fall with spend: clipped at 0. */
			cv[c].coef = fmax(0, cv[c].coef + e);
		}
	}
	free(z);
	return out;
}

void
alloc_sim_responses(const alloc_curve *draws, size_t ndraw, size_t k,
    const double *x, double *y)
{
	for (size_t d = 0; d < ndraw; d++) {
		double s = 0;
		for (size_t c = 0; c < k; c++)
			s += alloc_response(&draws[d * k + c], x[c]);
		y[d] = s;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double
alloc_quantile(double *y, size_t n, double p)
{
	if (n == 0)
		return NAN;
	qsort(y, n, sizeof *y, cmp_double);
	double h = p * (double)(n - 1);
	size_t i = (size_t)floor(h);
	if (i + 1 >= n)
		return y[n - 1];
	return y[i] + (h - (double)i) * (y[i + 1] - y[i]);
}

/* "+20%" or "-20" or "20%": a percent change; -1 when malformed or at or
 * below -100%. */
static int
parse_pct(const char *s, size_t n, double *v)
{
	if (n > 0 && s[n - 1] == '%')
		n--;
	if (n > 0 && s[0] == '+')
		s++, n--;
	if (num_parse(s, n, v) < 0 || !isfinite(*v) || *v < -100)
		return -1;
	return 0;
}

int
alloc_scenarios_parse(const char *spec, size_t k, alloc_scenario **scp,
    size_t *np, char *err, size_t errsz)
{
	alloc_scenario *sc = NULL;
	size_t n = 0;
	const char *p = spec;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		double v;
		char buf[MSGFIELD_SIZE];
		if (parse_pct(p, len, &v) < 0) {
			alloc_scenarios_free(sc, n);
			return err_fail(err, errsz, NULL, 0, "--simulate: "
			    "\"%s\" is not a change such as +20%% or -20%% "
			    "(at least -100%%)", msg_field(buf, p, len));
		}
		sc = ereallocarray(sc, n + 1, sizeof *sc);
		sc[n].name = estrndup(p, len);
		sc[n].mult = emalloc((k ? k : 1) * sizeof *sc[n].mult);
		for (size_t c = 0; c < k; c++)
			sc[n].mult[c] = 1 + v / 100;
		n++;
		p += len + (e != NULL);
	}
	*scp = sc;
	*np = n;
	return 0;
}

int
alloc_scenarios_read(const char *path, const alloc_input *in,
    alloc_scenario **scp, size_t *np, char *err, size_t errsz, int *status)
{
	csv_reader *r = csv_open(path, 0, err, errsz, status);
	alloc_scenario *sc = NULL;
	size_t n = 0;
	csv_record rec;
	char buf[MSGFIELD_SIZE];
	int got;

	if (!r)
		return -1;
	long cs = csv_col(r, "scenario"), cc = csv_col(r, "channel");
	long cp = csv_col(r, "change");
	if (cs < 0 || cc < 0 || cp < 0) {
		err_fail(err, errsz, status, EXIT_DATAERR, "%s:1: needs columns "
		    "scenario,channel,change", csv_name(r));
		csv_close(r);
		return -1;
	}
	while ((got = csv_next(r, &rec, err, errsz, status)) > 0) {
		const char *nm = rec.f[cs];
		size_t nl = rec.len[cs], i;
		long c = alloc_channel(in, rec.f[cc], rec.len[cc]);
		double v;
		if (c < 0) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
			    "column \"channel\": \"%s\" is not a channel of %s",
			    csv_name(r), rec.line, msg_field(buf, rec.f[cc],
			    rec.len[cc]), in->source);
			goto fail;
		}
		if (parse_pct(rec.f[cp], rec.len[cp], &v) < 0) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s:%ld: "
			    "column \"change\": \"%s\" is not a change in "
			    "percent (at least -100)", csv_name(r), rec.line,
			    msg_field(buf, rec.f[cp], rec.len[cp]));
			goto fail;
		}
		for (i = 0; i < n; i++)
			if (strlen(sc[i].name) == nl && !memcmp(sc[i].name, nm,
			    nl))
				break;
		if (i == n) {
			sc = ereallocarray(sc, n + 1, sizeof *sc);
			sc[n].name = estrndup(nm, nl);
			sc[n].mult = emalloc((in->k ? in->k : 1) *
			    sizeof *sc[n].mult);
			for (size_t j = 0; j < in->k; j++)
				sc[n].mult[j] = 1;
			n++;
		}
		sc[i].mult[c] = 1 + v / 100;
	}
	if (got < 0)
		goto fail;
	csv_close(r);
	*scp = sc;
	*np = n;
	return 0;
fail:
	csv_close(r);
	alloc_scenarios_free(sc, n);
	return -1;
}

void
alloc_scenarios_free(alloc_scenario *sc, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(sc[i].name);
		free(sc[i].mult);
	}
	free(sc);
}

/* One scenario's object; base: the current plan's mean and spend (NAN
 * for the current plan itself). */
static void
scenario_obj(jsonw *w, const char *name, const double *x, size_t k,
    const alloc_curve *draws, size_t ndraw, double *y, double aov,
    double base_spend, double base_mean, double *spend_out,
    double *mean_out)
{
	double spend = 0, mean = 0, var = 0;

	for (size_t c = 0; c < k; c++)
		spend += x[c];
	alloc_sim_responses(draws, ndraw, k, x, y);
	for (size_t d = 0; d < ndraw; d++)
		mean += y[d];
	mean /= (double)ndraw;
	for (size_t d = 0; d < ndraw; d++)
		var += (y[d] - mean) * (y[d] - mean);
	var = ndraw > 1 ? var / (double)(ndraw - 1) : 0;
	jw_obj(w);
	jw_kv_str(w, "name", name);
	jw_kv_num(w, "spend", spend);
	jw_kv_num(w, "revenue_mean", mean);
	jw_kv_num(w, "revenue_se", sqrt(var / (double)ndraw));
	jw_kv_num(w, "revenue_p5", alloc_quantile(y, ndraw, 0.05));
	jw_kv_num(w, "revenue_p95", alloc_quantile(y, ndraw, 0.95));
	jw_kv_num(w, "roas", spend > 0 ? mean / spend : NAN);
	jw_kv_num(w, "mroas", isnan(base_spend) || spend == base_spend ? NAN :
	    (mean - base_mean) / (spend - base_spend));
	if (aov > 0)
		jw_kv_num(w, "conversions", mean / aov);
	jw_obj_end(w);
	*spend_out = spend;
	*mean_out = mean;
}

void
alloc_sim_write(jsonw *w, const alloc_input *in, const alloc_curve *draws,
    size_t ndraw, const alloc_scenario *sc, size_t nsc, double aov)
{
	size_t k = in->k;
	double *y = emalloc((ndraw ? ndraw : 1) * sizeof *y);
	double *x = emalloc((k ? k : 1) * sizeof *x);
	double bs, bm, s, m;

	jw_key(w, "scenarios");
	jw_arr(w);
	scenario_obj(w, "current", in->current, k, draws, ndraw, y, aov, NAN,
	    NAN, &bs, &bm);
	for (size_t i = 0; i < nsc; i++) {
		for (size_t c = 0; c < k; c++)
			x[c] = in->current[c] * sc[i].mult[c];
		scenario_obj(w, sc[i].name, x, k, draws, ndraw, y, aov, bs, bm,
		    &s, &m);
	}
	jw_arr_end(w);
	free(x);
	free(y);
}
