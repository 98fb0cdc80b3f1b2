/* SPDX-License-Identifier: ISC */
/*
 * kv_pack.c -- the build-time packer on real folders: what is baked (and what is
 * skipped), gzip variants found and made, and each rule that refuses a folder.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../storage/kv_pack.h"

struct fixture {
	char dir[PATH_MAX];
	struct mg_kv_pack pack;
	char why[512];
};

static void
put(const struct fixture *fx, const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", fx->dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
mkdir_in(const struct fixture *fx, const char *rel)
{
	char path[PATH_MAX * 2];

	(void)snprintf(path, sizeof(path), "%s/%s", fx->dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (fx == NULL)
		return -1;
	(void)snprintf(fx->dir, sizeof(fx->dir), "%s/kv_pack-XXXXXX",
		       tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[PATH_MAX + 16];

	mg_kv_pack_free(&fx->pack);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static int
pack(struct fixture *fx, bool gzip, const char *prog)
{
	struct mg_kv_pack_opts opts = { .gzip = gzip, .gzip_prog = prog };

	mg_kv_pack_free(&fx->pack);
	return mg_kv_pack_folder(&fx->pack, "site", fx->dir, &opts, fx->why, sizeof(fx->why));
}

static void
folder_is_baked_sorted_without_hidden_files(void **state)
{
	struct fixture *fx = *state;
	struct mg_kv_entry e;
	char etag[MG_KV_ETAG_SIZE];

	mkdir_in(fx, "css");
	mkdir_in(fx, ".git");
	put(fx, "index.html", "<p>hi</p>\n");
	put(fx, "css/site.css", "p{}\n");
	put(fx, ".htpasswd", "secret\n");
	put(fx, ".git/config", "x\n");
	put(fx, "a-b", "");
	assert_int_equal(pack(fx, false, NULL), 0);
	assert_int_equal(mg_kv_count(&fx->pack.store), 3);
	assert_int_equal(mg_kv_at(&fx->pack.store, 0, &e), 0);
	assert_string_equal(e.path, "a-b");
	assert_int_equal(e.size, 0);
	assert_int_equal(mg_kv_at(&fx->pack.store, 1, &e), 0);
	assert_string_equal(e.path, "css/site.css");
	assert_int_equal(mg_kv_get(&fx->pack.store, "index.html", &e), 0);
	assert_int_equal(e.size, 10);
	assert_memory_equal(e.data, "<p>hi</p>\n", 10);
	assert_true(e.mtime > 1000000000);
	mg_kv_etag("<p>hi</p>\n", 10, etag);
	assert_string_equal(e.etag, etag);
	assert_null(e.gz_data);
	assert_int_equal(mg_kv_get(&fx->pack.store, ".htpasswd", &e), -ENOENT);
	assert_true(mg_kv_is_dir(&fx->pack.store, "css", 3));
	assert_false(mg_kv_is_dir(&fx->pack.store, ".git", 4));
	/* Each file's bytes start 16-byte aligned. */
	for (size_t i = 0; i < fx->pack.count; i++)
		assert_int_equal(fx->pack.files[i].offset % 16, 0);
}

static void
sibling_gz_file_becomes_the_variant(void **state)
{
	struct fixture *fx = *state;
	struct mg_kv_entry e;

	put(fx, "app.js", "var x = 1;\n");
	put(fx, "app.js.gz", "not really gzip");
	put(fx, "lonely.gz", "stays a key");
	assert_int_equal(pack(fx, false, NULL), 0);
	assert_int_equal(mg_kv_count(&fx->pack.store), 2);
	assert_int_equal(mg_kv_get(&fx->pack.store, "app.js", &e), 0);
	assert_int_equal(e.gz_size, 15);
	assert_memory_equal(e.gz_data, "not really gzip", 15);
	assert_int_equal(mg_kv_get(&fx->pack.store, "app.js.gz", &e), -ENOENT);
	assert_int_equal(mg_kv_get(&fx->pack.store, "lonely.gz", &e), 0);
}

static void
gzip_variants_are_made_for_compressible_files_that_shrink(void **state)
{
	struct fixture *fx = *state;
	struct mg_kv_entry e;
	char text[4096];

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	put(fx, "big.html", text);
	put(fx, "big.png", text);		/* not text-like: never compressed */
	put(fx, "small.html", "<p>short</p>");	/* below 256 bytes: not worth it */
	assert_int_equal(pack(fx, true, NULL), 0);
	assert_int_equal(mg_kv_get(&fx->pack.store, "big.html", &e), 0);
	assert_non_null(e.gz_data);
	assert_true(e.gz_size < 100);
	assert_int_equal(((const unsigned char *)e.gz_data)[0], 0x1f);
	assert_int_equal(((const unsigned char *)e.gz_data)[1], 0x8b);
	assert_int_equal(mg_kv_get(&fx->pack.store, "big.png", &e), 0);
	assert_null(e.gz_data);
	assert_int_equal(mg_kv_get(&fx->pack.store, "small.html", &e), 0);
	assert_null(e.gz_data);
}

static void
missing_gzip_program_only_skips_variants(void **state)
{
	struct fixture *fx = *state;
	struct mg_kv_entry e;
	char text[1024];

	memset(text, 'b', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	put(fx, "big.css", text);
	assert_int_equal(pack(fx, true, "/nonexistent/gzip"), 0);
	assert_true(fx->pack.gzip_missing);
	assert_int_equal(mg_kv_get(&fx->pack.store, "big.css", &e), 0);
	assert_null(e.gz_data);
}

static void
symlink_inside_is_followed_and_outside_refused(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX * 2];
	struct mg_kv_entry e;

	mkdir_in(fx, "in");
	put(fx, "in/real.txt", "real");
	(void)snprintf(path, sizeof(path), "%s/link.txt", fx->dir);
	assert_int_equal(symlink("in/real.txt", path), 0);
	assert_int_equal(pack(fx, false, NULL), 0);
	assert_int_equal(mg_kv_get(&fx->pack.store, "link.txt", &e), 0);
	assert_memory_equal(e.data, "real", 4);
	(void)snprintf(path, sizeof(path), "%s/in/escape", fx->dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(pack(fx, false, NULL), -EPERM);
	assert_non_null(strstr(fx->why, "'in/escape': symlink to '/etc/passwd' leaves the folder"));
	assert_int_equal(mg_kv_count(&fx->pack.store), 0);
}

static void
names_with_control_characters_are_refused(void **state)
{
	struct fixture *fx = *state;

	put(fx, "bad\nname", "x");
	assert_int_equal(pack(fx, false, NULL), -EINVAL);
	assert_non_null(strstr(fx->why, "control character 0x0a"));
}

static void
files_over_the_limit_are_refused_by_size_alone(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX * 2];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/huge.bin", fx->dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	/* Sparse: costs no disk, and the packer must refuse it before reading. */
	assert_int_equal(ftruncate(fd, (off_t)MG_KV_FILE_MAX + 1), 0);
	close(fd);
	assert_int_equal(pack(fx, false, NULL), -EFBIG);
	assert_non_null(strstr(fx->why, "'huge.bin': 67108865 bytes, more than the limit"));
}

static void
special_files_and_missing_folders_are_refused(void **state)
{
	struct fixture *fx = *state;
	struct mg_kv_pack_opts opts = { 0 };
	char path[PATH_MAX * 2];

	(void)snprintf(path, sizeof(path), "%s/fifo", fx->dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(pack(fx, false, NULL), -EINVAL);
	assert_non_null(strstr(fx->why, "'fifo': neither a file nor a folder"));
	mg_kv_pack_free(&fx->pack);
	(void)snprintf(path, sizeof(path), "%s/nope", fx->dir);
	assert_int_equal(mg_kv_pack_folder(&fx->pack, "s", path, &opts, fx->why,
					   sizeof(fx->why)), -ENOENT);
}

static void
symlink_loops_stop_at_the_depth_limit(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX * 2];

	mkdir_in(fx, "d");
	put(fx, "d/f", "x");
	(void)snprintf(path, sizeof(path), "%s/d/again", fx->dir);
	assert_int_equal(symlink("..", path), 0);
	assert_int_equal(pack(fx, false, NULL), -ELOOP);
	assert_non_null(strstr(fx->why, "nested deeper than"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(folder_is_baked_sorted_without_hidden_files),
		T(sibling_gz_file_becomes_the_variant),
		T(gzip_variants_are_made_for_compressible_files_that_shrink),
		T(missing_gzip_program_only_skips_variants),
		T(symlink_inside_is_followed_and_outside_refused),
		T(names_with_control_characters_are_refused),
		T(files_over_the_limit_are_refused_by_size_alone),
		T(special_files_and_missing_folders_are_refused),
		T(symlink_loops_stop_at_the_depth_limit),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
