/* lens-learn-view.h — "Watch it learn": a toy model (copy, reverse, sort; Transformer or
 * GRU with a chosen score function) trains on a worker thread while the probe input's
 * cross-attention and the loss curve update every few steps; Stop, Resume, Reseed. */
#pragma once

#include "attn-trainer.h"
#include "lens-workbench.h"

G_BEGIN_DECLS

#define LENS_TYPE_LEARN_VIEW (lens_learn_view_get_type ())
G_DECLARE_FINAL_TYPE (LensLearnView, lens_learn_view, LENS, LEARN_VIEW, GtkWidget)

void               lens_learn_view_set_options   (LensLearnView *self, LensViewOptions *options);

/* The next Train starts a new model with these (a run in progress is stopped). */
void               lens_learn_view_configure     (LensLearnView *self, AttnTask task, AttnTrainArch arch,
                                                  AttnScoreKind score, guint64 seed);
void               lens_learn_view_train         (LensLearnView *self);   /* start, or resume */
void               lens_learn_view_stop          (LensLearnView *self);
void               lens_learn_view_reseed        (LensLearnView *self);   /* a new seed, from step 0 */

gboolean           lens_learn_view_is_training   (LensLearnView *self);
gint64             lens_learn_view_get_step      (LensLearnView *self);
gint64             lens_learn_view_get_total_steps (LensLearnView *self);
guint              lens_learn_view_get_n_reports (LensLearnView *self);
guint64            lens_learn_view_get_seed      (LensLearnView *self);
/* The probe's cross-attention at the last report, [layers, heads, target, source], or NULL. */
const AttnWeights *lens_learn_view_get_attention (LensLearnView *self);
/* The fraction of probe rows whose argmax (best layer, heads averaged) is the aligned
 * source position; < 0 for sort (no fixed alignment) or before the first report. */
double             lens_learn_view_get_aligned   (LensLearnView *self, int *best_layer);
/* Seconds of training until the aligned fraction first reached 0.9, or < 0. */
double             lens_learn_view_get_time_to_diagonal (LensLearnView *self);

/* The aligned source position of decoder row `row` for a probe of n digits (+ </s>). */
int                lens_learn_aligned_position   (AttnTask task, int n_digits, int row);

void               lens_learn_view_draw          (LensLearnView *self, cairo_t *cr, double width, double height,
                                                  gboolean for_export);

G_END_DECLS
