/* attn-parallel.h — a small pool of worker threads for the engine's own loops
 * (attention heads, element-wise kernels). Idle workers sleep rather than spin, so
 * they do not compete with OpenBLAS's threads on small machines. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*AttnRangeFunc) (int index, gpointer data);

/* Calls fn(i, data) for i in [0, n), spread over the pool and the calling thread;
 * returns when all calls have returned. Runs serially when n < 2, when the pool has
 * one thread, or when another caller is using the pool. */
void attn_parallel_for         (int n, AttnRangeFunc fn, gpointer data);
/* Threads used (the calling thread included); default: the number of processors,
 * or ATTN_NUM_THREADS. */
int  attn_parallel_get_threads (void);
void attn_parallel_set_threads (int n);

G_END_DECLS
