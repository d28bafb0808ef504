/* test-speech-draw.c — pixel tests of the spectrogram with the transcript in time. */
#include <math.h>

#include "lens-speech-draw.h"
#include "test-pixel.h"

#define W 800
#define H 500
#define BINS 80
#define FRAMES 3000

static double
distance (guint32 p, double r, double g, double b)
{
  return MAX (fabs (((p >> 16) & 0xff) / 255.0 - r),
              MAX (fabs (((p >> 8) & 0xff) / 255.0 - g), fabs ((p & 0xff) / 255.0 - b)));
}

static double
brightness (guint32 p)
{
  return (((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff)) / (3 * 255.0);
}

static void
test_spectrogram_and_tokens (void)
{
  g_autofree float *mel = g_new0 (float, (gsize) BINS * FRAMES);
  g_autofree float *attention = g_new0 (float, 1500);
  const char *tokens[] = { "hello", "world" };
  const double starts[] = { 1.0, 3.0 }, ends[] = { 1.5, 3.6 };
  LensSpeechFigure fig = { 0 };
  LensSpeechLayout l;
  LensHeatmapStyle style;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (s);
  double r, g, b, x, y;

  /* 5 s of audio: louder over time in the first 500 frames; the upper bands
   * of the first second are loud, the rest silent */
  for (int m = 0; m < BINS; m++)
    for (int f = 0; f < FRAMES; f++)
      mel[(gsize) m * FRAMES + f] = f < 500 ? f / 500.0f : 0.0f;
  /* the second token attends to 3.2 s (position 160 at 50 per second) */
  attention[160] = 1.0f;

  fig.mel = mel;
  fig.mel_bins = BINS;
  fig.mel_frames = FRAMES;
  fig.shown_frames = 500;
  fig.frames_per_second = 100;
  fig.n_tokens = 2;
  fig.tokens = tokens;
  fig.starts = starts;
  fig.ends = ends;
  fig.timed = TRUE;
  fig.selected = 1;
  fig.attention = attention;
  fig.n_positions = 1500;
  fig.positions_per_second = 50;
  fig.title = "test";

  lens_heatmap_style_init (&style);
  lens_speech_draw (cr, &style, &fig, W, H, &l);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);

  /* the spectrogram fills its box with the shown 5 s: the colour map's low end
   * on the left, its high end on the right */
  g_assert_cmpfloat_with_epsilon (l.seconds, 5.0, 1e-9);
  lens_colormap_rgb (style.colormap, 0.0, &r, &g, &b);
  g_assert_cmpfloat (distance (test_pixel (s, l.x0 + 2, l.y0 + l.h / 2), r, g, b), <, 0.1);
  lens_colormap_rgb (style.colormap, 1.0, &r, &g, &b);
  g_assert_cmpfloat (distance (test_pixel (s, l.x0 + l.w - 3, l.y0 + 5), r, g, b), <, 0.1);
  lens_colormap_rgb (style.colormap, 0.5, &r, &g, &b);
  g_assert_cmpfloat (distance (test_pixel (s, l.x0 + l.w / 2, l.y0 + l.h * 0.8), r, g, b), <, 0.12);

  /* each token's marker sits at its start time, under the axis */
  for (int i = 0; i < 2; i++)
    {
      x = lens_speech_token_x (&l, &fig, i);
      g_assert_cmpfloat_with_epsilon (x, l.x0 + l.w * starts[i] / 5.0, 1e-9);
      y = l.lane_y - 2;
      g_assert_cmpfloat (brightness (test_pixel (s, floor (x) + 1, y)), <, 0.8);
      g_assert_cmpfloat (brightness (test_pixel (s, floor (x) - 12, y)), >, 0.97);
    }
  /* the selected token's attention peaks at 3.2 s: the white curve near the top */
  x = lens_speech_time_to_x (&l, 3.21);
  g_assert_cmpfloat (brightness (test_pixel (s, x, l.y0 + l.h * 0.1 + 2)), >, 0.8);
  /* a click on a label or span finds the token */
  g_assert_cmpint (lens_speech_hit_token (&l, &fig, lens_speech_time_to_x (&l, 3.3), l.lane_y + 5), ==, 1);
  g_assert_cmpint (lens_speech_hit_token (&l, &fig, lens_speech_time_to_x (&l, 1.1), l.lane_y + 5), ==, 0);
  g_assert_cmpint (lens_speech_hit_token (&l, &fig, lens_speech_time_to_x (&l, 1.1), l.y0 + 5), ==, -1);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/speech-draw/spectrogram-and-tokens", test_spectrogram_and_tokens);
  return g_test_run ();
}
