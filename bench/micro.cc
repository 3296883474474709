// micro.cc - registers the C bodies of micro_bodies.c with Google Benchmark.
//
// One binary for every allocator: run it as is for glibc, or with
// LD_PRELOAD=.../libkalloc.so (libjemalloc.so.2, libmimalloc.so.2,
// libtcmalloc_minimal.so.4) for the others.  bench/compare does that,
// interleaved.
//
//   bench/micro --benchmark_filter='malloc_pair/64$'
//   bench/micro --mb-run=malloc_pair:64:1000000      (one body, no framework:
//       for valgrind --tool=callgrind --toggle-collect=mb_measured)
//
// Reported time is per operation: one malloc+free pair, one object of a
// batch (allocated and freed), one whole realloc growth sequence, one object
// crossing threads.  With ->Threads(n) and UseRealTime the time is the wall
// time divided by the operations of all n threads: perfect scaling on n free
// cores divides the one-thread figure by n (CPU time stays per operation).

#include "shim.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using kbench::run_body;

constexpr int64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// ----------------------------------------------------------------- pairs --

void malloc_pair(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	run_body(state, mb_malloc_pair, st, st.size >= 256 * KiB ? 16 : 1000);
}
// Every power of two from 8 B to 4 MiB (the slab classes, the buddy orders)
BENCHMARK(malloc_pair)->RangeMultiplier(2)->Range(8, 4 * MiB);
// and sizes that fall between classes.
BENCHMARK(malloc_pair)->Arg(24)->Arg(40)->Arg(100)->Arg(200)->Arg(1000)
	->Arg(3000)->Arg(5000)->Arg(10000)->Arg(100000)->Arg(1000000);

// The same pair on 1, 2 and 4 threads: allocator scaling.
void malloc_pair_mt(benchmark::State &state)
{
	malloc_pair(state);
}
BENCHMARK(malloc_pair_mt)->Arg(16)->Arg(64)->Arg(256)->Arg(4096)
	->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// Large sizes, writing every page: what a program that uses its buffer pays
// (page faults, zeroing, giving memory back and taking it again).
void malloc_pair_touch(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	run_body(state, mb_malloc_pair_touch, st, 1);
}
BENCHMARK(malloc_pair_touch)->Arg(64 * KiB)->Arg(256 * KiB)->Arg(1 * MiB)
	->Arg(4 * MiB)->Arg(8 * MiB)->Arg(64 * MiB)->Arg(256 * MiB)
	->Unit(benchmark::kMicrosecond);

void calloc_pair(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	run_body(state, mb_calloc_pair, st, st.size >= 64 * KiB ? 16 : 1000);
}
BENCHMARK(calloc_pair)->Arg(16)->Arg(256)->Arg(4096)->Arg(64 * KiB)->Arg(1 * MiB);

void aligned_pair(benchmark::State &state)
{
	mb_state st{};
	st.align = static_cast<size_t>(state.range(0));
	st.size = static_cast<size_t>(state.range(1));
	run_body(state, mb_aligned_pair, st, 1000);
}
BENCHMARK(aligned_pair)->ArgNames({"align", "size"})
	->Args({64, 64})->Args({64, 256})->Args({4096, 4096})->Args({4096, 16384});

// --------------------------------------------------------------- batches --

void batch(benchmark::State &state, int order)
{
	kbench::run_batch(state, mb_batch, order);
}
void batch_same(benchmark::State &state) { batch(state, MB_SAME); }
void batch_reverse(benchmark::State &state) { batch(state, MB_REVERSE); }
void batch_random(benchmark::State &state) { batch(state, MB_RANDOM); }

#define BATCH_ARGS ArgNames({"size", "n"}) \
	->Args({16, 1000})->Args({64, 1000})->Args({256, 1000}) \
	->Args({4096, 1000})->Args({64, 100000})
BENCHMARK(batch_same)->BATCH_ARGS;
BENCHMARK(batch_reverse)->BATCH_ARGS;
BENCHMARK(batch_random)->BATCH_ARGS;

void batch_random_mt(benchmark::State &state) { batch(state, MB_RANDOM); }
BENCHMARK(batch_random_mt)->ArgNames({"size", "n"})->Args({64, 1000})
	->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// --------------------------------------------------------------- realloc --

void realloc_double(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	run_body(state, mb_realloc_double, st, 1);
}
// from 64 B, doubling, to 64 MiB; only the last byte of each step written
BENCHMARK(realloc_double)->Arg(64 * KiB)->Arg(64 * MiB)->Unit(benchmark::kMicrosecond);

void realloc_double_touch(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	st.touch = 1;
	run_body(state, mb_realloc_double, st, 1);
}
// the buffer is filled as it grows (one byte per new page); 1 GiB is the
// twin of kapi's vrealloc_double_touch
BENCHMARK(realloc_double_touch)->Arg(64 * MiB)->Arg(1 * GiB)
	->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------- cross-thread --

// Even threads allocate into a ring, odd threads free what they pop.
void xthread_free(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	kbench::run_body_rings(state, mb_xthread_free, st, 256);
}
BENCHMARK(xthread_free)->Arg(64)->Arg(1024)->Threads(2)->Threads(4)->UseRealTime();

// ------------------------------------------------- one body, no framework --

// --mb-run=NAME:SIZE:ITERS[:N[:ORDER[:ALIGN]]]: warm up with ITERS/10, then
// run ITERS through mb_measured() (the function callgrind toggles on) and
// print the sink.  For instruction counts that do not depend on timing.
int mb_run(const char *spec)
{
	char name[64] = "";
	unsigned long long size = 0, iters = 0, n = 0, order = 0, align = 16;
	int got = std::sscanf(spec, "%63[^:]:%llu:%llu:%llu:%llu:%llu", name,
			      &size, &iters, &n, &order, &align);
	mb_body *body = got >= 3 ? mb_body_by_name(name) : nullptr;

	if (!body || !size || !iters) {
		std::fprintf(stderr, "micro: --mb-run=NAME:SIZE:ITERS[:N[:ORDER[:ALIGN]]]"
			     " (NAME: malloc_pair, malloc_pair_touch, calloc_pair,"
			     " aligned_pair, batch, realloc_double)\n");
		return 2;
	}
	mb_state st{};
	st.size = size;
	st.n = n ? n : 1000;
	st.order = static_cast<int>(order);
	st.align = align;
	st.threads = 1;
	if (mb_prepare(&st))
		return 1;
	body(iters / 10 ? iters / 10 : 1, &st);	// warm-up: not in mb_measured
	st.sink = 0;
	mb_measured(body, iters, &st);
	std::printf("mb-run %s size=%llu iters=%llu sink=%lx failed=%d\n", name,
		    size, iters, static_cast<unsigned long>(st.sink), st.failed);
	mb_release(&st);
	return st.failed ? 1 : 0;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc > 1 && !std::strncmp(argv[1], "--mb-run=", 9))
		return mb_run(argv[1] + 9);
	kbench::add_context();
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
