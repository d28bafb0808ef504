/* lens-grid-draw.c — the layers × heads grid: cached thumbnails, one enlarged head. */
#include "lens-grid-draw.h"

#include <glib/gi18n.h>
#include <math.h>

LensGridCache *
lens_grid_cache_new (int layers, int heads)
{
  LensGridCache *cache = g_new0 (LensGridCache, 1);

  cache->layers = layers;
  cache->heads = heads;
  cache->thumbs = g_new0 (cairo_surface_t *, (gsize) MAX (layers * heads, 1));
  cache->big_layer = cache->big_head = -1;
  return cache;
}

void
lens_grid_cache_free (LensGridCache *cache)
{
  if (cache == NULL)
    return;
  for (int i = 0; i < cache->layers * cache->heads; i++)
    g_clear_pointer (&cache->thumbs[i], cairo_surface_destroy);
  g_free (cache->thumbs);
  g_clear_pointer (&cache->big, cairo_surface_destroy);
  g_free (cache);
}

/* The row labels' column: as wide as the widest "Layer N" in the user's
 * language (bold, as the selected one is drawn), and no narrower than before. */
static double
layer_label_width (const LensHeatmapStyle *style, int layers)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (surface);
  char buf[64];
  double w;

  g_snprintf (buf, sizeof buf, _("Layer %d"), MAX (layers, 1));
  w = lens_text_width (cr, style, buf, TRUE, 1.0);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return MAX (style->font_size * 5.5, ceil (w) + 14);
}

void
lens_grid_layout (const LensHeatmapStyle *style, int layers, int heads,
                  double width, double height, LensGridLayout *layout)
{
  double label_w = layer_label_width (style, layers);
  double header_h = style->font_size * 1.6;    /* "Head 12" */
  double title_h = style->font_size * 2.2;
  double avail_w = width - label_w - 8;
  double avail_h = height - title_h - header_h - 8;
  double pitch = MIN (avail_w / MAX (heads, 1), avail_h / MAX (layers, 1));

  pitch = MAX (floor (pitch), 4.0);
  layout->gap = MAX (2.0, floor (pitch * 0.08));
  layout->cell = pitch - layout->gap;
  layout->title_h = title_h;
  layout->x = label_w + floor ((avail_w - pitch * heads) / 2);
  layout->y = title_h + header_h;
}

gboolean
lens_grid_hit (const LensGridLayout *layout, int layers, int heads,
               double x, double y, int *layer, int *head)
{
  double pitch = layout->cell + layout->gap;
  int h = (int) floor ((x - layout->x) / pitch);
  int l = (int) floor ((y - layout->y) / pitch);

  if (x < layout->x || y < layout->y || h >= heads || l >= layers)
    return FALSE;
  /* the gaps belong to no head */
  if (x - layout->x - h * pitch > layout->cell || y - layout->y - l * pitch > layout->cell)
    return FALSE;
  *layer = l;
  *head = h;
  return TRUE;
}

static cairo_surface_t *
thumbnail (const LensHeatmapStyle *style, LensGridCache *cache, LensHeadFunc get_head, gpointer data,
           int layer, int head, int rows, int cols, gint64 deadline)
{
  int i = layer * cache->heads + head;

  if (cache->thumbs[i] == NULL && (deadline == 0 || g_get_monotonic_time () < deadline))
    {
      const float *m = get_head (data, layer, head);

      if (m == NULL)
        return NULL;
      cache->thumbs[i] = lens_heatmap_thumbnail_surface (style, m, rows, cols, LENS_THUMBNAIL_SIDE);
    }
  return cache->thumbs[i];
}

void
lens_grid_draw_enlarged (cairo_t *cr, const LensHeatmapStyle *style, LensGridCache *cache,
                         const float *matrix, int rows, int cols,
                         const char *const *row_labels, const char *const *col_labels,
                         int layer, int head, double x, double y, double side)
{
  LensHeatmapStyle big = *style;
  g_autofree char *title = g_strdup_printf (_("Layer %d · Head %d"), layer + 1, head + 1);
  double pad = 8, title_h = style->font_size * 1.6;
  double bw = side + 2 * pad, bh = side + 2 * pad + title_h;

  if (cache->big == NULL || cache->big_layer != layer || cache->big_head != head)
    {
      g_clear_pointer (&cache->big, cairo_surface_destroy);
      cache->big = lens_heatmap_cells_surface (style, matrix, rows, cols);
      cache->big_layer = layer;
      cache->big_head = head;
    }

  /* a card: the background colour, or the opposite of the text colour */
  cairo_save (cr);
  if (style->bg[3] > 0)
    cairo_set_source_rgb (cr, style->bg[0], style->bg[1], style->bg[2]);
  else if (style->fg[0] + style->fg[1] + style->fg[2] > 1.5)
    cairo_set_source_rgb (cr, 0.16, 0.16, 0.18);
  else
    cairo_set_source_rgb (cr, 0.98, 0.98, 0.98);
  cairo_rectangle (cr, x, y, bw, bh);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.5);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_restore (cr);

  lens_draw_text (cr, style, title, x + pad, y + pad / 2, side, 0.0, TRUE, 1.0);

  big.bg[3] = 0;
  big.legend = FALSE;
  big.highlight_row = big.highlight_col = -1;
  big.hover_row = big.hover_col = -1;
  /* labels only where they can be read */
  big.labels = rows <= 48 && cols <= 48;
  big.max_label_size = side / 4;
  cairo_save (cr);
  cairo_translate (cr, x + pad, y + pad + title_h);
  lens_heatmap_draw_cached (cr, &big, matrix, rows, cols, row_labels, col_labels,
                            side, side, cache->big, NULL);
  cairo_restore (cr);
}

int
lens_grid_draw (cairo_t *cr, const LensHeatmapStyle *style, LensGridCache *cache,
                LensHeadFunc get_head, gpointer data,
                int layers, int heads, int rows, int cols,
                const char *const *row_labels, const char *const *col_labels,
                const char *title, int sel_layer, int sel_head,
                int hover_layer, int hover_head, double hover_x, double hover_y,
                double width, double height, gint64 deadline)
{
  LensGridLayout lay;
  double pitch;
  char buf[64];
  int missing = 0;

  if (style->bg[3] > 0)
    {
      cairo_save (cr);
      cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], style->bg[3]);
      cairo_paint (cr);
      cairo_restore (cr);
    }

  lens_grid_layout (style, layers, heads, width, height, &lay);
  pitch = lay.cell + lay.gap;

  if (title)
    lens_draw_text (cr, style, title, 8, style->font_size * 0.4, width - 16, 0.0, TRUE, 1.1);

  /* head numbers across, layer numbers down; every one when they fit */
  for (int h = 0; h < heads; h++)
    {
      if (pitch < style->font_size * 2.2 && h % 2 == 1)
        continue;
      g_snprintf (buf, sizeof buf, pitch >= style->font_size * 4.5 ? _("Head %d") : C_("short for Head", "H%d"), h + 1);
      lens_draw_text (cr, style, buf, lay.x + h * pitch, lay.y - style->font_size * 1.5,
                      lay.cell, 0.5, h == sel_head, 1.0);
    }
  for (int l = 0; l < layers; l++)
    {
      if (pitch < style->font_size * 1.4 && l % 2 == 1)
        continue;
      g_snprintf (buf, sizeof buf, _("Layer %d"), l + 1);
      lens_draw_text (cr, style, buf, 4, lay.y + l * pitch + lay.cell / 2 - style->font_size * 0.65,
                      lay.x - 10, 1.0, l == sel_layer, 1.0);
    }

  for (int l = 0; l < layers; l++)
    for (int h = 0; h < heads; h++)
      {
        cairo_surface_t *thumb = thumbnail (style, cache, get_head, data, l, h, rows, cols, deadline);

        if (thumb)
          {
            lens_heatmap_paint_surface (cr, thumb, lay.x + h * pitch, lay.y + l * pitch, lay.cell, lay.cell);
            /* the selected query (a decoder step): its row outlined in every head */
            if (style->highlight_row >= 0 && style->highlight_row < rows)
              {
                double band = MAX (lay.cell / rows, 2.0);
                double y = lay.y + l * pitch + lay.cell * style->highlight_row / rows;

                cairo_save (cr);
                cairo_set_source_rgb (cr, 1, 1, 1);
                cairo_set_line_width (cr, 1);
                cairo_rectangle (cr, lay.x + h * pitch + 0.5, y + 0.5, lay.cell - 1, band - 1);
                cairo_stroke (cr);
                cairo_restore (cr);
              }
          }
        else
          {
            /* still to come: a frame where it will be */
            missing++;
            cairo_save (cr);
            cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.25);
            cairo_set_line_width (cr, 1);
            cairo_rectangle (cr, lay.x + h * pitch + 0.5, lay.y + l * pitch + 0.5, lay.cell - 1, lay.cell - 1);
            cairo_stroke (cr);
            cairo_restore (cr);
          }
      }

  if (sel_layer >= 0 && sel_layer < layers && sel_head >= 0 && sel_head < heads)
    {
      cairo_save (cr);
      cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.9);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, lay.x + sel_head * pitch - 1, lay.y + sel_layer * pitch - 1,
                       lay.cell + 2, lay.cell + 2);
      cairo_stroke (cr);
      cairo_restore (cr);
    }

  if (hover_layer >= 0 && hover_head >= 0 && hover_layer < layers && hover_head < heads)
    {
      const float *m = get_head (data, hover_layer, hover_head);
      double side = MIN (MAX (lay.cell * 3, 200.0), MIN (width, height) * 0.6);
      double bw = side + 16, bh = side + 16 + style->font_size * 1.6;
      double x = hover_x + 16, y = hover_y + 16;

      if (x + bw > width)
        x = MAX (0, hover_x - 16 - bw);
      if (y + bh > height)
        y = MAX (0, height - bh);
      if (m)
        lens_grid_draw_enlarged (cr, style, cache, m, rows, cols, row_labels, col_labels,
                                 hover_layer, hover_head, x, y, side);
    }
  return missing;
}
