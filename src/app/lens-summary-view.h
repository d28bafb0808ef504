/* lens-summary-view.h — aggregates: mean and max over heads per layer, attention rollout. */
#pragma once

#include "lens-view.h"

G_BEGIN_DECLS

#define LENS_TYPE_SUMMARY_VIEW (lens_summary_view_get_type ())
G_DECLARE_FINAL_TYPE (LensSummaryView, lens_summary_view, LENS, SUMMARY_VIEW, LensView)

GtkWidget *lens_summary_view_new (void);

G_END_DECLS
