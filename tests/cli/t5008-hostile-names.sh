#!/bin/bash
# Issue 18, point 1: no raw control byte from observed data reaches a
# terminal or a DOT file.  A process names itself (perl's $0 is prctl
# PR_SET_NAME and its command line), a FIFO's path holds any byte, argv[0]
# is anything (exec -a), a pipe carries escape sequences, and a shared
# trace holds whatever its writer put there.  Every output is checked:
# --text, --once --dot, --json, the live view's screen (and its title),
# error lines, --replay (text and live view) and --peek.  Each shows the
# hostile text visibly (^[ for ESC, M-^[ for the C1 CSI, ? for bytes that
# are not UTF-8) and holds no C0 control but its own line breaks (and
# DOT's tabs), no DEL, no C1 control and no invalid UTF-8; JSON escapes.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# clean FILE [TAB]: FILE is valid UTF-8 with no control character other
# than newline (and tab when TAB is given): nothing a terminal obeys.
clean() {
	perl -MEncode -e '
	    local $/; open my $f, "<", $ARGV[0] or die "$ARGV[0]: $!\n";
	    my $t = <$f>; my $tab = $ARGV[1] // "";
	    my $c0 = $tab ne "" ? qr/[\x00-\x08\x0b-\x1f\x7f]/ : qr/[\x00-\x09\x0b-\x1f\x7f]/;
	    if ($t =~ /($c0)/) { printf "a raw control byte 0x%02x at %d\n", ord($1), $-[0]; exit 1 }
	    my $u = eval { Encode::decode("UTF-8", $t, Encode::FB_CROAK) };
	    if (!defined $u) { print "invalid UTF-8: $@"; exit 1 }
	    if ($u =~ /([\x{80}-\x{9f}])/) { printf "a C1 control U+%04X\n", ord($1); exit 1 }
	    exit 0' "$@" || { echo "in $1:"; cat -A "$1" | head -n 20; return 1; }
}

# The hostile texts.  NAME is what the audit used: OSC 0 (set the
# terminal's title), BEL, clear screen, CR and a lone C1 byte (CSI to an
# 8-bit terminal); perl shortens it to 15 bytes as comm.
NAME=$'\e]0;PWN\a\e[2J\r\x9b'
SHOWN='^[]0;PWN^G^[[2J^M?'
FIFO="$WORK/fifo"$'\e]2;FIFO\a\xc2\x9b\n'
FIFO_SHOWN="$WORK/fifo^[]2;FIFO^GM-^[^J"
ARGV0=$'\e]2;ARGV\a'
ARGV0_SHOWN='^[]2;ARGV^G'
mkfifo "$FIFO"
cat > namer.pl <<'EOF2'
# Call ourselves NAME (comm and command line), write escapes into the
# FIFO for cat to copy into the pipe sleep never reads, then wait.
$0 = $ARGV[0];
$| = 1;
print "\e]0;PEEK\a\e[2J\x9b in the pipe\n";
sleep 60;
EOF2
# Attached to, in a session of its own: perl > FIFO, cat < FIFO | sleep.
setsid bash -c 'perl "$1" "$2" > "$3" & exec -a "$4" cat < "$3" | sleep 60' \
    _ "$WORK/namer.pl" "$NAME" "$FIFO" "$ARGV0" </dev/null >/dev/null 2>&1 &
sid=$!
for _ in $(seq 100); do
	catpid=$(pgrep -s "$sid" -x cat) && perlpid=$(pgrep -s "$sid" -f '^.\]0;PWN') &&
	    [ "$(cat "/proc/$catpid/wchan" 2>/dev/null)" != 0 ] && break
	sleep 0.05
done
# Until cat has copied the bytes into the pipe and waits for more.
for _ in $(seq 100); do
	grep -q read "/proc/$catpid/wchan" 2>/dev/null && break
	sleep 0.05
done
cleanup_names() {
	kill -- "-$sid" 2>/dev/null
	declare -F tm >/dev/null && tm kill-server 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup_names EXIT
check "the hostile process is there, named as it asked" \
    eq "$(cat "/proc/$perlpid/comm")" "${NAME:0:15}"

# --text: frames, sentences, diagnoses; the title of a launched pipeline.
"$PIPEVIZ" --text -n 12 -i 100 --peek -p "$catpid" > attach.txt
check "--text -p: exit 0" eq "$?" 0
check "--text -p: no raw control byte" clean attach.txt
check "--text -p: the name in the picture, shown visibly" grep -qF "(0) $SHOWN (1)" attach.txt
check "--text -p: the name in a sentence, shown visibly" grep -qF "  $SHOWN (pid $perlpid): " attach.txt
check "--text -p: the FIFO's path in a sentence, shown visibly" grep -qF "FIFO $FIFO_SHOWN" attach.txt
check "--text -p: the name in a diagnosis line, shown visibly" bash -c \
    'grep "^starved_reader: " attach.txt | grep -qF "$1 (pid $2)"' _ "$SHOWN" "$perlpid"
"$PIPEVIZ" --once --text "sleep 0.2 # title${NAME}" > title.txt
check "--text: a title with escapes: no raw control byte" clean title.txt
check "--text: the title shown visibly" grep -qF "sleep 0.2 # title$SHOWN  t=" title.txt

# --once --dot: labels, and Graphviz still reads it.
"$PIPEVIZ" --once --dot -p "$catpid" > names.dot
check "--dot: no raw control byte (DOT's own tabs aside)" clean names.dot tab
check "--dot: the name in its label, shown visibly" grep -qF "label=\"$SHOWN\\npid $perlpid, " names.dot
check "--dot: the FIFO's newline does not break its label" grep -qF "label=\"$FIFO_SHOWN 0B/64KiB\"" names.dot
if command -v dot >/dev/null; then
	check "--dot: graphviz parses it" dot -Tsvg -o names.svg names.dot
fi
"$PIPEVIZ" --once --dot "sleep 0.2 # \"title\\${NAME}" > title.dot
check "--dot: a title with quotes, a backslash and escapes: clean" clean title.dot tab
if command -v dot >/dev/null; then
	check "--dot: ... and graphviz parses it" dot -Tsvg -o title.svg title.dot
fi

# --json: escaped as JSON, never raw; the name itself is kept.
"$PIPEVIZ" --json names.json -n 12 -i 100 --peek -p "$catpid"
check "--json: no raw control byte" clean names.json
check "--json: the name is kept, escaped (the byte that is no UTF-8 as ?)" jq_true names.json \
    '[.[] | select(.type=="sample") | .procs[] | .comm] | any(. == "\u001b]0;PWN\u0007\u001b[2J\r?")'
check "--json: the peek holds the pipe's escapes, escaped" jq_true names.json \
    '[.[] | select(.type=="sample") | .pipes[] | .peek // empty] | any(startswith("\u001b]0;PEEK\u0007"))'

# Error lines echo what they were given: shown visibly too.
for args in "-i|${NAME}" "--replay|/nonexistent/${NAME}" "-o|/nonexistent/${NAME}/out|true" \
    "--demo|${NAME}" "--json|/nonexistent/${NAME}|true"; do
	IFS='|' read -r -a argv <<< "$args"
	"$PIPEVIZ" "${argv[@]}" > /dev/null 2> err.txt </dev/null
	status=$?
	check "error line of ${argv[0]}: refused, one line" \
	    test "$status" -ne 0 -a "$(wc -l < err.txt)" -eq 1
	check "error line of ${argv[0]}: no raw control byte" clean err.txt
	check "error line of ${argv[0]}: the argument shown visibly" grep -qF "$SHOWN" err.txt
done

# --replay of a trace that was shared: anything may be in it.  The
# command (the title), a name with a C1 CSI, a sentence, a diagnosis.
jq -c 'if .type == "start" then .command = "\u001b]0;TITLE\u0007\u009b[2J\nnext"
    elif .type == "sample" then
      .procs[0].comm = "\u009b31mC1\u0085" | .procs[0].explain = "says \u001b[2J\u0007"
      | .diagnoses += [{"kind": "stopped", "message": "m\u001b]0;DIAG\u0007\r\u009b",
          "pids": [], "pipes": []}]
    else . end' names.json > shared.json
"$PIPEVIZ" --replay shared.json --text > replay.txt
check "--replay --text of a hostile trace: exit 0" eq "$?" 0
check "--replay --text: no raw control byte" clean replay.txt
check "--replay --text: the title shown visibly, on one line" \
    grep -qF '^[]0;TITLE^GM-^[[2J^Jnext  t=' replay.txt
check "--replay --text: a C1 name shown visibly" grep -qF '  M-^[31mC1M-^E (pid ' replay.txt
check "--replay --text: the sentence shown visibly" grep -qF 'says ^[[2J^G' replay.txt
check "--replay --text: the diagnosis shown visibly" grep -qF 'stopped: m^[]0;DIAG^G^MM-^[' replay.txt
"$PIPEVIZ" --replay names.json --text > replay2.txt
check "--replay --text of the recorded trace: no raw control byte" clean replay2.txt
check "--replay --text of the recorded trace: the name shown visibly" grep -qF "$SHOWN" replay2.txt

# The live view, in a real terminal: nothing drives it.  OSC 0 and 2 would
# set the pane's title; the screen must show the text instead.
if command -v tmux >/dev/null; then
	. "$here/tuilib.sh"
	title() { tm display -p -t "pz$session" '#{pane_title}'; }
	printf '%s\n' "exec '$PIPEVIZ' --peek -p $catpid" > view.sh
	start 150 40 "bash $WORK/view.sh"
	check "live view: the name on the screen, shown visibly" wait_for "$SHOWN"
	check "live view: the terminal's title was not set" bash -c '! printf "%s\n" "$1" | grep -qE "PWN|FIFO|ARGV|PEEK"' _ "$(title)"
	# Enter: the details of a process; Tab on to cat's (its argv[0],
	# its FIFO, and with --peek what waits in the pipe it writes).
	tm send-keys -t "pz$session" Enter
	for _ in $(seq 8); do
		screen | grep -qF "cat  pid $catpid" && break
		tm send-keys -t "pz$session" Tab
		sleep 0.3
	done
	check "live view: the details of cat are open" wait_for "cat  pid $catpid"
	check "live view: the details show argv[0] visibly" wait_for "argv   '$ARGV0_SHOWN'"
	check "live view: the details show the FIFO visibly" wait_for "FIFO $WORK/fifo^[]2;FIFO^GM-^[^J"
	check "live view: the details show the peeked escapes visibly" wait_for '\x1b]0;PEEK\x07'
	screen > view.txt
	check "live view: the screen holds no raw control byte" clean view.txt
	check "live view: still no title set" bash -c '! printf "%s\n" "$1" | grep -qE "PWN|FIFO|ARGV|PEEK"' _ "$(title)"
	tm send-keys -t "pz$session" q
	wait_for "EXIT=" >/dev/null
	# The replayed trace in the live view: its title row.
	printf '%s\n' "exec '$PIPEVIZ' --replay '$WORK/shared.json'" > replay.sh
	start 150 40 "bash $WORK/replay.sh"
	check "live view replay: the title shown visibly" wait_for '^[]0;TITLE^GM-^[[2J^Jnext'
	check "live view replay: the title was not set" bash -c '! printf "%s\n" "$1" | grep -qE "TITLE|DIAG"' _ "$(title)"
	screen > replay-view.txt
	check "live view replay: the screen holds no raw control byte" clean replay-view.txt
	tm send-keys -t "pz$session" q
	wait_for "EXIT=" >/dev/null
	# An unknown TERM is echoed in its error line: visibly.
	printf '%s\n' "TERM=\$'x\\e]0;TERM\\a' '$PIPEVIZ' true 2> '$WORK/term.err'" > term.sh
	start 100 30 "bash $WORK/term.sh"
	wait_for "EXIT=" >/dev/null
	check "TERM with escapes: one error line" test "$(wc -l < term.err)" -eq 1
	check "TERM with escapes: no raw control byte in it" clean term.err
	check "TERM with escapes: shown visibly" grep -qF "'x^[]0;TERM^G'" term.err
	check "TERM with escapes: the title was not set" bash -c '! printf "%s\n" "$1" | grep -q TERM' _ "$(title)"
else
	echo "ok $((TESTS_RUN += 1)) # SKIP tmux is not installed"
fi

done_testing
