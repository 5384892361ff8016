/* mmm-synth: marketing-mix data with known truth. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "jsonw.h"
#include "out.h"
#include "synth.h"

static const char usage[] =
"usage: mmm-synth [--periods N] [--freq weekly|daily] [--start YYYY-MM-DD]\n"
"                 [--channels K] [--seed N] [--noise X] [--truth FILE]\n"
"                 [--components FILE] [-o FILE]\n"
"       mmm-synth -h | --help | --version\n"
"Write marketing-mix data with known truth: date, revenue, the spend of K\n"
"channels, temperature and promo.\n"
"  --periods N          rows (default 208)\n"
"  --freq weekly|daily  step between dates (default weekly)\n"
"  --start YYYY-MM-DD   first date (default 2021-01-04)\n"
"  --channels K         channels: tv, search, social, display, radio, ooh,\n"
"                       print, video, email, affiliate, ch11 ... (default 5)\n"
"  --seed N             random seed (default 1)\n"
"  --noise X            noise sd as a fraction of the mean revenue (0.05)\n"
"  --truth FILE         the true parameters, contributions and ROI as JSON\n"
"  --components FILE    per row: baseline, each channel's contribution,\n"
"                       noise and revenue, as CSV\n"
"  -o, --output FILE    write the data to FILE instead of standard output\n"
"  -h, --help           this help;  --version  the version\n";

enum { O_CHANNELS = 256, O_COMPONENTS, O_FREQ, O_NOISE, O_PERIODS, O_SEED,
	O_START, O_TRUTH, O_VERSION };

static const struct option longopts[] = {
	{ "channels", required_argument, NULL, O_CHANNELS },
	{ "components", required_argument, NULL, O_COMPONENTS },
	{ "freq", required_argument, NULL, O_FREQ },
	{ "help", no_argument, NULL, 'h' },
	{ "noise", required_argument, NULL, O_NOISE },
	{ "output", required_argument, NULL, 'o' },
	{ "periods", required_argument, NULL, O_PERIODS },
	{ "seed", required_argument, NULL, O_SEED },
	{ "start", required_argument, NULL, O_START },
	{ "truth", required_argument, NULL, O_TRUTH },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

#define MAXPERIODS 10000000L	/* 27 000 years of days */
#define MAXCHANNELS 1000L

static const char *output, *truth, *components, *start;

static void
parse_options(int argc, char **argv, synth_conf *c)
{
	long sec;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': cli_help(usage);
		case 'o': output = optarg; break;
		case O_CHANNELS: c->channels = (size_t)cli_long("--channels",
		    optarg, 1, MAXCHANNELS); break;
		case O_COMPONENTS: components = optarg; break;
		case O_FREQ:
			if (strcmp(optarg, "weekly") == 0)
				c->daily = 0;
			else if (strcmp(optarg, "daily") == 0)
				c->daily = 1;
			else
				cli_usage_error("--freq: \"%s\" is not weekly or "
				    "daily", optarg);
			break;
		case O_NOISE: c->noise = cli_double("--noise", optarg, 0, 1);
			break;
		case O_PERIODS: c->periods = (size_t)cli_long("--periods",
		    optarg, 1, MAXPERIODS); break;
		case O_SEED: c->seed = (uint64_t)cli_long("--seed", optarg, 0,
		    LONG_MAX); break;
		case O_START:
			if (date_parse(optarg, strlen(optarg), &c->start,
			    &sec) < 0 || sec != 0 || strlen(optarg) != 10)
				cli_usage_error("--start: \"%s\" is not a date "
				    "YYYY-MM-DD", optarg);
			start = optarg;
			break;
		case O_TRUTH: truth = optarg; break;
		case O_VERSION: cli_version();
		default: cli_usage_error("option \"%s\" is unknown or lacks "
		    "its value", argv[optind - 1]);
		}
	}
	/* Dates stay YYYY-MM-DD. */
	if (c->start + (long)(c->periods - 1) * (c->daily ? 1 : 7) >
	    date_days(9999, 12, 31))
		cli_usage_error("--periods %zu from --start %s go past "
		    "9999-12-31", c->periods, start ? start : "2021-01-04");
	if (optind < argc)
		cli_usage_error("no operand is taken: \"%s\"", argv[optind]);
	/* Standard output ("-" or no -o) holds one of them at most. */
	const char *o[] = { output ? output : "-", truth, components };
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; o[i] && j < i; j++)
			if (o[j] && strcmp(o[i], o[j]) == 0)
				cli_usage_error("\"%s\" named for two outputs",
				    o[i]);
}

int
main(int argc, char **argv)
{
	synth_conf c = { .periods = 208, .daily = 0, .channels = 5, .seed = 1,
		.noise = 0.05 };
	synth s;
	long sec;

	cli_init(argc, argv);
	date_parse("2021-01-04", 10, &c.start, &sec);
	parse_options(argc, argv, &c);
	synth_make(&s, &c);

	/* Every file whole before any is renamed into place. */
	out *od = out_open(output), *ot = truth ? out_open(truth) : NULL;
	out *oc = components ? out_open(components) : NULL;
	synth_write_data(od, &s);
	if (ot) {
		jsonw w;
		jw_init(&w, ot, 1);
		synth_write_truth(&w, &s);
		jw_end(&w);
	}
	if (oc)
		synth_write_components(oc, &s);
	if (ot)
		out_commit(ot);
	if (oc)
		out_commit(oc);
	out_commit(od);
	synth_free(&s);
	return 0;
}
