#!/bin/bash
# test.sh - set up, build and run every test; end with "N passed, N failed".
#
# The count is of individual test cases: TAP subtests of the unit and
# CLI suites as meson's log records them.
set -u
cd "$(dirname "$0")/.."
sh tools/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

meson test -C build --print-errorlogs "$@"
status=$?

# Count TAP lines from meson's log of this run.
log=build/meson-logs/testlog.txt
passed=$(grep -cE '^ok [0-9]+' "$log")
failed=$(grep -cE '^not ok [0-9]+' "$log")
# A test that crashed or timed out before printing TAP still counts.
broken=$(grep -cE '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|ERROR)' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=$((broken > 0 ? broken : 1))
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
