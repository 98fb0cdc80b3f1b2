# SPDX-License-Identifier: ISC
# Unit tests of the kv stores (storage/) and of HTTP (lib/http/).
UNIT_TESTS += kv_store kv_pack
kv_store_SRCS = tests/unit/kv_store.c storage/kv.c storage/kv_hash.c
kv_pack_SRCS = tests/unit/kv_pack.c storage/kv.c $(KV_PACK_SRCS)
UNIT_TESTS += http_parse http_head http_conn http_client
http_parse_SRCS = tests/unit/http_parse.c $(HTTP_SRCS) storage/kv.c
http_head_SRCS = tests/unit/http_head.c $(HTTP_SRCS) storage/kv.c
http_conn_SRCS = tests/unit/http_conn.c $(HTTP_SRCS) storage/kv.c
http_client_SRCS = tests/unit/http_client.c $(HTTP_SRCS) storage/kv.c
# HTTP over TCP: the server glue and the fiber client on two stacks over net/sim.
UNIT_TESTS += http_tcp
http_tcp_SRCS = tests/unit/http_tcp.c $(TCP_SIM_TEST_SRCS) $(HTTP_SRCS) $(HTTP_TCP_SRCS) \
	storage/kv.c storage/kv_hash.c
