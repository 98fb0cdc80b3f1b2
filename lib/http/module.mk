# SPDX-License-Identifier: ISC
# lib/http: HTTP/1.1 server and client without a transport (include/morgana/http.h).
HTTP_SRCS = lib/http/parse.c lib/http/chunked.c lib/http/head.c lib/http/cond.c \
	lib/http/conn.c lib/http/static.c lib/http/client.c
# HTTP over Morgana's TCP (server glue and fiber client): in the image library only, since
# the sources above are also linked alone into host tests and fuzzers that have no TCP.
HTTP_TCP_SRCS = lib/http/serve_tcp.c lib/http/client_tcp.c
