#!/bin/bash
# Issue 18, point 2 (and 7's directory): --replay reads a regular file or
# a pipe, and nothing else; a line is read up to a cap.  Before, a device
# such as /dev/zero was read without end (3 GB resident after 4 s), and a
# directory was "empty file".  Each refusal is one "pipeviz: ..." line,
# a status that is not 0 (pipeviz's own failure status), and soon.
. "$(dirname "$0")/lib.sh"

# refused NAME REGEX CMD...: CMD (a pipeviz run) ends within 20 s, not
# with 0, and says one line matching REGEX on stderr.
refused() {
	local name=$1 want=$2 err status
	shift 2
	err=$("$@" 2>&1 >/dev/null </dev/null)
	status=$?
	check "$name: refused, and soon (status $status)" \
	    test "$status" -ne 0 -a "$status" -ne 124
	check "$name: one line saying why" bash -c \
	    '[ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ] && printf "%s\n" "$1" | grep -qE "$2"' \
	    _ "$err" "$want"
}

refused "--replay /dev/zero" \
    "^pipeviz: cannot replay '/dev/zero': not a regular file or a pipe\$" \
    timeout 20 "$PIPEVIZ" --replay /dev/zero --text
refused "--replay /dev/null" \
    "^pipeviz: cannot replay '/dev/null': not a regular file or a pipe\$" \
    timeout 20 "$PIPEVIZ" --replay /dev/null --text
refused "--replay of a directory" \
    "^pipeviz: cannot open trace '$WORK': Is a directory\$" \
    timeout 20 "$PIPEVIZ" --replay "$WORK" --text
# The live view's replay is refused the same way, before any terminal.
refused "--replay /dev/zero for the live view" \
    "^pipeviz: cannot replay '/dev/zero'" \
    timeout 20 "$PIPEVIZ" --replay /dev/zero

# An endless stream through a pipe (allowed): the first line is cut at
# 64 MiB and refused, with pipeviz's memory bounded by that (a sanitizer
# build takes about 240 MB for it; unbounded, 1 GiB would be read).
mem=""
if [ -x /usr/bin/time ]; then
	mem="/usr/bin/time -o zero.rss -f %M"
fi
refused "/dev/zero through a pipe: the line is too long" \
    "^pipeviz: /dev/stdin: line 1: longer than 64 MiB \\(67108864 bytes\\)" \
    bash -c "head -c 1G /dev/zero | $mem timeout 20 '$PIPEVIZ' --replay /dev/stdin --text"
if [ -n "$mem" ]; then
	# time's last line is the peak RSS (a line about the status comes first).
	rss=$(tail -n 1 zero.rss)
	check "/dev/zero through a pipe: pipeviz stayed under 512 MB ($rss KB)" \
	    test "$rss" -lt 512000
fi
# A second line that is too long: the samples before it play, with a
# warning that says where it stopped.
"$PIPEVIZ" --json good.json -n 3 'sleep 0.3' </dev/null
{ cat good.json; head -c 70M /dev/zero | tr '\0' x; } > long.json
"$PIPEVIZ" --replay long.json --text > long.txt 2> long.err
check "a too-long line after good samples: they play (exit 0)" eq "$?" 0
check "a too-long line after good samples: frames printed" grep -q '^sleep 0.3  t=' long.txt
check "a too-long line after good samples: the warning names the line" grep -qE \
    "^pipeviz: long.json: line $(($(wc -l < good.json) + 1)): longer than 64 MiB .*playing the [0-9]+ samples before it" long.err

# A pipe is a trace as good as a file: a FIFO, and stdin.
mkfifo trace.fifo
cat good.json > trace.fifo &
"$PIPEVIZ" --replay trace.fifo --text > fifo.txt
check "--replay of a FIFO plays it" eq "$?" 0
wait
"$PIPEVIZ" --replay good.json --text > file.txt
check "--replay of a FIFO: the same frames as of the file" cmp fifo.txt file.txt
"$PIPEVIZ" --replay /dev/stdin --text < good.json > stdin.txt
check "--replay /dev/stdin of a regular file plays it" cmp stdin.txt file.txt
cat good.json | "$PIPEVIZ" --replay /dev/stdin --text > pipe.txt
check "--replay /dev/stdin of a pipe plays it" cmp pipe.txt file.txt

done_testing
