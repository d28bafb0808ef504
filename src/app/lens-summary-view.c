/* lens-summary-view.c — mean and max over heads for each layer, norm-weighted
 * attention (Kobayashi et al., 2020) for each layer, and attention rollout.
 *
 * These are aggregates of attention weights and are labelled as such. The
 * norm-weighted band uses the norms ‖v_j W_O‖ the engine records beside the
 * weights (AttnResult's value_norms); attention without value vectors (the
 * recurrent translators') has none, and the view says so. */
#include "lens-summary-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "attn-analysis.h"
#include "lens-matrix.h"

struct _LensSummaryView
{
  LensView          parent_instance;
  int               layers;
  float           **mean;          /* per layer, rows × cols */
  float           **max;
  cairo_surface_t **mean_thumbs;
  cairo_surface_t **max_thumbs;
  float           **normw;         /* per layer, rows × cols; NULL without value norms */
  cairo_surface_t **normw_thumbs;
  float            *rollout;       /* rows × rows, through rollout_layer */
  int               rollout_layer;
  cairo_surface_t  *rollout_cells;
};

G_DEFINE_FINAL_TYPE (LensSummaryView, lens_summary_view, LENS_TYPE_VIEW)

static void
drop_caches (LensSummaryView *self)
{
  for (int l = 0; l < self->layers; l++)
    {
      g_free (self->mean[l]);
      g_free (self->max[l]);
      g_clear_pointer (&self->mean_thumbs[l], cairo_surface_destroy);
      g_clear_pointer (&self->max_thumbs[l], cairo_surface_destroy);
      if (self->normw != NULL)
        {
          g_free (self->normw[l]);
          g_clear_pointer (&self->normw_thumbs[l], cairo_surface_destroy);
        }
    }
  g_clear_pointer (&self->mean, g_free);
  g_clear_pointer (&self->max, g_free);
  g_clear_pointer (&self->mean_thumbs, g_free);
  g_clear_pointer (&self->max_thumbs, g_free);
  g_clear_pointer (&self->normw, g_free);
  g_clear_pointer (&self->normw_thumbs, g_free);
  g_clear_pointer (&self->rollout, g_free);
  g_clear_pointer (&self->rollout_cells, cairo_surface_destroy);
  self->layers = 0;
  self->rollout_layer = -1;
}

/* [heads, rows, cols] of one layer, hidden tokens left out */
static float *
layer_block (LensView *view, const LensMatrixSource *src, int layer)
{
  gsize n = (gsize) src->n_rows * src->n_cols;
  float *block = g_new (float, n * src->weights->heads);

  for (int h = 0; h < src->weights->heads; h++)
    memcpy (block + h * n, lens_view_get_head (view, layer, h), n * sizeof (float));
  return block;
}

/* The value norms recorded with the weights the view shows, or NULL when the result
 * has none for them (recurrent attention has no value vectors). */
static const AttnWeights *
value_norms (LensSummaryView *self)
{
  LensView *view = LENS_VIEW (self);
  AttnResult *r = lens_view_get_result (view);
  const LensMatrixSource *src = lens_view_get_source (view);
  AttnKind kind = lens_selection_get_kind (lens_view_get_selection (view));
  const AttnWeights *vn = r != NULL ? r->value_norms[kind] : NULL;

  if (vn == NULL || vn->layers != src->weights->layers || vn->heads != src->weights->heads ||
      vn->queries != 1 || vn->keys != src->weights->keys)
    return NULL;
  return vn;
}

/* Norm-weighted attention of one layer over all heads, hidden tokens left out */
static float *
norm_weighted_layer (const LensMatrixSource *src, const AttnWeights *vn, int layer)
{
  const AttnWeights *w = src->weights;
  float *full = g_new (float, (gsize) w->queries * w->keys);
  float *part;

  attn_norm_weighted (w, vn, layer, -1, full);
  if (src->identity)
    return full;
  part = g_new (float, (gsize) src->n_rows * src->n_cols);
  lens_matrix_extract (full, w->keys, src->rows, src->n_rows, src->cols, src->n_cols, part);
  g_free (full);
  return part;
}

static void
ensure_aggregates (LensSummaryView *self, const LensHeatmapStyle *style)
{
  LensView *view = LENS_VIEW (self);
  const LensMatrixSource *src = lens_view_get_source (view);
  int layers = src->weights->layers, heads = src->weights->heads;
  gsize n = (gsize) src->n_rows * src->n_cols;
  const AttnWeights *vn;

  if (self->mean != NULL)
    return;
  vn = value_norms (self);
  self->layers = layers;
  self->mean = g_new0 (float *, layers);
  self->max = g_new0 (float *, layers);
  self->mean_thumbs = g_new0 (cairo_surface_t *, layers);
  self->max_thumbs = g_new0 (cairo_surface_t *, layers);
  if (vn != NULL)
    {
      self->normw = g_new0 (float *, layers);
      self->normw_thumbs = g_new0 (cairo_surface_t *, layers);
    }
  for (int l = 0; l < layers; l++)
    {
      g_autofree float *block = layer_block (view, src, l);

      self->mean[l] = g_new (float, n);
      self->max[l] = g_new (float, n);
      attn_mean_over_heads (block, heads, src->n_rows, src->n_cols, self->mean[l]);
      attn_max_over_heads (block, heads, src->n_rows, src->n_cols, self->max[l]);
      self->mean_thumbs[l] = lens_heatmap_thumbnail_surface (style, self->mean[l], src->n_rows, src->n_cols, 128);
      self->max_thumbs[l] = lens_heatmap_thumbnail_surface (style, self->max[l], src->n_rows, src->n_cols, 128);
      if (vn != NULL)
        {
          self->normw[l] = norm_weighted_layer (src, vn, l);
          self->normw_thumbs[l] = lens_heatmap_thumbnail_surface (style, self->normw[l], src->n_rows, src->n_cols, 128);
        }
    }
}

static void
ensure_rollout (LensSummaryView *self, const LensHeatmapStyle *style, int last)
{
  LensView *view = LENS_VIEW (self);
  const LensMatrixSource *src = lens_view_get_source (view);
  int layers = src->weights->layers, heads = src->weights->heads, n = src->n_rows;
  gsize per_layer = (gsize) heads * n * n;
  g_autofree float *all = NULL;

  if (self->rollout != NULL && self->rollout_layer == last)
    return;
  g_clear_pointer (&self->rollout, g_free);
  g_clear_pointer (&self->rollout_cells, cairo_surface_destroy);

  all = g_new (float, per_layer * (last + 1));
  for (int l = 0; l <= last && l < layers; l++)
    {
      g_autofree float *block = layer_block (view, src, l);
      memcpy (all + l * per_layer, block, per_layer * sizeof (float));
    }
  self->rollout = g_new (float, (gsize) n * n);
  attn_rollout (all, last + 1, heads, n, last, self->rollout);
  self->rollout_layer = last;
  self->rollout_cells = lens_heatmap_cells_surface (style, self->rollout, n, n);
}

static void
lens_summary_view_draw (LensView *view, cairo_t *cr, const LensHeatmapStyle *style,
                        double width, double height)
{
  LensSummaryView *self = LENS_SUMMARY_VIEW (view);
  const LensMatrixSource *src = lens_view_get_source (view);
  LensSelection *sel = lens_view_get_selection (view);
  AttnKind kind = lens_selection_get_kind (sel);
  int layers = src->weights->layers;
  int sel_layer = MIN (lens_selection_get_layer (sel), layers - 1);
  double line = ceil (style->font_size * 1.6);
  const char *band_labels[] = { _("Mean over heads"), _("Max over heads"), _("Norm-weighted") };
  double label_w = 0, y = 8, pitch, thumb;
  int bands;
  gboolean square = src->n_rows == src->n_cols && kind != ATTN_KIND_CROSS;
  g_autofree char *title = g_strdup_printf (_("Aggregates of %s — summaries of the weights, not explanations of the prediction"),
                                            lens_kind_title (kind));
  char buf[64];

  ensure_aggregates (self, style);
  bands = self->normw != NULL ? 3 : 2;
  for (int band = 0; band < bands; band++)
    label_w = MAX (label_w, lens_text_width (cr, style, band_labels[band], FALSE, 1.0));
  label_w += 16;

  lens_draw_text (cr, style, title, 8, y, width - 16, 0.0, TRUE, 1.1);
  y += line * 1.3;

  /* bands of per-layer thumbnails: mean, max, and norm-weighted where the result has value norms */
  pitch = MIN ((width - label_w - 16) / layers, MAX (height * (bands == 3 ? 0.13 : 0.16), 48.0));
  thumb = floor (pitch * 0.9);
  for (int l = 0; l < layers; l++)
    {
      g_snprintf (buf, sizeof buf, _("Layer %d"), l + 1);
      lens_draw_text (cr, style, buf, 8 + label_w + l * pitch, y, thumb, 0.5, l == sel_layer, 0.9);
    }
  y += line;
  for (int band = 0; band < bands; band++)
    {
      cairo_surface_t **thumbs = band == 0 ? self->mean_thumbs : band == 1 ? self->max_thumbs : self->normw_thumbs;

      lens_draw_text (cr, style, band_labels[band], 8, y + thumb / 2 - line / 2, label_w - 8, 0.0, FALSE, 1.0);
      for (int l = 0; l < layers; l++)
        lens_heatmap_paint_surface (cr, thumbs[l], 8 + label_w + l * pitch, y, thumb, thumb);
      y += pitch;
    }
  {
    LensHeatmapStyle note = *style;

    note.fg[3] *= 0.7;
    lens_draw_text (cr, &note, self->normw != NULL
                    ? _("Norm-weighted: α_ij · ‖v_j W_O‖, each weight times the norm of its transformed value vector, "
                        "summed over heads, rows normalised (Kobayashi et al., 2020)")
                    : _("Norm-weighted attention needs value vectors, which this attention does not have."),
                    8, y, width - 16, 0.0, FALSE, 0.9);
    y += line * 1.5;
  }

  if (square)
    {
      LensHeatmapStyle big = *style;
      double avail_h = height - y - line * 1.4;

      LensHeatmapStyle note = *style;

      ensure_rollout (self, style, sel_layer);
      g_snprintf (buf, sizeof buf, _("Attention rollout through layer %d"), sel_layer + 1);
      lens_draw_text (cr, style, buf, 8, y, width - 16, 0.0, TRUE, 1.0);
      y += line;
      note.fg[3] *= 0.7;
      lens_draw_text (cr, &note, _("Abnar & Zuidema (2020): ½ · mean over heads + ½ · identity, rows normalised, "
                                   "multiplied from layer 1 up; choose the layer in the Grid or with the Head view's ↑/↓"),
                      8, y, width - 16, 0.0, FALSE, 0.9);
      y += line * 1.1;
      avail_h -= line;
      big.bg[3] = 0;
      big.causal = style->causal;
      cairo_save (cr);
      cairo_translate (cr, 8, y);
      lens_heatmap_draw_cached (cr, &big, self->rollout, src->n_rows, src->n_rows,
                                (const char *const *) src->row_labels, (const char *const *) src->col_labels,
                                width - 16, MAX (avail_h, 40), self->rollout_cells, NULL);
      cairo_restore (cr);
    }
  else
    lens_draw_text (cr, style, _("Rollout applies to self-attention; choose the encoder or decoder."),
                    8, y, width - 16, 0.0, FALSE, 1.0);
}

static void
lens_summary_view_invalidate (LensView *view)
{
  drop_caches (LENS_SUMMARY_VIEW (view));
}

static void
lens_summary_view_dispose (GObject *object)
{
  drop_caches (LENS_SUMMARY_VIEW (object));
  G_OBJECT_CLASS (lens_summary_view_parent_class)->dispose (object);
}

static void
lens_summary_view_class_init (LensSummaryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LensViewClass *view_class = LENS_VIEW_CLASS (klass);

  object_class->dispose = lens_summary_view_dispose;
  view_class->draw = lens_summary_view_draw;
  view_class->invalidate = lens_summary_view_invalidate;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "lens-summary-view");
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lens_summary_view_init (LensSummaryView *self)
{
  self->rollout_layer = -1;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attention aggregated over heads and layers"), -1);
}

GtkWidget *
lens_summary_view_new (void)
{
  return g_object_new (LENS_TYPE_SUMMARY_VIEW, NULL);
}

const float *
lens_summary_view_get_norm_weighted (LensSummaryView *self, int layer)
{
  g_return_val_if_fail (LENS_IS_SUMMARY_VIEW (self), NULL);
  if (self->normw == NULL || layer < 0 || layer >= self->layers)
    return NULL;
  return self->normw[layer];
}
