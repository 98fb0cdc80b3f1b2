/* SPDX-License-Identifier: ISC */
/*
 * kv_pack.c -- read a folder into an in-memory key-value store (kv_pack.h). Host code:
 * it walks the folder with opendir/lstat, checks every name and link against the rules,
 * reads the files, pairs "X.gz" with "X", makes missing gzip variants by running
 * `gzip -9n`, and lays the result out as a sorted struct mg_kv_store.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kv_pack.h"

/* A file as read, before the layout. */
struct raw {
	char *path;		/* key, malloc'd */
	size_t path_len;
	unsigned char *buf;	/* contents, malloc'd */
	size_t size;
	int64_t mtime;
	struct raw *gz;		/* its "X.gz" sibling, if the folder had one */
	bool is_variant;	/* this is some other file's "X.gz" */
};

struct walk {
	const struct mg_kv_pack_opts *opts;
	char root[PATH_MAX];	/* the folder, resolved */
	struct raw *raws;
	size_t count, cap;
	size_t total;		/* bytes read so far */
	char *why;
	size_t why_len;
};

static int fail(struct walk *w, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int check_name(struct walk *w, const char *rel, const char *name);
static int check_link(struct walk *w, const char *abs, const char *rel);
static int read_file(struct walk *w, const char *abs, const char *rel, size_t size,
		     unsigned char **out);
static int add_file(struct walk *w, const char *abs, const char *rel, const struct stat *st);
static int walk_dir(struct walk *w, const char *abs, const char *rel, unsigned depth);
static int compare_raw(const void *a, const void *b);
static void pair_variants(struct walk *w);
static int run_gzip(const struct mg_kv_pack_opts *opts, const unsigned char *in, size_t len,
		    unsigned char **out, size_t *out_len);
static int append_data(struct mg_kv_pack *pack, const void *buf, size_t len, uint64_t *off);
static int lay_out(struct walk *w, struct mg_kv_pack *pack);

static int
fail(struct walk *w, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(w->why, w->why_len, fmt, ap);
	va_end(ap);
	return rc;
}

static int
check_name(struct walk *w, const char *rel, const char *name)
{
	for (const char *p = name; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			return fail(w, -EINVAL, "'%s/': a name in it holds the control character "
				    "0x%02x", rel[0] != '\0' ? rel : ".", c);
	}
	return 0;
}

/* A symlink may point anywhere inside the folder, never outside it. */
static int
check_link(struct walk *w, const char *abs, const char *rel)
{
	char target[PATH_MAX];
	size_t root_len = strlen(w->root);

	if (realpath(abs, target) == NULL)
		return fail(w, -errno, "'%s': cannot follow the symlink: %s", rel,
			    strerror(errno));
	if (strncmp(target, w->root, root_len) != 0 ||
	    (target[root_len] != '/' && target[root_len] != '\0'))
		return fail(w, -EPERM, "'%s': symlink to '%s' leaves the folder", rel, target);
	return 0;
}

static int
read_file(struct walk *w, const char *abs, const char *rel, size_t size, unsigned char **out)
{
	unsigned char *buf = malloc(size + 1);
	size_t got = 0;
	int fd, rc = 0;

	if (buf == NULL)
		return fail(w, -ENOMEM, "'%s': out of memory", rel);
	if ((fd = open(abs, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = fail(w, -errno, "'%s': %s", rel, strerror(errno));
		goto out;
	}
	/* One byte more than stat said, to notice a file that grew meanwhile. */
	while (got < size + 1) {
		ssize_t n = read(fd, buf + got, size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fail(w, -errno, "'%s': %s", rel, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != size)
		rc = fail(w, -EAGAIN, "'%s': changed size while being read", rel);
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		free(buf);
	else
		*out = buf;
	return rc;
}

static int
add_file(struct walk *w, const char *abs, const char *rel, const struct stat *st)
{
	struct raw *r;
	size_t len = strlen(rel);
	int rc;

	if ((uint64_t)st->st_size > MG_KV_FILE_MAX)
		return fail(w, -EFBIG, "'%s': %lld bytes, more than the limit of %u", rel,
			    (long long)st->st_size, MG_KV_FILE_MAX);
	if (w->count == MG_KV_FILES_MAX)
		return fail(w, -EFBIG, "more than %u files", MG_KV_FILES_MAX);
	if (w->total + (size_t)st->st_size > MG_KV_STORE_MAX)
		return fail(w, -EFBIG, "'%s': the store grows past the limit of %u bytes", rel,
			    MG_KV_STORE_MAX);
	if (w->count == w->cap) {
		size_t cap = w->cap == 0 ? 64 : w->cap * 2;
		struct raw *n = realloc(w->raws, cap * sizeof(*n));
		if (n == NULL)
			return fail(w, -ENOMEM, "out of memory");
		w->raws = n;
		w->cap = cap;
	}
	r = &w->raws[w->count];
	memset(r, 0, sizeof(*r));
	if ((r->path = strdup(rel)) == NULL)
		return fail(w, -ENOMEM, "out of memory");
	if ((rc = read_file(w, abs, rel, (size_t)st->st_size, &r->buf)) != 0) {
		free(r->path);
		return rc;
	}
	r->path_len = len;
	r->size = (size_t)st->st_size;
	r->mtime = (int64_t)st->st_mtime;
	w->total += r->size;
	w->count++;
	return 0;
}

static int
walk_dir(struct walk *w, const char *abs, const char *rel, unsigned depth)
{
	char child_abs[PATH_MAX], child_rel[MG_KV_PATH_MAX + 1];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0, n;

	if (depth > MG_KV_DEPTH_MAX)
		return fail(w, -ELOOP, "'%s': folders nested deeper than %u", rel,
			    MG_KV_DEPTH_MAX);
	if ((d = opendir(abs)) == NULL)
		return fail(w, -errno, "'%s': %s", rel[0] != '\0' ? rel : ".", strerror(errno));
	while ((errno = 0, de = readdir(d)) != NULL) {
		/* Hidden files (.git, .htpasswd, editor swap files) are never baked. */
		if (de->d_name[0] == '.')
			continue;
		if ((rc = check_name(w, rel, de->d_name)) != 0)
			goto out;
		n = snprintf(child_rel, sizeof(child_rel), "%s%s%s", rel, rel[0] ? "/" : "",
			     de->d_name);
		if (n < 0 || (size_t)n > MG_KV_PATH_MAX) {
			rc = fail(w, -ENAMETOOLONG, "'%s/%s': path longer than %u bytes", rel,
				  de->d_name, MG_KV_PATH_MAX);
			goto out;
		}
		n = snprintf(child_abs, sizeof(child_abs), "%s/%s", abs, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(child_abs)) {
			rc = fail(w, -ENAMETOOLONG, "'%s': path too long", child_rel);
			goto out;
		}
		if (lstat(child_abs, &st) != 0) {
			rc = fail(w, -errno, "'%s': %s", child_rel, strerror(errno));
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			if ((rc = check_link(w, child_abs, child_rel)) != 0)
				goto out;
			if (stat(child_abs, &st) != 0) {
				rc = fail(w, -errno, "'%s': %s", child_rel, strerror(errno));
				goto out;
			}
		}
		if (S_ISDIR(st.st_mode))
			rc = walk_dir(w, child_abs, child_rel, depth + 1);
		else if (S_ISREG(st.st_mode))
			rc = add_file(w, child_abs, child_rel, &st);
		else
			rc = fail(w, -EINVAL, "'%s': neither a file nor a folder", child_rel);
		if (rc != 0)
			goto out;
	}
	if (errno != 0)
		rc = fail(w, -errno, "'%s': %s", rel[0] != '\0' ? rel : ".", strerror(errno));
out:
	closedir(d);
	return rc;
}

static int
compare_raw(const void *a, const void *b)
{
	const struct raw *x = a, *y = b;
	size_t n = x->path_len < y->path_len ? x->path_len : y->path_len;
	int c = memcmp(x->path, y->path, n);

	if (c != 0)
		return c;
	return x->path_len < y->path_len ? -1 : x->path_len > y->path_len;
}

/* Sorted: "X" and "X.gz" are found with one binary search each. */
static void
pair_variants(struct walk *w)
{
	for (size_t i = 0; i < w->count; i++) {
		struct raw *gz = &w->raws[i], key, *base;

		if (gz->path_len < 4 || strcmp(gz->path + gz->path_len - 3, ".gz") != 0)
			continue;
		key.path = gz->path;
		key.path_len = gz->path_len - 3;
		base = bsearch(&key, w->raws, w->count, sizeof(key), compare_raw);
		if (base == NULL)
			continue;
		base->gz = gz;
		gz->is_variant = true;
	}
}

bool
mg_kv_compressible(const char *path)
{
	static const char *const exts[] = {
		".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml",
		".md", ".csv", ".map", ".wasm", ".ico", ".webmanifest",
	};
	size_t len = strlen(path);

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t n = strlen(exts[i]);
		if (len > n && strcmp(path + len - n, exts[i]) == 0)
			return true;
	}
	return false;
}

/*
 * gzip reads the bytes we already hashed (not the file, which may have changed since)
 * from a pipe fed by a forked writer, so neither side can block the other. Returns 0,
 * -ENOENT when gzip cannot be run at all, or another negative code.
 */
static int
run_gzip(const struct mg_kv_pack_opts *opts, const unsigned char *in, size_t len,
	 unsigned char **out, size_t *out_len)
{
	const char *prog = opts->gzip_prog != NULL ? opts->gzip_prog : "gzip";
	int to_gzip[2] = { -1, -1 }, from_gzip[2] = { -1, -1 };
	pid_t gz = -1, writer = -1;
	unsigned char *buf = NULL;
	size_t used = 0, cap = len / 2 + 1024;
	int status, rc = -EIO;

	if (pipe2(to_gzip, O_CLOEXEC) != 0 || pipe2(from_gzip, O_CLOEXEC) != 0 ||
	    (buf = malloc(cap)) == NULL) {
		rc = -errno;
		goto out;
	}
	if ((gz = fork()) < 0)
		goto out;
	if (gz == 0) {
		if (dup2(to_gzip[0], 0) < 0 || dup2(from_gzip[1], 1) < 0)
			_exit(126);
		execlp(prog, prog, "-9n", "-c", (char *)NULL);
		_exit(127);
	}
	if ((writer = fork()) < 0)
		goto out;
	if (writer == 0) {
		size_t done = 0;
		close(from_gzip[0]);
		while (done < len) {
			ssize_t n = write(to_gzip[1], in + done, len - done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				_exit(1);
			done += (size_t)n;
		}
		_exit(0);
	}
	close(to_gzip[0]);
	close(to_gzip[1]);
	close(from_gzip[1]);
	to_gzip[0] = to_gzip[1] = from_gzip[1] = -1;
	for (;;) {
		ssize_t n;
		if (used == cap) {
			unsigned char *bigger = realloc(buf, cap * 2);
			if (bigger == NULL)
				goto out;
			buf = bigger;
			cap *= 2;
		}
		n = read(from_gzip[0], buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (to_gzip[i] >= 0)
			close(to_gzip[i]);
		if (from_gzip[i] >= 0)
			close(from_gzip[i]);
	}
	if (writer > 0 && (waitpid(writer, &status, 0) < 0 || !WIFEXITED(status) ||
			   WEXITSTATUS(status) != 0) && rc == 0)
		rc = -EIO;
	if (gz > 0 && waitpid(gz, &status, 0) >= 0 && rc == 0 &&
	    (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		rc = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
	if (rc != 0)
		free(buf);
	else {
		*out = buf;
		*out_len = used;
	}
	return rc;
}

static int
append_data(struct mg_kv_pack *pack, const void *buf, size_t len, uint64_t *off)
{
	/* 16-byte alignment, so a reader may use aligned loads on a file's start. */
	size_t start = (pack->data_len + 15) & ~(size_t)15;

	if (start + len > pack->data_cap) {
		size_t cap = pack->data_cap == 0 ? 4096 : pack->data_cap;
		unsigned char *n;
		while (cap < start + len)
			cap *= 2;
		if ((n = realloc(pack->data, cap)) == NULL)
			return -ENOMEM;
		pack->data = n;
		pack->data_cap = cap;
	}
	if (start > pack->data_len)
		memset(pack->data + pack->data_len, 0, start - pack->data_len);
	if (len > 0)
		memcpy(pack->data + start, buf, len);
	pack->data_len = start + len;
	*off = start;
	return 0;
}

static int
lay_out(struct walk *w, struct mg_kv_pack *pack)
{
	int rc;

	if (w->count > 0 && (pack->files = calloc(w->count, sizeof(*pack->files))) == NULL)
		return fail(w, -ENOMEM, "out of memory");
	for (size_t i = 0; i < w->count; i++) {
		struct raw *r = &w->raws[i];
		struct mg_kv_file *f = &pack->files[pack->count];
		unsigned char *gz = NULL;
		size_t gz_len = 0;

		if (r->is_variant)
			continue;
		f->path = r->path;
		r->path = NULL;	/* now owned by pack */
		f->path_len = (uint32_t)r->path_len;
		f->size = r->size;
		f->mtime = r->mtime;
		mg_kv_etag(r->buf, r->size, f->etag);
		pack->count++;
		if ((rc = append_data(pack, r->buf, r->size, &f->offset)) != 0)
			return fail(w, rc, "out of memory");
		if (r->gz != NULL) {
			gz = r->gz->buf;
			gz_len = r->gz->size;
		} else if (w->opts->gzip && !pack->gzip_missing && r->size >= 256 &&
			   mg_kv_compressible(f->path)) {
			rc = run_gzip(w->opts, r->buf, r->size, &gz, &gz_len);
			if (rc == -ENOENT)
				pack->gzip_missing = true;
			else if (rc != 0)
				return fail(w, rc, "'%s': gzip failed", f->path);
			/* Only where it saves an eighth: else decompressing is the cost. */
			if (rc == 0 && gz_len > r->size - r->size / 8) {
				free(gz);
				gz = NULL;
			}
			if (gz != NULL && w->total + gz_len > MG_KV_STORE_MAX) {
				free(gz);
				return fail(w, -EFBIG, "'%s': the store grows past the limit of "
					    "%u bytes", f->path, MG_KV_STORE_MAX);
			}
			if (gz != NULL)
				w->total += gz_len;
		}
		if (gz != NULL) {
			rc = append_data(pack, gz, gz_len, &f->gz_offset);
			if (r->gz == NULL)
				free(gz);
			if (rc != 0)
				return fail(w, rc, "out of memory");
			f->gz_size = gz_len;
			f->flags |= MG_KV_HAS_GZIP;
		}
	}
	return 0;
}

int
mg_kv_pack_folder(struct mg_kv_pack *pack, const char *name, const char *folder,
		  const struct mg_kv_pack_opts *opts, char *why, size_t why_len)
{
	struct walk w = { .opts = opts, .why = why, .why_len = why_len };
	struct stat st;
	int rc;

	memset(pack, 0, sizeof(*pack));
	if (why_len > 0)
		why[0] = '\0';
	if ((pack->name = strdup(name)) == NULL) {
		rc = fail(&w, -ENOMEM, "out of memory");
		goto out;
	}
	if (realpath(folder, w.root) == NULL || stat(w.root, &st) != 0) {
		rc = fail(&w, -errno, "folder '%s': %s", folder, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = fail(&w, -ENOTDIR, "'%s' is not a folder", folder);
		goto out;
	}
	if ((rc = walk_dir(&w, w.root, "", 0)) != 0)
		goto out;
	if (w.count > 0)
		qsort(w.raws, w.count, sizeof(*w.raws), compare_raw);
	pair_variants(&w);
	if ((rc = lay_out(&w, pack)) != 0)
		goto out;
	pack->store.name = pack->name;
	pack->store.data = pack->data;
	pack->store.data_size = pack->data_len;
	pack->store.count = pack->count;
	pack->store.files = pack->files;
out:
	for (size_t i = 0; i < w.count; i++) {
		free(w.raws[i].path);
		free(w.raws[i].buf);
	}
	free(w.raws);
	if (rc != 0) {
		mg_kv_pack_free(pack);
		memset(pack, 0, sizeof(*pack));
	}
	return rc;
}

void
mg_kv_pack_free(struct mg_kv_pack *pack)
{
	for (size_t i = 0; i < pack->count; i++)
		free((char *)(uintptr_t)pack->files[i].path);
	free(pack->files);
	free(pack->data);
	free(pack->name);
	memset(pack, 0, sizeof(*pack));
}
