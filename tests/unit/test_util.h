/*
 * test_util.h — what every cmocka test program here includes: cmocka's required headers in
 * the required order, and a helper to run a table of cases.
 */
#ifndef TRACKGEN_TEST_UTIL_H
#define TRACKGEN_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#endif
