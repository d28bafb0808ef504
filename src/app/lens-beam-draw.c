/* lens-beam-draw.c — the beam-search tree: candidates per step, parents, the winner. */
#include "lens-beam-draw.h"

#include <glib/gi18n.h>
#include <math.h>

#define PAD 6.0

static const AttnBeamEntry *
entry (const GArray *beam, guint i)
{
  return &g_array_index (beam, AttnBeamEntry, i);
}

/* the kept candidate of rank `rank` at `step`, or -1 */
static int
find_kept (const GArray *beam, int step, int rank)
{
  for (guint i = 0; i < beam->len; i++)
    if (entry (beam, i)->step == step && entry (beam, i)->beam == rank)
      return i;
  return -1;
}

int
lens_beam_winning_path (const GArray *beam, const gint32 *generated, int n, gboolean *winner)
{
  memset (winner, 0, beam->len * sizeof (gboolean));
  if (n <= 0)
    return 0;
  for (guint last = 0; last < beam->len; last++)
    {
      const AttnBeamEntry *e = entry (beam, last);
      int cur = last, s;

      if (e->step != n - 1 || e->token != generated[n - 1])
        continue;
      /* walk back through the parents; each must carry the generated token */
      for (s = n - 2; s >= 0; s--)
        {
          int p = find_kept (beam, s, entry (beam, cur)->parent);

          if (p < 0 || entry (beam, p)->token != generated[s])
            break;
          cur = p;
        }
      if (s >= 0)
        continue;
      cur = last;
      winner[cur] = TRUE;
      for (s = n - 2; s >= 0; s--)
        {
          cur = find_kept (beam, s, entry (beam, cur)->parent);
          winner[cur] = TRUE;
        }
      return n;
    }
  return 0;
}

static void
grid (const GArray *beam, const LensHeatmapStyle *style, int *steps, int *rows, double *cw, double *rh)
{
  g_autofree int *count = NULL;

  *steps = 0;
  for (guint i = 0; i < beam->len; i++)
    *steps = MAX (*steps, entry (beam, i)->step + 1);
  count = g_new0 (int, MAX (*steps, 1));
  *rows = 0;
  for (guint i = 0; i < beam->len; i++)
    *rows = MAX (*rows, ++count[entry (beam, i)->step]);
  *cw = ceil (style->font_size * 8.5);
  *rh = ceil (style->font_size * 1.9);
}

void
lens_beam_size (const GArray *beam, const LensHeatmapStyle *style, double *width, double *height)
{
  int steps, rows;
  double cw, rh;

  grid (beam, style, &steps, &rows, &cw, &rh);
  *width = 2 * PAD + steps * cw;
  *height = 2 * PAD + rows * rh + style->font_size * 1.6;
}

void
lens_beam_draw (cairo_t *cr, const LensHeatmapStyle *style, const GArray *beam,
                const char *const *labels, const gboolean *winner)
{
  int steps, rows;
  double cw, rh, top = style->font_size * 1.6;
  g_autofree int *slot = g_new0 (int, MAX (beam->len, 1));
  g_autofree int *count = NULL;
  LensHeatmapStyle dim = *style;
  const double accent[3] = { 0.0, 0.45, 0.70 };

  grid (beam, style, &steps, &rows, &cw, &rh);
  count = g_new0 (int, MAX (steps, 1));
  for (guint i = 0; i < beam->len; i++)
    slot[i] = count[entry (beam, i)->step]++;
  dim.fg[3] *= 0.6;

  for (int s = 0; s < steps; s++)
    {
      char buf[32];

      g_snprintf (buf, sizeof buf, _("step %d"), s + 1);
      lens_draw_text (cr, &dim, buf, PAD + s * cw, PAD, cw - 8, 0.0, FALSE, 0.85);
    }

  /* edges first, the winner's last so that it is on top */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < beam->len; i++)
      {
        const AttnBeamEntry *e = entry (beam, i);
        int p = e->step > 0 ? find_kept (beam, e->step - 1, e->parent) : -1;
        double x0, y0, x1, y1;

        if (p < 0 || (pass == 1) != (winner && winner[i] && winner[p]))
          continue;
        x0 = PAD + (e->step - 1) * cw + cw - 10;
        y0 = PAD + top + slot[p] * rh + rh / 2;
        x1 = PAD + e->step * cw;
        y1 = PAD + top + slot[i] * rh + rh / 2;
        cairo_move_to (cr, x0, y0);
        cairo_curve_to (cr, (x0 + x1) / 2, y0, (x0 + x1) / 2, y1, x1, y1);
        if (pass == 1)
          {
            cairo_set_source_rgb (cr, accent[0], accent[1], accent[2]);
            cairo_set_line_width (cr, 2.5);
          }
        else
          {
            cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.35);
            cairo_set_line_width (cr, 1);
          }
        cairo_stroke (cr);
      }

  for (guint i = 0; i < beam->len; i++)
    {
      const AttnBeamEntry *e = entry (beam, i);
      gboolean win = winner && winner[i];
      double x = PAD + e->step * cw, y = PAD + top + slot[i] * rh;
      g_autofree char *text = g_strdup_printf (e->finished ? "%s ■ %.2f" : "%s %.2f", labels[i], e->score);

      cairo_save (cr);
      cairo_rectangle (cr, x + 0.5, y + 2.5, cw - 11, rh - 5);
      if (win)
        {
          cairo_set_source_rgba (cr, accent[0], accent[1], accent[2], 0.18);
          cairo_fill_preserve (cr);
          cairo_set_source_rgb (cr, accent[0], accent[1], accent[2]);
          cairo_set_line_width (cr, 2);
        }
      else
        {
          cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], e->finished ? 0.25 : 0.4);
          cairo_set_line_width (cr, 1);
        }
      cairo_stroke (cr);
      cairo_restore (cr);
      lens_draw_text (cr, win ? style : &dim, text, x + 4, y + (rh - style->font_size * 1.3) / 2,
                      cw - 18, 0.0, win, 0.9);
    }
}
