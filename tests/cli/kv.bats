#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Baked key-value stores as a user meets them: `kv = STORE ./folder` in unikernel.conf,
# `morgana build`, and the image reading the files back (docs/kv.md). The tests that run
# an image need $BUILD/unix/libmorgana.a and are skipped without it.
bats_require_minimum_version 1.5.0

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	BUILD_DIR=${BUILD:-build}
	[[ $BUILD_DIR == /* ]] || BUILD_DIR=$REPO/$BUILD_DIR
	MORGANA=$BUILD_DIR/bin/morgana
	[ -x "$MORGANA" ] || { echo "no $MORGANA: run make first" >&2; return 1; }
	unset MORGANA_BUILD MORGANA_ROOT MORGANA_CFLAGS MORGANA_KV_GZIP
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	cd "$BATS_TEST_TMPDIR"
	make_app
}

need_lib() {
	[ -f "$BUILD_DIR/unix/libmorgana.a" ] || skip "needs $BUILD_DIR/unix/libmorgana.a (make)"
}

# app/: a unikernel that prints, for each key of the store "www", the key, its size,
# whether it has a gzip variant, its ETag and its contents.
make_app() {
	mkdir -p app/public/docs
	printf 'name = kvapp\nkv = www ./public\n' >app/unikernel.conf
	cat >app/main.c <<'C'
#include <stdio.h>
#include <morgana/kv.h>
int
main(void)
{
	const struct mg_kv_store *s = mg_kv_store("www");
	struct mg_kv_entry e;

	if (s == NULL || mg_kv_store("nope") != NULL)
		return 2;
	for (size_t i = 0; mg_kv_at(s, i, &e) == 0; i++) {
		const char *text = e.data;
		int n = 0;

		while ((size_t)n < e.size && n < 24 && text[n] != '\n')
			n++;
		printf("%s %zu %s %s [%.*s]\n", e.path, e.size, e.gz_data ? "gz" : "-", e.etag,
		       n, text);
	}
	return 0;
}
C
	printf 'version one\n' >app/public/index.html
	printf 'guide\n' >app/public/docs/guide.txt
}

@test "build bakes the folder and the image reads every file back" {
	need_lib
	run --separate-stderr "$MORGANA" build app
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	run app/dist/kvapp.unix
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == 'docs/guide.txt 6 - "'*'" [guide]' ]]
	[[ ${lines[1]} == 'index.html 12 - "'*'" [version one]' ]]
	# The temporary folder (manifest, blobs) is gone.
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "rebuilding after a file changes bakes the new contents and a new ETag" {
	need_lib
	"$MORGANA" build app
	run app/dist/kvapp.unix
	old_etag=$(echo "${lines[1]}" | cut -d' ' -f4)
	printf 'version two, longer\n' >app/public/index.html
	"$MORGANA" build app
	run app/dist/kvapp.unix
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == 'index.html 20 - "'*'" [version two, longer]' ]]
	new_etag=$(echo "${lines[1]}" | cut -d' ' -f4)
	[ "$old_etag" != "$new_etag" ]
	# Same bytes, same ETag: the tag is a content hash, not a timestamp.
	printf 'version one\n' >app/public/index.html
	touch -d '2001-01-01' app/public/index.html
	"$MORGANA" build app
	run app/dist/kvapp.unix
	[ "$(echo "${lines[1]}" | cut -d' ' -f4)" = "$old_etag" ]
}

@test "compressible files get a gzip variant unless MORGANA_KV_GZIP=0" {
	need_lib
	for i in $(seq 100); do echo "<p>line $i of a page</p>"; done >app/public/index.html
	"$MORGANA" build app
	run app/dist/kvapp.unix
	[[ ${lines[1]} == 'index.html '*' gz '* ]]
	MORGANA_KV_GZIP=0 "$MORGANA" build app
	run app/dist/kvapp.unix
	[[ ${lines[1]} == 'index.html '*' - '* ]]
}

@test "a symlink leaving the folder fails the build in one line naming it" {
	ln -s /etc/passwd app/public/docs/passwd
	run --separate-stderr "$MORGANA" build app
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "morgana: app/unikernel.conf:2: kv store 'www' (./public): 'docs/passwd': symlink to '/etc/passwd' leaves the folder" ]]
	[ ! -e app/dist/kvapp.unix ]
}

@test "a missing folder fails the build with status 69" {
	rm -r app/public
	run --separate-stderr "$MORGANA" build app
	[ "$status" -eq 69 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "morgana: app/unikernel.conf:2: kv store 'www' (./public): folder 'app/./public': No such file or directory" ]]
}

@test "a file name with a control character fails the build" {
	printf 'x' >"app/public/bad"$'\t'"name"
	run --separate-stderr "$MORGANA" build app
	[ "$status" -eq 65 ]
	[[ $stderr == *"control character 0x09"* ]]
}
