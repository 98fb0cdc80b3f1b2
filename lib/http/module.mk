# SPDX-License-Identifier: ISC
# lib/http: HTTP/1.1 server and client without a transport (include/morgana/http.h).
HTTP_SRCS = lib/http/parse.c lib/http/chunked.c lib/http/head.c lib/http/cond.c \
	lib/http/conn.c lib/http/static.c lib/http/client.c
