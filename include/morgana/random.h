/* SPDX-License-Identifier: ISC */
/*
 * random.h -- random numbers from ChaCha20 (RFC 8439).
 *
 * struct mg_rng is a deterministic generator: the same seed gives the same sequence on
 * every target, which is what simulations and tests want. It uses the keystream of
 * ChaCha20 and replaces its own key with fresh keystream before handing out any output
 * ("fast key erasure"), so a later compromise of its state does not reveal earlier
 * output. Not thread-safe; there are no threads.
 *
 * mg_random_*() use one global generator, seeded by the runtime at start from the
 * host's boot seed mixed with the CPU's RDSEED/RDRAND output where the CPU has them. Use
 * it for keys, nonces, ports and sequence numbers.
 */
#ifndef MORGANA_RANDOM_H
#define MORGANA_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#define MG_RNG_BUF_BYTES 512	/* keystream generated per refill */

struct mg_rng {
	/* Private to the runtime. */
	uint32_t key[8];
	uint8_t buf[MG_RNG_BUF_BYTES];
	size_t used;	/* bytes of buf already handed out (and wiped) */
};

/* Seed rng; the seed may be wiped by the caller afterwards. */
void mg_rng_init(struct mg_rng *rng, const uint8_t seed[32]);
void mg_rng_bytes(struct mg_rng *rng, void *out, size_t len);
uint32_t mg_rng_u32(struct mg_rng *rng);
uint64_t mg_rng_u64(struct mg_rng *rng);
/* Uniform in [0, bound), without modulo bias; 0 if bound is 0. */
uint32_t mg_rng_below(struct mg_rng *rng, uint32_t bound);
/* Wipe rng's state. */
void mg_rng_wipe(struct mg_rng *rng);

void mg_random_bytes(void *out, size_t len);
uint32_t mg_random_u32(void);
uint64_t mg_random_u64(void);
uint32_t mg_random_below(uint32_t bound);

/*
 * The ChaCha20 block function of RFC 8439, section 2.3: 64 bytes of keystream for key,
 * block counter and 96-bit nonce (all as the RFC's byte strings). Exposed for tests and
 * for the ciphers built on it.
 */
void mg_chacha20_block(const uint8_t key[32], uint32_t counter, const uint8_t nonce[12],
		       uint8_t out[64]);

/* RFC 8439 section 2.4: XOR len bytes of in with the keystream starting at counter. */
void mg_chacha20_xor(const uint8_t key[32], uint32_t counter, const uint8_t nonce[12],
		     const uint8_t *in, uint8_t *out, size_t len);

/* Set len bytes at p to zero in a way the compiler cannot drop as a dead store. */
void mg_wipe(void *p, size_t len);

#endif /* MORGANA_RANDOM_H */
