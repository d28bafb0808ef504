/* lens-teach-draw.c — pure drawing pieces shared by the teaching workbench. */
#include "lens-teach-draw.h"

#include <math.h>
#include <string.h>
#include <pango/pangocairo.h>

double
lens_draw_markup (cairo_t *cr, const LensHeatmapStyle *style, const char *markup,
                  double x, double y, double max_width, double scale)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (style->font_family ? style->font_family : "Sans");
  int w, h;

  pango_font_description_set_absolute_size (desc, MAX (style->font_size * scale, 1.0) * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_markup (layout, markup, -1);
  if (max_width > 0)
    {
      /* formulas and titles wrap rather than lose their end */
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_save (cr);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], style->fg[3]);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
  return h;
}

void
lens_draw_hatch (cairo_t *cr, const LensHeatmapStyle *style, double x, double y, double w, double h)
{
  double step = MAX (4.0, style->font_size * 0.45);

  if (w <= 0 || h <= 0)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  cairo_set_source_rgba (cr, style->mask[0], style->mask[1], style->mask[2], style->mask[3]);
  cairo_fill_preserve (cr);
  cairo_clip (cr);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.45);
  cairo_set_line_width (cr, 1.0);
  for (double d = -h; d < w + h; d += step)
    {
      cairo_move_to (cr, x + d, y + h);
      cairo_line_to (cr, x + d + h, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
lens_diverging_rgb (double v, double range, double *r, double *g, double *b)
{
  /* ends of RdBu: (0.70, 0.09, 0.17) and (0.13, 0.40, 0.67), through white */
  double t = range > 0 && isfinite (v) ? CLAMP (v / range, -1.0, 1.0) : 0.0;
  double a = fabs (t);
  double er = t >= 0 ? 0.70 : 0.13, eg = t >= 0 ? 0.09 : 0.40, eb = t >= 0 ? 0.17 : 0.67;

  *r = 1.0 + (er - 1.0) * a;
  *g = 1.0 + (eg - 1.0) * a;
  *b = 1.0 + (eb - 1.0) * a;
}

void
lens_draw_strip (cairo_t *cr, const LensHeatmapStyle *style, const float *x, int n,
                 double range, double sx, double sy, double w, double h, int hover_dim)
{
  double cw;

  if (n <= 0 || w <= 0 || h <= 0)
    return;
  cw = w / n;
  cairo_save (cr);
  for (int d = 0; d < n; d++)
    {
      double r, g, b;
      double x0 = floor (sx + d * cw), x1 = floor (sx + (d + 1) * cw);

      lens_diverging_rgb (x[d], range, &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_rectangle (cr, x0, sy, MAX (x1 - x0, 1.0), h);
      cairo_fill (cr);
    }
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.35);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, floor (sx) + 0.5, floor (sy) + 0.5, floor (w) - 1, floor (h) - 1);
  cairo_stroke (cr);
  if (hover_dim >= 0 && hover_dim < n)
    {
      cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 1.0);
      cairo_set_line_width (cr, 2.0);
      cairo_rectangle (cr, floor (sx + hover_dim * cw), sy - 1, MAX (cw, 2.0), h + 2);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

double
lens_abs_max (const float *x, gsize n)
{
  double m = 0.0;

  for (gsize i = 0; i < n; i++)
    if (isfinite (x[i]) && fabs (x[i]) > m)
      m = fabs (x[i]);
  return m > 0 ? m : 1.0;
}

void
lens_format_number (char *buf, gsize len, double v, int digits)
{
  char tmp[64];

  if (isinf (v))
    {
      g_strlcpy (buf, v < 0 ? "−∞" : "∞", len);
      return;
    }
  g_snprintf (tmp, sizeof tmp, "%.*f", digits, fabs (v));
  /* "−0.00" reads as a mistake */
  if (v < 0 && strspn (tmp, "0.") != strlen (tmp))
    g_snprintf (buf, len, "−%s", tmp);
  else
    g_strlcpy (buf, tmp, len);
}

char *
lens_format_head (const float *x, int n, int count)
{
  GString *s = g_string_new (NULL);
  char buf[32];

  for (int i = 0; i < MIN (n, count); i++)
    {
      lens_format_number (buf, sizeof buf, x[i], 2);
      if (i > 0)
        g_string_append (s, "  ");
      g_string_append (s, buf);
    }
  if (n > count)
    g_string_append (s, "  …");
  return g_string_free (s, FALSE);
}

void
lens_draw_loss_curve (cairo_t *cr, const LensHeatmapStyle *style, const char *title,
                      const double *steps, const double *losses, int n, double total_steps,
                      double x, double y, double w, double h)
{
  double f = style->font_size, top, left, bottom, right, lo = G_MAXDOUBLE, hi = 0;
  char buf[32];

  top = y + lens_draw_markup (cr, style, title, x, y, w, 1.0) + f * 0.8;
  left = x + lens_text_width (cr, style, "0.0001", FALSE, 0.85) + f * 0.6;
  right = x + w - f * 0.5;
  bottom = y + h - f * 1.8;
  if (right - left < 10 || bottom - top < 10)
    return;
  for (int i = 0; i < n; i++)
    if (isfinite (losses[i]) && losses[i] > 0)
      {
        lo = MIN (lo, losses[i]);
        hi = MAX (hi, losses[i]);
      }
  if (hi <= 0)
    {
      lo = 0.01;
      hi = 3.0;
    }
  lo = pow (10, floor (log10 (MIN (lo, hi / 10))));
  hi = pow (10, ceil (log10 (hi)));

  /* axes, and a grid line per decade */
  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  for (double v = lo; v <= hi * 1.001; v *= 10)
    {
      double gy = bottom - (bottom - top) * log (v / lo) / log (hi / lo);

      cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.15);
      cairo_move_to (cr, left, floor (gy) + 0.5);
      cairo_line_to (cr, right, floor (gy) + 0.5);
      cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, "%g", v);
      lens_draw_text (cr, style, buf, left - f * 0.4, gy - f * 0.55, 0, 1.0, FALSE, 0.85);
    }
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.6);
  cairo_move_to (cr, left + 0.5, top);
  cairo_line_to (cr, left + 0.5, bottom + 0.5);
  cairo_line_to (cr, right, bottom + 0.5);
  cairo_stroke (cr);
  g_snprintf (buf, sizeof buf, "%.0f", total_steps);
  lens_draw_text (cr, style, "0", left, bottom + f * 0.2, 0, 0.5, FALSE, 0.85);
  lens_draw_text (cr, style, buf, right, bottom + f * 0.2, 0, 1.0, FALSE, 0.85);

  /* the curve */
  if (n > 0 && total_steps > 0)
    {
      double r, g, b;

      lens_colormap_rgb (style->colormap, 0.55, &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_set_line_width (cr, MAX (2.0, f * 0.18));
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      for (int i = 0; i < n; i++)
        {
          double v = CLAMP (losses[i], lo, hi);
          double px = left + (right - left) * MIN (steps[i] / total_steps, 1.0);
          double py = bottom - (bottom - top) * log (v / lo) / log (hi / lo);

          if (i == 0)
            cairo_move_to (cr, px, py);
          else
            cairo_line_to (cr, px, py);
        }
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}
