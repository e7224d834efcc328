#!/bin/bash
# The man page says what --help says: the same options, a clean render,
# the same version; the README's Quick start is still the two commands.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
MAN=$SRC/docs/pipeviz.1

# Options of --help: the lines that start with blanks and a dash.
help_options() {
	"$PIPEVIZ" --help | sed -n 's/^[[:blank:]]\{1,\}\(-.*\)$/\1/p' |
	    sed 's/  .*//' | grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' |
	    sed 's/^[ ,]//' | sort -u
}
# Options of the man page: the tags (the line after .TP) of OPTIONS.
man_options() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$MAN" | sed -n '/^\.TP/{n;p}' |
	    sed 's/\\-/-/g; s/\\f[BIRP]//g' |
	    grep -oE '(^|[ ,"])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,"]//' |
	    sort -u
}
same_options() {
	local h m
	h=$(help_options)
	m=$(man_options)
	[ -n "$h" ] || { echo "no options found in --help"; return 1; }
	[ "$h" = "$m" ] && return 0
	echo "options of --help (<) and of docs/pipeviz.1 (>) differ:"
	diff <(echo "$h") <(echo "$m")
	return 1
}
check "the man page lists every option of --help, and no other" same_options
check "--help names at least the long options of the first release" bash -c \
    "for o in --pid --interval --count --once --json --text --dot --output \
     --pipefail --pipe-size --exit --help --version; do
	$(printf %q "$PIPEVIZ") --help | grep -qe \" \$o\" || { echo missing \$o; exit 1; }
     done"

man_version() { sed -n 's/^\.TH [^"]*"pipeviz \([^"]*\)".*/\1/p' "$MAN"; }
check "the man page has the version of pipeviz --version" \
    eq "pipeviz $(man_version)" "$("$PIPEVIZ" --version)"

# Every key of the live view's help screen is in the man page's Keys.
check "the man page documents the live view keys" bash -c "
	keys=\$(sed -n '/^\\.SS Keys/,/^\\.SH /p' $(printf %q "$MAN"))
	for k in q Enter space PgUp PgDn Tab; do
		grep -q \"\$k\" <<<\"\$keys\" || { echo \"no key \$k\"; exit 1; }
	done"

# Every demo of pipeviz --demo is described in the man page.
if "$PIPEVIZ" --demo >/dev/null 2>&1; then
	check "the man page names every demo of pipeviz --demo" bash -c "
		page=\$(sed 's/\\\\-/-/g' $(printf %q "$MAN"))
		for d in \$($(printf %q "$PIPEVIZ") --demo | awk '{print \$1}'); do
			grep -q \"^\\.B \$d\\\$\" <<<\"\$page\" || { echo \"demo \$d is not in the man page\"; exit 1; }
		done"
fi

# A clean render: groff with all warnings, and man itself when there.
n=$((TESTS_RUN + 1))
if command -v groff >/dev/null; then
	check "groff renders the man page without warnings (UTF-8)" bash -c \
	    "out=\$(groff -man -Tutf8 -ww -z $(printf %q "$MAN") 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
	check "groff renders the man page without warnings (ASCII)" bash -c \
	    "out=\$(LC_ALL=C groff -man -Tascii -ww -z $(printf %q "$MAN") 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
else
	TESTS_RUN=$((TESTS_RUN + 2))
	echo "ok $n # SKIP groff is not installed (apt-get install groff-base)"
	echo "ok $((n + 1)) # SKIP groff is not installed"
fi
n=$((TESTS_RUN + 1))
if command -v man >/dev/null && man --help 2>&1 | grep -q -- --warnings; then
	check "man -l renders it without warnings" bash -c \
	    "out=\$(MANWIDTH=80 man --warnings -l $(printf %q "$MAN") 2>&1 >/dev/null); echo \"\$out\"; [ -z \"\$out\" ]"
	check "man -l shows the sections a reader looks for" bash -c \
	    "page=\$(MANWIDTH=80 man -l $(printf %q "$MAN") 2>/dev/null)
	     for s in SYNOPSIS OPTIONS 'EXIT STATUS' ENVIRONMENT EXAMPLES 'SEE ALSO'; do
		grep -q \"^\$s\" <<<\"\$page\" || { echo \"no section \$s\"; exit 1; }
	     done"
else
	TESTS_RUN=$((TESTS_RUN + 2))
	echo "ok $n # SKIP man (man-db) is not installed"
	echo "ok $((n + 1)) # SKIP man (man-db) is not installed"
fi

# The README's Quick start: the two commands, verbatim.
check "the README's Quick start still has its two commands" bash -c "
	grep -qxF \"sh tools/setup.sh && ./build/pipeviz 'ls -1 | cut -d. -f1 | uniq | sort | tee dir_contents'\" $(printf %q "$SRC/README.md") &&
	grep -qxF 'bash tools/test.sh' $(printf %q "$SRC/README.md")"
# Every image the README shows is in the tree.
check "the README's images exist" bash -c "
	cd $(printf %q "$SRC") || exit 1
	for f in \$(grep -oE '\\]\\((screenshots/[^)]+)\\)' README.md | sed 's/^](//; s/)\$//'); do
		[ -s \"\$f\" ] || { echo \"missing \$f\"; exit 1; }
	done"

done_testing
