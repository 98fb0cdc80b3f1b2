/* SPDX-License-Identifier: ISC */
/*
 * kv.c -- `morgana build`'s half of the baked key-value stores: pack each `kv = STORE
 * ./folder` of unikernel.conf (storage/kv_pack.c) and append to the generated C file the
 * store's index as initialised data and its contents as a blob pulled in with .incbin,
 * then the table mg_kv_baked (include/morgana/kv.h) that lists them.
 *
 * The blob is written beside the generated C file, in the build's temporary folder, so
 * the bytes the compiler embeds are the bytes that were hashed. Every build packs the
 * folders afresh: a changed file is always picked up, and nothing is cached to go stale.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../storage/kv_pack.h"
#include "bake.h"

static void put_c_string(FILE *f, const char *s, size_t len);
static int write_blob(const struct mg_kv_pack *pack, const char *path);
static void write_store(FILE *f, const struct mg_kv_pack *pack, const char *blob);
static int bake_one(const struct mg_app *app, const struct mg_conf_kv *kv, FILE *f,
		    const char *tmp_dir, const struct mg_kv_pack_opts *opts);

/* A C string literal of any bytes: printable ASCII as is, the rest as three-digit octal
 * escapes (so a following digit cannot join the escape). */
static void
put_c_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f && c != '?')	/* '?': no trigraphs */
			fputc(c, f);
		else
			fprintf(f, "\\%03o", c);
	}
	fputc('"', f);
}

static int
write_blob(const struct mg_kv_pack *pack, const char *path)
{
	FILE *f = fopen(path, "wb");
	int failed;

	if (f == NULL) {
		mg_cli_error("%s: %s", path, strerror(errno));
		return MG_EXIT_IO;
	}
	if (pack->data_len > 0)
		(void)fwrite(pack->data, 1, pack->data_len, f);
	failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		mg_cli_error("%s: write failed", path);
		return MG_EXIT_IO;
	}
	return 0;
}

/* Store names are [a-z0-9_] (checked by the conf parser), so they make C names. */
static void
write_store(FILE *f, const struct mg_kv_pack *pack, const char *blob)
{
	const char *name = pack->name;
	char asm_path[PATH_MAX * 2 + 1];
	size_t o = 0;

	fprintf(f, "\n/* kv store '%s': %zu files, %zu bytes */\n", name, pack->count,
		pack->data_len);
	if (pack->data_len > 0) {
		/* The assembler's string escapes first, then the C string's around them. */
		for (const char *p = blob; *p != '\0' && o + 2 < sizeof(asm_path); p++) {
			if (*p == '"' || *p == '\\')
				asm_path[o++] = '\\';
			asm_path[o++] = *p;
		}
		asm_path[o] = '\0';
		fprintf(f, "__asm__(\".pushsection .rodata.mg_kv.%s,\\\"a\\\",@progbits\\n\"\n"
			   "\t\"\\t.balign 16\\n\"\n"
			   "\t\"\\t.globl mg_kv_data_%s\\n\"\n"
			   "\t\"\\t.hidden mg_kv_data_%s\\n\"\n"
			   "\t\"mg_kv_data_%s:\\n\"\n"
			   "\t\"\\t.incbin \\\"\" ",
			name, name, name, name);
		put_c_string(f, asm_path, o);
		fprintf(f, " \"\\\"\\n\"\n\t\"\\t.popsection\\n\");\n"
			   "extern const unsigned char mg_kv_data_%s[] "
			   "__attribute__((visibility(\"hidden\")));\n", name);
	}
	if (pack->count > 0) {
		fprintf(f, "static const struct mg_kv_file mg_kv_files_%s[%zu] = {\n", name,
			pack->count);
		for (size_t i = 0; i < pack->count; i++) {
			const struct mg_kv_file *k = &pack->files[i];
			fprintf(f, "\t{ .path = ");
			put_c_string(f, k->path, k->path_len);
			fprintf(f, ", .path_len = %uu, .flags = %uu,\n"
				   "\t  .offset = %lluu, .size = %lluu, .gz_offset = %lluu, "
				   ".gz_size = %lluu,\n"
				   "\t  .mtime = %lldll, .etag = ",
				k->path_len, k->flags, (unsigned long long)k->offset,
				(unsigned long long)k->size, (unsigned long long)k->gz_offset,
				(unsigned long long)k->gz_size, (long long)k->mtime);
			put_c_string(f, k->etag, strlen(k->etag));
			fprintf(f, " },\n");
		}
		fprintf(f, "};\n");
	}
	fprintf(f, "static const struct mg_kv_store mg_kv_store_%s = {\n"
		   "\t.name = \"%s\",\n\t.data = %s%s,\n\t.data_size = %zuu,\n"
		   "\t.count = %zuu,\n\t.files = %s%s,\n};\n",
		name, name, pack->data_len > 0 ? "mg_kv_data_" : "NULL",
		pack->data_len > 0 ? name : "", pack->data_len, pack->count,
		pack->count > 0 ? "mg_kv_files_" : "NULL", pack->count > 0 ? name : "");
}

static int
bake_one(const struct mg_app *app, const struct mg_conf_kv *kv, FILE *f, const char *tmp_dir,
	 const struct mg_kv_pack_opts *opts)
{
	struct mg_kv_pack pack;
	char folder[PATH_MAX], blob[PATH_MAX], why[512];
	int n, rc;

	n = snprintf(folder, sizeof(folder), "%s/%s", app->dir, kv->folder);
	if (n < 0 || (size_t)n >= sizeof(folder)) {
		mg_cli_error("%s/unikernel.conf:%zu: kv store '%s': path too long", app->dir,
			     kv->line, kv->store);
		return MG_EXIT_USAGE;
	}
	n = snprintf(blob, sizeof(blob), "%s/kv_%s.bin", tmp_dir, kv->store);
	if (n < 0 || (size_t)n >= sizeof(blob)) {
		mg_cli_error("temporary path too long");
		return MG_EXIT_OS;
	}
	if ((rc = mg_kv_pack_folder(&pack, kv->store, folder, opts, why, sizeof(why))) != 0) {
		mg_cli_error("%s/unikernel.conf:%zu: kv store '%s' (%s): %s", app->dir, kv->line,
			     kv->store, kv->folder, why);
		rc = rc == -ENOENT || rc == -ENOTDIR ? MG_EXIT_MISSING
		     : rc == -ENOMEM		 ? MG_EXIT_OS
		     : rc == -EIO		 ? MG_EXIT_IO
						 : MG_EXIT_CONF;
		goto out;
	}
	if (pack.data_len > 0 && (rc = write_blob(&pack, blob)) != 0)
		goto out;
	write_store(f, &pack, blob);
out:
	mg_kv_pack_free(&pack);
	return rc;
}

int
mg_kv_bake(const struct mg_app *app, const char *c_file, const char *tmp_dir)
{
	const char *env = getenv("MORGANA_KV_GZIP");
	struct mg_kv_pack_opts opts = { .gzip = env == NULL || strcmp(env, "0") != 0 };
	FILE *f = fopen(c_file, "a");
	int rc = 0, failed;

	if (f == NULL) {
		mg_cli_error("%s: %s", c_file, strerror(errno));
		return MG_EXIT_IO;
	}
	fprintf(f, "\n/* Generated by `morgana build` from the kv lines of unikernel.conf: "
		   "the baked key-value stores. */\n#include <morgana/kv.h>\n");
	for (size_t i = 0; i < app->conf.kv_count && rc == 0; i++)
		rc = bake_one(app, &app->conf.kvs[i], f, tmp_dir, &opts);
	if (rc == 0 && app->conf.kv_count > 0) {
		fprintf(f, "\nstatic const struct mg_kv_store *const mg_kv_stores[%zu] = {\n",
			app->conf.kv_count);
		for (size_t i = 0; i < app->conf.kv_count; i++)
			fprintf(f, "\t&mg_kv_store_%s,\n", app->conf.kvs[i].store);
		fprintf(f, "};\nconst struct mg_kv_table mg_kv_baked = { %zuu, mg_kv_stores };\n",
			app->conf.kv_count);
	} else if (rc == 0) {
		fprintf(f, "\nconst struct mg_kv_table mg_kv_baked = { 0u, NULL };\n");
	}
	failed = ferror(f);
	if (fclose(f) != 0 || (failed && rc == 0)) {
		mg_cli_error("%s: write failed", c_file);
		rc = MG_EXIT_IO;
	}
	return rc;
}

void
mg_kv_bake_cleanup(const struct mg_app *app, const char *tmp_dir)
{
	char blob[PATH_MAX];

	for (size_t i = 0; i < app->conf.kv_count; i++) {
		int n = snprintf(blob, sizeof(blob), "%s/kv_%s.bin", tmp_dir,
				 app->conf.kvs[i].store);
		if (n > 0 && (size_t)n < sizeof(blob))
			(void)unlink(blob);
	}
}
