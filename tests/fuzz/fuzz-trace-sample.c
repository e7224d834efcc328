/*
 * fuzz-trace-sample.c - the trace writer on any snapshot, round trip.
 *
 * The input is decoded into a snapshot of the shape the probe makes
 * (processes with arbitrary names, argv, paths and counters, fds linked
 * into pipes, diagnoses with arbitrary text).  Then:
 *   1. trace_sample_string() gives one line of JSON that jansson parses,
 *      with every contract field of docs/json-format.md present, whatever
 *      bytes the names and paths hold (the kernel allows any);
 *   2. trace_read_sample() reads it back, and writing that again gives the
 *      same line (what replay draws is what the live view drew);
 *   3. the renderers draw it without crashing;
 *   4. trace_write_sample(), which copies the records of what did not
 *      change since the sample it wrote before (trace-memo.h), writes the
 *      same line for it and for its read-back copy: the memo, kept from
 *      input to input, never puts an old record in place of a new one.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "pipeviz/layout.h"
#include "pipeviz/render.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/trace-read.h"
#include "pipeviz/trace.h"

static const char states[] = "RSDTtZXI?";
static const long syscalls[] = { -1, 0, 1, 7, 19, 20, 61, 232, 247, 275, 276,
	999 };

/* A poll set as the probe leaves it: waits, then the effective op. */
static void
decode_poll(struct fuzz_in *in, struct snap_blocked *b)
{
	struct snap_wait_fd w[4];
	size_t n = fuzz_u8(in) % 5;

	for (size_t i = 0; i < n; i++) {
		unsigned k = fuzz_u8(in);

		w[i].fd = (int)(fuzz_u8(in) % 8);
		w[i].in = k & 1;
		w[i].out = k & 2;
		w[i].kind = (enum snap_fd_kind)(k / 4 % 7);
		w[i].inode = k & 0x80 ? 0 : 1000 + fuzz_u8(in) % 4;
	}
	b->multiplexed = true;
	b->call = syscalls[fuzz_u8(in) % (sizeof syscalls / sizeof syscalls[0])];
	b->waits_partial = fuzz_u8(in) & 1;
	b->tid = 0;
	snapshot_blocked_set_waits(b, w, n);
	snapshot_blocked_reduce(b);
}

static struct snapshot *
decode(struct fuzz_in *in)
{
	struct snapshot *s = snapshot_create((double)fuzz_u64(in, 3) / 1000);
	size_t nprocs = fuzz_u8(in) % 8, ndiags;

	for (size_t i = 0; i < nprocs; i++) {
		struct snap_proc *p = snapshot_add_proc(s, (pid_t)(fuzz_u8(in) % 16 +
		    100));
		size_t nargs = fuzz_u8(in) % 4, nfds = fuzz_u8(in) % 6;
		char *argv[4] = { NULL }, *str;
		unsigned flags = fuzz_u8(in);

		p->ppid = (pid_t)(fuzz_u8(in) % 16 + 99);
		p->pgid = (pid_t)(fuzz_u8(in) % 4 + 100);
		p->start_ticks = fuzz_u64(in, 2);
		p->stage = (int)(fuzz_u8(in) % 6) - 1;
		str = fuzz_str(in, sizeof p->comm - 1);
		snprintf(p->comm, sizeof p->comm, "%s", str);
		free(str);
		for (size_t a = 0; a < nargs; a++)
			argv[a] = fuzz_str(in, 40);
		snapshot_proc_set_argv(p, argv);
		for (size_t a = 0; a < nargs; a++)
			free(argv[a]);
		p->state = states[fuzz_u8(in) % (sizeof states - 1)];
		p->cpu_ticks = fuzz_u64(in, 4);
		p->rss_kib = fuzz_u64(in, 4);
		p->io_known = flags & 1;
		p->rchar = fuzz_u64(in, 5);
		p->wchar = fuzz_u64(in, 5);
		p->cpu_pct = (double)fuzz_u64(in, 2) / 10;
		p->read_bps = (double)fuzz_u64(in, 4);
		p->write_bps = (double)fuzz_u64(in, 4);
		p->syscall = syscalls[fuzz_u8(in) % (sizeof syscalls /
		    sizeof syscalls[0])];
		str = fuzz_str(in, sizeof p->wchan - 1);
		snprintf(p->wchan, sizeof p->wchan, "%s", str);
		free(str);
		p->fds_denied = flags & 2;
		if (flags & 4) {
			p->exit.exited = true;
			p->exit.signal = flags & 8 ? (int)(fuzz_u8(in) % 70) : 0;
			p->exit.code = (int)fuzz_u8(in);
		}
		for (size_t j = 0; j < nfds; j++) {
			unsigned k = fuzz_u8(in);
			enum snap_fd_kind kind = (enum snap_fd_kind)(k % 7);
			char *path = kind == SNAP_FD_PIPE || kind == SNAP_FD_SOCKET ?
			    NULL : fuzz_str(in, 60);
			struct snap_fd *f = snapshot_proc_add_fd(p,
			    (int)(fuzz_u8(in) % 8), (enum snap_fd_mode)(k / 7 % 4),
			    kind, path);

			free(path);
			f->inode = fuzz_u8(in) % 4 + (k & 0x80 ? 0 : 1000);
			if (kind == SNAP_FD_FILE) {
				f->pos = (int64_t)fuzz_u64(in, 3);
				f->size = (int64_t)fuzz_u64(in, 3);
			}
		}
		if (flags & 16) {
			p->blocked.op = (enum snap_block_op)(fuzz_u8(in) % 5);
			p->blocked.fd = (int)(fuzz_u8(in) % 9) - 1;
			if (p->nfds > 0)
				p->blocked.pipe = p->fds[0].inode;
		}
		if (flags & 32)
			decode_poll(in, &p->blocked);
		if (flags & 64) {
			struct snap_thread t[3];
			size_t nt = fuzz_u8(in) % 3 + 1;

			memset(t, 0, sizeof t);
			for (size_t k = 0; k < nt; k++) {
				t[k].tid = p->pid + (pid_t)k * 1000;
				t[k].state = states[fuzz_u8(in) % (sizeof states - 1)];
				t[k].syscall = syscalls[fuzz_u8(in) %
				    (sizeof syscalls / sizeof syscalls[0])];
				t[k].blocked.fd = -1;
				if (fuzz_u8(in) & 1)
					decode_poll(in, &t[k].blocked);
			}
			snapshot_proc_set_threads(p, t, nt);
			for (size_t k = 0; k < nt; k++)
				snapshot_blocked_clear(&t[k].blocked);
			p->nthreads = (long)nt;
		}
		p->tpgid = flags & 128 ? (pid_t)(fuzz_u8(in) % 4 + 100) : -1;
		if (p->state == 'T')
			p->stop = (enum snap_stop)(fuzz_u8(in) % 4);
	}
	/* Sockets on the inodes the fds may hold, peers among them. */
	for (size_t i = 0, n = fuzz_u8(in) % 4; i < n; i++) {
		struct snap_socket *k = snapshot_add_socket(s, 1000 + i);
		char *str;

		k->type = (enum snap_sock_type)(fuzz_u8(in) % 5);
		k->peer = fuzz_u8(in) & 1 ? 1000 + fuzz_u8(in) % 4 : 0;
		if ((str = fuzz_str(in, 40))[0] != '\0')
			k->local = str;
		else
			free(str);
		if ((str = fuzz_str(in, 40))[0] != '\0')
			k->remote = str;
		else
			free(str);
		k->rqueue = (int64_t)fuzz_u64(in, 2) - 1;
		k->wqueue = (int64_t)fuzz_u64(in, 2) - 1;
		k->listening = fuzz_u8(in) & 1;
	}
	snapshot_link_pipes(s);
	for (size_t i = 0; i < s->npipes; i++) {
		if (fuzz_u8(in) & 1)
			s->pipes[i].rate_bps = (double)fuzz_u64(in, 3);
		if (fuzz_u8(in) & 1) {
			s->pipes[i].capacity = (int64_t)fuzz_u64(in, 3);
			s->pipes[i].fill = (int64_t)fuzz_u64(in, 3) %
			    (s->pipes[i].capacity + 1);
		}
	}
	ndiags = fuzz_u8(in) % 3;
	for (size_t i = 0; i < ndiags; i++) {
		char *kind = fuzz_str(in, 20), *msg = fuzz_str(in, 100);
		pid_t pids[2] = { (pid_t)fuzz_u8(in), (pid_t)fuzz_u8(in) };
		uint64_t pipes[1] = { fuzz_u64(in, 2) };

		snapshot_add_diag(s, kind, pids, fuzz_u8(in) % 3, pipes,
		    fuzz_u8(in) % 2, msg);
		free(kind);
		free(msg);
	}
	return s;
}

static const char *const proc_fields[] = { "pid", "ppid", "pgid", "start",
	"stage", "comm", "argv", "state", "cpu_pct", "rss_kib", "read_bps",
	"write_bps", "rchar", "wchar", "blocked", "syscall", "wchan", "fds",
	"exit", "tpgid", NULL };
static const char *const fd_fields[] = { "fd", "mode", "kind", "inode",
	"path", "pos", "size", NULL };
static const char *const pipe_fields[] = { "inode", "kind", "path", "fill",
	"capacity", "writers", "readers", "rate_bps", NULL };
static const char *const diag_fields[] = { "kind", "pids", "pipes",
	"message", NULL };

static void
check_fields(json_t *o, const char *const *fields)
{
	FUZZ_CHECK(json_is_object(o));
	for (; *fields != NULL; fields++) {
		if (json_object_get(o, *fields) == NULL) {
			fprintf(stderr, "missing field \"%s\"\n", *fields);
			FUZZ_CHECK(!"a contract field is missing");
		}
	}
}

static void
check_json(const char *text, const struct snapshot *s)
{
	json_error_t err;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &err), *v, *e;
	size_t i, j;

	if (o == NULL)
		fprintf(stderr, "not JSON: %s\n%s\n", err.text, text);
	FUZZ_CHECK(o != NULL);
	FUZZ_CHECK(strchr(text, '\n') == NULL);
	FUZZ_CHECK(json_is_array(json_object_get(o, "procs")));
	FUZZ_CHECK(json_array_size(json_object_get(o, "procs")) == s->nprocs);
	/* Socket channels are derived again on reading: not in "pipes". */
	for (i = 0, j = 0; i < s->npipes; i++)
		j += s->pipes[i].kind != SNAP_FD_SOCKET;
	FUZZ_CHECK(json_array_size(json_object_get(o, "pipes")) == j);
	FUZZ_CHECK(json_array_size(json_object_get(o, "sockets")) == s->nsockets);
	FUZZ_CHECK(json_array_size(json_object_get(o, "diagnoses")) == s->ndiags);
	json_array_foreach(json_object_get(o, "procs"), i, v) {
		size_t argc = 0;

		check_fields(v, proc_fields);
		while (s->procs[i].argv[argc] != NULL)
			argc++;
		FUZZ_CHECK(json_array_size(json_object_get(v, "argv")) == argc);
		FUZZ_CHECK(json_array_size(json_object_get(v, "fds")) ==
		    s->procs[i].nfds);
		json_array_foreach(json_object_get(v, "fds"), j, e)
			check_fields(e, fd_fields);
	}
	json_array_foreach(json_object_get(o, "pipes"), i, v)
		check_fields(v, pipe_fields);
	json_array_foreach(json_object_get(o, "diagnoses"), i, v)
		check_fields(v, diag_fields);
	json_decref(o);
}

/* The line trace_write_sample() writes for s, without its newline. */
static char *
written(const struct snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	FUZZ_CHECK(trace_write_sample(f, s) == 0);
	fclose(f);
	FUZZ_CHECK(len > 0 && buf[len - 1] == '\n');
	buf[len - 1] = '\0';
	return buf;
}

static void
check_written(const struct snapshot *s, const char *fresh)
{
	char *line = written(s);

	if (strcmp(line, fresh) != 0)
		fprintf(stderr, "the writer's memo differs:\n%s\n%s\n", fresh,
		    line);
	FUZZ_CHECK(strcmp(line, fresh) == 0);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct snapshot *s = decode(&in), *back;
	char *text = trace_sample_string(s), *again, *err = NULL, *buf = NULL;
	size_t len = 0;
	FILE *out;

	check_json(text, s);
	back = trace_read_sample(text, &err);
	if (back == NULL)
		fprintf(stderr, "read back failed: %s\n%s\n", err, text);
	FUZZ_CHECK(back != NULL);
	again = trace_sample_string(back);
	if (strcmp(text, again) != 0)
		fprintf(stderr, "round trip differs:\n%s\n%s\n", text, again);
	FUZZ_CHECK(strcmp(text, again) == 0);
	check_written(s, text);
	check_written(back, again);

	if ((out = open_memstream(&buf, &len)) == NULL)
		abort();
	render_text(out, s, "fuzz", 20 + (int)(size % 100), size & 1);
	render_dot(out, s, "fuzz");
	render_text(out, back, NULL, 80, true);
	fclose(out);
	free(buf);

	free(again);
	free(text);
	snapshot_free(back);
	snapshot_free(s);
	return 0;
}
