/* test-train-common.h — what the training tests share. */
#pragma once

#include <glib.h>
#include <cblas.h>

#if defined(__SANITIZE_ADDRESS__)
#define TRAIN_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRAIN_TEST_SANITIZED 1
#endif
#endif
#ifndef TRAIN_TEST_SANITIZED
#define TRAIN_TEST_SANITIZED 0
#endif

/* Under AddressSanitizer, multi-threaded OpenBLAS re-maps its buffers on every
 * call and its threads spin while the slower instrumented code runs: the
 * training tests ran 10× slower with 2 threads than with 1 (measured: the
 * learning test > 300 s against 34 s). Sanitized runs check memory, not speed,
 * so they use one thread; normal runs keep OPENBLAS_NUM_THREADS as given. */
static inline void
train_test_init_blas (void)
{
#if TRAIN_TEST_SANITIZED && defined(OPENBLAS_VERSION)
  openblas_set_num_threads (1);
#endif
}
