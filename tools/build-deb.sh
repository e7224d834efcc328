#!/bin/sh
# build-deb.sh [OUTDIR] - build the Debian package, pipeviz_VERSION_ARCH.deb,
# from this tree (its tracked and untracked files, not what .gitignore
# leaves out) in a scratch copy, so that the tree gets no obj-*/ or
# debian/pipeviz/ and the parent directory no .deb; then run lintian on it.
#
# Needs debhelper, dpkg-dev and lintian (tools/setup.sh installs them), and
# the Build-Depends of debian/control.  Ends with the .deb in OUTDIR
# (default build-deb/), lintian's report in OUTDIR/lintian.txt, and status
# 1 if the build failed or lintian reported an error.
set -eu
cd "$(dirname "$0")/.."
out=${1:-build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pipeviz-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

mkdir "$scratch/pipeviz"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ |
    tar --null -T - -cf - | tar -xf - -C "$scratch/pipeviz"
echo "build-deb: dpkg-buildpackage -us -uc -b in $scratch/pipeviz" >&2
(cd "$scratch/pipeviz" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "build-deb: the build failed (the whole log: $out/build.log)" >&2
	exit 1
}
rm -f "$out"/pipeviz_*.deb
cp "$scratch"/pipeviz_*.deb "$out"/
deb=$(ls "$out"/pipeviz_*.deb)
echo "build-deb: $deb" >&2
# Errors fail the check; warnings and the rest are in the report.
root=""
[ "$(id -u)" -ne 0 ] || root=--allow-root
if lintian $root --fail-on error --display-info "$deb" >"$out/lintian.txt" 2>&1; then
	echo "build-deb: lintian: no errors ($(grep -c '^W:' "$out/lintian.txt") warnings; $out/lintian.txt)" >&2
else
	cat "$out/lintian.txt" >&2
	echo "build-deb: lintian reported errors" >&2
	exit 1
fi
