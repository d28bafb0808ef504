/* lens-colormap.h — colour maps for attention heatmaps (pure, no GTK).
 *
 * Each map is a 256-entry RGB table; values in [0, 1] index it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LENS_COLORMAP_VIRIDIS,
  LENS_COLORMAP_MAGMA,
  LENS_COLORMAP_CIVIDIS,
  LENS_COLORMAP_GREY,
  LENS_N_COLORMAPS
} LensColormap;

#define LENS_COLORMAP_SIZE 256

/* 256 × 3 bytes (r, g, b) */
const guint8 *lens_colormap_table     (LensColormap map);
/* t is clamped to [0, 1]; NaN gives the lowest colour. */
guint32       lens_colormap_argb      (LensColormap map, double t);   /* 0xFFRRGGBB */
void          lens_colormap_rgb       (LensColormap map, double t, double *r, double *g, double *b);
int           lens_colormap_index     (double t);
const char   *lens_colormap_to_string (LensColormap map);
LensColormap  lens_colormap_from_string (const char *name);      /* unknown: viridis */

G_END_DECLS
