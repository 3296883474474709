/*
 * lib/json.c - the JSON writer of the reports (json.h).  No kernel
 * counterpart: the kernel's /proc files are text, and kalloc's reports
 * give the same numbers as JSON for scripts (docs/stats.md, "JSON").
 *
 * Locking: none; a struct json belongs to one report being printed, and
 * reports print with no lock held (vmstat.c).
 */
#include "kernel.h"
#include "json.h"

static void json_newline(struct json *j)
{
	unsigned int i;

	if (j->depth && j->inline_[j->depth - 1]) {
		if (!j->first)
			fputc(' ', j->out);
		return;
	}
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->out);
	json_newline(j);
	j->first = false;
	if (key) {
		json_string(j->out, key);
		fputs(": ", j->out);
	}
}

void json_open(struct json *j, const char *key, char bracket, bool oneline)
{
	if (j->depth)		/* the outermost object has no key */
		json_key(j, key);
	fputc(bracket, j->out);
	BUG_ON(j->depth >= JSON_MAX_DEPTH);
	j->inline_[j->depth] = oneline || (j->depth && j->inline_[j->depth - 1]);
	j->closer[j->depth++] = bracket == '{' ? '}' : ']';
	j->first = true;
}

void json_close(struct json *j)
{
	bool was_inline = j->inline_[--j->depth];
	bool empty = j->first;

	j->first = false;
	if (!was_inline && !empty) {
		unsigned int i;

		fputc('\n', j->out);
		for (i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	fputc(j->closer[j->depth], j->out);
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j->out, s ? s : "");
}

void json_u64(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	fprintf(j->out, "%llu", v);
}

void json_s64(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	fprintf(j->out, "%lld", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->out);
}
