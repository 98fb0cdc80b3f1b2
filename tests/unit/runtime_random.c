/* SPDX-License-Identifier: ISC */
/*
 * runtime_random.c -- ChaCha20 against RFC 8439's vectors, and the generators on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <cpuid.h>

#include <morgana/plat.h>
#include <morgana/random.h>

#include "../../runtime/internal.h"
#include "fake_plat.h"

static void
unhex(const char *hex, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++) {
			char c;

			while (*hex == ' ' || *hex == ':' || *hex == '\n')
				hex++;
			c = *hex++;
			v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		out[i] = (uint8_t)v;
	}
}

/* RFC 8439 section 2.3.2. */
static void
chacha20_block_matches_rfc8439_section_2_3_2(void **state)
{
	uint8_t key[32], nonce[12], want[64], got[64];

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	unhex("00:00:00:09:00:00:00:4a:00:00:00:00", nonce, 12);
	unhex("10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4"
	      "c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e"
	      "d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2"
	      "b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e", want, 64);
	mg_chacha20_block(key, 1, nonce, got);
	assert_memory_equal(got, want, 64);
}

/* RFC 8439 appendix A.1, test vectors 1, 2, 3, 4 and 5. */
static void
chacha20_block_matches_rfc8439_appendix_a_1(void **state)
{
	static const struct {
		uint8_t key_byte_at, key_byte;	/* the key: zero but this byte */
		uint32_t counter;
		uint8_t nonce_last;
		const char *want;
	} v[] = {
		{ 0, 0, 0, 0,
		  "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
		  "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586" },
		{ 0, 0, 1, 0,
		  "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
		  "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f" },
		{ 31, 1, 1, 0,
		  "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
		  "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0" },
		{ 1, 0xff, 2, 0,
		  "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
		  "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096" },
		{ 0, 0, 0, 2,
		  "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
		  "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t key[32] = { 0 }, nonce[12] = { 0 }, want[64], got[64];

		key[v[i].key_byte_at] = v[i].key_byte;
		nonce[11] = v[i].nonce_last;
		unhex(v[i].want, want, 64);
		mg_chacha20_block(key, v[i].counter, nonce, got);
		assert_memory_equal(got, want, 64);
	}
}

/* RFC 8439 section 2.4.2: the "sunscreen" encryption, 114 bytes over two blocks. */
static void
chacha20_encryption_matches_rfc8439_section_2_4_2(void **state)
{
	static const char plain[] = "Ladies and Gentlemen of the class of '99: If I could offer "
				    "you only one tip for the future, sunscreen would be it.";
	uint8_t key[32], nonce[12] = { 0 }, want[114], got[114], back[114];

	(void)state;
	assert_int_equal(sizeof(plain) - 1, 114);
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	nonce[7] = 0x4a;
	unhex("6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81"
	      "e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b"
	      "f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57"
	      "16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8"
	      "07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e"
	      "52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36"
	      "5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42"
	      "87 4d", want, 114);
	mg_chacha20_xor(key, 1, nonce, (const uint8_t *)plain, got, 114);
	assert_memory_equal(got, want, 114);
	mg_chacha20_xor(key, 1, nonce, got, back, 114);
	assert_memory_equal(back, plain, 114);
}

static void
the_same_seed_gives_the_same_stream_however_it_is_read(void **state)
{
	uint8_t seed[32] = { 5, 4, 3 }, other[32] = { 5, 4, 4 };
	static uint8_t whole[3000], pieces[3000], different[3000];
	struct mg_rng a, b, c;
	size_t at = 0, step = 1;

	(void)state;
	mg_rng_init(&a, seed);
	mg_rng_init(&b, seed);
	mg_rng_init(&c, other);
	mg_rng_bytes(&a, whole, sizeof(whole));
	while (at < sizeof(pieces)) {	/* pieces of 1, 2, 3 ... bytes cross refills */
		size_t n = step < sizeof(pieces) - at ? step : sizeof(pieces) - at;

		mg_rng_bytes(&b, pieces + at, n);
		at += n;
		step++;
	}
	mg_rng_bytes(&c, different, sizeof(different));
	assert_memory_equal(whole, pieces, sizeof(whole));
	assert_memory_not_equal(whole, different, sizeof(whole));
	mg_rng_init(&a, seed);
	assert_int_equal(mg_rng_u32(&a), (uint32_t)whole[0] | (uint32_t)whole[1] << 8 |
						 (uint32_t)whole[2] << 16 |
						 (uint32_t)whole[3] << 24);
}

static void
the_first_output_follows_fast_key_erasure_and_leaves_no_key_behind(void **state)
{
	uint8_t seed[32], block[64], out[32], zero_nonce[12] = { 0 };
	struct mg_rng rng;

	(void)state;
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0xa0 + i);
	mg_chacha20_block(seed, 0, zero_nonce, block);
	mg_rng_init(&rng, seed);
	mg_rng_bytes(&rng, out, sizeof(out));
	/* Output starts after the 32 bytes that became the next key. */
	assert_memory_equal(out, block + 32, 32);
	/* Neither the seed nor handed-out bytes stay in the state. */
	for (size_t i = 0; i + 32 <= sizeof(rng); i++) {
		assert_memory_not_equal((uint8_t *)&rng + i, seed, 32);
		assert_memory_not_equal((uint8_t *)&rng + i, out, 32);
	}
	mg_rng_wipe(&rng);
	for (size_t i = 0; i < sizeof(rng); i++)
		assert_int_equal(((uint8_t *)&rng)[i], 0);
}

static void
below_stays_in_bounds_and_is_roughly_uniform(void **state)
{
	static const uint32_t bounds[] = { 1, 2, 3, 7, 10, 1000, 0x80000001u, UINT32_MAX };
	uint8_t seed[32] = { 77 };
	unsigned counts[3] = { 0 };
	struct mg_rng rng;

	(void)state;
	mg_rng_init(&rng, seed);
	assert_int_equal(mg_rng_below(&rng, 0), 0);
	for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
		for (int i = 0; i < 2000; i++)
			assert_true(mg_rng_below(&rng, bounds[b]) < bounds[b]);
	for (int i = 0; i < 30000; i++)
		counts[mg_rng_below(&rng, 3)]++;
	for (int i = 0; i < 3; i++)
		assert_in_range(counts[i], 9500, 10500);
	/* 0xc0000000: a plain modulo would put half the draws below 0x40000000, not a
	 * third. */
	unsigned low = 0;
	for (int i = 0; i < 20000; i++)
		low += mg_rng_below(&rng, 0xc0000000u) < 0x40000000u;
	assert_in_range(low, 6300, 7000);
}

static bool
cpu_has_rdrand(void)
{
	unsigned eax, ebx, ecx, edx;

	return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_RDRND);
}

static void
the_global_generator_is_seeded_from_the_boot_seed_and_the_cpu(void **state)
{
	uint8_t seed[32] = { 1 }, a[64], b[64];
	uint64_t features = cpu_has_rdrand() ? MG_PLAT_CPU_RDRAND : 0;

	(void)state;
	mg_rt_random_seed(seed, features);
	mg_random_bytes(a, sizeof(a));
	mg_rt_random_seed(seed, features);
	mg_random_bytes(b, sizeof(b));
	/* Where the CPU has RDRAND, equal boot seeds still give different streams. */
	if (cpu_has_rdrand())
		assert_memory_not_equal(a, b, sizeof(a));
	else
		print_message("# note: no RDRAND here; the boot seed alone was used\n");
	for (int i = 0; i < 1000; i++)
		assert_true(mg_random_below(6) < 6);
	assert_true(mg_random_u64() != mg_random_u64() || mg_random_u32() != mg_random_u32());
}

/* The platform's word decides: no cpuid behind its back (a VM exit on hvt). */
static void
without_cpu_features_the_boot_seed_alone_keys_the_generator(void **state)
{
	uint8_t seed[32] = { 9, 8, 7 }, a[64], b[64], c[64], key[32] = { 9, 8, 7 };
	struct mg_rng rng;

	(void)state;
	mg_rt_random_seed(seed, 0);
	mg_random_bytes(a, sizeof(a));
	mg_rt_random_seed(seed, 0);
	mg_random_bytes(b, sizeof(b));
	assert_memory_equal(a, b, sizeof(a));
	mg_rng_init(&rng, key);
	mg_rng_bytes(&rng, c, sizeof(c));
	assert_memory_equal(a, c, sizeof(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chacha20_block_matches_rfc8439_section_2_3_2),
		cmocka_unit_test(chacha20_block_matches_rfc8439_appendix_a_1),
		cmocka_unit_test(chacha20_encryption_matches_rfc8439_section_2_4_2),
		cmocka_unit_test(the_same_seed_gives_the_same_stream_however_it_is_read),
		cmocka_unit_test(the_first_output_follows_fast_key_erasure_and_leaves_no_key_behind),
		cmocka_unit_test(below_stays_in_bounds_and_is_roughly_uniform),
		cmocka_unit_test(the_global_generator_is_seeded_from_the_boot_seed_and_the_cpu),
		cmocka_unit_test(without_cpu_features_the_boot_seed_alone_keys_the_generator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
