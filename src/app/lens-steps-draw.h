/* lens-steps-draw.h — pure drawing of one step of "How attention is computed".
 *
 * Each step is a formula line (Pango markup) above a small labelled picture: q and
 * the keys as coloured strips (one cell per dimension) with their first numbers,
 * the scores as signed bars, the mask as hatched −∞ entries, the softmax as bars in
 * [0, 1], and the weighted sum of the values. The same code draws the widget, the
 * screenshots and the pixel tests. */
#pragma once

#include <cairo.h>

#include "lens-heatmap.h"
#include "lens-steps.h"

G_BEGIN_DECLS

typedef struct {
  const LensSteps    *steps;
  LensStep            step;
  const char         *query_label;
  const char *const  *key_labels;    /* n_keys */
  const char         *head_label;    /* "Layer 1 · Head 2 · Self-attention" or NULL */
  int                 hover_row;     /* -1: q, 0 … n−1: key/value rows, n: the output; */
  int                 hover_dim;     /* -1: nothing hovered */
} LensStepsScene;

/* Where the strips are, for hit-testing. */
typedef struct {
  double   strip_x, strip_w;
  double   q_y, q_h;                  /* q_y < 0: not drawn */
  double   out_y, out_h;              /* out_y < 0: not drawn */
  double   rows_y, row_h, strip_h;
  int      n_rows;                    /* key or value rows drawn (0: none) */
  int      dh;
} LensStepsLayout;

/* The formula line of a step, as Pango markup (newly allocated). */
char    *lens_steps_formula (const LensSteps *steps, LensStep step);

void     lens_steps_draw    (cairo_t *cr, const LensHeatmapStyle *style, const LensStepsScene *scene,
                             double width, double height, LensStepsLayout *layout);

/* Which strip cell (row as in LensStepsScene.hover_row, dim) is at (x, y). */
gboolean lens_steps_hit     (const LensStepsLayout *layout, double x, double y, int *row, int *dim);

G_END_DECLS
