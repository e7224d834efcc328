/* all.c - every pipeline on the machine: census, sample, judge, list. */
#include "pipeviz/all.h"

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "pipeviz/census.h"
#include "pipeviz/cmdline.h"
#include "pipeviz/diagnose.h"
#include "pipeviz/exitcode.h"
#include "pipeviz/layout.h"
#include "pipeviz/pipelines.h"
#include "pipeviz/probe.h"
#include "pipeviz/rates.h"
#include "pipeviz/sanitize.h"
#include "pipeviz/trace.h"
#include "pipeviz/ui.h"
#include "pipeviz/util.h"

/* The text and JSON outputs' burst: samples this far apart, judged with
 * this stuck time (as --once does it). */
#define ALL_BURST 5
#define ALL_BURST_MS 100
#define ALL_BURST_STUCK_SECONDS 0.4

/* One pipeline followed from refresh to refresh: its diagnoses' memory. */
struct all_track {
	pid_t lead;		/* its lowest pid, with its start time */
	uint64_t lead_start;
	struct diagnose *diag;
	struct snapshot *last;	/* its part of the last sample, judged */
	bool seen;		/* in this refresh */
};

/* What a refresh found of one pipeline. */
struct all_row {
	struct all_track *track;
	enum pipeline_health health;
	const struct snap_diag *top;	/* in track->last, or NULL */
	char *command;
	char *why;
	double since;
	double rate_bps;
	uid_t uid;
	char user[64];
};

struct all {
	const struct all_config *cfg;
	struct census *census;
	struct probe *probe;
	long hz;
	double t0;
	double stuck_seconds;	/* 0: diagnose's own */
	struct all_track **tracks; /* each its own block: rows point at them */
	size_t ntracks;
	struct all_row *rows;
	size_t nrows;
	/* The rows the list shows, as last drawn (keys move among them). */
	struct ui_list_row *shown;
	struct ui_list_frame frame;
	bool quit;
	int stop_signal;
};

static double
all_boot_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
all_clear_rows(struct all *a)
{
	for (size_t i = 0; i < a->nrows; i++) {
		free(a->rows[i].command);
		free(a->rows[i].why);
	}
	free(a->rows);
	a->rows = NULL;
	a->nrows = 0;
}

/* The track of the pipeline led by pid (with that start), made if new. */
static struct all_track *
all_track_of(struct all *a, pid_t lead, uint64_t start)
{
	struct all_track *t;

	for (size_t i = 0; i < a->ntracks; i++) {
		t = a->tracks[i];
		if (t->lead == lead && t->lead_start == start)
			return t;
	}
	a->tracks = xreallocarray(a->tracks, a->ntracks + 1, sizeof *a->tracks);
	t = a->tracks[a->ntracks++] = xcalloc(1, sizeof *t);
	t->lead = lead;
	t->lead_start = start;
	t->diag = diagnose_create();
	if (a->stuck_seconds > 0)
		diagnose_set_stuck(t->diag, a->stuck_seconds);
	return t;
}

static void
all_track_free(struct all_track *t)
{
	diagnose_free(t->diag);
	snapshot_free(t->last);
	free(t);
}

/* Forget the pipelines this refresh did not find. */
static void
all_drop_unseen(struct all *a)
{
	size_t kept = 0;

	for (size_t i = 0; i < a->ntracks; i++) {
		struct all_track *t = a->tracks[i];

		if (!t->seen) {
			all_track_free(t);
			continue;
		}
		t->seen = false;
		a->tracks[kept++] = t;
	}
	a->ntracks = kept;
}

/* The pipeline of each process of s: its own, or its nearest ancestor's. */
static size_t *
all_assign(const struct snapshot *s, const struct pipeline_group *g,
    size_t ng)
{
	size_t *of = xcalloc(s->nprocs + 1, sizeof *of);

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		of[i] = SIZE_MAX;
		for (int depth = 0; p != NULL && of[i] == SIZE_MAX &&
		    depth < 64; depth++) {
			for (size_t k = 0; k < ng && of[i] == SIZE_MAX; k++) {
				if (bsearch(&p->pid, g[k].pids, g[k].npids,
				    sizeof p->pid, util_cmp_pid) != NULL)
					of[i] = k;
			}
			p = p->ppid != p->pid ? snapshot_find_proc(s, p->ppid) :
			    NULL;
		}
	}
	return of;
}

static void
all_user_name(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "%u", (unsigned)uid);
}

/* Stuck first, then slow, then the oldest first. */
static int
all_row_cmp(const void *x, const void *y)
{
	const struct all_row *a = x, *b = y;

	if (a->health != b->health && (a->health <= PIPELINE_SLOW ||
	    b->health <= PIPELINE_SLOW))
		return a->health < b->health ? -1 : 1;
	if (a->since != b->since)
		return a->since > b->since ? -1 : 1;
	return (a->track->lead > b->track->lead) -
	    (a->track->lead < b->track->lead);
}

/* Judge one pipeline's part of the sample and make its row. */
static void
all_judge(struct all *a, struct all_row *r, struct all_track *t,
    struct snapshot *part, const struct census_proc *procs, size_t nprocs,
    double boot)
{
	uint64_t oldest = UINT64_MAX;

	rates_apply(t->last, part, a->hz);
	rates_apply_pipes(t->last, part);
	diagnose_sample(t->diag, part);
	snapshot_free(t->last);
	t->last = part;
	t->seen = true;

	r->track = t;
	r->health = pipeline_judge(part, &r->top);
	r->command = cmdline_pipeline(part);
	r->why = r->top != NULL ? xasprintf("%s: %s", r->top->kind,
	    r->top->message) : NULL;
	r->rate_bps = pipeline_busiest_rate(part);
	r->uid = (uid_t)-1;
	for (size_t i = 0; i < part->nprocs; i++) {
		const struct snap_proc *p = &part->procs[i];
		const struct census_proc *c = census_find(procs, nprocs, p->pid);

		if (p->start_ticks < oldest)
			oldest = p->start_ticks;
		if (c != NULL && r->uid == (uid_t)-1)
			r->uid = c->uid;
	}
	r->since = oldest != UINT64_MAX ? boot - (double)oldest / a->hz : 0;
	if (r->since < 0)
		r->since = 0;
	all_user_name(r->uid, r->user, sizeof r->user);
}

/* One look at the machine: rows for every pipeline, in the list's order. */
static void
all_refresh(struct all *a)
{
	const struct census_proc *procs;
	struct pipeline_group *groups;
	struct pipelines_peer *peers;
	uint64_t *socks, *peer;
	size_t nprocs, nsocks, ngroups, nroots = 0;
	struct snapshot *s;
	pid_t *roots;
	size_t *of;
	double boot = all_boot_seconds();

	nprocs = census_scan(a->census, &procs);
	nsocks = pipelines_std_sockets(procs, nprocs, &socks);
	peer = xcalloc(nsocks + 1, sizeof *peer);
	peers = xcalloc(nsocks + 1, sizeof *peers);
	if (nsocks > 0)
		probe_socket_peer_of(a->probe, socks, nsocks, peer);
	for (size_t i = 0; i < nsocks; i++)
		peers[i] = (struct pipelines_peer){ socks[i], peer[i] };
	ngroups = pipelines_group(procs, nprocs, getpid(), peers, nsocks,
	    &groups);
	free(socks);
	free(peer);
	free(peers);

	for (size_t k = 0; k < ngroups; k++)
		nroots += groups[k].npids;
	roots = xcalloc(nroots + 1, sizeof *roots);
	nroots = 0;
	for (size_t k = 0; k < ngroups; k++) {
		memcpy(roots + nroots, groups[k].pids,
		    groups[k].npids * sizeof *roots);
		nroots += groups[k].npids;
	}
	s = snapshot_create(util_now() - a->t0);
	probe_sample(a->probe, s, roots, nroots);
	free(roots);

	all_clear_rows(a);
	a->rows = xcalloc(ngroups + 1, sizeof *a->rows);
	of = all_assign(s, groups, ngroups);
	for (size_t k = 0; k < ngroups; k++) {
		bool *take = xcalloc(s->nprocs + 1, sizeof *take);
		const struct census_proc *lead = census_find(procs, nprocs,
		    groups[k].pids[0]);
		struct snapshot *part;
		size_t n = 0;

		for (size_t i = 0; i < s->nprocs; i++)
			n += take[i] = of[i] == k;
		/* Gone since the census, or none of it could be read. */
		if (n < 2 || lead == NULL) {
			free(take);
			continue;
		}
		part = snapshot_subset(s, take);
		free(take);
		all_judge(a, &a->rows[a->nrows++], all_track_of(a,
		    lead->pid, lead->start_ticks), part, procs, nprocs, boot);
	}
	free(of);
	snapshot_free(s);
	pipelines_free(groups, ngroups);
	all_drop_unseen(a);
	qsort(a->rows, a->nrows, sizeof *a->rows, all_row_cmp);
}

/* ---- outputs -------------------------------------------------------- */

static int
all_write_json(struct all *a)
{
	for (size_t i = 0; i < a->nrows; i++) {
		const struct all_row *r = &a->rows[i];
		const struct snapshot *part = r->track->last;
		pid_t *pids = xcalloc(part->nprocs + 1, sizeof *pids);
		struct trace_pipeline tp = { 0 };
		int rc;

		for (size_t j = 0; j < part->nprocs; j++)
			pids[j] = part->procs[j].pid;
		tp.pids = pids;
		tp.npids = part->nprocs;
		tp.command = r->command;
		tp.health = pipeline_health_name(r->health);
		tp.top = r->top;
		tp.since = r->since;
		tp.rate_bps = r->rate_bps;
		tp.uid = r->uid;
		tp.user = r->user;
		rc = trace_write_pipeline(a->cfg->out, &tp);
		free(pids);
		if (rc == -1)
			return -1;
	}
	return fflush(a->cfg->out) == EOF ? -1 : 0;
}

static void
all_format_rate(char *buf, size_t size, double bps)
{
	char b[16];

	if (bps < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s/s", util_format_bytes(b, sizeof b, bps));
}

/* Observed text, sanitized (sanitize.h), padded to width cells. */
static void
all_put_cell(FILE *out, const char *text, int width)
{
	sanitize_fputs(text, out);
	for (int n = (int)sanitize_width(text); n < width; n++)
		fputc(' ', out);
}

static int
all_write_text(struct all *a)
{
	FILE *out = a->cfg->out;

	fprintf(out, "%-6s %5s %7s %9s  %-10s %s\n", "HEALTH", "PROCS", "AGE",
	    "RATE", "USER", "COMMAND");
	for (size_t i = 0; i < a->nrows; i++) {
		const struct all_row *r = &a->rows[i];
		char age[16], rate[24];

		util_format_age(age, sizeof age, r->since);
		all_format_rate(rate, sizeof rate, r->rate_bps);
		fprintf(out, "%-6s %5zu %7s %9s  ", pipeline_health_name(r->health),
		    r->track->last->nprocs, age, rate);
		all_put_cell(out, r->user, 10);
		fputc(' ', out);
		sanitize_fputs(r->command, out);
		fputc('\n', out);
		if (r->why != NULL) {
			fputs("       ", out);
			sanitize_fputs(r->why, out);
			fputc('\n', out);
		}
	}
	if (a->nrows == 0)
		fputs("(no pipelines: no processes you may inspect are joined "
		    "by pipes, FIFOs or sockets)\n", out);
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}

/* ---- the live list -------------------------------------------------- */

/* Whether the command holds the filter, ignoring case. */
static bool
all_matches(const char *command, const char *filter)
{
	size_t n = strlen(filter);

	if (n == 0)
		return true;
	for (const char *c = command; *c != '\0'; c++) {
		if (strncasecmp(c, filter, n) == 0)
			return true;
	}
	return false;
}

static void
all_draw(struct all *a)
{
	const char *filter = ui_list_filter(a->cfg->ui);
	struct ui_list_row *rows = xcalloc(a->nrows + 1, sizeof *rows);
	struct ui_list_frame f = { 0 };
	uid_t me = geteuid();

	free(a->shown);

	for (size_t i = 0; i < a->nrows; i++) {
		const struct all_row *r = &a->rows[i];
		struct ui_list_row *u = &rows[f.nrows];

		if (!all_matches(r->command, filter))
			continue;
		u->id = r->track->lead;
		u->health = pipeline_health_name(r->health);
		u->user = r->user;
		u->others = r->uid != me;
		u->nprocs = r->track->last->nprocs;
		u->since = r->since;
		u->rate_bps = r->rate_bps;
		u->command = r->command;
		u->why = r->why;
		f.nrows++;
	}
	f.rows = rows;
	f.total = a->nrows;
	f.interval_ms = a->cfg->interval_ms;
	ui_list_draw(a->cfg->ui, &f);
	a->shown = rows;
	a->frame = f;
}

/* Enter: the selected pipeline's live view, as -p would show it. */
static void
all_open(struct all *a)
{
	pid_t id = ui_list_selected(a->cfg->ui);
	struct loop_config v = a->cfg->view;
	const struct all_row *r = NULL;
	int status;

	for (size_t i = 0; i < a->nrows && r == NULL; i++) {
		if (a->rows[i].track->lead == id)
			r = &a->rows[i];
	}
	if (r == NULL)
		return;
	if (probe_check_access(id) != 0) {
		char note[128];

		snprintf(note, sizeof note, "cannot inspect pid %d: it belongs "
		    "to %s", (int)id, r->user);
		ui_note(a->cfg->ui, note);
		return;
	}
	v.mode = "attach";
	v.attach_pid = id;
	v.command = r->command;
	v.ui = a->cfg->ui;
	v.output = LOOP_OUT_UI;
	v.sigfd = a->cfg->sigfd;
	status = loop_run(&v);
	/* A signal ended the view: it ends pipeviz too. */
	if (status >= 128) {
		a->stop_signal = status - 128;
		a->quit = true;
	}
}

/* Signals and keys until ms have passed; false when pipeviz should leave. */
static bool
all_wait(struct all *a, int ms)
{
	const struct all_config *c = a->cfg;
	double until = util_now() + ms / 1000.0;

	while (!a->quit) {
		struct pollfd pfd[2] = { { c->sigfd, POLLIN, 0 } };
		double left = until - util_now();
		nfds_t n = 1;

		if (left <= 0)
			return true;
		if (c->ui != NULL) {
			pfd[n].fd = ui_input_fd(c->ui);
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, (int)(left * 1000 + 0.999)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents != 0) {
			struct signalfd_siginfo si;

			while (read(c->sigfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGWINCH && c->ui != NULL) {
					ui_resize(c->ui);
					all_draw(a);
				} else if (si.ssi_signo != SIGCHLD) {
					a->stop_signal = (int)si.ssi_signo;
					a->quit = true;
				}
			}
		}
		if (n > 1 && pfd[1].revents != 0) {
			switch (ui_list_input(c->ui, &a->frame)) {
			case UI_LIST_QUIT:
				a->quit = true;
				break;
			case UI_LIST_OPEN:
				all_open(a);
				/* What it shows now, at once. */
				if (!a->quit)
					return true;
				break;
			case UI_LIST_REDRAW:
			case UI_LIST_FILTER:
				all_draw(a);
				break;
			case UI_LIST_NONE:
				break;
			}
		}
	}
	return false;
}

int
all_run(const struct all_config *c)
{
	struct all a = { 0 };
	int status = 0;

	a.cfg = c;
	a.census = census_create();
	a.probe = probe_create();
	probe_set_interval(a.probe, c->interval_ms);
	a.hz = sysconf(_SC_CLK_TCK);
	a.t0 = util_now();
	/* A printed list must know at once what is stuck: judge a burst. */
	if (c->output != ALL_OUT_UI) {
		a.stuck_seconds = ALL_BURST_STUCK_SECONDS;
		for (int i = 0; i < ALL_BURST - 1 && !a.quit; i++) {
			all_refresh(&a);
			all_wait(&a, ALL_BURST_MS);
		}
	}
	for (long shown = 0; !a.quit;) {
		int rc = 0;

		all_refresh(&a);
		if (c->output == ALL_OUT_JSON)
			rc = all_write_json(&a);
		else if (c->output == ALL_OUT_TEXT)
			rc = all_write_text(&a);
		else
			all_draw(&a);
		if (rc == -1) {
			if (errno != EPIPE)
				fprintf(stderr, "pipeviz: cannot write the list: "
				    "%s\n", strerror(errno));
			status = EXITCODE_FAILED;
			break;
		}
		if (c->count > 0 && ++shown >= c->count)
			break;
		all_wait(&a, c->interval_ms);
	}
	all_clear_rows(&a);
	free(a.shown);
	for (size_t i = 0; i < a.ntracks; i++)
		all_track_free(a.tracks[i]);
	free(a.tracks);
	probe_free(a.probe);
	census_free(a.census);
	if (a.stop_signal != 0)
		return 128 + a.stop_signal;
	return status;
}
