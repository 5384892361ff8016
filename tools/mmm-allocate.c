/* mmm-allocate: the allocation of a budget over a model's response curves
 * (or curves from a CSV) under bounds, target-ROAS planning, weather rules,
 * Monte Carlo scenarios and response curves, as JSON. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "allocio.h"
#include "cli.h"
#include "err.h"
#include "jsonw.h"
#include "model.h"
#include "out.h"

static const char usage[] =
"usage: mmm-allocate (--model FILE | --response FILE) [--budget B]\n"
"                    [--periods N] [--current CH=X,...] [--window N]\n"
"                    [--min CH=X|X%,...] [--max CH=X|X%,...] [--unbounded]\n"
"                    [--fix CH,...] [--mode max-response|target-roas]\n"
"                    [--target R] [--average] [-o FILE] [-q]\n"
"       mmm-allocate -h | --help | --version\n"
"Allocate a budget over response curves; write the plan as JSON.\n"
"  -m, --model FILE     a marketing-mix model of mmm-train (mmm-model(5))\n"
"  -r, --response FILE  curves as CSV: channel,beta,theta,alpha,gamma,\n"
"                       current[,min,max,beta_sd]\n"
"  -b, --budget B       spend per period (default: the current spends' sum)\n"
"  --periods N          B is the budget of N periods\n"
"  --current CH=X,...   current spend per period (default: the model's\n"
"                       recent spend)\n"
"  --window N           current: mean of the model's last N periods\n"
"  --min CH=X|X%,...    lower bounds: spends or % of current (50%)\n"
"  --max CH=X|X%,...    upper bounds: spends or % of current (200%)\n"
"  --unbounded          no default bounds (0 to unlimited)\n"
"  --fix CH,...         these channels keep their current spend\n"
"  --mode M             max-response (default) or target-roas\n"
"  --target R           target-roas: the return per unit to keep\n"
"  --average            target-roas on the average, not marginal, return\n"
"  -o, --output FILE    write the JSON to FILE (atomically)\n"
"  -q, --quiet          no warnings on stderr\n"
"  -h, --help           this help;  --version  the version\n";

enum { O_PERIODS = 256, O_CURRENT, O_WINDOW, O_MIN, O_MAX, O_UNBOUNDED,
	O_FIX, O_MODE, O_TARGET, O_AVERAGE, O_VERSION };

static const struct option longopts[] = {
	{ "average", no_argument, NULL, O_AVERAGE },
	{ "budget", required_argument, NULL, 'b' },
	{ "current", required_argument, NULL, O_CURRENT },
	{ "fix", required_argument, NULL, O_FIX },
	{ "help", no_argument, NULL, 'h' },
	{ "max", required_argument, NULL, O_MAX },
	{ "min", required_argument, NULL, O_MIN },
	{ "mode", required_argument, NULL, O_MODE },
	{ "model", required_argument, NULL, 'm' },
	{ "output", required_argument, NULL, 'o' },
	{ "periods", required_argument, NULL, O_PERIODS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "response", required_argument, NULL, 'r' },
	{ "target", required_argument, NULL, O_TARGET },
	{ "unbounded", no_argument, NULL, O_UNBOUNDED },
	{ "version", no_argument, NULL, O_VERSION },
	{ "window", required_argument, NULL, O_WINDOW },
	{ NULL, 0, NULL, 0 }
};

static const char *model_path, *response_path, *output;
static double budget = NAN, target = NAN;
static long periods, window;
static int quiet, target_mode, average;
static alloc_bound_opts bo;

static void
parse_options(int argc, char **argv)
{
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "b:hm:o:qr:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'b': budget = cli_double("--budget", optarg, 0, 1e300);
			break;
		case 'h': cli_help(usage);
		case 'm': model_path = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case 'r': response_path = optarg; break;
		case O_AVERAGE: average = 1; break;
		case O_CURRENT: bo.current = optarg; break;
		case O_FIX: bo.fix = optarg; break;
		case O_MAX: bo.max = optarg; break;
		case O_MIN: bo.min = optarg; break;
		case O_MODE:
			if (strcmp(optarg, "max-response") &&
			    strcmp(optarg, "target-roas"))
				cli_usage_error("--mode: \"%s\" is not "
				    "max-response or target-roas", optarg);
			target_mode = optarg[0] == 't';
			break;
		case O_PERIODS: periods = cli_long("--periods", optarg, 1,
		    1000000); break;
		case O_TARGET: target = cli_double("--target", optarg, 1e-300,
		    1e300); break;
		case O_UNBOUNDED: bo.unbounded = 1; break;
		case O_VERSION: cli_version();
		case O_WINDOW: window = cli_long("--window", optarg, 1,
		    1000000); break;
		default: cli_usage_error("option \"%s\" is unknown or lacks "
		    "its value", argv[optind - 1]);
		}
	}
	if (!model_path == !response_path)
		cli_usage_error("give one of --model FILE and --response FILE");
	if (optind < argc)
		cli_usage_error("\"%s\": no operands (the curves come from "
		    "--model or --response)", argv[optind]);
	if (target_mode && isnan(target))
		cli_usage_error("--mode target-roas needs --target R");
	if (!target_mode && (!isnan(target) || average))
		cli_usage_error("--target and --average go with --mode "
		    "target-roas");
	if (response_path && window)
		cli_usage_error("--window needs --model (a response CSV has "
		    "its current spends)");
}

int
main(int argc, char **argv)
{
	char err[1024];
	int status;
	model_file m = { 0 };
	alloc_input in;

	cli_init(argc, argv);
	parse_options(argc, argv);
	if (model_path) {
		if ((status = model_read(model_path, &m, err, sizeof err)))
			dien(status, "%s", err);
		if (alloc_read_model(m.root, model_path, (size_t)window, &in,
		    err, sizeof err, &status) < 0)
			dien(status, "%s", err);
	} else if (alloc_read_response(response_path, &in, err, sizeof err,
	    &status) < 0) {
		dien(status, "%s", err);
	}
	size_t k = in.k;
	double *lo = emalloc(k * sizeof *lo), *hi = emalloc(k * sizeof *hi);
	if (alloc_bounds(&in, &bo, lo, hi, err, sizeof err, &status) < 0)
		dien(status, "%s", err);
	if (isnan(budget)) {
		budget = 0;
		for (size_t c = 0; c < k; c++)
			budget += in.current[c];
	} else if (periods > 0) {
		budget /= (double)periods;
	}

	alloc_problem p = { k, in.curve, lo, hi, budget, in.current,
		(const char *const *)in.names };
	alloc_result res;
	alloc_report rep = { .mode = target_mode ? "target-roas" :
		"max-response", .budget = budget, .periods = periods,
		.target = target, .average = average, .feasible = 1, .in = &in,
		.prob = &p, .res = &res, .level = NAN };
	char reason[1024];
	if (target_mode) {
		if (alloc_target(&p, target, average, &res, reason,
		    sizeof reason) < 0) {
			rep.feasible = 0;
			rep.reason = reason;
			rep.res = NULL;
			if (!quiet)
				warn("%s: %s", in.source, reason);
		} else {
			rep.budget = p.budget = res.spent;
		}
	} else {
		if (alloc_solve(&p, &res, err, sizeof err) < 0)
			dien(EXIT_USAGE, "%s: %s", in.source, err);
		if (res.capped) {
			snprintf(reason, sizeof reason, "the maximums sum to "
			    "%.17g, below the budget %.17g: the plan spends "
			    "only that", res.spent, budget);
			rep.reason = reason;
			if (!quiet)
				warn("%s: %s", in.source, reason);
		}
	}

	out *o = out_open(output);
	jsonw w;
	jw_init(&w, o, 1);
	jw_obj(&w);
	alloc_write(&w, &rep);
	jw_obj_end(&w);
	jw_end(&w);
	out_commit(o);

	if (rep.res)
		alloc_result_free(&res);
	free(lo);
	free(hi);
	alloc_input_free(&in);
	if (model_path)
		model_file_free(&m);
	return 0;
}
