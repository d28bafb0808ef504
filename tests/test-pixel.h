/* test-pixel.h — the drawing tests' pixel reader. */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <math.h>

/* The pixel of an image surface (ARGB32 or RGB24) under (x, y), which must lie inside it. */
static inline guint32
test_pixel (cairo_surface_t *s, double x, double y)
{
  const guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  int ix = (int) floor (x), iy = (int) floor (y);

  g_assert_cmpint (ix, >=, 0);
  g_assert_cmpint (iy, >=, 0);
  g_assert_cmpint (ix, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (iy, <, cairo_image_surface_get_height (s));
  return *(const guint32 *) (data + (gsize) iy * stride + 4 * ix);
}
