/* lens-heatmap.h — pure drawing of an attention matrix on a cairo_t.
 *
 * The same functions draw into a widget snapshot (gtk_snapshot_append_cairo),
 * into PNG/SVG/PDF surfaces for export, and into image surfaces for the pixel
 * tests. Nothing here knows about widgets or about AttnResult. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "lens-colormap.h"

G_BEGIN_DECLS

typedef enum {
  LENS_SCALE_LINEAR,   /* 0 … matrix maximum */
  LENS_SCALE_LOG,      /* three decades below the maximum */
  LENS_SCALE_ROW,      /* each row against its own maximum */
} LensScale;

const char *lens_scale_to_string   (LensScale scale);
LensScale   lens_scale_from_string (const char *name);

typedef struct {
  LensColormap colormap;
  LensScale    scale;
  gboolean     causal;          /* cells right of the diagonal are masked */
  gboolean     labels;          /* token labels on both axes */
  gboolean     legend;          /* colour legend on the right */
  double       font_size;       /* in cairo units (pixels) */
  const char  *font_family;     /* NULL: "Sans" */
  double       fg[4];           /* labels and legend text, RGBA */
  double       bg[4];           /* background; alpha 0 draws none */
  double       mask[4];         /* masked (causal) cells */
  double       zoom;            /* 1: the matrix fits; 2: cells twice as big … */
  double       pan_x, pan_y;    /* how far the cells are scrolled, in pixels */
  double       max_label_size;  /* cap for each label margin; 0: a quarter of the size */
  int          highlight_row;   /* outlined query row, -1: none */
  int          highlight_col;   /* outlined key column, -1: none */
  int          hover_row, hover_col;  /* outlined cell, -1: none */
} LensHeatmapStyle;

/* Where things are, in the coordinates the heatmap was drawn in. */
typedef struct {
  double view_x, view_y, view_w, view_h;   /* the visible cells (clip) */
  double origin_x, origin_y;               /* top-left corner of cell (0, 0) */
  double cell;                             /* side of one (square) cell */
  double legend_x, legend_y, legend_w, legend_h;  /* the colour bar */
  double row_label_w, col_label_h;
  int    row_step, col_step;               /* every n-th label is drawn */
  double max_pan_x, max_pan_y;
} LensHeatmapLayout;

void     lens_heatmap_style_init   (LensHeatmapStyle *style);

/* The colour position t in [0, 1] of a weight, and the value range the legend shows. */
void     lens_heatmap_range        (const LensHeatmapStyle *style, const float *matrix,
                                    int rows, int cols, double *vmin, double *vmax);
double   lens_heatmap_value_to_t   (LensScale scale, double value, double vmin, double vmax);
gboolean lens_heatmap_is_masked    (const LensHeatmapStyle *style, int row, int col);

/* One pixel per cell (ARGB32, cols × rows), masked cells in the mask colour.
 * Build it once per (matrix, colour map, scale) and hand it to
 * lens_heatmap_draw_cached(); it is what makes redraws of long inputs cheap. */
cairo_surface_t *lens_heatmap_cells_surface (const LensHeatmapStyle *style, const float *matrix,
                                             int rows, int cols);
/* At most max_side pixels a side: blocks of cells keep their largest weight,
 * so thin diagonals stay visible in thumbnails. */
cairo_surface_t *lens_heatmap_thumbnail_surface (const LensHeatmapStyle *style, const float *matrix,
                                                 int rows, int cols, int max_side);

void     lens_heatmap_layout       (cairo_t *cr, const LensHeatmapStyle *style,
                                    int rows, int cols,
                                    const char *const *row_labels, const char *const *col_labels,
                                    double width, double height, LensHeatmapLayout *layout);

void     lens_heatmap_draw         (cairo_t *cr, const LensHeatmapStyle *style,
                                    const float *matrix, int rows, int cols,
                                    const char *const *row_labels, const char *const *col_labels,
                                    double width, double height);
/* As lens_heatmap_draw(); cells may be NULL (built on the fly); layout may be NULL. */
void     lens_heatmap_draw_cached  (cairo_t *cr, const LensHeatmapStyle *style,
                                    const float *matrix, int rows, int cols,
                                    const char *const *row_labels, const char *const *col_labels,
                                    double width, double height,
                                    cairo_surface_t *cells, LensHeatmapLayout *layout);

/* Paints a cells or thumbnail surface into a rectangle with nearest filtering. */
void     lens_heatmap_paint_surface (cairo_t *cr, cairo_surface_t *cells,
                                     double x, double y, double width, double height);

void     lens_heatmap_draw_legend  (cairo_t *cr, const LensHeatmapStyle *style,
                                    double x, double y, double width, double height,
                                    double vmin, double vmax);

gboolean lens_heatmap_hit          (const LensHeatmapLayout *layout, int rows, int cols,
                                    double x, double y, int *row, int *col);

/* Text helpers shared by the other drawings (PangoCairo). */
void     lens_draw_text            (cairo_t *cr, const LensHeatmapStyle *style, const char *text,
                                    double x, double y, double max_width, double xalign,
                                    gboolean bold, double scale);
/* A paragraph wrapped at word boundaries to max_width and centred in it, with its
 * vertical middle at y (for messages in an empty view). */
void     lens_draw_paragraph       (cairo_t *cr, const LensHeatmapStyle *style, const char *text,
                                    double x, double y, double max_width, double scale);
double   lens_text_width           (cairo_t *cr, const LensHeatmapStyle *style, const char *text,
                                    gboolean bold, double scale);

G_END_DECLS
