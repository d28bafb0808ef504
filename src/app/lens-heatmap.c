/* lens-heatmap.c — pure drawing of an attention matrix (cairo + PangoCairo). */
#include "lens-heatmap.h"

#include <math.h>
#include <pango/pangocairo.h>

#define LEGEND_BAR   14.0
#define GAP           8.0
#define LOG_DECADES   3.0

const char *
lens_scale_to_string (LensScale scale)
{
  switch (scale)
    {
    case LENS_SCALE_LOG: return "log";
    case LENS_SCALE_ROW: return "row";
    case LENS_SCALE_LINEAR:
    default:             return "linear";
    }
}

LensScale
lens_scale_from_string (const char *name)
{
  if (g_strcmp0 (name, "log") == 0)
    return LENS_SCALE_LOG;
  if (g_strcmp0 (name, "row") == 0)
    return LENS_SCALE_ROW;
  return LENS_SCALE_LINEAR;
}

static void
set_rgba (double dst[4], double r, double g, double b, double a)
{
  dst[0] = r; dst[1] = g; dst[2] = b; dst[3] = a;
}

void
lens_heatmap_style_init (LensHeatmapStyle *style)
{
  memset (style, 0, sizeof *style);
  style->colormap = LENS_COLORMAP_VIRIDIS;
  style->scale = LENS_SCALE_LINEAR;
  style->labels = TRUE;
  style->legend = TRUE;
  style->font_size = 12.0;
  set_rgba (style->fg, 0.1, 0.1, 0.12, 1.0);
  set_rgba (style->bg, 1.0, 1.0, 1.0, 1.0);
  /* bluish grey: never produced by any of the maps (grey has r = g = b) */
  set_rgba (style->mask, 0.78, 0.80, 0.85, 1.0);
  style->zoom = 1.0;
  style->highlight_row = style->highlight_col = -1;
  style->hover_row = style->hover_col = -1;
}

gboolean
lens_heatmap_is_masked (const LensHeatmapStyle *style, int row, int col)
{
  return style->causal && col > row;
}

/* the keys row r may see: all of them, or up to the diagonal when causal */
static inline int
visible_cols (const LensHeatmapStyle *style, int r, int cols)
{
  return style->causal ? MIN (r + 1, cols) : cols;
}

void
lens_heatmap_range (const LensHeatmapStyle *style, const float *matrix, int rows, int cols,
                    double *vmin, double *vmax)
{
  float hi = 0.0f, lo_pos = G_MAXFLOAT;

  for (int r = 0; r < rows; r++)
    {
      const float *line = matrix + (gsize) r * cols;
      int n = visible_cols (style, r, cols);

      for (int c = 0; c < n; c++)
        {
          float v = line[c];

          if (v > hi)
            hi = v;
          if (v > 0.0f && v < lo_pos)
            lo_pos = v;
        }
    }
  if (!(hi > 0.0f) || !isfinite (hi))
    hi = 1.0f;

  switch (style->scale)
    {
    case LENS_SCALE_LOG:
      *vmax = hi;
      *vmin = MAX (hi * pow (10.0, -LOG_DECADES), MIN (lo_pos, hi));
      if (*vmin >= hi)
        *vmin = hi * pow (10.0, -LOG_DECADES);
      break;
    case LENS_SCALE_ROW:
      *vmin = 0.0;
      *vmax = 1.0;   /* fraction of each row's maximum */
      break;
    case LENS_SCALE_LINEAR:
    default:
      *vmin = 0.0;
      *vmax = hi;
      break;
    }
}

double
lens_heatmap_value_to_t (LensScale scale, double value, double vmin, double vmax)
{
  if (!isfinite (value) || vmax <= vmin)
    return 0.0;
  if (scale == LENS_SCALE_LOG)
    {
      if (value <= vmin)
        return 0.0;
      return CLAMP (log (value / vmin) / log (vmax / vmin), 0.0, 1.0);
    }
  return CLAMP ((value - vmin) / (vmax - vmin), 0.0, 1.0);
}

static guint32
mask_argb (const LensHeatmapStyle *style)
{
  return 0xff000000u
         | ((guint32) lround (style->mask[0] * 255) << 16)
         | ((guint32) lround (style->mask[1] * 255) << 8)
         | (guint32) lround (style->mask[2] * 255);
}

/* Fills an out_cols × out_rows ARGB32 surface from a rows × cols matrix; when
 * smaller, each pixel shows the largest weight of its block of cells. One pass
 * pools the cells (and finds the range), a second maps the pooled values to
 * colours: this runs for every head of a result when it arrives. */
static cairo_surface_t *
build_surface (const LensHeatmapStyle *style, const float *matrix, int rows, int cols,
               int out_rows, int out_cols)
{
  cairo_surface_t *surface;
  guint8 *data;
  int stride;
  double vmin, vmax, log_span = 1.0;
  guint32 lut[LENS_COLORMAP_SIZE];
  guint32 masked = mask_argb (style);
  int *first_col = g_new (int, out_cols + 1);                 /* [out_cols + 1] block edges */
  float *pooled = g_new (float, (gsize) out_rows * out_cols);  /* [out_rows, out_cols], -1: masked */
  float hi = 0.0f, lo_pos = G_MAXFLOAT;

  for (int i = 0; i < LENS_COLORMAP_SIZE; i++)
    lut[i] = lens_colormap_argb (style->colormap, i / (double) (LENS_COLORMAP_SIZE - 1));
  for (int pc = 0; pc <= out_cols; pc++)
    first_col[pc] = (int) ((gint64) pc * cols / out_cols);

  for (int pr = 0; pr < out_rows; pr++)
    {
      float *best = pooled + (gsize) pr * out_cols;
      int r0 = (int) ((gint64) pr * rows / out_rows);
      int r1 = MAX (r0 + 1, (int) ((gint64) (pr + 1) * rows / out_rows));

      for (int pc = 0; pc < out_cols; pc++)
        best[pc] = -1.0f;
      for (int r = r0; r < r1; r++)
        {
          const float *m = matrix + (gsize) r * cols;
          int n = visible_cols (style, r, cols);

          for (int pc = 0; pc < out_cols && first_col[pc] < n; pc++)
            {
              int end = MIN (first_col[pc + 1], n);
              float b = best[pc];

              for (int c = first_col[pc]; c < end; c++)
                {
                  float v = m[c];

                  b = v > b ? v : b;
                  if (v > 0.0f && v < lo_pos)
                    lo_pos = v;
                }
              best[pc] = MAX (b, 0.0f);
            }
        }
      for (int pc = 0; pc < out_cols; pc++)
        hi = MAX (hi, best[pc]);
    }

  /* the same range lens_heatmap_range() gives */
  if (!(hi > 0.0f) || !isfinite (hi))
    hi = 1.0f;
  vmin = 0.0;
  vmax = hi;
  if (style->scale == LENS_SCALE_LOG)
    {
      vmin = MAX (hi * pow (10.0, -LOG_DECADES), MIN (lo_pos, hi));
      if (vmin >= hi)
        vmin = hi * pow (10.0, -LOG_DECADES);
      log_span = log (vmax / vmin);
    }

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MAX (out_cols, 1), MAX (out_rows, 1));
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);

  for (int pr = 0; pr < out_rows; pr++)
    {
      guint32 *line = (guint32 *) (data + (gsize) pr * stride);
      const float *best = pooled + (gsize) pr * out_cols;
      double scale_min = vmin, scale_max = vmax;

      if (style->scale == LENS_SCALE_ROW)
        {
          scale_min = 0.0;
          scale_max = 0.0;
          for (int pc = 0; pc < out_cols; pc++)
            scale_max = MAX (scale_max, best[pc]);
          if (scale_max <= 0.0)
            scale_max = 1.0;
        }
      for (int pc = 0; pc < out_cols; pc++)
        {
          double t;

          if (best[pc] < 0.0f)
            {
              line[pc] = masked;
              continue;
            }
          if (style->scale == LENS_SCALE_LOG)
            t = best[pc] <= scale_min ? 0.0 : log (best[pc] / scale_min) / log_span;
          else
            t = (best[pc] - scale_min) / (scale_max - scale_min);
          line[pc] = lut[lens_colormap_index (t)];
        }
    }
  g_free (first_col);
  g_free (pooled);
  cairo_surface_mark_dirty (surface);
  return surface;
}

cairo_surface_t *
lens_heatmap_cells_surface (const LensHeatmapStyle *style, const float *matrix, int rows, int cols)
{
  return build_surface (style, matrix, rows, cols, rows, cols);
}

cairo_surface_t *
lens_heatmap_thumbnail_surface (const LensHeatmapStyle *style, const float *matrix,
                                int rows, int cols, int max_side)
{
  return build_surface (style, matrix, rows, cols, MIN (rows, max_side), MIN (cols, max_side));
}

/* ---- text ---- */

/* One PangoContext per thread, brought up to date with each cairo_t: creating
 * a context per label (pango_cairo_create_layout) cost most of a redraw. */
static void
free_context (gpointer data)
{
  g_clear_object (&data);
}

static GPrivate thread_context = G_PRIVATE_INIT (free_context);

static PangoLayout *
make_layout (cairo_t *cr, const LensHeatmapStyle *style, const char *text, gboolean bold, double scale)
{
  PangoContext *context = g_private_get (&thread_context);
  PangoLayout *layout;
  PangoFontDescription *desc;
  double size = style->font_size * (scale > 0 ? scale : 1.0);

  if (context == NULL)
    {
      context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
      g_private_set (&thread_context, context);
    }
  pango_cairo_update_context (cr, context);
  layout = pango_layout_new (context);

  desc = pango_font_description_from_string (style->font_family ? style->font_family : "Sans");
  pango_font_description_set_absolute_size (desc, MAX (size, 1.0) * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text ? text : "", -1);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_font_description_free (desc);
  return layout;
}

double
lens_text_width (cairo_t *cr, const LensHeatmapStyle *style, const char *text, gboolean bold, double scale)
{
  PangoLayout *layout = make_layout (cr, style, text, bold, scale);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  g_object_unref (layout);
  return w;
}

void
lens_draw_text (cairo_t *cr, const LensHeatmapStyle *style, const char *text,
                double x, double y, double max_width, double xalign, gboolean bold, double scale)
{
  PangoLayout *layout = make_layout (cr, style, text, bold, scale);
  int w, h;

  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_pixel_size (layout, &w, &h);
  if (max_width > 0)
    x += (max_width - w) * xalign;
  else
    x -= w * xalign;

  cairo_save (cr);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], style->fg[3]);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
}

void
lens_draw_paragraph (cairo_t *cr, const LensHeatmapStyle *style, const char *text,
                     double x, double y, double max_width, double scale)
{
  PangoLayout *layout = make_layout (cr, style, text, FALSE, scale);
  int w, h;

  pango_layout_set_width (layout, (int) (MAX (1, max_width) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_save (cr);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], style->fg[3]);
  cairo_move_to (cr, x, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
}

static double
line_height (const LensHeatmapStyle *style)
{
  return ceil (style->font_size * 1.35);
}

static double
max_label_width (cairo_t *cr, const LensHeatmapStyle *style, const char *const *labels, int n)
{
  PangoLayout *layout;
  int w = 0;

  if (labels == NULL || n <= 0)
    return 0.0;
  /* one layout for all: measuring is most of a redraw's cost on long inputs */
  layout = make_layout (cr, style, NULL, FALSE, 1.0);
  for (int i = 0; i < n; i += MAX (1, n / 128))
    {
      int lw, lh;

      pango_layout_set_text (layout, labels[i] ? labels[i] : "", -1);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      w = MAX (w, lw);
    }
  g_object_unref (layout);
  return w;
}

/* Draws text in a box [x, x + max_width] with a layout made once per batch. */
static void
show_label (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y,
            double max_width, double xalign)
{
  int w, h;

  pango_layout_set_text (layout, text ? text : "", -1);
  pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x + (max_width - w) * xalign, y);
  pango_cairo_show_layout (cr, layout);
}

static void
format_value (char *buf, gsize len, LensScale scale, double v)
{
  if (scale == LENS_SCALE_LOG && v > 0 && v < 0.01)
    g_snprintf (buf, len, "%.0e", v);
  else if (v >= 0.995 && v <= 1.005)
    g_snprintf (buf, len, "1");
  else if (v == 0.0)
    g_snprintf (buf, len, "0");
  else
    g_snprintf (buf, len, "%.2g", v);
}

static double
legend_total_width (cairo_t *cr, const LensHeatmapStyle *style)
{
  if (!style->legend)
    return 0.0;
  return GAP * 2 + LEGEND_BAR + GAP / 2 + lens_text_width (cr, style, "0.00e-0", FALSE, 0.9);
}

void
lens_heatmap_layout (cairo_t *cr, const LensHeatmapStyle *style, int rows, int cols,
                     const char *const *row_labels, const char *const *col_labels,
                     double width, double height, LensHeatmapLayout *layout)
{
  double cap = style->max_label_size > 0 ? style->max_label_size : MIN (width, height) / 4;
  double lh = line_height (style);
  double legend_w = legend_total_width (cr, style);
  double avail_w, avail_h, fit, cell;

  memset (layout, 0, sizeof *layout);
  rows = MAX (rows, 1);
  cols = MAX (cols, 1);

  if (style->labels)
    {
      if (row_labels)
        layout->row_label_w = MIN (ceil (max_label_width (cr, style, row_labels, rows)), cap) + GAP;
      if (col_labels)
        layout->col_label_h = MIN (ceil (max_label_width (cr, style, col_labels, cols)), cap) + GAP;
    }

  avail_w = MAX (width - layout->row_label_w - legend_w - 2, 1.0);
  avail_h = MAX (height - layout->col_label_h - 2, 1.0);
  fit = MIN (avail_w / cols, avail_h / rows);
  if (fit >= 4.0)
    fit = floor (fit);   /* whole pixels keep cell edges crisp */
  cell = fit * MAX (style->zoom, 1.0);

  layout->cell = cell;
  layout->view_x = layout->row_label_w;
  layout->view_y = layout->col_label_h;
  layout->view_w = MIN (avail_w, cell * cols);
  layout->view_h = MIN (avail_h, cell * rows);
  layout->max_pan_x = MAX (0.0, cell * cols - layout->view_w);
  layout->max_pan_y = MAX (0.0, cell * rows - layout->view_h);
  layout->origin_x = layout->view_x - CLAMP (style->pan_x, 0.0, layout->max_pan_x);
  layout->origin_y = layout->view_y - CLAMP (style->pan_y, 0.0, layout->max_pan_y);
  layout->row_step = MAX (1, (int) ceil (lh / cell));
  layout->col_step = MAX (1, (int) ceil (lh / cell));

  if (style->legend)
    {
      layout->legend_x = layout->view_x + layout->view_w + GAP * 2;
      layout->legend_y = layout->view_y + lh / 2;
      layout->legend_w = LEGEND_BAR;
      layout->legend_h = MAX (MIN (layout->view_h, 240.0) - lh - (style->causal ? 2 * lh : 0), lh * 2);
    }
}

gboolean
lens_heatmap_hit (const LensHeatmapLayout *layout, int rows, int cols,
                  double x, double y, int *row, int *col)
{
  int r, c;

  if (layout->cell <= 0 ||
      x < layout->view_x || x >= layout->view_x + layout->view_w ||
      y < layout->view_y || y >= layout->view_y + layout->view_h)
    return FALSE;
  c = (int) floor ((x - layout->origin_x) / layout->cell);
  r = (int) floor ((y - layout->origin_y) / layout->cell);
  if (r < 0 || r >= rows || c < 0 || c >= cols)
    return FALSE;
  *row = r;
  *col = c;
  return TRUE;
}

void
lens_heatmap_paint_surface (cairo_t *cr, cairo_surface_t *cells,
                            double x, double y, double width, double height)
{
  int sw = cairo_image_surface_get_width (cells);
  int sh = cairo_image_surface_get_height (cells);

  cairo_save (cr);
  cairo_rectangle (cr, x, y, width, height);
  cairo_clip (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, width / sw, height / sh);
  cairo_set_source_surface (cr, cells, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
}

void
lens_heatmap_draw_legend (cairo_t *cr, const LensHeatmapStyle *style,
                          double x, double y, double width, double height,
                          double vmin, double vmax)
{
  const guint8 *table = lens_colormap_table (style->colormap);
  double lh = line_height (style);
  char buf[32];

  /* the bar: top is the maximum */
  for (int i = 0; i < LENS_COLORMAP_SIZE; i++)
    {
      const guint8 *e = table + 3 * (LENS_COLORMAP_SIZE - 1 - i);
      double y0 = y + height * i / LENS_COLORMAP_SIZE;
      double y1 = y + height * (i + 1) / LENS_COLORMAP_SIZE;

      cairo_set_source_rgb (cr, e[0] / 255.0, e[1] / 255.0, e[2] / 255.0);
      cairo_rectangle (cr, x, floor (y0), width, ceil (y1) - floor (y0));
      cairo_fill (cr);
    }
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.6);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, x + 0.5, y + 0.5, width - 1, height - 1);
  cairo_stroke (cr);

  /* ticks: top, middle, bottom */
  for (int k = 0; k < 3; k++)
    {
      double f = k / 2.0;    /* 0 top … 1 bottom */
      double v;

      if (style->scale == LENS_SCALE_LOG)
        v = vmax * pow (vmin / vmax, f);
      else
        v = vmax + (vmin - vmax) * f;

      if (style->scale == LENS_SCALE_ROW && k == 0)
        g_snprintf (buf, sizeof buf, "%s", "row max");
      else
        format_value (buf, sizeof buf, style->scale, v);
      lens_draw_text (cr, style, buf, x + width + GAP / 2, y + height * f - lh * 0.45, 0, 0.0, FALSE, 0.9);
    }

  if (style->causal)
    {
      double my = y + height + lh;

      cairo_set_source_rgba (cr, style->mask[0], style->mask[1], style->mask[2], style->mask[3]);
      cairo_rectangle (cr, x, my, width, width);
      cairo_fill (cr);
      lens_draw_text (cr, style, "masked", x + width + GAP / 2, my + width / 2 - lh * 0.45, 0, 0.0, FALSE, 0.9);
    }
}

static void
draw_cell_rects (cairo_t *cr, const LensHeatmapStyle *style, const float *matrix, int rows, int cols,
                 const LensHeatmapLayout *lay, double vmin, double vmax)
{
  for (int r = 0; r < rows; r++)
    {
      double row_max = 0.0;

      if (style->scale == LENS_SCALE_ROW)
        {
          for (int c = 0; c < cols; c++)
            if (!lens_heatmap_is_masked (style, r, c))
              row_max = MAX (row_max, matrix[(gsize) r * cols + c]);
          if (row_max <= 0)
            row_max = 1.0;
        }
      for (int c = 0; c < cols; c++)
        {
          double red, green, blue;

          if (lens_heatmap_is_masked (style, r, c))
            {
              red = style->mask[0]; green = style->mask[1]; blue = style->mask[2];
            }
          else
            {
              double v = matrix[(gsize) r * cols + c];
              double t = style->scale == LENS_SCALE_ROW
                         ? lens_heatmap_value_to_t (LENS_SCALE_LINEAR, v, 0.0, row_max)
                         : lens_heatmap_value_to_t (style->scale, v, vmin, vmax);
              lens_colormap_rgb (style->colormap, t, &red, &green, &blue);
            }
          cairo_set_source_rgb (cr, red, green, blue);
          cairo_rectangle (cr, lay->origin_x + c * lay->cell, lay->origin_y + r * lay->cell,
                           lay->cell, lay->cell);
          cairo_fill (cr);
        }
    }
}

/* a label that would overlap the highlighted one gives way */
static inline gboolean
near_index (int i, int highlighted, int step)
{
  return highlighted >= 0 && i != highlighted && ABS (i - highlighted) < step;
}

static void
draw_labels (cairo_t *cr, const LensHeatmapStyle *style, int rows, int cols,
             const char *const *row_labels, const char *const *col_labels,
             const LensHeatmapLayout *lay)
{
  double lh = line_height (style);
  PangoLayout *plain = make_layout (cr, style, NULL, FALSE, 1.0);
  PangoLayout *bold = make_layout (cr, style, NULL, TRUE, 1.0);

  cairo_save (cr);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], style->fg[3]);

  if (row_labels && lay->row_label_w > 0)
    {
      int first = MAX (0, (int) floor ((lay->view_y - lay->origin_y) / lay->cell));
      int last = MIN (rows - 1, (int) ceil ((lay->view_y + lay->view_h - lay->origin_y) / lay->cell));

      first -= first % lay->row_step;
      cairo_save (cr);
      cairo_rectangle (cr, 0, lay->view_y - lh / 2, lay->row_label_w, lay->view_h + lh);
      cairo_clip (cr);
      for (int r = first; r <= last; r += lay->row_step)
        {
          double cy = lay->origin_y + (r + 0.5) * lay->cell;
          gboolean hl = r == style->highlight_row || r == style->hover_row;

          if (!hl && (near_index (r, style->highlight_row, lay->row_step) ||
                      near_index (r, style->hover_row, lay->row_step)))
            continue;

          show_label (cr, hl ? bold : plain, row_labels[r], 0, cy - lh * 0.5, lay->row_label_w - GAP / 2, 1.0);
        }
      /* the highlighted rows even when they fall between drawn labels */
      for (int k = 0; k < 2; k++)
        {
          int r = k == 0 ? style->highlight_row : style->hover_row;

          if (r >= 0 && r < rows && r % lay->row_step)
            show_label (cr, bold, row_labels[r], 0, lay->origin_y + (r + 0.5) * lay->cell - lh * 0.5,
                        lay->row_label_w - GAP / 2, 1.0);
        }
      cairo_restore (cr);
    }

  if (col_labels && lay->col_label_h > 0)
    {
      int first = MAX (0, (int) floor ((lay->view_x - lay->origin_x) / lay->cell));
      int last = MIN (cols - 1, (int) ceil ((lay->view_x + lay->view_w - lay->origin_x) / lay->cell));

      first -= first % lay->col_step;
      cairo_save (cr);
      cairo_rectangle (cr, lay->view_x - lh / 2, 0, lay->view_w + lh, lay->col_label_h);
      cairo_clip (cr);
      for (int c = first; c <= last; c += lay->col_step)
        {
          double cx = lay->origin_x + (c + 0.5) * lay->cell;
          gboolean hl = c == style->highlight_col || c == style->hover_col;

          if (!hl && (near_index (c, style->highlight_col, lay->col_step) ||
                      near_index (c, style->hover_col, lay->col_step)))
            continue;

          /* rotated: the text reads upwards and ends just above the cells */
          cairo_save (cr);
          cairo_translate (cr, cx - lh * 0.5, lay->col_label_h - GAP / 2);
          cairo_rotate (cr, -G_PI / 2);
          show_label (cr, hl ? bold : plain, col_labels[c], 0, 0, lay->col_label_h - GAP / 2, 0.0);
          cairo_restore (cr);
        }
      for (int k = 0; k < 2; k++)
        {
          int c = k == 0 ? style->highlight_col : style->hover_col;

          if (c < 0 || c >= cols || c % lay->col_step == 0)
            continue;
          cairo_save (cr);
          cairo_translate (cr, lay->origin_x + (c + 0.5) * lay->cell - lh * 0.5, lay->col_label_h - GAP / 2);
          cairo_rotate (cr, -G_PI / 2);
          show_label (cr, bold, col_labels[c], 0, 0, lay->col_label_h - GAP / 2, 0.0);
          cairo_restore (cr);
        }
      cairo_restore (cr);
    }
  cairo_restore (cr);
  g_object_unref (plain);
  g_object_unref (bold);
}

static void
outline (cairo_t *cr, const LensHeatmapStyle *style, double x, double y, double w, double h, double lw)
{
  cairo_save (cr);
  cairo_set_line_width (cr, lw);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.9);
  cairo_rectangle (cr, x, y, w, h);
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
lens_heatmap_draw_cached (cairo_t *cr, const LensHeatmapStyle *style,
                          const float *matrix, int rows, int cols,
                          const char *const *row_labels, const char *const *col_labels,
                          double width, double height,
                          cairo_surface_t *cells, LensHeatmapLayout *out_layout)
{
  LensHeatmapLayout lay;
  double vmin, vmax;
  gboolean vector;

  lens_heatmap_layout (cr, style, rows, cols, row_labels, col_labels, width, height, &lay);
  if (out_layout)
    *out_layout = lay;

  if (style->bg[3] > 0)
    {
      cairo_save (cr);
      cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], style->bg[3]);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
      cairo_restore (cr);
    }
  if (rows <= 0 || cols <= 0 || matrix == NULL)
    return;

  lens_heatmap_range (style, matrix, rows, cols, &vmin, &vmax);

  /* vector output of small matrices: real rectangles, not an embedded image */
  vector = cairo_surface_get_type (cairo_get_target (cr)) != CAIRO_SURFACE_TYPE_IMAGE &&
           cairo_surface_get_type (cairo_get_target (cr)) != CAIRO_SURFACE_TYPE_RECORDING &&
           (gint64) rows * cols <= 128 * 128;

  cairo_save (cr);
  cairo_rectangle (cr, lay.view_x, lay.view_y, lay.view_w, lay.view_h);
  cairo_clip (cr);
  if (vector)
    draw_cell_rects (cr, style, matrix, rows, cols, &lay, vmin, vmax);
  else
    {
      cairo_surface_t *own = cells ? NULL : lens_heatmap_cells_surface (style, matrix, rows, cols);

      lens_heatmap_paint_surface (cr, cells ? cells : own, lay.origin_x, lay.origin_y,
                                  lay.cell * cols, lay.cell * rows);
      g_clear_pointer (&own, cairo_surface_destroy);
    }

  if (style->highlight_row >= 0 && style->highlight_row < rows)
    outline (cr, style, lay.origin_x, lay.origin_y + style->highlight_row * lay.cell,
             lay.cell * cols, lay.cell, 2.0);
  if (style->highlight_col >= 0 && style->highlight_col < cols)
    outline (cr, style, lay.origin_x + style->highlight_col * lay.cell, lay.origin_y,
             lay.cell, lay.cell * rows, 2.0);
  if (style->hover_row >= 0 && style->hover_col >= 0)
    outline (cr, style, lay.origin_x + style->hover_col * lay.cell,
             lay.origin_y + style->hover_row * lay.cell, lay.cell, lay.cell, 2.0);
  cairo_restore (cr);

  if (style->labels)
    draw_labels (cr, style, rows, cols, row_labels, col_labels, &lay);
  if (style->legend)
    lens_heatmap_draw_legend (cr, style, lay.legend_x, lay.legend_y, lay.legend_w, lay.legend_h,
                              vmin, vmax);
}

void
lens_heatmap_draw (cairo_t *cr, const LensHeatmapStyle *style,
                   const float *matrix, int rows, int cols,
                   const char *const *row_labels, const char *const *col_labels,
                   double width, double height)
{
  lens_heatmap_draw_cached (cr, style, matrix, rows, cols, row_labels, col_labels,
                            width, height, NULL, NULL);
}
