# lib.sh - a small TAP harness for the CLI tests (sourced; bash).
#
# Each test runs real processes under the real pipeviz ($PIPEVIZ) and
# asserts on what it reports.  check NAME CMD... runs CMD and prints
# "ok N - NAME" or "not ok N - NAME" with the command's output as
# diagnostics (check_todo: the same for a known problem, marked TODO).
# The script ends with done_testing, which prints the plan and exits
# non-zero if anything failed.

set -u
export LC_ALL=C.UTF-8

# Every process a test looks for is found through the test itself, never
# by a name across the machine (CI and other work run beside the suite):
# in its own session (meson gives each test one; run by hand, a test makes
# one here), in the sessions it makes for the pipelines it attaches to
# (setsid ... & gives $! as the session id), in its live views' tmux panes,
# among its pipeviz's children, or by the pids its pipeviz's trace names.
if [ "$(ps -o sid= -p $$ | tr -d ' ')" != "$$" ]; then
	setsid bash "$0" "$@" &
	TEST_SESSION_CHILD=$!
	trap 'kill -TERM -- "-$TEST_SESSION_CHILD" 2>/dev/null' INT TERM HUP
	while :; do
		wait "$TEST_SESSION_CHILD"
		rc=$?
		kill -0 "$TEST_SESSION_CHILD" 2>/dev/null || exit "$rc"
	done
fi
TEST_SID=$$
: "${PIPEVIZ:?PIPEVIZ must name the pipeviz binary}"
# tools/test.sh's valgrind stage runs pipeviz through a wrapper;
# PIPEVIZ_BIN stays the binary itself, for what valgrind cannot wrap.
PIPEVIZ_BIN=$PIPEVIZ
if [ -n "${PIPEVIZ_WRAP:-}" ]; then
	PIPEVIZ=$PIPEVIZ_WRAP
fi
TESTS_RUN=0
TESTS_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pztest.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK" || exit 1

# pid_of NAME: the pid of the process named NAME in a sample ($s), as a jq
# expression.
pid_of() {
	echo "(\$s.procs | map(select(.comm==\"$1\"))[0].pid)"
}

# watch_for JSON CMD SECS [OPTION...]: run pipeviz on CMD in the
# background, let it watch for SECS seconds, then end it with SIGTERM
# (which ends the process group it created).
watch_for() {
	local json=$1 cmd=$2 secs=$3
	shift 3
	"$PIPEVIZ" --json "$json" -i 100 -o /dev/null "$@" "$cmd" </dev/null &
	pz=$!
	sleep "$secs"
	kill -TERM "$pz"
	wait "$pz"
}

# wait_started FILE: until pipeviz has written its start record to FILE
# (it is set up, and has taken the signals over, by then); 20 s at most,
# for a slow pipeviz (valgrind).
wait_started() {
	for _ in $(seq 200); do
		head -n 1 "$1" 2>/dev/null | grep -q '"type":"start"' && return 0
		sleep 0.1
	done
	return 1
}

# check_as TODO NAME CMD...: one TAP line for CMD; with TODO set, a failure
# is a known problem being worked on ("# TODO"), not a failure of the suite.
check_as() {
	local todo=$1 name=$2 out
	shift 2
	TESTS_RUN=$((TESTS_RUN + 1))
	if out=$("$@" 2>&1); then
		echo "ok $TESTS_RUN - $name"
	elif [ -n "$todo" ]; then
		echo "not ok $TESTS_RUN - $name # TODO known problem, see the report"
		printf '%s\n' "$out" | sed 's/^/# /' | head -n 10
	else
		TESTS_FAILED=$((TESTS_FAILED + 1))
		echo "not ok $TESTS_RUN - $name"
		printf '%s\n' "$out" | sed 's/^/# /' | head -n 40
	fi
}

check() { check_as "" "$@"; }
check_todo() { check_as todo "$@"; }

# jq_true FILE FILTER: FILTER (over the slurped trace) yields true.
jq_true() {
	local r
	r=$(jq -s "$2" "$1" 2>&1) || { echo "jq failed: $r"; return 1; }
	[ "$r" = true ] || { echo "expected true from: $2"; echo "got: $r"; return 1; }
}

# eq A B: A equals B, with both shown on failure.
eq() {
	[ "$1" = "$2" ] || { echo "expected: '$2'"; echo "     got: '$1'"; return 1; }
}

# test_sessions: the sessions this test's processes live in, comma
# separated: its own, and each pane's of the tmux server its tm() drives
# (a pane is a session of its own).
test_sessions() {
	local sids=$TEST_SID p
	if declare -F tm >/dev/null; then
		for p in $(tm list-panes -a -F '#{pane_pid}' 2>/dev/null); do
			sids="$sids,$p"
		done
	fi
	echo "$sids"
}

# running REGEX: this test's processes still running whose whole command
# line is REGEX.
running() {
	pgrep -s "$(test_sessions)" -x -f -- "$1" || true
}

# alive_as PID REGEX: PID if it still runs (no zombie) with a whole
# command line matching REGEX (so a pid reused meanwhile is not taken).
alive_as() {
	local cmd
	[ -r "/proc/$1/cmdline" ] || return 0
	cmd=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | sed 's/ $//')
	if [ -n "$cmd" ] && printf '%s\n' "$cmd" | grep -qxE -- "$2"; then
		echo "$1"
	fi
}

done_testing() {
	echo "1..$TESTS_RUN"
	[ "$TESTS_FAILED" -eq 0 ]
}
