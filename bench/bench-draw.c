/* bench-draw.c — how long the attention grid takes to draw offscreen.
 *
 * A BERT-base sized result: 12 layers × 12 heads over 512 tokens, each row a
 * softmax of random scores. Prints, in ms:
 *   - the first grid draw (builds the 144 downsampled thumbnails, 8 ms a frame),
 *   - a full grid redraw from the cached thumbnails,
 *   - a hover update: one head drawn enlarged, first time (builds its cells) and cached,
 *   - the Head view: a 512 × 512 matrix with labels and legend from its cached cells.
 * `attn-bench-draw GRID.png HEAD.png` also saves the two drawings.
 * Goal: 16 ms (one frame at 60 Hz) for a redraw and for a hover update. */
#include <math.h>
#include <stdio.h>

#include "lens-grid-draw.h"

#define LAYERS 12
#define HEADS  12
#define TOKENS 512
#define WIDTH  1400
#define HEIGHT 900
#define REPEAT 20

static float *data;
static char *labels[TOKENS];

static const float *
get_head (gpointer user_data, int layer, int head)
{
  return data + ((gsize) layer * HEADS + head) * TOKENS * TOKENS;
}

static void
fill_random (void)
{
  GRand *rand = g_rand_new_with_seed (42);

  data = g_new (float, (gsize) LAYERS * HEADS * TOKENS * TOKENS);
  for (gsize row = 0; row < (gsize) LAYERS * HEADS * TOKENS; row++)
    {
      float *r = data + row * TOKENS;
      double sum = 0;

      for (int k = 0; k < TOKENS; k++)
        {
          r[k] = (float) exp (3.0 * g_rand_double (rand));
          sum += r[k];
        }
      for (int k = 0; k < TOKENS; k++)
        r[k] /= sum;
    }
  for (int i = 0; i < TOKENS; i++)
    labels[i] = g_strdup_printf ("tok%d", i);
  g_rand_free (rand);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int argc, char **argv)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  LensHeatmapStyle style;
  LensGridCache *cache = lens_grid_cache_new (LAYERS, HEADS);
  cairo_surface_t *cells;
  gint64 t;
  double first = 0, slice = 0, redraw = 0, hover_first, hover = 0, head_view = 0;
  int missing, frames = 0;

  fill_random ();
  lens_heatmap_style_init (&style);
  /* the app has its fonts loaded long before a result comes: so does the bench */
  lens_draw_text (cr, &style, "Self-attention Layer Head 0123456789", 0, 0, 0, 0.0, TRUE, 1.1);
  lens_draw_text (cr, &style, "Self-attention Layer Head 0123456789", 0, 0, 0, 0.0, FALSE, 1.0);
  lens_draw_text (cr, &style, "warm-up", 0, 0, 0, 0.0, FALSE, 0.9);

  /* as the widget does it: thumbnails built in slices of 8 ms, one slice a frame */
  do
    {
      t = g_get_monotonic_time ();
      missing = lens_grid_draw (cr, &style, cache, get_head, NULL, LAYERS, HEADS, TOKENS, TOKENS,
                                (const char *const *) labels, (const char *const *) labels,
                                "Self-attention", 0, 0, -1, -1, 0, 0, WIDTH, HEIGHT, t + 8000);
      cairo_surface_flush (surface);
      slice = MAX (slice, ms_since (t));
      if (g_getenv ("BENCH_VERBOSE"))
        printf ("    frame %d: %.2f ms, %d missing\n", frames, ms_since (t), missing);
      first += ms_since (t);
      frames++;
    }
  while (missing > 0);

  for (int i = 0; i < REPEAT; i++)
    {
      t = g_get_monotonic_time ();
      lens_grid_draw (cr, &style, cache, get_head, NULL, LAYERS, HEADS, TOKENS, TOKENS,
                      (const char *const *) labels, (const char *const *) labels,
                      "Self-attention", i % LAYERS, i % HEADS, -1, -1, 0, 0, WIDTH, HEIGHT, 0);
      cairo_surface_flush (surface);
      redraw += ms_since (t);
    }

  t = g_get_monotonic_time ();
  lens_grid_draw_enlarged (cr, &style, cache, get_head (NULL, 3, 4), TOKENS, TOKENS,
                           (const char *const *) labels, (const char *const *) labels, 3, 4, 300, 200, 360);
  cairo_surface_flush (surface);
  hover_first = ms_since (t);

  for (int i = 0; i < REPEAT; i++)
    {
      t = g_get_monotonic_time ();
      lens_grid_draw_enlarged (cr, &style, cache, get_head (NULL, 3, 4), TOKENS, TOKENS,
                               (const char *const *) labels, (const char *const *) labels,
                               3, 4, 300 + i, 200 + i, 360);
      cairo_surface_flush (surface);
      hover += ms_since (t);
    }

  /* what the grid looks like with a head enlarged under the pointer */
  if (argc > 1)
    {
      lens_grid_draw (cr, &style, cache, get_head, NULL, LAYERS, HEADS, TOKENS, TOKENS,
                      (const char *const *) labels, (const char *const *) labels,
                      "Self-attention", 3, 4, 3, 4, 560, 330, WIDTH, HEIGHT, 0);
      cairo_surface_flush (surface);
      cairo_surface_write_to_png (surface, argv[1]);
    }

  cells = lens_heatmap_cells_surface (&style, get_head (NULL, 5, 6), TOKENS, TOKENS);
  for (int i = 0; i < REPEAT; i++)
    {
      style.hover_row = i;
      style.hover_col = i;
      t = g_get_monotonic_time ();
      lens_heatmap_draw_cached (cr, &style, get_head (NULL, 5, 6), TOKENS, TOKENS,
                                (const char *const *) labels, (const char *const *) labels,
                                WIDTH, HEIGHT, cells, NULL);
      cairo_surface_flush (surface);
      head_view += ms_since (t);
    }

  printf ("attention grid, %d layers x %d heads x %d tokens, %dx%d px\n", LAYERS, HEADS, TOKENS, WIDTH, HEIGHT);
  printf ("  first grid draw (builds thumbnails): %8.2f ms in %d frames, longest frame %.2f ms\n",
          first, frames, slice);
  printf ("  grid redraw (cached thumbnails):     %8.2f ms\n", redraw / REPEAT);
  printf ("  hover, first time (builds cells):    %8.2f ms\n", hover_first);
  printf ("  hover update (enlarged head):        %8.2f ms\n", hover / REPEAT);
  printf ("  head view redraw (512x512, labels):  %8.2f ms\n", head_view / REPEAT);

  if (argc > 2)
    cairo_surface_write_to_png (surface, argv[2]);

  cairo_surface_destroy (cells);
  lens_grid_cache_free (cache);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}
