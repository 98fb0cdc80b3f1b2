/* SPDX-License-Identifier: ISC */
/*
 * random.c -- ChaCha20 (RFC 8439) and the random generators built on it.
 *
 * A generator holds a key and a buffer of keystream. Each refill computes
 * MG_RNG_BUF_BYTES of keystream under the current key, immediately takes the first 32
 * bytes as the next key and wipes them from the buffer, then hands out the rest, wiping
 * each byte as it goes. Old keys and handed-out output therefore never stay in memory.
 */
#include <string.h>

#include <morgana/panic.h>
#include <morgana/plat.h>
#include <morgana/random.h>

#include "internal.h"

#define ROTL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define QUARTER(a, b, c, d) \
	do { \
		a += b; d ^= a; d = ROTL32(d, 16); \
		c += d; b ^= c; b = ROTL32(b, 12); \
		a += b; d ^= a; d = ROTL32(d, 8); \
		c += d; b ^= c; b = ROTL32(b, 7); \
	} while (0)

static struct mg_rng global_rng;
static bool global_seeded;

void
mg_wipe(void *p, size_t len)
{
	memset(p, 0, len);
	/* The compiler must assume the asm reads *p, so the memset stays. */
	__asm__ volatile("" : : "r"(p) : "memory");
}

static uint32_t
load32_le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
store32_le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* RFC 8439 2.3 on a key already in words; nonce words n0..n2. */
static void
chacha20_block_words(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		     uint8_t out[64])
{
	uint32_t in[16], x[16];
	int i;

	in[0] = 0x61707865;	/* "expand 32-byte k" */
	in[1] = 0x3320646e;
	in[2] = 0x79622d32;
	in[3] = 0x6b206574;
	memcpy(&in[4], key, 32);
	in[12] = counter;
	in[13] = nonce[0];
	in[14] = nonce[1];
	in[15] = nonce[2];
	memcpy(x, in, sizeof(x));
	for (i = 0; i < 10; i++) {
		QUARTER(x[0], x[4], x[8], x[12]);
		QUARTER(x[1], x[5], x[9], x[13]);
		QUARTER(x[2], x[6], x[10], x[14]);
		QUARTER(x[3], x[7], x[11], x[15]);
		QUARTER(x[0], x[5], x[10], x[15]);
		QUARTER(x[1], x[6], x[11], x[12]);
		QUARTER(x[2], x[7], x[8], x[13]);
		QUARTER(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++)
		store32_le(out + 4 * i, x[i] + in[i]);
	mg_wipe(x, sizeof(x));
	mg_wipe(in, sizeof(in));
}

static void
key_words(const uint8_t key[32], uint32_t words[8])
{
	for (int i = 0; i < 8; i++)
		words[i] = load32_le(key + 4 * i);
}

void
mg_chacha20_block(const uint8_t key[32], uint32_t counter, const uint8_t nonce[12],
		  uint8_t out[64])
{
	uint32_t k[8], n[3] = { load32_le(nonce), load32_le(nonce + 4), load32_le(nonce + 8) };

	key_words(key, k);
	chacha20_block_words(k, counter, n, out);
	mg_wipe(k, sizeof(k));
}

void
mg_chacha20_xor(const uint8_t key[32], uint32_t counter, const uint8_t nonce[12],
		const uint8_t *in, uint8_t *out, size_t len)
{
	uint32_t k[8], n[3] = { load32_le(nonce), load32_le(nonce + 4), load32_le(nonce + 8) };
	uint8_t block[64];

	key_words(key, k);
	while (len > 0) {
		size_t chunk = len < 64 ? len : 64;

		chacha20_block_words(k, counter++, n, block);
		for (size_t i = 0; i < chunk; i++)
			out[i] = in[i] ^ block[i];
		in += chunk;
		out += chunk;
		len -= chunk;
	}
	mg_wipe(block, sizeof(block));
	mg_wipe(k, sizeof(k));
}

static void
rng_refill(struct mg_rng *rng)
{
	static const uint32_t zero_nonce[3];

	for (uint32_t i = 0; i < MG_RNG_BUF_BYTES / 64; i++)
		chacha20_block_words(rng->key, i, zero_nonce, rng->buf + 64 * i);
	key_words(rng->buf, rng->key);
	mg_wipe(rng->buf, 32);
	rng->used = 32;
}

void
mg_rng_init(struct mg_rng *rng, const uint8_t seed[32])
{
	key_words(seed, rng->key);
	rng_refill(rng);
}

void
mg_rng_bytes(struct mg_rng *rng, void *out, size_t len)
{
	uint8_t *p = out;

	while (len > 0) {
		size_t avail, chunk;

		if (rng->used == MG_RNG_BUF_BYTES)
			rng_refill(rng);
		avail = MG_RNG_BUF_BYTES - rng->used;
		chunk = len < avail ? len : avail;
		memcpy(p, rng->buf + rng->used, chunk);
		mg_wipe(rng->buf + rng->used, chunk);
		rng->used += chunk;
		p += chunk;
		len -= chunk;
	}
}

uint32_t
mg_rng_u32(struct mg_rng *rng)
{
	uint8_t b[4];

	mg_rng_bytes(rng, b, sizeof(b));
	return load32_le(b);
}

uint64_t
mg_rng_u64(struct mg_rng *rng)
{
	uint8_t b[8];

	mg_rng_bytes(rng, b, sizeof(b));
	return load32_le(b) | (uint64_t)load32_le(b + 4) << 32;
}

/*
 * Reject the lowest (2^32 mod bound) values, so that what is left is a whole number of
 * runs of bound values and `% bound` is uniform. Fewer than half the draws are rejected
 * in the worst case.
 */
uint32_t
mg_rng_below(struct mg_rng *rng, uint32_t bound)
{
	uint32_t threshold, r;

	if (bound == 0)
		return 0;
	threshold = (uint32_t)-bound % bound;
	do
		r = mg_rng_u32(rng);
	while (r < threshold);
	return r % bound;
}

void
mg_rng_wipe(struct mg_rng *rng)
{
	mg_wipe(rng, sizeof(*rng));
}

/* --- the global generator ------------------------------------------------------------ */

/* RDSEED is a true entropy source; RDRAND a DRBG reseeded from it. Either may
 * transiently fail (CF = 0); retry a few times. */
static bool
hw_random64(bool use_rdseed, uint64_t *out)
{
	for (int tries = 0; tries < 32; tries++) {
		uint8_t ok;

		if (use_rdseed)
			__asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
		else
			__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
		if (ok)
			return true;
	}
	return false;
}

/*
 * XOR up to 32 bytes from the CPU into key; words the CPU cannot give are left alone.
 * Which instructions exist comes from the platform (cpu_features), not from cpuid:
 * that instruction is a VM exit on hvt.
 */
static void
mix_hw_random(uint8_t key[32], uint64_t cpu_features)
{
	bool has_rdseed = (cpu_features & MG_PLAT_CPU_RDSEED) != 0;
	bool has_rdrand = (cpu_features & MG_PLAT_CPU_RDRAND) != 0;

	for (int i = 0; i < 4; i++) {
		uint64_t v;

		if (!(has_rdseed && hw_random64(true, &v)) &&
		    !(has_rdrand && hw_random64(false, &v)))
			continue;
		for (int j = 0; j < 8; j++)
			key[8 * i + j] ^= (uint8_t)(v >> (8 * j));
		mg_wipe(&v, sizeof(v));
	}
}

/*
 * The global generator's key is the host's boot seed XOR the CPU's random output: as
 * long as either is unpredictable and independent of the other, so is the key.
 */
void
mg_rt_random_seed(const uint8_t boot_seed[32], uint64_t cpu_features)
{
	uint8_t key[32];

	memcpy(key, boot_seed, sizeof(key));
	mix_hw_random(key, cpu_features);
	mg_rng_init(&global_rng, key);
	mg_wipe(key, sizeof(key));
	global_seeded = true;
}

static struct mg_rng *
global(void)
{
	if (!global_seeded)
		mg_panic("mg_random_* used before the runtime seeded it");
	return &global_rng;
}

void
mg_random_bytes(void *out, size_t len)
{
	mg_rng_bytes(global(), out, len);
}

uint32_t
mg_random_u32(void)
{
	return mg_rng_u32(global());
}

uint64_t
mg_random_u64(void)
{
	return mg_rng_u64(global());
}

uint32_t
mg_random_below(uint32_t bound)
{
	return mg_rng_below(global(), bound);
}
