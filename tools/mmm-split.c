/* mmm-split: leakage-free time split — a holdout with a gap, or folds. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "csvio.h"
#include "err.h"
#include "out.h"
#include "split.h"

static const char usage[] =
"usage: mmm-split --test F|N|YYYY-MM-DD [--gap N] --train-out FILE\n"
"                 --test-out FILE [--gap-out FILE] [--date COL] [--by COLS]\n"
"                 [--report FILE] [--plan] [FILE]\n"
"       mmm-split --folds K [--gap N] [--valid-size N] [--max-train N]\n"
"                 --fold-dir DIR [--date COL] [--by COLS] [--report FILE]\n"
"                 [--plan] [FILE]\n"
"       mmm-split -h | --help | --version\n"
"Split CSV rows by date, keeping the last periods for testing.\n"
"  --test F|N|DATE   test set: the last ceil(F x periods) periods (0<F<1),\n"
"                    the last N periods, or the dates on or after DATE\n"
"  --gap N           periods dropped before the test or validation set (0)\n"
"  --train-out FILE  train rows, with --test\n"
"  --test-out FILE   test rows, with --test\n"
"  --gap-out FILE    keep the dropped gap rows in FILE\n"
"  --folds K         K expanding-window folds, as scikit-learn's\n"
"                    TimeSeriesSplit over the periods (K >= 2)\n"
"  --valid-size N    periods per validation set (default periods // (K+1))\n"
"  --max-train N     at most N train periods per fold (default all)\n"
"  --fold-dir DIR    write fold-I.train.csv and fold-I.valid.csv in DIR\n"
"  --date COL        date column (default date)\n"
"  --by COLS         group columns: counted per set; one cutoff for all\n"
"  --report FILE     the plan and its checks as JSON, once rows are written\n"
"  --plan            print the plan as JSON and write no file\n"
"  -h, --help        this help;  --version  the version\n";

enum { O_BY = 256, O_DATE, O_FOLDDIR, O_FOLDS, O_GAP, O_GAPOUT, O_MAXTRAIN,
	O_PLAN, O_REPORT, O_TEST, O_TESTOUT, O_TRAINOUT, O_VALID, O_VERSION };

static const struct option longopts[] = {
	{ "by", required_argument, NULL, O_BY },
	{ "date", required_argument, NULL, O_DATE },
	{ "fold-dir", required_argument, NULL, O_FOLDDIR },
	{ "folds", required_argument, NULL, O_FOLDS },
	{ "gap", required_argument, NULL, O_GAP },
	{ "gap-out", required_argument, NULL, O_GAPOUT },
	{ "help", no_argument, NULL, 'h' },
	{ "max-train", required_argument, NULL, O_MAXTRAIN },
	{ "plan", no_argument, NULL, O_PLAN },
	{ "report", required_argument, NULL, O_REPORT },
	{ "test", required_argument, NULL, O_TEST },
	{ "test-out", required_argument, NULL, O_TESTOUT },
	{ "train-out", required_argument, NULL, O_TRAINOUT },
	{ "valid-size", required_argument, NULL, O_VALID },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

#define MAXN 1000000000L	/* periods: more than any table holds */

static split_meta m = { .date_col = "date" };	/* names and outputs */
static const char *report;
static int plan;

static void
check_options(const split_conf *c)
{
	const char *o[] = { m.file[SPLIT_TRAIN], m.file[SPLIT_TEST],
		m.file[SPLIT_GAP], report };
	int ho = o[0] || o[1] || o[2];

	if (!c->test_kind == !c->folds)
		cli_usage_error("give one of --test and --folds");
	if (c->test_kind && (c->valid_size || c->max_train || m.fold_dir))
		cli_usage_error("--valid-size, --max-train and --fold-dir go "
		    "with --folds");
	if (c->folds && ho)
		cli_usage_error("--train-out, --test-out and --gap-out go with "
		    "--test");
	if (c->test_kind && !plan && !(o[0] && o[1]))
		cli_usage_error("--test needs --train-out and --test-out");
	if (c->folds && !plan && !m.fold_dir)
		cli_usage_error("--folds needs --fold-dir");
	for (size_t i = 0; !plan && i < 4; i++)
		for (size_t j = 0; o[i] && j < i; j++)
			if (o[j] && strcmp(o[i], o[j]) == 0)
				cli_usage_error("\"%s\" named for two outputs",
				    o[i]);
}

static void
parse_options(int argc, char **argv, split_conf *c)
{
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': cli_help(usage);
		case O_BY: m.by = optarg; break;
		case O_DATE: m.date_col = optarg; break;
		case O_FOLDDIR: m.fold_dir = optarg; break;
		case O_FOLDS: c->folds = (size_t)cli_long("--folds", optarg, 2,
		    1000000); break;
		case O_GAP: c->gap = (size_t)cli_long("--gap", optarg, 0,
		    MAXN); break;
		case O_GAPOUT: m.file[SPLIT_GAP] = optarg; break;
		case O_MAXTRAIN: c->max_train = (size_t)cli_long("--max-train",
		    optarg, 1, MAXN); break;
		case O_PLAN: plan = 1; break;
		case O_REPORT: report = optarg; break;
		case O_TEST:
			if (split_parse_test(optarg, c) < 0)
				cli_usage_error("--test: \"%s\" is not a fraction "
				    "in (0,1), a whole number of periods from 1 "
				    "or a date YYYY-MM-DD", optarg);
			break;
		case O_TESTOUT: m.file[SPLIT_TEST] = optarg; break;
		case O_TRAINOUT: m.file[SPLIT_TRAIN] = optarg; break;
		case O_VALID: c->valid_size = (size_t)cli_long("--valid-size",
		    optarg, 1, MAXN); break;
		case O_VERSION: cli_version();
		default: cli_usage_error("option \"%s\" is unknown or lacks "
		    "its value", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one input file at most");
	check_options(c);
}

/* Write the rows of split s into the files of their sets. */
static void
write_split(const csv_reader *r, const split_rows *rows,
    const split_plan *pl, size_t s)
{
	out *o[SPLIT_NSETS];
	unsigned char *set = emalloc(rows->n);

	for (int k = 0; k < SPLIT_NSETS; k++) {
		char *path = split_path(&m, pl, s, k);
		if ((o[k] = path ? out_open(path) : NULL))
			split_write_header(o[k], r);
		free(path);
	}
	split_assign(pl, s, rows->day, set);
	for (size_t i = 0; i < rows->n; i++)
		if (set[i] < SPLIT_NSETS && o[set[i]])
			split_rows_write(o[set[i]], rows, i);
	for (int k = 0; k < SPLIT_NSETS; k++)
		if (o[k])
			out_commit(o[k]);
	free(set);
}

static void
write_plan(const char *path, const split_plan *pl)
{
	out *o = out_open(path);
	jsonw w;

	jw_init(&w, o, 1);
	split_plan_json(&w, pl, &m);
	jw_end(&w);
	out_commit(o);
}

int
main(int argc, char **argv)
{
	split_conf c = { 0 };
	split_rows rows = { 0 };
	split_groups g = { 0 };
	split_periods p;
	split_plan pl;
	char err[1024];
	int status;

	cli_init(argc, argv);
	parse_options(argc, argv, &c);
	csv_reader *r = csv_open(optind < argc ? argv[optind] : "-", 0, err,
	    sizeof err, &status);
	if (!r)
		dien(status, "%s", err);
	const char *name = m.input = csv_name(r);
	/* Hold every row: the cutoff depends on the last date. */
	if (split_rows_read(&rows, &g, r, m.date_col, m.by, err, sizeof err,
	    &status) < 0)
		dien(status, "%s", err);

	split_periods_build(&p, rows.day, rows.n);
	if (split_plan_make(&pl, &c, &p, rows.n, err, sizeof err) < 0)
		dien(EXIT_DATAERR, "%s: %s", name, err);
	split_plan_verify(&pl, rows.day, rows.group, g.n);
	if (plan)
		write_plan(NULL, &pl);
	if (split_plan_failure(&pl, err, sizeof err))
		die("%s: internal error: %s", name, err);
	if (!plan && m.fold_dir && mkdir(m.fold_dir, 0777) < 0 &&
	    errno != EEXIST)
		dien(EXIT_CANTCREAT, "%s: cannot create:", m.fold_dir);
	for (size_t s = 0; !plan && s < pl.nsplits; s++)
		write_split(r, &rows, &pl, s);
	if (!plan && report)
		write_plan(report, &pl);
	split_plan_free(&pl);
	split_periods_free(&p);
	split_rows_free(&rows);
	split_groups_free(&g);
	csv_close(r);
	return 0;
}
