/*
 * preload/new.c - the C++ operator new/delete family, in C, by the names
 * the Itanium C++ ABI gives them on x86_64 (size_t is 'm'):
 *
 *	_Znwm, _Znam				new, new[]
 *	_ZnwmRKSt9nothrow_t, _ZnamRKSt9nothrow_t	nothrow
 *	_ZnwmSt11align_val_t, _ZnamSt11align_val_t	aligned (C++17)
 *	..St11align_val_tRKSt9nothrow_t		aligned nothrow
 *	_ZdlPv, _ZdaPv				delete, delete[]
 *	_ZdlPvm, _ZdaPvm			sized (C++14)
 *	_ZdlPvRKSt9nothrow_t, _ZdaPvRKSt9nothrow_t	nothrow
 *	_ZdlPvSt11align_val_t, _ZdaPvSt11align_val_t	aligned
 *	_ZdlPvmSt11align_val_t, _ZdaPvmSt11align_val_t	sized aligned
 *	..PvSt11align_val_tRKSt9nothrow_t	aligned nothrow
 *
 * No libstdc++ is linked: a C program loading kalloc must not pull in the
 * C++ runtime.  What the standard asks of a failing new is done through
 * two weak references to libstdc++, resolved when the program has it:
 *
 *	loop {
 *		h = std::get_new_handler()	(_ZSt15get_new_handlerv)
 *		no handler: nothrow -> NULL;
 *			    else throw std::bad_alloc (std::__throw_bad_alloc(),
 *			    _ZSt17__throw_bad_allocv); no libstdc++ -> abort
 *		h(), and try again
 *	}
 *
 * The exception unwinds through these C frames by their .eh_frame (gcc's
 * default -fasynchronous-unwind-tables on x86_64; they need no cleanups).
 *
 * Limits, both documented in docs/:
 *  - a new-handler that throws inside a nothrow new cannot be caught in C:
 *    the exception leaves the nothrow operator (libstdc++ would catch it
 *    and return NULL);
 *  - the weak references are bound when kalloc is loaded: a libstdc++ that
 *    arrives later with dlopen(RTLD_LOCAL) is not seen, and a failing
 *    throwing new there aborts with a message instead of throwing.
 *
 * A non-power-of-two alignment fails like an allocation (libstdc++ throws
 * bad_alloc without asking the handler).  Deletes are free(): the size and
 * alignment are promises kalloc does not need.
 */
#include "glue.h"

typedef void (*new_handler_t)(void);

extern new_handler_t _ZSt15get_new_handlerv(void) __attribute__((weak));
extern void _ZSt17__throw_bad_allocv(void) __attribute__((weak, noreturn));

/* The operators' prototypes, to keep -Wmissing-prototypes quiet. */
void *_Znwm(size_t size);
void *_Znam(size_t size);
void *_ZnwmRKSt9nothrow_t(size_t size, const void *nt);
void *_ZnamRKSt9nothrow_t(size_t size, const void *nt);
void *_ZnwmSt11align_val_t(size_t size, size_t align);
void *_ZnamSt11align_val_t(size_t size, size_t align);
void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t align, const void *nt);
void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t align, const void *nt);
void _ZdlPv(void *p);
void _ZdaPv(void *p);
void _ZdlPvm(void *p, size_t size);
void _ZdaPvm(void *p, size_t size);
void _ZdlPvRKSt9nothrow_t(void *p, const void *nt);
void _ZdaPvRKSt9nothrow_t(void *p, const void *nt);
void _ZdlPvSt11align_val_t(void *p, size_t align);
void _ZdaPvSt11align_val_t(void *p, size_t align);
void _ZdlPvmSt11align_val_t(void *p, size_t size, size_t align);
void _ZdaPvmSt11align_val_t(void *p, size_t size, size_t align);
void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *nt);
void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *nt);

static inline void *new_alloc(size_t size, size_t align, unsigned long caller)
{
	return align ? kalloc_memalign_glibc(align, size, caller) : kalloc_malloc_caller(size, caller);
}

/* The standard's loop for a request that failed once: handler, retry. */
static __noinline __cold void *new_failed(size_t size, size_t align, bool nothrow,
					  unsigned long caller)
{
	for (;;) {
		new_handler_t h = _ZSt15get_new_handlerv ? _ZSt15get_new_handlerv() : NULL;
		void *p;

		if (!h) {
			if (nothrow)
				return NULL;
			if (_ZSt17__throw_bad_allocv)
				_ZSt17__throw_bad_allocv();
			panic("operator new(%zu): out of memory, and no C++ runtime to throw std::bad_alloc",
			      size);
		}
		h();
		p = new_alloc(size, align, caller);
		if (p)
			return p;
	}
}

/* operator new checks the result: no tail call, the caller is passed */
static __always_inline void *new_throw(size_t size)
{
	void *p = __kalloc_malloc_fast(size, _RET_IP_);

	if (likely(p))
		return p;
	return new_failed(size, 0, false, _RET_IP_);
}

static __always_inline void *new_nothrow(size_t size)
{
	void *p = __kalloc_malloc_fast(size, _RET_IP_);

	if (likely(p))
		return p;
	return new_failed(size, 0, true, _RET_IP_);
}

static __noinline __cold void *bad_alignment(size_t size, bool nothrow)
{
	if (nothrow)
		return NULL;
	if (_ZSt17__throw_bad_allocv)
		_ZSt17__throw_bad_allocv();
	panic("operator new(%zu): alignment not a power of two, and no C++ runtime to throw std::bad_alloc",
	      size);
}

static inline void *new_aligned(size_t size, size_t align, bool nothrow, unsigned long caller)
{
	void *p;

	if (unlikely(!align || (align & (align - 1))))
		return bad_alignment(size, nothrow);
	p = kalloc_memalign_glibc(align, size, caller);
	if (likely(p))
		return p;
	return new_failed(size, align, nothrow, caller);
}

/* ------------------------------------------------------------- new -- */

KALLOC_ABI void *_Znwm(size_t size)
{
	return new_throw(size);
}

KALLOC_ABI void *_Znam(size_t size)
{
	return new_throw(size);
}

KALLOC_ABI void *_ZnwmRKSt9nothrow_t(size_t size, const void *nt)
{
	(void)nt;
	return new_nothrow(size);
}

KALLOC_ABI void *_ZnamRKSt9nothrow_t(size_t size, const void *nt)
{
	(void)nt;
	return new_nothrow(size);
}

KALLOC_ABI void *_ZnwmSt11align_val_t(size_t size, size_t align)
{
	return new_aligned(size, align, false, _RET_IP_);
}

KALLOC_ABI void *_ZnamSt11align_val_t(size_t size, size_t align)
{
	return new_aligned(size, align, false, _RET_IP_);
}

KALLOC_ABI void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t align, const void *nt)
{
	(void)nt;
	return new_aligned(size, align, true, _RET_IP_);
}

KALLOC_ABI void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t align, const void *nt)
{
	(void)nt;
	return new_aligned(size, align, true, _RET_IP_);
}

/* ---------------------------------------------------------- delete -- */

/* Reports on a bad pointer name the operator the program called. */
#define delete_fast(p)	__kalloc_free_fast(p, "operator delete", 0)

KALLOC_ABI void _ZdlPv(void *p)
{
	delete_fast(p);
}

KALLOC_ABI void _ZdaPv(void *p)
{
	delete_fast(p);
}

KALLOC_ABI void _ZdlPvm(void *p, size_t size)
{
	(void)size;
	delete_fast(p);
}

KALLOC_ABI void _ZdaPvm(void *p, size_t size)
{
	(void)size;
	delete_fast(p);
}

KALLOC_ABI void _ZdlPvRKSt9nothrow_t(void *p, const void *nt)
{
	(void)nt;
	delete_fast(p);
}

KALLOC_ABI void _ZdaPvRKSt9nothrow_t(void *p, const void *nt)
{
	(void)nt;
	delete_fast(p);
}

KALLOC_ABI void _ZdlPvSt11align_val_t(void *p, size_t align)
{
	(void)align;
	delete_fast(p);
}

KALLOC_ABI void _ZdaPvSt11align_val_t(void *p, size_t align)
{
	(void)align;
	delete_fast(p);
}

KALLOC_ABI void _ZdlPvmSt11align_val_t(void *p, size_t size, size_t align)
{
	(void)size;
	(void)align;
	delete_fast(p);
}

KALLOC_ABI void _ZdaPvmSt11align_val_t(void *p, size_t size, size_t align)
{
	(void)size;
	(void)align;
	delete_fast(p);
}

KALLOC_ABI void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *nt)
{
	(void)align;
	(void)nt;
	delete_fast(p);
}

KALLOC_ABI void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *nt)
{
	(void)align;
	(void)nt;
	delete_fast(p);
}
