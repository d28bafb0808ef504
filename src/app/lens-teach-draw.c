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
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
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
