#!/bin/bash
# The bash completion: options, demo names, PIDs for -p, files for paths.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
COMPLETION=$SRC/completions/pipeviz.bash

# comp WORD...: what completing the last WORD offers, one a line, sorted.
comp() {
	bash -c '
		. "$1" || exit 1
		cmd=$2
		shift 2
		COMP_WORDS=("$cmd" "$@")
		COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		_pipeviz "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' comp "$COMPLETION" "${CMD:-$PIPEVIZ}" "$@" 2>&1 | sed '/^$/d' | sort -u
}
# has LIST WORD...: each WORD is a line of LIST.
has() {
	local list=$1 w
	shift
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$list" || { echo "no '$w' in:"; echo "$list"; return 1; }
	done
}

check "the completion file is valid bash" bash -n "$COMPLETION"
check "it registers itself for pipeviz" bash -c \
    ". $(printf %q "$COMPLETION") && complete -p pipeviz | grep -q _pipeviz"

long=$("$PIPEVIZ" --help | sed -n 's/^[[:blank:]]\{1,\}\(-.*\)$/\1/p' |
    sed 's/  .*//' | grep -oE -- '--[A-Za-z0-9-]+' | sort -u)
check "-- offers every long option of --help" eq "$(comp --)" "$long"
check "--pi offers --pid, --pipefail and --pipe-size" \
    eq "$(comp --pi | tr '\n' ' ')" "--pid --pipe-size --pipefail "
check "- offers the short options too" has "$(comp -)" -p -i -n -o -h -V

# pipeviz not on PATH (or broken): the fallback lists are this version's
# --help, every option and every option that takes a value.
all=$("$PIPEVIZ" --help | sed -n 's/^[[:blank:]]\{1,\}\(-.*\)$/\1/p' |
    sed 's/  .*//' | grep -oE -- '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' |
    sed 's/^[ ,]//' | sort -u)
fallback=$(bash -c '. "$1" && _pipeviz_options /nonexistent-pz6003' _ "$COMPLETION" | sort -u)
check "without a pipeviz to ask, the options offered are those of --help" eq "$fallback" "$all"
valued=$(bash -c '. "$1" && _pipeviz_argopts "$2"' _ "$COMPLETION" "$PIPEVIZ" | sort -u)
fallback=$(grep -o 'argopts=" -p [^"]*"' "$COMPLETION" | sed 's/^argopts="//; s/"$//' | tr ' ' '\n' | sed '/^$/d' | sort -u)
check "... and the options that take a value, those of --help" eq "$fallback" "$valued"
check "--help has options with a value (the list above is not empty)" has "$valued" --json --perfetto -p

# Demo names: the first word of each line of pipeviz --demo.
if "$PIPEVIZ" --demo >/dev/null 2>&1; then
	demos=$("$PIPEVIZ" --demo | awk '{print $1}' | sort -u)
	check "--demo offers the demo names of pipeviz --demo" \
	    eq "$(comp --demo '')" "$demos"
	first=$(head -n 1 <<<"$demos")
	check "--demo X completes a prefix" has "$(comp --demo "${first%?}")" "$first"
	check "after --demo NAME, options again" has "$(comp --demo "$first" --)" --interval
else
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN # SKIP this pipeviz has no --demo"
fi
# A pipeviz without --demo: nothing offered, nothing printed.
cat > old-pipeviz <<'EOF'
#!/bin/sh
case $1 in
--help) printf '  -p, --pid PID   attach\n      --once       one sample\n' ;;
*) echo "pipeviz: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac
EOF
chmod +x old-pipeviz
check "without --demo in pipeviz, --demo offers nothing and prints nothing" \
    eq "$(CMD=./old-pipeviz comp --demo '')" ""
check "an older pipeviz's options come from its --help" \
    eq "$(CMD=./old-pipeviz comp -- | tr '\n' ' ')" "--once --pid "

# PIDs for -p: a process of ours is among them.
sleep 30.6003 &
bg=$!
check "-p offers PIDs (a sleep of ours among them)" has "$(comp -p '')" "$bg"
check "--pid offers PIDs, completing a prefix" has "$(comp --pid "${bg%?}")" "$bg"
kill "$bg"

# Files for the options that name one.
touch trace-a.json trace-b.json
mkdir -p runs
for opt in --json -o --output --record --replay --perfetto; do
	check "$opt offers files" eq "$(comp "$opt" trace- | tr '\n' ' ')" \
	    "trace-a.json trace-b.json "
done
check "--json=FILE (split at '=') offers files" \
    eq "$(comp --json = trace-a | tr '\n' ' ')" "trace-a.json "
check "numbers are not completed with files" eq "$(comp -i '')" ""

# Inside the pipeline, the shell's default completion takes over.
check "the first word of the pipeline is a command" has "$(comp -i 50 sor)" sort
check "-n's value is not the pipeline (echo -n printed nothing once)" has "$(comp -n 5 sor)" sort
check "words after the pipeline's first get no options" \
    eq "$(comp --json t.json 'sort' --)" ""
check "after --, the pipeline" eq "$(comp -- 'ls -1' '')" ""

done_testing
