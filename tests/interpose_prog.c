/*
 * tests/interpose_prog.c - a program that defines functions of its own
 * with the names of kalloc's kernel-style API and exports them (-rdynamic,
 * as programs with plugins and interpreters do).  Under the preload,
 * kalloc's own calls must still reach kalloc's functions: the program's
 * kmalloc() returning NULL must not make malloc() fail.  Run by
 * tests/test_preload.sh, its output compared with glibc's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the program's own functions that happen to share kernel names */
void *page_address(const void *p) { (void)p; return (void *)0x1; }
void get_page(void *p) { (void)p; }
void put_page(void *p) { (void)p; }
void *kmem_cache_create(const char *n, unsigned s, unsigned a, unsigned long f, void *c) { (void)n;(void)s;(void)a;(void)f;(void)c; return NULL; }
void *kmalloc(size_t n, unsigned f) { (void)n; (void)f; return NULL; }
void kfree(const void *p) { (void)p; }
void *vmalloc(unsigned long n) { (void)n; return NULL; }
void vfree(const void *p) { (void)p; }
void free_page(unsigned long a) { (void)a; }
void *kmap(void *p) { (void)p; return NULL; }
unsigned long __get_free_pages(unsigned g, unsigned o) { (void)g; (void)o; return 0; }
void __free_pages(void *p, unsigned o) { (void)p; (void)o; }
void *alloc_pages(unsigned g, unsigned o) { (void)g; (void)o; return NULL; }
int main(void)
{
	size_t sizes[] = { 16, 100, 3000, 9000, 70000, 600000, 5u << 20, 40u << 20 };
	unsigned long sum = 0;
	for (int r = 0; r < 50; r++)
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
			char *p = malloc(sizes[i]);
			if (!p) { printf("malloc(%zu) failed\n", sizes[i]); return 1; }
			memset(p, i, sizes[i]);
			sum += p[sizes[i] - 1];
			p = realloc(p, sizes[i] * 2);
			free(p);
		}
	printf("ok %lu\n", sum);
	return 0;
}
