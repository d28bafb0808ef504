/* attn-alloc.h — the engine's large float buffers, kept for reuse.
 *
 * On the virtual machines this project runs on, touching a fresh 4 KiB page costs
 * about 30 µs: a 512-token run that allocated its activations anew would spend more
 * time in page faults than in arithmetic. Buffers from attn_alloc_floats() are
 * therefore placed on transparent huge pages when large, and returned to a bounded
 * pool by attn_free_floats() so that the next run reuses memory already mapped. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* n floats, zeroed when `zero`. Never NULL (aborts only when memory is exhausted, as g_malloc). */
float *attn_alloc_floats (gsize n, gboolean zero);
/* Frees a buffer from attn_alloc_floats() — or any g_malloc'ed pointer, or NULL. */
void   attn_free_floats  (gpointer p);
/* Bytes currently kept for reuse. */
gsize  attn_alloc_pooled_bytes (void);

static inline void
attn_free_floats_ptr (float **p)
{
  attn_free_floats (*p);
}

/* A float buffer variable freed with attn_free_floats() when it goes out of scope. */
#define ATTN_BUF __attribute__ ((cleanup (attn_free_floats_ptr))) float *

G_END_DECLS
