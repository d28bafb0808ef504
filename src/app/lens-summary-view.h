/* lens-summary-view.h — aggregates: mean and max over heads per layer, norm-weighted
 * attention per layer, attention rollout. */
#pragma once

#include "lens-view.h"

G_BEGIN_DECLS

#define LENS_TYPE_SUMMARY_VIEW (lens_summary_view_get_type ())
G_DECLARE_FINAL_TYPE (LensSummaryView, lens_summary_view, LENS, SUMMARY_VIEW, LensView)

GtkWidget   *lens_summary_view_new               (void);
/* Layer `layer`'s norm-weighted attention as last drawn (the source's rows × columns),
 * or NULL when the result has no value norms for the kind or nothing was drawn since
 * the result, kind or hidden tokens changed. */
const float *lens_summary_view_get_norm_weighted (LensSummaryView *self, int layer);

G_END_DECLS
