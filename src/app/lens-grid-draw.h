/* lens-grid-draw.h — pure drawing of the layers × heads grid of thumbnails. */
#pragma once

#include "lens-heatmap.h"

G_BEGIN_DECLS

#define LENS_THUMBNAIL_SIDE 128

/* Surfaces kept between redraws: one downsampled thumbnail per head, built on
 * first use, and the full-resolution cells of the one head shown enlarged. */
typedef struct {
  int               layers, heads;
  cairo_surface_t **thumbs;         /* layers × heads */
  cairo_surface_t  *big;
  int               big_layer, big_head;
} LensGridCache;

typedef const float *(*LensHeadFunc) (gpointer data, int layer, int head);

typedef struct {
  double x, y;           /* top-left of the first thumbnail */
  double cell, gap;      /* thumbnail side and spacing */
  double title_h;
} LensGridLayout;

LensGridCache *lens_grid_cache_new   (int layers, int heads);
void           lens_grid_cache_free  (LensGridCache *cache);

void           lens_grid_layout      (const LensHeatmapStyle *style, int layers, int heads,
                                      double width, double height, LensGridLayout *layout);
gboolean       lens_grid_hit         (const LensGridLayout *layout, int layers, int heads,
                                      double x, double y, int *layer, int *head);

/* Draws the grid; when hover_layer >= 0 that head is drawn enlarged near
 * (hover_x, hover_y) with its token labels when they fit. Thumbnails not yet
 * cached are built until the monotonic time `deadline` (µs; 0: no limit), the
 * rest are drawn as empty frames: returns how many are still missing, so that
 * a widget spreads the work of a long input over several frames. */
int            lens_grid_draw        (cairo_t *cr, const LensHeatmapStyle *style, LensGridCache *cache,
                                      LensHeadFunc get_head, gpointer data,
                                      int layers, int heads, int rows, int cols,
                                      const char *const *row_labels, const char *const *col_labels,
                                      const char *title, int sel_layer, int sel_head,
                                      int hover_layer, int hover_head, double hover_x, double hover_y,
                                      double width, double height, gint64 deadline);

/* Only the enlarged head (what a hover update redraws). */
void           lens_grid_draw_enlarged (cairo_t *cr, const LensHeatmapStyle *style, LensGridCache *cache,
                                        const float *matrix, int rows, int cols,
                                        const char *const *row_labels, const char *const *col_labels,
                                        int layer, int head, double x, double y, double side);

G_END_DECLS
