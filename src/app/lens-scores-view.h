/* lens-scores-view.h — "Score functions side by side": one query under additive, dot,
 * general and scaled dot-product scoring; softmax beside sparsemax; local-window and
 * strided masks; and the built-in translators' alignments of one sentence pair. */
#pragma once

#include "lens-scores.h"
#include "lens-workbench.h"

G_BEGIN_DECLS

#define LENS_TYPE_SCORES_VIEW (lens_scores_view_get_type ())
G_DECLARE_FINAL_TYPE (LensScoresView, lens_scores_view, LENS, SCORES_VIEW, GtkWidget)

void         lens_scores_view_set_selection  (LensScoresView *self, LensSelection *selection);
void         lens_scores_view_set_options    (LensScoresView *self, LensViewOptions *options);
/* The traced head (borrowed until the next call), its run, and the model that made it. */
void         lens_scores_view_set_trace      (LensScoresView *self, const AttnHeadTrace *trace,
                                              AttnResult *result, AttnModel *model, const char *message);
/* The sentence pair the translators are compared on (NULL: an example). */
void         lens_scores_view_set_pair       (LensScoresView *self, const char *source, const char *target);
/* Rescans the models folder for translators. */
void         lens_scores_view_rescan         (LensScoresView *self);

/* For tests and screenshots. */
gboolean     lens_scores_view_has_scores     (LensScoresView *self);
const LensScoreParams *lens_scores_view_get_params (LensScoresView *self);
/* The softmax and sparsemax of the scaled dot-product scores of the selected query: [n]. */
const float *lens_scores_view_get_sparsemax  (LensScoresView *self, int *n);
/* The text shown where the translators' alignments go (a placeholder), or NULL. */
const char  *lens_scores_view_get_alignment_message (LensScoresView *self);
int          lens_scores_view_get_n_alignments (LensScoresView *self);
gboolean     lens_scores_view_is_busy        (LensScoresView *self);
/* Draws the three parts stacked, as the page shows them. */
void         lens_scores_view_draw           (LensScoresView *self, cairo_t *cr, double width, double height,
                                              gboolean for_export);

G_END_DECLS
