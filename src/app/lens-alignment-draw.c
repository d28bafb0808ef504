/* lens-alignment-draw.c — pure drawing of the cross-attention and word links of a pair. */
#include "lens-alignment-draw.h"

#include <glib/gi18n.h>
#include <math.h>

/* Okabe–Ito blue and vermillion: told apart with any colour vision */
const double lens_alignment_hit_rgb[3] = { 0.0, 0.45, 0.70 };
const double lens_alignment_miss_rgb[3] = { 0.84, 0.37, 0.0 };

#define MARGIN 8.0

static double
line_h (const LensHeatmapStyle *style)
{
  return ceil (style->font_size * 1.5);
}

gboolean
lens_alignment_has_link (const GArray *links, int src, int tgt)
{
  if (links == NULL)
    return FALSE;
  for (guint i = 0; i < links->len; i++)
    {
      const AttnLink *l = &g_array_index (links, AttnLink, i);

      if (l->src == src && l->tgt == tgt)
        return TRUE;
    }
  return FALSE;
}

void
lens_alignment_layout (const LensAlignmentFigure *fig, const LensHeatmapStyle *style,
                       double width, double height, LensAlignmentLayout *layout)
{
  double lh = line_h (style);
  double top = MARGIN + lh * (fig->subtitle ? 2.2 : 1.3);
  double legend_h = lh * 1.6;
  double rest = MAX (height - top - legend_h, 40);
  /* the heatmap takes what the word rows leave, at most its share */
  double words_h = CLAMP (rest * 0.42, lh * 6, MAX (rest - 40, lh * 6));

  memset (layout, 0, sizeof *layout);
  layout->x0 = MARGIN;
  layout->heat_x = MARGIN;
  layout->heat_y = top;
  layout->heat_w = MAX (width - 2 * MARGIN, 10);
  layout->heat_h = MAX (rest - words_h, 10);
  layout->words_top = layout->heat_y + layout->heat_h + lh * 0.5;
  layout->words_bottom = height - legend_h;
  /* word text, then its index; links between the two index lines */
  layout->src_y = layout->words_top + lh * 2.0;
  layout->tgt_y = layout->words_bottom - lh * 2.0;
  layout->slot_src = (width - 2 * MARGIN) / MAX (fig->n_src, 1);
  layout->slot_tgt = (width - 2 * MARGIN) / MAX (fig->n_tgt, 1);
}

double
lens_alignment_src_x (const LensAlignmentLayout *layout, int word)
{
  return layout->x0 + layout->slot_src * (word + 0.5);
}

double
lens_alignment_tgt_x (const LensAlignmentLayout *layout, int word)
{
  return layout->x0 + layout->slot_tgt * (word + 0.5);
}

int
lens_alignment_hit_target (const LensAlignmentLayout *layout, int n_tgt, double x, double y)
{
  int w;

  if (y < layout->tgt_y - 4 || y > layout->words_bottom + 4 || layout->slot_tgt <= 0)
    return -1;
  w = (int) floor ((x - layout->x0) / layout->slot_tgt);
  return w >= 0 && w < n_tgt ? w : -1;
}

static void
link_path (cairo_t *cr, double sx, double sy, double tx, double ty, gboolean straight)
{
  double ym = (sy + ty) / 2;

  cairo_move_to (cr, sx, sy);
  if (straight)
    cairo_line_to (cr, tx, ty);
  else
    cairo_curve_to (cr, sx, ym, tx, ym, tx, ty);
}

/* Gold sure links as hollow tubes: a wide stroke with a narrower one cut out,
 * in a group so that the background (transparent in the widget) shows through. */
static void
draw_sure (cairo_t *cr, const LensHeatmapStyle *style, const LensAlignmentLayout *lay,
           const LensAlignmentFigure *fig, const GArray *links, double sx_only, double tx_only)
{
  gboolean sample = links == NULL;

  cairo_push_group (cr);
  for (int pass = 0; pass < 2; pass++)
    {
      if (sample)
        link_path (cr, sx_only, lay->src_y, tx_only, lay->tgt_y, TRUE);
      else
        for (guint i = 0; i < links->len; i++)
          {
            const AttnLink *l = &g_array_index (links, AttnLink, i);

            if (l->src >= fig->n_src || l->tgt >= fig->n_tgt)
              continue;
            link_path (cr, lens_alignment_src_x (lay, l->src), lay->src_y,
                       lens_alignment_tgt_x (lay, l->tgt), lay->tgt_y, fig->straight);
          }
      if (pass == 0)
        {
          cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.85);
          cairo_set_line_width (cr, 9.0);
        }
      else
        {
          cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
          cairo_set_line_width (cr, 5.0);
        }
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
      cairo_stroke (cr);
    }
  cairo_pop_group_to_source (cr);
  cairo_paint (cr);
}

static void
set_possible_stroke (cairo_t *cr, const LensHeatmapStyle *style)
{
  static const double dashes[] = { 5.0, 4.0 };

  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.75);
  cairo_set_line_width (cr, 1.5);
  cairo_set_dash (cr, dashes, 2, 0);
}

static void
set_link_stroke (cairo_t *cr, gboolean hit)
{
  const double *c = hit ? lens_alignment_hit_rgb : lens_alignment_miss_rgb;

  cairo_set_source_rgb (cr, c[0], c[1], c[2]);
  cairo_set_line_width (cr, 2.5);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
draw_words (cairo_t *cr, const LensHeatmapStyle *style, const char *const *words, int n,
            double slot, double x0, double text_y, double index_y, int selected)
{
  LensHeatmapStyle dim = *style;
  char buf[16];

  dim.fg[3] *= 0.6;
  for (int i = 0; i < n; i++)
    {
      double x = x0 + slot * i;

      lens_draw_text (cr, style, words[i], x + 1, text_y, slot - 2, 0.5, i == selected, 1.0);
      g_snprintf (buf, sizeof buf, "%d", i);
      lens_draw_text (cr, &dim, buf, x + 1, index_y, slot - 2, 0.5, FALSE, 0.8);
      if (i == selected)
        {
          cairo_save (cr);
          cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.8);
          cairo_set_line_width (cr, 1.0);
          cairo_rectangle (cr, x + 2.5, MIN (text_y, index_y) - 1.5, slot - 5,
                           fabs (index_y - text_y) + line_h (style));
          cairo_stroke (cr);
          cairo_restore (cr);
        }
    }
}

static double
legend_item (cairo_t *cr, const LensHeatmapStyle *style, double x, double y, int kind, const char *label)
{
  LensAlignmentLayout sample = { 0 };
  LensAlignmentFigure none = { 0 };
  double lh = line_h (style), w = 26;

  sample.src_y = y + lh * 0.5;
  sample.tgt_y = y + lh * 0.5;
  cairo_save (cr);
  switch (kind)
    {
    case 0:
    case 1:
      set_link_stroke (cr, kind == 0);
      cairo_move_to (cr, x, sample.src_y);
      cairo_line_to (cr, x + w, sample.src_y);
      cairo_stroke (cr);
      break;
    case 2:
      draw_sure (cr, style, &sample, &none, NULL, x, x + w);
      break;
    default:
      set_possible_stroke (cr, style);
      cairo_move_to (cr, x, sample.src_y);
      cairo_line_to (cr, x + w, sample.src_y);
      cairo_stroke (cr);
      break;
    }
  cairo_restore (cr);
  lens_draw_text (cr, style, label, x + w + 6, y + lh * 0.5 - style->font_size * 0.65, 0, 0.0, FALSE, 1.0);
  return x + w + 6 + lens_text_width (cr, style, label, FALSE, 1.0) + 18;
}

void
lens_alignment_draw (cairo_t *cr, const LensHeatmapStyle *style, const LensAlignmentFigure *fig,
                     double width, double height, LensAlignmentLayout *out_layout)
{
  LensAlignmentLayout lay;
  LensHeatmapStyle heat = *style;
  LensHeatmapStyle dim = *style;
  gboolean gold = fig->sure != NULL || fig->possible != NULL;
  double lh = line_h (style);
  double x;

  lens_alignment_layout (fig, style, width, height, &lay);
  if (out_layout)
    *out_layout = lay;
  dim.fg[3] *= 0.7;

  if (style->bg[3] > 0)
    {
      cairo_save (cr);
      cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], style->bg[3]);
      cairo_paint (cr);
      cairo_restore (cr);
    }
  if (fig->title)
    lens_draw_text (cr, style, fig->title, MARGIN, MARGIN * 0.5, width - 2 * MARGIN, 0.0, TRUE, 1.1);
  if (fig->subtitle)
    lens_draw_text (cr, &dim, fig->subtitle, MARGIN, MARGIN * 0.5 + lh * 1.1, width - 2 * MARGIN, 0.0, FALSE, 1.0);

  /* the token-level cross-attention */
  if (fig->matrix && fig->rows > 0 && fig->cols > 0)
    {
      heat.bg[3] = 0;
      heat.causal = FALSE;
      heat.highlight_row = fig->highlight_row;
      cairo_save (cr);
      cairo_translate (cr, lay.heat_x, lay.heat_y);
      lens_heatmap_draw (cr, &heat, fig->matrix, fig->rows, fig->cols,
                         fig->row_labels, fig->col_labels, lay.heat_w, lay.heat_h);
      cairo_restore (cr);
    }

  /* the word rows: source on top, target below */
  draw_words (cr, style, fig->src_words, fig->n_src, lay.slot_src, lay.x0,
              lay.words_top, lay.words_top + lh * 0.95, -1);
  draw_words (cr, style, fig->tgt_words, fig->n_tgt, lay.slot_tgt, lay.x0,
              lay.tgt_y + lh * 0.95, lay.tgt_y + lh * 0.05, fig->selected_tgt);

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  /* gold under the links: sure as outlines, possible-only dashed */
  if (fig->sure && fig->sure->len > 0)
    draw_sure (cr, style, &lay, fig, fig->sure, 0, 0);
  if (fig->possible)
    {
      set_possible_stroke (cr, style);
      for (guint i = 0; i < fig->possible->len; i++)
        {
          const AttnLink *l = &g_array_index (fig->possible, AttnLink, i);

          if (l->src >= fig->n_src || l->tgt >= fig->n_tgt || lens_alignment_has_link (fig->sure, l->src, l->tgt))
            continue;
          link_path (cr, lens_alignment_src_x (&lay, l->src), lay.src_y,
                     lens_alignment_tgt_x (&lay, l->tgt), lay.tgt_y, fig->straight);
          cairo_stroke (cr);
        }
    }
  /* the extracted links */
  for (guint i = 0; fig->links && i < fig->links->len; i++)
    {
      const AttnLink *l = &g_array_index (fig->links, AttnLink, i);
      gboolean hit = !gold || lens_alignment_has_link (fig->possible, l->src, l->tgt) ||
                     lens_alignment_has_link (fig->sure, l->src, l->tgt);

      if (l->src >= fig->n_src || l->tgt >= fig->n_tgt)
        continue;
      set_link_stroke (cr, hit);
      link_path (cr, lens_alignment_src_x (&lay, l->src), lay.src_y,
                 lens_alignment_tgt_x (&lay, l->tgt), lay.tgt_y, fig->straight);
      cairo_stroke (cr);
    }
  cairo_restore (cr);

  /* the legend */
  x = MARGIN;
  {
    double y = height - lh * 1.4;

    x = legend_item (cr, style, x, y, 0, gold ? _("link in the gold") : _("extracted link"));
    if (gold)
      {
        x = legend_item (cr, style, x, y, 1, _("link not in the gold"));
        x = legend_item (cr, style, x, y, 2, _("gold: sure"));
        legend_item (cr, style, x, y, 3, _("gold: possible"));
      }
  }
}
