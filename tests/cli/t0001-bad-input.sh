#!/bin/bash
# Bad input gets one clear line on stderr and status 125 (pipeviz itself
# failed, as for timeout(1) and env(1)), before anything runs.
. "$(dirname "$0")/lib.sh"

# bad_input NAME ARGS...: status 125, exactly one line "pipeviz: ...", and
# the pipeline (which would create ./launched) never ran.
bad_input() {
	local name=$1 err status
	shift
	rm -f launched
	err=$("$PIPEVIZ" "$@" 2>&1 >/dev/null </dev/null)
	status=$?
	check "$name: exit 125" eq "$status" 125
	check "$name: one 'pipeviz:' line" eq "$(printf '%s\n' "$err" | grep -c '^pipeviz: ')/$(printf '%s\n' "$err" | wc -l)" "1/1"
	check "$name: nothing launched" test ! -e launched
}

bad_input "empty pipeline" ''
bad_input "blank pipeline" '   '
bad_input "no pipeline" --json -
bad_input "trailing pipe" 'touch launched |'
bad_input "leading pipe" '| touch launched'
bad_input "empty stage" 'touch launched | | cat'
bad_input "unterminated single quote" "touch launched | echo 'oops"
bad_input "unterminated double quote" 'touch launched | echo "oops'
bad_input "interval zero" -i 0 'touch launched'
bad_input "interval not a number" -i abc 'touch launched'
bad_input "interval negative" -i -5 'touch launched'
bad_input "count zero" -n 0 'touch launched'
bad_input "count garbage" -n 5x 'touch launched'
bad_input "pid garbage" -p abc
bad_input "pid zero" -p 0
bad_input "pid that does not exist" -p 999999999
bad_input "unknown option" --frobnicate 'touch launched'
bad_input "option without value" -i
bad_input "unwritable --json path" --json /nonexistent/dir/trace.json 'touch launched'
bad_input "unwritable -o path" -o /nonexistent/dir/out 'touch launched'
bad_input "pipeline and -p" -p 1 'touch launched'

self=$(bash -c 'exec "$PIPEVIZ" -p $$' 2>&1)
check "pid of pipeviz itself: refused" eq "$self" "pipeviz: pid $(echo "$self" | grep -o '[0-9]*' | head -1) is pipeviz itself"

check "the error names the problem" eq "$("$PIPEVIZ" 'ls |' 2>&1)" \
    "pipeviz: missing command after '|'"
check "bad -i names the option" sh -c "'$PIPEVIZ' -i 0 true 2>&1 | grep -q -- '-i'"

done_testing
