#!/bin/bash
# The CLI tests find their processes through their own pipelines (their
# session, a session they made, their pipeviz's children or trace), never
# by a name across the machine: CI and other work share it, and a decoy
# named sort, cat, tr or wc must not be taken for a test's own (issue 18).
# Every pgrep and pkill names a session (-s), a parent (-P) or a process
# group (-g); pidof, killall and whole-machine ps listings are not used.
set -u
root=${1:-.}
cd "$root" || exit 1
n=0
fail=0
for f in tests/cli/*.sh; do
	n=$((n + 1))
	# Each command on its own, up to the next ) | ; & or the line's end;
	# comment lines say what is not done.
	hits=$(perl -ne '
	    next if /^\s*#/;
	    my $bad = 0;
	    while (/(?<![\w-])(pgrep|pkill)(?![\w-])([^|;&)]*)/g) {
		$bad = 1 unless $2 =~ /(^|\s)(-[sPg]|--(session|parent|pgroup))(\s|=|$)/;
	    }
	    $bad = 1 if /(?<![\w-])(pidof|killall)(?![\w-])/;
	    $bad = 1 if /(?<![\w-])ps\s+(-e|-A|ax|aux|-ax)\b/;
	    print "$.: $_" if $bad;' "$f")
	if [ -z "$hits" ]; then
		echo "ok $n - $f: every process lookup is scoped to the test's own"
	else
		echo "not ok $n - $f: a lookup by name across the machine"
		printf '%s\n' "$hits" | sed 's/^/# /'
		fail=1
	fi
done
echo "1..$n"
exit $fail
