/* test-teach-draw.c — pixel tests of the workbench's pure drawings: sparsemax's exact
 * zeros draw no bar, masked entries are hatched, sparse masks hatch exactly their cells. */
#include <math.h>
#include <string.h>

#include "lens-scores-draw.h"
#include "lens-steps-draw.h"

#define W 900
#define H 400

static guint32
pixel (cairo_surface_t *s, double x, double y)
{
  cairo_surface_flush (s);
  return ((guint32 *) (cairo_image_surface_get_data (s) + (int) y * cairo_image_surface_get_stride (s)))[(int) x]
         & 0xFFFFFF;
}

static cairo_surface_t *
canvas (cairo_t **cr, LensHeatmapStyle *style)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);

  *cr = cairo_create (s);
  cairo_set_source_rgb (*cr, 1, 1, 1);
  cairo_paint (*cr);
  lens_heatmap_style_init (style);
  return s;
}

/* the track behind an empty bar is a faint grey, never a colour-map colour */
static gboolean
is_colour (guint32 p)
{
  int r = p >> 16 & 0xFF, g = p >> 8 & 0xFF, b = p & 0xFF;

  return MAX (MAX (abs (r - g), abs (g - b)), abs (r - b)) > 24;
}

static void
test_sparsemax_zeros (void)
{
  const float z[] = { 2.0f, 1.8f, 0.1f, -1.0f, 1.0f, -3.0f };
  const char *labels[] = { "a", "b", "c", "d", "e", "f" };
  float p[6];
  int zeros = 0;
  LensHeatmapStyle style;
  LensBarsLayout lay;
  cairo_t *cr;
  cairo_surface_t *s = canvas (&cr, &style);

  lens_sparsemax_masked (z, NULL, 6, p);
  for (int j = 0; j < 6; j++)
    zeros += p[j] == 0.0f;
  g_assert_cmpint (zeros, >=, 3);
  lens_scores_draw_bars (cr, &style, "<b>Sparsemax</b>", NULL, labels, p, NULL, 6, 1.0, 10, 10, 400, 300, &lay);
  g_assert_cmpint (lay.n, ==, 6);
  for (int j = 0; j < 6; j++)
    {
      double y = lay.rows_y + (j + 0.5) * lay.row_h;
      double x = lay.bar_x + 2;   /* where every bar starts */

      if (p[j] == 0.0f)
        g_assert_false (is_colour (pixel (s, x, y)));
      else
        {
          g_assert_true (is_colour (pixel (s, x, y)));
          /* and the bar ends where its weight says */
          g_assert_true (is_colour (pixel (s, lay.bar_x + lay.bar_w * p[j] - 2, y)));
          if (p[j] < 0.95f)
            g_assert_false (is_colour (pixel (s, lay.bar_x + lay.bar_w * p[j] + 3, y)));
        }
    }
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_sparse_masks (void)
{
  enum { N = 7 };
  float q[N * 2], k[N * 2], v[N * 2];
  float weights[N * N];
  guint8 hidden[N * N];
  AttnHeadTrace t = { .filled = TRUE, .queries = N, .keys = N, .dh = 2, .scale = 1.0f, .causal_offset = -1,
                      .q = q, .k = k, .v = v };
  LensHeatmapStyle style;
  LensMaskMapLayout lay;
  cairo_t *cr;
  cairo_surface_t *s;
  guint32 mask_px;

  for (int i = 0; i < N * 2; i++)
    q[i] = k[i] = v[i] = sinf (i);
  for (int pattern = 0; pattern < 2; pattern++)
    {
      s = canvas (&cr, &style);
      lens_sparse_attention (&t, pattern == 0 ? LENS_SPARSE_LOCAL : LENS_SPARSE_STRIDED, 2, weights, hidden);
      for (int i = 0; i < N; i++)
        {
          double sum = 0;

          for (int j = 0; j < N; j++)
            {
              gboolean want = pattern == 0 ? abs (i - j) > 2 : !(j <= i && (i - j < 2 || (i - j) % 2 == 0));

              g_assert_cmpint (hidden[i * N + j], ==, want);
              if (want)
                g_assert_cmpfloat (weights[i * N + j], ==, 0.0f);
              sum += weights[i * N + j];
            }
          g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
        }
      lens_scores_draw_mask_map (cr, &style, "mask", weights, hidden, N, N, NULL, NULL, 10, 10, 400, 380, &lay);
      g_assert_cmpfloat (lay.cell, >=, 8);
      mask_px = ((guint32) (style.mask[0] * 255 + 0.5) << 16) | ((guint32) (style.mask[1] * 255 + 0.5) << 8)
                | (guint32) (style.mask[2] * 255 + 0.5);
      for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
          {
            /* a corner of the cell, away from the hatching's lines */
            guint32 px = pixel (s, lay.x + j * lay.cell + lay.cell * 0.5, lay.y + i * lay.cell + 2);
            gboolean hatched = FALSE;

            /* hatched cells show the mask colour somewhere along their top row */
            for (double dx = 1; dx < lay.cell - 1 && !hatched; dx++)
              hatched = pixel (s, lay.x + j * lay.cell + dx, lay.y + i * lay.cell + lay.cell / 2) == mask_px;
            g_assert_cmpint (hatched, ==, hidden[i * N + j]);
            if (!hidden[i * N + j])
              g_assert_true (is_colour (px));
          }
      cairo_destroy (cr);
      cairo_surface_destroy (s);
    }
}

/* the mask step hatches the masked keys' bars and writes −∞ there */
static void
test_steps_mask (void)
{
  enum { N = 5, D = 4 };
  float q[N * D], k[N * D], v[N * D];
  AttnHeadTrace t = { .filled = TRUE, .queries = N, .keys = N, .dh = D, .scale = 0.5f, .causal_offset = 0,
                      .q = q, .k = k, .v = v };
  const char *labels[] = { "the", "cat", "sat", "on", "mats" };
  LensSteps st = { 0 };
  LensStepsLayout lay;
  LensHeatmapStyle style;
  cairo_t *cr;
  cairo_surface_t *s;
  g_autofree char *formula = NULL;

  for (int i = 0; i < N * D; i++)
    q[i] = k[i] = v[i] = cosf (i * 0.7f);
  g_assert_true (lens_steps_compute (&st, &t, 1, 1.0f));
  g_assert_cmpint (st.mask_kind, ==, LENS_MASK_CAUSAL);
  for (int j = 0; j < N; j++)
    g_assert_cmpint (st.hidden[j], ==, j > 1);
  formula = lens_steps_formula (&st, LENS_STEP_SCALE);
  g_assert_nonnull (strstr (formula, "÷ √4 = ÷ 2"));

  s = canvas (&cr, &style);
  lens_steps_draw (cr, &style, &(LensStepsScene) { .steps = &st, .step = LENS_STEP_MASK, .query_label = "cat",
                                                   .key_labels = labels, .hover_row = -1, .hover_dim = -1 },
                   W, H, &lay);
  g_assert_cmpint (lay.n_rows, ==, N);
  {
    guint32 mask_px = ((guint32) (style.mask[0] * 255 + 0.5) << 16) | ((guint32) (style.mask[1] * 255 + 0.5) << 8)
                      | (guint32) (style.mask[2] * 255 + 0.5);

    for (int j = 0; j < N; j++)
      {
        double y = lay.rows_y + (j + 0.5) * lay.row_h;
        int found = 0;

        /* the bar column lies right of the key strips */
        for (double x = lay.strip_x + lay.strip_w + 20; x < W - 80; x += 1)
          found += pixel (s, x, y) == mask_px;
        g_assert_cmpint (found > 20, ==, st.hidden[j]);
      }
  }
  /* hit-testing a strip cell */
  {
    int row, dim;

    g_assert_true (lens_steps_hit (&lay, lay.strip_x + lay.strip_w * 0.6, lay.rows_y + lay.row_h * 2.5, &row, &dim));
    g_assert_cmpint (row, ==, 2);
    g_assert_cmpint (dim, ==, 2);
  }
  lens_steps_clear (&st);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/teach-draw/sparsemax-zeros", test_sparsemax_zeros);
  g_test_add_func ("/teach-draw/sparse-masks", test_sparse_masks);
  g_test_add_func ("/teach-draw/steps-mask", test_steps_mask);
  return g_test_run ();
}
