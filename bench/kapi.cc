// kapi.cc - registers the kernel-API bodies of kapi.c with Google Benchmark.
//
// bench/kapi links libkalloc (-lkalloc) and calls kmalloc/kfree,
// kmem_cache_alloc/free, vmalloc/vfree and vrealloc directly: the
// benchmarks of the slab and vmalloc layers.  Each has a twin in
// bench/micro with the same pattern through malloc/realloc/free, which
// bench/compare runs under glibc, jemalloc, ... and prints beside it:
//
//   kmalloc_pair/N              <->  malloc_pair/N
//   kmalloc_pair_mt/N/...       <->  malloc_pair_mt/N/...
//   kmem_cache_pair/N           <->  malloc_pair/N
//   kmalloc_batch_*/size/n      <->  batch_*/size/n
//   kmalloc_xthread/N/...       <->  xthread_free/N/...
//   vmalloc_touch/N             <->  malloc_pair_touch/N
//   vrealloc_double_touch/N     <->  realloc_double_touch/N

#include "shim.h"
#include "kapi.h"

#include <cstdlib>

namespace {

using kbench::run_body;

constexpr int64_t MiB = 1024 * 1024, GiB = 1024 * MiB;

void kmalloc_pair(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	run_body(state, ka_kmalloc_pair, st, 1000);
}
BENCHMARK(kmalloc_pair)->Arg(8)->Arg(64)->Arg(256)->Arg(1024)->Arg(4096);

void kmalloc_pair_mt(benchmark::State &state)
{
	kmalloc_pair(state);
}
BENCHMARK(kmalloc_pair_mt)->Arg(64)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void kmem_cache_pair(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	kbench::run_body_shared(
		state, ka_kmem_cache_pair, st, 1000,
		[](benchmark::State &s) { return ka_cache_create(static_cast<unsigned>(s.range(0))); },
		[](mb_state &s, void *cache) { s.ctx = cache; },
		[](void *cache) { ka_cache_destroy(cache); });
}
BENCHMARK(kmem_cache_pair)->Arg(64);

void kmalloc_batch(benchmark::State &state, int order)
{
	kbench::run_batch(state, ka_kmalloc_batch, order);
}
void kmalloc_batch_same(benchmark::State &s) { kmalloc_batch(s, MB_SAME); }
void kmalloc_batch_reverse(benchmark::State &s) { kmalloc_batch(s, MB_REVERSE); }
void kmalloc_batch_random(benchmark::State &s) { kmalloc_batch(s, MB_RANDOM); }
BENCHMARK(kmalloc_batch_same)->ArgNames({"size", "n"})->Args({64, 1000});
BENCHMARK(kmalloc_batch_reverse)->ArgNames({"size", "n"})->Args({64, 1000});
BENCHMARK(kmalloc_batch_random)->ArgNames({"size", "n"})->Args({64, 1000});

void kmalloc_xthread(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	kbench::run_body_rings(state, ka_kmalloc_xthread, st, 256);
}
BENCHMARK(kmalloc_xthread)->Arg(64)->Threads(2)->Threads(4)->UseRealTime();

void vmalloc_touch(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	run_body(state, ka_vmalloc_touch, st, 1);
}
BENCHMARK(vmalloc_touch)->Arg(8 * MiB)->Arg(64 * MiB)->Arg(256 * MiB)
	->Unit(benchmark::kMicrosecond);

void vrealloc_double_touch(benchmark::State &state)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	run_body(state, ka_vrealloc_double_touch, st, 1);
}
BENCHMARK(vrealloc_double_touch)->Arg(64 * MiB)->Arg(1 * GiB)
	->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char **argv)
{
	benchmark::AddCustomContext("api", "kalloc kernel-style API (-lkalloc)");
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
