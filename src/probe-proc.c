/*
 * probe-proc.c - per-process counters through libproc2.
 *
 * The only file that includes <libproc2/pids.h>.  Values are copied out
 * of libproc2's stacks before the next call; nothing else sees its types.
 * PIDS_VAL() changed arity in libproc2 4.0.5, so results are read through
 * stack->head[i].result directly.
 */
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"
#include "probe-internal.h"

/* Order matters: the RES_* indexes below follow it. */
static enum pids_item probe_proc_items[] = {
	PIDS_ID_PID,
	PIDS_ID_PPID,
	PIDS_ID_PGRP,
	PIDS_STATE,
	PIDS_CMD,
	PIDS_CMDLINE_V,
	PIDS_TICS_ALL,
	PIDS_TICS_BEGAN,
	PIDS_VM_RSS,
	PIDS_IO_READ_CHARS,
	PIDS_IO_WRITE_CHARS,
	PIDS_WCHAN_NAME,
};
enum {
	RES_PID,
	RES_PPID,
	RES_PGRP,
	RES_STATE,
	RES_CMD,
	RES_CMDLINE_V,
	RES_TICS_ALL,
	RES_TICS_BEGAN,
	RES_VM_RSS,
	RES_RCHAR,
	RES_WCHAR,
	RES_WCHAN,
	RES_COUNT,
};

/* libproc2 refuses more than 255 pids in one select. */
#define PROBE_PROC_BATCH 255

struct probe_proc {
	struct pids_info *info;
};

struct probe_proc *
probe_proc_create(void)
{
	struct probe_proc *pp = xcalloc(1, sizeof *pp);

	_Static_assert(sizeof probe_proc_items / sizeof probe_proc_items[0] ==
	    RES_COUNT, "items and indexes agree");
	if (procps_pids_new(&pp->info, probe_proc_items, RES_COUNT) < 0)
		fatalx("libproc2: cannot set up (is /proc mounted?)");
	return pp;
}

void
probe_proc_free(struct probe_proc *pp)
{
	if (pp == NULL)
		return;
	procps_pids_unref(&pp->info);
	free(pp);
}

static void
probe_proc_copy(struct snap_proc *p, const struct pids_result *r)
{
	const char *wchan = r[RES_WCHAN].result.str;

	p->ppid = r[RES_PPID].result.s_int;
	p->pgid = r[RES_PGRP].result.s_int;
	p->state = r[RES_STATE].result.s_ch;
	snprintf(p->comm, sizeof p->comm, "%s",
	    r[RES_CMD].result.str != NULL ? r[RES_CMD].result.str : "");
	/* A zombie has no command line; keep what an earlier step set. */
	/* libproc2 stands "-" or "[comm]" in for an empty command line. */
	if (r[RES_CMDLINE_V].result.strv != NULL &&
	    r[RES_CMDLINE_V].result.strv[0] != NULL &&
	    r[RES_CMDLINE_V].result.strv[0][0] != '[' &&
	    strcmp(r[RES_CMDLINE_V].result.strv[0], "-") != 0)
		snapshot_proc_set_argv(p, r[RES_CMDLINE_V].result.strv);
	else if (p->argv[0] == NULL) {
		char *argv[] = { p->comm, NULL };

		snapshot_proc_set_argv(p, argv);
	}
	p->cpu_ticks = r[RES_TICS_ALL].result.ull_int;
	p->start_ticks = r[RES_TICS_BEGAN].result.ull_int;
	p->rss_kib = r[RES_VM_RSS].result.ul_int;
	p->rchar = r[RES_RCHAR].result.ul_int;
	p->wchar = r[RES_WCHAR].result.ul_int;
	/* wchan reads "0" for a running process or without ptrace access. */
	if (wchan != NULL && strcmp(wchan, "0") != 0 && strcmp(wchan, "-") != 0)
		snprintf(p->wchan, sizeof p->wchan, "%s", wchan);
	else
		p->wchan[0] = '\0';
}

void
probe_proc_read(struct probe_proc *pp, struct snap_proc *procs, size_t n)
{
	unsigned pids[PROBE_PROC_BATCH];

	for (size_t off = 0; off < n; off += PROBE_PROC_BATCH) {
		size_t batch = n - off < PROBE_PROC_BATCH ? n - off :
		    PROBE_PROC_BATCH;
		struct pids_fetch *f;

		for (size_t i = 0; i < batch; i++)
			pids[i] = (unsigned)procs[off + i].pid;
		f = procps_pids_select(pp->info, pids, (int)batch,
		    PIDS_SELECT_PID);
		if (f == NULL)
			continue;
		/* Vanished pids are dropped from the result: match by pid. */
		for (int k = 0; k < f->counts->total; k++) {
			const struct pids_result *r = f->stacks[k]->head;

			for (size_t i = 0; i < batch; i++) {
				if (procs[off + i].pid == r[RES_PID].result.s_int) {
					probe_proc_copy(&procs[off + i], r);
					break;
				}
			}
		}
	}
}

size_t
probe_proc_list_all(struct probe_proc_ids **out)
{
	enum pids_item items[] = { PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_PGRP };
	struct pids_info *info = NULL;
	struct pids_fetch *f;
	size_t n = 0;

	*out = NULL;
	if (procps_pids_new(&info, items, 3) < 0)
		return 0;
	if ((f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY)) != NULL &&
	    f->counts->total > 0) {
		*out = xcalloc((size_t)f->counts->total, sizeof **out);
		for (int k = 0; k < f->counts->total; k++) {
			const struct pids_result *r = f->stacks[k]->head;

			(*out)[n].pid = r[0].result.s_int;
			(*out)[n].ppid = r[1].result.s_int;
			(*out)[n].pgid = r[2].result.s_int;
			n++;
		}
	}
	procps_pids_unref(&info);
	return n;
}
