/* SPDX-License-Identifier: ISC */
/*
 * kv_pack.h -- the host-side packer: read a folder into a key-value store held in
 * memory, in exactly the form an image holds it (struct mg_kv_store). `morgana build`
 * writes that form out as C and a blob; test harnesses serve it directly.
 *
 * Rules (docs/kv.md): names starting with '.' are skipped; a name with a control
 * character, a symlink whose target leaves the folder, a file larger than
 * MG_KV_FILE_MAX, anything but files and folders, folders nested deeper than
 * MG_KV_DEPTH_MAX, more than MG_KV_FILES_MAX files or MG_KV_STORE_MAX bytes are errors.
 * "X.gz" beside "X" is X's gzip variant, not a key of its own; without one, and with
 * opts.gzip, X gets a variant made by `gzip -9n` when it is compressible and it pays.
 */
#ifndef MORGANA_STORAGE_KV_PACK_H
#define MORGANA_STORAGE_KV_PACK_H

#include <stdbool.h>
#include <stddef.h>

#include <morgana/kv.h>

struct mg_kv_pack_opts {
	bool gzip;		/* make variants with gzip when the folder has none */
	const char *gzip_prog;	/* NULL: "gzip" from PATH */
};

struct mg_kv_pack {
	struct mg_kv_store store;	/* the result; points into the fields below */
	char *name;
	unsigned char *data;
	size_t data_len, data_cap;
	struct mg_kv_file *files;
	size_t count, cap;
	bool gzip_missing;		/* gzip could not be run: no variants were made */
};

/*
 * Read folder into *pack as the store called name. Returns 0, or a negative errno code
 * with a one-line reason in why (why_len bytes, NUL-terminated) naming the file at
 * fault; *pack is then empty. Free with mg_kv_pack_free() either way.
 */
int mg_kv_pack_folder(struct mg_kv_pack *pack, const char *name, const char *folder,
		      const struct mg_kv_pack_opts *opts, char *why, size_t why_len);
void mg_kv_pack_free(struct mg_kv_pack *pack);

/* Is a file of this path worth compressing (text-like by its extension)? */
bool mg_kv_compressible(const char *path);

#endif /* MORGANA_STORAGE_KV_PACK_H */
