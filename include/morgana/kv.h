/* SPDX-License-Identifier: ISC */
/*
 * kv.h -- read-only key-value stores baked into the image (Morgana's "crunch").
 *
 * Each `kv = STORE ./folder` line of unikernel.conf makes `morgana build` read the folder
 * (relative to the application's folder) and bake it into the image: the contents of
 * every file, and a sorted index of its paths with size, modification time, a strong
 * ETag and, where it helps, a gzip-compressed variant. Nothing is read at run time: a
 * store is constant data in the image, so lookups cannot fail for any reason other than
 * "no such key", and the pointers they return stay valid for the image's whole life.
 *
 * Keys are the files' paths relative to the folder, with '/' between components and no
 * leading '/': "index.html", "css/site.css". Files and folders whose names start with '.'
 * are not baked. See docs/kv.md for the build-time rules (limits, symlinks, gzip).
 *
 * Everything here is pure: no allocation, no I/O, no globals other than the baked table.
 */
#ifndef MORGANA_KV_H
#define MORGANA_KV_H

#include <stddef.h>
#include <stdint.h>

/* An ETag as baked: a quoted strong entity tag of 32 hex digits, NUL-terminated. */
#define MG_KV_ETAG_LEN	34u
#define MG_KV_ETAG_SIZE	(MG_KV_ETAG_LEN + 1u)

/* Build-time limits (checked by `morgana build`, relied on by readers). */
#define MG_KV_PATH_MAX	1024u		/* bytes in a key, without a NUL */
#define MG_KV_FILE_MAX	(64u << 20)	/* bytes in one file */
#define MG_KV_STORE_MAX	(1024u << 20)	/* bytes of contents in one store, gzip included */
#define MG_KV_FILES_MAX	65536u		/* files in one store */
#define MG_KV_DEPTH_MAX	32u		/* nested folders */

/* One index record, as baked. Readers use struct mg_kv_entry instead. */
struct mg_kv_file {
	const char *path;	/* NUL-terminated; the index is sorted by memcmp order */
	uint32_t path_len;
	uint32_t flags;		/* MG_KV_HAS_GZIP */
	uint64_t offset;	/* into the store's data */
	uint64_t size;
	uint64_t gz_offset;	/* valid with MG_KV_HAS_GZIP */
	uint64_t gz_size;
	int64_t mtime;		/* seconds since the Unix epoch */
	char etag[MG_KV_ETAG_SIZE];
};
#define MG_KV_HAS_GZIP	1u

struct mg_kv_store {
	const char *name;		/* the STORE of the conf line */
	const unsigned char *data;	/* every file's bytes, one after the other */
	uint64_t data_size;
	size_t count;
	const struct mg_kv_file *files;	/* count records, sorted, no duplicates */
};

/* The stores of an image, in conf order. */
struct mg_kv_table {
	size_t count;
	const struct mg_kv_store *const *stores;
};

/* Defined by the file `morgana build` generates (always, also with no kv lines). */
extern const struct mg_kv_table mg_kv_baked;

/* What a lookup returns. Pointers point into the image; they never dangle. */
struct mg_kv_entry {
	const char *path;	/* NUL-terminated key */
	size_t path_len;
	const void *data;
	size_t size;
	int64_t mtime;		/* seconds since the Unix epoch */
	const char *etag;	/* "\"<32 hex>\"", NUL-terminated; changes iff the bytes do */
	const void *gz_data;	/* gzip (RFC 1952) of data, or NULL if there is none */
	size_t gz_size;
};

/* The baked store called name, or NULL if the image has none of that name. */
const struct mg_kv_store *mg_kv_store(const char *name);

/* The same in any table (tests, tools). */
const struct mg_kv_store *mg_kv_table_find(const struct mg_kv_table *table, const char *name);

/*
 * Look up the key path (NUL-terminated) or its first len bytes (mg_kv_get_n; the key may
 * then hold no NUL). O(log n). Returns 0 with *out filled, -ENOENT if there is no such
 * file, -EINVAL if store or out is NULL.
 */
int mg_kv_get(const struct mg_kv_store *store, const char *path, struct mg_kv_entry *out);
int mg_kv_get_n(const struct mg_kv_store *store, const char *path, size_t len,
		struct mg_kv_entry *out);

/*
 * Is the first len bytes of dir a folder of the store, i.e. does some key start with
 * dir followed by '/'? (A folder with no baked files in it does not exist.) O(log n).
 * The empty dir is the store's root: true iff the store holds any file.
 */
int mg_kv_is_dir(const struct mg_kv_store *store, const char *dir, size_t len);

/* Iteration in key order: index 0..mg_kv_count()-1. mg_kv_at returns 0 or -ENOENT. */
size_t mg_kv_count(const struct mg_kv_store *store);
int mg_kv_at(const struct mg_kv_store *store, size_t index, struct mg_kv_entry *out);

/*
 * The content hash behind the ETags: SipHash-2-4 (Aumasson and Bernstein) over the
 * bytes, once with each of two fixed keys, giving 128 bits. It is a fingerprint for
 * caches, not a MAC: the keys are public. mg_kv_etag writes "\"<32 hex>\"" and a NUL
 * into out (MG_KV_ETAG_SIZE bytes).
 */
uint64_t mg_siphash24(const uint8_t key[16], const void *data, size_t len);
void mg_kv_etag(const void *data, size_t len, char out[MG_KV_ETAG_SIZE]);

#endif /* MORGANA_KV_H */
