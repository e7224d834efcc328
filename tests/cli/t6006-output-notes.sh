#!/bin/bash
# Say where the output went (issue 20): with --text, --once, --dot or
# --json - the frames take stdout and the last stage writes to /dev/null,
# which pipeviz says once on stderr; "pipeviz --json 'ls'" (the pipeline
# taken as the trace's FILE) gets a hint, not a bare "no pipeline given".
. "$(dirname "$0")/lib.sh"

note() { echo "pipeviz: $1 prints on stdout, so the last stage's output goes to /dev/null (-o FILE keeps it)"; }

# --text: frames on stdout, the note once on stderr, the stage's output gone.
"$PIPEVIZ" --text 'echo from-the-stage-pz6006 | cat' </dev/null >out.txt 2>err.txt
check "--text: exit 0" eq "$?" 0
check "--text: the note, once, and nothing else on stderr" eq "$(cat err.txt)" "$(note --text)"
check "--text: frames on stdout" grep -q 'cat' out.txt
check "--text: the stage's own output is not among the frames" bash -c '! grep -q "^from-the-stage-pz6006$" out.txt'

# Over many frames (a pipeline that lives a while) it is still said once.
"$PIPEVIZ" --text -i 20 'seq 3 | (sleep 0.5; cat)' </dev/null >out.txt 2>err.txt
check "--text over 25 frames: the note once" eq "$(grep -c 'goes to /dev/null' err.txt)" 1
check "--text over 25 frames: many frames" test "$(grep -c '^PIPELINE\|t=' out.txt)" -gt 5

# -o FILE: the output kept, nothing said.
"$PIPEVIZ" --text -o kept.txt 'echo kept-pz6006' </dev/null >out.txt 2>err.txt
check "--text -o FILE: no note" eq "$(cat err.txt)" ""
check "--text -o FILE: the stage's output is in FILE" eq "$(cat kept.txt)" "kept-pz6006"

# The other outputs that take stdout.
"$PIPEVIZ" --once 'sleep 0.5' </dev/null >/dev/null 2>err.txt
check "--once: the note names --once" eq "$(cat err.txt)" "$(note --once)"
"$PIPEVIZ" --once --dot 'sleep 0.5' </dev/null >dot.txt 2>err.txt
check "--once --dot: the note names --dot" eq "$(cat err.txt)" "$(note --dot)"
check "--once --dot: stdout is the graph only" bash -c 'head -n 1 dot.txt | grep -q "^digraph"'
"$PIPEVIZ" --json - 'echo x' </dev/null >trace.json 2>err.txt
check "--json -: the note names --json -" eq "$(cat err.txt)" "$(note '--json -')"
check "--json -: stdout is the trace only" jq_true trace.json '.[0].type == "start" and .[-1].type == "end"'

# The pipeline's stdout untouched: nothing said.
"$PIPEVIZ" --json t.json 'echo passes-pz6006' </dev/null >out.txt 2>err.txt
check "--json FILE: the stage writes to stdout, no note" eq "$(cat out.txt)/$(cat err.txt)" "passes-pz6006/"
# An attached pipeline's output is its own: nothing said.
setsid sh -c 'sleep 1.6006 | cat' </dev/null >/dev/null 2>&1 &
for _ in $(seq 30); do
	sp=$(pgrep -P $! -x sleep) && break
	sleep 0.1
done
"$PIPEVIZ" --text -n 2 -p "$sp" </dev/null >/dev/null 2>err.txt
check "--text -p PID: no note (pipeviz does not wire it)" eq "$(cat err.txt)" ""

# --json 'ls': the pipeline taken as the trace's file name.
out=$("$PIPEVIZ" --json 'ls' 2>&1 </dev/null)
check "--json ls: 125 and the hint" eq "$?/$out" \
    "125/pipeviz: no pipeline given: --json took 'ls' as its FILE; the pipeline comes after it: pipeviz --json FILE 'PIPELINE'"
check "--json ls: no file 'ls' made, nothing run" test ! -e ls
out=$("$PIPEVIZ" --json='ls -l' 2>&1 </dev/null)
check "--json='ls -l': the same hint" eq "$out" \
    "pipeviz: no pipeline given: --json took 'ls -l' as its FILE; the pipeline comes after it: pipeviz --json FILE 'PIPELINE'"
out=$("$PIPEVIZ" -i 50 -o 'sort' 2>&1 </dev/null)
check "-o sort: the hint names -o" eq "$out" \
    "pipeviz: no pipeline given: -o took 'sort' as its FILE; the pipeline comes after it: pipeviz -o FILE 'PIPELINE'"
out=$("$PIPEVIZ" --record 'ls' 2>&1 </dev/null)
check "--record ls: the hint names --record" eq "$out" \
    "pipeviz: no pipeline given: --record took 'ls' as its FILE; the pipeline comes after it: pipeviz --record FILE 'PIPELINE'"
out=$("$PIPEVIZ" --json t.json -i 50 2>&1 </dev/null)
check "--json FILE then other options, no pipeline: the plain message" eq "$out" \
    "pipeviz: no pipeline given (try --help)"

done_testing
