# bash completion for pipeviz(1)                       -*- shell-script -*-
#
# Installed as share/bash-completion/completions/pipeviz; bash-completion
# loads it the first time pipeviz is completed.  It needs nothing from
# bash-completion itself, so `source completions/pipeviz.bash` works too.
#
# Options are read from `pipeviz --help` (so new ones complete without an
# edit here), demo names from `pipeviz --demo` (first word of each line),
# PIDs for -p, files for --json, -o, --record, --replay and --perfetto.
# zsh's _pipeviz and fish's pipeviz.fish beside it offer the same.

# The long and short options of the pipeviz named $1, one a line.
_pipeviz_options()
{
	local help
	help=$(LC_ALL=C "$1" --help 2>/dev/null) || help=""
	if [[ -z $help ]]; then
		# pipeviz not on PATH, or broken: the options of this version's
		# --help (tests/cli/t6003-completion.sh checks they are the same).
		printf '%s\n' -p --pid --all -i --interval -n --count --once --json \
		    --text --dot -o --output --pipefail --pipe-size --exit \
		    --record --replay --perfetto --demo --slow --peek \
		    --step --exact -h --help -V --version
		return
	fi
	# Option lines start with blanks and a dash: "  -p, --pid PID  ...".
	printf '%s\n' "$help" | sed -n 's/^[[:blank:]]\{1,\}\(-.*\)$/\1/p' |
	    grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' |
	    sed 's/^[ ,]//' | sort -u
}

# The options of $1 that take a value as the next word: "--json FILE".
_pipeviz_argopts()
{
	local line re='^[[:blank:]]+(-([A-Za-z0-9]), )?--([A-Za-z0-9-]+) [A-Z]'
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			# printf: echo would take "-n" for its own option.
			[[ -n ${BASH_REMATCH[2]} ]] && printf "%s\n" "-${BASH_REMATCH[2]}"
			printf "%s\n" "--${BASH_REMATCH[3]}"
		fi
	done < <(LC_ALL=C "$1" --help 2>/dev/null)
}

# Demo names: the first word of each line of `pipeviz --demo`, if it has
# --demo at all (an older pipeviz exits 2 and names none).
_pipeviz_demos()
{
	local list
	list=$(LC_ALL=C "$1" --demo 2>/dev/null </dev/null) || return 0
	printf '%s\n' "$list" | sed -n 's/^\([A-Za-z0-9][A-Za-z0-9_.-]*\).*/\1/p'
}

# PIDs one may attach to: the user's processes (all of them for root).
_pipeviz_pids()
{
	local pids
	if [[ $EUID -eq 0 ]]; then
		pids=$(ps -e -o pid= 2>/dev/null)
	else
		pids=$(ps -u "$EUID" -o pid= 2>/dev/null)
	fi
	if [[ -z $pids ]]; then
		pids=$(cd /proc 2>/dev/null && printf '%s\n' [0-9]*)
	fi
	printf '%s\n' $pids
}

_pipeviz()
{
	local cmd=$1 cur prev i word argopts
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=""
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# "--json=FI": '=' may or may not split the word (COMP_WORDBREAKS).
	if [[ $cur == = ]]; then
		cur=""
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi

	# Once the pipeline has started, its words are the pipeline's.
	argopts=" $(_pipeviz_argopts "$cmd" | tr '\n' ' ') "
	[[ $argopts == "  " ]] && argopts=" -p --pid -i --interval -n --count -o --output --json --pipe-size --record --replay --perfetto --slow "
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--)
			((i + 1 < COMP_CWORD)) || break
			compopt -o default 2>/dev/null
			return 0 ;;
		=)
			((i++)) ;; # "--json = FILE": FILE is the value
		-*)
			# An option's value is the next word, unless given with '='.
			[[ $argopts == *" $word "* && ${COMP_WORDS[i + 1]} != = ]] &&
			    ((i++)) ;;
		*)
			# The word after --demo is its name, not a pipeline.
			[[ ${COMP_WORDS[i - 1]} == --demo ]] && continue
			compopt -o default 2>/dev/null
			return 0 ;;
		esac
	done

	case $prev in
	-p | --pid)
		COMPREPLY=($(compgen -W "$(_pipeviz_pids)" -- "$cur"))
		return 0 ;;
	-o | --output | --json | --record | --replay | --perfetto)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	-i | --interval | -n | --count | --pipe-size | --slow)
		return 0 ;; # a number
	--demo)
		if [[ $cur != -* ]]; then
			COMPREPLY=($(compgen -W "$(_pipeviz_demos "$cmd")" -- "$cur"))
			return 0
		fi ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_pipeviz_options "$cmd")" -- "$cur"))
		return 0
	fi
	# The first word of the pipeline: a command.
	COMPREPLY=($(compgen -c -- "$cur"))
	return 0
}
complete -F _pipeviz pipeviz
