/* lens-steps-draw.c — pure drawing of one step of "How attention is computed". */
#include "lens-steps-draw.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lens-teach-draw.h"

#define N_HEAD_NUMBERS 3

/* "₁₂": subscript digits for plain-text labels */
static void
append_subscript (GString *s, int n)
{
  static const char *digits[] = { "₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉" };
  char buf[16];

  g_snprintf (buf, sizeof buf, "%d", n);
  for (const char *p = buf; *p; p++)
    g_string_append (s, digits[*p - '0']);
}

static char *
vector_name (const char *letter, int index)
{
  GString *s = g_string_new (letter);

  if (index >= 0)
    append_subscript (s, index);
  return g_string_free (s, FALSE);
}

char *
lens_steps_formula (const LensSteps *st, LensStep step)
{
  switch (step)
    {
    case LENS_STEP_QUERY:
      return g_strdup_printf (_("<b>q</b> = <i>x</i><sub>i</sub> W<sup>Q</sup>: the query of one token, d<sub>k</sub> = %d numbers"),
                              st->dh);
    case LENS_STEP_KEYS:
      return g_strdup (_("<b>K</b> = <i>X</i> W<sup>K</sup>: one key <b>k</b><sub>j</sub> for every token"));
    case LENS_STEP_SCORES:
      return g_strdup (_("scores = <b>q</b> · <b>K</b><sup>T</sup>,   s<sub>j</sub> = Σ<sub>d</sub> q<sub>d</sub> k<sub>j,d</sub>"));
    case LENS_STEP_SCALE:
      {
        double root = st->scale > 0 ? 1.0 / st->scale : 1.0;
        double sq = root * root;

        if (fabs (sq - round (sq)) < 1e-3 && (int) round (sq) == st->dh)
          {
            if (fabs (root - round (root)) < 1e-4)
              return g_strdup_printf (_("÷ √d<sub>k</sub> = ÷ √%d = ÷ %d"), st->dh, (int) round (root));
            return g_strdup_printf (_("÷ √d<sub>k</sub> = ÷ √%d = ÷ %.3f"), st->dh, root);
          }
        return g_strdup_printf (_("× the model's scale %.4g (÷ %.4g)"), st->scale, root);
      }
    case LENS_STEP_MASK:
      switch (st->mask_kind)
        {
        case LENS_MASK_CAUSAL:
          return g_strdup (_("mask: keys after the query → −∞ (a token cannot look ahead)"));
        case LENS_MASK_PADDING:
          return g_strdup (_("mask: padding keys → −∞"));
        case LENS_MASK_BOTH:
          return g_strdup (_("mask: later keys and padding → −∞"));
        case LENS_MASK_NONE:
        default:
          return g_strdup (_("mask: none, this head sees every key"));
        }
    case LENS_STEP_SOFTMAX:
      return g_strdup_printf (_("α<sub>j</sub> = softmax(s / T)<sub>j</sub> = exp(s<sub>j</sub> / T) / Σ<sub>k</sub> exp(s<sub>k</sub> / T),   T = %.2f"),
                              st->temperature);
    case LENS_STEP_OUTPUT:
    default:
      return g_strdup (_("output = Σ<sub>j</sub> α<sub>j</sub> <b>v</b><sub>j</sub>: the values, weighted by attention"));
    }
}

static void
set_fg (cairo_t *cr, const LensHeatmapStyle *style, double alpha)
{
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], style->fg[3] * alpha);
}

/* one horizontal bar from the zero line x0 to value v, in [bx, bx + bw] for [lo, hi] */
static void
draw_signed_bar (cairo_t *cr, double v, double lo, double hi, double range,
                 double bx, double bw, double y, double h, gboolean ghost)
{
  double x0 = bx + bw * (0 - lo) / (hi - lo);
  double x1 = bx + bw * (CLAMP (v, lo, hi) - lo) / (hi - lo);
  double r, g, b;

  if (ghost)
    {
      cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.8);
      cairo_set_line_width (cr, 1.0);
      cairo_set_dash (cr, (double[]) { 3.0, 3.0 }, 2, 0);
      cairo_rectangle (cr, MIN (x0, x1) + 0.5, y + 0.5, MAX (fabs (x1 - x0) - 1, 1.0), h - 1);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      return;
    }
  lens_diverging_rgb (v, range, &r, &g, &b);
  cairo_set_source_rgb (cr, r * 0.85, g * 0.85, b * 0.85);
  cairo_rectangle (cr, MIN (x0, x1), y, MAX (fabs (x1 - x0), 1.0), h);
  cairo_fill (cr);
}

static void
draw_zero_line (cairo_t *cr, const LensHeatmapStyle *style, double lo, double hi,
                double bx, double bw, double y0, double y1)
{
  double x0 = floor (bx + bw * (0 - lo) / (hi - lo)) + 0.5;

  set_fg (cr, style, 0.5);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x0, y1);
  cairo_stroke (cr);
}

static void
readout (const LensStepsScene *sc, GString *s)
{
  const LensSteps *st = sc->steps;
  const float *vec;
  g_autofree char *name = NULL;
  const char *token;
  char num[32];
  int row = sc->hover_row, dim = sc->hover_dim;

  if (dim < 0 || dim >= st->dh || row < -1 || row > st->n_keys)
    {
      g_string_append (s, _("Hover a cell of a strip to read its number; red is positive, blue negative."));
      return;
    }
  if (row == -1)
    {
      vec = st->q;
      name = vector_name ("q", -1);
      token = sc->query_label;
    }
  else if (row == st->n_keys)
    {
      vec = st->output;
      name = g_strdup (_("output"));
      token = sc->query_label;
    }
  else
    {
      vec = (sc->step == LENS_STEP_OUTPUT ? st->v : st->k) + (gsize) row * st->dh;
      name = vector_name (sc->step == LENS_STEP_OUTPUT ? "v" : "k", row);
      token = sc->key_labels ? sc->key_labels[row] : "";
    }
  lens_format_number (num, sizeof num, vec[dim], 4);
  g_string_append_printf (s, _("%s (“%s”), dimension %d of %d: %s"), name, token ? token : "", dim + 1, st->dh, num);
}

static double
label_column_width (cairo_t *cr, const LensHeatmapStyle *style, const LensStepsScene *sc, double width)
{
  double w = lens_text_width (cr, style, "output", TRUE, 1.0);

  for (int j = 0; j < sc->steps->n_keys && sc->key_labels; j++)
    w = MAX (w, lens_text_width (cr, style, sc->key_labels[j], FALSE, 1.0));
  w = MAX (w, lens_text_width (cr, style, sc->query_label ? sc->query_label : "", TRUE, 1.0));
  return MIN (w + style->font_size * 2.5, width * 0.22);
}

/* the q strip with its label and first numbers */
static void
draw_vector_row (cairo_t *cr, const LensHeatmapStyle *style, const char *label, const float *x, int n,
                 double range, double lx, double lw, double sx, double sw, double y, double h,
                 int hover_dim, double text_scale)
{
  double f = style->font_size * text_scale;
  g_autofree char *numbers = lens_format_head (x, n, N_HEAD_NUMBERS);

  lens_draw_text (cr, style, label, lx, y + (h - f * 1.3) / 2, lw - style->font_size * 0.5, 1.0, TRUE, text_scale);
  lens_draw_strip (cr, style, x, n, range, sx, y, sw, h, hover_dim);
  lens_draw_text (cr, style, numbers, sx + sw + style->font_size * 0.6, y + (h - f * 1.3) / 2, 0, 0.0, FALSE,
                  text_scale * 0.9);
}

void
lens_steps_draw (cairo_t *cr, const LensHeatmapStyle *style, const LensStepsScene *sc,
                 double width, double height, LensStepsLayout *out)
{
  const LensSteps *st = sc->steps;
  LensStepsLayout lay = { 0 };
  double f = style->font_size, pad = f;
  double y = pad, bottom, lw, numbers_w, text_scale, qk_range, v_range;
  g_autofree char *formula = NULL;
  g_autofree char *title = NULL;
  g_autofree char *qname = NULL;
  gboolean bars = sc->step >= LENS_STEP_SCORES && sc->step <= LENS_STEP_SOFTMAX;
  GString *text = g_string_new (NULL);
  int n = st->n_keys;

  lay.q_y = lay.out_y = -1;
  lay.dh = st->dh;
  if (style->bg[3] > 0)
    {
      cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], style->bg[3]);
      cairo_paint (cr);
    }

  /* title and formula */
  title = g_strdup_printf (_("Step %d of %d · %s"), sc->step + 1, LENS_N_STEPS, lens_step_title (sc->step));
  lens_draw_text (cr, style, title, pad, y, width * 0.55, 0.0, TRUE, 1.0);
  if (sc->head_label)
    lens_draw_text (cr, style, sc->head_label, width * 0.55, y, width * 0.45 - pad, 1.0, FALSE, 1.0);
  y += f * 1.8;
  formula = lens_steps_formula (st, sc->step);
  y += lens_draw_markup (cr, style, formula, pad, y, width - 2 * pad, 1.5) + f * 1.0;

  bottom = height - pad - f * 1.8;
  lw = label_column_width (cr, style, sc, width);
  numbers_w = lens_text_width (cr, style, "−0.00  −0.00  −0.00  …", FALSE, 0.9) + f;
  qk_range = MAX (lens_abs_max (st->q, st->dh), lens_abs_max (st->k, (gsize) n * st->dh));
  v_range = MAX (lens_abs_max (st->v, (gsize) n * st->dh), lens_abs_max (st->output, st->dh));
  qname = g_strdup_printf ("q · %s", sc->query_label ? sc->query_label : "");

  lay.strip_x = pad + lw;
  if (sc->step == LENS_STEP_QUERY || sc->step == LENS_STEP_KEYS)
    lay.strip_w = width - 2 * pad - lw - numbers_w;
  else
    lay.strip_w = (width - 2 * pad - lw) * 0.3;
  lay.strip_w = MAX (lay.strip_w, st->dh);

  /* the query on top, for every step that uses it */
  if (sc->step <= LENS_STEP_SCALE)
    {
      lay.q_y = y;
      lay.q_h = sc->step == LENS_STEP_QUERY ? f * 3.0 : f * 1.6;
      draw_vector_row (cr, style, qname, st->q, st->dh, qk_range, pad, lw, lay.strip_x, lay.strip_w,
                       lay.q_y, lay.q_h, sc->hover_row == -1 ? sc->hover_dim : -1, 1.0);
      y += lay.q_h + f * 1.2;
      if (sc->step == LENS_STEP_QUERY)
        {
          g_autofree char *hint = g_strdup_printf (_("One coloured cell per dimension (%d of them): red is positive, blue "
                                                     "negative, white near zero. The numbers are the first %d."),
                                                   st->dh, N_HEAD_NUMBERS);

          set_fg (cr, style, 1.0);
          lens_draw_text (cr, style, hint, pad, y, width - 2 * pad, 0.0, FALSE, 0.9);
        }
    }

  if (sc->step == LENS_STEP_OUTPUT)
    {
      lay.out_h = f * 2.2;
      lay.out_y = bottom - lay.out_h;
      bottom = lay.out_y - f * 1.2;
    }

  /* one row per key (or value) */
  if (sc->step != LENS_STEP_QUERY && n > 0)
    {
      double bx, bw, vx, lo = 0, hi = 0, range;
      const float *shown = sc->step == LENS_STEP_SCORES ? st->raw : st->scaled;
      float wmax = 0;

      if (sc->step == LENS_STEP_SOFTMAX)
        bottom -= f * 1.4;   /* the bars' "0 … 1" axis */
      lay.rows_y = y;
      lay.n_rows = n;
      lay.row_h = MIN (f * 2.0, (bottom - y) / n);
      lay.strip_h = MAX (1.0, lay.row_h * 0.72);
      text_scale = CLAMP (lay.row_h / (f * 1.45), 0.5, 1.0);

      /* the bars keep the raw scores' scale, so scaling visibly shrinks them */
      for (int j = 0; j < n; j++)
        {
          lo = MIN (lo, st->raw[j]);
          hi = MAX (hi, st->raw[j]);
          if (!st->hidden[j])
            wmax = MAX (wmax, st->weights[j]);
        }
      if (hi - lo <= 0)
        hi = lo + 1;
      range = MAX (fabs (lo), fabs (hi));

      vx = width - pad - lens_text_width (cr, style, "−00.000", FALSE, text_scale);
      bx = lay.strip_x + lay.strip_w + f * 1.5;
      bw = vx - f - bx;
      if (sc->step == LENS_STEP_OUTPUT)
        {
          /* α first, then vⱼ */
          bx = lay.strip_x;
          bw = f * 5;
          lay.strip_x = bx + bw + f * 5;
          lay.strip_w = width - pad - numbers_w - lay.strip_x;
        }

      if (bars && sc->step != LENS_STEP_SOFTMAX)
        draw_zero_line (cr, style, lo, hi, bx, bw, y, y + lay.row_h * n);

      for (int j = 0; j < n; j++)
        {
          double ry = y + j * lay.row_h;
          double sy = ry + (lay.row_h - lay.strip_h) / 2;
          double ty = ry + (lay.row_h - f * text_scale * 1.3) / 2;
          int hover = sc->hover_row == j ? sc->hover_dim : -1;
          char num[32];

          lens_draw_text (cr, style, sc->key_labels ? sc->key_labels[j] : "", pad, ty,
                          lw - f * 0.5, 1.0, FALSE, text_scale);
          switch (sc->step)
            {
            case LENS_STEP_KEYS:
              draw_vector_row (cr, style, "", st->k + (gsize) j * st->dh, st->dh, qk_range, pad, lw,
                               lay.strip_x, lay.strip_w, sy, lay.strip_h, hover, text_scale);
              break;
            case LENS_STEP_SCORES:
            case LENS_STEP_SCALE:
            case LENS_STEP_MASK:
              lens_draw_strip (cr, style, st->k + (gsize) j * st->dh, st->dh, qk_range,
                               lay.strip_x, sy, lay.strip_w, lay.strip_h, hover);
              if (sc->step == LENS_STEP_MASK && st->hidden[j])
                {
                  lens_draw_hatch (cr, style, bx, sy, bw, lay.strip_h);
                  lens_draw_text (cr, style, "−∞", vx, ty, 0, 0.0, TRUE, text_scale);
                  break;
                }
              if (sc->step == LENS_STEP_SCALE)
                draw_signed_bar (cr, st->raw[j], lo, hi, range, bx, bw, sy, lay.strip_h, TRUE);
              draw_signed_bar (cr, shown[j], lo, hi, range, bx, bw, sy, lay.strip_h, FALSE);
              lens_format_number (num, sizeof num, shown[j], 3);
              lens_draw_text (cr, style, num, vx, ty, 0, 0.0, FALSE, text_scale);
              break;
            case LENS_STEP_SOFTMAX:
              lens_draw_strip (cr, style, st->k + (gsize) j * st->dh, st->dh, qk_range,
                               lay.strip_x, sy, lay.strip_w, lay.strip_h, hover);
              if (st->hidden[j])
                lens_draw_hatch (cr, style, bx, sy, bw, lay.strip_h);
              else
                {
                  double r, g, b;

                  lens_colormap_rgb (style->colormap, wmax > 0 ? st->weights[j] / wmax : 0, &r, &g, &b);
                  cairo_set_source_rgb (cr, r, g, b);
                  cairo_rectangle (cr, bx, sy, MAX (bw * st->weights[j], 1.0), lay.strip_h);
                  cairo_fill (cr);
                  set_fg (cr, style, 0.3);
                  cairo_set_line_width (cr, 1.0);
                  cairo_rectangle (cr, floor (bx) + 0.5, floor (sy) + 0.5, floor (bw), floor (lay.strip_h));
                  cairo_stroke (cr);
                }
              lens_format_number (num, sizeof num, st->weights[j], 3);
              lens_draw_text (cr, style, num, vx, ty, 0, 0.0, !st->hidden[j] && st->weights[j] == wmax, text_scale);
              break;
            case LENS_STEP_OUTPUT:
              {
                g_autofree char *alpha = NULL;

                lens_format_number (num, sizeof num, st->weights[j], 3);
                alpha = g_strdup_printf ("α = %s", num);
                lens_draw_text (cr, style, alpha, bx, ty, 0, 0.0, FALSE, text_scale);
                cairo_push_group (cr);
                draw_vector_row (cr, style, "", st->v + (gsize) j * st->dh, st->dh, v_range, pad, lw,
                                 lay.strip_x, lay.strip_w, sy, lay.strip_h, hover, text_scale);
                cairo_pop_group_to_source (cr);
                cairo_paint_with_alpha (cr, 0.12 + 0.88 * (wmax > 0 ? st->weights[j] / wmax : 0));
                if (st->hidden[j])
                  lens_draw_hatch (cr, style, bx + bw, sy, f * 4, lay.strip_h);
              }
              break;
            case LENS_STEP_QUERY:
            default:
              break;
            }
        }
      if (bars)
        {
          const char *axis = sc->step == LENS_STEP_SOFTMAX ? "0 … 1" : NULL;

          if (axis)
            lens_draw_text (cr, style, axis, bx, y + lay.row_h * n + f * 0.2, bw, 0.5, FALSE, 0.8);
        }
    }

  if (sc->step == LENS_STEP_OUTPUT && lay.out_y >= 0)
    {
      /* the output strip lines up with the value strips above it */
      set_fg (cr, style, 0.5);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, pad, lay.out_y - f * 0.6 + 0.5);
      cairo_line_to (cr, width - pad, lay.out_y - f * 0.6 + 0.5);
      cairo_stroke (cr);
      draw_vector_row (cr, style, _("output"), st->output, st->dh, v_range, pad, lay.strip_x - pad,
                       lay.strip_x, lay.strip_w, lay.out_y, lay.out_h,
                       sc->hover_row == n ? sc->hover_dim : -1, 1.0);
    }

  /* the read-out line */
  readout (sc, text);
  {
    LensHeatmapStyle dim = *style;

    dim.fg[3] *= sc->hover_dim >= 0 ? 1.0 : 0.65;
    lens_draw_text (cr, &dim, text->str, pad, height - pad - f * 1.3, width - 2 * pad, 0.0, sc->hover_dim >= 0, 1.0);
  }
  g_string_free (text, TRUE);
  if (out)
    *out = lay;
}

gboolean
lens_steps_hit (const LensStepsLayout *lay, double x, double y, int *row, int *dim)
{
  int r;

  if (lay->dh <= 0 || x < lay->strip_x || x >= lay->strip_x + lay->strip_w)
    return FALSE;
  *dim = CLAMP ((int) ((x - lay->strip_x) / lay->strip_w * lay->dh), 0, lay->dh - 1);
  if (lay->q_y >= 0 && y >= lay->q_y && y < lay->q_y + lay->q_h)
    {
      *row = -1;
      return TRUE;
    }
  if (lay->out_y >= 0 && y >= lay->out_y && y < lay->out_y + lay->out_h)
    {
      *row = lay->n_rows;
      return TRUE;
    }
  if (lay->n_rows > 0 && lay->row_h > 0 && y >= lay->rows_y && y < lay->rows_y + lay->row_h * lay->n_rows)
    {
      r = (int) ((y - lay->rows_y) / lay->row_h);
      *row = CLAMP (r, 0, lay->n_rows - 1);
      return TRUE;
    }
  return FALSE;
}
