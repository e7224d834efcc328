#!/bin/bash
# Without /proc (unmounted in a private mount namespace): pipeviz cannot
# see anything.  It must not crash, hang or leave the pipeline running;
# it should say so at once (docs/requirements.md).
. "$(dirname "$0")/lib.sh"

# AddressSanitizer and valgrind read /proc themselves before pipeviz runs.
if [ -n "${ASAN_OPTIONS:-}${PIPEVIZ_WRAP:-}" ]; then
	echo "1..0 # SKIP the sanitizer or valgrind needs /proc itself"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! unshare --mount --propagation private true 2>/dev/null; then
	echo "1..0 # SKIP needs root and unshare to hide /proc"
	exit 0
fi
noproc() { unshare --mount --propagation private sh -c 'umount -l /proc && exec "$@"' sh "$@"; }

err=$(noproc timeout -k 5 20 "$PIPEVIZ" --json np.json -o /dev/null \
    "touch launched; exec sleep 0.5701$$" 2>&1 </dev/null)
rc=$?
check "no /proc, launch: no crash, no hang (status $rc is not 124, timeout's)" test "$rc" -ne 124 -a "$rc" -lt 128
check "no /proc, launch: nothing left running" eq "$(running "sleep 0\\.5701$$")" ""
check "no /proc, launch: one clear line, status 125, nothing launched" bash -c \
    '[ "$1" -eq 125 ] && [ ! -e launched ] && [ "$(printf "%s\n" "$2" | wc -l)" -eq 1 ] &&
     printf "%s\n" "$2" | grep -q "^pipeviz: .*/proc"' _ "$rc" "$err"

err=$(noproc timeout -k 5 20 "$PIPEVIZ" -p 1 --once 2>&1)
rc=$?
check "no /proc, attach: refused with status 125" eq "$rc" 125
check "no /proc, attach: the line names /proc, not a missing process" bash -c \
    'printf "%s\n" "$1" | grep -q "^pipeviz: .*/proc"' _ "$err"

done_testing
