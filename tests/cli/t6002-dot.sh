#!/bin/bash
# --once --dot: Graphviz reads what pipeviz writes, attached and launched.
. "$(dirname "$0")/lib.sh"

# dot_ok NAME FILE: graphviz parses FILE (a TAP skip without graphviz).
dot_ok() {
	if command -v dot >/dev/null; then
		check "$1" dot -Tsvg -o "$2.svg" "$2"
	else
		TESTS_RUN=$((TESTS_RUN + 1))
		echo "ok $TESTS_RUN # SKIP dot is not installed (apt-get install graphviz)"
	fi
}

# A small pipeline of our own, stuck: yes fills the pipe, sleep never reads.
yes | sleep 30.6002 &
sleep_pid=$!
# yes may not have been forked yet: look for it for up to 10 s.
for _ in $(seq 100); do
	yes_pid=$(pgrep -P $$ -x yes) && break
	sleep 0.1
done
cleanup_dot() { kill "$sleep_pid" $yes_pid 2>/dev/null; rm -rf "$WORK"; }
trap cleanup_dot EXIT
# Until the pipe is full (the writer sleeps in write), 10 s at most.
for _ in $(seq 100); do
	grep -q pipe_write "/proc/$yes_pid/wchan" 2>/dev/null && break
	sleep 0.1
done

check "--once --dot -p PID succeeds" bash -c \
    "$(printf %q "$PIPEVIZ") --once --dot -p $sleep_pid > attach.dot"
check "it is a digraph" grep -q '^digraph pipeviz {' attach.dot
check "both processes are nodes" bash -c \
    "grep -q '^	p$yes_pid \[label=\"yes' attach.dot && grep -q '^	p$sleep_pid \[label=\"sleep' attach.dot"
check "the pipe is an edge from yes to sleep with its fill" \
    grep -qE "^	p$yes_pid -> p$sleep_pid \[label=\"pipe 64KiB/64KiB\"" attach.dot
check "the blocked writer is red" grep -qE "^	p$yes_pid .*color=red" attach.dot
dot_ok "graphviz parses the attached pipeline's DOT" attach.dot

# Launched, with a title that needs escaping (quotes and a backslash).
check "--once --dot PIPELINE succeeds" bash -c \
    "$(printf %q "$PIPEVIZ") --once --dot 'sleep 0.3 | grep \"a\\\\\\\\b \\\"q\\\"\" | cat' > launch.dot"
check "the title is the pipeline, escaped" grep -qF 'label="sleep 0.3 | grep \"a\\' launch.dot
dot_ok "graphviz parses a launched pipeline's DOT with an escaped title" launch.dot
check "three stages, two pipes" bash -c \
    "[ \$(grep -c '^	p[0-9]* \[label=' launch.dot) -eq 3 ] && [ \$(grep -c ' -> ' launch.dot) -eq 2 ]"

# A stage that has exited stays in the graph, still wired to its pipe and
# drawn as exited.  --once samples after one interval: by 1.5 s true has
# long exited (and been reaped) while sleep still runs.
check "--once --dot with an exited stage succeeds" bash -c \
    "$(printf %q "$PIPEVIZ") -i 1500 --once --dot 'true | sleep 30.6003' > exited.dot"
ex_true=$(sed -n 's/^	p\([0-9]*\) \[label="true.*/\1/p' exited.dot)
ex_sleep=$(sed -n 's/^	p\([0-9]*\) \[label="sleep.*/\1/p' exited.dot)
check "the exited stage is grey and dashed and says exit 0" grep -qE \
    '^	p[0-9]+ \[label="true\\npid [0-9]+, exit 0", color=grey, style=dashed' exited.dot
check "its pipe is still an edge to the live stage, dashed" grep -qE \
    "^	p${ex_true:-X} -> p${ex_sleep:-X} \[label=\"pipe[^\"]*\", taillabel=\"1\", headlabel=\"0\", style=dashed, color=grey\]" exited.dot
check "nothing of it left running" eq "$(running "sleep 30\\.6003")" ""
dot_ok "graphviz parses the DOT of a pipeline with an exited stage" exited.dot

done_testing
