/* SPDX-License-Identifier: ISC */
/*
 * kv_store.c -- the baked key-value store: SipHash-2-4 against the reference vectors,
 * ETags, lookups and folder tests in a hand-made index, iteration order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <morgana/kv.h>

#define FILE_REC(p, off, sz) { .path = p, .path_len = sizeof(p) - 1, .offset = off, .size = sz, \
			       .mtime = 1000, .etag = "\"e\"" }

static const unsigned char data[] = "0123456789abcdefghij";
/* Sorted by memcmp: '-' (0x2d) and '.' (0x2e) sort before '/' (0x2f). */
static const struct mg_kv_file files[] = {
	FILE_REC("a", 0, 1),
	FILE_REC("a-b", 1, 2),
	FILE_REC("a.txt", 3, 3),
	FILE_REC("a/index.html", 6, 4),
	FILE_REC("b", 10, 0),
	{ .path = "c.css", .path_len = 5, .offset = 10, .size = 5, .flags = MG_KV_HAS_GZIP,
	  .gz_offset = 15, .gz_size = 5, .mtime = 7, .etag = "\"c\"" },
};
static const struct mg_kv_store store = {
	.name = "site", .data = data, .data_size = sizeof(data) - 1,
	.count = sizeof(files) / sizeof(files[0]), .files = files,
};
static const struct mg_kv_store empty = { .name = "empty" };
static const struct mg_kv_store *const stores[] = { &store, &empty };
static const struct mg_kv_table table = { 2, stores };

static void
siphash_matches_the_reference_vectors(void **state)
{
	static const uint64_t want[] = {
		0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull, 0x0d6c8009d9a94f5aull,
		0x85676696d7fb7e2dull,
	};
	uint8_t key[16], msg[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = msg[i] = (uint8_t)i;
	for (size_t n = 0; n < 4; n++)
		assert_true(mg_siphash24(key, msg, n) == want[n]);
	assert_true(mg_siphash24(key, msg, 15) == 0xa129ca6149be45e5ull);
}

static void
etag_is_quoted_hex_and_changes_with_one_bit(void **state)
{
	char a[MG_KV_ETAG_SIZE], b[MG_KV_ETAG_SIZE], c[MG_KV_ETAG_SIZE];

	(void)state;
	mg_kv_etag("hello", 5, a);
	mg_kv_etag("hellp", 5, b);
	mg_kv_etag("hello", 5, c);
	assert_int_equal(strlen(a), MG_KV_ETAG_LEN);
	assert_int_equal(a[0], '"');
	assert_int_equal(a[MG_KV_ETAG_LEN - 1], '"');
	for (size_t i = 1; i < MG_KV_ETAG_LEN - 1; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_string_not_equal(a, b);
	assert_string_equal(a, c);
}

static void
get_finds_every_key_and_only_those(void **state)
{
	struct mg_kv_entry e;

	(void)state;
	for (size_t i = 0; i < store.count; i++) {
		assert_int_equal(mg_kv_get(&store, files[i].path, &e), 0);
		assert_string_equal(e.path, files[i].path);
		assert_ptr_equal(e.data, data + files[i].offset);
		assert_int_equal(e.size, files[i].size);
	}
	assert_int_equal(mg_kv_get(&store, "", &e), -ENOENT);
	assert_int_equal(mg_kv_get(&store, "a/", &e), -ENOENT);
	assert_int_equal(mg_kv_get(&store, "a/index.htm", &e), -ENOENT);
	assert_int_equal(mg_kv_get(&store, "zzz", &e), -ENOENT);
	assert_int_equal(mg_kv_get(&store, "0", &e), -ENOENT);
	assert_int_equal(mg_kv_get(&empty, "a", &e), -ENOENT);
	assert_int_equal(mg_kv_get(NULL, "a", &e), -EINVAL);
	assert_int_equal(mg_kv_get(&store, NULL, &e), -EINVAL);
}

static void
get_n_uses_only_len_bytes(void **state)
{
	struct mg_kv_entry e;

	(void)state;
	assert_int_equal(mg_kv_get_n(&store, "a.txtGARBAGE", 5, &e), 0);
	assert_string_equal(e.path, "a.txt");
	assert_int_equal(mg_kv_get_n(&store, "a\0b", 3, &e), -ENOENT);
}

static void
gzip_variant_is_reported_only_where_baked(void **state)
{
	struct mg_kv_entry e;

	(void)state;
	assert_int_equal(mg_kv_get(&store, "c.css", &e), 0);
	assert_ptr_equal(e.gz_data, data + 15);
	assert_int_equal(e.gz_size, 5);
	assert_int_equal(e.mtime, 7);
	assert_string_equal(e.etag, "\"c\"");
	assert_int_equal(mg_kv_get(&store, "a", &e), 0);
	assert_null(e.gz_data);
	assert_int_equal(e.gz_size, 0);
}

static void
is_dir_sees_folders_past_sibling_names(void **state)
{
	(void)state;
	/* "a-b" and "a.txt" sort between "a" and "a/index.html". */
	assert_true(mg_kv_is_dir(&store, "a", 1));
	assert_false(mg_kv_is_dir(&store, "b", 1));
	assert_false(mg_kv_is_dir(&store, "a/index.html", 12));
	assert_false(mg_kv_is_dir(&store, "c", 1));
	assert_false(mg_kv_is_dir(&store, "zz", 2));
	assert_true(mg_kv_is_dir(&store, "", 0));
	assert_false(mg_kv_is_dir(&empty, "", 0));
}

static void
iteration_is_in_key_order(void **state)
{
	struct mg_kv_entry e;

	(void)state;
	assert_int_equal(mg_kv_count(&store), store.count);
	for (size_t i = 0; i < store.count; i++) {
		assert_int_equal(mg_kv_at(&store, i, &e), 0);
		assert_string_equal(e.path, files[i].path);
	}
	assert_int_equal(mg_kv_at(&store, store.count, &e), -ENOENT);
	assert_int_equal(mg_kv_count(NULL), 0);
}

static void
table_find_names_the_store(void **state)
{
	(void)state;
	assert_ptr_equal(mg_kv_table_find(&table, "site"), &store);
	assert_ptr_equal(mg_kv_table_find(&table, "empty"), &empty);
	assert_null(mg_kv_table_find(&table, "sit"));
	assert_null(mg_kv_table_find(NULL, "site"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(siphash_matches_the_reference_vectors),
		cmocka_unit_test(etag_is_quoted_hex_and_changes_with_one_bit),
		cmocka_unit_test(get_finds_every_key_and_only_those),
		cmocka_unit_test(get_n_uses_only_len_bytes),
		cmocka_unit_test(gzip_variant_is_reported_only_where_baked),
		cmocka_unit_test(is_dir_sees_folders_past_sibling_names),
		cmocka_unit_test(iteration_is_in_key_order),
		cmocka_unit_test(table_find_names_the_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
