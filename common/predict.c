/* predict.c: a model applied to CSV rows, streamed: predictions, intervals,
 * contributions, metrics, model and input drift. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "cli.h"
#include "err.h"
#include "mmmdraws.h"
#include "mmmpredict.h"
#include "num.h"
#include "predict.h"

struct predictor {
	const model_file *m;
	predict_input in;	/* borrowed: the input's name and columns */
	predict_conf c;
	size_t p, k;		/* features; k = p + intercept (OLS cov) */
	size_t *fcol;		/* p: input column of each feature */
	long tcol;		/* target column, or -1 */
	size_t *keep, nkeep;
	int interval;		/* lower/upper columns written */
	int has_iv;		/* the model gives intervals */
	double *cov;		/* OLS: k x k (intercept first); bayes: p x p */
	double *chol;		/* its Cholesky factor, rows kp apart, or NULL
				 * when not positive definite */
	size_t kp;		/* k rounded up to even */
	double sigma2;		/* OLS: sigma^2; bayes: 1 / alpha */
	double q;		/* t or normal quantile */
	double *x, *contrib;	/* p: the current row */
	const char **kf;	/* nkeep: the current row's kept fields */
	size_t *kl;
	double *xx;		/* k: the row with its leading 1 (OLS) */
	/* an mmm model: its features made from each row, and the inputs
	 * they come from (for the drift of spend) */
	mmm_rows *mm;
	double *raw;
	mmm_draws *dr;		/* a bayes mmm model's draws (intervals) */
	/* Above: read by predict_parse on the reading thread; below: written
	 * for every row by predict_emit on the other.  A cache line apart,
	 * so the writes do not evict what the reader reads. */
	char apart[64];
	size_t rows, nmiss;
	long first_miss;
	jsonw jw;
	/* metrics: running sums over rows with y and a prediction */
	size_t mn, nape, ymissing;
	double ymean, m2, sse, bse, sae, ape, sape, ylo, yhi, base;
	/* input drift: running means of each feature */
	size_t *dn;
	double *dsum;		/* sums of x - shift: a division per row and
				 * feature cost 10% of the time */
	double *dshift, *pmean, *psd;
	unsigned char *hasprof;
	/* new categories: feature j's sorted training values cat[j][0, ncat[j])
	 * (ncat 0: not a category), and the line and value of the first value
	 * not among them (newline 0: none yet) */
	double **cat;
	size_t *ncat;
	long *newline;
	double *newval;
};

/* Column index of name in the input, or -1. */
static long
col_of(const predict_input *in, const char *name)
{
	for (size_t i = 0; i < in->ncols; i++)
		if (strcmp(in->names[i], name) == 0)
			return (long)i;
	return -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static const char *const outnames[] = { "prediction", "lower", "upper",
	"intercept" };

/* A square matrix of names[] x names[] from the model's covariance object,
 * reordered to want[0..k) (NULL entries: "intercept").  0 or -1. */
static int
read_cov(json_t *cov, const char *const *want, size_t k, double *out)
{
	json_t *names = json_object_get(cov, "names");
	json_t *mat = json_object_get(cov, "matrix");
	size_t pos[k];

	if (!json_is_array(names) || !json_is_array(mat) ||
	    json_array_size(names) != k || json_array_size(mat) != k)
		return -1;
	for (size_t a = 0; a < k; a++) {
		size_t b;
		for (b = 0; b < k; b++) {
			json_t *nm = json_array_get(names, b);
			if (json_is_string(nm) &&
			    strcmp(json_string_value(nm), want[a]) == 0)
				break;
		}
		if (b == k)
			return -1;
		pos[a] = b;
	}
	for (size_t a = 0; a < k; a++) {
		json_t *row = json_array_get(mat, pos[a]);
		if (!json_is_array(row) || json_array_size(row) != k)
			return -1;
		for (size_t b = 0; b < k; b++) {
			json_t *v = json_array_get(row, pos[b]);
			if (!json_is_number(v) || !isfinite(json_number_value(v)))
				return -1;
			out[a * k + b] = json_number_value(v);
		}
	}
	return 0;
}

static double
num_member(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

typedef double v2d __attribute__((vector_size(16)));

/* c (k x k) = L L': L lower triangular into l, rows kp apart, zeros
 * above the diagonal; -1 when c is not positive definite. */
static int
cholesky(const double *c, size_t k, size_t kp, double *l)
{
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j <= i; j++) {
			double s = c[i * k + j];
			for (size_t m = 0; m < j; m++)
				s -= l[i * kp + m] * l[j * kp + m];
			if (i > j)
				l[i * kp + j] = s / l[j * kp + j];
			else if (s > 0)
				l[i * kp + i] = sqrt(s);
			else
				return -1;
		}
	return 0;
}

/* The interval's covariance and quantile; 0, or -1 with err set. */
static int
setup_interval(predictor *p, char *err, size_t errsz, int *status)
{
	const model_file *m = p->m;
	json_t *cov = json_object_get(m->root, "covariance");
	const char **want;
	double level = p->c.interval;

	if (m->kind == MODEL_RIDGE)
		return 0;
	if (m->kind == MODEL_MMM) {
		/* Only the Bayesian method keeps what an interval needs. */
		if (mmm_draws_new(&p->dr, m->root, m->features, m->p,
		    p->c.model_name, err, errsz, status) < 0)
			return -1;
		p->has_iv = p->dr != NULL;
		return 0;
	}
	p->has_iv = 1;
	p->k = m->kind == MODEL_OLS ? p->p + (size_t)m->has_intercept : p->p;
	want = ecalloc(p->k + 1, sizeof *want);
	size_t off = 0;
	if (m->kind == MODEL_OLS && m->has_intercept)
		want[off++] = "intercept";
	for (size_t j = 0; j < p->p; j++)
		want[off + j] = m->features[j];
	p->cov = ecalloc(p->k * p->k + 1, sizeof *p->cov);
	int bad = !json_is_object(cov) || read_cov(cov, want, p->k, p->cov);
	free(want);
	if (!bad && m->kind == MODEL_OLS) {
		double s = num_member(cov, "sigma"), df = num_member(cov,
		    "df_resid");
		bad = !(s >= 0 && df > 0);
		p->sigma2 = s * s;
		if (!bad)
			p->q = gsl_cdf_tdist_Qinv((1 - level) / 2, df);
	} else if (!bad) {
		double a = num_member(cov, "alpha");
		bad = !(a > 0);
		p->sigma2 = 1 / a;
		p->q = gsl_cdf_ugaussian_Qinv((1 - level) / 2);
	}
	if (bad)
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s: not a usable "
		    "model file: no valid \"covariance\" for intervals%s",
		    p->c.model_name, "");
	p->kp = (p->k + 1) & ~(size_t)1;
	p->chol = ecalloc(p->k * p->kp + 1, sizeof *p->chol);
	if (p->k == 0 || cholesky(p->cov, p->k, p->kp, p->chol) < 0) {
		free(p->chol);
		p->chol = NULL;
	}
	return 0;
}

/* Profile means and sds, and the training mean of the target. */
static void
setup_profile(predictor *p)
{
	json_t *prof = json_object_get(p->m->root, "profile");
	int all = p->m->has_intercept;
	double base = p->m->intercept;

	for (size_t j = 0; j < p->p; j++) {
		json_t *f = json_object_get(prof, p->m->features[j]);
		p->pmean[j] = num_member(f, "mean");
		p->psd[j] = num_member(f, "sd");
		p->hasprof[j] = isfinite(p->pmean[j]) && isfinite(p->psd[j]);
		all = all && p->hasprof[j];
		/* Sums centred on the training mean lose no digits. */
		p->dshift[j] = p->hasprof[j] ? p->pmean[j] : 0;
		base += p->m->coef[j] * p->pmean[j];
		/* Older model files have no categories: nothing to check. */
		json_t *cats = json_object_get(f, "categories"), *v;
		size_t k, n = json_array_size(cats);
		if (!n)
			continue;
		p->cat[j] = ecalloc(n, sizeof **p->cat);
		json_array_foreach(cats, k, v)
			if (json_is_number(v))
				p->cat[j][p->ncat[j]++] = json_number_value(v);
		if (p->ncat[j] < n)
			p->ncat[j] = 0;	/* not a list of numbers: unused */
		qsort(p->cat[j], p->ncat[j], sizeof **p->cat, cmp_double);
	}
	p->base = all ? base : NAN;
	/* Models that record it carry the exact baseline: the training mean
	 * of the target (with weights or dropped rows the above is only
	 * close to it). */
	double tm = num_member(json_object_get(p->m->root, "data"),
	    "target_mean");
	if (isfinite(tm))
		p->base = tm;
}

/* The keep columns: conf's list, or the model's date column, or "date". */
static int
setup_keep(predictor *p, char *err, size_t errsz, int *status)
{
	const char *const *names = p->in.names;
	size_t n = p->in.ncols;
	size_t *by = NULL, nby = 0;
	char msg[512];

	/* --by columns are key columns: rows are independent, so they are
	 * only kept, and must be there. */
	if (p->c.by && *p->c.by && cols_resolve(p->c.by, names, n, 0, &by,
	    &nby, msg, sizeof msg) < 0) {
		free(by);
		return err_fail(err, errsz, status, EXIT_DATAERR, "%s: --by: %s",
		    p->in.name, msg);
	}
	if (p->c.keep) {
		free(by);
		if (*p->c.keep && cols_resolve(p->c.keep, names, n, 0, &p->keep,
		    &p->nkeep, err, errsz) < 0) {
			*status = EXIT_USAGE;
			return -1;
		}
	} else {
		json_t *o = json_object_get(p->m->root, "options");
		json_t *d = json_object_get(o, "date");
		const char *dc = json_is_string(d) ? json_string_value(d) :
		    "date";
		long i = col_of(&p->in, dc);
		p->keep = emalloc((nby + 1) * sizeof *p->keep);
		if (i >= 0)
			p->keep[p->nkeep++] = (size_t)i;
		for (size_t a = 0; a < nby; a++)
			if ((long)by[a] != i)
				p->keep[p->nkeep++] = by[a];
		free(by);
	}
	/* Output names must be unique, or CSV readers and jq lose one. */
	for (size_t a = 0; a < p->nkeep; a++) {
		const char *nm = names[p->keep[a]];
		int clash = 0;
		for (size_t b = 0; b < 4; b++)
			clash |= strcmp(nm, outnames[b]) == 0 && (b == 0 ||
			    (b < 3 && p->interval) || (b == 3 &&
			    p->c.contributions));
		for (size_t j = 0; p->c.contributions && j < p->p; j++)
			clash |= strcmp(nm, p->m->features[j]) == 0;
		if (clash)
			return err_fail(err, errsz, status, EXIT_USAGE, "--keep: "
			    "column \"%s\" clashes with an output column%s", nm,
			    "");
	}
	return 0;
}

predictor *
predict_new(const model_file *m, const predict_input *in,
    const predict_conf *c,
    char *err, size_t errsz, int *status)
{
	predictor *p = ecalloc(1, sizeof *p);

	p->m = m;
	p->in = *in;
	p->c = *c;
	p->p = m->p;
	p->interval = c->interval > 0;
	p->fcol = ecalloc(p->p + 1, sizeof *p->fcol);
	p->x = ecalloc(p->p + 1, sizeof *p->x);
	p->xx = ecalloc(p->p + 2, sizeof *p->xx);	/* k <= p + 1 */
	p->contrib = ecalloc(p->p + 1, sizeof *p->contrib);
	p->dn = ecalloc(p->p + 1, sizeof *p->dn);
	p->dsum = ecalloc(p->p + 1, sizeof *p->dsum);
	p->dshift = ecalloc(p->p + 1, sizeof *p->dshift);
	p->pmean = ecalloc(p->p + 1, sizeof *p->pmean);
	p->psd = ecalloc(p->p + 1, sizeof *p->psd);
	p->hasprof = ecalloc(p->p + 1, 1);
	p->cat = ecalloc(p->p + 1, sizeof *p->cat);
	p->ncat = ecalloc(p->p + 1, sizeof *p->ncat);
	p->newline = ecalloc(p->p + 1, sizeof *p->newline);
	p->newval = ecalloc(p->p + 1, sizeof *p->newval);
	p->ylo = INFINITY;
	p->yhi = -INFINITY;
	if (mmm_rows_new(&p->mm, m->root, m->features, m->p, in->name,
	    in->names, in->ncols, err, errsz, status) < 0) {
		predict_free(p);
		return NULL;
	}
	p->raw = ecalloc(p->p + 1, sizeof *p->raw);
	for (size_t j = 0; j < p->p; j++) {
		long i = p->mm ? mmm_rows_col(p->mm, j) : col_of(in,
		    m->features[j]);
		if (p->mm) {
			/* a term made from the date has no column */
			p->fcol[j] = i < 0 ? (size_t)-1 : (size_t)i;
			continue;
		}
		if (i < 0) {
			err_fail(err, errsz, status, EXIT_DATAERR, "%s: column \"%s\" "
			    "the model needs is missing", in->name,
			    m->features[j]);
			predict_free(p);
			return NULL;
		}
		p->fcol[j] = (size_t)i;
	}
	p->tcol = col_of(in, m->target);
	setup_profile(p);
	for (size_t j = 0; p->mm && j < p->p; j++)
		if (p->fcol[j] == (size_t)-1)	/* trend and season move */
			p->hasprof[j] = 0, p->ncat[j] = 0;
	if (setup_keep(p, err, errsz, status) < 0 || (p->interval &&
	    setup_interval(p, err, errsz, status) < 0)) {
		predict_free(p);
		return NULL;
	}
	p->kf = ecalloc(p->nkeep + 1, sizeof *p->kf);
	p->kl = ecalloc(p->nkeep + 1, sizeof *p->kl);
	return p;
}

void
predict_free(predictor *p)
{
	if (!p)
		return;
	free(p->fcol);
	free(p->keep);
	free(p->cov);
	free(p->chol);
	free(p->x);
	free(p->xx);
	free(p->contrib);
	free(p->dn);
	free(p->dsum);
	free(p->dshift);
	free(p->pmean);
	free(p->psd);
	free(p->hasprof);
	for (size_t j = 0; j < p->p; j++)
		free(p->cat[j]);
	free(p->cat);
	free(p->ncat);
	free(p->newline);
	free(p->newval);
	free(p->raw);
	free(p->kf);
	free(p->kl);
	mmm_rows_free(p->mm);
	mmm_draws_free(p->dr);
	free(p);
}

int
predict_has_interval(const predictor *p)
{
	if (p->m->kind == MODEL_MMM)
		return p->dr != NULL;
	return p->m->kind != MODEL_RIDGE;
}

int
predict_has_target(const predictor *p)
{
	return p->tcol >= 0;
}

size_t
predict_rows(const predictor *p)
{
	return p->rows;
}

size_t
predict_missing(const predictor *p, long *first_line)
{
	*first_line = p->first_miss;
	return p->nmiss;
}

void
predict_header(predictor *p, out *o)
{
	const char *const *names = p->in.names;

	if (p->c.jsonl)
		return;
	for (size_t a = 0; a < p->nkeep; a++) {
		const char *nm = names[p->keep[a]];
		csv_write_field(o, nm, strlen(nm));
		out_putc(o, ',');
	}
	out_str(o, "prediction");
	if (p->interval)
		out_str(o, ",lower,upper");
	if (p->c.contributions) {
		out_str(o, ",intercept");
		for (size_t j = 0; j < p->p; j++) {
			out_putc(o, ',');
			csv_write_field(o, p->m->features[j],
			    strlen(p->m->features[j]));
		}
	}
	out_putc(o, '\n');
}

/* One computed field: CSV (with its leading comma) or a JSON member. */
static void
put(predictor *p, out *o, const char *key, double v)
{
	if (p->c.jsonl) {
		jw_key(&p->jw, key);
		jw_num(&p->jw, v);
	} else {
		out_putc(o, ',');
		out_num(o, v);
	}
}

/* Parse field i of rec: 1 a number, 0 missing, -1 not a number.  Numbers
 * first: they are the common case. */
static int
field_num(const csv_record *rec, size_t i, double *v)
{
	if (num_parse(rec->f[i], rec->len[i], v) == 0)
		return isfinite(*v) ? 1 : -1;
	return csv_is_missing(rec->f[i], rec->len[i]) ? 0 : -1;
}

/* Is x among feature j's categories?  Inline: a call per row costs. */
static int
is_cat(const predictor *p, size_t j, double x)
{
	const double *c = p->cat[j];
	size_t lo = 0, hi = p->ncat[j];

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->ncat[j] && c[lo] == x;
}

static int
not_number(const predictor *p, const csv_record *rec, size_t col, char *err,
    size_t errsz)
{
	char buf[MSGFIELD_SIZE];

	snprintf(err, errsz, "%s:%ld: column \"%s\": \"%s\" is not a number",
	    p->in.name, rec->line, p->in.names[col],
	    msg_field(buf, rec->f[col], rec->len[col]));
	return -1;
}

/* The interval's half width at x. */
static double
half_width(const predictor *p, const double *x)
{
	size_t k = p->k, off = k - p->p;
	double *xx = p->xx, v = 0;

	/* x with its leading 1 (OLS with an intercept) */
	for (size_t a = 0; a < off; a++)
		xx[a] = 1;
	memcpy(xx + off, x, p->p * sizeof *xx);
	if (p->chol) {
		/* x' C x = |L' x|^2: L' x as a sum of the rows of L scaled by
		 * x, two lanes at a time (SSE2, on every x86-64) over rows
		 * padded with a zero. */
		size_t nv = p->kp / 2;
		v2d w[nv], sq = { 0, 0 };
		memset(w, 0, sizeof w);
		for (size_t b = 0; b < k; b++) {
			const double *l = p->chol + b * p->kp;
			v2d xb = { xx[b], xx[b] };
			for (size_t a = 0; a <= b / 2; a++) {
				v2d lv;
				memcpy(&lv, l + 2 * a, sizeof lv);
				w[a] += lv * xb;
			}
		}
		for (size_t a = 0; a < nv; a++)
			sq += w[a] * w[a];
		v = sq[0] + sq[1];
		return p->q * sqrt(p->sigma2 + v);
	}
	/* Not positive definite: the diagonal plus twice the upper
	 * triangle. */
	for (size_t a = 0; a < k; a++) {
		const double *c = p->cov + a * k;
		double s = 0;
		for (size_t b = a + 1; b < k; b++)
			s += c[b] * xx[b];
		v += xx[a] * (c[a] * xx[a] + 2 * s);
	}
	return p->q * sqrt(p->sigma2 + v);
}

static void
add_metrics(predictor *p, double y, double yhat)
{
	double e = y - yhat, d = fabs(y) + fabs(yhat), dm;

	p->mn++;
	dm = y - p->ymean;
	p->ymean += dm / (double)p->mn;
	p->m2 += dm * (y - p->ymean);
	p->sse += e * e;
	p->bse += (y - p->base) * (y - p->base);
	p->sae += fabs(e);
	if (y != 0) {
		p->ape += fabs(e) / fabs(y);
		p->nape++;
	}
	if (d > 0)
		p->sape += 2 * fabs(e) / d;
	if (y < p->ylo)
		p->ylo = y;
	if (y > p->yhi)
		p->yhi = y;
}

int
predict_parse(predictor *p, const csv_record *rec, double *x, double *raw,
    double *y, char *err, size_t errsz)
{
	*y = NAN;
	if (p->mm) {
		int st;
		if (mmm_rows_next(p->mm, rec, x, raw, err, errsz, &st) < 0)
			return -1;
	}
	for (size_t j = 0; !p->mm && j < p->p; j++) {
		size_t c = p->fcol[j];
		/* the common case inline: a finite number */
		if (num_parse(rec->f[c], rec->len[c], &x[j]) == 0 &&
		    isfinite(x[j]))
			continue;
		/* not finite, or not a number and not missing (no missing
		 * value reads as a number) */
		if (!csv_is_missing(rec->f[c], rec->len[c]))
			return not_number(p, rec, c, err, errsz);
		x[j] = NAN;
	}
	if (p->tcol >= 0) {
		int got = field_num(rec, (size_t)p->tcol, y);
		if (got < 0)
			return not_number(p, rec, (size_t)p->tcol, err, errsz);
		if (got == 0)
			*y = NAN;
	}
	return 0;
}

void
predict_emit(predictor *p, const double *x, const double *raw, double y,
    long line, const char *const *kf, const size_t *kl, out *o)
{
	int missing = 0;
	double yhat, lo = NAN, hi = NAN;

	p->rows++;
	/* Input drift: an mmm model's spend before its transforms; terms made
	 * from the date have no column and no drift. */
	for (size_t j = 0; j < p->p; j++) {
		if (isnan(x[j])) {
			missing = 1;
			continue;
		}
		if (p->fcol[j] == (size_t)-1)
			continue;
		double v = p->mm ? raw[j] : x[j];
		p->dn[j]++;
		p->dsum[j] += v - p->dshift[j];
		if (p->ncat[j] && !p->newline[j] && !is_cat(p, j, v)) {
			p->newline[j] = line;
			p->newval[j] = v;
		}
	}
	/* Contributions are summed in their printed order, so the printed
	 * parts add up to the printed prediction. */
	yhat = p->m->intercept;
	for (size_t j = 0; j < p->p; j++) {
		p->contrib[j] = p->m->coef[j] * x[j];
		yhat += p->contrib[j];
	}
	if (p->dr) {
		/* every row: each draw carries its own adstock over */
		mmm_draws_row(p->dr, mmm_rows_replay(p->mm), raw, x,
		    p->c.interval, &lo, &hi);
	}
	if (missing) {
		if (!p->nmiss++)
			p->first_miss = line;
		yhat = lo = hi = NAN;
	} else if (p->interval && p->has_iv && !p->dr) {
		double h = half_width(p, x);
		lo = yhat - h;
		hi = yhat + h;
	}
	if (p->tcol >= 0) {
		if (isnan(y))
			p->ymissing++;
		else if (!missing)
			add_metrics(p, y, yhat);
	}

	if (p->c.jsonl) {
		jw_init(&p->jw, o, 0);
		jw_obj(&p->jw);
		for (size_t a = 0; a < p->nkeep; a++) {
			jw_key(&p->jw, p->in.names[p->keep[a]]);
			jw_strn(&p->jw, kf[a], kl[a]);
		}
		jw_key(&p->jw, "prediction");
		jw_num(&p->jw, yhat);
	} else {
		for (size_t a = 0; a < p->nkeep; a++) {
			csv_write_field(o, kf[a], kl[a]);
			out_putc(o, ',');
		}
		out_num(o, yhat);
	}
	if (p->interval) {
		put(p, o, "lower", lo);
		put(p, o, "upper", hi);
	}
	if (p->c.contributions) {
		put(p, o, "intercept", missing ? NAN : p->m->intercept);
		for (size_t j = 0; j < p->p; j++)
			put(p, o, p->m->features[j], missing ? NAN :
			    p->contrib[j]);
	}
	if (p->c.jsonl) {
		jw_obj_end(&p->jw);
		jw_end(&p->jw);
	} else {
		out_putc(o, '\n');
	}
}

int
predict_row(predictor *p, const csv_record *rec, out *o, char *err,
    size_t errsz)
{
	double y;

	if (predict_parse(p, rec, p->x, p->raw, &y, err, errsz) < 0)
		return -1;
	for (size_t a = 0; a < p->nkeep; a++) {
		p->kf[a] = rec->f[p->keep[a]];
		p->kl[a] = rec->len[p->keep[a]];
	}
	predict_emit(p, p->x, p->raw, y, rec->line, p->kf, p->kl, o);
	return 0;
}

size_t
predict_nfeatures(const predictor *p)
{
	return p->p;
}

int
predict_is_mmm(const predictor *p)
{
	return p->mm != NULL;
}

const size_t *
predict_keep(const predictor *p, size_t *n)
{
	*n = p->nkeep;
	return p->keep;
}

int
predict_metrics(const predictor *p, metrics *m, double ref_r2[1],
    double ref_mape[1], const char **ref_from)
{
	json_t *mt = json_object_get(p->m->root, "metrics");
	json_t *cv = json_object_get(mt, "cv");
	json_t *ref = json_object_get(mt, "valid");
	double n = (double)p->mn;

	/* Out-of-sample first: a validation set, else the folds' mean. */
	*ref_from = "valid";
	if (!json_is_object(ref)) {
		ref = json_object_get(cv, "mean");
		*ref_from = "cv";
	}
	if (!json_is_object(ref)) {
		ref = json_object_get(mt, "train");
		*ref_from = "train";
	}
	*ref_r2 = num_member(ref, "r2");
	*ref_mape = num_member(ref, "mape");
	if (!p->mn)
		return -1;
	m->n = p->mn;
	m->r2 = p->m2 > 0 ? 1 - p->sse / p->m2 : NAN;
	m->mape = p->nape ? p->ape / (double)p->nape : NAN;
	m->smape = p->sape / n;
	m->rmse = sqrt(p->sse / n);
	m->mae = p->sae / n;
	m->nrmse = p->yhi > p->ylo ? m->rmse / (p->yhi - p->ylo) : NAN;
	m->lift = p->bse > 0 ? 1 - p->sse / p->bse : NAN;
	return 0;
}

int
predict_model_drift(const predictor *p, double max_r2_drop,
    double max_mape_rise, jsonw *w, char *err, size_t errsz)
{
	metrics m;
	double rr2, rmape, v[METRICS_N];
	const char *from;

	if (p->tcol < 0) {
		snprintf(err, errsz, "%s: no column \"%s\" (the target): no "
		    "metrics", p->in.name, p->m->target);
		return -1;
	}
	if (predict_metrics(p, &m, &rr2, &rmape, &from) < 0) {
		snprintf(err, errsz, "%s: no row with both a target and a "
		    "prediction: no metrics", p->in.name);
		return -1;
	}
	/* The relative fall of R² is against |reference|, so a negative
	 * reference still reads as "worse" when R² goes down. */
	double drop = (rr2 - m.r2) / fabs(rr2), rise = m.mape - rmape;
	int r2_bad = isfinite(drop) && drop > max_r2_drop;
	int mape_bad = isfinite(rise) && rise > max_mape_rise;

	jw_obj(w);
	jw_key(w, "rows");
	jw_int(w, (long long)p->rows);
	jw_key(w, "rows_scored");
	jw_int(w, (long long)m.n);
	jw_key(w, "rows_missing_feature");
	jw_int(w, (long long)p->nmiss);
	jw_key(w, "rows_missing_target");
	jw_int(w, (long long)p->ymissing);
	jw_key(w, "metrics");
	jw_obj(w);
	metrics_values(&m, v);
	for (size_t i = 0; i < METRICS_N; i++) {
		jw_key(w, metrics_names[i]);
		jw_num(w, v[i]);
	}
	jw_obj_end(w);
	jw_key(w, "reference");
	jw_obj(w);
	jw_key(w, "from");
	jw_str(w, from);
	jw_key(w, "r2");
	jw_num(w, rr2);
	jw_key(w, "mape");
	jw_num(w, rmape);
	jw_obj_end(w);
	jw_key(w, "drift");
	jw_obj(w);
	jw_key(w, "r2_drop");
	jw_num(w, drop);
	jw_key(w, "max_r2_drop");
	jw_num(w, max_r2_drop);
	jw_key(w, "mape_rise");
	jw_num(w, rise);
	jw_key(w, "max_mape_rise");
	jw_num(w, max_mape_rise);
	jw_key(w, "pass");
	jw_bool(w, !r2_bad && !mape_bad);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_end(w);
	if (r2_bad)
		snprintf(err, errsz, "model drift: R2 %.4g fell %.1f%% from the "
		    "%s %.4g (at most %.1f%%)", m.r2, 100 * drop, from, rr2,
		    100 * max_r2_drop);
	else if (mape_bad)
		snprintf(err, errsz, "model drift: MAPE %.4g rose %.4g from the "
		    "%s %.4g (at most %.4g)", m.mape, rise, from, rmape,
		    max_mape_rise);
	return r2_bad || mape_bad;
}

int
predict_input_drift(const predictor *p, size_t i, char *msg, size_t msgsz)
{
	for (size_t j = 0; j < p->p; j++) {
		if (!p->hasprof[j] || !p->dn[j])
			continue;
		double mean = p->dshift[j] + p->dsum[j] / (double)p->dn[j];
		double d = fabs(mean - p->pmean[j]);
		if (!(d > p->c.drift_sd * p->psd[j]))
			continue;
		if (i--)
			continue;
		snprintf(msg, msgsz, "%s: input drift: column \"%s\": mean %.6g "
		    "is %.3g training sd from %.6g (sd %.6g)", p->in.name,
		    p->m->features[j], mean, d / p->psd[j],
		    p->pmean[j], p->psd[j]);
		return 1;
	}
	for (size_t j = 0; j < p->p; j++) {
		char nb[NUM_BUFSIZE];
		if (!p->newline[j] || i--)
			continue;
		num_format(p->newval[j], nb);
		snprintf(msg, msgsz, "%s:%ld: column \"%s\": value %s was not "
		    "seen in training", p->in.name, p->newline[j],
		    p->m->features[j], nb);
		return 1;
	}
	return 0;
}
