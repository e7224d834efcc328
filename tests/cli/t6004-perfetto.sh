#!/bin/bash
# --replay TRACE --perfetto OUT.json (issue 20): traces of real pipelines
# as Chrome Trace Event Format JSON, checked against what the trace says
# (docs/perfetto.md): a track per process with its states as spans,
# counters per pipe, instants for diagnoses and exits.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "1..0 # SKIP python3 is not installed"; exit 0; }

# pf OUT.json PYTHON: PYTHON holds with d (the document), ev (its events)
# and the helpers below; prints why not.
pf() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
def X(pid=None): return [e for e in ev if e["ph"] == "X" and (pid is None or e["pid"] == pid)]
def I(name=None): return [e for e in ev if e["ph"] == "i" and (name is None or e["name"] == name)]
def C(name): return [e for e in ev if e["ph"] == "C" and e["name"] == name]
def meta(what, pid): return [e["args"] for e in ev if e["ph"] == "M" and e["name"] == what and e["pid"] == pid]
ok = eval("(" + sys.argv[2] + "\n)")
if ok is not True:
    print("not true:", sys.argv[2])
    print("spans:", [(e["pid"], e["ts"], e["dur"], e["name"]) for e in X()][:30])
    print("instants:", [(e["pid"], e["ts"], e["name"]) for e in I()][:30])
    sys.exit(1)
EOF
}
# jqv FILE FILTER: the value FILTER gives over the slurped trace.
jqv() { jq -r -s "$2" "$1"; }
samples='[.[] | select(.type=="sample")]'

# The structure every export must have, whatever the pipeline.
structure() {
	pf "$1" '
isinstance(ev, list) and len(ev) > 0
and d["displayTimeUnit"] == "ms" and d["otherData"]["pipeviz"] != ""
and all(e["ph"] in ("M", "X", "C", "i") for e in ev)
and all(isinstance(e["pid"], int) and isinstance(e["name"], str) and isinstance(e["args"], dict) for e in ev)
and all(isinstance(e["ts"], int) and e["ts"] >= 0 for e in ev if e["ph"] != "M")
and all(isinstance(e["dur"], int) and e["dur"] >= 0 for e in X())
and all(e["s"] in ("t", "g") for e in I())'
}
# Spans of one track never overlap (Perfetto drops overlapping X events).
no_overlap() {
	pf "$1" '
all(b["ts"] >= a["ts"] + a["dur"]
    for pid in set(e["pid"] for e in X())
    for a, b in zip(sorted(X(pid), key=lambda e: e["ts"]), sorted(X(pid), key=lambda e: e["ts"])[1:]))'
}

# --- 1. yes | sleep: a writer blocked on a full pipe ---------------------
"$PIPEVIZ" --json ys.json -i 100 -o /dev/null 'yes | sleep 1.6' </dev/null
"$PIPEVIZ" --replay ys.json --perfetto ys-pf.json
check "yes | sleep: --perfetto exits 0" eq "$?" 0
check "yes | sleep: the file is JSON (python3 json.load)" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' ys-pf.json
check "yes | sleep: the Trace Event structure" structure ys-pf.json
check "yes | sleep: no two spans of a track overlap" no_overlap ys-pf.json
yes_pid=$(jqv ys.json "$samples[-1].procs[] | select(.comm==\"yes\") | .pid")
sleep_pid=$(jqv ys.json "$samples[-1].procs[] | select(.comm==\"sleep\") | .pid")
pipe=$(jqv ys.json "$samples[-1].pipes[] | select(.stray|not) | .inode")
check "yes | sleep: each stage's track is named with its pid and stage" pf ys-pf.json "
meta('process_name', $yes_pid) == [{'name': 'yes (pid $yes_pid, stage 1)'}]
and meta('process_name', $sleep_pid) == [{'name': 'sleep (pid $sleep_pid, stage 2)'}]
and meta('thread_name', $yes_pid) == [{'name': 'yes'}]
and meta('process_sort_index', $yes_pid) == [{'sort_index': 0}]
and meta('process_sort_index', $sleep_pid) == [{'sort_index': 1}]"
check "yes | sleep: yes spends most of its track 'blocked writing pipe $pipe'" pf ys-pf.json "
sum(e['dur'] for e in X($yes_pid) if e['name'] == 'blocked writing pipe $pipe') >= 1000000
and all(e['args']['state'] in 'RSD' for e in X($yes_pid))"
check "yes | sleep: the span carries the trace's sentence" pf ys-pf.json "
any(e['args'].get('explain', '').startswith('blocked writing fd 1 into pipe $pipe') for e in X($yes_pid))"
check "yes | sleep: sleep is 'sleeping' until its exit" pf ys-pf.json "
[e['name'] for e in X($sleep_pid)] == ['sleeping']"
exit_us=$(jqv ys.json "[.[] | select(.type==\"exit\" and .pid==$sleep_pid)][0].t * 1000000 | round")
check "yes | sleep: sleep's span ends at its exit record" pf ys-pf.json "
abs(X($sleep_pid)[0]['ts'] + X($sleep_pid)[0]['dur'] - $exit_us) <= 1"
check "yes | sleep: the pipe's fill counter reaches its capacity" pf ys-pf.json "
max(e['args']['bytes'] for e in C('pipe $pipe fill')) == $(jqv ys.json "[$samples[].pipes[] | select(.stray|not) | .capacity | numbers] | max")
and all(e['pid'] == 4194305 for e in C('pipe $pipe fill'))
and meta('process_name', 4194305) == [{'name': 'pipes and sockets'}]"
check "yes | sleep: one fill point per sample that read it" eq \
    "$(pf ys-pf.json "len(C('pipe $pipe fill')) == $(jqv ys.json "$samples | map(.pipes[] | select(.stray|not) | select(.fill != null)) | length")" && echo same)" same
check "yes | sleep: a blocked_writer instant on yes's track, once" pf ys-pf.json "
[(e['pid'], e['s']) for e in I('blocked_writer')] == [($yes_pid, 't')]
and I('blocked_writer')[0]['args']['message'].startswith('yes')
and I('blocked_writer')[0]['args']['pipes'] == [$pipe]"
check "yes | sleep: exit instants: sleep 'exit 0', yes 'SIGPIPE'" pf ys-pf.json "
[(e['pid'], e['args']) for e in I('exit 0')] == [($sleep_pid, {'stage': 1, 'code': 0})]
and [(e['pid'], e['args']) for e in I('SIGPIPE')] == [($yes_pid, {'stage': 0, 'signal': 13})]"
check "yes | sleep: otherData has the command and the status" pf ys-pf.json "
d['otherData']['command'] == 'yes | sleep 1.6' and d['otherData']['status'] == 0
and d['otherData']['mode'] == 'launch' and d['otherData']['interval_ms'] == 100"

# --- 2. a bottleneck: gzip runs, the pipe has a rate --------------------
"$PIPEVIZ" --json bn.json -i 100 -o /dev/null 'head -c 400M /dev/zero | gzip -1 | wc -c' </dev/null
"$PIPEVIZ" --replay bn.json --perfetto bn-pf.json
check "bottleneck: the Trace Event structure" structure bn-pf.json
check "bottleneck: no two spans of a track overlap" no_overlap bn-pf.json
gz=$(jqv bn.json "[$samples[].procs[] | select(.comm==\"gzip\")][0].pid")
check "bottleneck: gzip has 'running' spans" pf bn-pf.json "
any(e['name'] == 'running' and e['args']['state'] == 'R' for e in X($gz))"
check "bottleneck: a rate counter for a pipe, in bytes per second" pf bn-pf.json "
any(e['name'].endswith(' rate') and e['args']['bytes_per_s'] > 0 for e in ev if e['ph'] == 'C')"
check "bottleneck: the bottleneck diagnosis is an instant on gzip" pf bn-pf.json "
$gz in [e['pid'] for e in I('bottleneck')]"

# --- 3. a stopped stage and its starved reader, ended by -n -------------
"$PIPEVIZ" --json st.json -i 100 -n 12 -o /dev/null 'sh -c "kill -STOP \$\$" | cat' </dev/null
"$PIPEVIZ" --replay st.json --perfetto st-pf.json
check "stopped: the Trace Event structure" structure st-pf.json
sh_pid=$(jqv st.json "$samples[-1].procs[] | select(.stage==0) | .pid")
cat_pid=$(jqv st.json "$samples[-1].procs[] | select(.comm==\"cat\") | .pid")
pipe=$(jqv st.json "$samples[-1].pipes[] | select(.stray|not) | .inode")
check "stopped: the stopped stage's span is 'stopped', state T" pf st-pf.json "
any(e['name'] == 'stopped' and e['args']['state'] == 'T' for e in X($sh_pid))"
check "stopped: cat is 'waiting to read pipe $pipe'" pf st-pf.json "
any(e['name'] == 'waiting to read pipe $pipe' for e in X($cat_pid))"
check "stopped: the stopped diagnosis is an instant on the stopped stage" pf st-pf.json "
$sh_pid in [e['pid'] for e in I('stopped')]"
check "stopped: pipeviz ended it: SIGTERM instants at the end" pf st-pf.json "
sorted(e['pid'] for e in I('SIGTERM')) == sorted([$sh_pid, $cat_pid])"

# --- 4. a recorded trace of a not-found stage (the exit_failed instant) --
"$PIPEVIZ" --json nf.json -i 100 -o /dev/null 'nosuchcmd-pz6004 | cat' </dev/null 2>/dev/null
"$PIPEVIZ" --replay nf.json --perfetto nf-pf.json
check "not found: an exec_failed instant and an 'exit 127' instant" pf nf-pf.json "
len(I('exec_failed')) == 1 and len(I('exit 127')) == 1
and I('exec_failed')[0]['pid'] == I('exit 127')[0]['pid']"

# --- 4b. processes that lived between samples (the process events) ------
"$PIPEVIZ" --json br.json -o /dev/null \
    "seq 40 | xargs -P2 -n1 sh -c 'sleep 0.01' | cat" </dev/null 2>/dev/null
# (one forked before pipeviz followed its parent has no "began": no span)
unsampled=$(jq -s '[.[] | select(.type=="process" and .sampled==false and
    .began != null and .ended != null)] | length' br.json)
"$PIPEVIZ" --replay br.json --perfetto br-pf.json
check "brief lives: some were never sampled ($unsampled)" test "$unsampled" -gt 0
check "brief lives: one 'alive between samples' span each, fork to exit" pf br-pf.json "
len([e for e in ev if e['ph'] == 'X' and e['name'] == 'alive between samples'
     and e['dur'] >= 0 and 'ppid' in e['args']]) == $unsampled"
check "brief lives: each span on a named track" pf br-pf.json "
all(any(m['ph'] == 'M' and m['name'] == 'process_name' and m['pid'] == e['pid'] for m in ev)
    for e in ev if e['ph'] == 'X' and e['name'] == 'alive between samples')"
check "brief lives: their exits as instants (sleep's and sh's exit 0)" pf br-pf.json "
len([e for e in ev if e['ph'] == 'i' and e['cat'] == 'exit' and e['name'] == 'exit 0']) >= 80"

# --- 5. hostile names reach the file as JSON, without control bytes ------
ln -sf "$(command -v sleep)" "$(printf 'sl\033[31mp')"
"$PIPEVIZ" --json hn.json -i 100 -o /dev/null "$(printf "./'sl\033[31mp' 0.3")" </dev/null
"$PIPEVIZ" --replay hn.json --perfetto hn-pf.json
check "a name with an escape: valid JSON, and shown with '?' for it" pf hn-pf.json "
any(a['name'].startswith('sl?[31mp (pid ') for a in [e['args'] for e in ev if e['ph'] == 'M' and e['name'] == 'process_name'])"

# --- 6. bad input: one line, 125, before anything is written -------------
out=$("$PIPEVIZ" --perfetto x.json 'true' 2>&1)
check "--perfetto without --replay: 125 and one line" eq "$?/$out" \
    "125/pipeviz: --perfetto converts a recorded trace: pipeviz --replay TRACE --perfetto OUT.json"
check "--perfetto without --replay: no file written" test ! -e x.json
out=$("$PIPEVIZ" --replay ys.json --perfetto x.json --text 2>&1)
check "--perfetto with --text: 125 and one line" eq "$?/$(printf '%s\n' "$out" | wc -l)" "125/1"
out=$("$PIPEVIZ" --replay ys.json --perfetto /nonexistent-dir/x.json 2>&1)
check "--perfetto into a directory that does not exist: 125, one line" eq "$?/$(printf '%s\n' "$out" | grep -c '^pipeviz: cannot open Perfetto file')" "125/1"
printf 'garbage\n' > garbage.json
out=$("$PIPEVIZ" --replay garbage.json --perfetto x.json 2>&1)
check "--perfetto of a file that is no trace: 125, nothing written" eq "$?/$(test -e x.json && echo written)" "125/"
out=$("$PIPEVIZ" --replay ys.json --perfetto /dev/full 2>&1)
check "--perfetto on a full disk: 125 and the cause" eq "$?/$out" \
    "125/pipeviz: cannot write '/dev/full': No space left on device"

done_testing
