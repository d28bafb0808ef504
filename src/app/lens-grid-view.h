/* lens-grid-view.h — every head of every layer as thumbnails. */
#pragma once

#include "lens-view.h"

G_BEGIN_DECLS

#define LENS_TYPE_GRID_VIEW (lens_grid_view_get_type ())
G_DECLARE_FINAL_TYPE (LensGridView, lens_grid_view, LENS, GRID_VIEW, LensView)

GtkWidget *lens_grid_view_new         (void);
/* For tests: the thumbnails the last draw painted (layers × heads). */
int        lens_grid_view_get_n_cells (LensGridView *self);

G_END_DECLS
