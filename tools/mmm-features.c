/* mmm-features: feature engineering — lags, windows, calendar, holidays,
 * Fourier terms, joins, adstock, saturation, encoding, scaling — with a spec
 * so that inference repeats training exactly. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvio.h"
#include "csvsort.h"
#include "err.h"
#include "featurize.h"
#include "jsonw.h"
#include "out.h"

static const char usage[] =
"usage: mmm-features [-hq] [-o FILE] [--date COL] [--by COLS] [--freq daily|weekly]\n"
"                    [--join FILE --on COLS]... [--time PARTS] [--fourier TERMS]\n"
"                    [--holidays FILE [--country XX] [--holiday-window LO:HI]]\n"
"                    [--lag COL:N,...] [--diff COL:N,...] [--pct-change COL:N,...]\n"
"                    [--rolling COL:STAT:W,...] [--adstock COL:KIND:PARAMS]\n"
"                    [--saturation COL:KIND:PARAMS] [--onehot COL] [--log COL]\n"
"                    [--scale COLS:METHOD] [--interact A*B] [--spec FILE]\n"
"                    [--spec-out FILE] [--dropna --rejects FILE] [--report FILE]\n"
"                    [--sort] [--progress] [--version] [FILE]\n"
"Add feature columns to a CSV; steps run in the order given, and a step may\n"
"use the columns an earlier one made.  Input sorted by --by, then --date.\n"
"  -o, --output FILE          the rows with the new columns (default stdout)\n"
"  --date COL                 date column (default date)\n"
"  --by COLS                  groups: lags, windows and carryover per group\n"
"  --freq daily|weekly        period of the data (default: from the dates)\n"
"  --join FILE                left join FILE's columns on --on COLS\n"
"  --on COLS                  key columns of --join, in both files\n"
"  --time PARTS               dow,month,quarter,season,weekofyear,dayofyear,\n"
"                             weekend,trend\n"
"  --fourier TERMS            yearly:K,weekly:K sin/cos pairs (periods 365.25, 7)\n"
"  --holidays FILE            CSV ds|date,holiday[,country]: a holiday column\n"
"  --country XX               only the holidays of country XX\n"
"  --holiday-window LO:HI     mark LO..HI days around each holiday (0:0)\n"
"  --lag COL:N,...            COL N rows back in its group (COL_lagN)\n"
"  --diff COL:N,...           COL minus COL N rows back (COL_diffN)\n"
"  --pct-change COL:N,...     COL / (COL N rows back) - 1 (COL_pctN)\n"
"  --rolling COL:STAT:W,...   trailing mean, std, min, max, sum over W rows\n"
"  --adstock COL:KIND:PARAMS  geometric:THETA, geometric_trunc:THETA[:LMAX],\n"
"                             weibull_cdf|weibull_pdf:SHAPE:SCALE[:LEN],\n"
"                             delayed:THETA:PEAK[:LMAX]  (COL_adstock)\n"
"  --saturation COL:KIND:P    hill:ALPHA:GAMMA (fraction of COL's range),\n"
"                             hill:ALPHA:abs:GAMMA, logistic:LAMBDA,\n"
"                             michaelis:VMAX:K  (COL_hill, ...)\n"
"  --onehot COL               a 0/1 column per category (COL_VALUE)\n"
"  --log COL                  log1p (COL_log)\n"
"  --scale COLS:METHOD        standard, minmax or maxabs (COL_METHOD)\n"
"  --interact A*B             product (A_x_B)\n"
"  --spec FILE                apply a saved spec instead of step options;\n"
"                             --join FILE then replaces its join files\n"
"  --spec-out FILE            save the steps, fitted state and each group's\n"
"                             history, to continue the series later\n"
"  --dropna                   rows without enough history go to --rejects\n"
"  --rejects FILE             the dropped rows, with a _reason column\n"
"  --report FILE              JSON: rows in, out, dropped\n"
"  --sort                     sort by --by, then --date, first (through\n"
"                             scratch files; then lines are the sorted copy's)\n"
"  --progress                 show progress on stderr\n"
"  -q, --quiet                no warnings on stderr\n"
"  -h, --help                 this help;  --version  the version\n";

enum { O_DATE = 256, O_BY, O_FREQ, O_JOIN, O_ON, O_TIME, O_FOURIER,
	O_HOLIDAYS, O_COUNTRY, O_HWIN, O_LAG, O_DIFF, O_PCT, O_ROLLING,
	O_ADSTOCK, O_SATURATION, O_ONEHOT, O_LOG, O_SCALE, O_INTERACT, O_SPEC,
	O_SPECOUT, O_DROPNA, O_REJECTS, O_REPORT, O_PROGRESS, O_VERSION, O_SORT };

static const struct option longopts[] = {
	{ "adstock", required_argument, NULL, O_ADSTOCK },
	{ "by", required_argument, NULL, O_BY },
	{ "country", required_argument, NULL, O_COUNTRY },
	{ "date", required_argument, NULL, O_DATE },
	{ "diff", required_argument, NULL, O_DIFF },
	{ "dropna", no_argument, NULL, O_DROPNA },
	{ "fourier", required_argument, NULL, O_FOURIER },
	{ "freq", required_argument, NULL, O_FREQ },
	{ "help", no_argument, NULL, 'h' },
	{ "holiday-window", required_argument, NULL, O_HWIN },
	{ "holidays", required_argument, NULL, O_HOLIDAYS },
	{ "interact", required_argument, NULL, O_INTERACT },
	{ "join", required_argument, NULL, O_JOIN },
	{ "lag", required_argument, NULL, O_LAG },
	{ "log", required_argument, NULL, O_LOG },
	{ "on", required_argument, NULL, O_ON },
	{ "onehot", required_argument, NULL, O_ONEHOT },
	{ "output", required_argument, NULL, 'o' },
	{ "pct-change", required_argument, NULL, O_PCT },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "rejects", required_argument, NULL, O_REJECTS },
	{ "report", required_argument, NULL, O_REPORT },
	{ "rolling", required_argument, NULL, O_ROLLING },
	{ "saturation", required_argument, NULL, O_SATURATION },
	{ "scale", required_argument, NULL, O_SCALE },
	{ "sort", no_argument, NULL, O_SORT },
	{ "spec", required_argument, NULL, O_SPEC },
	{ "spec-out", required_argument, NULL, O_SPECOUT },
	{ "time", required_argument, NULL, O_TIME },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* Option -> step kind, for the options that add steps. */
static const struct { int opt; enum fkind kind; } step_opts[] = {
	{ O_JOIN, F_JOIN }, { O_TIME, F_TIME }, { O_FOURIER, F_FOURIER },
	{ O_HOLIDAYS, F_HOLIDAYS }, { O_LAG, F_LAG }, { O_DIFF, F_DIFF },
	{ O_PCT, F_PCT }, { O_ROLLING, F_ROLLING }, { O_ADSTOCK, F_ADSTOCK },
	{ O_SATURATION, F_SATURATION }, { O_ONEHOT, F_ONEHOT },
	{ O_LOG, F_LOG }, { O_SCALE, F_SCALE }, { O_INTERACT, F_INTERACT },
};

static const char *output, *spec, *spec_out, *rejects, *report, *on;
static int quiet, show_progress, dropna, nsteps, sort_first, spec_fixes;

/* Steps are added in the order given, once the plain options are known. */
static struct { enum fkind kind; const char *arg; } *pending;

static void
parse_options(int argc, char **argv, fopts *o)
{
	int ch;
	char *end;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		size_t i;
		for (i = 0; i < sizeof step_opts / sizeof *step_opts; i++)
			if (step_opts[i].opt == ch)
				break;
		if (i < sizeof step_opts / sizeof *step_opts) {
			pending = ereallocarray(pending, (size_t)nsteps + 1,
			    sizeof *pending);
			pending[nsteps].kind = step_opts[i].kind;
			pending[nsteps++].arg = optarg;
			continue;
		}
		switch (ch) {
		case 'h': cli_help(usage);
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case O_BY: o->by = optarg; spec_fixes = 1; break;
		case O_COUNTRY: o->country = optarg; spec_fixes = 1; break;
		case O_DATE: o->date_col = optarg; spec_fixes = 1; break;
		case O_DROPNA: dropna = 1; break;
		case O_FREQ:
			if (strcmp(optarg, "daily") && strcmp(optarg, "weekly"))
				cli_usage_error("--freq: \"%s\" is not daily or "
				    "weekly", optarg);
			o->freq = optarg[0] == 'd' ? 1 : 7;
			spec_fixes = 1;
			break;
		case O_HWIN:
			o->hwin_lo = (int)strtol(optarg, &end, 10);
			if (*end != ':' || (o->hwin_hi = (int)strtol(end + 1,
			    &end, 10), *end) || o->hwin_lo > 0 ||
			    o->hwin_hi < 0 || o->hwin_lo < -366 ||
			    o->hwin_hi > 366)
				cli_usage_error("--holiday-window: \"%s\" is not "
				    "LO:HI with -366 <= LO <= 0 <= HI <= 366",
				    optarg);
			spec_fixes = 1;
			break;
		case O_ON: on = optarg; spec_fixes = 1; break;
		case O_PROGRESS: show_progress = 1; break;
		case O_REJECTS: rejects = optarg; break;
		case O_REPORT: report = optarg; break;
		case O_SORT: sort_first = 1; break;
		case O_SPEC: spec = optarg; break;
		case O_SPECOUT: spec_out = optarg; break;
		case O_VERSION: cli_version();
		default: cli_usage_error("option \"%s\" is unknown or lacks "
		    "its value", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one input file at most");
	if (dropna != (rejects != NULL))
		cli_usage_error("--dropna and --rejects go together, so that no "
		    "row is lost");
	for (int i = 0; spec && i < nsteps; i++)
		if (pending[i].kind != F_JOIN)
			cli_usage_error("--spec replaces the step options: give "
			    "one or the other (--join FILE may replace a "
			    "spec's join file)");
	if (spec && spec_fixes)
		cli_usage_error("--spec fixes --date, --by, --freq, --on, "
		    "--country and --holiday-window: give them when the spec "
		    "is made");
	if (!spec && !nsteps)
		cli_usage_error("no feature to make: give a step option or "
		    "--spec");
}

static csv_reader *
open_input(const char *path, const char *name)
{
	char err[1024];
	int status;
	csv_reader *r = csv_open_as(path, name, 0, err, sizeof err, &status);

	if (!r)
		dien(status, "%s", err);
	return r;
}

static void
bind(fpipe *p, csv_reader *r)
{
	char err[1024];
	int status;

	if (fp_bind(p, r, err, sizeof err, &status) < 0) {
		if (status == EXIT_USAGE)
			cli_usage_error("%s", err);
		dien(status, "%s", err);
	}
}

int
main(int argc, char **argv)
{
	fopts o = { 0 };
	char err[1024];
	int status, got;
	csv_record rec;
	progress prog;

	cli_init(argc, argv);
	parse_options(argc, argv, &o);
	fpipe *p = fp_new(&o);
	fp_set_on(p, on);
	if (spec && fp_load(p, spec, err, sizeof err, &status) < 0)
		dien(status, "%s", err);
	for (int i = 0, njoin = 0; i < nsteps; i++) {
		if (spec) {
			if (fp_set_join_path(p, (size_t)njoin++, pending[i].arg) < 0)
				cli_usage_error("--join %s: the spec has only %d "
				    "join(s)", pending[i].arg, njoin - 1);
			continue;
		}
		if (fp_add(p, pending[i].kind, pending[i].arg, err,
		    sizeof err) < 0)
			cli_usage_error("%s", err);
	}

	const char *path = optind < argc ? argv[optind] : "-", *name = NULL;
	char *sorted_name = NULL, *sorted_path = NULL;
	if (sort_first) {
		const fopts *eo = fp_opts(p);
		sorted_name = efmt("%s (sorted)", strcmp(path, "-") ? path :
		    "<stdin>");
		sorted_path = csv_sort_by_date(path, strcmp(path, "-") ? NULL :
		    "<stdin>", eo->by, eo->date_col ? eo->date_col : "date",
		    err, sizeof err, &status);
		if (!sorted_path)
			dien(status, "%s", err);
		path = sorted_path;
		name = sorted_name;
	}
	if (fp_unfitted(p) && strcmp(path, "-") == 0) {
		/* Fitting reads the input more than once. */
		path = out_spool_stdin();
		name = "<stdin>";
	}
	csv_reader *r = open_input(path, name);
	bind(p, r);
	while (fp_unfitted(p)) {
		int before = fp_unfitted(p);
		fp_begin(p, 1);
		while ((got = csv_next(r, &rec, err, sizeof err, &status)) > 0)
			if (fp_row(p, &rec, err, sizeof err) < 0)
				dien(EXIT_DATAERR, "%s", err);
		if (got < 0)
			dien(status, "%s", err);
		fp_end_fit(p);
		if (fp_unfitted(p) >= before)
			die("fitting made no progress");
		csv_close(r);
		r = open_input(path, name);
		bind(p, r);	/* fitting may name new columns */
	}

	out *of = out_open(output), *rj = rejects ? out_open(rejects) : NULL;
	csv_write_names(of, r);
	fp_write_header(p, of);
	out_putc(of, '\n');
	if (rj) {
		csv_write_names(rj, r);
		out_str(rj, ",_reason\n");
	}

	long long nin = 0, nout = 0, nrej = 0;
	progress_init(&prog, show_progress, quiet, "rows");
	fp_begin(p, 0);
	while ((got = csv_next(r, &rec, err, sizeof err, &status)) > 0) {
		int ok = fp_row(p, &rec, err, sizeof err);
		if (ok < 0)
			dien(EXIT_DATAERR, "%s", err);
		nin++;
		if (!ok && dropna) {
			csv_write_fields(rj, &rec);
			out_putc(rj, ',');
			csv_write_field(rj, fp_incomplete(p),
			    strlen(fp_incomplete(p)));
			out_putc(rj, '\n');
			nrej++;
			continue;
		}
		csv_write_fields(of, &rec);
		fp_write_values(p, of);
		out_putc(of, '\n');
		nout++;
		progress_tick(&prog, nin);
	}
	if (got < 0)
		dien(status, "%s", err);
	progress_done(&prog, nin);
	for (size_t i = 0; !quiet && fp_warning(p, i); i++)
		warn("%s", fp_warning(p, i));
	if (spec_out) {
		out *so = out_open(spec_out);
		fp_save(p, so);
		out_commit(so);
	}
	if (report) {
		out *ro = out_open(report);
		jsonw w;
		jw_init(&w, ro, 1);
		jw_obj(&w);
		jw_key(&w, "rows_in");
		jw_int(&w, nin);
		jw_key(&w, "rows_out");
		jw_int(&w, nout);
		jw_key(&w, "rows_rejected");
		jw_int(&w, nrej);
		jw_obj_end(&w);
		jw_end(&w);
		out_commit(ro);
	}
	if (rj)
		out_commit(rj);
	out_commit(of);
	fp_free(p);
	csv_close(r);
	free(pending);
	free(sorted_name);
	free(sorted_path);
	return 0;
}
