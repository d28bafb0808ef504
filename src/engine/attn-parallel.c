/* attn-parallel.c — the engine's worker pool. */
#include "attn-parallel.h"

#include <stdlib.h>

typedef struct {
  GMutex        lock;          /* held by the caller that owns the pool for one loop */
  GMutex        m;
  GCond         wake, finished;
  guint64       generation;    /* bumped for each loop */
  AttnRangeFunc fn;
  gpointer      data;
  int           n;
  gint          next;          /* atomic: the next index to take */
  int           busy;          /* workers still in the current loop (under m) */
  int           n_workers;
  int           wanted;        /* threads wanted, caller included */
} Pool;

static Pool pool;

static void
run_items (void)
{
  for (;;)
    {
      int i = g_atomic_int_add (&pool.next, 1);
      if (i >= pool.n)
        break;
      pool.fn (i, pool.data);
    }
}

static gpointer
worker (gpointer data)
{
  int id = GPOINTER_TO_INT (data);
  guint64 seen = 0;
  for (;;)
    {
      g_mutex_lock (&pool.m);
      while (pool.generation == seen)
        g_cond_wait (&pool.wake, &pool.m);
      seen = pool.generation;
      if (id >= pool.wanted - 1)
        {
          /* not needed for this loop */
          pool.busy--;
          if (pool.busy == 0)
            g_cond_signal (&pool.finished);
          g_mutex_unlock (&pool.m);
          continue;
        }
      g_mutex_unlock (&pool.m);
      run_items ();
      g_mutex_lock (&pool.m);
      pool.busy--;
      if (pool.busy == 0)
        g_cond_signal (&pool.finished);
      g_mutex_unlock (&pool.m);
    }
  return NULL;
}

static gpointer
pool_init (gpointer data)
{
  const char *env = g_getenv ("ATTN_NUM_THREADS");
  int n = env ? atoi (env) : (int) g_get_num_processors ();
  g_mutex_init (&pool.lock);
  g_mutex_init (&pool.m);
  g_cond_init (&pool.wake);
  g_cond_init (&pool.finished);
  pool.wanted = CLAMP (n, 1, 256);
  return NULL;
}

static void
ensure_pool (void)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, pool_init, NULL);
}

int
attn_parallel_get_threads (void)
{
  ensure_pool ();
  return g_atomic_int_get (&pool.wanted);
}

void
attn_parallel_set_threads (int n)
{
  ensure_pool ();
  g_atomic_int_set (&pool.wanted, CLAMP (n, 1, 256));
}

void
attn_parallel_for (int n, AttnRangeFunc fn, gpointer data)
{
  int wanted;
  ensure_pool ();
  wanted = g_atomic_int_get (&pool.wanted);
  if (n < 2 || wanted < 2 || !g_mutex_trylock (&pool.lock))
    {
      for (int i = 0; i < n; i++)
        fn (i, data);
      return;
    }
  g_mutex_lock (&pool.m);
  while (pool.n_workers < wanted - 1)
    {
      g_thread_unref (g_thread_new ("attn-worker", worker, GINT_TO_POINTER (pool.n_workers)));
      pool.n_workers++;
    }
  pool.fn = fn;
  pool.data = data;
  pool.n = n;
  g_atomic_int_set (&pool.next, 0);
  pool.busy = pool.n_workers;
  pool.wanted = wanted;
  pool.generation++;
  g_cond_broadcast (&pool.wake);
  g_mutex_unlock (&pool.m);

  run_items ();

  g_mutex_lock (&pool.m);
  while (pool.busy > 0)
    g_cond_wait (&pool.finished, &pool.m);
  g_mutex_unlock (&pool.m);
  g_mutex_unlock (&pool.lock);
}
