/* lens-scores-draw.h — pure drawing of "Score functions side by side": the weights
 * of one query under four score functions, softmax beside sparsemax (exact zeros
 * left empty), and a head's weights under local-window and strided masks. */
#pragma once

#include <cairo.h>

#include "lens-heatmap.h"
#include "lens-scores.h"

G_BEGIN_DECLS

/* Where a bar panel put its bars (for hit tests and pixel tests). */
typedef struct {
  double bar_x, bar_w;     /* a weight of `full` fills bar_w */
  double full;
  double rows_y, row_h;
  int    n;
} LensBarsLayout;

/* Where a mask map put its cells. */
typedef struct {
  double x, y, cell;
  int    rows, cols;
} LensMaskMapLayout;

/* A panel: a markup title (may have several lines), then one bar per key; a weight of
 * `full` (≤ 0: 1) fills the bar. hidden (or NULL) entries are hatched; weights of exactly 0
 * get no bar and a bold "0". */
void lens_scores_draw_bars     (cairo_t *cr, const LensHeatmapStyle *style, const char *title_markup,
                                const char *note, const char *const *labels, const float *weights,
                                const guint8 *hidden, int n, double full, double x, double y, double w, double h,
                                LensBarsLayout *layout);

/* A small heatmap of weights [rows, cols]; hidden cells hatched. */
void lens_scores_draw_mask_map (cairo_t *cr, const LensHeatmapStyle *style, const char *title_markup,
                                const float *weights, const guint8 *hidden, int rows, int cols,
                                const char *const *row_labels, const char *const *col_labels,
                                double x, double y, double w, double h, LensMaskMapLayout *layout);

typedef struct {
  int                 n;               /* keys */
  const char         *query_label;
  const char *const  *labels;          /* [n] */
  const guint8       *hidden;          /* [n] the head's own mask for this query */
  const float        *weights;         /* [LENS_N_SCORES, n] softmax of each score */
  const char         *general_from;    /* NULL: illustrative parameters */
  const char         *additive_from;
  /* softmax and sparsemax of the scaled dot-product scores */
  const float        *softmax, *sparsemax;   /* [n] */
  /* the head's whole matrix under the sparse masks */
  int                 rows;            /* queries */
  const char *const  *row_labels;      /* [rows] */
  const float        *local, *strided; /* [rows, n] */
  const guint8       *local_hidden, *strided_hidden;
  int                 window, stride;
} LensScoresScene;

/* Four panels side by side: additive, dot, general, scaled dot. */
void lens_scores_draw_functions   (cairo_t *cr, const LensHeatmapStyle *style, const LensScoresScene *scene,
                                   double width, double height);
/* softmax | sparsemax | local window | strided. layouts (may be NULL): [2] bars, [2] maps. */
void lens_scores_draw_normalisers (cairo_t *cr, const LensHeatmapStyle *style, const LensScoresScene *scene,
                                   double width, double height, LensBarsLayout *bars, LensMaskMapLayout *maps);

/* One translator's alignment: cross-attention [rows = target, cols = source]. */
typedef struct {
  const char         *title_markup;
  const char         *error;          /* shown instead of the matrix, or NULL */
  const float        *matrix;
  int                 rows, cols;
  const char *const  *row_labels, *const *col_labels;
} LensAlignmentPanel;

/* The panels in a row, each a heatmap with token labels. */
void lens_scores_draw_alignments  (cairo_t *cr, const LensHeatmapStyle *style, const LensAlignmentPanel *panels,
                                   int n, double width, double height);

G_END_DECLS
