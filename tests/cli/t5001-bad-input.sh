#!/bin/bash
# More bad input (issue 7's list, beyond t0001): each gets one clear
# "pipeviz: ..." line on stderr, status 125, and nothing is launched or left
# running.  TERM unset/unknown and small terminals are in t4001-tui.sh.
. "$(dirname "$0")/lib.sh"

# bad_input NAME ARGS...: status 125, exactly one line "pipeviz: ...", the
# pipeline (which would create ./launched) never ran, no sleep of ours is
# left.  $$ in the sleep's time keeps it apart from concurrent test runs.
bad_input() {
	local name=$1 err status
	shift
	rm -f launched
	err=$(timeout 20 "$PIPEVIZ" "$@" 2>&1 >/dev/null </dev/null)
	status=$?
	check "$name: exit 125" eq "$status" 125
	check "$name: one 'pipeviz:' line" eq "$(printf '%s\n' "$err" | grep -c '^pipeviz: ')/$(printf '%s\n' "$err" | wc -l)" "1/1"
	check "$name: nothing launched" test ! -e launched
	check "$name: nothing left running" eq "$(running "sleep 51\\.1$$")" ""
}

L="touch launched; exec sleep 51.1$$"

# --pipe-size, which t0001 does not cover.
bad_input "pipe size zero" --pipe-size 0 "$L | cat"
bad_input "pipe size negative" --pipe-size -1 "$L | cat"
bad_input "pipe size not a number" --pipe-size 64k "$L | cat"
bad_input "pipe size overflowing int" --pipe-size 99999999999 "$L | cat"
bad_input "pipe size past pipe-max-size" --pipe-size 2000000000 "$L | cat"
bad_input "pipe size below a page" --pipe-size 100 "$L | cat"

# Numbers at and past their limits.
bad_input "interval past an hour" -i 3600001 "$L"
bad_input "interval with a fraction" -i 1.5 "$L"
bad_input "interval empty" -i '' "$L"
bad_input "interval as --interval=garbage" --interval=fast "$L"
bad_input "count negative" -n -1 "$L"
bad_input "count overflowing long" -n 99999999999999999999 "$L"
bad_input "pid negative" -p -1
bad_input "pid past int" -p 2147483648
bad_input "pid with a fraction" -p 1.5

# Files that cannot be written.
bad_input "--json is a directory" --json / "$L"
bad_input "-o is a directory" -o / "$L"
bad_input "--json empty name" --json '' "$L"
bad_input "-o in a missing directory" -o "$WORK/no/such/dir/out" "$L"
bad_input "--json needs a value" --json

# Options that do not go together.
bad_input "--dot without --once" --dot "$L"
bad_input "--json with --text" --json x.json --text "$L"
bad_input "-o with -p" -o out -p 1
bad_input "--pipefail with -p" --pipefail -p 1

# Pipelines the splitter refuses.
bad_input "|& at the end" "$L |&"
bad_input "only a pipe" '|'
bad_input "pipe and blanks" ' |  | '
bad_input "unterminated backquote" "$L | echo \`date"
bad_input "unterminated \$(" "$L | echo \$(date"
bad_input "unmatched )" "$L | cat )"
bad_input "unterminated {" "{ $L | cat"
bad_input "trailing backslash" "$L | cat \\"

# Traces --replay cannot play: missing, not a file, empty, not JSON, not
# a pipeviz trace, cut off before its first sample, without samples.
printf 'garbage\n' > garbage.json
: > empty.json
printf '\0\1\377\n' > binary.json
printf '{"a":1}\n' > other.json
printf '{"type":"start","version":1,"mode":"launch","command":"x","interval_ms":100}\n' > nosample.json
printf '{"type":"start","version":1,"mode":"launch","command":"x","interval_ms":100}\n{"type":"sample","t":0.1,"pro' > cut.json
printf '{"type":"start","version":99,"mode":"launch","command":"x","interval_ms":100}\n' > future.json
bad_input "--replay of a missing file" --replay "$WORK/no-such-trace.json" --text
bad_input "--replay of a directory" --replay / --text
for t in empty garbage binary other nosample cut future; do
	bad_input "--replay of a trace that is $t" --replay "$t.json" --text
done
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	cp garbage.json secret.json
	chmod 600 secret.json
	chmod 755 "$WORK"
	# The binary itself, even in the valgrind stage: valgrind run as
	# nobody fails now and then (exit 1, nothing said) where a root run
	# left its temporary files in /tmp under a pid nobody's run reuses.
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$PIPEVIZ_BIN" --replay "$WORK/secret.json" --text 2>&1 >/dev/null </dev/null)
	check "--replay of an unreadable file: exit 125" eq "$?" 125
	check "--replay of an unreadable file: one line naming the cause" bash -c \
	    '[ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ] && printf "%s\n" "$1" | grep -q "^pipeviz: .*Permission denied"' _ "$err"
fi

# pipeviz as its own target, by pid: the pid is real, but it is us.
err=$(bash -c 'exec "$0" -p $$ --once' "$PIPEVIZ" 2>&1 >/dev/null)
check "-p of pipeviz itself: exit 125" eq "$?" 125
check "-p of pipeviz itself: says so" bash -c "printf '%s\n' \"\$1\" | grep -qx 'pipeviz: pid [0-9]* is pipeviz itself'" _ "$err"

# A pid that exited a moment ago (reaped: no such process).
sleep 0.01 &
gone=$!
wait $gone
err=$("$PIPEVIZ" -p "$gone" --once 2>&1 >/dev/null)
check "-p of a reaped process: exit 125" eq "$?" 125
check "-p of a reaped process: one clear line" eq "$err" "pipeviz: no process with pid $gone"

done_testing
