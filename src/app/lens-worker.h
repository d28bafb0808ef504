/* lens-worker.h — loads models and runs them off the main thread.
 *
 * Each job copies its input, runs in a GTask thread with its own GCancellable,
 * and hands its outcome back on the main loop — unless it was cancelled (a
 * newer job of the same sort replaces it) or the owner is gone (GWeakRef). */
#pragma once

#include <gio/gio.h>

#include "attn-model.h"

G_BEGIN_DECLS

#define LENS_TYPE_WORKER (lens_worker_get_type ())
G_DECLARE_FINAL_TYPE (LensWorker, lens_worker, LENS, WORKER, GObject)

/* All three are called on the main loop, with the owner alive. */
typedef void (*LensWorkerProgress)  (gpointer owner, double fraction, const char *what);
typedef void (*LensWorkerModelDone) (gpointer owner, const char *dir, AttnModel *model, const GError *error);
typedef void (*LensWorkerRunDone)   (gpointer owner, AttnModel *model, AttnResult *result, const GError *error);

LensWorker *lens_worker_new          (gpointer owner);
void        lens_worker_load_model   (LensWorker *self, const char *dir, LensWorkerModelDone done);
void        lens_worker_run          (LensWorker *self, AttnModel *model, const AttnInput *input,
                                      const AttnRunOptions *options,
                                      LensWorkerProgress progress, LensWorkerRunDone done);
/* As lens_worker_run(), looking inside one head (AttnRunOptions.trace): `done` gets
 * the filled trace, which it owns (attn_head_trace_clear() and g_free() it). */
typedef void (*LensWorkerTraceDone) (gpointer owner, AttnModel *model, AttnResult *result,
                                     AttnHeadTrace *trace, const GError *error);
void        lens_worker_run_traced   (LensWorker *self, AttnModel *model, const AttnInput *input,
                                      AttnKind kind, int layer, int head, LensWorkerTraceDone done);
void        lens_worker_cancel       (LensWorker *self);
/* Cancels the run in flight only; its thread returns soon after, its result is dropped. */
void        lens_worker_cancel_run   (LensWorker *self);
/* Run threads that have not returned yet, cancelled ones included. */
guint       lens_worker_get_runs_in_flight (LensWorker *self);
gboolean    lens_worker_is_running   (LensWorker *self);
gboolean    lens_worker_is_loading   (LensWorker *self);

G_END_DECLS
