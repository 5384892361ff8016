/* mmm-predict: apply a model file to CSV or JSON-lines rows: predictions,
 * intervals,
 * contributions, metrics with model drift, and input drift. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csvio.h"
#include "err.h"
#include "jsonl.h"
#include "jsonw.h"
#include "model.h"
#include "out.h"
#include "predict.h"
#include "predpipe.h"

static const char usage[] =
"usage: mmm-predict --model FILE [-q] [--keep COLS] [--by COLS] [--interval P]\n"
"                   [--contributions] [--format csv|jsonl] [--metrics FILE]\n"
"                   [--max-r2-drop X] [--max-mape-rise X] [--drift-sd K]\n"
"                   [--strict-drift] [--threads N] [-o FILE] [FILE]\n"
"       mmm-predict -h | --help | --version\n"
"Predict CSV or JSON-lines rows with a model of mmm-train.\n"
"  -m, --model FILE      the model file (mmm-model(5))\n"
"  --keep COLS           columns to copy to the output (default: the\n"
"                        model's date column, or date, when present, and\n"
"                        the --by columns)\n"
"  --by COLS             key columns (geo, brand): kept in the output\n"
"  --interval P          lower and upper bounds at level P: OLS prediction\n"
"                        interval, Bayesian predictive interval (mmm: from\n"
"                        its draws); ridge: empty\n"
"  --contributions       intercept and coefficient x value per feature\n"
"  --format csv|jsonl    output format (csv)\n"
"  --metrics FILE        metrics against the target column (JSON); exit 1 on\n"
"                        model drift\n"
"  --max-r2-drop X       largest relative fall of R^2 from the model's\n"
"                        validation (else cross-validated, else training)\n"
"                        R^2 (0.10)\n"
"  --max-mape-rise X     largest rise of MAPE, a fraction (0.05)\n"
"  --drift-sd K          input drift: a feature mean moved more than K\n"
"                        training sds (2)\n"
"  --strict-drift        input drift (a mean moved, a new category) fails\n"
"                        (exit 1) instead of warning\n"
"  --threads N           1: read and predict in turn; 2 or more: read on\n"
"                        one thread, predict on another (default: the\n"
"                        online CPUs); the same bytes for any N\n"
"  -o, --output FILE     write the predictions to FILE (atomically)\n"
"  -q, --quiet           no warnings on stderr\n"
"  -h, --help            this help;  --version  the version\n";

enum { O_KEEP = 256, O_INTERVAL, O_CONTRIB, O_FORMAT, O_METRICS, O_R2DROP,
	O_MAPERISE, O_DRIFTSD, O_STRICT, O_VERSION, O_BY, O_THREADS };

static const struct option longopts[] = {
	{ "by", required_argument, NULL, O_BY },
	{ "contributions", no_argument, NULL, O_CONTRIB },
	{ "drift-sd", required_argument, NULL, O_DRIFTSD },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "keep", required_argument, NULL, O_KEEP },
	{ "max-mape-rise", required_argument, NULL, O_MAPERISE },
	{ "max-r2-drop", required_argument, NULL, O_R2DROP },
	{ "metrics", required_argument, NULL, O_METRICS },
	{ "model", required_argument, NULL, 'm' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "strict-drift", no_argument, NULL, O_STRICT },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char *model_path, *output, *metrics_path;
static double max_r2_drop = 0.10, max_mape_rise = 0.05;
static int quiet, strict_drift, threads;

static void
parse_options(int argc, char **argv, predict_conf *c)
{
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "hm:o:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': cli_help(usage);
		case 'm': model_path = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case O_BY: c->by = optarg; break;
		case O_CONTRIB: c->contributions = 1; break;
		case O_DRIFTSD: c->drift_sd = cli_double("--drift-sd", optarg, 0,
		    1e300); break;
		case O_FORMAT:
			if (strcmp(optarg, "csv") && strcmp(optarg, "jsonl"))
				cli_usage_error("--format: \"%s\" is not csv or "
				    "jsonl", optarg);
			c->jsonl = optarg[0] == 'j';
			break;
		case O_INTERVAL:
			c->interval = cli_double("--interval", optarg, 1e-9,
			    1 - 1e-9);
			break;
		case O_KEEP: c->keep = optarg; break;
		case O_MAPERISE: max_mape_rise = cli_double("--max-mape-rise",
		    optarg, 0, 1e300); break;
		case O_METRICS: metrics_path = optarg; break;
		case O_R2DROP: max_r2_drop = cli_double("--max-r2-drop", optarg,
		    0, 1e300); break;
		case O_STRICT: strict_drift = 1; break;
		case O_THREADS: threads = (int)cli_long("--threads", optarg, 1,
		    1024); break;
		case O_VERSION: cli_version();
		default: cli_usage_error("option \"%s\" is unknown or lacks "
		    "its value", argv[optind - 1]);
		}
	}
	if (!model_path)
		cli_usage_error("--model FILE is required");
	if (argc - optind > 1)
		cli_usage_error("one input file at most");
	if (!threads) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 1 ? (int)(ncpu < 1024 ? ncpu : 1024) : 1;
	}
}

int
main(int argc, char **argv)
{
	predict_conf c = { .drift_sd = 2 };
	model_file m;
	char err[1024];
	int status, pass = 1;
	csv_reader *r;
	jsonl_reader *jl;

	cli_init(argc, argv);
	parse_options(argc, argv, &c);
	c.model_name = model_path;
	const char *input = optind < argc ? argv[optind] : "-";

	if ((status = model_read(model_path, &m, err, sizeof err)) != 0)
		dien(status, "%s", err);
	if (table_open(input, &r, &jl, err, sizeof err, &status) < 0)
		dien(status, "%s", err);
	predict_input in = r ? (predict_input){ csv_name(r), csv_colnames(r),
		csv_ncols(r) } : (predict_input){ jsonl_name(jl),
		jsonl_colnames(jl), jsonl_ncols(jl) };
	predictor *p = predict_new(&m, &in, &c, err, sizeof err, &status);
	if (!p && status == EXIT_USAGE)
		cli_usage_error("%s", err);
	if (!p)
		dien(status, "%s", err);
	if (metrics_path && !predict_has_target(p))
		dien(EXIT_DATAERR, "%s: --metrics needs the target column "
		    "\"%s\"", in.name, m.target);
	if (c.interval > 0 && !predict_has_interval(p) && !quiet)
		warn("%s: a ridge model has no interval: lower and upper are "
		    "empty", model_path);

	out *o = out_open(output);
	predict_header(p, o);
	if (predict_stream(p, r, jl, o, threads, err, sizeof err, &status) < 0)
		dien(status, "%s", err);

	long line;
	size_t nmiss = predict_missing(p, &line);
	if (nmiss && !quiet)
		warn("%s:%ld: %zu row(s) with a missing feature value: their "
		    "predictions are empty", in.name, line, nmiss);
	for (size_t i = 0; predict_input_drift(p, i, err, sizeof err); i++) {
		if (strict_drift)
			pass = 0;
		if (strict_drift || !quiet)
			warn("%s", err);
	}
	if (metrics_path) {
		out *mo = out_open(metrics_path);
		jsonw w;
		jw_init(&w, mo, 1);
		int drift = predict_model_drift(p, max_r2_drop, max_mape_rise,
		    &w, err, sizeof err);
		if (drift < 0) {
			out_abort(mo);
			dien(EXIT_DATAERR, "%s", err);
		}
		out_commit(mo);
		if (drift) {
			warn("%s", err);
			pass = 0;
		}
	}
	if (pass || !output)
		out_commit(o);
	else
		out_abort(o);
	predict_free(p);
	if (r)
		csv_close(r);
	jsonl_close(jl);
	model_file_free(&m);
	return pass ? 0 : EXIT_CHECK;
}
