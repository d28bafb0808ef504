/* lens-steps-view.h — "How attention is computed": one head, one query, step by step. */
#pragma once

#include "lens-steps.h"
#include "lens-workbench.h"

G_BEGIN_DECLS

#define LENS_TYPE_STEPS_VIEW (lens_steps_view_get_type ())
G_DECLARE_FINAL_TYPE (LensStepsView, lens_steps_view, LENS, STEPS_VIEW, GtkWidget)

void             lens_steps_view_set_selection   (LensStepsView *self, LensSelection *selection);
void             lens_steps_view_set_options     (LensStepsView *self, LensViewOptions *options);
/* The traced head (borrowed: the workbench keeps it until the next call) and the
 * run it came from; NULL trace with a message shows the message. */
void             lens_steps_view_set_trace       (LensStepsView *self, const AttnHeadTrace *trace,
                                                  AttnResult *result, const char *message);

LensStep         lens_steps_view_get_step        (LensStepsView *self);
void             lens_steps_view_set_step        (LensStepsView *self, LensStep step);
double           lens_steps_view_get_temperature (LensStepsView *self);
void             lens_steps_view_set_temperature (LensStepsView *self, double temperature);
/* The numbers shown, or NULL without a trace. */
const LensSteps *lens_steps_view_get_steps       (LensStepsView *self);
/* The message shown instead of the steps, or NULL. */
const char      *lens_steps_view_get_message     (LensStepsView *self);
/* Draws what the widget shows on any cairo_t (export, screenshots, tests). */
void             lens_steps_view_draw            (LensStepsView *self, cairo_t *cr, double width, double height,
                                                  gboolean for_export);

G_END_DECLS
