#!/bin/bash
# Issue 18, point 7: small things pipeviz now refuses or splits itself.
# Numbers are digits only; '||' and '&&' need a command on each side
# (pipeviz says so, not sh); a compound command (for ... done, if ... fi)
# is one stage, as sh sees it, so it can be piped into the next.  Every
# refusal is one "pipeviz: ..." line, with a status that is not 0 (the
# exact status is pipeviz's own failure status), and nothing launched.
. "$(dirname "$0")/lib.sh"

# refused NAME MESSAGE ARGS...: not 0, exactly the one line MESSAGE (a
# regex when it starts with ~), and the pipeline (which would create
# ./launched) never ran.
refused() {
	local name=$1 want=$2 err status
	shift 2
	rm -f launched
	err=$(timeout 20 "$PIPEVIZ" "$@" 2>&1 >/dev/null </dev/null)
	status=$?
	check "$name: refused (status $status, not 0 and no timeout)" \
	    test "$status" -ne 0 -a "$status" -ne 124
	if [ "${want#\~}" != "$want" ]; then
		check "$name: one line saying why" bash -c \
		    '[ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ] && printf "%s\n" "$1" | grep -qE "$2"' \
		    _ "$err" "${want#\~}"
	else
		check "$name: one line saying why" eq "$err" "$want"
	fi
	check "$name: nothing launched" test ! -e launched
}

L="touch launched; sleep 0.1"

# Numbers: strtol() would take blanks and signs.
refused "-i ' 5'" "pipeviz: -i: ' 5' is not a number from 1 to 3600000" -i ' 5' "$L"
refused "-i +5" "pipeviz: -i: '+5' is not a number from 1 to 3600000" -i +5 "$L"
refused "-i '5 '" "pipeviz: -i: '5 ' is not a number from 1 to 3600000" -i '5 ' "$L"
refused "-n ' 3'" "~^pipeviz: -n: ' 3' is not a number" -n ' 3' "$L"
refused "--pipe-size +65536" "~^pipeviz: --pipe-size: '\\+65536' is not a number" \
    --pipe-size +65536 "$L | cat"
refused "--slow ' 100'" "~^pipeviz: --slow: ' 100' is not a number" --slow ' 100' "$L"
refused "--peek=+8" "~^pipeviz: --peek: '\\+8' is not a number" --peek=+8 "$L"
refused "-p ' 1'" "~^pipeviz: -p: ' 1' is not a number" -p ' 1'
# ... while plain digits still work.
"$PIPEVIZ" -i 050 -n 2 --json ok.json 'true' </dev/null
check "-i 050 (digits only) is still a number" jq_true ok.json '.[0].interval_ms == 50'

# '||' and '&&' without a command on one side: pipeviz's own one line,
# not sh's "Syntax error" from a pipeline that was launched.
refused "'ls ||'" "pipeviz: missing command after '||'" "$L; ls ||"
refused "'ls &&'" "pipeviz: missing command after '&&'" "$L && "
refused "'|| ls'" "pipeviz: missing command before '||'" "|| $L"
refused "'ls || | cat'" "pipeviz: missing command after '||'" "$L || | cat"
refused "'\$(ls ||)'" "pipeviz: missing command after '||'" "echo \$($L ||) | cat"
refused "an unterminated loop" "pipeviz: missing 'done' or 'fi'" \
    "for i in 1; do $L | cat"
# A newline after '||' continues the line, as in sh.
"$PIPEVIZ" -o cont.out --json cont.json "false ||
echo continued" </dev/null
check "'||' then a newline: the next line is its command" eq "$(cat cont.out)" "continued"

# A compound command is one stage: the loop's output, and its stderr
# (2>&1 belongs to the loop), go down the pipe into grep.
"$PIPEVIZ" -o loop.out --json loop.json \
    'for i in 1 2 3; do echo $i; echo e$i >&2; done 2>&1 | grep -n .' </dev/null
check "for ... done 2>&1 | grep -n .: what sh prints" eq "$(cat loop.out)" \
    "$(for i in 1 2 3; do echo $i; echo e$i >&2; done 2>&1 | grep -n .)"
check "for ... done 2>&1 | grep -n .: two stages, the loop's shell and grep" jq_true loop.json '
    [.[] | select(.type=="exit")] | (length == 2) and (map(.stage) | sort == [0, 1])'
check "for ... done | grep: grep ran as stage 1" jq_true loop.json '
    [.[] | select(.type=="sample") | .procs[] | select(.stage == 1) | .comm] | any(. == "grep")'
"$PIPEVIZ" -o if.out --json if.json \
    'if true; then seq 3; else echo no; fi | while read n; do echo "<$n>"; done | wc -l' </dev/null
check "if ... fi | while ... done | wc -l: three stages" jq_true if.json '
    [.[] | select(.type=="exit") | .stage] | sort == [0, 1, 2]'
check "if ... fi | while ... done | wc -l: the lines went through" eq "$(tr -d ' ' < if.out)" 3

done_testing
