/* lens-worker.c — model loading and runs on GTask threads. */
#include "lens-worker.h"

struct _LensWorker
{
  GObject       parent_instance;
  GWeakRef      owner;
  GCancellable *run_cancellable;    /* the run in flight, or NULL */
  GCancellable *load_cancellable;   /* the load in flight, or NULL */
  guint         runs_in_flight;     /* run threads not yet returned, cancelled ones too */
};

G_DEFINE_FINAL_TYPE (LensWorker, lens_worker, G_TYPE_OBJECT)

/* One job, shared by the thread, the progress messages and the completion. */
typedef struct {
  GWeakRef             owner;
  GCancellable        *cancellable;
  /* load */
  char                *dir;
  LensWorkerModelDone  model_done;
  /* run: the input is copied, the caller's strings may go away */
  AttnModel           *model;
  char                *text, *text_pair, *source, *target, *audio_path;
  gint32              *input_ids, *decoder_ids;
  guint                n_input_ids, n_decoder_ids;
  AttnRunOptions       options;
  LensWorkerProgress   progress;
  LensWorkerRunDone    run_done;
  /* a traced run: the trace lives in the job, the engine fills it on the thread */
  AttnHeadTrace       *trace;
  LensWorkerTraceDone  trace_done;
} Job;

static void
job_clear (Job *job)
{
  g_weak_ref_clear (&job->owner);
  g_clear_object (&job->cancellable);
  g_free (job->dir);
  g_clear_pointer (&job->model, attn_model_unref);
  g_free (job->text);
  g_free (job->text_pair);
  g_free (job->source);
  g_free (job->target);
  g_free (job->audio_path);
  g_free (job->input_ids);
  g_free (job->decoder_ids);
  if (job->trace)
    {
      attn_head_trace_clear (job->trace);
      g_free (job->trace);
    }
}

static Job *
job_new (LensWorker *self, GCancellable *cancellable)
{
  Job *job = g_atomic_rc_box_new0 (Job);
  g_autoptr(GObject) owner = g_weak_ref_get (&self->owner);

  g_weak_ref_init (&job->owner, owner);
  job->cancellable = g_object_ref (cancellable);
  return job;
}

static Job *
job_ref (Job *job)
{
  return g_atomic_rc_box_acquire (job);
}

static void
job_unref (gpointer job)
{
  g_atomic_rc_box_release_full (job, (GDestroyNotify) job_clear);
}

static void
lens_worker_dispose (GObject *object)
{
  LensWorker *self = LENS_WORKER (object);

  lens_worker_cancel (self);
  G_OBJECT_CLASS (lens_worker_parent_class)->dispose (object);
}

static void
lens_worker_finalize (GObject *object)
{
  LensWorker *self = LENS_WORKER (object);

  g_weak_ref_clear (&self->owner);
  G_OBJECT_CLASS (lens_worker_parent_class)->finalize (object);
}

static void
lens_worker_class_init (LensWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lens_worker_dispose;
  object_class->finalize = lens_worker_finalize;
}

static void
lens_worker_init (LensWorker *self)
{
  g_weak_ref_init (&self->owner, NULL);
}

LensWorker *
lens_worker_new (gpointer owner)
{
  LensWorker *self = g_object_new (LENS_TYPE_WORKER, NULL);

  g_weak_ref_set (&self->owner, owner);
  return self;
}

void
lens_worker_cancel (LensWorker *self)
{
  g_return_if_fail (LENS_IS_WORKER (self));

  if (self->run_cancellable)
    g_cancellable_cancel (self->run_cancellable);
  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->load_cancellable);
}

void
lens_worker_cancel_run (LensWorker *self)
{
  g_return_if_fail (LENS_IS_WORKER (self));

  if (self->run_cancellable)
    g_cancellable_cancel (self->run_cancellable);
  g_clear_object (&self->run_cancellable);
}

guint
lens_worker_get_runs_in_flight (LensWorker *self)
{
  return self->runs_in_flight;
}

gboolean
lens_worker_is_running (LensWorker *self)
{
  return self->run_cancellable != NULL;
}

gboolean
lens_worker_is_loading (LensWorker *self)
{
  return self->load_cancellable != NULL;
}

/* ---- loading ---- */

static void
load_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  AttnModel *model = attn_model_load (job->dir, &error);

  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, model, (GDestroyNotify) attn_model_unref);
}

static void
load_done (GObject *object, GAsyncResult *res, gpointer user_data)
{
  LensWorker *self = LENS_WORKER (object);
  Job *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GObject) owner = g_weak_ref_get (&job->owner);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnModel) model = g_task_propagate_pointer (G_TASK (res), &error);

  if (self->load_cancellable == job->cancellable)
    g_clear_object (&self->load_cancellable);

  /* a newer load replaced this one, or nobody is left to show it */
  if (owner == NULL || g_cancellable_is_cancelled (job->cancellable))
    return;
  job->model_done (owner, job->dir, model, error);
}

void
lens_worker_load_model (LensWorker *self, const char *dir, LensWorkerModelDone done)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (LENS_IS_WORKER (self));
  g_return_if_fail (dir != NULL);

  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_set_object (&self->load_cancellable, cancellable);

  job = job_new (self, cancellable);
  job->dir = g_strdup (dir);
  job->model_done = done;

  task = g_task_new (self, cancellable, load_done, NULL);
  g_task_set_source_tag (task, lens_worker_load_model);
  g_task_set_task_data (task, job, job_unref);
  /* a cancelled load still finishes: the callback drops it */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, load_thread);
}

/* ---- running ---- */

typedef struct {
  Job    *job;
  double  fraction;
  char   *what;
} Progress;

static gboolean
progress_on_main (gpointer data)
{
  Progress *p = data;
  g_autoptr(GObject) owner = g_weak_ref_get (&p->job->owner);

  if (owner != NULL && !g_cancellable_is_cancelled (p->job->cancellable) && p->job->progress)
    p->job->progress (owner, p->fraction, p->what);
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *p = data;

  job_unref (p->job);
  g_free (p->what);
  g_free (p);
}

/* called on the worker thread by the engine */
static void
progress_from_thread (double fraction, const char *what, gpointer user_data)
{
  Job *job = user_data;
  Progress *p = g_new0 (Progress, 1);

  p->job = job_ref (job);
  p->fraction = fraction;
  p->what = g_strdup (what);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, progress_on_main, p, progress_free);
}

static void
run_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  AttnInput input = {
    .text = job->text,
    .text_pair = job->text_pair,
    .source = job->source,
    .target = job->target,
    .audio_path = job->audio_path,
    .input_ids = job->input_ids,
    .n_input_ids = job->n_input_ids,
    .decoder_ids = job->decoder_ids,
    .n_decoder_ids = job->n_decoder_ids,
  };
  AttnResult *result;

  result = attn_model_run (job->model, &input, &job->options, cancellable,
                           progress_from_thread, job, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) attn_result_unref);
}

static void
run_done (GObject *object, GAsyncResult *res, gpointer user_data)
{
  LensWorker *self = LENS_WORKER (object);
  Job *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GObject) owner = g_weak_ref_get (&job->owner);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnResult) result = g_task_propagate_pointer (G_TASK (res), &error);

  if (self->run_cancellable == job->cancellable)
    g_clear_object (&self->run_cancellable);
  self->runs_in_flight--;

  if (owner == NULL || g_cancellable_is_cancelled (job->cancellable))
    return;
  if (job->trace_done)
    job->trace_done (owner, job->model, result, result ? g_steal_pointer (&job->trace) : NULL, error);
  else
    job->run_done (owner, job->model, result, error);
}

static void
start_run (LensWorker *self, AttnModel *model, const AttnInput *input, const AttnRunOptions *options,
           LensWorkerProgress progress, LensWorkerRunDone done,
           AttnHeadTrace *trace, LensWorkerTraceDone trace_done)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTask) task = NULL;
  AttnRunOptions defaults = ATTN_RUN_OPTIONS_INIT;
  Job *job;

  g_return_if_fail (LENS_IS_WORKER (self));
  g_return_if_fail (model != NULL);
  g_return_if_fail (input != NULL);

  /* running again cancels the job in flight */
  if (self->run_cancellable)
    g_cancellable_cancel (self->run_cancellable);
  g_set_object (&self->run_cancellable, cancellable);

  job = job_new (self, cancellable);
  job->model = attn_model_ref (model);
  job->text = g_strdup (input->text);
  job->text_pair = g_strdup (input->text_pair);
  job->source = g_strdup (input->source);
  job->target = g_strdup (input->target);
  job->audio_path = g_strdup (input->audio_path);
  if (input->n_input_ids)
    job->input_ids = g_memdup2 (input->input_ids, input->n_input_ids * sizeof (gint32));
  job->n_input_ids = input->n_input_ids;
  if (input->n_decoder_ids)
    job->decoder_ids = g_memdup2 (input->decoder_ids, input->n_decoder_ids * sizeof (gint32));
  job->n_decoder_ids = input->n_decoder_ids;
  job->options = options ? *options : defaults;
  job->progress = progress;
  job->run_done = done;
  job->trace = trace;
  job->trace_done = trace_done;
  if (trace)
    job->options.trace = trace;

  self->runs_in_flight++;
  task = g_task_new (self, cancellable, run_done, NULL);
  g_task_set_source_tag (task, lens_worker_run);
  g_task_set_task_data (task, job, job_unref);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, run_thread);
}

void
lens_worker_run (LensWorker *self, AttnModel *model, const AttnInput *input,
                 const AttnRunOptions *options,
                 LensWorkerProgress progress, LensWorkerRunDone done)
{
  start_run (self, model, input, options, progress, done, NULL, NULL);
}

void
lens_worker_run_traced (LensWorker *self, AttnModel *model, const AttnInput *input,
                        AttnKind kind, int layer, int head, LensWorkerTraceDone done)
{
  AttnHeadTrace *trace = g_new0 (AttnHeadTrace, 1);
  AttnRunOptions options = ATTN_RUN_OPTIONS_INIT;

  trace->kind = kind;
  trace->layer = layer;
  trace->head = head;
  /* the job owns the trace: a cancelled run may still be filling it */
  start_run (self, model, input, &options, NULL, NULL, trace, done);
}
