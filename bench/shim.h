// shim.h - what micro.cc and kapi.cc share: running a C body under Google
// Benchmark.  C++ only in this thin layer; the bodies are C (micro_bodies.c,
// kapi.c).
#ifndef KALLOC_BENCH_SHIM_H
#define KALLOC_BENCH_SHIM_H

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "micro_bodies.h"

namespace kbench {

// Run `body` in calls of `batch` iterations for as long as Google Benchmark
// asks; each call does `batch` operations, so the reported time is per
// operation.  The state's scratch is prepared before the timed region and
// released after it.  A body that saw wrong data marks the run as an error
// (after the loop: in a multi-threaded run the partners must finish theirs).
inline void run_body(benchmark::State &state, mb_body *body, mb_state &st,
		     uint64_t batch)
{
	st.thread_index = state.thread_index();
	st.threads = state.threads();
	if (mb_prepare(&st)) {
		std::abort();	// no memory for the scratch: nothing to measure
	}
	while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(batch)))
		body(batch, &st);
	benchmark::DoNotOptimize(st.sink);
	benchmark::ClobberMemory();
	state.SetItemsProcessed(state.iterations());
	if (st.failed)
		state.SkipWithError("data mismatch or allocation failure");
	mb_release(&st);
}

// The allocator this process runs on, for the JSON context.
inline void add_context(void)
{
	const char *pre = std::getenv("LD_PRELOAD");

	benchmark::AddCustomContext("ld_preload", pre && *pre ? pre : "(none: glibc)");
}

} // namespace kbench

#endif // KALLOC_BENCH_SHIM_H
