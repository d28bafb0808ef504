/* lens-speech-draw.c — log-mel spectrogram, transcript tokens in time, attention over time. */
#include "lens-speech-draw.h"

#include <glib/gi18n.h>
#include <math.h>

#define MARGIN   8.0
#define N_LANES  3

static double
line_h (const LensHeatmapStyle *style)
{
  return ceil (style->font_size * 1.5);
}

void
lens_speech_layout (const LensSpeechFigure *fig, const LensHeatmapStyle *style,
                    double width, double height, LensSpeechLayout *layout)
{
  double lh = line_h (style);
  double top = MARGIN + lh * 1.4;
  double legend_h = lh * 1.6;
  double lanes_h = N_LANES * lh * 1.3 + 8;

  memset (layout, 0, sizeof *layout);
  layout->x0 = MARGIN + style->font_size * 3.5;   /* room for the frequency axis */
  layout->y0 = top;
  layout->w = MAX (width - layout->x0 - MARGIN, 10);
  layout->h = MAX (height - top - lh * 1.4 - lanes_h - legend_h, 20);
  layout->axis_y = layout->y0 + layout->h + 3;
  layout->lane_y = layout->axis_y + lh * 1.4;
  layout->lane_h = lh * 1.3;
  layout->n_lanes = N_LANES;
  layout->seconds = fig->frames_per_second > 0 ? MAX (fig->shown_frames, 1) / fig->frames_per_second : 1.0;
}

double
lens_speech_time_to_x (const LensSpeechLayout *layout, double seconds)
{
  return layout->x0 + layout->w * seconds / layout->seconds;
}

double
lens_speech_token_x (const LensSpeechLayout *layout, const LensSpeechFigure *fig, int token)
{
  return lens_speech_time_to_x (layout, fig->starts[token]);
}

int
lens_speech_hit_token (const LensSpeechLayout *layout, const LensSpeechFigure *fig, double x, double y)
{
  int best = -1;
  double best_d = G_MAXDOUBLE;

  if (y < layout->lane_y - 4 || y > layout->lane_y + layout->n_lanes * layout->lane_h + 4)
    return -1;
  for (int i = 0; i < fig->n_tokens; i++)
    {
      double a = lens_speech_token_x (layout, fig, i);
      double b = MAX (lens_speech_time_to_x (layout, fig->ends[i]), a);
      double d = x < a ? a - x : x > b ? x - b : 0;

      if (d < best_d)
        {
          best_d = d;
          best = i;
        }
    }
  return best_d <= 24 ? best : -1;
}

static void
draw_spectrogram (cairo_t *cr, const LensHeatmapStyle *style, const LensSpeechFigure *fig,
                  const LensSpeechLayout *lay)
{
  int bins = fig->mel_bins, frames = MAX (MIN (fig->shown_frames, fig->mel_frames), 1);
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, frames, bins);
  guint8 *data = cairo_image_surface_get_data (img);
  int stride = cairo_image_surface_get_stride (img);
  float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
  cairo_pattern_t *pattern;
  cairo_matrix_t m;

  for (int b = 0; b < bins; b++)
    for (int f = 0; f < frames; f++)
      {
        float v = fig->mel[(gsize) b * fig->mel_frames + f];
        lo = MIN (lo, v);
        hi = MAX (hi, v);
      }
  cairo_surface_flush (img);
  for (int b = 0; b < bins; b++)
    {
      /* the lowest band at the bottom */
      guint32 *row = (guint32 *) (data + (gsize) (bins - 1 - b) * stride);

      for (int f = 0; f < frames; f++)
        row[f] = lens_colormap_argb (style->colormap,
                                     hi > lo ? (fig->mel[(gsize) b * fig->mel_frames + f] - lo) / (hi - lo) : 0);
    }
  cairo_surface_mark_dirty (img);

  cairo_save (cr);
  cairo_rectangle (cr, lay->x0, lay->y0, lay->w, lay->h);
  cairo_clip (cr);
  pattern = cairo_pattern_create_for_surface (img);
  cairo_matrix_init_scale (&m, frames / lay->w, bins / lay->h);
  cairo_matrix_translate (&m, -lay->x0, -lay->y0);
  cairo_pattern_set_matrix (pattern, &m);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  cairo_set_source (cr, pattern);
  cairo_paint (cr);
  cairo_pattern_destroy (pattern);
  cairo_restore (cr);
  cairo_surface_destroy (img);
}

static double
tick_step (double seconds, double width)
{
  static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (width * steps[i] / seconds >= 60)
      return steps[i];
  return 60;
}

static void
draw_axes (cairo_t *cr, const LensHeatmapStyle *style, const LensSpeechFigure *fig, const LensSpeechLayout *lay)
{
  double step = tick_step (lay->seconds, lay->w);
  char buf[32];

  cairo_save (cr);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.7);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, lay->x0 - 0.5, lay->y0 - 0.5, lay->w + 1, lay->h + 1);
  cairo_stroke (cr);
  for (double t = 0; t <= lay->seconds + 1e-9; t += step)
    {
      double x = floor (lens_speech_time_to_x (lay, t)) + 0.5;

      cairo_move_to (cr, x, lay->y0 + lay->h);
      cairo_line_to (cr, x, lay->axis_y);
      cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, step < 1 ? "%.1f s" : "%.0f s", t);
      lens_draw_text (cr, style, buf, x + 2, lay->axis_y - 1, 0, 0.0, FALSE, 0.85);
    }
  cairo_restore (cr);

  /* frequency: mel bands, low at the bottom */
  g_snprintf (buf, sizeof buf, "%d", fig->mel_bins);
  lens_draw_text (cr, style, buf, MARGIN, lay->y0, lay->x0 - MARGIN - 4, 1.0, FALSE, 0.85);
  lens_draw_text (cr, style, _("mel"), MARGIN, lay->y0 + lay->h / 2 - style->font_size * 0.6,
                  lay->x0 - MARGIN - 4, 1.0, FALSE, 0.85);
  lens_draw_text (cr, style, "0", MARGIN, lay->y0 + lay->h - style->font_size * 1.2,
                  lay->x0 - MARGIN - 4, 1.0, FALSE, 0.85);
}

/* the selected token's cross-attention over time, scaled to its maximum */
static void
draw_attention (cairo_t *cr, const LensSpeechFigure *fig, const LensSpeechLayout *lay)
{
  float top = 0;
  int n = fig->n_positions;

  for (int p = 0; p < n; p++)
    top = MAX (top, fig->attention[p]);
  if (top <= 0 || fig->positions_per_second <= 0)
    return;

  cairo_save (cr);
  cairo_rectangle (cr, lay->x0, lay->y0, lay->w, lay->h);
  cairo_clip (cr);
  cairo_move_to (cr, lay->x0, lay->y0 + lay->h);
  for (int p = 0; p < n; p++)
    {
      double t = (p + 0.5) / fig->positions_per_second;

      if (t > lay->seconds + 1.0 / fig->positions_per_second)
        break;
      cairo_line_to (cr, lens_speech_time_to_x (lay, t), lay->y0 + lay->h * (1.0 - 0.9 * fig->attention[p] / top));
    }
  cairo_line_to (cr, lay->x0 + lay->w, lay->y0 + lay->h);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.25);
  cairo_fill_preserve (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.8);
  cairo_set_line_width (cr, 4);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_tokens (cairo_t *cr, const LensHeatmapStyle *style, const LensSpeechFigure *fig, const LensSpeechLayout *lay)
{
  double right[N_LANES];
  double lh = line_h (style);

  for (int l = 0; l < N_LANES; l++)
    right[l] = -G_MAXDOUBLE;
  for (int i = 0; i < fig->n_tokens; i++)
    {
      double x = lens_speech_token_x (lay, fig, i);
      double xe = MAX (lens_speech_time_to_x (lay, fig->ends[i]), x);
      double tw = lens_text_width (cr, style, fig->tokens[i], i == fig->selected, 1.0);
      double y;
      int lane = -1;

      /* the first lane where the label fits; the selected token always gets one */
      for (int l = 0; l < N_LANES && lane < 0; l++)
        if (right[l] < x)
          lane = l;
      if (lane < 0 && i == fig->selected)
        lane = N_LANES - 1;
      if (lane < 0)
        {
          /* no room for its label: the tick alone */
          cairo_save (cr);
          cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.35);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, floor (x) + 0.5, lay->axis_y + lh * 1.1);
          cairo_line_to (cr, floor (x) + 0.5, lay->lane_y + 4);
          cairo_stroke (cr);
          cairo_restore (cr);
          continue;
        }
      right[lane] = x + tw + 6;
      y = lay->lane_y + lane * lay->lane_h;

      cairo_save (cr);
      cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], i == fig->selected ? 1.0 : 0.55);
      /* the marker: a tick from the axis down to the label, and the span */
      cairo_set_line_width (cr, 2);
      cairo_move_to (cr, floor (x) + 1, lay->axis_y + lh * 1.1);
      cairo_line_to (cr, floor (x) + 1, y + lh);
      cairo_stroke (cr);
      if (i == fig->selected && xe > x + 2)
        {
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, x, y + lh + 1.5);
          cairo_line_to (cr, xe, y + lh + 1.5);
          cairo_stroke (cr);
        }
      cairo_restore (cr);
      if (i == fig->selected)
        {
          /* the selected span, shaded over the spectrogram */
          cairo_save (cr);
          cairo_set_source_rgba (cr, 1, 1, 1, 0.18);
          cairo_rectangle (cr, x, lay->y0, MAX (xe - x, 2), lay->h);
          cairo_fill (cr);
          cairo_restore (cr);
        }
      lens_draw_text (cr, style, fig->tokens[i], x + 3, y, 0, 0.0, i == fig->selected, 1.0);
    }
}

static void
draw_legend (cairo_t *cr, const LensHeatmapStyle *style, const LensSpeechFigure *fig,
             double width, double height)
{
  double lh = line_h (style), y = height - lh * 1.3, x = MARGIN;
  const char *what = fig->timed ? _("tokens at their word timings (DTW over the alignment heads)")
                                : _("tokens at the peak of their cross-attention");
  const char *mel = _("log-mel, low → high:");

  lens_draw_text (cr, style, mel, x, y, 0, 0.0, FALSE, 0.9);
  x += lens_text_width (cr, style, mel, FALSE, 0.9) + 6;
  for (int i = 0; i < 60; i++)
    {
      double r, g, b;

      lens_colormap_rgb (style->colormap, i / 59.0, &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_rectangle (cr, x + i, y + 2, 1, lh * 0.7);
      cairo_fill (cr);
    }
  x += 60 + 18;
  cairo_save (cr);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.8);
  cairo_set_line_width (cr, 4);
  cairo_move_to (cr, x, y + lh * 0.45);
  cairo_line_to (cr, x + 24, y + lh * 0.45);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);
  cairo_restore (cr);
  x += 30;
  lens_draw_text (cr, style, _("attention of the selected token"), x, y, 0, 0.0, FALSE, 0.9);
  x += lens_text_width (cr, style, _("attention of the selected token"), FALSE, 0.9) + 18;
  lens_draw_text (cr, style, what, x, y, MAX (width - x - MARGIN, 10), 0.0, FALSE, 0.9);
}

void
lens_speech_draw (cairo_t *cr, const LensHeatmapStyle *style, const LensSpeechFigure *fig,
                  double width, double height, LensSpeechLayout *out_layout)
{
  LensSpeechLayout lay;

  lens_speech_layout (fig, style, width, height, &lay);
  if (out_layout)
    *out_layout = lay;
  if (style->bg[3] > 0)
    {
      cairo_save (cr);
      cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], style->bg[3]);
      cairo_paint (cr);
      cairo_restore (cr);
    }
  if (fig->title)
    lens_draw_text (cr, style, fig->title, MARGIN, MARGIN * 0.5, width - 2 * MARGIN, 0.0, TRUE, 1.1);
  if (fig->mel && fig->mel_bins > 0 && fig->mel_frames > 0)
    draw_spectrogram (cr, style, fig, &lay);
  draw_axes (cr, style, fig, &lay);
  draw_tokens (cr, style, fig, &lay);
  if (fig->selected >= 0 && fig->attention)
    draw_attention (cr, fig, &lay);
  draw_legend (cr, style, fig, width, height);
}
