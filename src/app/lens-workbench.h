/* lens-workbench.h — the teaching workbench, a page of the window.
 *
 * Three sections: how one head computes its weights (LensStepsView), score
 * functions side by side (LensScoresView) and a toy model learning to attend
 * (LensLearnView). The workbench re-runs the window's last input on its own
 * worker with AttnRunOptions.trace to get one head's real q, k and v, and hands
 * that trace to the first two sections. */
#pragma once

#include <gtk/gtk.h>

#include "attn-model.h"
#include "lens-heatmap.h"
#include "lens-selection.h"
#include "lens-view-options.h"

G_BEGIN_DECLS

#define LENS_TYPE_WORKBENCH (lens_workbench_get_type ())
G_DECLARE_FINAL_TYPE (LensWorkbench, lens_workbench, LENS, WORKBENCH, GtkWidget)

typedef struct _LensStepsView  LensStepsView;
typedef struct _LensScoresView LensScoresView;
typedef struct _LensLearnView  LensLearnView;

void            lens_workbench_set_selection   (LensWorkbench *self, LensSelection *selection);
void            lens_workbench_set_options     (LensWorkbench *self, LensViewOptions *options);
/* The input of the window's last run (copied) … */
void            lens_workbench_set_input       (LensWorkbench *self, const AttnInput *input);
/* … and its outcome: the workbench re-runs that input to trace the selected head. */
void            lens_workbench_set_result      (LensWorkbench *self, AttnModel *model, AttnResult *result);
/* "steps", "scores" or "learn"; "steps:N" also opens step N (1-based),
 * "learn:train" starts training (for screenshots and demos) */
gboolean        lens_workbench_show_section    (LensWorkbench *self, const char *name);

/* For tests. */
LensStepsView  *lens_workbench_get_steps_view  (LensWorkbench *self);
LensScoresView *lens_workbench_get_scores_view (LensWorkbench *self);
LensLearnView  *lens_workbench_get_learn_view  (LensWorkbench *self);
/* The traced head and the run it came from, or NULL (still running, or none). */
const AttnHeadTrace *lens_workbench_get_trace  (LensWorkbench *self);
AttnResult     *lens_workbench_get_trace_result (LensWorkbench *self);
gboolean        lens_workbench_is_busy         (LensWorkbench *self);

/* The drawing style of the workbench's pictures: colour map and font size
 * (presentation mode) from the options, colours from the widget's theme unless
 * for_export (then black on white). */
void            lens_workbench_style_init      (GtkWidget *widget, LensViewOptions *options,
                                                LensHeatmapStyle *style, gboolean for_export);

G_END_DECLS
