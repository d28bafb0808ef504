/* lens-head-view.h — one head as a matrix with token labels, zoom and pan. */
#pragma once

#include "lens-view.h"

G_BEGIN_DECLS

#define LENS_TYPE_HEAD_VIEW (lens_head_view_get_type ())
G_DECLARE_FINAL_TYPE (LensHeadView, lens_head_view, LENS, HEAD_VIEW, LensView)

GtkWidget  *lens_head_view_new          (void);
double      lens_head_view_get_zoom     (LensHeadView *self);
void        lens_head_view_set_zoom     (LensHeadView *self, double zoom);
/* The hover read-out, "query → key: weight", or NULL. */
const char *lens_head_view_get_readout  (LensHeadView *self);

G_END_DECLS
