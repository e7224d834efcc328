#!/bin/bash
# Exit statuses a script can tell apart (issue 20), as timeout(1) and
# env(1) give theirs: 125 when pipeviz itself fails, 126 when a stage's
# command could not be run, 127 when it was not found, otherwise the
# pipeline's.  Each case runs the real program and compares with what
# sh says.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"

# st ARGS...: pipeviz's status on ARGS, trace to /dev/null, output gone.
st() {
	"$PIPEVIZ" --json /dev/null -o /dev/null "$@" </dev/null >/dev/null 2>&1
	echo $?
}
# sh_st PIPELINE: what sh says.
sh_st() {
	sh -c "$1" </dev/null >/dev/null 2>&1
	echo $?
}

# pipeviz's own 125 against grep's and ls's 2.
check "grep's 2 (a missing file) is the pipeline's status" eq \
    "$(st 'grep -q x /nonexistent-pz6005')" "$(sh_st 'grep -q x /nonexistent-pz6005')"
check "... and it is 2" eq "$(st 'grep -q x /nonexistent-pz6005')" 2
check "ls's 2 is the pipeline's status" eq "$(st 'ls /nonexistent-pz6005 | cat; ls /nonexistent-pz6005')" 2
check "bad input (-i 0) is 125, not 2" eq "$(st -i 0 'true')" 125
check "a pipeline that does not parse is 125" eq "$(st 'ls |')" 125
check "an unknown option is 125" eq "$(st --frobnicate 'true')" 125
check "no such pid for -p is 125" eq "$("$PIPEVIZ" -p 999999999 --once 2>/dev/null; echo $?)" 125
check "an unwritable trace is 125" eq \
    "$("$PIPEVIZ" --json /nonexistent-pz6005/t.json 'true' 2>/dev/null </dev/null; echo $?)" 125
check "a trace that cannot be written (/dev/full) is 125" eq \
    "$(timeout 20 "$PIPEVIZ" --json /dev/full -o /dev/null 'sleep 0.3' 2>/dev/null </dev/null; echo $?)" 125
check "--replay of a missing trace is 125" eq "$("$PIPEVIZ" --replay /nonexistent-pz6005 2>/dev/null; echo $?)" 125

# 127: a stage's command was not found, whichever stage it is.
check "a last stage not found: 127, as sh says" eq "$(st 'echo x | nosuchcmd-pz6005')" 127
check "a first stage not found: 127 (sh says 0, cat's)" eq \
    "$(st 'nosuchcmd-pz6005 | cat')/$(sh_st 'nosuchcmd-pz6005 | cat')" 127/0
check "a middle stage not found: 127" eq "$(st 'echo x | nosuchcmd-pz6005 | wc -l')" 127
check "the trace's end record keeps sh's status (0)" bash -c "
	'$PIPEVIZ' --json nf.json -o /dev/null 'nosuchcmd-pz6005 | cat' </dev/null 2>/dev/null
	[ \$? -eq 127 ] && jq -e -s '.[-1].type == \"end\" and .[-1].status.code == 0' nf.json >/dev/null"

# 126: found but could not be run.
printf 'echo never\n' > not-executable
chmod 644 not-executable
mkdir -p a-directory
check "a stage that is not executable: 126" eq "$(st 'echo x | ./not-executable')" 126
check "a first stage that is not executable: 126 (sh says 0)" eq \
    "$(st './not-executable | cat')/$(sh_st './not-executable | cat')" 126/0
check "a directory as a command: 126" eq "$(st 'true | ./a-directory')" 126
check "the first stage that could not start decides: 126 before 127" eq \
    "$(st './not-executable | nosuchcmd-pz6005')" 126
check "... and 127 before 126" eq "$(st 'nosuchcmd-pz6005 | ./not-executable')" 127
check "with --pipefail too" eq "$(st --pipefail 'nosuchcmd-pz6005 | exit 4')" 127

# Otherwise the pipeline's status, as sh reports it.
check "false | true: 0" eq "$(st 'false | true')" 0
check "true | false: 1" eq "$(st 'true | false')" 1
check "exit 7: 7" eq "$(st 'exit 7')" 7
check "--pipefail 'exit 5 | true': 5" eq "$(st --pipefail 'exit 5 | true')" 5
check "a stage killed by SIGKILL: 137" eq "$(st 'sh -c "kill -KILL \$\$"')" 137
check "an attach that watched its pipeline end: 0" bash -c "
	setsid sh -c 'sleep 0.8; exit 3' </dev/null >/dev/null 2>&1 &
	bg=\$!
	sleep 0.2
	'$PIPEVIZ' --json /dev/null -p \$bg </dev/null; echo \$? > att.st
	[ \"\$(cat att.st)\" = 0 ]"
# A signal to pipeviz: 128+N (SIGTERM 143).
"$PIPEVIZ" --json sig.json -o /dev/null 'sleep 30.6005' </dev/null 2>/dev/null &
pz=$!
wait_started sig.json
kill -TERM "$pz"
wait "$pz"
check "SIGTERM to pipeviz: 143" eq "$?" 143

# The documentation says the same.
check "--help gives 125, 126 and 127" bash -c "
	h=\$('$PIPEVIZ' --help)
	grep -q '125 when pipeviz' <<<\"\$h\" && grep -q '126 when a stage' <<<\"\$h\" &&
	grep -q '127 when it was not found' <<<\"\$h\""
check "the man page's EXIT STATUS has 125, 126 and 127" bash -c "
	sed -n '/^\\.SH EXIT STATUS/,/^\\.SH ENV/p' '$SRC/docs/pipeviz.1' > es.txt
	for c in 125 126 127 '.RI 128+ N'; do
		grep -qxF -e \".B \$c\" -e \"\$c\" es.txt || { echo \"no \$c\"; exit 1; }
	done
	! grep -qx '.B 2' es.txt && ! grep -qx '.B 1' es.txt"
check "the README gives 125, 126 and 127" bash -c "
	grep -q '\\*\\*125\\*\\* when pipeviz itself fails' '$SRC/README.md' &&
	grep -q '\\*\\*126\\*\\*' '$SRC/README.md' && grep -q '\\*\\*127\\*\\*' '$SRC/README.md'"

done_testing
