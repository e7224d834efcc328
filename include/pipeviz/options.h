/* options.h - the command line, parsed into plain values.  No side effects. */
#ifndef PIPEVIZ_OPTIONS_H
#define PIPEVIZ_OPTIONS_H

#include <stdbool.h>
#include <sys/types.h>

struct options {
	char *pipeline;		 /* PIPELINE (args joined by spaces), or NULL */
	pid_t pid;		 /* -p: attach, 0 when launching */
	int interval_ms;	 /* -i, default 100 */
	bool interval_set;	 /* -i was given */
	bool all;		 /* --all, or no arguments at all */
	long count;		 /* -n, 0 for no limit; --once sets 1 */
	bool once;
	const char *json_path;	 /* --json FILE, "-" for stdout */
	const char *output_path; /* -o FILE: the last stage's stdout */
	bool text;		 /* --text: plain-text frames on stdout */
	bool dot;		 /* --dot (with --once): Graphviz DOT */
	bool pipefail;
	int pipe_size;		 /* --pipe-size BYTES, 0 for the default */
	bool exit_at_end;	 /* --exit: leave when the pipeline ends */
	const char *record_path; /* --record FILE: the trace, beside any view */
	const char *replay_path; /* --replay FILE: play a trace */
	const char *perfetto_path; /* --perfetto FILE: the replayed trace as
				    * Chrome Trace Event JSON */
	bool demo;		 /* --demo: list, or run the one named */
	char *demo_name;	 /* the demo to run (allocated), or NULL */
	int slow_ms;		 /* --slow MS: hold each frame, pipeline stopped */
	int peek;		 /* --peek[=N]: bytes of pipe data to show, 0 none */
	bool exact;		 /* --exact: bytes counted in the kernel (BPF) */
	bool step;		 /* --step: start frozen, run an interval a step */
	bool help, version;
};

/*
 * Parse argv into o.  Returns 0, or -1 with *err set to a newly allocated
 * one-line message (without "pipeviz: ").  o->pipeline is allocated; free
 * it with options_clear().
 */
int options_parse(int argc, char **argv, struct options *o, char **err);
void options_clear(struct options *);
/* The --help text. */
const char *options_usage(void);

#endif
