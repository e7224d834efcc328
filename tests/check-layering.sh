#!/bin/bash
# The include rules of docs/architecture.md, checked both ways.
set -u
root=${1:-.}
cd "$root" || exit 1
fail=0
n=0
rule() {
	local desc=$1 pattern=$2 allowed=$3 hits
	n=$((n + 1))
	hits=$(grep -lE "$pattern" src/*.c src/*.h include/pipeviz/*.h 2>/dev/null | grep -vE "$allowed" || true)
	if [ -z "$hits" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		printf '# %s\n' $hits
		fail=1
	fi
}
rule "curses only in the ui files" '#include <(n?curses|ncursesw/curses)\.h>' '^src/ui[-.]'
rule "jansson only in the trace code" '#include <jansson\.h>' '^src/trace'
rule "pure modules do no I/O on /proc" '"/proc' '^src/(probe|discover|census|launch|main|loop|demo)'
# The loop files call downward only (loop-internal.h): a file names no
# function of a file above it.
downward() {
	local desc=$1 file=$2 above=$3 hits
	n=$((n + 1))
	hits=$(grep -nE "\<($above)\(" "$file" || true)
	if [ -z "$hits" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		printf '# %s\n' "$hits"
		fail=1
	fi
}
downward "loop-view.c calls nothing of loop.c" src/loop-view.c 'loop_run|loop_sample|loop_diagnose|loop_discover'
downward "loop-stages.c calls nothing of loop.c or loop-view.c" src/loop-stages.c 'loop_run|loop_sample|loop_diagnose|loop_discover|loop_draw|loop_key'
downward "loop-output.c calls no other loop file" src/loop-output.c 'loop_run|loop_sample|loop_draw|loop_key|loop_reap|loop_freeze|loop_thaw|loop_tag_stages|loop_terminate|loop_remember_stage'
echo "1..$n"
exit $fail
