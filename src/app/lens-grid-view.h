/* lens-grid-view.h — every head of every layer as thumbnails. */
#pragma once

#include "lens-view.h"

G_BEGIN_DECLS

#define LENS_TYPE_GRID_VIEW (lens_grid_view_get_type ())
G_DECLARE_FINAL_TYPE (LensGridView, lens_grid_view, LENS, GRID_VIEW, LensView)

GtkWidget *lens_grid_view_new         (void);
/* For tests: the thumbnails the last draw painted (layers × heads). */
int        lens_grid_view_get_n_cells (LensGridView *self);
/* For tests and the frame probe: the centre of a thumbnail as the last draw laid it
 * out, in widget coordinates; FALSE before a draw or outside the grid. */
gboolean   lens_grid_view_get_cell_center (LensGridView *self, int layer, int head,
                                           double *x, double *y);

G_END_DECLS
