# fish completion for pipeviz(1)
#
# Installed as share/fish/vendor_completions.d/pipeviz.fish, where fish
# looks on its own.  The options are those of `pipeviz --help`
# (tests/cli/t6007-completions.sh checks the two lists are the same), demo
# names come from `pipeviz --demo`, the user's own PIDs (with their
# command names) for -p, files for --replay, --record, --json, --perfetto
# and -o.

# Demo names, tab, description: from `pipeviz --demo`.
function __pipeviz_demos
    set -l cmd (commandline -opc)[1]
    command $cmd --demo 2>/dev/null </dev/null | string replace -r '^(\S+)\s+' '$1\t'
end

# The user's own processes (all of them for root): PID, tab, command name.
function __pipeviz_pids
    if test (id -u) -eq 0
        ps -e -o pid=,comm= 2>/dev/null
    else
        ps -u (id -u) -o pid=,comm= 2>/dev/null
    end | string trim | string replace -r '^(\d+)\s+' '$1\t'
end

# How many words of the pipeline come before the cursor: 0 while the
# options are still being given.  An option's value and --demo's NAME are
# not the pipeline's; after "--" the pipeline starts.
function __pipeviz_pipeline_words
    set -l words (commandline -opc)
    set -e words[1]
    set -l n 0
    set -l prev ''
    for w in $words
        if test $n -gt 0
            set n (math $n + 1)
        else if contains -- $prev -p --pid -i --interval -n --count -o --output --json --pipe-size --record --replay --perfetto --slow
            # the value of $prev
        else if test "x$prev" = x--
            set n 1
        else if string match -q -- '-*' $w
            # an option
        else if test "x$prev" != x--demo
            set n 1
        end
        set prev $w
    end
    echo $n
end

function __pipeviz_options_here
    test (__pipeviz_pipeline_words) -eq 0
end

# Whether the word before the cursor is --demo (its optional NAME).
function __pipeviz_after_demo
    set -l words (commandline -opc)
    test (count $words) -ge 2; and test "x$words[-1]" = x--demo
end

complete -c pipeviz -f
complete -c pipeviz -n __pipeviz_options_here -s p -l pid -x -a '(__pipeviz_pids)' -d 'Attach to the pipeline PID belongs to'
complete -c pipeviz -n __pipeviz_options_here -l all -d 'List every pipeline, stuck ones first'
complete -c pipeviz -n __pipeviz_options_here -s i -l interval -x -d 'Sample every MS milliseconds (default 100)'
complete -c pipeviz -n __pipeviz_options_here -s n -l count -x -d 'Stop sampling after N samples'
complete -c pipeviz -n __pipeviz_options_here -l once -d 'Take one sample and print it'
complete -c pipeviz -n __pipeviz_options_here -l json -r -F -d 'Write a JSON Lines trace to FILE (- for stdout)'
complete -c pipeviz -n __pipeviz_options_here -l text -d 'Print plain-text frames on stdout'
complete -c pipeviz -n __pipeviz_options_here -l dot -d 'With --once: print Graphviz DOT'
complete -c pipeviz -n __pipeviz_options_here -s o -l output -r -F -d 'The last stage writes to FILE'
complete -c pipeviz -n __pipeviz_options_here -l pipefail -d 'Exit with the last non-zero stage status'
complete -c pipeviz -n __pipeviz_options_here -l pipe-size -x -d "Make the pipeline's pipes N bytes"
complete -c pipeviz -n __pipeviz_options_here -l exit -d 'Leave as soon as the pipeline ends'
complete -c pipeviz -n __pipeviz_options_here -l record -r -F -d 'Write the JSON trace to FILE beside the view'
complete -c pipeviz -n __pipeviz_options_here -l replay -r -F -d 'Play a recorded trace'
complete -c pipeviz -n __pipeviz_options_here -l perfetto -r -F -d 'With --replay: write the trace as Chrome Trace Event JSON'
complete -c pipeviz -n __pipeviz_options_here -l demo -d 'List the lecture demos, or run one'
complete -c pipeviz -n __pipeviz_options_here -l slow -x -d 'Slow motion: freeze the pipeline MS ms after each frame'
complete -c pipeviz -n __pipeviz_options_here -l peek -f -d 'Show the first N bytes waiting in each pipe (--peek=N)'
complete -c pipeviz -n __pipeviz_options_here -l step -d "Start the pipeline frozen after each stage's exec; n runs it one interval"
complete -c pipeviz -n __pipeviz_options_here -l exact -d 'Count every byte through each pipe and socket in the kernel (BPF)'
complete -c pipeviz -n __pipeviz_options_here -s h -l help -d 'Show the help'
complete -c pipeviz -n __pipeviz_options_here -s V -l version -d 'Show the version'
complete -c pipeviz -n __pipeviz_after_demo -x -a '(__pipeviz_demos)'
# The pipeline's first word is a command, its other words files.
# (With --demo there is no pipeline: only its NAME and options.)
complete -c pipeviz -n '__pipeviz_options_here; and not contains -- --demo (commandline -opc); and not string match -q -- "-*" (commandline -ct)' -a '(__fish_complete_command)'
complete -c pipeviz -n 'not __pipeviz_options_here' -F
