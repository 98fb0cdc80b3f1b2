/* SPDX-License-Identifier: ISC */
/*
 * kv_hash.c -- SipHash-2-4, and the ETags of baked files built from it. Used both at
 * build time (by the packer in the `morgana` tool) and in images, so it is freestanding.
 */
#include <stddef.h>
#include <stdint.h>

#include <morgana/kv.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

struct sip {
	uint64_t v0, v1, v2, v3;
};

static uint64_t load_le64(const uint8_t *p);
static void sip_round(struct sip *s);

static uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void
sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

uint64_t
mg_siphash24(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	struct sip s = {
		.v0 = k0 ^ 0x736f6d6570736575ull,
		.v1 = k1 ^ 0x646f72616e646f6dull,
		.v2 = k0 ^ 0x6c7967656e657261ull,
		.v3 = k1 ^ 0x7465646279746573ull,
	};
	uint64_t m, last = (uint64_t)len << 56;
	size_t full = len & ~(size_t)7;

	for (size_t i = 0; i < full; i += 8) {
		m = load_le64(p + i);
		s.v3 ^= m;
		sip_round(&s);
		sip_round(&s);
		s.v0 ^= m;
	}
	for (size_t i = full; i < len; i++)
		last |= (uint64_t)p[i] << (8 * (i - full));
	s.v3 ^= last;
	sip_round(&s);
	sip_round(&s);
	s.v0 ^= last;
	s.v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* Two fixed, public keys (the ASCII of two phrases): 128 bits make an accidental
 * collision between two versions of a file as good as impossible. */
static const uint8_t etag_keys[2][16] = {
	{ 'm', 'o', 'r', 'g', 'a', 'n', 'a', ' ', 'k', 'v', ' ', 'e', 't', 'a', 'g', '1' },
	{ 'm', 'o', 'r', 'g', 'a', 'n', 'a', ' ', 'k', 'v', ' ', 'e', 't', 'a', 'g', '2' },
};

void
mg_kv_etag(const void *data, size_t len, char out[MG_KV_ETAG_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	out[o++] = '"';
	for (int k = 0; k < 2; k++) {
		uint64_t h = mg_siphash24(etag_keys[k], data, len);
		for (int shift = 60; shift >= 0; shift -= 4)
			out[o++] = hex[(h >> shift) & 0xf];
	}
	out[o++] = '"';
	out[o] = '\0';
}
