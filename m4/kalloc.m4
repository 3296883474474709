# AX_KALLOC_CHECK_GLIBC: kalloc's preload glue relies on glibc's ABI.
AC_DEFUN([AX_KALLOC_CHECK_GLIBC], [
  AC_MSG_CHECKING([for glibc 2.28 or later])
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <features.h>]], [[
#if !defined(__GLIBC__) || __GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 28)
#error too old
#endif
  ]])], [AC_MSG_RESULT([yes])],
  [AC_MSG_RESULT([no])
   AC_MSG_ERROR([kalloc needs glibc 2.28 or later])])
])
