/*
 * lib/json.h - a small JSON writer for the reports' machine-readable form
 * (kalloc_report(out, "json:..."), KALLOC_STATS_FORMAT=json).
 *
 * Members are written in order, each container opened and closed by the
 * caller; the writer puts the commas, the quotes, the escapes and one
 * member a line (a container opened "inline" keeps its members on one
 * line: arrays of numbers).  Numbers are integers: bytes, pages, counts.
 * Nothing is allocated; the FILE may be.
 */
#ifndef KALLOC_JSON_H
#define KALLOC_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	8

struct json {
	FILE *out;
	unsigned int depth;
	bool first;			/* the next member is its container's first */
	bool inline_[JSON_MAX_DEPTH];	/* the containers kept on one line */
	char closer[JSON_MAX_DEPTH];	/* '}' or ']' for each open container */
};

/* "key": (or nothing in an array, @key NULL), after a comma if needed */
void json_key(struct json *j, const char *key) __attribute__((visibility("hidden")));
/* { or [ after the key; @oneline keeps its members on one line */
void json_open(struct json *j, const char *key, char bracket, bool oneline)
	__attribute__((visibility("hidden")));
void json_close(struct json *j) __attribute__((visibility("hidden")));
void json_str(struct json *j, const char *key, const char *s) __attribute__((visibility("hidden")));
void json_u64(struct json *j, const char *key, unsigned long long v)
	__attribute__((visibility("hidden")));
void json_s64(struct json *j, const char *key, long long v) __attribute__((visibility("hidden")));
void json_bool(struct json *j, const char *key, bool v) __attribute__((visibility("hidden")));

static inline void json_object(struct json *j, const char *key)
{
	json_open(j, key, '{', false);
}

static inline void json_array(struct json *j, const char *key, bool oneline)
{
	json_open(j, key, '[', oneline);
}

#endif /* KALLOC_JSON_H */
