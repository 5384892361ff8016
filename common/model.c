/* model.c: the model file (mmm-model(5)): writing, reading, the registry.
 * Fitting is in modelfit.c, so that readers do not link the fitters. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "date.h"
#include "err.h"
#include "model.h"
#include "out.h"
#include "split.h"

const char *const model_kinds[MODEL_NKINDS] = { "ols", "ridge", "bayes",
	"mmm" };

int
model_kind(const char *s)
{
	for (int i = 0; i < MODEL_NKINDS; i++)
		if (strcmp(s, model_kinds[i]) == 0)
			return i;
	return -1;
}

static void
day_str(jsonw *w, long day)
{
	char buf[16];

	date_format(day, buf);
	jw_str(w, buf);
}

static void
metrics_obj(jsonw *w, const double v[METRICS_N])
{
	jw_obj(w);
	for (int m = 0; m < METRICS_N; m++)
		jw_kv_num(w, metrics_names[m], v[m]);
	jw_obj_end(w);
}

/* A k x k row-major matrix as an array of rows. */
static void
matrix(jsonw *w, const double *a, size_t k)
{
	jw_arr(w);
	for (size_t i = 0; i < k; i++) {
		jw_arr(w);
		for (size_t j = 0; j < k; j++)
			jw_num(w, a[i * k + j]);
		jw_arr_end(w);
	}
	jw_arr_end(w);
}

static void
coef_names(jsonw *w, const model_doc *m)
{
	jw_arr(w);
	if (m->spec->intercept)
		jw_str(w, "intercept");
	for (size_t j = 0; j < m->data->p; j++)
		jw_str(w, m->data->names[j]);
	jw_arr_end(w);
}

static void
ols_stats(jsonw *w, const model_doc *m)
{
	const ols_result *r = m->fit->ols;
	size_t ic = r->intercept ? 1 : 0;

	jw_obj(w);
	jw_kv_num(w, "level", r->level);
	jw_key(w, "coefficients");
	jw_obj(w);
	for (size_t j = 0; j < r->k; j++) {
		jw_key(w, j < ic ? "intercept" : m->data->names[j - ic]);
		jw_obj(w);
		jw_kv_num(w, "coef", r->coef[j]);
		jw_kv_num(w, "se", r->se[j]);
		jw_kv_num(w, "t", r->t[j]);
		jw_kv_num(w, "p", r->pval[j]);
		jw_kv_num(w, "ci_lo", r->ci_lo[j]);
		jw_kv_num(w, "ci_hi", r->ci_hi[j]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_kv_num(w, "r2", r->r2);
	jw_kv_num(w, "r2_adj", r->r2_adj);
	jw_kv_num(w, "f", r->fvalue);
	jw_kv_num(w, "f_pval", r->f_pval);
	jw_kv_num(w, "llf", r->llf);
	jw_kv_num(w, "aic", r->aic);
	jw_kv_num(w, "bic", r->bic);
	jw_kv_num(w, "durbin_watson", r->dw);
	jw_key(w, "jarque_bera");
	jw_obj(w);
	jw_kv_num(w, "statistic", r->jb);
	jw_kv_num(w, "p", r->jb_pval);
	jw_kv_num(w, "skew", r->skew);
	jw_kv_num(w, "kurtosis", r->kurtosis);
	jw_obj_end(w);
	jw_kv_num(w, "condition_number", r->cond);
	jw_key(w, "vif");
	jw_obj(w);
	for (size_t j = 0; j < r->p; j++)
		jw_kv_num(w, m->data->names[j], r->vif[j]);
	jw_obj_end(w);
	jw_kv_num(w, "sigma", r->sigma);
	jw_kv_num(w, "ssr", r->ssr);
	jw_kv_num(w, "nobs", r->nobs);
	jw_kv_num(w, "df_model", r->df_model);
	jw_kv_num(w, "df_resid", r->df_resid);
	jw_obj_end(w);
}

static void
stats_and_cov(jsonw *w, const model_doc *m)
{
	const model_fit *f = m->fit;

	if (f->kind == MODEL_OLS) {
		jw_key(w, "covariance");
		jw_obj(w);
		jw_key(w, "names");
		coef_names(w, m);
		jw_key(w, "matrix");
		matrix(w, f->ols->cov, f->ols->k);
		jw_kv_num(w, "sigma", f->ols->sigma);
		jw_kv_num(w, "df_resid", f->ols->df_resid);
		jw_obj_end(w);
		jw_key(w, "statistics");
		ols_stats(w, m);
	} else if (f->kind == MODEL_BAYES) {
		jw_key(w, "covariance");
		jw_obj(w);
		jw_key(w, "names");
		jw_arr(w);
		for (size_t j = 0; j < f->p; j++)
			jw_str(w, m->data->names[j]);
		jw_arr_end(w);
		jw_key(w, "matrix");
		matrix(w, f->br.sigma, f->p);
		jw_kv_num(w, "alpha", f->br.alpha);
		jw_obj_end(w);
		jw_key(w, "statistics");
		jw_obj(w);
		jw_kv_num(w, "alpha", f->br.alpha);
		jw_kv_num(w, "lambda", f->br.lambda);
		jw_key(w, "n_iter");
		jw_int(w, f->br.n_iter);
		jw_obj_end(w);
	} else {
		jw_key(w, "statistics");
		jw_obj(w);
		jw_kv_num(w, "lambda", f->lambda);
		if (f->ngrid) {
			jw_key(w, "lambda_path");
			jw_obj(w);
			jw_key(w, "lambda");
			jw_arr(w);
			for (size_t i = 0; i < f->ngrid; i++)
				jw_num(w, f->grid[i]);
			jw_arr_end(w);
			jw_key(w, "loo_mse");
			jw_arr(w);
			for (size_t i = 0; i < f->ngrid; i++)
				jw_num(w, f->loo[i]);
			jw_arr_end(w);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
}

static void
cv_obj(jsonw *w, const model_cv *cv)
{
	double v[METRICS_N];

	jw_obj(w);
	jw_key(w, "folds");
	jw_int(w, (long long)cv->k);
	jw_key(w, "per_fold");
	jw_arr(w);
	for (size_t f = 0; f < cv->k; f++) {
		jw_obj(w);
		jw_key(w, "train_rows");
		jw_int(w, (long long)cv->ntrain[f]);
		jw_key(w, "valid_rows");
		jw_int(w, (long long)cv->nvalid[f]);
		jw_key(w, "valid_range");
		jw_arr(w);
		day_str(w, cv->range[f][0]);
		day_str(w, cv->range[f][1]);
		jw_arr_end(w);
		metrics_values(&cv->fold[f], v);
		for (int k = 0; k < METRICS_N; k++)
			jw_kv_num(w, metrics_names[k], v[k]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "mean");
	metrics_obj(w, cv->mean);
	jw_key(w, "sd");
	metrics_obj(w, cv->sd);
	jw_obj_end(w);
}

static void
options_obj(jsonw *w, const model_doc *m)
{
	const model_spec *s = m->spec;

	jw_obj(w);
	jw_kv_str(w, "model", model_kinds[s->kind]);
	jw_key(w, "intercept");
	jw_bool(w, s->intercept);
	jw_kv_str(w, "weights", m->weights);
	jw_kv_str(w, "date", m->date_col);
	jw_key(w, "drop_missing");
	jw_bool(w, m->drop_missing);
	jw_key(w, "cv");
	if (m->cv)
		jw_int(w, (long long)m->cv->k);
	else
		jw_null(w);
	if (s->kind == MODEL_OLS)
		jw_kv_num(w, "level", s->level);
	if (s->kind == MODEL_RIDGE) {
		jw_key(w, "lambda");
		if (isnan(s->lambda))
			jw_str(w, "auto");
		else
			jw_num(w, s->lambda);
		jw_key(w, "positive");
		jw_arr(w);
		for (size_t j = 0; s->positive && j < m->data->p; j++)
			if (s->positive[j])
				jw_str(w, m->data->names[j]);
		jw_arr_end(w);
	}
	if (s->kind == MODEL_BAYES) {
		jw_key(w, "max_iter");
		jw_int(w, s->bayes.max_iter);
		jw_kv_num(w, "tol", s->bayes.tol);
		jw_kv_num(w, "alpha_1", s->bayes.alpha_1);
		jw_kv_num(w, "alpha_2", s->bayes.alpha_2);
		jw_kv_num(w, "lambda_1", s->bayes.lambda_1);
		jw_kv_num(w, "lambda_2", s->bayes.lambda_2);
	}
	jw_obj_end(w);
}

void
model_write(jsonw *w, const model_doc *m)
{
	const model_data *d = m->data;
	double v[METRICS_N];

	jw_obj(w);
	jw_kv_str(w, "format", MODEL_FORMAT);
	jw_key(w, "format_version");
	jw_int(w, MODEL_FORMAT_VERSION);
	jw_kv_str(w, "kind", model_kinds[m->spec->kind]);
	jw_kv_str(w, "version", m->version);
	jw_kv_str(w, "created", m->created);
	jw_kv_str(w, "target", m->target);
	jw_key(w, "features");
	jw_arr(w);
	for (size_t j = 0; j < d->p; j++)
		jw_str(w, d->names[j]);
	jw_arr_end(w);
	jw_key(w, "coefficients");
	jw_obj(w);
	if (m->spec->intercept)
		jw_kv_num(w, "intercept", m->fit->intercept);
	for (size_t j = 0; j < d->p; j++)
		jw_kv_num(w, d->names[j], m->fit->coef[j]);
	jw_obj_end(w);
	stats_and_cov(w, m);
	if (m->extra) {
		jw_key(w, model_kinds[m->spec->kind]);
		m->extra(w, m->extra_ctx);
	}
	jw_key(w, "metrics");
	jw_obj(w);
	jw_key(w, "train");
	metrics_values(m->train, v);
	metrics_obj(w, v);
	jw_key(w, "cv");
	if (m->cv)
		cv_obj(w, m->cv);
	else
		jw_null(w);
	jw_key(w, "valid");
	if (m->valid) {
		metrics_values(m->valid, v);
		metrics_obj(w, v);
	} else {
		jw_null(w);
	}
	jw_obj_end(w);
	jw_key(w, "gates");
	jw_obj(w);
	for (size_t g = 0; g < m->ngates; g++) {
		jw_key(w, m->gates[g].name);
		jw_obj(w);
		jw_kv_str(w, "on", m->gates[g].what);
		jw_kv_num(w, "value", m->gates[g].value);
		jw_kv_num(w, "threshold", m->gates[g].threshold);
		jw_key(w, "pass");
		jw_bool(w, m->gates[g].pass);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "data");
	jw_obj(w);
	jw_kv_str(w, "input", m->input);
	jw_key(w, "rows");
	jw_int(w, (long long)d->n);
	jw_key(w, "rows_read");
	jw_int(w, (long long)m->rows_read);
	/* The baseline of the lift metric, for mmm-predict. */
	double ybar = 0;
	for (size_t i = 0; i < d->n; i++)
		ybar += d->y[i];
	jw_kv_num(w, "target_mean", d->n ? ybar / (double)d->n : NAN);
	jw_kv_str(w, "sha256", m->sha256);
	jw_key(w, "date_range");
	if (m->date_col && d->n) {
		jw_arr(w);
		day_str(w, m->first_day);
		day_str(w, m->last_day);
		jw_arr_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "valid");
	if (m->valid) {
		jw_obj(w);
		jw_kv_str(w, "input", m->valid_input);
		jw_key(w, "rows");
		jw_int(w, (long long)m->valid_rows);
		jw_key(w, "rows_read");
		jw_int(w, (long long)m->valid_rows_read);
		jw_kv_str(w, "sha256", m->valid_sha256);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_obj_end(w);
	jw_key(w, "profile");
	jw_obj(w);
	for (size_t j = 0; j < d->p; j++) {
		const model_profile *pr = &m->profile[j];
		jw_key(w, d->names[j]);
		jw_obj(w);
		jw_kv_num(w, "mean", pr->mean);
		jw_kv_num(w, "sd", pr->sd);
		jw_kv_num(w, "min", pr->min);
		jw_kv_num(w, "max", pr->max);
		jw_kv_num(w, "missing", pr->missing);
		if (pr->ncats) {
			jw_key(w, "categories");
			jw_arr(w);
			for (size_t k = 0; k < pr->ncats; k++)
				jw_num(w, pr->cats[k]);
			jw_arr_end(w);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "options");
	options_obj(w, m);
	jw_obj_end(w);
	jw_end(w);
}

/* --- reading ------------------------------------------------------------ */

void
model_write_file(const char *path, const model_doc *m)
{
	out *o = out_open(path);
	jsonw w;

	jw_init(&w, o, 1);
	model_write(&w, m);
	out_commit(o);
}

int
model_register(const char *dir, const char *name, const model_doc *m,
    char *err, size_t errsz, int *status)
{
	char *file, *path, *link, *tmp;
	int rc = 0;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		snprintf(err, errsz, "%s: cannot create: %s", dir,
		    strerror(errno));
		*status = EXIT_CANTCREAT;
		return -1;
	}
	file = efmt("%s-%s.json", name, m->version);
	path = efmt("%s/%s", dir, file);
	link = efmt("%s/%s-current.json", dir, name);
	tmp = efmt("%s/.%s-current.json.%ld", dir, name, (long)getpid());
	model_write_file(path, m);
	unlink(tmp);
	if (symlink(file, tmp) < 0 || rename(tmp, link) < 0) {
		int saved = errno;
		unlink(tmp);
		snprintf(err, errsz, "%s: cannot link: %s", link,
		    strerror(saved));
		*status = EXIT_CANTCREAT;
		rc = -1;
	}
	free(file);
	free(path);
	free(link);
	free(tmp);
	return rc;
}

int
model_version_ok(const char *s)
{
	long d, sec;
	int hh, mm;

	return strlen(s) == 15 && date_parse(s, 10, &d, &sec) >= 0 &&
	    s[10] == '-' && sscanf(s + 11, "%2d%2d", &hh, &mm) == 2 &&
	    hh <= 23 && mm <= 59 && strchr("012", s[11]);
}

void
model_stamps(const char *now, char version[32], char created[32])
{
	time_t t = time(NULL);
	struct tm tm;

	if (now) {
		snprintf(version, 32, "%s", now);
		snprintf(created, 32, "%.10sT%.2s:%.2s:00Z", now, now + 11,
		    now + 13);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(version, 32, "%Y-%m-%d-%H%M", &tm);
	strftime(created, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
bad(char *err, size_t errsz, const char *path, const char *why)
{
	snprintf(err, errsz, "%s: not a usable model file: %s", path, why);
	return EXIT_DATAERR;
}

int
model_read(const char *path, model_file *m, char *err, size_t errsz)
{
	json_error_t je;
	json_t *root, *v, *feats, *coefs;
	FILE *fp;
	char why[300];

	memset(m, 0, sizeof *m);
	if (!(fp = fopen(path, "r"))) {
		snprintf(err, errsz, "%s: cannot open: %s", path,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
	fclose(fp);
	if (!root) {
		snprintf(err, errsz, "%s:%d: not a usable model file: %s",
		    path, je.line, je.text);
		return EXIT_DATAERR;
	}
	m->root = root;
	if (!json_is_object(root))
		return bad(err, errsz, path, "not a JSON object");
	v = json_object_get(root, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), MODEL_FORMAT))
		return bad(err, errsz, path, "\"format\" is not \"mmm-model\"");
	v = json_object_get(root, "format_version");
	if (!json_is_integer(v))
		return bad(err, errsz, path, "no integer \"format_version\"");
	if (json_integer_value(v) != MODEL_FORMAT_VERSION) {
		snprintf(why, sizeof why, "format_version %lld is unknown "
		    "(this mmm reads %d)", (long long)json_integer_value(v),
		    MODEL_FORMAT_VERSION);
		return bad(err, errsz, path, why);
	}
	v = json_object_get(root, "kind");
	if (!json_is_string(v))
		return bad(err, errsz, path, "no string \"kind\"");
	if ((m->kind = model_kind(json_string_value(v))) < 0) {
		snprintf(why, sizeof why, "kind \"%.40s\" is unknown (known: "
		    "ols, ridge, bayes)", json_string_value(v));
		return bad(err, errsz, path, why);
	}
	v = json_object_get(root, "target");
	if (!json_is_string(v))
		return bad(err, errsz, path, "no string \"target\"");
	m->target = json_string_value(v);
	v = json_object_get(root, "version");
	m->version = json_is_string(v) ? json_string_value(v) : NULL;
	feats = json_object_get(root, "features");
	coefs = json_object_get(root, "coefficients");
	if (!json_is_array(feats))
		return bad(err, errsz, path, "no array \"features\"");
	if (!json_is_object(coefs))
		return bad(err, errsz, path, "no object \"coefficients\"");
	m->p = json_array_size(feats);
	m->features = ecalloc(m->p + 1, sizeof *m->features);
	m->coef = ecalloc(m->p + 1, sizeof *m->coef);
	for (size_t j = 0; j < m->p; j++) {
		json_t *f = json_array_get(feats, j), *c;
		if (!json_is_string(f))
			return bad(err, errsz, path, "a feature name is not a "
			    "string");
		m->features[j] = json_string_value(f);
		c = json_object_get(coefs, m->features[j]);
		if (!json_is_number(c) || !isfinite(json_number_value(c))) {
			snprintf(why, sizeof why, "no numeric coefficient for "
			    "feature \"%.40s\"", m->features[j]);
			return bad(err, errsz, path, why);
		}
		m->coef[j] = json_number_value(c);
	}
	v = json_object_get(coefs, "intercept");
	if (v && !json_is_number(v))
		return bad(err, errsz, path, "the intercept is not a number");
	m->has_intercept = v != NULL;
	m->intercept = v ? json_number_value(v) : 0;
	if (json_object_size(coefs) != m->p + (size_t)m->has_intercept)
		return bad(err, errsz, path, "\"coefficients\" and "
		    "\"features\" do not match");
	/* metrics.valid (--valid) is absent in older files, null without
	 * held-out rows, else the metrics of metrics.train. */
	v = json_object_get(json_object_get(root, "metrics"), "valid");
	if (v && !json_is_null(v)) {
		if (!json_is_object(v))
			return bad(err, errsz, path, "\"metrics.valid\" is "
			    "not an object or null");
		for (int k = 0; k < METRICS_N; k++) {
			json_t *x = json_object_get(v, metrics_names[k]);
			if (x && !json_is_number(x) && !json_is_null(x)) {
				snprintf(why, sizeof why, "\"metrics.valid."
				    "%s\" is not a number", metrics_names[k]);
				return bad(err, errsz, path, why);
			}
		}
	}
	return 0;
}

void
model_file_free(model_file *m)
{
	free(m->features);
	free(m->coef);
	json_decref(m->root);
	memset(m, 0, sizeof *m);
}
