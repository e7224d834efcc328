#!/bin/bash
# Issue 15, part 2: --exact, every byte counted in the kernel (BPF).  The
# notes' pipeline over `ls -1 /usr/bin`: each pipe's count is wc -c of what
# went through it; splice(2) and sendfile(2) are counted; a socket pair's
# bytes; rates from the counts; a writer asleep on a full pipe and a
# reader's sleeps and wakes.  Without --exact the bytes are estimates
# and say so.  Where the BPF backend is not built or not permitted, the
# cases that need it are skipped; the refusal itself is checked wherever
# pipeviz runs as root (as nobody it must be a one-line error, exit 125,
# nothing launched).
. "$(dirname "$0")/lib.sh"

samples='[.[] | select(.type=="sample")]'
skip() { echo "ok $((TESTS_RUN += 1)) # SKIP $1"; }

# Without --exact: estimated, and marked so.
"$PIPEVIZ" --json est.json -o /dev/null 'yes | sleep 1' </dev/null
check "without --exact: a pipe's bytes are an estimate, marked" jq_true est.json \
    "$samples | map(.pipes[] | select(.stray|not) | select(.bytes != null)) |
     length > 0 and all(.bytes_estimated == true)"
check "without --exact: bytes is null until a rate is known" jq_true est.json \
    "$samples[0].pipes | map(select(.stray|not)) | all(.bytes == null)"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$PIPEVIZ" --exact --json /dev/null "touch $WORK/launched" \
	    </dev/null >out.txt 2>err.txt
	rc=$?
	chmod 777 "$WORK"
	check "--exact unprivileged: exit 125" eq "$rc" 125
	check "--exact unprivileged: one pipeviz: line on stderr" \
	    bash -c "[ \$(wc -l <err.txt) -eq 1 ] && grep -q '^pipeviz: --exact' err.txt"
	check "--exact unprivileged: nothing was launched" test ! -e launched
else
	skip "not root: cannot drop privileges to check the refusal"
fi

if ! out=$("$PIPEVIZ" --exact -n 1 --json /dev/null true 2>&1 </dev/null); then
	echo "# --exact is not available here: $out"
	skip "--exact is not available: $out"
	done_testing
	exit
fi

# The notes' pipeline over /usr/bin, and what each pipe carried.
notes='ls -1 /usr/bin | cut -d. -f1 | uniq | sort | tee dir_contents'
"$PIPEVIZ" --exact --json notes.json -o /dev/null "$notes" </dev/null
want="$(ls -1 /usr/bin | wc -c) $(ls -1 /usr/bin | cut -d. -f1 | wc -c)"
want="$want $(ls -1 /usr/bin | cut -d. -f1 | uniq | wc -c)"
want="$want $(ls -1 /usr/bin | cut -d. -f1 | uniq | sort | wc -c)"
# Stage i's fd 1 is the pipe to stage i+1: its count, in stage order.
got=$(jq -s -r "$samples[-1] as \$s | [\$s.procs[] | select(.stage != null and .stage < 4)
    | .fds[] | select(.fd == 1) | .inode] | map(. as \$i | \$s.pipes[] | select(.inode == \$i) | .bytes)
    | map(tostring) | join(\" \")" notes.json)
echo "# wc -c of each pipe's bytes: $want; counted: $got"
check "--exact: each pipe of the notes' pipeline carried wc -c of its bytes" eq "$got" "$want"
check "--exact: the counts are exact, not marked estimated" jq_true notes.json \
    "$samples[-1].pipes | map(select(.stray|not)) | length == 4 and all(has(\"bytes_estimated\") | not)"
check "--exact: tee's file has the same bytes as the last pipe" \
    eq "$(wc -c <dir_contents)" "${got##* }"

# splice(2) from a pipe into a pipe, and sendfile(2) into a pipe.
"$PIPEVIZ" --exact --json splice.json -o /dev/null \
    "head -c 1000000 /dev/zero | python3 -c 'import os
while os.splice(0, 1, 65536) > 0: pass' | wc -c" </dev/null
check "--exact: splice(2) is counted on both pipes" jq_true splice.json \
    "$samples[-1].pipes | map(select(.stray|not) | .bytes) == [1000000, 1000000]"
size=$(wc -c </etc/services)
"$PIPEVIZ" --exact --json sendfile.json -o /dev/null \
    "python3 -c 'import os; os.sendfile(1, os.open(\"/etc/services\", 0), 0, 1 << 24)' | wc -c" </dev/null
check "--exact: sendfile(2) into a pipe is counted ($size bytes)" jq_true sendfile.json \
    "$samples[-1].pipes | map(select(.stray|not) | .bytes) == [$size]"

# A socket pair: the bytes written into one end, read at the other.
cat >sockpair.py <<'EOF'
import os, socket, sys, time
a, b = socket.socketpair()
if os.fork() == 0:
    b.close()
    a.sendall(b"x" * 123456)
    time.sleep(1)
    os._exit(0)
a.close()
while True:
    d = b.recv(65536)
    if not d:
        break
    sys.stdout.buffer.write(d)
os.wait()
EOF
"$PIPEVIZ" --exact --json sock.json -o /dev/null "python3 $WORK/sockpair.py | wc -c" </dev/null
check "--exact: a socket pair's bytes, on the end written into" jq_true sock.json \
    "$samples | map(.sockets | map(select(.bytes == 123456 and .type == \"unix\"))) | map(length) | max == 1"
check "--exact: and the pipe after it" jq_true sock.json \
    "$samples[-1].pipes | map(select(.stray|not) | .bytes) == [123456]"

# Rates come from the counts: over the run they add up to the bytes.
"$PIPEVIZ" --exact --json rate.json -o /dev/null 'head -c 200M /dev/zero | gzip -1 | wc -c' </dev/null
check "--exact: the first pipe carried 200 MiB" jq_true rate.json \
    "$samples[-1].pipes | map(select(.stray|not)) | .[0].bytes == 209715200"
check "--exact: its rate is the change of its count over the interval" jq_true rate.json "
    $samples | [range(1; length) as \$i | [.[\$i - 1], .[\$i]]
      | (.[0].pipes | map(select(.stray|not))[0]) as \$a | (.[1].pipes | map(select(.stray|not))[0]) as \$b
      | select(\$b.rate_bps != null and \$a.bytes != null)
      | ((\$b.bytes - \$a.bytes) / (.[1].t - .[0].t) - \$b.rate_bps) | fabs < 1] | length > 0 and all"

# Blocks and wakes: yes sleeps for room in a full pipe; cat for data.
"$PIPEVIZ" --exact --json block.json -n 4 -i 200 'yes | sleep 1' </dev/null
check "--exact: yes is marked asleep writing its pipe, since before the first sample" jq_true block.json "
    $samples | map(. as \$s | .procs[] | select(.comm == \"yes\") | .kwait
        | select(.op == \"write\" and .since < \$s.t and
          .pipe == (\$s.pipes | map(select(.stray|not))[0].inode))) | length == 4"
check "--exact: and it stays one sleep: the same since in every sample" jq_true block.json "
    $samples | map(.procs[] | select(.comm == \"yes\") | .kwait.since) | unique | length == 1"
"$PIPEVIZ" --exact --json wake.json -i 200 -o /dev/null \
    'sh -c "sleep 0.3; echo hi; sleep 0.3; echo ho" | cat' </dev/null
check "--exact: cat's sleeps on its pipe are counted as it wakes" jq_true wake.json "
    $samples[-1].pipes | map(select(.stray|not))[0].sleeps.readers
        | .count >= 2 and .seconds > 0"
check "--exact: the writer never slept for room" jq_true wake.json "
    $samples[-1].pipes | map(select(.stray|not))[0].sleeps.writers.count == 0"

done_testing
