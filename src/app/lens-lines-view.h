/* lens-lines-view.h — queries and keys in two columns joined by weighted lines. */
#pragma once

#include "lens-view.h"

G_BEGIN_DECLS

#define LENS_TYPE_LINES_VIEW (lens_lines_view_get_type ())
G_DECLARE_FINAL_TYPE (LensLinesView, lens_lines_view, LENS, LINES_VIEW, LensView)

#define LENS_LINES_MAX_HEADS 4

GtkWidget *lens_lines_view_new         (void);
int        lens_lines_view_get_n_heads (LensLinesView *self);
void       lens_lines_view_set_n_heads (LensLinesView *self, int n_heads);

/* Pure drawing, shared with export: matrices[i] is rows × cols for head_ids[i].
 * focus_side: 0 none, 1 a query (left), 2 a key (right); only its lines are drawn. */
void       lens_lines_draw             (cairo_t *cr, const LensHeatmapStyle *style,
                                        const float *const *matrices, const int *head_ids, int n_heads,
                                        int rows, int cols,
                                        const char *const *row_labels, const char *const *col_labels,
                                        int focus_side, int focus_index,
                                        double x, double y, double width, double height);

G_END_DECLS
