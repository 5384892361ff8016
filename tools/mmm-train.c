/* mmm-train: fit a linear model (OLS, ridge, Bayesian ridge), check it
 * against quality gates, and write the model file or register it. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csvio.h"
#include "err.h"
#include "gates.h"
#include "mmmfit.h"
#include "mmmstab.h"
#include "model.h"
#include "out.h"
#include "trainset.h"

static const char usage[] =
"usage: mmm-train --model ols|ridge|bayes --target COL [--features COLS]\n"
"                 [--weights COL] [--date COL] [--no-intercept]\n"
"                 [--drop-missing] [--level P] [--lambda X|auto]\n"
"                 [--positive COLS] [--max-iter N] [--tol X] [--alpha-1 X]\n"
"                 [--alpha-2 X] [--lambda-1 X] [--lambda-2 X] [--cv K]\n"
"                 [--gates default] [--min-r2 X] [--max-mape X]\n"
"                 [--min-lift X] [--max-cv-std X] [--max-p X]\n"
"                 [--max-p-cols COLS] [--normal-residuals] [--valid FILE]\n"
"                 [--threads N] [-o FILE]\n"
"                 [--registry DIR --name NAME] [--now YYYY-MM-DD-HHMM] [FILE]\n"
"       mmm-train --model mmm --target COL --media COLS [--controls COLS]\n"
"                 [--date COL] [--adstock KIND|CH=KIND,...]\n"
"                 [--saturation KIND|CH=KIND,...] [--bounds CH.PARAM=LO:HI,...]\n"
"                 [--trend] [--fourier yearly:K] [--holidays FILE --country XX]\n"
"                 [--method ridge|bayes]\n"
"                 [--iterations N] [--trials T] [--seed N] [--threads N]\n"
"                 [--rssd-weight X] [--[no-]rssd-zero-penalty]\n"
"                 [--lift FILE] [--lift-weight X] [--lift-quantile Q]\n"
"                 [--select pareto|nrmse|rssd|knee]\n"
"                 [--pareto FILE] [--window N] [--valid-frac F]\n"
"                 [--stability K [--windows W]] [--dry-run] [--progress] [-q]\n"
"                 [gates, registry and -o as above] [FILE]\n"
"       mmm-train --model mmm --method bayes ... [--chains N] [--draws N]\n"
"                 [--warmup N] [--keep-draws N] [--target-accept X]\n"
"                 [--roi-prior CH=lognormal:MU:SIGMA,...] [--max-rhat X]\n"
"                 [--min-ess X] [--no-diagnostics-gate] [--lift FILE] [FILE]\n"
"       mmm-train --check-model FILE\n"
"       mmm-train -h | --help | --version\n"
"Fit a linear model to CSV rows and write the model as JSON.\n"
"  --model KIND        ols, ridge, bayes (Bayesian ridge) or mmm\n"
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
"  --valid FILE        metrics on FILE's rows too (held out: not fitted on)\n"
"  --gates default     --min-r2 0.45 --max-mape 0.15 --min-lift 0.10, and\n"
"                      --max-cv-std 0.1 with --cv, --max-p 0.05 with ols\n"
"  --min-r2 X          R^2 at least X (on --valid's rows with it, else the\n"
"                      cross-validated mean with --cv)\n"
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
"  --threads N         threads of the reading and the fit (default: the\n"
"                      online CPUs); the model is the same for any N\n"
"  --check-model FILE  validate a model file and exit\n"
"mmm: adstock and saturation learned per channel, ridge with media >= 0:\n"
"  --media COLS        spend columns (names or globs)\n"
"  --controls COLS     other baseline columns (default: none)\n"
"  --adstock K         geometric (default), weibull_cdf, weibull_pdf,\n"
"                      delayed, none; or CH=KIND,... per channel\n"
"  --saturation K      hill (default), logistic, michaelis, none; or\n"
"                      CH=KIND,...\n"
"  --bounds B          CH.PARAM=LO:HI,... over Robyn's defaults; lambda=LO:HI\n"
"  --trend             a linear trend in the baseline\n"
"  --fourier yearly:K  K sine/cosine pairs (default 2 over a year of data)\n"
"  --holidays FILE     a term \"holidays\": the country's holidays in each\n"
"  --country XX        period (Robyn's prophet file: ds,holiday,country)\n"
"  --method M          ridge (default): the search; bayes: the posterior\n"
"  --iterations N      candidates per trial (2000)\n"
"  --trials T          independent searches (5)\n"
"  --seed N            the searches' seed (1)\n"

"  --rssd-weight X     trial t minimises NRMSE + X t/(T-1) DECOMP.RSSD (1)\n"
"  --no-rssd-zero-penalty  DECOMP.RSSD without Robyn's factor 1 + the\n"
"                      share of channels with no effect (on by default)\n"
"  --lift FILE         lift tests (channel,start,end,lift[,lift_sd]):\n"
"                      MAPE.LIFT becomes a third objective\n"
"  --lift-weight X     every trial adds X MAPE.LIFT (1)\n"
"  --lift-quantile Q   select among the candidates whose MAPE.LIFT is in\n"
"                      the lowest Q of all (0.1)\n"
"  --select RULE       from the Pareto front: nrmse (default), pareto,\n"
"                      rssd, knee\n"
"  --pareto FILE       the Pareto front as JSON lines\n"
"  --window N          periods of recent spend for marginal ROI (13)\n"
"  --valid-frac F      fit on the first F of the rows (0.5-0.8), validate\n"
"                      and test on halves of the rest; search on the\n"
"                      validation NRMSE\n"
"  --stability K       refit with seeds seed..seed+K-1 and report the spread\n"
"                      of ROI, marginal ROI and allocation\n"
"  --windows W         and on W windows of four fifths of the rows\n"
"  --dry-run           print the search's size and time, and exit\n"
"bayes: NUTS, chains in parallel threads, the same bytes for any --threads:\n"
"  --chains N          chains (4)\n"
"  --draws N           draws per chain after warm-up (1000)\n"
"  --warmup N          warm-up iterations per chain (1000)\n"
"  --keep-draws N      thinned draws stored in the model (500)\n"
"  --target-accept X   the step size's target acceptance (0.8)\n"
"  --roi-prior P       CH=lognormal:MU:SIGMA,...: a log-normal prior on the\n"
"                      channel's ROI instead of a half-normal on its beta\n"
"  --max-rhat X        gate: largest split R-hat at most X (1.01)\n"
"  --min-ess X         gate: smallest bulk ESS at least X (400)\n"
"  --no-diagnostics-gate  write the model whatever R-hat and ESS are\n"
"  --progress, -q      progress on stderr always, or never\n"
"  -h, --help          this help;  --version  the version\n";

enum { O_ALPHA1 = 256, O_ALPHA2, O_CHECK, O_CV, O_DATE, O_DROP, O_FEATURES,
	O_MEDIA, O_CONTROLS, O_ADSTOCK, O_SATURATION, O_BOUNDS, O_TREND,
	O_FOURIER, O_METHOD, O_ITER, O_TRIALS, O_SEED, O_RSSDW,
	O_SELECT, O_PARETO, O_WINDOW, O_DRYRUN, O_PROGRESS, O_LIFT,
	O_LIFTW, O_LIFTQ, O_RSSDZ, O_NORSSDZ, O_HOLIDAYS, O_COUNTRY, O_CHAINS,
	O_DRAWS, O_WARMUP, O_KEEP, O_TACCEPT, O_ROIPRIOR, O_MAXRHAT, O_MINESS,
	O_NODIAG,
	O_GATES, O_LAMBDA, O_LAMBDA1, O_LAMBDA2, O_LEVEL, O_MAXCVSTD,
	O_MAXITER, O_MAXMAPE, O_MAXP, O_MAXPCOLS, O_MINLIFT, O_MINR2,
	O_MODEL, O_NAME, O_NOINT, O_NORMAL, O_NOW, O_POSITIVE, O_REGISTRY,
	O_TARGET, O_THREADS, O_TOL, O_VALID, O_VERSION, O_WEIGHTS,
	O_VALIDFRAC, O_STABILITY, O_WINDOWS };

static const struct option longopts[] = {
	{ "adstock", required_argument, NULL, O_ADSTOCK },
	{ "chains", required_argument, NULL, O_CHAINS },
	{ "draws", required_argument, NULL, O_DRAWS },
	{ "keep-draws", required_argument, NULL, O_KEEP },
	{ "max-rhat", required_argument, NULL, O_MAXRHAT },
	{ "min-ess", required_argument, NULL, O_MINESS },
	{ "no-diagnostics-gate", no_argument, NULL, O_NODIAG },
	{ "roi-prior", required_argument, NULL, O_ROIPRIOR },
	{ "target-accept", required_argument, NULL, O_TACCEPT },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "bounds", required_argument, NULL, O_BOUNDS },
	{ "controls", required_argument, NULL, O_CONTROLS },
	{ "country", required_argument, NULL, O_COUNTRY },
	{ "dry-run", no_argument, NULL, O_DRYRUN },
	{ "fourier", required_argument, NULL, O_FOURIER },
	{ "holidays", required_argument, NULL, O_HOLIDAYS },
	{ "iterations", required_argument, NULL, O_ITER },
	{ "lift", required_argument, NULL, O_LIFT },
	{ "lift-quantile", required_argument, NULL, O_LIFTQ },
	{ "lift-weight", required_argument, NULL, O_LIFTW },
	{ "media", required_argument, NULL, O_MEDIA },
	{ "method", required_argument, NULL, O_METHOD },
	{ "no-rssd-zero-penalty", no_argument, NULL, O_NORSSDZ },
	{ "pareto", required_argument, NULL, O_PARETO },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "rssd-weight", required_argument, NULL, O_RSSDW },
	{ "rssd-zero-penalty", no_argument, NULL, O_RSSDZ },
	{ "saturation", required_argument, NULL, O_SATURATION },
	{ "seed", required_argument, NULL, O_SEED },
	{ "select", required_argument, NULL, O_SELECT },
	{ "trend", no_argument, NULL, O_TREND },
	{ "trials", required_argument, NULL, O_TRIALS },
	{ "window", required_argument, NULL, O_WINDOW },
	{ "valid-frac", required_argument, NULL, O_VALIDFRAC },
	{ "stability", required_argument, NULL, O_STABILITY },
	{ "windows", required_argument, NULL, O_WINDOWS },
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
	{ "threads", required_argument, NULL, O_THREADS },
	{ "tol", required_argument, NULL, O_TOL },
	{ "valid", required_argument, NULL, O_VALID },
	{ "version", no_argument, NULL, O_VERSION },
	{ "weights", required_argument, NULL, O_WEIGHTS },
	{ NULL, 0, NULL, 0 }
};

static model_spec spec = { .kind = -1, .intercept = 1, .level = 0.95,
	.lambda = NAN };
static trainset_opts in_opts = { .date_col = "date" };
static gate_opts gate;
static const char *output, *registry, *name, *now, *positive;
static const char *check_model, *valid;
static int default_gates, bayes_opt, cv_k;
static mmm_opts mo = { .adstock = ADSTOCK_GEOMETRIC, .saturation = SAT_HILL,
	.fourier = -1, .search = { .iterations = 2000, .trials = 5, .seed = 1,
	.rssd_weight = 1, .lift_weight = 1, .lift_quantile = 0.1 },
	.select = MMM_SELECT_NRMSE, .window = 13, .rssd_zero_penalty = 1,
	.bopts = { .chains = 4, .draws = 1000, .warmup = 1000, .keep = 500,
	.target_accept = 0.8, .max_depth = 10 } };
static const char *media, *controls, *pareto_path, *lift_path;
static const char *holidays_path;
static int mmm_opt, dry_run, progress_forced, quiet;
static int bayes_only, ridge_only, no_diag;
static double max_rhat = 1.01, min_ess = 400;

/* The options of --model mmm; 0 when ch is not one of them. */
static int
parse_mmm_option(int ch)
{
	int v;

	switch (ch) {
	case O_MEDIA: media = optarg; break;
	case O_CONTROLS: controls = optarg; break;
	case O_ADSTOCK:
		if (strchr(optarg, '=')) {
			mo.adstock_by = optarg;
		} else if ((v = adstock_kind_parse(optarg)) < 0 ||
		    v == ADSTOCK_GEOMETRIC_TRUNC) {
			cli_usage_error("--adstock: \"%s\" is not geometric, "
			    "weibull_cdf, weibull_pdf, delayed or none",
			    optarg);
		} else {
			mo.adstock = (adstock_kind)v;
		}
		break;
	case O_SATURATION:
		if (strchr(optarg, '='))
			mo.saturation_by = optarg;
		else if ((v = saturation_kind_parse(optarg)) < 0)
			cli_usage_error("--saturation: \"%s\" is not hill, "
			    "logistic, michaelis or none", optarg);
		else
			mo.saturation = (saturation_kind)v;
		break;
	case O_BOUNDS: mo.bounds = optarg; break;
	case O_TREND: mo.trend = 1; break;
	case O_FOURIER:
		if (strncmp(optarg, "yearly:", 7) != 0)
			cli_usage_error("--fourier: \"%s\" is not yearly:K",
			    optarg);
		mo.fourier = (int)cli_long("--fourier", optarg + 7, 0, 20);
		break;
	case O_METHOD:
		if (strcmp(optarg, "ridge") != 0 && strcmp(optarg, "bayes"))
			cli_usage_error("--method: \"%s\" is not ridge or "
			    "bayes", optarg);
		mo.bayes = strcmp(optarg, "bayes") == 0;
		break;
	case O_CHAINS: mo.bopts.chains = (size_t)cli_long("--chains", optarg,
	    1, 1024); bayes_only = 1; break;
	case O_DRAWS: mo.bopts.draws = (size_t)cli_long("--draws", optarg,
	    8, 10000000); bayes_only = 1; break;
	case O_WARMUP: mo.bopts.warmup = (size_t)cli_long("--warmup", optarg,
	    0, 10000000); bayes_only = 1; break;
	case O_KEEP: mo.bopts.keep = (size_t)cli_long("--keep-draws", optarg,
	    0, 10000000); bayes_only = 1; break;
	case O_TACCEPT: mo.bopts.target_accept = cli_double("--target-accept",
	    optarg, 0.05, 0.999); bayes_only = 1; break;
	case O_ROIPRIOR: mo.bopts.roi_prior = optarg; bayes_only = 1; break;
	case O_MAXRHAT: max_rhat = cli_double("--max-rhat", optarg, 1,
	    HUGE_VAL); bayes_only = 1; break;
	case O_MINESS: min_ess = cli_double("--min-ess", optarg, 0, HUGE_VAL);
	    bayes_only = 1; break;
	case O_NODIAG: no_diag = 1; bayes_only = 1; break;
	case O_ITER: mo.search.iterations = (size_t)cli_long("--iterations",
	    optarg, 4, 100000000); ridge_only = 1; break;
	case O_TRIALS: mo.search.trials = (size_t)cli_long("--trials", optarg,
	    1, 10000); ridge_only = 1; break;
	case O_SEED: mo.search.seed = (uint64_t)cli_long("--seed", optarg, 0,
	    LONG_MAX); break;
	case O_RSSDW: mo.search.rssd_weight = cli_double("--rssd-weight",
	    optarg, 0, 1e6); ridge_only = 1; break;
	case O_SELECT:
		for (v = 0; v < MMM_SELECT_N; v++)
			if (strcmp(optarg, mmm_select_names[v]) == 0)
				break;
		if (v == MMM_SELECT_N)
			cli_usage_error("--select: \"%s\" is not pareto, "
			    "nrmse, rssd or knee", optarg);
		mo.select = v;
		ridge_only = 1;
		break;
	case O_PARETO: pareto_path = optarg; ridge_only = 1; break;
	case O_LIFT: lift_path = optarg; break;
	case O_HOLIDAYS: holidays_path = optarg; break;
	case O_COUNTRY:
		if (!*optarg)
			cli_usage_error("--country: empty");
		mo.country = optarg;
		break;
	case O_LIFTW: mo.search.lift_weight = cli_double("--lift-weight",
	    optarg, 0, 1e6); ridge_only = 1; break;
	case O_LIFTQ: mo.search.lift_quantile = cli_double(
	    "--lift-quantile", optarg, 0, 1); ridge_only = 1; break;
	case O_RSSDZ: mo.rssd_zero_penalty = 1; break;
	case O_NORSSDZ: mo.rssd_zero_penalty = 0; break;
	case O_WINDOW: mo.window = (size_t)cli_long("--window", optarg, 1,
	    1000000); break;
	case O_VALIDFRAC: mo.valid_frac = cli_double("--valid-frac", optarg,
	    0.5, 0.8); ridge_only = 1; break;
	case O_STABILITY: mo.stability = (size_t)cli_long("--stability",
	    optarg, 1, 1000); ridge_only = 1; break;
	case O_WINDOWS: mo.windows = (size_t)cli_long("--windows", optarg, 1,
	    1000); ridge_only = 1; break;
	case O_DRYRUN: dry_run = 1; ridge_only = 1; break;
	case O_PROGRESS: progress_forced = 1; return 1;
	case 'q': quiet = 1; return 1;
	default: return 0;
	}
	mmm_opt = 1;
	return 1;
}

static void
parse_options(int argc, char **argv)
{
	int ch;

	bayesridge_opts_default(&spec.bayes);
	gate_opts_init(&gate);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		if (parse_mmm_option(ch))
			continue;
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
		case O_DATE: in_opts.date_col = optarg; in_opts.date_given = 1;
		    break;
		case O_DROP: in_opts.drop_missing = 1; break;
		case O_FEATURES: in_opts.features = optarg; break;
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
		case O_MAXCVSTD: gate.t[GATE_CVSTD] = cli_double(
		    "--max-cv-std", optarg, 0, HUGE_VAL); break;
		case O_MAXITER: spec.bayes.max_iter = (int)cli_long(
		    "--max-iter", optarg, 1, 100000000); bayes_opt = 1; break;
		case O_MAXMAPE: gate.t[GATE_MAPE] = cli_double("--max-mape",
		    optarg, 0, HUGE_VAL); break;
		case O_MAXP: gate.t[GATE_P] = cli_double("--max-p", optarg, 0,
		    1); break;
		case O_MAXPCOLS: gate.pcols = optarg; break;
		case O_MINLIFT: gate.t[GATE_LIFT] = cli_double("--min-lift",
		    optarg, -HUGE_VAL, 1); break;
		case O_MINR2: gate.t[GATE_R2] = cli_double("--min-r2", optarg,
		    -HUGE_VAL, 1); break;
		case O_MODEL:
			if ((spec.kind = model_kind(optarg)) < 0)
				cli_usage_error("--model: \"%s\" is not one of "
				    "ols, ridge, bayes, mmm", optarg);
			break;
		case O_NAME: name = optarg; break;
		case O_NOINT: spec.intercept = 0; break;
		case O_NORMAL: gate.t[GATE_NORMAL] = 0.05; break;
		case O_NOW: now = optarg; break;
		case O_POSITIVE: positive = optarg; break;
		case O_REGISTRY: registry = optarg; break;
		case O_TARGET: in_opts.target = optarg; break;
		case O_THREADS: spec.threads = (int)cli_long("--threads",
		    optarg, 1, 1024); break;
		case O_TOL: spec.bayes.tol = cli_double("--tol", optarg,
		    1e-300, HUGE_VAL); bayes_opt = 1; break;
		case O_VALID: valid = optarg; break;
		case O_VERSION: cli_version();
		case O_WEIGHTS: in_opts.weights = optarg; break;
		default: cli_usage_error("option \"%s\" is unknown or lacks "
		    "its value", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one input file at most");
	if (valid && strcmp(valid, "-") == 0 && argc - optind < 1)
		cli_usage_error("--valid -: the training rows already come "
		    "from standard input");
}

static void
check_options(void)
{
	if (spec.kind < 0)
		cli_usage_error("--model is required");
	if (!in_opts.target)
		cli_usage_error("--target is required");
	if (spec.kind == MODEL_MMM) {
		if (!media)
			cli_usage_error("--model mmm needs --media");
		if (mo.windows && !mo.stability)
			cli_usage_error("--windows goes with --stability");
		if (mo.stability == 1 && !mo.windows)
			cli_usage_error("--stability 1 without --windows is "
			    "one fit: nothing to compare (K >= 2)");
		if (in_opts.features || in_opts.weights || positive ||
		    cv_k || !spec.intercept || valid)
			cli_usage_error("--features, --weights, --positive, "
			    "--cv, --valid and --no-intercept do not go with "
			    "--model mmm (see --media, --controls)");
		if (!holidays_path != !mo.country)
			cli_usage_error("--holidays and --country go "
			    "together");
	} else if (mmm_opt) {
		cli_usage_error("--media, --controls and the search options "
		    "go with --model mmm");
	}
	if (bayes_only && !mo.bayes)
		cli_usage_error("--chains, --draws, --warmup, --keep-draws, "
		    "--target-accept, --roi-prior, --max-rhat, --min-ess and "
		    "--no-diagnostics-gate go with --method bayes");
	if (ridge_only && mo.bayes)
		cli_usage_error("--iterations, --trials, --rssd-weight, "
		    "--lift-weight, --lift-quantile, --select, --pareto, "
		    "--valid-frac, --stability, --windows and --dry-run go "
		    "with --method ridge");
	if (no_diag)
		max_rhat = min_ess = NAN;
	if (spec.kind != MODEL_RIDGE && positive)
		cli_usage_error("--positive goes with --model ridge");
	if (spec.kind != MODEL_BAYES && bayes_opt)
		cli_usage_error("--max-iter, --tol, --alpha-1, --alpha-2, "
		    "--lambda-1 and --lambda-2 go with --model bayes");
	if (spec.kind != MODEL_OLS && (!isnan(gate.t[GATE_P]) ||
	    !isnan(gate.t[GATE_NORMAL]) || gate.pcols))
		cli_usage_error("--max-p, --max-p-cols and --normal-residuals "
		    "go with --model ols");
	if (gate.pcols && isnan(gate.t[GATE_P]) && !default_gates)
		cli_usage_error("--max-p-cols goes with --max-p");
	if (!isnan(gate.t[GATE_CVSTD]) && !cv_k)
		cli_usage_error("--max-cv-std needs --cv");
	if (!registry != !name)
		cli_usage_error("--registry and --name go together");
	if (name && (!*name || strchr(name, '/')))
		cli_usage_error("--name: \"%s\" is not a file name", name);
	if (now && !model_version_ok(now))
		cli_usage_error("--now: \"%s\" is not YYYY-MM-DD-HHMM", now);
	if (default_gates)
		gate_opts_default(&gate, cv_k != 0, spec.kind);
	if (!spec.threads) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		spec.threads = ncpu > 1 ? (int)(ncpu < 1024 ? ncpu : 1024) : 1;
	}
	mo.search.threads = spec.threads;
	mo.bopts.threads = spec.threads;
	mo.bopts.seed = mo.search.seed;
	model_blas_single();
}

/* A failure of common/: a usage error, or the message with its status. */
static void
fail(const char *err, int st)
{
	if (st == EXIT_USAGE)
		cli_usage_error("%s", err);
	dien(st, "%s", err);
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

/* Metrics on the --valid rows into *m, and what the model file says of
 * them into doc. */
static void
valid_metrics(const train_design *ds, const model_fit *fit, metrics *m,
    model_doc *doc, char sha[65])
{
	train_valid v;
	char err[1024];
	int st;
	csv_reader *r = csv_open(valid, CSV_SHA256, err, sizeof err, &st);

	if (!r)
		fail(err, st);
	if (train_valid_read(&v, ds, r, &in_opts, err, sizeof err, &st) < 0) {
		csv_close(r);	/* err does not point into it */
		fail(err, st);
	}
	if (csv_sha256(r, sha) < 0)
		die("%s: not read to its end", valid);
	model_valid_metrics(fit, &ds->d, &v.d, m);
	doc->valid = m;
	doc->valid_input = strcmp(valid, "-") ? valid : "<stdin>";
	doc->valid_sha256 = sha;
	doc->valid_rows = v.d.n;
	doc->valid_rows_read = v.rows_read;
	train_valid_free(&v);
	csv_close(r);
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

static progress prog;

static void
search_progress(size_t done, size_t total)
{
	(void)total;
	progress_tick(&prog, (long long)done);
}

static void
write_mmm_block(jsonw *w, const void *ctx)
{
	const void *const *a = ctx;

	mmm_write_block(w, a[0], a[1], &mo);
}

int
main(int argc, char **argv)
{
	trainset t;
	train_design ds;
	model_fit fit;
	model_cv cv;
	metrics tr, va;
	model_gate gates[GATE_N + 2];
	unsigned char *pos = NULL;
	char err[1024], sha[65], vsha[65], version[32], created[32];
	const char *in;
	size_t ng;
	long first, last;
	int st;
	char *feats = NULL;
	mmm_data md;
	mmm_result res;
	mmm_stability stab = { 0 };
	model_data mdata;
	model_profile *mprof = NULL;
	const void *mctx[2] = { &res, &md };
	lift_set lifts = { NULL, 0 };
	holidays hol = { NULL, 0, "" };

	cli_init(argc, argv);
	parse_options(argc, argv);
	if (check_model)
		return do_check_model();
	check_options();
	if (spec.kind == MODEL_MMM)
		in_opts.features = feats = controls ? efmt("%s,%s", media,
		    controls) : estrdup(media);
	in = optind < argc ? argv[optind] : "-";
	/* One read: the reader hashes the bytes as it parses them. */
	csv_reader *r = csv_open(in, CSV_SHA256, err, sizeof err, &st);
	if (!r)
		fail(err, st);
	in_opts.threads = spec.threads;
	if (trainset_read(&t, r, &in_opts, err, sizeof err, &st) < 0 ||
	    train_design_build(&ds, &t, r, &in_opts, err, sizeof err, &st) < 0)
		fail(err, st);
	if (csv_sha256(r, sha) < 0)
		die("input not read to its end");
	/* The design holds its own copy: drop the table before the fit
	 * allocates its work arrays, for a lower peak. */
	size_t rows_read = t.n;
	/* Dates in order, named by their input line: before the table goes. */
	if (spec.kind == MODEL_MMM && mmm_data_from_design(&md, &ds, &t,
	    media, err, sizeof err) < 0)
		dien(EXIT_DATAERR, "%s", err);
	if (lift_path) {
		if (lift_read(lift_path, md.media, md.k, md.day, md.n, &lifts,
		    err, sizeof err, &st) < 0)
			dien(st, "%s", err);
		mo.lift = &lifts;
	}
	if (holidays_path) {
		if (holidays_read(holidays_path, mo.country, &hol, err,
		    sizeof err, &st) < 0)
			dien(st, "%s", err);
		mo.hol = &hol;
	}
	trainset_free(&t);
	t.name = csv_name(r);

	const model_data *d = &ds.d;
	const model_profile *prof = ds.prof;
	if (spec.kind == MODEL_MMM) {
		if (mmm_fit_setup(&res, &md, &mo, err, sizeof err, &st) < 0) {
			if (st == EXIT_USAGE)
				cli_usage_error("%s", err);
			dien(st, "%s: %s", t.name, err);
		}
		if (mo.bayes && mmm_bayes_check(&res.prob, &mo.bopts, err,
		    sizeof err) < 0)
			cli_usage_error("%s", err);
		if (dry_run) {
			mmm_fit_dry_run(&res, &mo, stdout);
			if (fflush(stdout) == EOF || ferror(stdout))
				dien(EXIT_IOERR, "<stdout>: write error:");
			mmm_result_free(&res);
			mmm_data_free(&md);
			free(feats);
			train_design_free(&ds);
			csv_close(r);
			return 0;
		}
		progress_init(&prog, progress_forced, quiet, mo.bayes ?
		    "iterations" : "candidates");
		mo.search.progress = search_progress;
		mo.bopts.progress = search_progress;
		mmm_fit_run(&res, &md, &mo);
		progress_done(&prog, mo.bayes ? (long long)(mo.bopts.chains *
		    (mo.bopts.warmup + mo.bopts.draws)) :
		    (long long)res.search.ncand);
		if (mo.stability) {
			if (mmm_stability_run(&stab, &res, &md, &mo, err,
			    sizeof err) < 0)
				dien(EXIT_DATAERR, "%s: %s", t.name, err);
			res.stab = &stab;
		}
		mmm_model_parts(&res, &ds, &fit, &mdata, &mprof);
		d = &mdata;
		prof = mprof;
	} else {
		if (positive) {
			if (train_design_flags(&ds, positive, &pos, err,
			    sizeof err) < 0)
				cli_usage_error("--positive: %s", err);
			spec.positive = pos;
		}
		if (model_fit_run(&fit, &spec, &ds.d, err, sizeof err) < 0)
			dien(EXIT_DATAERR, "%s: %s", t.name, err);
	}
	model_train_metrics(&fit, d, &tr);
	if (cv_k) {
		if (!ds.day)
			dien(EXIT_DATAERR, "%s: --cv needs dates: no column "
			    "\"%s\" (see --date)", t.name, in_opts.date_col);
		if (model_cv_run(&cv, &spec, &ds.d, ds.day, (size_t)cv_k, err,
		    sizeof err) < 0)
			dien(EXIT_DATAERR, "%s: %s", t.name, err);
	}
	train_design_days(&ds, &first, &last);
	/* With held-out rows the model is the fit of the first ones: its
	 * carryover state and date range end there. */
	if (spec.kind == MODEL_MMM && res.prob.nv)
		last = md.day[res.prob.n - 1];
	model_stamps(now, version, created);
	model_doc doc = { version, created, in_opts.target, &spec, d, &fit,
		&tr, cv_k ? &cv : NULL, gates, 0, rows_read, sha,
		strcmp(in, "-") ? in : "<stdin>", ds.day ? in_opts.date_col : NULL,
		first, last, prof, in_opts.weights, in_opts.drop_missing,
		spec.kind == MODEL_MMM ? write_mmm_block : NULL, mctx,
		NULL, NULL, NULL, 0, 0 };
	if (valid)
		valid_metrics(&ds, &fit, &va, &doc, vsha);
	model_data vd;
	if (spec.kind == MODEL_MMM && mmm_valid_data(&res, &vd)) {
		/* --valid-frac: the validation rows are the held-out metrics
		 * (and what the gates judge); the test rows stay unseen. */
		model_valid_metrics(&fit, &mdata, &vd, &va);
		doc.valid = &va;
		doc.valid_input = doc.input;
		doc.valid_sha256 = sha;
		doc.valid_rows = doc.valid_rows_read = vd.n;
	}
	if (gates_eval(gates, &ng, &gate, &spec, &fit, &tr, cv_k ? &cv : NULL,
	    doc.valid, d, err, sizeof err, &st) < 0)
		fail(err, st);
	if (spec.kind == MODEL_MMM && res.bayes)
		ng += mmm_bayes_gates(res.bayes, max_rhat, min_ess, gates + ng);
	doc.ngates = ng;
	int pass = report_gates(gates, ng);
	if (pass && pareto_path) {
		out *po = out_open(pareto_path);
		mmm_write_pareto(po, &res);
		out_commit(po);
	}
	if (pass && (output || !registry))
		model_write_file(output, &doc);
	if (pass && registry && model_register(registry, name, &doc, err,
	    sizeof err, &st) < 0)
		fail(err, st);
	free(pos);
	if (cv_k)
		model_cv_free(&cv);
	model_fit_free(&fit);
	if (spec.kind == MODEL_MMM) {
		free(mprof);
		mmm_result_free(&res);
		mmm_stability_free(&stab);
		mmm_data_free(&md);
		lift_free(&lifts);
		holidays_free(&hol);
	}
	free(feats);
	train_design_free(&ds);
	csv_close(r);
	return pass ? 0 : EXIT_CHECK;
}
