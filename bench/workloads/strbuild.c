/*
 * strbuild.c - realloc-heavy string building.
 *
 * Keeps `live` strings under construction at once (a serializer writing
 * many fields, a log collector); each step appends 1 .. 64 bytes to a random
 * one with realloc(s, len + piece + 1) - no doubling on the program's side,
 * so the allocator's in-place growth, size classes and moves decide the
 * cost.  A string that reaches its target length (64 B .. 256 KiB,
 * log-uniform) is checked against the hash kept while appending, and freed;
 * a new one takes its place.
 *
 *   strbuild [live=64] [total_bytes=100M] [max_len=256k]
 */
#include "wl.h"

struct sbuf {
	char *s;
	size_t len, target;
	uint64_t hash;		/* FNV-1a of what was appended */
};

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

int main(int argc, char **argv)
{
	long live = wl_arg(argc, argv, 1, 64);
	long long total = wl_arg(argc, argv, 2, 100LL << 20);
	long long maxlen = wl_arg(argc, argv, 3, 256 << 10);
	struct sbuf *b = calloc(live, sizeof(*b));
	uint64_t rng = 42;
	long long appended = 0;
	long done = 0, moved = 0;
	char piece[64];

	wl_name = "strbuild";
	if (!b || maxlen < 64)
		WL_FAIL("setup");
	while (appended < total) {
		struct sbuf *x = &b[wl_rand(&rng) % (uint64_t)live];
		size_t n = 1 + wl_rand(&rng) % 64;
		char *s;

		if (!x->target) {
			x->target = wl_size_log(&rng, 64, (size_t)maxlen);
			x->hash = 0xcbf29ce484222325ULL;
		}
		for (size_t i = 0; i < n; i++)
			piece[i] = (char)('a' + (wl_rand(&rng) >> 59));
		s = realloc(x->s, x->len + n + 1);
		if (!s)
			WL_FAIL("realloc to %zu failed", x->len + n + 1);
		moved += s != x->s && x->s;
		x->s = s;
		memcpy(s + x->len, piece, n);
		x->len += n;
		s[x->len] = '\0';
		x->hash = fnv(x->hash, piece, n);
		appended += (long long)n;
		if (x->len >= x->target) {
			if (strlen(x->s) != x->len || fnv(0xcbf29ce484222325ULL, x->s, x->len) != x->hash)
				WL_FAIL("string of %zu bytes corrupted", x->len);
			free(x->s);
			*x = (struct sbuf){ 0 };
			done++;
		}
	}
	for (long i = 0; i < live; i++) {
		if (b[i].s && fnv(0xcbf29ce484222325ULL, b[i].s, b[i].len) != b[i].hash)
			WL_FAIL("string of %zu bytes corrupted", b[i].len);
		free(b[i].s);
	}
	free(b);
	printf("strbuild: OK appended=%lld strings_done=%ld moves=%ld\n", appended,
	       done, moved);
	return 0;
}
