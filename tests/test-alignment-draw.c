/* test-alignment-draw.c — pixel tests of the alignment figure and the beam tree's winning path. */
#include <math.h>

#include "attn-analysis.h"
#include "lens-alignment-draw.h"
#include "lens-beam-draw.h"
#include "test-pixel.h"

#define W 640
#define H 480

/* how far a pixel is from an RGB colour in [0, 1], max over channels */
static double
distance (guint32 p, const double rgb[3])
{
  double r = ((p >> 16) & 0xff) / 255.0, g = ((p >> 8) & 0xff) / 255.0, b = (p & 0xff) / 255.0;

  return MAX (fabs (r - rgb[0]), MAX (fabs (g - rgb[1]), fabs (b - rgb[2])));
}

static const double white[3] = { 1, 1, 1 };

static void
fill_seq (AttnTokenSeq *seq, const char *const *tokens, guint n, int n_special)
{
  attn_token_seq_init (seq, n);
  for (guint i = 0; i < n; i++)
    {
      seq->ids[i] = i;
      seq->tokens[i] = g_strdup (tokens[i]);
      seq->display[i] = g_strdup (tokens[i]);
      seq->special[i] = (int) i < n_special;
    }
}

/* Source "a b c", target "<s> x y z"; row i of the cross-attention (which predicted
 * output word i) attends most to source word perm[i]. */
static AttnResult *
make_result (void)
{
  static const char *src[] = { "\xe2\x96\x81" "a", "\xe2\x96\x81" "b", "\xe2\x96\x81" "c" };
  static const char *tgt[] = { "<s>", "\xe2\x96\x81" "x", "\xe2\x96\x81" "y", "\xe2\x96\x81" "z" };
  static const int perm[4] = { 2, 0, 1, 1 };
  AttnResult *r = attn_result_new ();
  AttnWeights *w = attn_weights_new (1, 1, 4, 3);

  fill_seq (&r->input, src, 3, 0);
  fill_seq (&r->target, tgt, 4, 1);
  r->target_forced = TRUE;
  r->decoder_prompt_len = 1;
  for (int q = 0; q < 4; q++)
    for (int k = 0; k < 3; k++)
      w->data[q * 3 + k] = k == perm[q] ? 0.8f : 0.1f;
  r->attention[ATTN_KIND_CROSS] = w;
  return r;
}

static cairo_surface_t *
draw_figure (const LensAlignmentFigure *fig, LensAlignmentLayout *layout)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (s);
  LensHeatmapStyle style;

  lens_heatmap_style_init (&style);
  lens_alignment_draw (cr, &style, fig, W, H, layout);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

static void
link_mid (const LensAlignmentLayout *l, int src, int tgt, double *x, double *y)
{
  /* a curve from (sx, sy) to (tx, ty) with controls (sx, ym), (tx, ym) passes through the middle */
  *x = (lens_alignment_src_x (l, src) + lens_alignment_tgt_x (l, tgt)) / 2;
  *y = (l->src_y + l->tgt_y) / 2;
}

static void
test_links (void)
{
  g_autoptr(AttnResult) r = make_result ();
  g_autoptr(GArray) links = attn_align_words (r, 0, 0, ATTN_ALIGN_ARGMAX);
  g_autoptr(GArray) shifted = attn_align_words (r, 0, 0, ATTN_ALIGN_SHIFT);
  g_autofree char *pharaoh = attn_links_to_pharaoh (links);
  g_autofree char *pharaoh_shift = attn_links_to_pharaoh (shifted);
  const char *src_words[] = { "a", "b", "c" }, *tgt_words[] = { "x", "y", "z" };
  LensAlignmentFigure fig = { 0 };
  LensAlignmentLayout l;
  cairo_surface_t *s;
  double x, y;

  /* output word i links to source word perm[i]; shifted reads row i + 1 */
  g_assert_cmpstr (pharaoh, ==, "0-1 1-2 2-0");
  g_assert_cmpstr (pharaoh_shift, ==, "0-0 1-1 1-2");

  fig.matrix = attn_weights_head (r->attention[ATTN_KIND_CROSS], 0, 0);
  fig.rows = 4;
  fig.cols = 3;
  fig.row_labels = (const char *const *) r->target.display;
  fig.col_labels = (const char *const *) r->input.display;
  fig.highlight_row = -1;
  fig.src_words = src_words;
  fig.n_src = 3;
  fig.tgt_words = tgt_words;
  fig.n_tgt = 3;
  fig.links = links;
  fig.selected_tgt = -1;
  fig.title = "test";
  s = draw_figure (&fig, &l);

  g_assert_cmpfloat (l.src_y, <, l.tgt_y);
  g_assert_cmpfloat (l.heat_y + l.heat_h, <=, l.words_top);
  /* each link is drawn in the link colour through its middle … */
  for (guint i = 0; i < links->len; i++)
    {
      const AttnLink *k = &g_array_index (links, AttnLink, i);

      link_mid (&l, k->src, k->tgt, &x, &y);
      g_assert_cmpfloat (distance (test_pixel (s, x, y), lens_alignment_hit_rgb), <, 0.15);
    }
  /* … and where there is no link there is background */
  link_mid (&l, 0, 0, &x, &y);
  g_assert_cmpfloat (distance (test_pixel (s, x, y), white), <, 0.05);
  link_mid (&l, 2, 2, &x, &y);
  g_assert_cmpfloat (distance (test_pixel (s, x, y), white), <, 0.05);
  /* a click on a target word finds it */
  g_assert_cmpint (lens_alignment_hit_target (&l, 3, lens_alignment_tgt_x (&l, 1), l.tgt_y + 10), ==, 1);
  g_assert_cmpint (lens_alignment_hit_target (&l, 3, lens_alignment_tgt_x (&l, 1), l.src_y), ==, -1);
  cairo_surface_destroy (s);

  /* straight links pass through the same middles */
  fig.straight = TRUE;
  s = draw_figure (&fig, &l);
  link_mid (&l, 2, 0, &x, &y);
  g_assert_cmpfloat (distance (test_pixel (s, x, y), lens_alignment_hit_rgb), <, 0.15);
  cairo_surface_destroy (s);
}

static void
test_gold (void)
{
  g_autoptr(AttnResult) r = make_result ();
  g_autoptr(GArray) links = attn_align_words (r, 0, 0, ATTN_ALIGN_ARGMAX);
  g_autoptr(GArray) sure = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  g_autoptr(GArray) possible = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  g_autoptr(GError) error = NULL;
  const char *src_words[] = { "a", "b", "c" }, *tgt_words[] = { "x", "y", "z" };
  const double black[3] = { 0.1, 0.1, 0.12 };
  LensAlignmentFigure fig = { 0 };
  LensAlignmentLayout l;
  AttnAerCounts counts = { 0 };
  cairo_surface_t *s;
  double x, y, p, rc, aer;
  int dark = 0;

  /* 0-1 sure (a hit), 1-2 possible (a hit), 2-2 possible (missed); 2-0 is not in the gold */
  g_assert_true (attn_parse_gold ("0-1 1?2 2-2-p", sure, possible, &error));
  g_assert_no_error (error);
  attn_aer_add (&counts, links, sure, possible);
  attn_aer_scores (&counts, &p, &rc, &aer);
  g_assert_cmpfloat_with_epsilon (p, 2.0 / 3.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (rc, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (aer, 1.0 - (1.0 + 2.0) / (3.0 + 1.0), 1e-9);

  fig.src_words = src_words;
  fig.n_src = 3;
  fig.tgt_words = tgt_words;
  fig.n_tgt = 3;
  fig.links = links;
  fig.sure = sure;
  fig.possible = possible;
  fig.selected_tgt = 1;
  fig.highlight_row = -1;
  s = draw_figure (&fig, &l);

  /* hits in the hit colour, the miss in the miss colour */
  link_mid (&l, 0, 1, &x, &y);
  g_assert_cmpfloat (distance (test_pixel (s, x, y), lens_alignment_hit_rgb), <, 0.15);
  link_mid (&l, 1, 2, &x, &y);
  g_assert_cmpfloat (distance (test_pixel (s, x, y), lens_alignment_hit_rgb), <, 0.15);
  link_mid (&l, 2, 0, &x, &y);
  g_assert_cmpfloat (distance (test_pixel (s, x, y), lens_alignment_miss_rgb), <, 0.15);

  /* the sure link's outline: dark beside the link, hollow between */
  link_mid (&l, 0, 1, &x, &y);
  g_assert_cmpfloat (distance (test_pixel (s, x, y - 3.5), black), <, 0.3);
  g_assert_cmpfloat (distance (test_pixel (s, x, y + 3.5), black), <, 0.3);
  /* the missed possible link 2-2: a vertical dashed line, dark and white along it */
  link_mid (&l, 2, 2, &x, &y);
  for (int dy = -6; dy <= 6; dy++)
    dark += distance (test_pixel (s, x, y + dy), white) > 0.3;
  g_assert_cmpint (dark, >, 3);
  g_assert_cmpint (dark, <, 13);
  cairo_surface_destroy (s);
}

static void
test_beam_path (void)
{
  /* width 2: step 0 keeps A (0), B (1); step 1 extends B → C (0) and A → D (1),
   * B → </s> finishes; step 2: D → E finishes as the best */
  static const AttnBeamEntry entries[] = {
    { 0, 0, -1, 10, -0.5f, FALSE }, { 0, 1, -1, 11, -0.7f, FALSE },
    { 1, 0, 1, 12, -1.0f, FALSE }, { 1, 1, 0, 13, -1.1f, FALSE }, { 1, -1, 1, 0, -1.2f, TRUE },
    { 2, -1, 1, 14, -1.3f, TRUE }, { 2, -1, 0, 15, -1.9f, TRUE },
  };
  const gint32 generated[] = { 10, 13, 14 };
  const gint32 other[] = { 10, 12, 14 };
  g_autoptr(GArray) beam = g_array_new (FALSE, FALSE, sizeof (AttnBeamEntry));
  gboolean winner[G_N_ELEMENTS (entries)];
  const char *labels[G_N_ELEMENTS (entries)] = { "A", "B", "C", "D", "</s>", "E", "F" };
  LensHeatmapStyle style;
  cairo_surface_t *s;
  cairo_t *cr;
  double w, h;

  g_array_append_vals (beam, entries, G_N_ELEMENTS (entries));
  g_assert_cmpint (lens_beam_winning_path (beam, generated, 3, winner), ==, 3);
  g_assert_true (winner[0] && winner[3] && winner[5]);
  g_assert_false (winner[1] || winner[2] || winner[4] || winner[6]);
  /* a sequence no path produced marks nothing */
  g_assert_cmpint (lens_beam_winning_path (beam, other, 3, winner), ==, 0);

  lens_heatmap_style_init (&style);
  lens_beam_size (beam, &style, &w, &h);
  g_assert_cmpfloat (w, >, 3 * style.font_size * 5);
  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w, (int) h);
  cr = cairo_create (s);
  lens_beam_winning_path (beam, generated, 3, winner);
  lens_beam_draw (cr, &style, beam, labels, winner);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/alignment-draw/links", test_links);
  g_test_add_func ("/alignment-draw/gold", test_gold);
  g_test_add_func ("/alignment-draw/beam-path", test_beam_path);
  return g_test_run ();
}
