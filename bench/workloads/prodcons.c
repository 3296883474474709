/*
 * prodcons.c - producers allocate, consumers free.
 *
 * P producer threads allocate messages of random sizes (16 .. 512 B), fill
 * them and pass them, 64 to a batch, through one locked queue to C consumer
 * threads, which check and free them.  Every object is freed by another
 * thread than the one that allocated it: the remote-free path of the
 * allocator (SLUB's cmpxchg to the slab's freelist, jemalloc's tcache
 * flush to another arena, mimalloc's thread-delayed free) carries the load.
 * The queue is bounded, so producers wait for slow consumers.
 *
 *   prodcons [producers=2] [consumers=2] [messages=2000000]
 */
#include "wl.h"

#include <pthread.h>

#define BATCH 64
#define QCAP 256

struct msg_batch {
	int n;
	void *msg[BATCH];
	uint32_t size[BATCH];
	uint64_t tag[BATCH];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t nonempty, nonfull;
	struct msg_batch *q[QCAP];
	size_t head, tail;
	int producers_left;
} Q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER, { 0 }, 0, 0, 0 };

static long per_producer;
static long consumed[64], bad[64];

static void put(struct msg_batch *b)
{
	pthread_mutex_lock(&Q.lock);
	while (Q.head - Q.tail == QCAP)
		pthread_cond_wait(&Q.nonfull, &Q.lock);
	Q.q[Q.head++ % QCAP] = b;
	pthread_cond_signal(&Q.nonempty);
	pthread_mutex_unlock(&Q.lock);
}

static struct msg_batch *get(void)
{
	struct msg_batch *b = NULL;

	pthread_mutex_lock(&Q.lock);
	while (Q.head == Q.tail && Q.producers_left)
		pthread_cond_wait(&Q.nonempty, &Q.lock);
	if (Q.head != Q.tail) {
		b = Q.q[Q.tail++ % QCAP];
		pthread_cond_signal(&Q.nonfull);
	}
	pthread_mutex_unlock(&Q.lock);
	return b;
}

static void *producer(void *arg)
{
	long id = (long)arg;
	uint64_t rng = 0xabcdef + id;
	long left = per_producer;

	while (left > 0) {
		struct msg_batch *b = malloc(sizeof(*b));

		if (!b)
			WL_FAIL("out of memory");
		b->n = left < BATCH ? (int)left : BATCH;
		for (int i = 0; i < b->n; i++) {
			size_t size = wl_size(&rng, 16, 512);

			b->msg[i] = malloc(size);
			if (!b->msg[i])
				WL_FAIL("out of memory");
			b->size[i] = (uint32_t)size;
			b->tag[i] = wl_rand(&rng);
			wl_stamp(b->msg[i], size, b->tag[i]);
		}
		left -= b->n;
		put(b);
	}
	pthread_mutex_lock(&Q.lock);
	Q.producers_left--;
	pthread_cond_broadcast(&Q.nonempty);
	pthread_mutex_unlock(&Q.lock);
	return NULL;
}

static void *consumer(void *arg)
{
	long id = (long)arg;
	struct msg_batch *b;

	while ((b = get())) {
		for (int i = 0; i < b->n; i++) {
			if (!wl_check(b->msg[i], b->size[i], b->tag[i]))
				bad[id]++;
			free(b->msg[i]);
		}
		consumed[id] += b->n;
		free(b);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long np = wl_arg(argc, argv, 1, 2), nc = wl_arg(argc, argv, 2, 2);
	long total = wl_arg(argc, argv, 3, 2000000);
	pthread_t tid[128];
	long got = 0, nbad = 0;

	wl_name = "prodcons";
	if (np > 64 || nc > 64)
		WL_FAIL("at most 64 producers and 64 consumers");
	per_producer = total / np;
	Q.producers_left = (int)np;
	for (long i = 0; i < nc; i++)
		pthread_create(&tid[i], NULL, consumer, (void *)i);
	for (long i = 0; i < np; i++)
		pthread_create(&tid[nc + i], NULL, producer, (void *)i);
	for (long i = 0; i < np + nc; i++)
		pthread_join(tid[i], NULL);
	for (long i = 0; i < nc; i++) {
		got += consumed[i];
		nbad += bad[i];
	}
	if (got != per_producer * np)
		WL_FAIL("consumed %ld messages of %ld", got, per_producer * np);
	if (nbad)
		WL_FAIL("%ld messages corrupted", nbad);
	printf("prodcons: OK producers=%ld consumers=%ld messages=%ld\n", np, nc, got);
	return 0;
}
