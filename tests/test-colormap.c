/* test-colormap.c — the colour tables. */
#include <math.h>

#include "lens-colormap.h"

static int
luminance (const guint8 *e)
{
  return 2126 * e[0] + 7152 * e[1] + 722 * e[2];
}

static void
test_endpoints (void)
{
  /* the published first and last colours of each map */
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_VIRIDIS, 0.0), ==, 0xff440154);
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_VIRIDIS, 1.0), ==, 0xfffde725);
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_MAGMA, 0.0), ==, 0xff000004);
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_MAGMA, 1.0), ==, 0xfffcfdbf);
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_CIVIDIS, 0.0), ==, 0xff00204d);
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_CIVIDIS, 1.0), ==, 0xffffea46);
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_GREY, 0.0), ==, 0xff000000);
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_GREY, 1.0), ==, 0xffffffff);
  g_assert_cmphex (lens_colormap_argb (LENS_COLORMAP_GREY, 0.5), ==, 0xff808080);
}

static void
test_clamp (void)
{
  for (int m = 0; m < LENS_N_COLORMAPS; m++)
    {
      g_assert_cmphex (lens_colormap_argb (m, -3.0), ==, lens_colormap_argb (m, 0.0));
      g_assert_cmphex (lens_colormap_argb (m, 7.0), ==, lens_colormap_argb (m, 1.0));
      g_assert_cmphex (lens_colormap_argb (m, NAN), ==, lens_colormap_argb (m, 0.0));
    }
  g_assert_cmpint (lens_colormap_index (0.0), ==, 0);
  g_assert_cmpint (lens_colormap_index (1.0), ==, 255);
  g_assert_cmpint (lens_colormap_index (0.5), ==, 128);
}

/* every map gets lighter from 0 to 1, so the order of weights reads without a legend */
static void
test_monotonic_luminance (void)
{
  for (int m = 0; m < LENS_N_COLORMAPS; m++)
    {
      const guint8 *t = lens_colormap_table (m);

      for (int i = 1; i < LENS_COLORMAP_SIZE; i++)
        if (luminance (t + 3 * i) < luminance (t + 3 * (i - 1)) - 10000)  /* rounding */
          g_error ("%s: luminance drops at entry %d", lens_colormap_to_string (m), i);
      g_assert_cmpint (luminance (t + 3 * 255) - luminance (t), >, 100 * 10000);
    }
}

static void
test_names (void)
{
  for (int m = 0; m < LENS_N_COLORMAPS; m++)
    g_assert_cmpint (lens_colormap_from_string (lens_colormap_to_string (m)), ==, m);
  g_assert_cmpstr (lens_colormap_to_string (LENS_COLORMAP_CIVIDIS), ==, "cividis");
  g_assert_cmpint (lens_colormap_from_string ("no-such-map"), ==, LENS_COLORMAP_VIRIDIS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/colormap/endpoints", test_endpoints);
  g_test_add_func ("/colormap/clamp", test_clamp);
  g_test_add_func ("/colormap/monotonic-luminance", test_monotonic_luminance);
  g_test_add_func ("/colormap/names", test_names);
  return g_test_run ();
}
