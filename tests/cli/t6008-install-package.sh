#!/bin/bash
# What an install puts where (issue 20): `meson install --destdir` of the
# build under test, and the Debian package tools/build-deb.sh builds from
# this tree (dpkg-buildpackage -us -uc -b in a scratch copy): the binary,
# the demo programs, the man page and the bash, zsh and fish completions,
# and lintian reporting no error.  The package part needs debhelper,
# dpkg-dev and lintian (tools/setup.sh), and takes 20-60 s.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"

version=$("$PIPEVIZ_BIN" --version | awk '{print $2}')
demos="fill self parent-child leak deadlock"

# --- meson install --destdir ---------------------------------------------
build=$(dirname "$PIPEVIZ_BIN")
if [ -d "$build/meson-private" ]; then
	meson install -C "$build" --no-rebuild --destdir "$WORK/dest" >install.log 2>&1
	check "meson install --destdir: exit 0" eq "$?" 0
	prefix=$(meson introspect --buildoptions "$build" 2>/dev/null |
	    jq -r '.[] | select(.name=="prefix") | .value')
	d=$WORK/dest$prefix
	check "it installs the binary, executable" test -x "$d/bin/pipeviz"
	check "the installed binary is this one" cmp "$d/bin/pipeviz" "$PIPEVIZ_BIN"
	for demo in $demos; do
		check "it installs the demo program $demo" test -x "$(ls "$WORK"/dest"$prefix"/libexec*/pipeviz/"$demo" 2>/dev/null | head -n 1)"
	done
	check "it installs the man page" cmp "$d/share/man/man1/pipeviz.1" "$SRC/docs/pipeviz.1"
	check "it installs the bash completion" cmp "$d/share/bash-completion/completions/pipeviz" "$SRC/completions/pipeviz.bash"
	check "it installs the zsh completion on zsh's fpath" cmp "$(ls "$WORK"/dest/*/share/zsh/*/_pipeviz "$WORK"/dest/*/*/share/zsh/*/_pipeviz 2>/dev/null | head -n 1)" "$SRC/completions/_pipeviz"
	check "it installs the fish completion" cmp "$d/share/fish/vendor_completions.d/pipeviz.fish" "$SRC/completions/pipeviz.fish"
	check "nothing else: no test or benchmark binaries" eq \
	    "$(cd "$WORK/dest" && find . -type f | grep -vE '/bin/pipeviz$|/libexec[^/]*/pipeviz/|/man1/pipeviz\.1$|/completions/pipeviz$|/_pipeviz$|/pipeviz\.fish$')" ""
else
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN # SKIP $build is not a meson build directory"
fi

# --- the Debian package ---------------------------------------------------
missing=""
for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ] || ! dpkg-checkbuilddeps "$SRC/debian/control" 2>/dev/null; then
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN # SKIP no$missing or unmet Build-Depends (sh tools/setup.sh installs them)"
	done_testing
	exit
fi
check "debian/changelog has the version of meson.build" eq \
    "$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)" "$version"
bash "$SRC/tools/build-deb.sh" "$WORK/deb" 2>build-deb.err
check "tools/build-deb.sh (dpkg-buildpackage -us -uc -b, lintian): exit 0" bash -c \
    "[ $? -eq 0 ] || { cat build-deb.err; exit 1; }"
deb=$WORK/deb/pipeviz_${version}_$(dpkg --print-architecture).deb
check "it builds pipeviz_VERSION_ARCH.deb" test -s "$deb"
check "its package tests ran (unit, fuzz corpora, lint)" grep -qE '^Ok: +[1-9]' "$WORK/deb/build.log"
check "lintian: no errors" bash -c "! grep -q '^E:' '$WORK/deb/lintian.txt'"
contents=$(dpkg -c "$deb" 2>/dev/null | awk '{print $6}' | sed 's|^\./|/|')
want="/usr/bin/pipeviz /usr/share/man/man1/pipeviz.1.gz
/usr/share/bash-completion/completions/pipeviz
/usr/share/zsh/vendor-completions/_pipeviz
/usr/share/fish/vendor_completions.d/pipeviz.fish
/usr/share/doc/pipeviz/copyright"
for f in $want; do
	check "the package holds $f" grep -qxF "$f" <<<"$contents"
done
for demo in $demos; do
	check "the package holds the demo $demo" grep -qE "^/usr/libexec/pipeviz/$demo\$" <<<"$contents"
done
dpkg -x "$deb" x
check "the packaged binary runs (--version)" eq "$(x/usr/bin/pipeviz --version)" "pipeviz $version"
check "the packaged binary looks for its demos where the package put them" \
    grep -qa '/usr/libexec/pipeviz' x/usr/bin/pipeviz
check "the packaged completions are the tree's" bash -c "
	cmp x/usr/share/zsh/vendor-completions/_pipeviz '$SRC/completions/_pipeviz' &&
	cmp x/usr/share/fish/vendor_completions.d/pipeviz.fish '$SRC/completions/pipeviz.fish' &&
	cmp x/usr/share/bash-completion/completions/pipeviz '$SRC/completions/pipeviz.bash'"
check "the package depends on the libraries it links" bash -c \
    "dpkg-deb -f '$deb' Depends | grep -q libjansson && dpkg-deb -f '$deb' Depends | grep -q libncursesw && dpkg-deb -f '$deb' Depends | grep -q libmnl"
check "the source tree is left clean (no obj-*, no debian/pipeviz)" bash -c \
    "cd '$SRC' && [ -z \"\$(ls -d obj-* debian/pipeviz debian/.debhelper 2>/dev/null)\" ]"

done_testing
