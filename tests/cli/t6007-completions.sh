#!/bin/bash
# The zsh and fish completions (issue 20), beside bash's (t6003): they
# parse, their options are exactly those of --help, and in the real shell
# they offer the options, the demo names, the user's own PIDs for -p and
# files for --replay, --record, --json, --perfetto and -o.  fish is asked
# with `complete -C`; zsh, which completes only inside its line editor, is
# typed at in tmux.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/cli/tuilib.sh"
ZSH_COMPLETION=$SRC/completions/_pipeviz
FISH_COMPLETION=$SRC/completions/pipeviz.fish

# The options of --help, one a line, sorted: what every completion offers.
help_options=$("$PIPEVIZ" --help | sed -n 's/^[[:blank:]]\{1,\}\(-.*\)$/\1/p' |
    sed 's/  .*//' | grep -oE -- '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' |
    sed 's/^[ ,]//' | sort -u)
long_options=$(grep -- '^--' <<<"$help_options")
demos=$("$PIPEVIZ" --demo | awk '{print $1}' | sort -u)

# has LIST WORD...: each WORD is a line of LIST.
has() {
	local list=$1 w
	shift
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$list" || { echo "no '$w' in:"; echo "$list"; return 1; }
	done
}

# The shells find "pipeviz" on PATH, as an installed one would be.
mkdir -p bin
ln -s "$PIPEVIZ" bin/pipeviz
touch trace-a.json trace-b.json
sleep 60.6007 &
bg=$!
trap 'kill $bg 2>/dev/null; tm kill-server 2>/dev/null; rm -rf "$WORK"' EXIT

# --- fish ----------------------------------------------------------------
if command -v fish >/dev/null; then
	# fc LINE: what fish offers for LINE, the candidates only, sorted.
	fc() {
		PATH=$WORK/bin:$PATH fish --no-config -c \
		    'source $argv[1]; complete -C $argv[2]' "$FISH_COMPLETION" "$1" |
		    cut -f1 | sort -u
	}
	check "fish: the completion parses (fish -n)" fish -n "$FISH_COMPLETION"
	check "fish: '-' offers exactly the options of --help" eq "$(fc 'pipeviz -')" "$help_options"
	check "fish: '--pe' offers --peek and --perfetto" eq "$(fc 'pipeviz --pe' | tr '\n' ' ')" "--peek --perfetto "
	# fd LINE: candidates with their descriptions.
	fd() {
		PATH=$WORK/bin:$PATH fish --no-config -c \
		    'source $argv[1]; complete -C $argv[2]' "$FISH_COMPLETION" "$1"
	}
	check "fish: options carry their --help description" has "$(fd 'pipeviz --rep')" \
	    $'--replay\tPlay a recorded trace'

	check "fish: --demo offers the demo names of pipeviz --demo" eq "$(fc 'pipeviz --demo ')" "$demos"
	check "fish: a demo name's description is its line of pipeviz --demo" has "$(fd 'pipeviz --demo fi')" \
	    "$(printf 'fill\t%s' "$("$PIPEVIZ" --demo | sed -n 's/^fill  *//p')")"
	check "fish: -p offers our own PIDs (a sleep of ours among them)" has "$(fc 'pipeviz -p ')" "$bg"
	check "fish: --pid PREFIX completes to the PID" has "$(fc "pipeviz --pid ${bg%?}")" "$bg"
	for opt in --json --record --replay --perfetto -o --output; do
		check "fish: $opt offers files" eq "$(fc "pipeviz $opt trace-" | tr '\n' ' ')" \
		    "trace-a.json trace-b.json "
	done
	check "fish: --perfetto=FILE offers files" eq "$(fc 'pipeviz --perfetto=trace-b' | tr '\n' ' ')" \
	    "--perfetto=trace-b.json "
	check "fish: numbers are not completed" eq "$(fc 'pipeviz -i ')" ""
	check "fish: the pipeline's first word is a command" has "$(fc 'pipeviz -i 50 sor')" sort
	check "fish: the pipeline's other words are files" eq "$(fc 'pipeviz cat trace-' | tr '\n' ' ')" \
	    "trace-a.json trace-b.json "
	check "fish: no pipeviz options inside the pipeline" eq "$(fc 'pipeviz cat --on')" ""
	check "fish: after --demo NAME, options again, no commands" eq \
	    "$(fc 'pipeviz --demo fill --in')/$(fc 'pipeviz --demo fill so')" "--interval/"
else
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN # SKIP fish is not installed (apt-get install fish)"
fi

# --- zsh -----------------------------------------------------------------
# The options _arguments is given, from the file itself.
zsh_options() {
	sed -n '/_arguments/,/->pipeline/p' "$ZSH_COMPLETION" |
	    grep -oP -- "(?<=[{,')])--?[A-Za-z0-9][A-Za-z0-9-]*(?=[][+=,}])" |
	    sort -u
}
check "zsh: the completion is for pipeviz (#compdef)" bash -c "head -n 1 '$ZSH_COMPLETION' | grep -qx '#compdef pipeviz'"
if command -v zsh >/dev/null && command -v tmux >/dev/null; then
	check "zsh: the completion parses (zsh -n)" zsh -n "$ZSH_COMPLETION"
	check "zsh: its options are exactly those of --help" eq "$(zsh_options)" "$help_options"
	mkdir -p zdot zfunc
	cp "$ZSH_COMPLETION" zfunc/
	cat > zdot/.zshrc <<EOF
PS1='zsh%% '
fpath=($WORK/zfunc \$fpath)
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' format '[%d]'
LISTMAX=0
cd $WORK
EOF
	# zc LINE: type LINE and Tab into a fresh interactive zsh; then
	# screen shows what it offered (a list, or the line completed).
	zc() {
		start 200 60 "ZDOTDIR=$WORK/zdot PATH=$WORK/bin:\$PATH zsh -i"
		TUI_WAIT=100 wait_for 'zsh%' >/dev/null
		tm send-keys -t "pz$session" -l "$1"
		tm send-keys -t "pz$session" Tab
	}
	# shows_all WORD...: the screen lists each WORD as a candidate.
	shows_all() {
		local s w
		TUI_WAIT=100 wait_for '[' >/dev/null || return 1
		sleep 0.3
		s=$(screen)
		for w in "$@"; do
			grep -qE -- "(^| )$w( |\$)" <<<"$s" || { echo "no $w in:"; echo "$s"; return 1; }
		done
	}
	zc 'pipeviz --'
	# shellcheck disable=SC2086
	check "zsh: '--' lists every long option of --help" shows_all $long_options
	check "zsh: options come with their --help description" \
	    wait_line '^--perfetto +-- with --replay: write the trace as Chrome Trace Event JSON'
	zc 'pipeviz --pe'
	check "zsh: '--pe' lists --peek and --perfetto" shows_all --peek --perfetto
	zc 'pipeviz --demo '
	check "zsh: --demo lists the demos" wait_for '[demo]'
	# shellcheck disable=SC2086
	check "zsh: --demo lists every demo of pipeviz --demo" shows_all $demos
	check "zsh: a demo comes with its description" wait_line '^fill +-- a loop writes' 
	zc "pipeviz -p ${bg%?}"
	check "zsh: -p PREFIX offers our own PID" wait_line "(pipeviz -p $bg|^$bg .*-- sleep)"
	zc 'pipeviz --replay trace-a'
	check "zsh: --replay completes a file" wait_line 'pipeviz --replay trace-a\.json'
	zc 'pipeviz --perfetto=trace-b'
	check "zsh: --perfetto=FILE completes a file" wait_line 'pipeviz --perfetto=trace-b\.json'
	zc 'pipeviz -o trace-'
	check "zsh: -o lists files" shows_all 'trace-a\.json' 'trace-b\.json' 
	zc 'pipeviz -i 50 sor'
	check "zsh: the pipeline's first word is a command" wait_line '(pipeviz -i 50 sort|^sort )'
	zc 'pipeviz cat trace-b'
	check "zsh: the pipeline's other words are files" wait_line 'pipeviz cat trace-b\.json'
else
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN # SKIP zsh or tmux is not installed (apt-get install zsh tmux)"
fi

# All three offer the same options: bash's without a pipeviz to ask too.
check "bash, zsh and fish completions name the same options" bash -c "
	b=\$(bash -c '. \"\$1\" && _pipeviz_options /nonexistent-pz6007' _ '$SRC/completions/pipeviz.bash' | sort -u)
	[ \"\$b\" = \"\$1\" ]" _ "$help_options"

done_testing
