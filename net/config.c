/* SPDX-License-Identifier: ISC */
/*
 * config.c -- IPv4 addresses as text, and the stack's command-line flags
 * (--ipv4=A.B.C.D/N, --ipv4-gateway=A.B.C.D). Pure: no I/O, no globals.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <morgana/net.h>

static int parse_decimal(const char **s, unsigned max, unsigned *out);
static int check_config(const struct mg_net_config *cfg, char *why, size_t why_len);

/* One decimal number 0..max without leading zeros (a lone 0 is fine). */
static int
parse_decimal(const char **s, unsigned max, unsigned *out)
{
	const char *p = *s;
	unsigned v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > max)
			return -EINVAL;
		p++;
	}
	*s = p;
	*out = v;
	return 0;
}

int
mg_ipv4_addr_parse(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	unsigned part;

	for (int i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return -EINVAL;
		if (parse_decimal(&s, 255, &part) != 0)
			return -EINVAL;
		a = a << 8 | part;
	}
	if (*s != '\0')
		return -EINVAL;
	*addr = a;
	return 0;
}

char *
mg_ipv4_addr_format(uint32_t addr, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
		 addr & 0xff);
	return buf;
}

static int
check_config(const struct mg_net_config *cfg, char *why, size_t why_len)
{
	uint32_t mask, a = cfg->addr;
	char text[16];

	if (cfg->addr == 0)
		return 0;
	mask = cfg->prefix_len == 0 ? 0 : ~0u << (32 - cfg->prefix_len);
	if (a == MG_IPV4_BROADCAST || (a >> 28) == 0xe || (a >> 24) == 0 || (a >> 24) == 127 ||
	    (a >> 28) == 0xf) {
		snprintf(why, why_len, "--ipv4: %s cannot be a host's address",
			 mg_ipv4_addr_format(a, text));
		return -EINVAL;
	}
	if (cfg->prefix_len <= 30 && ((a & ~mask) == 0 || (a & ~mask) == ~mask)) {
		snprintf(why, why_len, "--ipv4: %s/%u is the subnet's %s address, not a host's",
			 mg_ipv4_addr_format(a, text), cfg->prefix_len,
			 (a & ~mask) == 0 ? "network" : "broadcast");
		return -EINVAL;
	}
	if (cfg->gateway != 0 && ((cfg->gateway & mask) != (a & mask) || cfg->gateway == a)) {
		snprintf(why, why_len, "--ipv4-gateway: %s is %s", mg_ipv4_addr_format(
			 cfg->gateway, text), cfg->gateway == a ? "our own address"
			 : "not in the subnet of --ipv4");
		return -EINVAL;
	}
	return 0;
}

/* The value of flag `name` at argv[*i]: "--name=V" or "--name V"; NULL if not it. */
static const char *
flag_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);

	*missing = false;
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int
mg_net_config_from_args(int *argc, char **argv, struct mg_net_config *cfg, char *why,
			size_t why_len)
{
	struct mg_net_config c = *cfg;
	int out = 1, i;
	bool missing;

	for (i = 1; i < *argc; i++) {
		const char *v;
		char *slash;
		char addr[16];
		unsigned prefix;

		if (strcmp(argv[i], "--") == 0)
			break;
		if ((v = flag_value(*argc, argv, &i, "--ipv4-gateway", &missing)) != NULL) {
			if (mg_ipv4_addr_parse(v, &c.gateway) != 0) {
				snprintf(why, why_len, "--ipv4-gateway: '%.40s' is not an IPv4 "
					 "address like 10.0.0.1", v);
				return -EINVAL;
			}
			continue;
		}
		if (missing) {
			snprintf(why, why_len, "--ipv4-gateway needs an address, e.g. "
				 "--ipv4-gateway=10.0.0.1");
			return -EINVAL;
		}
		if ((v = flag_value(*argc, argv, &i, "--ipv4", &missing)) != NULL) {
			const char *p;

			slash = strchr(v, '/');
			if (slash == NULL || (size_t)(slash - v) >= sizeof(addr))
				goto bad_ipv4;
			memcpy(addr, v, (size_t)(slash - v));
			addr[slash - v] = '\0';
			p = slash + 1;
			if (mg_ipv4_addr_parse(addr, &c.addr) != 0 ||
			    parse_decimal(&p, 32, &prefix) != 0 || *p != '\0')
				goto bad_ipv4;
			c.prefix_len = (uint8_t)prefix;
			continue;
bad_ipv4:
			snprintf(why, why_len, "--ipv4: '%.40s' is not ADDRESS/PREFIX like "
				 "10.0.0.2/24", v);
			return -EINVAL;
		}
		if (missing) {
			snprintf(why, why_len, "--ipv4 needs ADDRESS/PREFIX, e.g. "
				 "--ipv4=10.0.0.2/24");
			return -EINVAL;
		}
		argv[out++] = argv[i];
	}
	if (check_config(&c, why, why_len) != 0)
		return -EINVAL;
	while (i < *argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	*argc = out;
	*cfg = c;
	return 0;
}
