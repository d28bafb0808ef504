/* lens-export.h — figures (PNG, SVG, PDF, clipboard) and data (CSV, JSON, NPY).
 *
 * Figures are drawn by the same pure functions the views draw with, on cairo
 * image, SVG and PDF surfaces. */
#pragma once

#include <gtk/gtk.h>

#include "attn-result.h"

G_BEGIN_DECLS

typedef enum {
  LENS_EXPORT_PNG,
  LENS_EXPORT_SVG,
  LENS_EXPORT_PDF,
  LENS_EXPORT_CSV,    /* one head */
  LENS_EXPORT_JSON,   /* the whole result, as attn-cli --json writes it */
  LENS_EXPORT_NPY,    /* one attention kind, [layers, heads, queries, keys] float32 */
  LENS_EXPORT_PHARAOH,     /* the Alignment page's word links, "i-j" pairs on one line */
  LENS_EXPORT_VTT,         /* a speech result's word timings as WebVTT */
  LENS_EXPORT_WORDS_JSON,  /* …and as JSON */
} LensExportFormat;

typedef void (*LensDrawFunc) (cairo_t *cr, double width, double height, gpointer data);

gboolean         lens_export_format_from_string (const char *name, LensExportFormat *format);
const char      *lens_export_format_extension   (LensExportFormat format);
const char      *lens_export_format_title       (LensExportFormat format);

gboolean         lens_export_figure (LensDrawFunc draw, gpointer data, int width, int height,
                                     LensExportFormat format, const char *path, GError **error);
/* An image of the drawing, `scale` pixels per unit (2 for crisp HiDPI copies). */
cairo_surface_t *lens_export_render (LensDrawFunc draw, gpointer data, int width, int height, int scale);
GdkTexture      *lens_export_texture (LensDrawFunc draw, gpointer data, int width, int height);

gboolean         lens_export_csv    (const float *matrix, int rows, int cols,
                                     const char *const *row_labels, const char *const *col_labels,
                                     const char *path, GError **error);
gboolean         lens_export_npy    (const AttnWeights *weights, const char *path, GError **error);
gboolean         lens_export_json   (const AttnResult *result, const char *path, GError **error);

/* The NPY v1.0 header for a C-ordered little-endian float32 array (for tests). */
GBytes          *lens_npy_header    (const gsize *shape, int ndim);

G_END_DECLS
