// tests/test_cxx.cc - the C++ operator new/delete family of libkalloc.so
// (preload/new.c), run under LD_PRELOAD by tests/test_preload.sh.
//
// Checks that every operator is kalloc's (the memory lies in kalloc's
// windows), that the aligned ones align, that a failing throwing new
// throws std::bad_alloc (thrown from C through libstdc++'s
// std::__throw_bad_alloc), that the new-handler is called and honoured
// (one that frees memory lets the retry succeed; one that gives up lets
// bad_alloc through), and that the nothrow forms return nullptr.
// Exits 0 when all is well, 1 with a message otherwise.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>
#include <dlfcn.h>

static int failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			std::fprintf(stderr, "test_cxx: %s:%d: %s\n",	\
				     __FILE__, __LINE__, #cond);	\
			failures++;					\
		}							\
	} while (0)

static unsigned long (*k_virt_to_pfn)(const void *);
static unsigned long (*k_max_pfn)();
static int (*k_is_vmalloc_addr)(const void *);

static bool kalloc_has(const void *p)
{
	return k_virt_to_pfn(p) < k_max_pfn() || k_is_vmalloc_addr(p);
}

// Sizes the compiler cannot see through (so it keeps every new/delete).
static std::size_t opaque(std::size_t n)
{
	__asm__ volatile("" : "+r"(n));
	return n;
}

static const std::size_t huge = std::size_t(1) << 62;

struct alignas(256) Aligned256 {
	char c[300];
};

struct alignas(8192) Aligned8k {
	char c[10];
};

static void test_plain()
{
	char *a = new char[opaque(100)];
	int *b = new int(42);
	CHECK(kalloc_has(a));
	CHECK(kalloc_has(b));
	std::memset(a, 1, 100);
	delete[] a;
	delete b;

	// operator new(0) is a unique pointer
	void *z1 = ::operator new(opaque(0));
	void *z2 = ::operator new(opaque(0));
	CHECK(z1 && z2 && z1 != z2);
	::operator delete(z1);
	::operator delete(z2, std::size_t(0));	// sized

	for (std::size_t n : { std::size_t(1), std::size_t(8192), std::size_t(8193),
			       std::size_t(5) << 20 }) {
		void *p = ::operator new(opaque(n));
		CHECK(kalloc_has(p));
		std::memset(p, 2, n);
		::operator delete(p, n);
		p = ::operator new[](opaque(n));
		CHECK(kalloc_has(p));
		::operator delete[](p, n);
	}
	// nothrow forms that succeed
	void *p = ::operator new(opaque(64), std::nothrow);
	CHECK(p && kalloc_has(p));
	::operator delete(p, std::nothrow);
	p = ::operator new[](opaque(64), std::nothrow);
	CHECK(p && kalloc_has(p));
	::operator delete[](p, std::nothrow);
}

static void test_aligned()
{
	Aligned256 *x = new Aligned256;
	CHECK(reinterpret_cast<std::uintptr_t>(x) % 256 == 0);
	CHECK(kalloc_has(x));
	delete x;
	Aligned8k *y = new Aligned8k[3];
	CHECK(reinterpret_cast<std::uintptr_t>(y) % 8192 == 0);
	CHECK(kalloc_has(y));
	delete[] y;

	for (std::size_t al = 16; al <= (std::size_t(4) << 20); al <<= 1) {
		std::align_val_t a{al};
		void *p = ::operator new(opaque(al / 2 + 1), a);
		CHECK(reinterpret_cast<std::uintptr_t>(p) % al == 0);
		CHECK(kalloc_has(p));
		::operator delete(p, a);
		p = ::operator new[](opaque(3 * al), a);
		CHECK(reinterpret_cast<std::uintptr_t>(p) % al == 0);
		::operator delete[](p, 3 * al, a);	// sized aligned
		p = ::operator new(opaque(al), a, std::nothrow);
		CHECK(p && reinterpret_cast<std::uintptr_t>(p) % al == 0);
		::operator delete(p, a, std::nothrow);
		p = ::operator new[](opaque(al), a, std::nothrow);
		CHECK(p && reinterpret_cast<std::uintptr_t>(p) % al == 0);
		::operator delete[](p, a, std::nothrow);
		p = ::operator new(opaque(al), a);
		::operator delete(p, al, a);
		p = ::operator new[](opaque(al), a);
		::operator delete[](p, a);
	}
	// a non-power-of-two alignment fails as an allocation does
	bool threw = false;
	try {
		void *p = ::operator new(opaque(16), std::align_val_t{opaque(24)});
		::operator delete(p);
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);
	CHECK(::operator new(opaque(16), std::align_val_t{opaque(24)}, std::nothrow) == nullptr);
}

static void test_bad_alloc()
{
	bool threw = false;
	try {
		char *p = new char[opaque(huge)];
		p[0] = 1;
		delete[] p;
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);

	threw = false;
	try {
		void *p = ::operator new(opaque(huge));
		::operator delete(p);
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);

	threw = false;
	try {
		void *p = ::operator new(opaque(huge), std::align_val_t{64});
		::operator delete(p, std::align_val_t{64});
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);

	CHECK(::operator new(opaque(huge), std::nothrow) == nullptr);
	CHECK(::operator new[](opaque(huge), std::nothrow) == nullptr);
	CHECK(::operator new(opaque(huge), std::align_val_t{128}, std::nothrow) == nullptr);
	CHECK(::operator new[](opaque(huge), std::align_val_t{128}, std::nothrow) == nullptr);
	CHECK(new (std::nothrow) char[opaque(huge)] == nullptr);
}

// The new-handler: called on failure, and the retry follows it.
static int handler_calls;
static void *reserve;

static void giving_up_handler()
{
	handler_calls++;
	std::set_new_handler(nullptr);	// next failure: bad_alloc
}

// Frees a reserve so that the retry succeeds.
static void relenting_handler()
{
	handler_calls++;
	std::free(reserve);
	reserve = nullptr;
}

// On a small machine (the script sets KALLOC_OPTIONS=mem=64M) a 40 MiB
// request fails while a 40 MiB reserve is held; the handler frees the
// reserve and the retry inside operator new succeeds.
static void test_relenting_handler()
{
	const char *opts = std::getenv("KALLOC_OPTIONS");
	bool small = opts && std::strstr(opts, "mem=64M");
	const std::size_t n = std::size_t(40) << 20;

	reserve = std::malloc(opaque(n));
	CHECK(reserve != nullptr);
	std::memset(reserve, 1, n);
	handler_calls = 0;
	std::set_new_handler(relenting_handler);
	char *p = nullptr;
	try {
		p = static_cast<char *>(::operator new(opaque(n)));
	} catch (const std::bad_alloc &) {
	}
	CHECK(p != nullptr);
	if (p) {
		CHECK(kalloc_has(p));
		std::memset(p, 2, n);
	}
	if (small)
		CHECK(handler_calls == 1);
	::operator delete(p);
	std::free(reserve);
	reserve = nullptr;
	std::set_new_handler(nullptr);
}

static void test_new_handler()
{
	handler_calls = 0;
	std::set_new_handler(giving_up_handler);
	bool threw = false;
	try {
		void *p = ::operator new(opaque(huge));
		::operator delete(p);
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);
	CHECK(handler_calls == 1);
	CHECK(std::get_new_handler() == nullptr);

	// nothrow new asks the handler too, then gives nullptr
	handler_calls = 0;
	std::set_new_handler(giving_up_handler);
	CHECK(::operator new(opaque(huge), std::nothrow) == nullptr);
	CHECK(handler_calls == 1);

	// a handler that keeps failing is called again and again until it stops
	static int budget;
	budget = 5;
	handler_calls = 0;
	std::set_new_handler([] {
		handler_calls++;
		if (--budget == 0)
			std::set_new_handler(nullptr);
	});
	threw = false;
	try {
		void *p = ::operator new[](opaque(huge));
		::operator delete[](p);
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);
	CHECK(handler_calls == 5);

	// a handler that throws its own bad_alloc: it goes through new
	std::set_new_handler([] { throw std::bad_alloc(); });
	threw = false;
	try {
		void *p = ::operator new(opaque(huge), std::align_val_t{4096});
		::operator delete(p);
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);
	std::set_new_handler(nullptr);
}

// Ordinary C++ work: containers, strings, exceptions, all on kalloc.
static void test_containers()
{
	std::unordered_map<std::string, std::vector<int>> m;
	for (int i = 0; i < 20000; i++)
		m[std::to_string(i * 7919)].push_back(i);
	long sum = 0;
	for (auto &kv : m)
		for (int v : kv.second)
			sum += v;
	CHECK(sum == 20000L * 19999 / 2);
	std::string s;
	for (int i = 0; i < 100000; i++)
		s += char('a' + i % 26);
	CHECK(s.size() == 100000);
	CHECK(kalloc_has(s.data()));
	m.clear();
}

int main()
{
	k_virt_to_pfn = reinterpret_cast<unsigned long (*)(const void *)>(dlsym(RTLD_DEFAULT, "virt_to_pfn"));
	k_max_pfn = reinterpret_cast<unsigned long (*)()>(dlsym(RTLD_DEFAULT, "kalloc_max_pfn"));
	k_is_vmalloc_addr = reinterpret_cast<int (*)(const void *)>(dlsym(RTLD_DEFAULT, "is_vmalloc_addr"));
	if (!k_virt_to_pfn || !k_max_pfn || !k_is_vmalloc_addr) {
		std::fprintf(stderr, "test_cxx: kalloc's API is not there: run me under LD_PRELOAD=libkalloc.so\n");
		return 1;
	}
	test_plain();
	test_aligned();
	test_bad_alloc();
	test_new_handler();
	test_relenting_handler();
	test_containers();
	if (failures) {
		std::fprintf(stderr, "test_cxx: %d check(s) failed\n", failures);
		return 1;
	}
	std::printf("test_cxx: all checks passed\n");
	return 0;
}
