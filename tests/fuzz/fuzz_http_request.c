/* SPDX-License-Identifier: ISC */
/*
 * fuzz_http_request.c -- libFuzzer target for the request parser and, through a whole
 * connection, everything a request reaches (body decoding, routing, ranges, the static
 * handler). Properties beyond "no crash": the parser's answer is one of its documented
 * ones, a head length never passes the input, and the connection never hands the
 * transport more bytes than it says.
 *
 *	make fuzz-http && build/fuzz/fuzz_http_request -max_total_time=60
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/http.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char store_data[] = "<h1>home</h1>0123456789";
static const struct mg_kv_file store_files[] = {
	{ .path = "data.bin", .path_len = 8, .offset = 13, .size = 10, .mtime = 1,
	  .etag = "\"d\"", .flags = MG_KV_HAS_GZIP, .gz_offset = 0, .gz_size = 4 },
	{ .path = "index.html", .path_len = 10, .offset = 0, .size = 13, .mtime = 1,
	  .etag = "\"i\"" },
};
static const struct mg_kv_store store = { .name = "s", .data = store_data,
					  .data_size = sizeof(store_data) - 1, .count = 2,
					  .files = store_files };
static struct mg_http_static site = { .store = &store, .prefix = "/" };

static int
echo(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	return mg_http_resp_write(resp, req->body, req->body_len > 100 ? 100 : req->body_len);
}

static int
io_send(void *ctx, const void *data, size_t len, size_t *taken)
{
	size_t *budget = ctx;

	(void)data;
	/* Alternate between taking everything and taking little, to exercise resumption. */
	*taken = (*budget)++ % 3 == 0 ? len / 2 : len;
	return 0;
}

static void
io_close(void *ctx)
{
	(void)ctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mg_http_io io = { io_send, io_close };
	static struct mg_http_request req;
	static struct mg_http_conn conn;
	struct mg_http_route routes[] = {
		{ "/echo", true, MG_HTTP_POST | MG_HTTP_PUT, echo, NULL },
		{ "/", false, 0, mg_http_static_handler, &site },
	};
	struct mg_http_server srv;
	size_t budget = 0, off = 0;
	uint64_t now = 0;
	int rc;

	rc = mg_http_parse_request((const char *)data, size, &mg_http_default_limits, &req);
	if (rc > 0 && (size_t)rc > size)
		abort();
	if (rc < 0 && (rc != -EBADMSG || req.error_status < 400 || req.error_status > 505))
		abort();

	mg_http_server_init(&srv);
	srv.routes = routes;
	srv.route_count = 2;
	mg_http_conn_init(&conn, &srv, &io, &budget, now);
	/* Feed in pieces whose sizes come from the data itself. */
	while (off < size && !mg_http_conn_closed(&conn)) {
		size_t piece = 1 + data[off] % 64, took;
		if (piece > size - off)
			piece = size - off;
		took = mg_http_conn_input(&conn, data + off, piece, now);
		if (took > piece)
			abort();
		off += took;
		now += 1000;
		for (int i = 0; i < 4 && conn.state == MG_HTTP_CONN_SEND; i++)
			mg_http_conn_writable(&conn, now);
		if (took == 0 && conn.state != MG_HTTP_CONN_SEND)
			break;
	}
	mg_http_conn_eof(&conn, now);
	for (int i = 0; i < 1000 && conn.state == MG_HTTP_CONN_SEND; i++)
		mg_http_conn_writable(&conn, now);
	mg_http_conn_tick(&conn, UINT64_MAX - 1);
	return 0;
}
