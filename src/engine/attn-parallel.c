/* attn-parallel.c — the engine's worker pool.
 *
 * Each loop is a reference-counted job. The caller and any worker that wakes in time
 * take indices from the job's counter; the caller returns as soon as every index is
 * done, without waiting for workers that woke too late (on a loaded machine a sleeping
 * worker can take a whole scheduler slice to run): those find nothing left to do and
 * drop their reference. */
#include "attn-parallel.h"

#include <stdlib.h>

typedef struct {
  gint          ref_count;
  AttnRangeFunc fn;
  gpointer      data;
  int           n;
  gint          next;      /* atomic: the next index to take */
  gint          done;      /* atomic: indices finished */
} Job;

typedef struct {
  GMutex   lock;           /* held by the caller that owns the pool for one loop */
  GMutex   m;
  GCond    wake, finished;
  guint64  generation;     /* bumped for each loop */
  Job     *job;            /* the current loop (a reference), under m */
  int      n_workers;
  int      wanted;         /* threads wanted, caller included */
} Pool;

static Pool pool;

static void
job_unref (Job *job)
{
  if (g_atomic_int_dec_and_test (&job->ref_count))
    g_free (job);
}

/* Runs indices until none is left; TRUE when this call finished the last one. */
static gboolean
run_items (Job *job)
{
  gboolean last = FALSE;
  for (;;)
    {
      int i = g_atomic_int_add (&job->next, 1);
      if (i >= job->n)
        break;
      job->fn (i, job->data);
      if (g_atomic_int_add (&job->done, 1) == job->n - 1)
        last = TRUE;
    }
  return last;
}

static gpointer
worker (gpointer data)
{
  int id = GPOINTER_TO_INT (data);
  guint64 seen = 0;
  for (;;)
    {
      Job *job;
      g_mutex_lock (&pool.m);
      while (pool.generation == seen)
        g_cond_wait (&pool.wake, &pool.m);
      seen = pool.generation;
      job = (id < pool.wanted - 1 && pool.job != NULL) ? pool.job : NULL;
      if (job != NULL)
        g_atomic_int_inc (&job->ref_count);
      g_mutex_unlock (&pool.m);
      if (job == NULL)
        continue;
      if (run_items (job))
        {
          g_mutex_lock (&pool.m);
          g_cond_broadcast (&pool.finished);
          g_mutex_unlock (&pool.m);
        }
      job_unref (job);
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
  Job *job;
  ensure_pool ();
  wanted = g_atomic_int_get (&pool.wanted);
  if (n < 2 || wanted < 2 || !g_mutex_trylock (&pool.lock))
    {
      for (int i = 0; i < n; i++)
        fn (i, data);
      return;
    }
  job = g_new0 (Job, 1);
  job->ref_count = 2;          /* the caller's, and the pool's */
  job->fn = fn;
  job->data = data;
  job->n = n;
  g_mutex_lock (&pool.m);
  while (pool.n_workers < wanted - 1)
    {
      g_thread_unref (g_thread_new ("attn-worker", worker, GINT_TO_POINTER (pool.n_workers)));
      pool.n_workers++;
    }
  pool.job = job;
  pool.generation++;
  g_cond_broadcast (&pool.wake);
  g_mutex_unlock (&pool.m);

  run_items (job);

  g_mutex_lock (&pool.m);
  while (g_atomic_int_get (&job->done) < n)
    g_cond_wait (&pool.finished, &pool.m);
  pool.job = NULL;
  g_mutex_unlock (&pool.m);
  job_unref (job);            /* the pool's */
  job_unref (job);            /* the caller's */
  g_mutex_unlock (&pool.lock);
}
