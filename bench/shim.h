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
// released after it; attach(st) runs before each call.  A body that saw
// wrong data marks the run as an error (after the loop: in a multi-threaded
// run the partners must finish theirs).
template <typename Attach>
inline void run_body_with(benchmark::State &state, mb_body *body, mb_state &st, uint64_t batch,
			  Attach attach)
{
	st.thread_index = state.thread_index();
	st.threads = state.threads();
	if (mb_prepare(&st)) {
		std::abort();	// no memory for the scratch: nothing to measure
	}
	while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(batch))) {
		attach(st);
		body(batch, &st);
	}
	benchmark::DoNotOptimize(st.sink);
	benchmark::ClobberMemory();
	state.SetItemsProcessed(state.iterations());
	if (st.failed)
		state.SkipWithError("data mismatch or allocation failure");
	mb_release(&st);
}

inline void run_body(benchmark::State &state, mb_body *body, mb_state &st, uint64_t batch)
{
	run_body_with(state, body, st, batch, [](mb_state &) {});
}

// The same for bodies whose threads share one object (a ring of pointers,
// a kmem_cache): thread 0 makes it with make() before the start barrier
// and destroys it after the stop barrier; every thread hands it to its
// state with attach(st, obj) inside the loop, after the start barrier that
// KeepRunningBatch() holds the others at.
template <typename Make, typename Attach, typename Destroy>
inline void run_body_shared(benchmark::State &state, mb_body *body, mb_state &st,
			    uint64_t batch, Make make, Attach attach, Destroy destroy)
{
	static void *shared;

	if (state.thread_index() == 0) {
		shared = make(state);
		if (!shared)
			std::abort();
	}
	run_body_with(state, body, st, batch, [&](mb_state &s) { attach(s, shared); });
	if (state.thread_index() == 0) {
		destroy(shared);
		shared = nullptr;
	}
}

// A cross-thread body: its threads share rings of pointers (mb_shared).
inline void run_body_rings(benchmark::State &state, mb_body *body, mb_state &st, uint64_t batch)
{
	run_body_shared(
		state, body, st, batch,
		[](benchmark::State &s) { return static_cast<void *>(mb_shared_create(s.threads(), 1024)); },
		[](mb_state &s, void *rings) { s.shared = static_cast<mb_shared *>(rings); },
		[](void *rings) { mb_shared_destroy(static_cast<mb_shared *>(rings)); });
}

// One object of a batch: state.range(0) bytes, state.range(1) objects,
// freed in `order` (enum mb_order).
inline void run_batch(benchmark::State &state, mb_body *body, int order)
{
	mb_state st{};
	st.size = static_cast<size_t>(state.range(0));
	st.n = static_cast<size_t>(state.range(1));
	st.order = order;
	run_body(state, body, st, st.n);
}

// The allocator this process runs on, for the JSON context.
inline void add_context(void)
{
	const char *pre = std::getenv("LD_PRELOAD");

	benchmark::AddCustomContext("ld_preload", pre && *pre ? pre : "(none: glibc)");
}

} // namespace kbench

#endif // KALLOC_BENCH_SHIM_H
