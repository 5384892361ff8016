/* mmm-validate: the data-quality gate — pass rows on, check them, report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvio.h"
#include "date.h"
#include "err.h"
#include "out.h"
#include "validate.h"

static const char usage[] =
"usage: mmm-validate [-hq] [-o FILE] [--report FILE] [--rejects FILE]\n"
"                    [--drop-invalid] [--max-rejected F] [--date COL] [--by COLS]\n"
"                    [--freq daily|weekly] [--require COLS] [--max-missing F]\n"
"                    [--allow-missing COLS] [--outlier-cols COLS]\n"
"                    [--numeric COLS] [--nonneg COLS] [--range COL=MIN:MAX]...\n"
"                    [--rule 'A<=B']... [--today YYYY-MM-DD] [--max-age DAYS]\n"
"                    [--key COLS] [--max-duplicates N] [--no-unique]\n"
"                    [--outlier-z Z] [--max-outliers F] [--target COL]\n"
"                    [--leak-corr R] [--profile-out FILE] [--against FILE]\n"
"                    [--drift-sd K] [--drift-missing F] [--progress] [--version]\n"
"                    [FILE]\n"
"Pass CSV rows through, check them, and exit 1 when a check fails.\n"
"  -o, --output FILE     rows that pass, written only when every check passes\n"
"  --report FILE         JSON report: counts, per-column statistics, checks\n"
"  --rejects FILE        rows broken at row level, with a _reason column\n"
"  --drop-invalid        send such rows to --rejects instead of passing them\n"
"  --max-rejected F      fail when more than this fraction is rejected\n"
"  --date COL            date column (default date)\n"
"  --by COLS             group columns for date order, gaps and keys\n"
"  --freq daily|weekly   dates must follow each other at this step per group\n"
"  --require COLS        columns that must exist and have no missing values\n"
"  --max-missing F       largest missing fraction per column (default 0.05)\n"
"  --allow-missing COLS  columns exempt from --max-missing (sparse by design)\n"
"  --numeric COLS        values must be numbers (else exit 65, or reject)\n"
"  --nonneg COLS         values must be >= 0 (default: *spend*,*impressions*,\n"
"                        *clicks*,*conversions*,revenue, any case)\n"
"  --range COL=MIN:MAX   values must lie in [MIN, MAX] (repeatable)\n"
"  --rule EXPR           A<=B, A<B, A>=B, A>B, A==B on columns or numbers\n"
"  --today YYYY-MM-DD    the date --max-age counts from (default: today, UTC)\n"
"  --max-age DAYS        the latest date may be at most this old\n"
"  --key COLS            unique key (default: the date and --by columns)\n"
"  --max-duplicates N    exact duplicate rows allowed (default 0)\n"
"  --no-unique           skip the key and duplicate-row checks\n"
"  --outlier-z Z         robust z-score beyond which a value is an outlier (5)\n"
"  --max-outliers F      largest outlier fraction per column (default 0.02)\n"
"  --outlier-cols COLS   numeric columns the outlier check covers (default all)\n"
"  --target COL          flag columns that nearly copy this one (leakage)\n"
"  --leak-corr R         |correlation| that counts as a copy (default 0.98)\n"
"  --profile-out FILE    save a profile for later drift checks (on a pass)\n"
"  --against FILE        compare with a saved profile (drift)\n"
"  --drift-sd K          largest move of a mean, in profile sds (default 2)\n"
"  --drift-missing F     largest rise of a missing fraction (default 0.05)\n"
"  --progress            show progress on stderr even when not a terminal\n"
"  -q, --quiet           no summary on stderr\n"
"  -h, --help            this help;  --version  the version\n";

enum { O_REPORT = 256, O_REJECTS, O_DROP, O_MAXREJ, O_DATE, O_BY, O_FREQ,
	O_REQUIRE, O_MAXMISS, O_NUMERIC, O_NONNEG, O_RANGE, O_RULE, O_TODAY,
	O_MAXAGE, O_KEY, O_MAXDUP, O_NOUNIQUE, O_OUTZ, O_MAXOUT, O_TARGET,
	O_LEAK, O_PROFOUT, O_AGAINST, O_DRIFTSD, O_DRIFTMISS, O_PROGRESS,
	O_VERSION, O_ALLOWMISS, O_OUTCOLS };

static const struct option longopts[] = {
	{ "against", required_argument, NULL, O_AGAINST },
	{ "allow-missing", required_argument, NULL, O_ALLOWMISS },
	{ "by", required_argument, NULL, O_BY },
	{ "date", required_argument, NULL, O_DATE },
	{ "drift-missing", required_argument, NULL, O_DRIFTMISS },
	{ "drift-sd", required_argument, NULL, O_DRIFTSD },
	{ "drop-invalid", no_argument, NULL, O_DROP },
	{ "freq", required_argument, NULL, O_FREQ },
	{ "help", no_argument, NULL, 'h' },
	{ "key", required_argument, NULL, O_KEY },
	{ "leak-corr", required_argument, NULL, O_LEAK },
	{ "max-age", required_argument, NULL, O_MAXAGE },
	{ "max-duplicates", required_argument, NULL, O_MAXDUP },
	{ "max-missing", required_argument, NULL, O_MAXMISS },
	{ "max-outliers", required_argument, NULL, O_MAXOUT },
	{ "max-rejected", required_argument, NULL, O_MAXREJ },
	{ "no-unique", no_argument, NULL, O_NOUNIQUE },
	{ "nonneg", required_argument, NULL, O_NONNEG },
	{ "numeric", required_argument, NULL, O_NUMERIC },
	{ "outlier-cols", required_argument, NULL, O_OUTCOLS },
	{ "outlier-z", required_argument, NULL, O_OUTZ },
	{ "output", required_argument, NULL, 'o' },
	{ "profile-out", required_argument, NULL, O_PROFOUT },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "range", required_argument, NULL, O_RANGE },
	{ "rejects", required_argument, NULL, O_REJECTS },
	{ "report", required_argument, NULL, O_REPORT },
	{ "require", required_argument, NULL, O_REQUIRE },
	{ "rule", required_argument, NULL, O_RULE },
	{ "target", required_argument, NULL, O_TARGET },
	{ "today", required_argument, NULL, O_TODAY },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char *output, *report, *rejects, *profile_out, *against;
static int quiet, show_progress;

static void
write_header(out *o, const csv_reader *r, const char *extra)
{
	csv_write_names(o, r);
	if (extra) {
		out_putc(o, ',');
		out_str(o, extra);
	}
	out_putc(o, '\n');
}

static void
parse_options(int argc, char **argv, vconf *c)
{
	int ch;
	long day;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': cli_help(usage);
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case O_AGAINST: against = optarg; break;
		case O_ALLOWMISS: c->allow_missing = optarg; break;
		case O_BY: c->by = optarg; break;
		case O_DATE: c->date_col = optarg; c->date_given = 1; break;
		case O_DRIFTMISS: c->drift_missing = cli_double("--drift-missing",
		    optarg, 0, 1); break;
		case O_DRIFTSD: c->drift_sd = cli_double("--drift-sd", optarg, 0,
		    1e300); break;
		case O_DROP: c->drop_invalid = 1; break;
		case O_FREQ:
			if (strcmp(optarg, "daily") == 0)
				c->freq = 1;
			else if (strcmp(optarg, "weekly") == 0)
				c->freq = 7;
			else
				cli_usage_error("--freq: \"%s\" is not daily or "
				    "weekly", optarg);
			break;
		case O_KEY: c->key = optarg; break;
		case O_LEAK: c->leak_corr = cli_double("--leak-corr", optarg, 0,
		    1); break;
		case O_MAXAGE: c->max_age = cli_double("--max-age", optarg, 0,
		    1e9); break;
		case O_MAXDUP: c->max_duplicates = cli_long("--max-duplicates",
		    optarg, 0, 1L << 62); break;
		case O_MAXMISS: c->max_missing = cli_double("--max-missing",
		    optarg, 0, 1); break;
		case O_MAXOUT: c->max_outliers = cli_double("--max-outliers",
		    optarg, 0, 1); break;
		case O_MAXREJ: c->max_rejected = cli_double("--max-rejected",
		    optarg, 0, 1); break;
		case O_NOUNIQUE: c->unique = 0; break;
		case O_NONNEG: c->nonneg = optarg; break;
		case O_NUMERIC: c->numeric = optarg; break;
		case O_OUTCOLS: c->outlier_cols = optarg; break;
		case O_OUTZ: c->outlier_z = cli_double("--outlier-z", optarg,
		    0, 1e300); break;
		case O_PROFOUT: profile_out = optarg; break;
		case O_PROGRESS: show_progress = 1; break;
		case O_RANGE:
			c->ranges = ereallocarray(c->ranges, c->nranges + 1,
			    sizeof *c->ranges);
			c->ranges[c->nranges++] = optarg;
			break;
		case O_REJECTS: rejects = optarg; break;
		case O_REPORT: report = optarg; break;
		case O_REQUIRE: c->require = optarg; break;
		case O_RULE:
			c->rules = ereallocarray(c->rules, c->nrules + 1,
			    sizeof *c->rules);
			c->rules[c->nrules++] = optarg;
			break;
		case O_TARGET: c->target = optarg; break;
		case O_TODAY:
			if (date_parse(optarg, strlen(optarg), &day, NULL) < 0)
				cli_usage_error("--today: \"%s\" is not a date "
				    "YYYY-MM-DD", optarg);
			c->today = day;
			break;
		case O_VERSION: cli_version();
		default: cli_usage_error("option \"%s\" is unknown or lacks "
		    "its value", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one input file at most");
	if (c->drop_invalid != (rejects != NULL))
		cli_usage_error("--drop-invalid and --rejects go together, so "
		    "that no row is lost");
	if (c->max_rejected >= 0 && !c->drop_invalid)
		cli_usage_error("--max-rejected needs --drop-invalid");
}

int
main(int argc, char **argv)
{
	vconf c;
	char err[1024], reason[1024];
	int status;
	csv_record rec;
	progress prog;

	cli_init(argc, argv);
	vconf_defaults(&c);
	parse_options(argc, argv, &c);
	const char *input = optind < argc ? argv[optind] : "-";

	csv_reader *r = csv_open(input, 0, err, sizeof err, &status);
	if (!r)
		dien(status, "%s", err);
	validator *v = val_new(&c, r, err, sizeof err, &status);
	if (!v && status == EXIT_USAGE)
		cli_usage_error("%s", err);
	if (!v)
		dien(status, "%s", err);
	out *o = out_open(output);
	out *rj = rejects ? out_open(rejects) : NULL;
	write_header(o, r, NULL);
	if (rj)
		write_header(rj, r, "_reason");

	progress_init(&prog, show_progress, quiet, "rows");
	long long n = 0;
	int got;
	while ((got = csv_next(r, &rec, err, sizeof err, &status)) > 0) {
		int ok = val_row(v, &rec, reason, sizeof reason, err, sizeof err);
		if (ok < 0)
			dien(EXIT_DATAERR, "%s", err);
		if (ok) {
			csv_write_record(o, &rec);
		} else {
			for (size_t i = 0; i < rec.n; i++) {
				csv_write_field(rj, rec.f[i], rec.len[i]);
				out_putc(rj, ',');
			}
			csv_write_field(rj, reason, strlen(reason));
			out_putc(rj, '\n');
		}
		progress_tick(&prog, ++n);
	}
	if (got < 0)
		dien(status, "%s", err);
	progress_done(&prog, n);

	val_finish(v);
	if (against && val_against(v, against, err, sizeof err, &status) < 0)
		dien(status, "%s", err);
	if (report) {
		out *ro = out_open(report);
		val_report(v, ro);
		out_commit(ro);
	}
	int pass = val_pass(v);
	/* A profile is a baseline for later drift checks: only of data that
	 * passed. */
	if (profile_out && pass) {
		out *po = out_open(profile_out);
		val_profile(v, po);
		out_commit(po);
	}
	for (size_t i = 0; !quiet && val_failure(v, i, err, sizeof err); i++)
		warn("%s", err);
	if (rj)
		out_commit(rj);
	if (pass || !output)
		out_commit(o);
	else
		out_abort(o);
	val_free(v);
	csv_close(r);
	free(c.ranges);
	free(c.rules);
	return pass ? 0 : EXIT_CHECK;
}
