#!/bin/bash
# test.sh - set up, build and run every test; end with "N passed, N failed".
#
# The count is of individual test cases, over every stage: TAP subtests of
# the unit, fuzz-corpus and CLI suites as meson's log records them, plus
# one failure per sanitizer or valgrind report and one case per fuzzer run.
#
# Stages, in order (each starts with a "== stage NAME" line and ends with
# its own count and time, so a CI log can be followed):
#   tests     meson test in build/: unit, CLI, fuzz corpora, lint
#   asan      the whole suite again, built with AddressSanitizer and
#             UndefinedBehaviorSanitizer (gcc) in build-asan/
#   valgrind  CLI tests with pipeviz under valgrind memcheck (see below)
#             (tests/cli/lib.sh runs $PIPEVIZ_WRAP instead of $PIPEVIZ)
#   fuzz      each libFuzzer harness of tests/fuzz/ for a bounded time
#             (clang, build-fuzz/), seeded from tests/fuzz/corpus/
#
# Environment: PIPEVIZ_STAGES="tests asan" runs only those stages;
# PIPEVIZ_FUZZ_SECONDS (default 30) is each fuzzer's time;
# PIPEVIZ_BUILD_DIR=DIR tests an existing build in DIR instead of setting
# up and building build/ (the asan and fuzz stages keep their own
# directories).  Arguments go to meson test in the tests and asan stages.
set -u
cd "$(dirname "$0")/.." || exit 1
root=$PWD
stages=${PIPEVIZ_STAGES:-tests asan valgrind fuzz}
build=${PIPEVIZ_BUILD_DIR:-build}
fuzz_seconds=${PIPEVIZ_FUZZ_SECONDS:-30}
total_passed=0
total_failed=0
all_start=$(date +%s)

# The CLI tests run under valgrind: those that exercise pipeviz's paths
# (bad input, launching, wiring, data, races, signals, failing outputs)
# without wall-clock bounds that a 20-50x slower pipeviz cannot meet.
# Left out, and why:
#   t2001-probe, t2002-permissions, t3001-diagnose, t7001-teaching,
#     t8001-explain-peek: they expect samples, diagnoses or attach results
#     within fractions of a second of a pipeline's start (0.3-2.5 s
#     pipelines), and t2001 sends SIGINT 0.3 s after start, before a
#     valgrind'ed pipeviz has taken SIGINT over from the shell's SIG_IGN.
#   t4001-tui, t6002-dot: a live view in tmux with 5 s screen deadlines,
#     and a pipe that must be full at the one moment of --once.
#   t5003-churn: measures pipeviz's own RSS over 20 s; valgrind's memory
#     makes that meaningless (memcheck finds the leaks instead).
#   t5004-emfile: runs under ulimit -n 4-16; valgrind needs descriptors
#     of its own and fails first.
#   t5006-noharm: asserts timings of pipeviz -i 1 against the same
#     pipeline alone; t5007-no-proc: valgrind needs /proc.
#   t5008-hostile-names: a live view in tmux with 5 s screen deadlines.
#   t5009-replay-files: measures pipeviz's RSS on an endless stream.
#   t5010-launch-failures: pipeviz in mount namespaces without /bin/sh,
#     and as a user of its own under ulimit -u (valgrind's processes and
#     files count against it).
#   t5011-stop-window: pipeviz runs under strace, and a process has one
#     tracer at most.
#   t6001-docs, t6003-completion: --help and option parsing only, run
#     dozens of times (a minute under valgrind for little).
valgrind_tests="t0001-bad-input t1001-launch t5001-bad-input t5002-races t5005-signals t5012-small-input"

stage_begin() {
	stage_name=$1
	stage_start=$(date +%s)
	stage_passed=0
	stage_failed=0
	echo "== stage $stage_name: $2"
}

stage_end() {
	echo "== stage $stage_name: $stage_passed passed, $stage_failed failed" \
	    "($(($(date +%s) - stage_start)) s)"
	total_passed=$((total_passed + stage_passed))
	total_failed=$((total_failed + stage_failed))
}

# Add the TAP counts of one meson log; status is meson test's.
count_meson_log() {
	local log=$1 status=$2 passed failed broken

	passed=$(grep -cE '^ok [0-9]+' "$log")
	# "not ok ... # TODO" is a known problem being worked on, not a failure.
	failed=$(grep -E '^not ok [0-9]+' "$log" | grep -cvE '# TODO')
	# A test that failed (crashed, timed out) without a "not ok" of its
	# own still counts once: meson's log has a block per test.
	broken=$(awk '
	    function done_block() { if (bad && !notok) n++; bad = notok = 0 }
	    /^=+ [0-9]+\/[0-9]+ =+$/ { done_block(); next }
	    /^result: / && $0 !~ /exit status 0$/ { bad = 1 }
	    /^not ok [0-9]+/ && !/# TODO/ { notok = 1 }
	    END { done_block(); print n + 0 }' "$log")
	failed=$((failed + broken))
	if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
		failed=1
	fi
	stage_passed=$((stage_passed + passed))
	stage_failed=$((stage_failed + failed))
}

# Each sanitizer report file (log_path=DIR/kind) is a failure.
count_reports() {
	local dir=$1 f

	for f in "$dir"/*; do
		[ -s "$f" ] || continue
		echo "-- sanitizer report $f:"
		head -n 40 "$f"
		stage_failed=$((stage_failed + 1))
	done
}

wants() {
	case " $stages " in *" $1 "*) return 0 ;; esac
	return 1
}

stage_begin setup "install what is missing, build $build/"
if [ "$build" = build ]; then
	sh tools/setup.sh
else
	ninja -C "$build" >/dev/null
fi
if [ $? -ne 0 ]; then
	stage_failed=1
	stage_end
	echo "$total_passed passed, $total_failed failed"
	exit 1
fi
stage_end

if wants tests; then
	stage_begin tests "meson test in $build/ (unit, CLI, fuzz corpora, lint)"
	meson test -C "$build" --print-errorlogs "$@"
	count_meson_log "$build"/meson-logs/testlog.txt $?
	stage_end
fi

if wants asan; then
	stage_begin asan "the whole suite built with -fsanitize=address,undefined"
	reports=$root/build-asan/sanitizer-reports
	if { [ -d build-asan ] || meson setup build-asan \
	    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null; } &&
	    ninja -C build-asan >/dev/null; then
		rm -rf "$reports"
		mkdir -p "$reports"
		ASAN_OPTIONS="log_path=$reports/asan:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1" \
		UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1" \
		LSAN_OPTIONS="log_path=$reports/lsan" \
		    meson test -C build-asan --print-errorlogs "$@"
		count_meson_log build-asan/meson-logs/testlog.txt $?
		count_reports "$reports"
	else
		echo "asan: the build failed"
		stage_failed=$((stage_failed + 1))
	fi
	stage_end
fi

if wants valgrind; then
	stage_begin valgrind "CLI tests with pipeviz under valgrind memcheck:" \
	    "$valgrind_tests"
	vgdir=$root/$build/valgrind
	rm -rf "$vgdir"
	mkdir -p "$vgdir/logs"
	# Tests that drop privileges (setpriv) log here too.
	chmod 1777 "$vgdir/logs"
	# Definite leaks and invalid accesses are errors; fds left open at
	# exit are listed in the logs (--track-fds) for a reader.
	cat > "$vgdir/pipeviz" <<-EOF
	#!/bin/sh
	exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \\
	    --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
	    --track-fds=yes --child-silent-after-fork=yes \\
	    --log-file="$vgdir/logs/vg.%p" "$root/$build/pipeviz" "\$@"
	EOF
	chmod +x "$vgdir/pipeviz"
	# shellcheck disable=SC2086
	PIPEVIZ_WRAP="$vgdir/pipeviz" meson test -C "$build" --print-errorlogs \
	    --logbase valgrind --timeout-multiplier 4 $valgrind_tests
	count_meson_log "$build"/meson-logs/valgrind.txt $?
	nlogs=0
	for f in "$vgdir"/logs/vg.*; do
		[ -e "$f" ] || continue
		nlogs=$((nlogs + 1))
		if grep -qE 'ERROR SUMMARY: [1-9]' "$f"; then
			echo "-- valgrind errors in $f:"
			grep -E '^==[0-9]+== (Command|Invalid|Conditional|Syscall|Mismatched|Source|.*definitely lost|   (at|by) )' "$f" | head -n 40
			stage_failed=$((stage_failed + 1))
		fi
	done
	echo "valgrind: $nlogs runs of pipeviz checked"
	stage_end
fi

if wants fuzz; then
	stage_begin fuzz "each libFuzzer harness for $fuzz_seconds s (clang)"
	fuzz_targets=$(sed -n "/^fuzz_targets = \[/,/^\]/s/^ *'\([^']*\)',\$/\1/p" \
	    tests/meson.build)
	fuzz_bins=()
	for t in $fuzz_targets; do
		fuzz_bins+=("tests/fuzz-$t-libfuzzer")
	done
	if { [ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false \
	    "-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" \
	    >/dev/null; } && ninja -C build-fuzz "${fuzz_bins[@]}" >/dev/null; then
		for t in $fuzz_targets; do
			corpus=build-fuzz/fuzz-corpus/$t
			rm -rf "$corpus"
			mkdir -p "$corpus" build-fuzz/fuzz-artifacts
			cp tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
			if build-fuzz/tests/fuzz-"$t"-libfuzzer \
			    -max_total_time="$fuzz_seconds" -timeout=10 \
			    -rss_limit_mb=2048 -max_len=4096 \
			    -artifact_prefix=build-fuzz/fuzz-artifacts/"$t"- \
			    "$corpus" >build-fuzz/fuzz-"$t".log 2>&1; then
				echo "ok - fuzz $t: $(grep -oE 'Done [0-9]+ runs' \
				    build-fuzz/fuzz-"$t".log)"
				stage_passed=$((stage_passed + 1))
			else
				echo "not ok - fuzz $t: a crash; add the input to" \
				    "tests/fuzz/corpus/$t/ once fixed"
				grep -E 'ERROR|SUMMARY|check failed|runtime error|Test unit written' \
				    build-fuzz/fuzz-"$t".log | head -n 10
				grep -A 12 -E '==ERROR|check failed' \
				    build-fuzz/fuzz-"$t".log | head -n 30
				stage_failed=$((stage_failed + 1))
			fi
		done
	else
		echo "fuzz: the build failed (is clang installed?)"
		stage_failed=$((stage_failed + 1))
	fi
	stage_end
fi

echo "== all stages: $(($(date +%s) - all_start)) s"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
