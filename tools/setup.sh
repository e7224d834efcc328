#!/bin/sh
# setup.sh - install what pipeviz needs on Debian 12 (idempotent: only the
# packages that are missing), then configure and build into build/.
set -eu
cd "$(dirname "$0")/.."

packages="gcc pkg-config meson ninja-build libncurses-dev
libjansson-dev libcmocka-dev jq tmux procps valgrind graphviz clang
libclang-rt-dev lsof libmnl-dev socat netcat-openbsd pigz zstd xz-utils
python3 iproute2 zsh fish debhelper dpkg-dev lintian"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
# Optional: --exact's BPF backend (meson -Dbpf=auto builds it when these
# are there).  A machine without them still builds and passes the tests.
optional="libbpf-dev bpftool"
missing=""
for p in $optional; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing (optional, for --exact)$missing" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing \
	    >/dev/null 2>&1 || echo "setup: not installed:$missing;" \
	    "pipeviz builds without --exact" >&2
fi
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
