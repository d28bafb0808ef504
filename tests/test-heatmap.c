/* test-heatmap.c — pixel tests of the pure heatmap drawing on image surfaces. */
#include <math.h>

#include "lens-heatmap.h"

#define W 400
#define H 400

static cairo_surface_t *
draw (const LensHeatmapStyle *style, const float *m, int rows, int cols,
      const char *const *rl, const char *const *cl, LensHeatmapLayout *layout)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (s);

  lens_heatmap_draw_cached (cr, style, m, rows, cols, rl, cl, W, H, NULL, layout);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

static guint32
pixel (cairo_surface_t *s, double x, double y)
{
  const guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  int ix = (int) x, iy = (int) y;

  g_assert_cmpint (ix, >=, 0);
  g_assert_cmpint (iy, >=, 0);
  g_assert_cmpint (ix, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (iy, <, cairo_image_surface_get_height (s));
  return *(const guint32 *) (data + (gsize) iy * stride + 4 * ix);
}

static guint32
cell_pixel (cairo_surface_t *s, const LensHeatmapLayout *l, int row, int col)
{
  return pixel (s, l->origin_x + (col + 0.5) * l->cell, l->origin_y + (row + 0.5) * l->cell);
}

static const float diag[16] = {
  1.00f, 0.00f, 0.00f, 0.00f,
  0.50f, 0.50f, 0.00f, 0.00f,
  0.25f, 0.25f, 0.50f, 0.00f,
  0.25f, 0.25f, 0.25f, 0.25f,
};

static void
test_cell_colours (void)
{
  for (int m = 0; m < LENS_N_COLORMAPS; m++)
    {
      LensHeatmapStyle style;
      LensHeatmapLayout l;
      cairo_surface_t *s;

      lens_heatmap_style_init (&style);
      style.colormap = m;
      style.labels = FALSE;
      style.legend = FALSE;
      s = draw (&style, diag, 4, 4, NULL, NULL, &l);

      g_assert_cmpfloat (l.cell, >=, 90.0);   /* the matrix fills the surface */
      for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
          {
            guint32 want = lens_colormap_argb (m, diag[r * 4 + c]);   /* max is 1: t = weight */
            guint32 got = cell_pixel (s, &l, r, c);

            if (got != want)
              g_error ("%s: cell (%d, %d) is %08x, want %08x",
                       lens_colormap_to_string (m), r, c, got, want);
          }
      cairo_surface_destroy (s);
    }
}

static void
test_linear_scales_to_max (void)
{
  const float m[4] = { 0.2f, 0.1f, 0.05f, 0.0f };
  LensHeatmapStyle style;
  LensHeatmapLayout l;
  cairo_surface_t *s;

  lens_heatmap_style_init (&style);
  style.labels = style.legend = FALSE;
  s = draw (&style, m, 2, 2, NULL, NULL, &l);
  g_assert_cmphex (cell_pixel (s, &l, 0, 0), ==, lens_colormap_argb (style.colormap, 1.0));
  g_assert_cmphex (cell_pixel (s, &l, 0, 1), ==, lens_colormap_argb (style.colormap, 0.5));
  g_assert_cmphex (cell_pixel (s, &l, 1, 0), ==, lens_colormap_argb (style.colormap, 0.25));
  g_assert_cmphex (cell_pixel (s, &l, 1, 1), ==, lens_colormap_argb (style.colormap, 0.0));
  cairo_surface_destroy (s);
}

static void
test_log_and_row_scales (void)
{
  /* log: three decades under the maximum; 10^-1.8 of it sits at 0.4 */
  const float m[4] = { 1.0f, (float) pow (10, -1.8), 1e-5f, 0.0f };
  const float rows[4] = { 0.2f, 0.1f, 0.9f, 0.45f };
  LensHeatmapStyle style;
  LensHeatmapLayout l;
  cairo_surface_t *s;

  lens_heatmap_style_init (&style);
  style.labels = style.legend = FALSE;
  style.scale = LENS_SCALE_LOG;
  s = draw (&style, m, 2, 2, NULL, NULL, &l);
  g_assert_cmphex (cell_pixel (s, &l, 0, 0), ==, lens_colormap_argb (style.colormap, 1.0));
  g_assert_cmphex (cell_pixel (s, &l, 0, 1), ==, lens_colormap_argb (style.colormap, 0.4));
  g_assert_cmphex (cell_pixel (s, &l, 1, 0), ==, lens_colormap_argb (style.colormap, 0.0));
  g_assert_cmphex (cell_pixel (s, &l, 1, 1), ==, lens_colormap_argb (style.colormap, 0.0));
  cairo_surface_destroy (s);

  /* row: each row against its own maximum */
  style.scale = LENS_SCALE_ROW;
  s = draw (&style, rows, 2, 2, NULL, NULL, &l);
  g_assert_cmphex (cell_pixel (s, &l, 0, 0), ==, lens_colormap_argb (style.colormap, 1.0));
  g_assert_cmphex (cell_pixel (s, &l, 0, 1), ==, lens_colormap_argb (style.colormap, 0.5));
  g_assert_cmphex (cell_pixel (s, &l, 1, 0), ==, lens_colormap_argb (style.colormap, 1.0));
  g_assert_cmphex (cell_pixel (s, &l, 1, 1), ==, lens_colormap_argb (style.colormap, 0.5));
  cairo_surface_destroy (s);
}

static void
test_causal_mask (void)
{
  LensHeatmapStyle style;
  LensHeatmapLayout l;
  cairo_surface_t *s;
  guint32 mask;

  lens_heatmap_style_init (&style);
  style.labels = style.legend = FALSE;
  style.causal = TRUE;
  s = draw (&style, diag, 4, 4, NULL, NULL, &l);
  mask = 0xff000000u | ((guint32) lround (style.mask[0] * 255) << 16)
         | ((guint32) lround (style.mask[1] * 255) << 8) | (guint32) lround (style.mask[2] * 255);

  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      {
        guint32 got = cell_pixel (s, &l, r, c);

        if (c > r)
          g_assert_cmphex (got, ==, mask);
        else
          g_assert_cmphex (got, ==, lens_colormap_argb (style.colormap, diag[r * 4 + c]));
      }
  /* the mask colour is none of the map's colours, so a zero weight never looks masked */
  for (int i = 0; i < LENS_COLORMAP_SIZE; i++)
    for (int m = 0; m < LENS_N_COLORMAPS; m++)
      g_assert_cmphex (lens_colormap_argb (m, i / 255.0), !=, mask);
  cairo_surface_destroy (s);
}

static gboolean
region_has_ink (cairo_surface_t *s, double x0, double y0, double x1, double y1, guint32 bg)
{
  for (int y = (int) y0; y < (int) y1; y++)
    for (int x = (int) x0; x < (int) x1; x++)
      if (pixel (s, x, y) != bg)
        return TRUE;
  return FALSE;
}

/* within a few colour-map entries (the legend bar is a few pixels per entry) */
static gboolean
near (guint32 a, guint32 b)
{
  for (int shift = 0; shift < 24; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > 16)
      return FALSE;
  return TRUE;
}

static void
test_labels_and_legend (void)
{
  const char *const labels[4] = { "[CLS]", "the", "cat", "[SEP]" };
  LensHeatmapStyle style;
  LensHeatmapLayout l;
  cairo_surface_t *s;
  guint32 white = 0xffffffff;

  lens_heatmap_style_init (&style);
  style.causal = TRUE;
  s = draw (&style, diag, 4, 4, labels, labels, &l);

  /* label margins exist and hold ink */
  g_assert_cmpfloat (l.row_label_w, >, 10);
  g_assert_cmpfloat (l.col_label_h, >, 10);
  g_assert_true (region_has_ink (s, 0, l.view_y, l.row_label_w - 1, l.view_y + l.view_h, white));
  g_assert_true (region_has_ink (s, l.view_x, 0, l.view_x + l.view_w, l.col_label_h - 1, white));
  /* the corner above the row labels stays empty */
  g_assert_false (region_has_ink (s, 0, 0, l.row_label_w - 12, l.col_label_h - 12, white));

  /* the legend bar runs from the maximum colour at the top to the minimum at the bottom */
  g_assert_cmpfloat (l.legend_w, >, 0);
  g_assert_cmpfloat (l.legend_x, >=, l.view_x + l.view_w);
  g_assert_true (near (pixel (s, l.legend_x + l.legend_w / 2, l.legend_y + 3),
                        lens_colormap_argb (style.colormap, 1.0)));
  g_assert_true (near (pixel (s, l.legend_x + l.legend_w / 2, l.legend_y + l.legend_h - 3),
                       lens_colormap_argb (style.colormap, 0.0)));
  /* and tick labels beside it */
  g_assert_true (region_has_ink (s, l.legend_x + l.legend_w + 2, l.legend_y - 6,
                                 MIN (W, l.legend_x + l.legend_w + 40), l.legend_y + l.legend_h, white));
  cairo_surface_destroy (s);
}

static void
test_thumbnail_keeps_peaks (void)
{
  float m[64] = { 0 };
  LensHeatmapStyle style;
  cairo_surface_t *s;

  for (int i = 0; i < 8; i++)
    m[i * 8 + i] = 1.0f;        /* a thin diagonal */
  lens_heatmap_style_init (&style);
  s = lens_heatmap_thumbnail_surface (&style, m, 8, 8, 4);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 4);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 4);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      g_assert_cmphex (pixel (s, c, r), ==, lens_colormap_argb (style.colormap, r == c ? 1.0 : 0.0));
  cairo_surface_destroy (s);
}

static void
test_hit_and_zoom (void)
{
  LensHeatmapStyle style;
  LensHeatmapLayout l;
  cairo_surface_t *s;
  int row = -1, col = -1;
  double fit;

  lens_heatmap_style_init (&style);
  style.labels = style.legend = FALSE;
  s = draw (&style, diag, 4, 4, NULL, NULL, &l);
  g_assert_true (lens_heatmap_hit (&l, 4, 4, l.origin_x + 2.5 * l.cell, l.origin_y + 1.5 * l.cell, &row, &col));
  g_assert_cmpint (row, ==, 1);
  g_assert_cmpint (col, ==, 2);
  g_assert_false (lens_heatmap_hit (&l, 4, 4, W + 5, 5, &row, &col));
  cairo_surface_destroy (s);
  fit = l.cell;

  /* zoomed 2× and panned by two cells: cell (2, 2) is at the top-left */
  style.zoom = 2.0;
  style.pan_x = style.pan_y = 2 * 2 * fit;
  s = draw (&style, diag, 4, 4, NULL, NULL, &l);
  g_assert_cmpfloat (l.cell, ==, 2 * fit);
  g_assert_cmphex (pixel (s, 10, 10), ==, lens_colormap_argb (style.colormap, diag[2 * 4 + 2]));
  g_assert_true (lens_heatmap_hit (&l, 4, 4, 10, 10, &row, &col));
  g_assert_cmpint (row, ==, 2);
  g_assert_cmpint (col, ==, 2);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/heatmap/cell-colours", test_cell_colours);
  g_test_add_func ("/heatmap/linear-scales-to-max", test_linear_scales_to_max);
  g_test_add_func ("/heatmap/log-and-row-scales", test_log_and_row_scales);
  g_test_add_func ("/heatmap/causal-mask", test_causal_mask);
  g_test_add_func ("/heatmap/labels-and-legend", test_labels_and_legend);
  g_test_add_func ("/heatmap/thumbnail-keeps-peaks", test_thumbnail_keeps_peaks);
  g_test_add_func ("/heatmap/hit-and-zoom", test_hit_and_zoom);
  return g_test_run ();
}
