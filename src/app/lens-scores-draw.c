/* lens-scores-draw.c — pure drawing of the score functions, sparsemax and sparse masks. */
#include "lens-scores-draw.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lens-teach-draw.h"

static void
set_fg (cairo_t *cr, const LensHeatmapStyle *style, double alpha)
{
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], style->fg[3] * alpha);
}

void
lens_scores_draw_bars (cairo_t *cr, const LensHeatmapStyle *style, const char *title,
                       const char *note, const char *const *labels, const float *weights,
                       const guint8 *hidden, int n, double full, double x, double y, double w, double h,
                       LensBarsLayout *out)
{
  double f = style->font_size, top = y, lw = 0, vw, row_h, ts;
  LensBarsLayout lay = { 0 };
  float wmax = 0;

  top += lens_draw_markup (cr, style, title, x, top, w, 1.0) + f * 0.6;
  if (note)
    {
      LensHeatmapStyle dim = *style;

      dim.fg[3] *= 0.75;
      lens_draw_markup (cr, &dim, note, x, y + h - f * 1.4, w, 0.85);
      h -= f * 1.6;
    }
  if (n <= 0)
    return;
  row_h = MIN (f * 1.9, (y + h - top) / n);
  ts = CLAMP (row_h / (f * 1.4), 0.5, 1.0);
  for (int j = 0; j < n; j++)
    {
      lw = MAX (lw, lens_text_width (cr, style, labels ? labels[j] : "", FALSE, ts));
      if (!(hidden && hidden[j]))
        wmax = MAX (wmax, weights[j]);
    }
  lw = MIN (lw + f * 0.5, w * 0.42);
  vw = lens_text_width (cr, style, "0.000", TRUE, ts) + f * 0.4;
  lay.bar_x = x + lw;
  lay.bar_w = MAX (w - lw - vw, 4.0);
  lay.rows_y = top;
  lay.row_h = row_h;
  lay.full = full = full > 0 ? full : 1.0;
  lay.n = n;

  for (int j = 0; j < n; j++)
    {
      double ry = top + j * row_h, bh = MAX (row_h * 0.7, 1.0), by = ry + (row_h - bh) / 2;
      double ty = ry + (row_h - f * ts * 1.3) / 2;
      char num[32];

      lens_draw_text (cr, style, labels ? labels[j] : "", x, ty, lw - f * 0.4, 1.0, FALSE, ts);
      /* the track */
      set_fg (cr, style, 0.08);
      cairo_rectangle (cr, lay.bar_x, by, lay.bar_w, bh);
      cairo_fill (cr);
      if (hidden && hidden[j])
        {
          lens_draw_hatch (cr, style, lay.bar_x, by, lay.bar_w, bh);
          continue;
        }
      if (weights[j] > 0.0f)
        {
          double r, g, b;

          lens_colormap_rgb (style->colormap, wmax > 0 ? 0.25 + 0.75 * weights[j] / wmax : 0, &r, &g, &b);
          cairo_set_source_rgb (cr, r, g, b);
          cairo_rectangle (cr, lay.bar_x, by, MAX (lay.bar_w * MIN (weights[j] / full, 1.0), 1.0), bh);
          cairo_fill (cr);
          lens_format_number (num, sizeof num, weights[j], 3);
          lens_draw_text (cr, style, num, lay.bar_x + lay.bar_w + f * 0.3, ty, 0, 0.0,
                          weights[j] == wmax, ts * 0.9);
        }
      else
        /* an exact zero: no bar at all */
        lens_draw_text (cr, style, "0", lay.bar_x + lay.bar_w + f * 0.3, ty, 0, 0.0, TRUE, ts * 0.9);
    }
  if (out)
    *out = lay;
}

void
lens_scores_draw_mask_map (cairo_t *cr, const LensHeatmapStyle *style, const char *title,
                           const float *weights, const guint8 *hidden, int rows, int cols,
                           const char *const *row_labels, const char *const *col_labels,
                           double x, double y, double w, double h, LensMaskMapLayout *out)
{
  double f = style->font_size, top, lw = 0, cell, ts;
  LensMaskMapLayout lay = { 0 };
  float vmax = 0;

  top = y + lens_draw_markup (cr, style, title, x, y, w, 1.0) + f * 0.6;
  if (rows <= 0 || cols <= 0)
    return;
  ts = 0.8;
  for (int i = 0; i < rows && row_labels; i++)
    lw = MAX (lw, lens_text_width (cr, style, row_labels[i], FALSE, ts));
  lw = MIN (lw + f * 0.4, w * 0.3);
  cell = floor (MIN ((w - lw) / cols, (y + h - top - f * 1.2) / rows));
  if (cell < 1)
    return;
  lay.x = x + lw;
  lay.y = top;
  lay.cell = cell;
  lay.rows = rows;
  lay.cols = cols;

  for (gsize c = 0; c < (gsize) rows * cols; c++)
    if (!hidden[c])
      vmax = MAX (vmax, weights[c]);
  for (int i = 0; i < rows; i++)
    {
      if (row_labels && cell >= f * ts)
        lens_draw_text (cr, style, row_labels[i], x, top + i * cell + (cell - f * ts * 1.3) / 2, lw - f * 0.3,
                        1.0, FALSE, ts);
      for (int j = 0; j < cols; j++)
        {
          gsize c = (gsize) i * cols + j;
          double cx = lay.x + j * cell, cy = top + i * cell;

          if (hidden[c])
            lens_draw_hatch (cr, style, cx, cy, cell, cell);
          else
            {
              double r, g, b;

              lens_colormap_rgb (style->colormap, vmax > 0 ? weights[c] / vmax : 0, &r, &g, &b);
              cairo_set_source_rgb (cr, r, g, b);
              cairo_rectangle (cr, cx, cy, cell, cell);
              cairo_fill (cr);
            }
        }
    }
  set_fg (cr, style, 0.35);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, lay.x + 0.5, top + 0.5, cell * cols - 1, cell * rows - 1);
  cairo_stroke (cr);
  /* key labels under the map, every few as space allows */
  if (col_labels)
    {
      int step = MAX (1, (int) ceil (f * 2.5 / cell));

      for (int j = 0; j < cols; j += step)
        lens_draw_text (cr, style, col_labels[j], lay.x + j * cell + cell / 2, top + rows * cell + f * 0.2,
                        0, 0.5, FALSE, ts * 0.9);
    }
  if (out)
    *out = lay;
}

static const char *
function_title (AttnScoreKind kind)
{
  switch (kind)
    {
    case ATTN_SCORE_ADDITIVE:
      return _("<b>Additive</b> (Bahdanau)\ns<sub>j</sub> = <b>v</b><sup>T</sup> tanh(W<sub>q</sub><b>q</b> + W<sub>k</sub><b>k</b><sub>j</sub> + <b>b</b>)");
    case ATTN_SCORE_DOT:
      return _("<b>Dot</b> (Luong)\ns<sub>j</sub> = <b>q</b> · <b>k</b><sub>j</sub>");
    case ATTN_SCORE_GENERAL:
      return _("<b>General</b>, bilinear (Luong)\ns<sub>j</sub> = <b>q</b><sup>T</sup> W <b>k</b><sub>j</sub>");
    case ATTN_SCORE_SCALED_DOT:
    default:
      return _("<b>Scaled dot product</b> (Vaswani)\ns<sub>j</sub> = <b>q</b> · <b>k</b><sub>j</sub> / √d<sub>k</sub>");
    }
}

static char *
params_note (const char *from)
{
  if (from)
    return g_markup_printf_escaped (_("parameters learned by %s"), from);
  return g_strdup (_("<i>illustrative parameters</i>"));
}

void
lens_scores_draw_functions (cairo_t *cr, const LensHeatmapStyle *style, const LensScoresScene *sc,
                            double width, double height)
{
  double f = style->font_size, pad = f, gap = f * 1.5, pw, y, top = 0;
  g_autofree char *caption = NULL;

  if (style->bg[3] > 0)
    {
      cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], style->bg[3]);
      cairo_paint (cr);
    }
  caption = g_markup_printf_escaped (_("The same query “%s” and keys, four ways to score them: "
                                       "α = softmax(s) under each"), sc->query_label ? sc->query_label : "");
  y = pad + lens_draw_markup (cr, style, caption, pad, pad, width - 2 * pad, 1.1) + f * 0.8;
  pw = (width - 2 * pad - 3 * gap) / LENS_N_SCORES;
  /* one scale for the four, so their sharpness compares */
  for (gsize c = 0; c < (gsize) LENS_N_SCORES * sc->n; c++)
    top = MAX (top, sc->weights[c]);
  for (int s = 0; s < LENS_N_SCORES; s++)
    {
      AttnScoreKind kind = lens_score_order[s];
      g_autofree char *note = NULL;

      if (kind == ATTN_SCORE_GENERAL)
        note = params_note (sc->general_from);
      else if (kind == ATTN_SCORE_ADDITIVE)
        note = params_note (sc->additive_from);
      else
        note = g_strdup (_("no parameters"));
      lens_scores_draw_bars (cr, style, function_title (kind), note, sc->labels, sc->weights + (gsize) s * sc->n,
                             sc->hidden, sc->n, top, pad + s * (pw + gap), y, pw, height - y - pad, NULL);
    }
}

void
lens_scores_draw_normalisers (cairo_t *cr, const LensHeatmapStyle *style, const LensScoresScene *sc,
                              double width, double height, LensBarsLayout *bars, LensMaskMapLayout *maps)
{
  double f = style->font_size, pad = f, gap = f * 1.5, pw, y = pad, ph;
  g_autofree char *local_title = NULL;
  g_autofree char *strided_title = NULL;
  int zeros = 0;
  double top = 0;

  if (style->bg[3] > 0)
    {
      cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], style->bg[3]);
      cairo_paint (cr);
    }
  for (int j = 0; j < sc->n; j++)
    {
      zeros += !(sc->hidden && sc->hidden[j]) && sc->sparsemax[j] == 0.0f;
      top = MAX (top, MAX (sc->softmax[j], sc->sparsemax[j]));
    }
  pw = (width - 2 * pad - 3 * gap) / 4;
  ph = height - y - pad;
  lens_scores_draw_bars (cr, style, _("<b>Softmax</b>\nα = e<sup>s</sup> / Σ e<sup>s</sup>: never exactly 0"),
                         NULL, sc->labels, sc->softmax, sc->hidden, sc->n, top, pad, y, pw, ph, bars ? &bars[0] : NULL);
  {
    g_autofree char *title = g_strdup_printf (_("<b>Sparsemax</b>\nthe closest point of the simplex: "
                                                "%d exact zeros"), zeros);

    lens_scores_draw_bars (cr, style, title, NULL, sc->labels, sc->sparsemax, sc->hidden, sc->n, top,
                           pad + pw + gap, y, pw, ph, bars ? &bars[1] : NULL);
  }
  local_title = g_strdup_printf (_("<b>Local window</b>, |i − j| ≤ %d\nthe whole head, masked cells hatched"),
                                 sc->window);
  strided_title = g_strdup_printf (_("<b>Strided</b>, stride %d\nj ≤ i, and i − j &lt; %d or a multiple of it"),
                                   sc->stride, sc->stride);
  lens_scores_draw_mask_map (cr, style, local_title, sc->local, sc->local_hidden, sc->rows, sc->n,
                             sc->row_labels, sc->labels, pad + 2 * (pw + gap), y, pw, ph,
                             maps ? &maps[0] : NULL);
  lens_scores_draw_mask_map (cr, style, strided_title, sc->strided, sc->strided_hidden, sc->rows, sc->n,
                             sc->row_labels, sc->labels, pad + 3 * (pw + gap), y, pw, ph,
                             maps ? &maps[1] : NULL);
}

void
lens_scores_draw_alignments (cairo_t *cr, const LensHeatmapStyle *style, const LensAlignmentPanel *panels,
                             int n, double width, double height)
{
  double f = style->font_size, pad = f, gap = f * 1.5, pw;

  if (style->bg[3] > 0)
    {
      cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], style->bg[3]);
      cairo_paint (cr);
    }
  if (n <= 0)
    return;
  pw = (width - 2 * pad - (n - 1) * gap) / n;
  for (int i = 0; i < n; i++)
    {
      const LensAlignmentPanel *p = &panels[i];
      double x = pad + i * (pw + gap), top;

      top = pad + lens_draw_markup (cr, style, p->title_markup, x, pad, pw, 1.0) + f * 0.4;
      if (p->error || p->matrix == NULL)
        {
          LensHeatmapStyle dim = *style;

          dim.fg[3] *= 0.7;
          lens_draw_markup (cr, &dim, p->error ? p->error : "", x, top, pw, 0.85);
          continue;
        }
      {
        LensHeatmapStyle hs = *style;

        hs.legend = FALSE;
        hs.causal = FALSE;
        hs.scale = LENS_SCALE_LINEAR;
        hs.bg[3] = 0;
        hs.font_size = f * 0.85;
        hs.max_label_size = pw * 0.3;
        cairo_save (cr);
        cairo_translate (cr, x, top);
        lens_heatmap_draw (cr, &hs, p->matrix, p->rows, p->cols, p->row_labels, p->col_labels,
                           pw, height - top - pad);
        cairo_restore (cr);
      }
    }
}
