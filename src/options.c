/* options.c - argv into struct options, checked, with no side effects. */
#include "pipeviz/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

enum {
	OPT_JSON = 256,
	OPT_ONCE,
	OPT_TEXT,
	OPT_DOT,
	OPT_PIPEFAIL,
	OPT_PIPE_SIZE,
	OPT_EXIT,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_DEMO,
	OPT_SLOW,
	OPT_PEEK,
	OPT_ALL,
	OPT_EXACT,
	OPT_STEP,
	OPT_PERFETTO,
};

/* --peek without a value, and the most it may ask for. */
#define OPTIONS_PEEK_DEFAULT 64
#define OPTIONS_PEEK_MAX 4096

static const struct option options_long[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "text", no_argument, NULL, OPT_TEXT },
	{ "dot", no_argument, NULL, OPT_DOT },
	{ "pipefail", no_argument, NULL, OPT_PIPEFAIL },
	{ "pipe-size", required_argument, NULL, OPT_PIPE_SIZE },
	{ "exit", no_argument, NULL, OPT_EXIT },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "slow", required_argument, NULL, OPT_SLOW },
	{ "peek", optional_argument, NULL, OPT_PEEK },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "exact", no_argument, NULL, OPT_EXACT },
	{ "step", no_argument, NULL, OPT_STEP },
	{ "perfetto", required_argument, NULL, OPT_PERFETTO },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

const char *
options_usage(void)
{
	return "usage: pipeviz [OPTIONS] [--] 'PIPELINE'\n"
	       "       pipeviz [OPTIONS] -p PID\n"
	       "       pipeviz [OPTIONS] --replay FILE\n"
	       "       pipeviz [OPTIONS] --demo [NAME]\n"
	       "       pipeviz [--all] [--text | --json FILE] [--once]\n"
	       "Show the processes and pipes of a shell pipeline, live.\n"
	       "Without arguments, or with --all: every pipeline on the machine.\n"
	       "\n"
	       "  -p, --pid PID        attach to the pipeline PID belongs to\n"
	       "      --all            list every pipeline, stuck ones first\n"
	       "                       (refreshed every second unless -i)\n"
	       "  -i, --interval MS    sample every MS milliseconds (default 100)\n"
	       "  -n, --count N        stop sampling after N samples\n"
	       "      --once           take one sample and print it\n"
	       "      --json FILE      write a JSON Lines trace to FILE ('-': stdout)\n"
	       "      --text           print plain-text frames on stdout, then\n"
	       "                       the run's summary\n"
	       "      --dot            with --once: print Graphviz DOT\n"
	       "  -o, --output FILE    the last stage writes to FILE\n"
	       "      --pipefail       exit with the last non-zero stage status\n"
	       "      --pipe-size N    make the pipeline's pipes N bytes\n"
	       "      --exit           leave as soon as the pipeline ends\n"
	       "      --record FILE    write the JSON trace to FILE beside the view\n"
	       "      --replay FILE    play a recorded trace\n"
	       "      --perfetto FILE  with --replay: write the trace as Chrome Trace\n"
	       "                       Event JSON for ui.perfetto.dev\n"
	       "      --demo [NAME]    list the lecture demos, or run one\n"
	       "      --slow MS        slow motion: freeze the pipeline MS ms\n"
	       "                       after each frame\n"
	       "      --peek[=N]       show the first N bytes waiting in each pipe\n"
	       "                       (default 64, at most 4096)\n"
	       "      --step           start the pipeline frozen right after each\n"
	       "                       stage's exec; n (or each --text/--json\n"
	       "                       sample) runs it one interval\n"
	       "      --exact          count every byte through each pipe and socket\n"
	       "                       in the kernel (BPF; root or CAP_BPF+PERFMON)\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n"
	       "\n"
	       "Exit status: the pipeline's (as sh reports it); 125 when pipeviz\n"
	       "itself fails (bad input, a runtime error), 126 when a stage's command\n"
	       "could not be run, 127 when it was not found, 128+N after signal N.\n";
}

/*
 * A whole decimal number in [min, max], or -1 with *err set.  Digits
 * only: strtol() would also take leading blanks and a sign (" 5", "+5").
 */
static int
options_number(const char *name, const char *arg, long min, long max,
    long *out, char **err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		*err = xasprintf("%s: '%s' is not a number from %ld to %ld",
		    name, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static char *
options_join(int argc, char **argv)
{
	size_t len = 0;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xmalloc(len + 1);
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/*
 * "pipeviz --json 'ls'": the pipeline was taken as the option's FILE.
 * Say so when the option's value was the last word given.
 */
static char *
options_no_pipeline(const char *file_opt, const char *file)
{
	if (file_opt == NULL)
		return xstrdup("no pipeline given (try --help)");
	return xasprintf("no pipeline given: %s took '%s' as its FILE; the "
	    "pipeline comes after it: pipeviz %s FILE 'PIPELINE'", file_opt,
	    file, file_opt);
}

int
options_parse(int argc, char **argv, struct options *o, char **err)
{
	/* The file option whose value was the last word, and the value. */
	const char *file_opt = NULL, *file = NULL;
	long v;
	int c;

	memset(o, 0, sizeof *o);
	o->interval_ms = 100;
	*err = NULL;
	opterr = 0;
	optind = 1;
	/* '+': options end at the pipeline, whose words may start with '-'. */
again:
	while ((c = getopt_long(argc, argv, "+:p:i:n:o:hV", options_long,
	    NULL)) != -1) {
		file_opt = NULL;
		if (optind == argc && (c == 'o' || c == OPT_JSON ||
		    c == OPT_RECORD)) {
			file_opt = c == 'o' ? "-o" : c == OPT_JSON ? "--json" :
			    "--record";
			file = optarg;
		}
		switch (c) {
		case 'p':
			if (options_number("-p", optarg, 1, INT_MAX, &v, err))
				return -1;
			o->pid = (pid_t)v;
			break;
		case 'i':
			if (options_number("-i", optarg, 1, 3600000, &v, err))
				return -1;
			o->interval_ms = (int)v;
			o->interval_set = true;
			break;
		case 'n':
			if (options_number("-n", optarg, 1, LONG_MAX, &v, err))
				return -1;
			o->count = v;
			break;
		case 'o':
			o->output_path = optarg;
			break;
		case OPT_JSON:
			o->json_path = optarg;
			break;
		case OPT_ONCE:
			o->once = true;
			break;
		case OPT_TEXT:
			o->text = true;
			break;
		case OPT_DOT:
			o->dot = true;
			break;
		case OPT_PIPEFAIL:
			o->pipefail = true;
			break;
		case OPT_PIPE_SIZE:
			if (options_number("--pipe-size", optarg, 1, INT_MAX,
			    &v, err))
				return -1;
			o->pipe_size = (int)v;
			break;
		case OPT_EXIT:
			o->exit_at_end = true;
			break;
		case OPT_RECORD:
			o->record_path = optarg;
			break;
		case OPT_REPLAY:
			o->replay_path = optarg;
			break;
		case OPT_PERFETTO:
			o->perfetto_path = optarg;
			break;
		case OPT_DEMO:
			o->demo = true;
			break;
		case OPT_SLOW:
			if (options_number("--slow", optarg, 1, 60000, &v, err))
				return -1;
			o->slow_ms = (int)v;
			break;
		case OPT_EXACT:
			o->exact = true;
			break;
		case OPT_STEP:
			o->step = true;
			break;
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_PEEK:
			o->peek = OPTIONS_PEEK_DEFAULT;
			if (optarg != NULL && options_number("--peek", optarg,
			    1, OPTIONS_PEEK_MAX, &v, err))
				return -1;
			if (optarg != NULL)
				o->peek = (int)v;
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'V':
			o->version = true;
			return 0;
		case ':':
			*err = xasprintf("option '%s' needs a value",
			    argv[optind - 1]);
			return -1;
		default:
			*err = xasprintf("unknown option '%s' (try --help)",
			    argv[optind - 1]);
			return -1;
		}
	}
	/* --demo NAME [OPTIONS]: options may follow the name too. */
	if (optind < argc && o->demo && o->demo_name == NULL) {
		o->demo_name = xstrdup(argv[optind++]);
		goto again;
	}
	if (optind < argc && o->demo) {
		*err = xasprintf("unexpected '%s' after --demo %s", argv[optind],
		    o->demo_name);
		options_clear(o);
		return -1;
	} else if (optind < argc)
		o->pipeline = options_join(argc - optind, argv + optind);
	if (o->once)
		o->count = 1;
	/* Plain `pipeviz`, as plain htop: the machine's pipelines. */
	if (argc == 1)
		o->all = true;
	if (o->all && (o->pid != 0 || o->pipeline != NULL || o->demo ||
	    o->replay_path != NULL))
		*err = xstrdup("--all lists every pipeline: no PIPELINE, -p, "
		    "--demo or --replay");
	else if (o->all && (o->output_path != NULL || o->pipefail ||
	    o->pipe_size != 0 || o->slow_ms != 0 || o->record_path != NULL ||
	    o->dot || o->peek != 0 || o->exit_at_end ||
	    o->perfetto_path != NULL || o->exact || o->step))
		*err = xstrdup("--all takes only -i, -n, --once, --text and "
		    "--json");
	else if (o->all && o->text && o->json_path != NULL)
		*err = xstrdup("choose one of --json and --text");
	else if (o->all)
		; /* checked */
	else if (o->demo && (o->pid != 0 || o->replay_path != NULL))
		*err = xstrdup("--demo runs a pipeline of its own: no -p or --replay");
	else if (o->replay_path != NULL && (o->pid != 0 || o->pipeline != NULL))
		*err = xstrdup("--replay plays a trace: no PIPELINE or -p");
	else if (o->pid != 0 && o->pipeline != NULL)
		*err = xstrdup("give a PIPELINE or -p PID, not both");
	else if (o->perfetto_path != NULL && o->replay_path == NULL)
		*err = xstrdup("--perfetto converts a recorded trace: "
		    "pipeviz --replay TRACE --perfetto OUT.json");
	else if (o->pid == 0 && o->pipeline == NULL && !o->demo &&
	    o->replay_path == NULL)
		*err = options_no_pipeline(file_opt, file);
	else if (o->dot && !o->once)
		*err = xstrdup("--dot needs --once");
	else if ((o->dot ? 1 : 0) + (o->text ? 1 : 0) +
	    (o->json_path != NULL ? 1 : 0) > 1)
		*err = xstrdup("choose one of --json, --text and --dot");
	else if (o->pid != 0 && (o->output_path != NULL || o->pipefail ||
	    o->pipe_size != 0 || o->slow_ms != 0))
		*err = xstrdup("-o, --pipefail, --pipe-size and --slow need a "
		    "launched PIPELINE, not -p");
	else if (o->record_path != NULL && o->json_path != NULL)
		*err = xstrdup("--record is for the live view and --text; "
		    "--json already writes the trace");
	else if (o->replay_path != NULL && (o->record_path != NULL ||
	    o->json_path != NULL || o->output_path != NULL))
		*err = xstrdup("--replay plays a trace; it writes none");
	else if (o->perfetto_path != NULL && (o->text || o->once || o->dot))
		*err = xstrdup("--perfetto writes a file and shows nothing: no "
		    "--text, --once or --dot");
	else if (o->replay_path != NULL && o->peek != 0)
		*err = xstrdup("--peek reads live pipes; --replay shows the "
		    "peeks its trace holds");
	else if (o->replay_path != NULL && (o->exact || o->step))
		*err = xstrdup("--exact and --step watch a live pipeline; "
		    "--replay plays a trace");
	else if (o->step && o->pid != 0)
		*err = xstrdup("--step freezes the pipeline it launches: a "
		    "PIPELINE, not -p");
	else if (o->step && o->once)
		*err = xstrdup("--once judges a burst of samples before the one "
		    "it shows; --step's first frame is -n 1");
	if (*err != NULL) {
		options_clear(o);
		return -1;
	}
	return 0;
}

void
options_clear(struct options *o)
{
	free(o->pipeline);
	free(o->demo_name);
	o->pipeline = NULL;
	o->demo_name = NULL;
}
