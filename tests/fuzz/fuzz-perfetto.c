/*
 * fuzz-perfetto.c - the Perfetto export of any trace trace_read() takes.
 *
 * Whatever the trace holds (hostile names, numbers out of range, samples
 * out of order), the export must be one JSON document in the Chrome Trace
 * Event Format: an object whose traceEvents are events of the phases
 * perfetto.h names, with a name, a pid and, but for metadata, a ts; spans
 * never last less than nothing.
 */
#include <jansson.h>
#include <stdio.h>

#include "fuzz.h"

#include "pipeviz/perfetto.h"
#include "pipeviz/trace-read.h"

static void
check_event(json_t *e)
{
	const char *ph;

	FUZZ_CHECK(json_is_object(e));
	ph = json_string_value(json_object_get(e, "ph"));
	FUZZ_CHECK(ph != NULL && strlen(ph) == 1 && strchr("MXCi", ph[0]));
	FUZZ_CHECK(json_is_string(json_object_get(e, "name")));
	FUZZ_CHECK(json_is_integer(json_object_get(e, "pid")));
	FUZZ_CHECK(json_is_object(json_object_get(e, "args")));
	if (ph[0] == 'M')
		return;
	FUZZ_CHECK(json_integer_value(json_object_get(e, "ts")) >= 0);
	if (ph[0] == 'X')
		FUZZ_CHECK(json_integer_value(json_object_get(e, "dur")) >= 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char nothing[1];
	struct trace_file tf;
	json_error_t jerr;
	json_t *doc, *ev, *e;
	char *err = NULL, *json;
	size_t len, i;
	FILE *f;

	if ((f = size > 0 ? fmemopen((void *)data, size, "r") :
	    fmemopen(nothing, 1, "r")) == NULL)
		abort();
	if (size == 0)
		fgetc(f);
	if (trace_read(f, &tf, &err) == -1) {
		free(err);
		fclose(f);
		return 0;
	}
	fclose(f);
	json = perfetto_export(&tf, "fuzz", &len);
	FUZZ_CHECK(json != NULL && strlen(json) == len);
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		fprintf(stderr, "not JSON: %s: %.200s\n", jerr.text, json);
	FUZZ_CHECK(doc != NULL && json_is_object(doc));
	ev = json_object_get(doc, "traceEvents");
	FUZZ_CHECK(json_is_array(ev) && json_array_size(ev) > 0);
	json_array_foreach(ev, i, e)
		check_event(e);
	json_decref(doc);
	free(json);
	trace_file_clear(&tf);
	return 0;
}
