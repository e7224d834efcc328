/*
 * fuzz-trace-read.c - the trace reader (replay) on any file.
 *
 * trace_read() must refuse or read any bytes, and whatever it reads must
 * be safe to hand to everything replay hands it to: rates, diagnoses, the
 * layout and both renderers.  A trace is the one input of pipeviz that
 * comes from a file a person may have edited, cut short or mixed up.
 */
#include <stdio.h>

#include "fuzz.h"

#include "pipeviz/diagnose.h"
#include "pipeviz/history.h"
#include "pipeviz/layout.h"
#include "pipeviz/rates.h"
#include "pipeviz/render.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/summary.h"
#include "pipeviz/timeline.h"
#include "pipeviz/trace-read.h"
#include "pipeviz/trace.h"

/*
 * An error is one line for a person's terminal: no newline, and none of
 * the input's control characters (a trace may hold escape sequences).
 */
static void
check_message(const char *err)
{
	FUZZ_CHECK(err != NULL && err[0] != '\0');
	for (const unsigned char *p = (const unsigned char *)err; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "control character 0x%02x in: %s\n", *p, err);
		FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
	}
}

static void
draw(const struct snapshot *s, int width, bool utf8)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct layout_opts o = { .width = width, .utf8 = utf8 };
	struct layout *l;
	char *text;

	if (out == NULL)
		abort();
	render_text(out, s, "replay", width, utf8);
	render_dot(out, s, "replay");
	fclose(out);
	free(buf);
	l = layout_build(s, &o);
	FUZZ_CHECK(l != NULL && l->width == width);
	text = layout_to_text(l);
	free(text);
	layout_free(l);
	free(trace_sample_string(s));
}

/* A summary as --text prints it and the live view draws it. */
static void
draw_summary(const struct summary *sum, int width, bool utf8)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		abort();
	render_summary(out, sum, width, utf8);
	fclose(out);
	FUZZ_CHECK(buf != NULL && strchr(buf, '\033') == NULL);
	free(buf);
}

/*
 * What a replay does with the samples besides drawing them: the history
 * of the timeline panel, the panel itself and the summary of a trace
 * without one; and the end record's summary.
 */
static void
replay_extras(const struct trace_file *tf)
{
	struct history *h = history_create(0, -1);
	struct timeline_opts o = { .width = 40, .rows = 6, .utf8 = true,
	    .span = HISTORY_SPAN_SECONDS };
	struct summary *sum;
	struct layout *l;

	for (size_t i = 0; i < tf->nsamples; i++)
		history_add(h, tf->samples[i]);
	l = timeline_build(h, tf->samples[tf->nsamples - 1], &o);
	FUZZ_CHECK(l != NULL && l->width == 40 && l->height <= 6);
	layout_free(l);
	sum = summary_build(h, NULL, 0);
	draw_summary(sum, 33, false);
	summary_free(sum);
	history_free(h);
	if (tf->summary != NULL) {
		draw_summary(tf->summary, 80, true);
		draw_summary(tf->summary, 40, false);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char nothing[1];
	struct trace_file tf;
	struct snapshot *one;
	char *err = NULL, *copy;
	FILE *f;

	/* One sample record on its own, as the live view's tests read it. */
	copy = fuzz_cstring(data, size);
	if ((one = trace_read_sample(copy, &err)) != NULL) {
		FUZZ_CHECK(err == NULL);
		draw(one, 20, false);
		snapshot_free(one);
	} else {
		check_message(err);
		free(err);
	}
	free(copy);

	/* A whole trace file. */
	err = NULL;
	/* fmemopen() needs a size: an empty file is one byte, read first. */
	if ((f = size > 0 ? fmemopen((void *)data, size, "r") :
	    fmemopen(nothing, 1, "r")) == NULL)
		abort();
	if (size == 0)
		fgetc(f);
	if (trace_read(f, &tf, &err) == 0) {
		struct diagnose *d = diagnose_create();

		FUZZ_CHECK(err == NULL);
		FUZZ_CHECK(tf.nsamples > 0 && tf.command != NULL);
		FUZZ_CHECK(tf.interval_ms > 0);
		if (tf.warning != NULL)
			check_message(tf.warning);
		for (size_t i = 0; i < tf.nsamples; i++) {
			struct snapshot *s = tf.samples[i];

			rates_apply(i > 0 ? tf.samples[i - 1] : NULL, s, 100);
			diagnose_sample(d, s);
			draw(s, i % 2 ? 120 : 33, i % 3 != 0);
		}
		replay_extras(&tf);
		diagnose_free(d);
		trace_file_clear(&tf);
	} else {
		FUZZ_CHECK(err != NULL && strncmp(err, "line ", 5) == 0);
		check_message(err);
		free(err);
	}
	fclose(f);
	return 0;
}
