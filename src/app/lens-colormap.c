/* lens-colormap.c — viridis, magma, cividis and grey as 256-entry tables.
 *
 * The perceptually uniform maps are built once by interpolating, in RGB, the
 * 10 evenly spaced stops that viridisLite publishes for viridis(10), magma(10)
 * and cividis(10); the result stays within a few 1/255 steps of the
 * original 256-entry tables, which is below what the eye separates. */
#include "lens-colormap.h"

#include <math.h>

#define N_STOPS 10

static const guint32 stops[LENS_N_COLORMAPS][N_STOPS] = {
  [LENS_COLORMAP_VIRIDIS] = { 0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E,
                              0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725 },
  [LENS_COLORMAP_MAGMA]   = { 0x000004, 0x180F3E, 0x451077, 0x721F81, 0x9F2F7F,
                              0xCD4071, 0xF1605D, 0xFD9567, 0xFEC98D, 0xFCFDBF },
  [LENS_COLORMAP_CIVIDIS] = { 0x00204D, 0x00336F, 0x39486B, 0x575C6D, 0x707173,
                              0x8A8779, 0xA69D75, 0xC4B56C, 0xE4CF5B, 0xFFEA46 },
  [LENS_COLORMAP_GREY]    = { 0 },   /* computed: black to white */
};

static const char *names[LENS_N_COLORMAPS] = {
  "viridis", "magma", "cividis", "grey",
};

/* [map][index][rgb] */
static guint8 tables[LENS_N_COLORMAPS][LENS_COLORMAP_SIZE][3];

static gpointer
build_tables (gpointer data)
{
  for (int m = 0; m < LENS_N_COLORMAPS; m++)
    for (int i = 0; i < LENS_COLORMAP_SIZE; i++)
      {
        double pos = i * (N_STOPS - 1) / (double) (LENS_COLORMAP_SIZE - 1);
        int s = MIN ((int) pos, N_STOPS - 2);
        double f = pos - s;

        if (m == LENS_COLORMAP_GREY)
          {
            tables[m][i][0] = tables[m][i][1] = tables[m][i][2] = i;
            continue;
          }

        for (int c = 0; c < 3; c++)
          {
            int shift = 16 - 8 * c;
            double a = (stops[m][s] >> shift) & 0xff;
            double b = (stops[m][s + 1] >> shift) & 0xff;
            tables[m][i][c] = (guint8) lround (a + (b - a) * f);
          }
      }
  return NULL;
}

const guint8 *
lens_colormap_table (LensColormap map)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, build_tables, NULL);
  if ((guint) map >= LENS_N_COLORMAPS)
    map = LENS_COLORMAP_VIRIDIS;
  return &tables[map][0][0];
}

int
lens_colormap_index (double t)
{
  if (!(t > 0.0))          /* also NaN */
    return 0;
  if (t >= 1.0)
    return LENS_COLORMAP_SIZE - 1;
  return (int) (t * (LENS_COLORMAP_SIZE - 1) + 0.5);
}

guint32
lens_colormap_argb (LensColormap map, double t)
{
  const guint8 *e = lens_colormap_table (map) + 3 * lens_colormap_index (t);

  return 0xff000000u | ((guint32) e[0] << 16) | ((guint32) e[1] << 8) | e[2];
}

void
lens_colormap_rgb (LensColormap map, double t, double *r, double *g, double *b)
{
  const guint8 *e = lens_colormap_table (map) + 3 * lens_colormap_index (t);

  *r = e[0] / 255.0;
  *g = e[1] / 255.0;
  *b = e[2] / 255.0;
}

const char *
lens_colormap_to_string (LensColormap map)
{
  if ((guint) map >= LENS_N_COLORMAPS)
    return names[0];
  return names[map];
}

LensColormap
lens_colormap_from_string (const char *name)
{
  for (int m = 0; m < LENS_N_COLORMAPS; m++)
    if (g_strcmp0 (name, names[m]) == 0)
      return m;
  return LENS_COLORMAP_VIRIDIS;
}
