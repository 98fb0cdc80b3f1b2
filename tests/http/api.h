/* SPDX-License-Identifier: ISC */
/*
 * api.h -- TEST ROUTES shared by the host harness (hostd.c) and the website unikernel as
 * the integration tests build it (tests/integration/http_lib.sh): what tests/http/curl.sh
 * needs beyond static files.
 *
 *	/api/echo	POST: the request body back (Content-Length or chunked uploads)
 *	/api/stream	GET: a streamed, chunked body of ?n lines (default 5)
 *	/api/fail	GET: the handler fails (500)
 */
#ifndef TESTS_HTTP_API_H
#define TESTS_HTTP_API_H

#include <stddef.h>

#include <morgana/http.h>

/* The routes above, in front of whatever else a server serves. The website example
 * picks these names up when this file is linked into it. */
extern const struct mg_http_route website_extra_routes[];
extern const size_t website_extra_route_count;

#endif /* TESTS_HTTP_API_H */
