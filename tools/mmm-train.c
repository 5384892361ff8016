/* mmm-train: fit a linear model (OLS, ridge, Bayesian ridge), check it
 * against quality gates, and write the model file or register it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "csvio.h"
#include "date.h"
#include "err.h"
#include "model.h"
#include "num.h"
#include "out.h"
#include "sha256.h"
#include "stats.h"

static const char usage[] =
"usage: mmm-train --model ols|ridge|bayes --target COL [--features COLS]\n"
"                 [--weights COL] [--date COL] [--no-intercept]\n"
"                 [--drop-missing] [--level P] [--lambda X|auto]\n"
"                 [--positive COLS] [--max-iter N] [--tol X] [--alpha-1 X]\n"
"                 [--alpha-2 X] [--lambda-1 X] [--lambda-2 X] [--cv K]\n"
"                 [--gates default] [--min-r2 X] [--max-mape X]\n"
"                 [--min-lift X] [--max-cv-std X] [--max-p X]\n"
"                 [--max-p-cols COLS] [--normal-residuals] [-o FILE]\n"
"                 [--registry DIR --name NAME] [--now YYYY-MM-DD-HHMM] [FILE]\n"
"       mmm-train --check-model FILE\n"
"       mmm-train -h | --help | --version\n"
"Fit a linear model to CSV rows and write the model as JSON.\n"
"  --model KIND        ols, ridge or bayes (Bayesian ridge)\n"
"  --target COL        the column to predict\n"
"  --features COLS     predictors, names or globs (default: every numeric\n"
"                      column but the target, the date and the weights)\n"
"  --weights COL       positive sample weights\n"
"  --date COL          date column, for --cv and the date range (date)\n"
"  --no-intercept      fit without a constant\n"
"  --drop-missing      drop rows with a missing used value (else exit 65)\n"
"  --level P           OLS confidence level (0.95)\n"
"  --lambda X|auto     ridge penalty; auto: least leave-one-out error (auto)\n"
"  --positive COLS     ridge: these coefficients >= 0\n"
"  --max-iter N, --tol X, --alpha-1 X, --alpha-2 X, --lambda-1 X,\n"
"  --lambda-2 X        bayes: as scikit-learn's BayesianRidge (300, 1e-3,\n"
"                      1e-6 each)\n"
"  --cv K              K expanding-window folds over the dates (K >= 2)\n"
"  --gates default     --min-r2 0.45 --max-mape 0.15 --min-lift 0.10, and\n"
"                      --max-cv-std 0.1 with --cv, --max-p 0.05 with ols\n"
"  --min-r2 X          R^2 at least X (cross-validated mean with --cv)\n"
"  --max-mape X        MAPE at most X, a fraction (likewise)\n"
"  --min-lift X        lift over the mean at least X (likewise)\n"
"  --max-cv-std X      sd of the folds' R^2 at most X (needs --cv)\n"
"  --max-p X           ols: every feature's p-value below X\n"
"  --max-p-cols COLS   the features --max-p checks (default all)\n"
"  --normal-residuals  ols: Jarque-Bera p-value at least 0.05\n"
"  -o, --output FILE   write the model to FILE (atomically)\n"
"  --registry DIR      save DIR/NAME-VERSION.json and point\n"
"  --name NAME         DIR/NAME-current.json at it when every gate passed\n"
"  --now STAMP         the version, YYYY-MM-DD-HHMM (default: now, UTC)\n"
"  --check-model FILE  validate a model file and exit\n"
"  -h, --help          this help;  --version  the version\n";

enum { O_ALPHA1 = 256, O_ALPHA2, O_CHECK, O_CV, O_DATE, O_DROP, O_FEATURES,
	O_GATES, O_LAMBDA, O_LAMBDA1, O_LAMBDA2, O_LEVEL, O_MAXCVSTD,
	O_MAXITER, O_MAXMAPE, O_MAXP, O_MAXPCOLS, O_MINLIFT, O_MINR2,
	O_MODEL, O_NAME, O_NOINT, O_NORMAL, O_NOW, O_POSITIVE, O_REGISTRY,
	O_TARGET, O_TOL, O_VERSION, O_WEIGHTS };

static const struct option longopts[] = {
	{ "alpha-1", required_argument, NULL, O_ALPHA1 },
	{ "alpha-2", required_argument, NULL, O_ALPHA2 },
	{ "check-model", required_argument, NULL, O_CHECK },
	{ "cv", required_argument, NULL, O_CV },
	{ "date", required_argument, NULL, O_DATE },
	{ "drop-missing", no_argument, NULL, O_DROP },
	{ "features", required_argument, NULL, O_FEATURES },
	{ "gates", required_argument, NULL, O_GATES },
	{ "help", no_argument, NULL, 'h' },
	{ "lambda", required_argument, NULL, O_LAMBDA },
	{ "lambda-1", required_argument, NULL, O_LAMBDA1 },
	{ "lambda-2", required_argument, NULL, O_LAMBDA2 },
	{ "level", required_argument, NULL, O_LEVEL },
	{ "max-cv-std", required_argument, NULL, O_MAXCVSTD },
	{ "max-iter", required_argument, NULL, O_MAXITER },
	{ "max-mape", required_argument, NULL, O_MAXMAPE },
	{ "max-p", required_argument, NULL, O_MAXP },
	{ "max-p-cols", required_argument, NULL, O_MAXPCOLS },
	{ "min-lift", required_argument, NULL, O_MINLIFT },
	{ "min-r2", required_argument, NULL, O_MINR2 },
	{ "model", required_argument, NULL, O_MODEL },
	{ "name", required_argument, NULL, O_NAME },
	{ "no-intercept", no_argument, NULL, O_NOINT },
	{ "normal-residuals", no_argument, NULL, O_NORMAL },
	{ "now", required_argument, NULL, O_NOW },
	{ "output", required_argument, NULL, 'o' },
	{ "positive", required_argument, NULL, O_POSITIVE },
	{ "registry", required_argument, NULL, O_REGISTRY },
	{ "target", required_argument, NULL, O_TARGET },
	{ "tol", required_argument, NULL, O_TOL },
	{ "version", no_argument, NULL, O_VERSION },
	{ "weights", required_argument, NULL, O_WEIGHTS },
	{ NULL, 0, NULL, 0 }
};

/* Gate thresholds; NAN: off. */
enum { G_R2, G_MAPE, G_LIFT, G_CVSTD, G_P, G_NORMAL, G_N };
static const char *const gate_names[G_N] = { "min-r2", "max-mape",
	"min-lift", "max-cv-std", "max-p", "normal-residuals" };
static double gate[G_N] = { NAN, NAN, NAN, NAN, NAN, NAN };

static model_spec spec = { .kind = -1, .intercept = 1, .level = 0.95,
	.lambda = NAN };
static const char *target, *features, *weights, *date_col = "date";
static const char *output, *registry, *name, *now, *positive, *pcols;
static const char *check_model;
static int date_given, drop_missing, default_gates, bayes_opt, cv_k;

static void
parse_options(int argc, char **argv)
{
	int ch;

	bayesridge_opts_default(&spec.bayes);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': cli_help(usage);
		case 'o': output = optarg; break;
		case O_ALPHA1: spec.bayes.alpha_1 = cli_double("--alpha-1",
		    optarg, 0, HUGE_VAL); bayes_opt = 1; break;
		case O_ALPHA2: spec.bayes.alpha_2 = cli_double("--alpha-2",
		    optarg, 0, HUGE_VAL); bayes_opt = 1; break;
		case O_CHECK: check_model = optarg; break;
		case O_CV: cv_k = (int)cli_long("--cv", optarg, 2, 10000);
		    break;
		case O_DATE: date_col = optarg; date_given = 1; break;
		case O_DROP: drop_missing = 1; break;
		case O_FEATURES: features = optarg; break;
		case O_GATES:
			if (strcmp(optarg, "default") != 0)
				cli_usage_error("--gates: \"%s\" is not "
				    "\"default\"", optarg);
			default_gates = 1;
			break;
		case O_LAMBDA:
			spec.lambda = strcmp(optarg, "auto") == 0 ? NAN :
			    cli_double("--lambda", optarg, 1e-300, 1e300);
			break;
		case O_LAMBDA1: spec.bayes.lambda_1 = cli_double("--lambda-1",
		    optarg, 0, HUGE_VAL); bayes_opt = 1; break;
		case O_LAMBDA2: spec.bayes.lambda_2 = cli_double("--lambda-2",
		    optarg, 0, HUGE_VAL); bayes_opt = 1; break;
		case O_LEVEL: spec.level = cli_double("--level", optarg, 1e-9,
		    1 - 1e-9); break;
		case O_MAXCVSTD: gate[G_CVSTD] = cli_double("--max-cv-std",
		    optarg, 0, HUGE_VAL); break;
		case O_MAXITER: spec.bayes.max_iter = (int)cli_long(
		    "--max-iter", optarg, 1, 100000000); bayes_opt = 1; break;
		case O_MAXMAPE: gate[G_MAPE] = cli_double("--max-mape",
		    optarg, 0, HUGE_VAL); break;
		case O_MAXP: gate[G_P] = cli_double("--max-p", optarg, 0, 1);
		    break;
		case O_MAXPCOLS: pcols = optarg; break;
		case O_MINLIFT: gate[G_LIFT] = cli_double("--min-lift",
		    optarg, -HUGE_VAL, 1); break;
		case O_MINR2: gate[G_R2] = cli_double("--min-r2", optarg,
		    -HUGE_VAL, 1); break;
		case O_MODEL:
			if ((spec.kind = model_kind(optarg)) < 0)
				cli_usage_error("--model: \"%s\" is not one of "
				    "ols, ridge, bayes", optarg);
			break;
		case O_NAME: name = optarg; break;
		case O_NOINT: spec.intercept = 0; break;
		case O_NORMAL: gate[G_NORMAL] = 0.05; break;
		case O_NOW: now = optarg; break;
		case O_POSITIVE: positive = optarg; break;
		case O_REGISTRY: registry = optarg; break;
		case O_TARGET: target = optarg; break;
		case O_TOL: spec.bayes.tol = cli_double("--tol", optarg,
		    1e-300, HUGE_VAL); bayes_opt = 1; break;
		case O_VERSION: cli_version();
		case O_WEIGHTS: weights = optarg; break;
		default: cli_usage_error("option \"%s\" is unknown or lacks "
		    "its value", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one input file at most");
}

static void
check_options(void)
{
	if (spec.kind < 0)
		cli_usage_error("--model is required");
	if (!target)
		cli_usage_error("--target is required");
	if (spec.kind != MODEL_RIDGE && positive)
		cli_usage_error("--positive goes with --model ridge");
	if (spec.kind != MODEL_BAYES && bayes_opt)
		cli_usage_error("--max-iter, --tol, --alpha-1, --alpha-2, "
		    "--lambda-1 and --lambda-2 go with --model bayes");
	if (spec.kind != MODEL_OLS && (!isnan(gate[G_P]) ||
	    !isnan(gate[G_NORMAL]) || pcols))
		cli_usage_error("--max-p, --max-p-cols and --normal-residuals "
		    "go with --model ols");
	if (pcols && isnan(gate[G_P]) && !default_gates)
		cli_usage_error("--max-p-cols goes with --max-p");
	if (!isnan(gate[G_CVSTD]) && !cv_k)
		cli_usage_error("--max-cv-std needs --cv");
	if (!registry != !name)
		cli_usage_error("--registry and --name go together");
	if (name && (!*name || strchr(name, '/')))
		cli_usage_error("--name: \"%s\" is not a file name", name);
	if (now) {
		long d, s;
		int hh, mm;
		if (strlen(now) != 15 || date_parse(now, 10, &d, &s) < 0 ||
		    now[10] != '-' || sscanf(now + 11, "%2d%2d", &hh, &mm) != 2 ||
		    hh > 23 || mm > 59 || !strchr("012", now[11]))
			cli_usage_error("--now: \"%s\" is not YYYY-MM-DD-HHMM",
			    now);
	}
	if (default_gates) {
		const double def[G_N] = { 0.45, 0.15, 0.10, 0.1, 0.05, NAN };
		for (int g = 0; g < G_N; g++)
			if (isnan(gate[g]))
				gate[g] = def[g];
		if (!cv_k)
			gate[G_CVSTD] = NAN;
		if (spec.kind != MODEL_OLS)
			gate[G_P] = NAN;
	}
}

/* --- reading ------------------------------------------------------------ */

/* A column the fit may use: its values as doubles (NAN when missing). */
typedef struct col {
	size_t idx;
	int role;		/* 0 candidate feature, 1 chosen, 2 target/w */
	int numeric;		/* -1 unknown, 0 no, 1 yes */
	double *v;
} col;

typedef struct table {
	const char *name;	/* the input, for messages */
	char sha[65];
	col *c;
	size_t nc, n, cap;
	long *line, *day;	/* day NULL without a date column */
	long date_idx;
} table;

static char *
hash_input(const char *path, char hex[65])
{
	char buf[1 << 16], *p = NULL;
	sha256 s;
	ssize_t k;
	int fd;

	if (!path || strcmp(path, "-") == 0)
		path = p = out_spool_stdin();
	if ((fd = open(path, O_RDONLY)) < 0)
		dien(EXIT_NOINPUT, "%s: cannot open:", path);
	sha256_init(&s);
	while ((k = read(fd, buf, sizeof buf)) > 0)
		sha256_update(&s, buf, (size_t)k);
	if (k < 0)
		dien(EXIT_IOERR, "%s: read error:", path);
	close(fd);
	sha256_hex(&s, hex);
	return p;
}

static long
need_col(const csv_reader *r, const char *what, const char *c)
{
	long i = csv_col(r, c);

	if (i < 0)
		dien(EXIT_DATAERR, "%s: %s column \"%s\" is not in the header",
		    csv_name(r), what, c);
	return i;
}

static void
add_col(table *t, size_t idx, int role)
{
	for (size_t k = 0; k < t->nc; k++)
		if (t->c[k].idx == idx) {
			if (role > t->c[k].role)
				t->c[k].role = role;
			return;
		}
	t->c = ereallocarray(t->c, t->nc + 1, sizeof *t->c);
	t->c[t->nc++] = (col){ idx, role, role ? 1 : -1, NULL };
}

static void
choose_columns(table *t, const csv_reader *r)
{
	long ti = need_col(r, "target", target);
	long wi = weights ? need_col(r, "weights", weights) : -1;
	size_t *idx = NULL, nidx = 0;
	char err[512];

	t->date_idx = csv_col(r, date_col);
	if (date_given && t->date_idx < 0)
		need_col(r, "date", date_col);
	if (features) {
		if (cols_resolve(features, csv_colnames(r), csv_ncols(r), 0,
		    &idx, &nidx, err, sizeof err) < 0)
			dien(EXIT_DATAERR, "%s: --features: %s", t->name, err);
		for (size_t k = 0; k < nidx; k++) {
			if ((long)idx[k] == ti || (long)idx[k] == wi ||
			    (long)idx[k] == t->date_idx)
				cli_usage_error("--features: \"%s\" is the "
				    "target, the weights or the date",
				    csv_colname(r, idx[k]));
			add_col(t, idx[k], 1);
		}
		free(idx);
	} else {
		for (size_t k = 0; k < csv_ncols(r); k++)
			if ((long)k != ti && (long)k != wi &&
			    (long)k != t->date_idx)
				add_col(t, k, 0);
	}
	add_col(t, (size_t)ti, 2);
	if (wi >= 0)
		add_col(t, (size_t)wi, 2);
}

static void
read_table(table *t, csv_reader *r)
{
	csv_record rec;
	char err[1024], fb[MSGFIELD_SIZE];
	int st, rc;

	while ((rc = csv_next(r, &rec, err, sizeof err, &st)) > 0) {
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 1024;
			for (size_t k = 0; k < t->nc; k++)
				t->c[k].v = ereallocarray(t->c[k].v, t->cap,
				    sizeof(double));
			t->line = ereallocarray(t->line, t->cap, sizeof(long));
			if (t->date_idx >= 0)
				t->day = ereallocarray(t->day, t->cap,
				    sizeof(long));
		}
		t->line[t->n] = rec.line;
		if (t->date_idx >= 0) {
			const char *f = rec.f[t->date_idx];
			size_t len = rec.len[t->date_idx];
			long sec;
			if (date_parse(f, len, &t->day[t->n], &sec) < 0)
				dien(EXIT_DATAERR, "%s:%ld: column \"%s\": \"%s\" "
				    "is not a date", t->name, rec.line, date_col,
				    msg_field(fb, f, len));
		}
		for (size_t k = 0; k < t->nc; k++) {
			col *c = &t->c[k];
			const char *f = rec.f[c->idx];
			size_t len = rec.len[c->idx];
			double x = NAN;
			if (c->numeric == 0 || csv_is_missing(f, len)) {
				c->v[t->n] = NAN;
				continue;
			}
			if (num_parse(f, len, &x) < 0 && c->numeric < 0) {
				c->numeric = 0;	/* a text column */
				x = NAN;
			} else if (num_parse(f, len, &x) < 0 || !isfinite(x)) {
				dien(EXIT_DATAERR, "%s:%ld: column \"%s\": \"%s\" "
				    "is not a finite number", t->name, rec.line,
				    csv_colname(r, c->idx), msg_field(fb, f, len));
			} else {
				c->numeric = 1;
			}
			c->v[t->n] = x;
		}
		t->n++;
	}
	if (rc < 0)
		dien(st, "%s", err);
	if (t->n == 0)
		dien(EXIT_DATAERR, "%s: no data rows", t->name);
}

/* --- the rows and columns the fit uses ---------------------------------- */

typedef struct design {
	model_data d;
	char **names;
	model_profile *prof;
	long *day;
	size_t *fcol;		/* table column of each feature */
	double *y, *w, *X;
} design;

static void
build_design(design *ds, table *t, const csv_reader *r)
{
	size_t p = 0, n = 0, yc = 0, wc = 0;
	unsigned char *keep = emalloc(t->n);

	memset(ds, 0, sizeof *ds);
	ds->fcol = emalloc((t->nc + 1) * sizeof *ds->fcol);
	for (size_t k = 0; k < t->nc; k++) {
		const char *cn = csv_colname(r, t->c[k].idx);
		if (strcmp(cn, target) == 0)
			yc = k;
		else if (weights && strcmp(cn, weights) == 0)
			wc = k;
		else if (t->c[k].role == 1 || t->c[k].numeric == 1)
			ds->fcol[p++] = k;
	}
	if (p == 0)
		dien(EXIT_DATAERR, "%s: no numeric feature column", t->name);
	for (size_t i = 0; i < t->n; i++) {
		keep[i] = 1;
		for (size_t k = 0; k < t->nc && keep[i]; k++) {
			col *c = &t->c[k];
			if (!isnan(c->v[i]) || (c->role == 0 && c->numeric != 1))
				continue;
			if (!drop_missing)
				dien(EXIT_DATAERR, "%s:%ld: column \"%s\": "
				    "missing value (--drop-missing drops such "
				    "rows)", t->name, t->line[i],
				    csv_colname(r, c->idx));
			keep[i] = 0;
		}
		n += keep[i];
	}
	if (n == 0)
		dien(EXIT_DATAERR, "%s: every row has a missing value",
		    t->name);
	ds->names = emalloc(p * sizeof *ds->names);
	ds->prof = emalloc(p * sizeof *ds->prof);
	ds->X = emalloc(n * p * sizeof *ds->X);
	ds->y = emalloc(n * sizeof *ds->y);
	ds->w = weights ? emalloc(n * sizeof *ds->w) : NULL;
	ds->day = t->day ? emalloc(n * sizeof *ds->day) : NULL;
	for (size_t j = 0; j < p; j++) {
		const col *c = &t->c[ds->fcol[j]];
		moments m;
		size_t miss = 0;
		ds->names[j] = (char *)csv_colname(r, c->idx);
		mom_init(&m);
		for (size_t i = 0; i < t->n; i++) {
			if (isnan(c->v[i]))
				miss++;
			else
				mom_add(&m, c->v[i]);
		}
		ds->prof[j] = (model_profile){ m.n ? m.mean : NAN, mom_sd(&m),
			m.n ? m.min : NAN, m.n ? m.max : NAN,
			(double)miss / (double)t->n };
		for (size_t i = 0, q = 0; i < t->n; i++)
			if (keep[i])
				ds->X[j * n + q++] = c->v[i];
	}
	for (size_t i = 0, q = 0; i < t->n; i++) {
		if (!keep[i])
			continue;
		ds->y[q] = t->c[yc].v[i];
		if (ds->w)
			ds->w[q] = t->c[wc].v[i];
		if (ds->day)
			ds->day[q] = t->day[i];
		q++;
	}
	ds->d = (model_data){ ds->X, ds->y, ds->w, n, p,
		(const char *const *)ds->names };
	free(keep);
}

static void
table_free(table *t)
{
	for (size_t k = 0; k < t->nc; k++)
		free(t->c[k].v);
	free(t->c);
	free(t->line);
	free(t->day);
}

static void
design_free(design *ds)
{
	free(ds->names);
	free(ds->prof);
	free(ds->day);
	free(ds->fcol);
	free(ds->y);
	free(ds->w);
	free(ds->X);
}

/* --- gates ------------------------------------------------------------- */

static size_t
eval_gates(model_gate *g, const model_fit *f, const metrics *tr,
    const model_cv *cv, const design *ds)
{
	size_t ng = 0;
	const char *on = cv ? "cv mean" : "train";
	double v[METRICS_N];

	if (cv)
		memcpy(v, cv->mean, sizeof v);
	else
		metrics_values(tr, v);
	for (int k = 0; k < G_N; k++) {
		model_gate *x = &g[ng];
		if (isnan(gate[k]))
			continue;
		x->name = gate_names[k];
		x->threshold = gate[k];
		x->upper = k == G_MAPE || k == G_CVSTD || k == G_P;
		if (k == G_R2 || k == G_MAPE || k == G_LIFT) {
			int m = k == G_R2 ? 0 : k == G_MAPE ? 1 : 6;
			x->value = v[m];
			snprintf(x->what, sizeof x->what, "%s (%s)",
			    metrics_names[m], on);
		} else if (k == G_CVSTD) {
			x->value = cv->sd[0];
			snprintf(x->what, sizeof x->what, "sd of the "
			    "folds' r2");
		} else if (k == G_NORMAL) {
			x->value = f->ols->jb_pval;
			snprintf(x->what, sizeof x->what, "Jarque-Bera "
			    "p-value");
		} else {
			size_t *idx = NULL, nidx = 0, worst = 0;
			char err[512];
			if (pcols && cols_resolve(pcols,
			    (const char *const *)ds->names, ds->d.p, 0, &idx,
			    &nidx, err, sizeof err) < 0)
				cli_usage_error("--max-p-cols: %s", err);
			x->value = -1;
			for (size_t q = 0; q < (pcols ? nidx : ds->d.p); q++) {
				size_t j = pcols ? idx[q] : q;
				double pv = f->ols->pval[j + (spec.intercept ?
				    1 : 0)];
				if (pv > x->value || isnan(pv)) {
					x->value = pv;
					worst = j;
				}
			}
			snprintf(x->what, sizeof x->what, "largest p-value "
			    "(%.60s)", ds->names[worst]);
			free(idx);
		}
		x->pass = x->upper ? (k == G_P ? x->value < x->threshold :
		    x->value <= x->threshold) : x->value >= x->threshold;
		ng++;
	}
	return ng;
}

static int
report_gates(const model_gate *g, size_t ng)
{
	int ok = 1;

	for (size_t k = 0; k < ng; k++) {
		if (g[k].pass)
			continue;
		ok = 0;
		if (isnan(g[k].value))
			warn("gate %s failed: %s is not defined", g[k].name,
			    g[k].what);
		else
			warn("gate %s failed: %s is %.6g, %s %.6g by %.6g",
			    g[k].name, g[k].what, g[k].value, g[k].upper ?
			    "above" : "below", g[k].threshold,
			    fabs(g[k].value - g[k].threshold));
	}
	return ok;
}

/* --- writing ----------------------------------------------------------- */

static void
write_model(const char *path, const model_doc *m)
{
	out *o = out_open(path);
	jsonw w;

	jw_init(&w, o, 1);
	model_write(&w, m);
	out_commit(o);
}

static void
register_model(const model_doc *m)
{
	char *file = efmt("%s-%s.json", name, m->version);
	char *path = efmt("%s/%s", registry, file);
	char *link = efmt("%s/%s-current.json", registry, name);
	char *tmp = efmt("%s/.%s-current.json.%ld", registry, name,
	    (long)getpid());

	if (mkdir(registry, 0777) < 0 && errno != EEXIST)
		dien(EXIT_CANTCREAT, "%s: cannot create:", registry);
	write_model(path, m);
	unlink(tmp);
	if (symlink(file, tmp) < 0 || rename(tmp, link) < 0) {
		unlink(tmp);
		dien(EXIT_CANTCREAT, "%s: cannot link:", link);
	}
	free(file);
	free(path);
	free(link);
	free(tmp);
}

static void
stamps(char version[32], char created[32])
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
do_check_model(void)
{
	model_file mf;
	char err[1024];
	int st = model_read(check_model, &mf, err, sizeof err);

	if (st)
		dien(st, "%s", err);
	printf("%s: ok: %s model of %s on %zu features\n", check_model,
	    model_kinds[mf.kind], mf.target, mf.p);
	model_file_free(&mf);
	if (fflush(stdout) == EOF || ferror(stdout))
		dien(EXIT_IOERR, "<stdout>: write error:");
	return 0;
}

int
main(int argc, char **argv)
{
	table t = { 0 };
	design ds;
	model_fit fit;
	model_cv cv;
	metrics tr;
	model_gate gates[G_N];
	unsigned char *pos = NULL;
	char err[1024], version[32], created[32];
	const char *in;
	char *spooled;
	int st;

	cli_init(argc, argv);
	parse_options(argc, argv);
	if (check_model)
		return do_check_model();
	check_options();
	in = optind < argc ? argv[optind] : "-";
	spooled = hash_input(in, t.sha);
	csv_reader *r = spooled ? csv_open_as(spooled, "<stdin>", 0, err,
	    sizeof err, &st) : csv_open(in, 0, err, sizeof err, &st);
	if (!r)
		dien(st, "%s", err);
	t.name = csv_name(r);
	choose_columns(&t, r);
	read_table(&t, r);
	build_design(&ds, &t, r);

	if (positive) {
		size_t *idx = NULL, nidx = 0;
		if (cols_resolve(positive, (const char *const *)ds.names,
		    ds.d.p, 0, &idx, &nidx, err, sizeof err) < 0)
			cli_usage_error("--positive: %s", err);
		pos = ecalloc(ds.d.p, 1);
		for (size_t k = 0; k < nidx; k++)
			pos[idx[k]] = 1;
		free(idx);
		spec.positive = pos;
	}
	if (model_fit_run(&fit, &spec, &ds.d, err, sizeof err) < 0)
		dien(EXIT_DATAERR, "%s: %s", t.name, err);
	double *yhat = emalloc(ds.d.n * sizeof *yhat), ybar = 0;
	model_fit_predict(&fit, ds.d.X, ds.d.n, yhat);
	for (size_t i = 0; i < ds.d.n; i++)
		ybar += ds.d.y[i];
	metrics_compute(ds.d.y, yhat, ds.d.n, ybar / (double)ds.d.n, &tr);
	if (cv_k) {
		if (!ds.day)
			dien(EXIT_DATAERR, "%s: --cv needs dates: no column "
			    "\"%s\" (see --date)", t.name, date_col);
		if (model_cv_run(&cv, &spec, &ds.d, ds.day, (size_t)cv_k, err,
		    sizeof err) < 0)
			dien(EXIT_DATAERR, "%s: %s", t.name, err);
	}
	size_t ng = eval_gates(gates, &fit, &tr, cv_k ? &cv : NULL, &ds);
	int pass = report_gates(gates, ng);

	long first = 0, last = 0;
	for (size_t i = 0; ds.day && i < ds.d.n; i++) {
		if (i == 0 || ds.day[i] < first)
			first = ds.day[i];
		if (i == 0 || ds.day[i] > last)
			last = ds.day[i];
	}
	stamps(version, created);
	model_doc doc = { version, created, target, &spec, &ds.d, &fit, &tr,
		cv_k ? &cv : NULL, gates, ng, t.n, t.sha,
		spooled ? "<stdin>" : in, ds.day ? date_col : NULL, first, last,
		ds.prof, weights, drop_missing };
	if (pass && (output || !registry))
		write_model(output, &doc);
	if (pass && registry)
		register_model(&doc);
	free(yhat);
	free(pos);
	if (cv_k)
		model_cv_free(&cv);
	model_fit_free(&fit);
	design_free(&ds);
	table_free(&t);
	csv_close(r);
	free(spooled);
	return pass ? 0 : EXIT_CHECK;
}
