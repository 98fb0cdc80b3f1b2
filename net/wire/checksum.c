/* SPDX-License-Identifier: ISC */
/*
 * checksum.c -- the Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * The ones'-complement sum does not care about byte order as long as it is applied
 * consistently (RFC 1071 section 2(B)), so the fast path adds the buffer as native
 * 64-bit words with end-around carry and swaps the folded result into the big-endian
 * domain once at the end.
 */
#include <string.h>

#include <morgana/net_wire.h>

static uint32_t fold32(uint64_t sum);

/* Fold a wide sum into 16 bits, carries wrapped around. */
static uint32_t
fold32(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)sum;
}

uint32_t
mg_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = 0, w;
	uint32_t native;

	while (len >= 32) {
		uint64_t a, b, c, d;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		acc += a;
		acc += (acc < a);
		acc += b;
		acc += (acc < b);
		acc += c;
		acc += (acc < c);
		acc += d;
		acc += (acc < d);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		memcpy(&w, p, 8);
		acc += w;
		acc += (acc < w);
		p += 8;
		len -= 8;
	}
	/* The tail: up to 7 bytes, placed as they would lie in a native word. */
	w = 0;
	memcpy(&w, p, len);
	acc += w;
	acc += (acc < w);
	native = fold32(acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	native = ((native & 0xff) << 8) | (native >> 8);
#endif
	return mg_csum_add(native, sum);
}

uint32_t
mg_csum_add(uint32_t a, uint32_t b)
{
	return fold32((uint64_t)a + b);
}

uint16_t
mg_csum_finish(uint32_t sum)
{
	return (uint16_t)~fold32(sum);
}

uint16_t
mg_csum(const void *buf, size_t len)
{
	return mg_csum_finish(mg_csum_partial(buf, len, 0));
}

uint32_t
mg_csum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint64_t sum = (uint64_t)(src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
		       proto + len;

	return fold32(sum);
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Eqn. 2 (HC - ~m - m') can produce the other
 * zero (0xffff vs 0x0000) than a full recomputation would; eqn. 3 agrees with it.
 */
uint16_t
mg_csum_update16(uint16_t csum, uint16_t old_val, uint16_t new_val)
{
	uint32_t sum = (uint32_t)(uint16_t)~csum + (uint16_t)~old_val + new_val;

	return (uint16_t)~fold32(sum);
}

uint16_t
mg_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val)
{
	csum = mg_csum_update16(csum, (uint16_t)(old_val >> 16), (uint16_t)(new_val >> 16));
	return mg_csum_update16(csum, (uint16_t)old_val, (uint16_t)new_val);
}

bool
mg_l4_csum_ok(const void *buf, size_t len, uint32_t src, uint32_t dst, uint8_t proto)
{
	if (len > UINT16_MAX)
		return false;
	return mg_csum_finish(mg_csum_partial(buf, len,
			      mg_csum_pseudo_ipv4(src, dst, proto, (uint16_t)len))) == 0;
}
