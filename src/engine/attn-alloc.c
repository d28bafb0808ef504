/* attn-alloc.c — a bounded pool of large float buffers on huge pages. */
#include "attn-alloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE       ((gsize) 2 << 20)
#define POOL_MIN_BYTES  ((gsize) 64 << 10)    /* smaller ones come from the heap as usual */
#define POOL_CAP_BYTES  ((gsize) 512 << 20)   /* at most this much is kept for reuse */

static GMutex lock;
static GHashTable *owned;      /* buffer → its class size in bytes (for every live pool buffer) */
static GHashTable *free_lists; /* class size → GSList of free buffers */
static gsize pooled;

/* Size classes: powers of two up to 2 MiB, then multiples of 2 MiB. */
static gsize
class_of (gsize bytes)
{
  gsize c = POOL_MIN_BYTES;
  if (bytes > HUGE_PAGE)
    return (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
  while (c < bytes)
    c <<= 1;
  return c;
}

static void
ensure_tables (void)
{
  if (owned == NULL)
    {
      owned = g_hash_table_new (g_direct_hash, g_direct_equal);
      free_lists = g_hash_table_new (g_direct_hash, g_direct_equal);
    }
}

float *
attn_alloc_floats (gsize n, gboolean zero)
{
  gsize bytes = MAX (n, 1) * sizeof (float), cls;
  void *p = NULL;
  GSList *list;

  if (bytes < POOL_MIN_BYTES)
    return zero ? g_malloc0 (bytes) : g_malloc (bytes);
  cls = class_of (bytes);
  g_mutex_lock (&lock);
  ensure_tables ();
  list = g_hash_table_lookup (free_lists, GSIZE_TO_POINTER (cls));
  if (list != NULL)
    {
      p = list->data;
      g_hash_table_insert (free_lists, GSIZE_TO_POINTER (cls), g_slist_delete_link (list, list));
      pooled -= cls;
    }
  g_mutex_unlock (&lock);
  if (p == NULL)
    {
      if (posix_memalign (&p, cls >= HUGE_PAGE ? HUGE_PAGE : 64, cls) != 0)
        g_error ("%s: out of memory allocating %" G_GSIZE_FORMAT " bytes", G_STRLOC, cls);
#ifdef MADV_HUGEPAGE
      if (cls >= HUGE_PAGE)
        madvise (p, cls, MADV_HUGEPAGE);
#endif
      g_mutex_lock (&lock);
      g_hash_table_insert (owned, p, GSIZE_TO_POINTER (cls));
      g_mutex_unlock (&lock);
    }
  if (zero)
    memset (p, 0, bytes);
  return p;
}

void
attn_free_floats (gpointer p)
{
  gsize cls;
  if (p == NULL)
    return;
  g_mutex_lock (&lock);
  cls = owned ? GPOINTER_TO_SIZE (g_hash_table_lookup (owned, p)) : 0;
  if (cls == 0)
    {
      g_mutex_unlock (&lock);
      g_free (p);
      return;
    }
  if (pooled + cls <= POOL_CAP_BYTES)
    {
      GSList *list = g_hash_table_lookup (free_lists, GSIZE_TO_POINTER (cls));
      g_hash_table_insert (free_lists, GSIZE_TO_POINTER (cls), g_slist_prepend (list, p));
      pooled += cls;
      p = NULL;
    }
  else
    g_hash_table_remove (owned, p);
  g_mutex_unlock (&lock);
  free (p);
}

gsize
attn_alloc_pooled_bytes (void)
{
  gsize n;
  g_mutex_lock (&lock);
  n = pooled;
  g_mutex_unlock (&lock);
  return n;
}
