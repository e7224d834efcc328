#!/bin/bash
# screenshots.sh - PNG images of the real live view, from real runs.
#
#   bash tools/screenshots.sh [PIPEVIZ]     (default: build/pipeviz)
#
# Each scene runs pipeviz on a real pipeline in a detached tmux terminal of
# a given size, waits until the screen shows what the scene is about, and
# reads the screen with its colours (tmux capture-pane -e).  A small
# converter (perl, below) turns the ANSI text into HTML in a dark terminal
# style, and headless Chromium takes the picture.  The DOT example is
# `pipeviz --once --dot -p PID | dot -Tpng`.  Everything comes from Debian:
#
#   apt-get install tmux chromium fonts-dejavu-core graphviz perl
#
# Writes screenshots/*.png (or $SCREENSHOTS_DIR/*.png) and nothing else;
# SCREENSHOTS_KEEP=1 keeps the .ansi and .html files in src/ beside them.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
PIPEVIZ=${1:-${PIPEVIZ:-build/pipeviz}}
case $PIPEVIZ in /*) ;; *) PIPEVIZ=$ROOT/$PIPEVIZ ;; esac
OUT=${SCREENSHOTS_DIR:-$ROOT/screenshots}

die() { echo "screenshots: $*" >&2; exit 1; }
[ -x "$PIPEVIZ" ] || die "no pipeviz at $PIPEVIZ (build it first: sh tools/setup.sh)"
command -v tmux >/dev/null || die "tmux is missing (apt-get install tmux)"
command -v perl >/dev/null || die "perl is missing (apt-get install perl)"
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
    die "chromium is missing (apt-get install chromium)"
command -v dot >/dev/null || die "dot is missing (apt-get install graphviz)"
fc-list 2>/dev/null | grep -q 'DejaVu Sans Mono' ||
    echo "screenshots: DejaVu Sans Mono not found (apt-get install fonts-dejavu-core)" >&2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pzshots.XXXXXX")
SOCK=pzshots$$
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
BG_PIDS=()
cleanup() {
	tm kill-server 2>/dev/null
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"

# Terminal look: font, cell size and padding in CSS pixels.
FONT_PX=15
LINE_PX=18
PAD_PX=14
CELL_W=$(perl -e "printf '%.4f', $FONT_PX * 1233 / 2048") # DejaVu Sans Mono advance

# ansi2html COLS ROWS TITLE < capture > html: tmux's SGR codes as spans.
ansi2html() {
	perl -CS -Mutf8 -e '
use strict; use warnings;
my ($cols, $rows, $title, $font, $line, $pad) = @ARGV;
my $bg0 = "#1b1e24"; my $fg0 = "#d7dae0";
my @pal = split " ", "#3f4451 #e8606b #8fc46e #e5c07b #5aa9f0 #c678dd #4fc1cf #d7dae0
                      #6b7385 #ff7b86 #b2e08f #ffd68a #86c5ff #e09cf2 #7fdbe6 #ffffff";
sub c256 { my $n = shift;
  return $pal[$n] if $n < 16;
  if ($n < 232) { $n -= 16; my @v = (0, 95, 135, 175, 215, 255);
    return sprintf "#%02x%02x%02x", $v[int($n / 36)], $v[int($n / 6) % 6], $v[$n % 6]; }
  my $g = 8 + 10 * ($n - 232); return sprintf "#%02x%02x%02x", $g, $g, $g; }
sub mix { my ($p, $q, $t) = @_; my @x = map hex, $p =~ /^#(..)(..)(..)$/;
  my @y = map hex, $q =~ /^#(..)(..)(..)$/;
  return sprintf "#%02x%02x%02x", map { $x[$_] * $t + $y[$_] * (1 - $t) } 0 .. 2; }
my %s; sub reset_s { %s = (fg => undef, bg => undef, b => 0, d => 0, i => 0, u => 0, r => 0) } reset_s();
sub sgr { my @p = map { $_ eq "" ? 0 : $_ } split /;/, $_[0], -1; @p = (0) unless @p;
  while (@p) { my $c = shift @p;
    if ($c == 0) { reset_s() } elsif ($c == 1) { $s{b} = 1 } elsif ($c == 2) { $s{d} = 1 }
    elsif ($c == 3) { $s{i} = 1 } elsif ($c == 4) { $s{u} = 1 } elsif ($c == 7) { $s{r} = 1 }
    elsif ($c == 22) { $s{b} = $s{d} = 0 } elsif ($c == 23) { $s{i} = 0 }
    elsif ($c == 24) { $s{u} = 0 } elsif ($c == 27) { $s{r} = 0 }
    elsif ($c >= 30 && $c <= 37) { $s{fg} = $pal[$c - 30] } elsif ($c == 39) { $s{fg} = undef }
    elsif ($c >= 40 && $c <= 47) { $s{bg} = $pal[$c - 40] } elsif ($c == 49) { $s{bg} = undef }
    elsif ($c >= 90 && $c <= 97) { $s{fg} = $pal[$c - 82] }
    elsif ($c >= 100 && $c <= 107) { $s{bg} = $pal[$c - 92] }
    elsif ($c == 38 || $c == 48) { my $k = $c == 38 ? "fg" : "bg"; my $m = shift(@p) // 0;
      if ($m == 5) { $s{$k} = c256(shift(@p) // 0) }
      elsif ($m == 2) { $s{$k} = sprintf "#%02x%02x%02x", map { shift(@p) // 0 } 1 .. 3 } } } }
sub style { my $fg = $s{fg} // $fg0; my $bg = $s{bg};
  ($fg, $bg) = ($bg // $bg0, $fg) if $s{r};
  $fg = mix($fg, $bg // $bg0, 0.55) if $s{d};
  my $st = "color:$fg"; $st .= ";background:$bg" if defined $bg;
  $st .= ";font-weight:bold" if $s{b}; $st .= ";font-style:italic" if $s{i};
  $st .= ";text-decoration:underline" if $s{u}; return $st; }
sub esc { my $t = shift; $t =~ s/&/&amp;/g; $t =~ s/</&lt;/g; $t =~ s/>/&gt;/g; return $t }
my @lines = map { s/\r?\n\z//r } <STDIN>;
push @lines, "" while @lines < $rows; splice @lines, $rows;
my $body = "";
for my $l (@lines) {
  reset_s(); my $out = ""; my $w = 0;
  for my $tok (split /(\e\[[0-9;]*[A-Za-z])/, $l) {
    next if $tok eq "";
    if ($tok =~ /^\e\[([0-9;]*)m$/) { sgr($1); next }
    next if $tok =~ /^\e/;
    $tok =~ s/[\x00-\x1f]//g;
    $w += length $tok;
    $out .= "<span style=\"" . style() . "\">" . esc($tok) . "</span>";
  }
  reset_s();
  $out .= " " x ($cols - $w) if $w < $cols;
  $body .= "<div>$out</div>\n";
}
my $t = esc($title);
print <<"EOF";
<!doctype html>
<html><head><meta charset="utf-8"><title>$t</title><style>
html, body { margin: 0; background: $bg0; }
body { padding: ${pad}px; }
.term { font-family: "DejaVu Sans Mono", monospace; font-size: ${font}px;
  line-height: ${line}px; color: $fg0;
  font-variant-ligatures: none; font-kerning: none; }
.term div { height: ${line}px; white-space: pre; overflow: hidden; }
</style></head><body><div class="term">
$body</div></body></html>
EOF
' "$1" "$2" "$3" "$FONT_PX" "$LINE_PX" "$PAD_PX"
}

# png HTML PNG COLS ROWS: headless Chromium takes the picture.
png() {
	local w h profile
	w=$(perl -e "use POSIX; print ceil($3 * $CELL_W + 2 * $PAD_PX)")
	h=$(($4 * LINE_PX + 2 * PAD_PX))
	profile=$(mktemp -d "$WORK/chromium.XXXXXX")
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-dev-shm-usage \
	    --hide-scrollbars --user-data-dir="$profile" \
	    --screenshot="$2" --window-size="$w,$h" "file://$1" \
	    >"$WORK/chromium.log" 2>&1 ||
	    { cat "$WORK/chromium.log" >&2; die "chromium failed on $1"; }
	[ -s "$2" ] || { cat "$WORK/chromium.log" >&2; die "no picture $2"; }
}

screen() { tm capture-pane -p -t pz; }
# wait_for REGEX [SECONDS]: until the screen matches (extended regex).
wait_for() {
	local n=$((${2:-10} * 10)) i
	for ((i = 0; i < n; i++)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "screenshots: the screen never showed /$1/:" >&2
	screen >&2
	return 1
}

# start COLS ROWS DIR ARGS...: pipeviz ARGS in a fresh terminal, in DIR.
start() {
	local cols=$1 rows=$2 dir=$3 cmd
	shift 3
	cmd=$(printf '%q ' "$PIPEVIZ" "$@")
	tm kill-session -t pz 2>/dev/null
	tm new-session -d -s pz -x "$cols" -y "$rows" \
	    "cd $(printf %q "$dir") && env TERM=screen-256color LANG=C.UTF-8 $cmd; sleep 600"
}

# shoot NAME COLS ROWS SECONDS REGEX...: as soon as the screen matches
# every REGEX (extended, by line), make screenshots/NAME.png of it.
shoot() {
	local name=$1 cols=$2 rows=$3 n=$(($4 * 10)) i re text ok
	shift 4
	for ((i = 0; i < n; i++)); do
		tm capture-pane -p -e -N -t pz > "$WORK/$name.ansi"
		text=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/$name.ansi")
		ok=1
		for re in "$@"; do
			grep -qE -- "$re" <<<"$text" || { ok=0; break; }
		done
		((ok)) && break
		sleep 0.1
	done
	if ((i == n)); then
		echo "screenshots: $name: the screen never showed /$*/:" >&2
		screen >&2
		FAILED=$((FAILED + 1))
		return 1
	fi
	ansi2html "$cols" "$rows" "pipeviz: $name" < "$WORK/$name.ansi" > "$WORK/$name.html"
	png "$WORK/$name.html" "$OUT/$name.png" "$cols" "$rows"
	if [ "${SCREENSHOTS_KEEP:-0}" = 1 ]; then
		mkdir -p "$OUT/src"
		cp "$WORK/$name.ansi" "$WORK/$name.html" "$OUT/src/"
	fi
	tm send-keys -t pz q
	echo "screenshots: $OUT/$name.png"
}
FAILED=0

# 1. The notes' pipeline, in a directory of sample files.  It ends in
#    milliseconds: the picture is its last frame, every stage with its exit.
seed=$WORK/seed
mkdir -p "$seed"
(cd "$seed" && touch pipes.md pipes.c pipes.h notes.txt notes.md main.c \
    main.o Makefile README fork.c)
start 120 30 "$seed" 'ls -1 | cut -d. -f1 | uniq | sort | tee dir_contents'
shoot seed 120 30 10 'pipeline ended'

# 2. A blocked writer: yes fills the pipe, sleep never reads it; a full
#    screen at a realistic size, the history panel showing the stall.
start 120 30 "$WORK" 'yes | sleep 30'
wait_for 'BLOCKED' && sleep 4
shoot blocked-writer 120 30 10 'blocked_writer: .* for [4-9]'

# 3. A pipe filling: 4 KiB every 0.1 s into a pipe nobody reads, taken
#    while it is between a third and three quarters full.
start 120 30 "$WORK" '(for i in $(seq 100); do head -c 4096 /dev/zero; sleep 0.1; done) | sleep 30'
shoot pipe-filling 120 30 10 '\(0\) sh \(1\) [^[]*\[[^]]* (2[4-9]|[34][0-9])KiB/64KiB\]'

# 4. A bottleneck: gzip is busy, head often waits on a full pipe, wc on an
#    empty one.  Taken when the status line names it and gzip is running.
start 120 30 "$WORK" 'head -c 1G /dev/zero | gzip -1 | wc -c'
shoot bottleneck 120 30 30 '^ *bottleneck:' '[0-9]+ run [4-9][0-9]%'

# 5. No end-of-file: cat waits for an EOF that the background sleep holds back.
start 120 30 "$WORK" '{ sleep 30 & echo hi; } | cat'
shoot eof-held 120 30 15 '^ *eof_held:'

# 6. A narrow terminal, the smallest the live view takes.
start 40 12 "$WORK" 'yes | sleep 30'
wait_for 'BLOCKED' && sleep 1
shoot narrow-40x12 40 12 10 'BLOCKED'

# 7. The detail panel of the blocked writer (Enter).
start 120 20 "$WORK" 'yes | sleep 30'
wait_for 'BLOCKED' && sleep 0.5
tm send-keys -t pz Enter
shoot detail-panel 120 20 10 'anon_pipe_write'

# 8. One cause, one report: four readers starve behind one sleep.
start 120 16 "$WORK" 'sleep 30 | cat | cat | cat | wc -l'
shoot starved-chain 120 16 10 'downstream, 3 more wait in turn' 'empty for [1-9]'

# 9. Peeking (p) into the pipe seq fills and sleep never reads.
start 120 20 "$WORK" 'seq 100000 | sleep 30'
wait_for 'BLOCKED' && sleep 0.5
tm send-keys -t pz Tab
sleep 0.3
tm send-keys -t pz p
shoot peek 120 20 10 'waiting: 1\\n2\\n3'

# 10. A deadlock, when this pipeviz has the lecture demo for it.
if "$PIPEVIZ" --demo 2>/dev/null | grep -q '^deadlock '; then
	start 120 14 "$WORK" --demo deadlock
	shoot deadlock 120 14 15 '^ *deadlock:'
fi

# 11. A multithreaded writer: zstd's worker thread is blocked in write(2)
#     while its main thread waits in a futex; the details name the thread.
start 120 24 "$WORK" 'head -c 1G /dev/urandom | zstd -T2 -1 | sleep 30'
wait_for 'BLOCKED' && sleep 1
tm send-keys -t pz Right
sleep 0.3
tm send-keys -t pz Enter
shoot threads 120 24 10 'threads [0-9]+' 'its thread [0-9]+ is blocked'

# 12. Sockets as edges: socat joins yes and sleep by UNIX socket pairs.
start 120 14 "$WORK" "socat -u EXEC:yes EXEC:'sleep 30'"
shoot sockets 120 14 15 '═\[unix' 'blocked_writer: .* UNIX socket .* for [1-9]'

# 13. History: the timeline panel (t) of a pipeline that stalls, with the
#     sparkline of each pipe's fill: gzip works, then sleep stops reading.
start 120 30 "$WORK" 'head -c 40M /dev/urandom | gzip -1 | sleep 6'
shoot timeline 120 30 20 'history, last 60 s' 'blocked_writer: .* for [3-9]'

# 14. The summary once a pipeline has ended: bytes through each pipe,
#     each stage's CPU, wall time, peak memory and exit.
start 120 30 "$WORK" 'head -c 200M /dev/zero | gzip -1 | wc -c'
shoot summary 120 30 30 'max RSS' 'pipeline ended'

# The DOT example: a stuck pipeline of our own, in its own process group as
# an interactive shell would start it, attached and drawn with dot -Tpng.
(cd "$WORK" && exec bash -c 'set -m; yes | tr y n | grep -v x | sleep 30') \
    </dev/null >/dev/null 2>&1 &
BG_PIDS+=($!)
sleep 1.5
BG_PIDS+=($(pgrep -P "${BG_PIDS[0]}"))
last=$(pgrep -P "${BG_PIDS[0]}" -x sleep) || die "the DOT pipeline did not start"
"$PIPEVIZ" --once --dot -p "$last" > "$WORK/dot-example.dot" ||
    die "pipeviz --once --dot failed"
dot -Tpng -Gdpi=110 -o "$OUT/dot-example.png" "$WORK/dot-example.dot" ||
    die "dot failed"
echo "screenshots: $OUT/dot-example.png"

[ "$FAILED" -eq 0 ] || die "$FAILED screenshot(s) failed"
