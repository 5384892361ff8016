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
#include "allocrules.h"
#include "allocsim.h"
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
"                    [--target R] [--average] [--context FILE]\n"
"                    [--rule 'COND:CH*F' ...] [--interval P]\n"
"                    [--simulate '+20%,-20%,+50%'] [--scenarios FILE]\n"
"                    [--draws N] [--seed N] [--aov X] [--curves FILE]\n"
"                    [--points N] [--max-x X] [-o FILE] [-q]\n"
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
"  --context FILE       a forecast per period (date, temperature ...)\n"
"  --rule 'COND:CH*F'   scale CH's spend (CH.min, CH.max: its bounds) by F\n"
"                       in the periods where COND (COL OP NUMBER) holds\n"
"  --interval P         the response's interval at level P (0.9)\n"
"  --simulate LIST      scenarios: every spend changed by +X% or -X%\n"
"  --scenarios FILE     scenarios as CSV scenario,channel,change (percent)\n"
"  --draws N            Monte Carlo draws (1000)\n"
"  --seed N             their seed (1)\n"
"  --aov X              conversions = revenue / X in the scenarios\n"
"  --curves FILE        response curves as CSV for plotting\n"
"  --points N           points per curve (100)\n"
"  --max-x X            curves up to X times current spend (3)\n"
"  -o, --output FILE    write the JSON to FILE (atomically)\n"
"  -q, --quiet          no warnings on stderr\n"
"  -h, --help           this help;  --version  the version\n";

enum { O_PERIODS = 256, O_CURRENT, O_WINDOW, O_MIN, O_MAX, O_UNBOUNDED,
	O_FIX, O_MODE, O_TARGET, O_AVERAGE, O_VERSION, O_CONTEXT, O_RULE,
	O_INTERVAL, O_SIMULATE, O_SCENARIOS, O_DRAWS, O_SEED, O_AOV, O_CURVES,
	O_POINTS, O_MAXX };

static const struct option longopts[] = {
	{ "aov", required_argument, NULL, O_AOV },
	{ "average", no_argument, NULL, O_AVERAGE },
	{ "budget", required_argument, NULL, 'b' },
	{ "context", required_argument, NULL, O_CONTEXT },
	{ "current", required_argument, NULL, O_CURRENT },
	{ "curves", required_argument, NULL, O_CURVES },
	{ "draws", required_argument, NULL, O_DRAWS },
	{ "fix", required_argument, NULL, O_FIX },
	{ "help", no_argument, NULL, 'h' },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "max", required_argument, NULL, O_MAX },
	{ "max-x", required_argument, NULL, O_MAXX },
	{ "min", required_argument, NULL, O_MIN },
	{ "mode", required_argument, NULL, O_MODE },
	{ "model", required_argument, NULL, 'm' },
	{ "output", required_argument, NULL, 'o' },
	{ "periods", required_argument, NULL, O_PERIODS },
	{ "points", required_argument, NULL, O_POINTS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "response", required_argument, NULL, 'r' },
	{ "rule", required_argument, NULL, O_RULE },
	{ "scenarios", required_argument, NULL, O_SCENARIOS },
	{ "seed", required_argument, NULL, O_SEED },
	{ "simulate", required_argument, NULL, O_SIMULATE },
	{ "target", required_argument, NULL, O_TARGET },
	{ "unbounded", no_argument, NULL, O_UNBOUNDED },
	{ "version", no_argument, NULL, O_VERSION },
	{ "window", required_argument, NULL, O_WINDOW },
	{ NULL, 0, NULL, 0 }
};

static const char *model_path, *response_path, *output, *context_path,
    *simulate, *scenarios_path, *curves_path;
static const char **rule_text;
static size_t nrules;
static double budget = NAN, target = NAN, level = NAN, aov, max_x = 3;
static long periods, window, draws = 1000, points = 100;
static unsigned long long seed = 1;
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
		case O_AOV: aov = cli_double("--aov", optarg, 1e-300, 1e300);
			break;
		case O_AVERAGE: average = 1; break;
		case O_CONTEXT: context_path = optarg; break;
		case O_CURRENT: bo.current = optarg; break;
		case O_CURVES: curves_path = optarg; break;
		case O_DRAWS: draws = cli_long("--draws", optarg, 2, 1000000);
			break;
		case O_FIX: bo.fix = optarg; break;
		case O_INTERVAL: level = cli_double("--interval", optarg, 1e-9,
		    1 - 1e-9); break;
		case O_MAX: bo.max = optarg; break;
		case O_MAXX: max_x = cli_double("--max-x", optarg, 1e-300,
		    1e300); break;
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
		case O_POINTS: points = cli_long("--points", optarg, 1,
		    10000000); break;
		case O_RULE:
			rule_text = ereallocarray(rule_text, nrules + 1,
			    sizeof *rule_text);
			rule_text[nrules++] = optarg;
			break;
		case O_SCENARIOS: scenarios_path = optarg; break;
		case O_SEED: seed = (unsigned long long)cli_long("--seed",
		    optarg, 0, 0x7fffffffffffffffL); break;
		case O_SIMULATE: simulate = optarg; break;
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
	if (nrules && !context_path)
		cli_usage_error("--rule needs --context FILE");
	if (simulate && scenarios_path)
		cli_usage_error("give --simulate or --scenarios, not both");
}

/* The Monte Carlo parts: the interval of the plan's response into rep,
 * the scenarios into w (after the report). */
static alloc_curve *
sample(const alloc_input *in, alloc_unc **u)
{
	char err[1024];

	if (alloc_unc_new(in, u, err, sizeof err) < 0)
		dien(EXIT_DATAERR, "%s", err);
	if (!*u && !quiet)
		warn("%s: no posterior draws, coefficient covariance or "
		    "beta_sd: the intervals have width 0", in->source);
	return alloc_unc_sample(*u, in, (size_t)draws, seed);
}

static void
interval(const alloc_curve *dr, const alloc_input *in, const double *x,
    alloc_report *rep)
{
	double *y = emalloc((size_t)draws * sizeof *y);

	alloc_sim_responses(dr, (size_t)draws, in->k, x, y);
	rep->lower = alloc_quantile(y, (size_t)draws, (1 - level) / 2);
	rep->upper = alloc_quantile(y, (size_t)draws, (1 + level) / 2);
	free(y);
}

int
main(int argc, char **argv)
{
	char err[1024];
	int status;
	static model_file m;
	static alloc_input in;

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
	/* static: still reachable when an error exits below. */
	static double *lo, *hi;
	lo = emalloc(k * sizeof *lo);
	hi = emalloc(k * sizeof *hi);
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
	static alloc_result res;
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
			rep.budget = NAN;
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

	static alloc_unc *unc;
	static alloc_curve *dr;
	static alloc_scenario *sc;
	size_t nsc = 0;
	if (simulate && alloc_scenarios_parse(simulate, k, &sc, &nsc, err,
	    sizeof err) < 0)
		cli_usage_error("%s", err);
	if (scenarios_path && alloc_scenarios_read(scenarios_path, &in, &sc,
	    &nsc, err, sizeof err, &status) < 0)
		dien(status, "%s", err);
	if ((!isnan(level) && rep.res) || simulate || scenarios_path)
		dr = sample(&in, &unc);
	if (!isnan(level) && rep.res) {
		rep.level = level;
		interval(dr, &in, res.x, &rep);
	}
	static alloc_rule *rules;
	static alloc_context ctx;
	rules = ecalloc(nrules + 1, sizeof *rules);
	for (size_t i = 0; i < nrules; i++)
		if (alloc_rule_parse(rule_text[i], &in, &rules[i], err,
		    sizeof err) < 0)
			cli_usage_error("%s", err);
	if (context_path && alloc_context_read(context_path, rules, nrules,
	    &ctx, err, sizeof err, &status) < 0)
		dien(status, "%s", err);

	out *o = out_open(output);
	jsonw w;
	jw_init(&w, o, 1);
	jw_obj(&w);
	alloc_write(&w, &rep);
	if (dr)
		jw_kv_str(&w, "uncertainty", alloc_unc_source(unc));
	if (sc || simulate)
		alloc_sim_write(&w, &in, dr, (size_t)draws, sc, nsc, aov);
	if (context_path && rep.res && alloc_periods_write(&w, &p, res.x,
	    &in, &ctx, rules, nrules, err, sizeof err) < 0) {
		out_abort(o);
		dien(EXIT_USAGE, "%s", err);
	}
	jw_obj_end(&w);
	jw_end(&w);
	out_commit(o);
	if (curves_path) {
		out *co = out_open(curves_path);
		alloc_curves_write(co, &in, hi, (size_t)points, max_x);
		out_commit(co);
	}

	for (size_t i = 0; i < nrules; i++)
		alloc_rule_free(&rules[i]);
	free(rules);
	free(rule_text);
	alloc_context_free(&ctx);
	alloc_scenarios_free(sc, nsc);
	free(dr);
	alloc_unc_free(unc);
	if (rep.res)
		alloc_result_free(&res);
	free(lo);
	free(hi);
	alloc_input_free(&in);
	if (model_path)
		model_file_free(&m);
	return 0;
}
