/* SPDX-License-Identifier: ISC */
/*
 * kv.c -- lookups in a baked key-value store (include/morgana/kv.h): binary search over
 * the sorted index the build wrote. Pure; no allocation.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <morgana/kv.h>

static int compare_key(const struct mg_kv_file *f, const char *key, size_t len);
static int compare_dir(const struct mg_kv_file *f, const char *dir, size_t len);
static size_t lower_bound(const struct mg_kv_store *store, const char *key, size_t len);
static void fill_entry(const struct mg_kv_store *store, const struct mg_kv_file *f,
		       struct mg_kv_entry *out);

/* memcmp order with the shorter key first on a tie: the order the build sorted in. */
static int
compare_key(const struct mg_kv_file *f, const char *key, size_t len)
{
	size_t n = f->path_len < len ? f->path_len : len;
	int c = memcmp(f->path, key, n);

	if (c != 0)
		return c;
	if (f->path_len == len)
		return 0;
	return f->path_len < len ? -1 : 1;
}

/* compare_key() against dir + "/", without building that string. */
static int
compare_dir(const struct mg_kv_file *f, const char *dir, size_t len)
{
	size_t n = f->path_len < len ? f->path_len : len;
	int c = memcmp(f->path, dir, n);

	if (c != 0)
		return c;
	if (f->path_len < len + 1)
		return -1;
	return (unsigned char)f->path[len] - '/';
}

/* The index of the first record whose key is not below key (count if none). */
static size_t
lower_bound(const struct mg_kv_store *store, const char *key, size_t len)
{
	size_t lo = 0, hi = store->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (compare_key(&store->files[mid], key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
fill_entry(const struct mg_kv_store *store, const struct mg_kv_file *f,
	   struct mg_kv_entry *out)
{
	out->path = f->path;
	out->path_len = f->path_len;
	out->data = store->data + f->offset;
	out->size = (size_t)f->size;
	out->mtime = f->mtime;
	out->etag = f->etag;
	if (f->flags & MG_KV_HAS_GZIP) {
		out->gz_data = store->data + f->gz_offset;
		out->gz_size = (size_t)f->gz_size;
	} else {
		out->gz_data = NULL;
		out->gz_size = 0;
	}
}

const struct mg_kv_store *
mg_kv_table_find(const struct mg_kv_table *table, const char *name)
{
	if (table == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < table->count; i++)
		if (strcmp(table->stores[i]->name, name) == 0)
			return table->stores[i];
	return NULL;
}

int
mg_kv_get_n(const struct mg_kv_store *store, const char *path, size_t len,
	    struct mg_kv_entry *out)
{
	size_t i;

	if (store == NULL || out == NULL || (path == NULL && len > 0))
		return -EINVAL;
	i = lower_bound(store, path, len);
	if (i == store->count || compare_key(&store->files[i], path, len) != 0)
		return -ENOENT;
	fill_entry(store, &store->files[i], out);
	return 0;
}

int
mg_kv_get(const struct mg_kv_store *store, const char *path, struct mg_kv_entry *out)
{
	if (path == NULL)
		return -EINVAL;
	return mg_kv_get_n(store, path, strlen(path), out);
}

int
mg_kv_is_dir(const struct mg_kv_store *store, const char *dir, size_t len)
{
	const struct mg_kv_file *f;
	size_t lo = 0, hi;

	if (store == NULL || (dir == NULL && len > 0))
		return 0;
	if (len == 0)
		return store->count > 0;
	/* The first key not below dir + "/": under dir iff it starts with dir + "/". */
	hi = store->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (compare_dir(&store->files[mid], dir, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == store->count)
		return 0;
	f = &store->files[lo];
	return f->path_len > len && memcmp(f->path, dir, len) == 0 && f->path[len] == '/';
}

size_t
mg_kv_count(const struct mg_kv_store *store)
{
	return store == NULL ? 0 : store->count;
}

int
mg_kv_at(const struct mg_kv_store *store, size_t index, struct mg_kv_entry *out)
{
	if (store == NULL || out == NULL)
		return -EINVAL;
	if (index >= store->count)
		return -ENOENT;
	fill_entry(store, &store->files[index], out);
	return 0;
}
