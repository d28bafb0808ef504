/* lens-view.c — the base of the attention views: result, selection, options, drawing. */
#include "lens-view.h"

#include <glib/gi18n.h>

#include "lens-matrix.h"

typedef struct
{
  AttnResult       *result;
  LensSelection    *selection;
  LensViewOptions  *options;
  LensMatrixSource *source;        /* built on demand for the current kind */
  GHashTable       *heads;         /* layer * heads + head → float[] when tokens are hidden */
} LensViewPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LensView, lens_view, GTK_TYPE_WIDGET)

const char *
lens_kind_title (AttnKind kind)
{
  switch (kind)
    {
    case ATTN_KIND_ENCODER: return _("Encoder self-attention");
    case ATTN_KIND_DECODER: return _("Decoder self-attention");
    case ATTN_KIND_CROSS:   return _("Cross-attention");
    case ATTN_KIND_SELF:
    default:                return _("Self-attention");
    }
}

const AttnTokenSeq *
lens_result_query_tokens (const AttnResult *result, AttnKind kind)
{
  if (kind == ATTN_KIND_DECODER || kind == ATTN_KIND_CROSS)
    return &result->target;
  return &result->input;
}

const AttnTokenSeq *
lens_result_key_tokens (const AttnResult *result, AttnKind kind)
{
  if (kind == ATTN_KIND_DECODER)
    return &result->target;
  return &result->input;
}

char *
lens_token_label (const AttnTokenSeq *seq, guint i)
{
  if (seq == NULL || i >= seq->len)
    return g_strdup_printf ("%u", i);
  return lens_token_text_label (seq->display && seq->display[i] ? seq->display[i]
                                : seq->tokens && seq->tokens[i] ? seq->tokens[i] : "");
}

char *
lens_token_text_label (const char *raw)
{
  GString *s = g_string_new (NULL);

  for (const char *p = raw; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        g_string_append (s, "↵");
      else if (c == '\t')
        g_string_append (s, "⇥");
      else
        g_string_append_unichar (s, c);
    }
  g_strstrip (s->str);
  if (s->str[0] == '\0')
    {
      g_string_free (s, TRUE);
      return g_strdup ("␣");
    }
  return g_string_free (s, FALSE);
}

static void
source_free (LensMatrixSource *src)
{
  if (src == NULL)
    return;
  g_free (src->rows);
  g_free (src->cols);
  g_strfreev (src->row_labels);
  g_strfreev (src->col_labels);
  g_free (src);
}

static void
fill_axis (const AttnTokenSeq *seq, int n, gboolean hide_special, int **index, char ***labels, int *count)
{
  GPtrArray *names = g_ptr_array_new ();
  int *idx = g_new (int, MAX (n, 1));
  int k = 0;
  gboolean known = seq != NULL && seq->len == (guint) n;

  for (int i = 0; i < n; i++)
    {
      if (hide_special && known && seq->special && seq->special[i])
        continue;
      idx[k++] = i;
      g_ptr_array_add (names, known ? lens_token_label (seq, i) : g_strdup_printf ("%d", i));
    }
  /* never hide everything */
  if (k == 0 && n > 0)
    {
      g_ptr_array_free (names, TRUE);
      g_free (idx);
      fill_axis (seq, n, FALSE, index, labels, count);
      return;
    }
  g_ptr_array_add (names, NULL);
  *index = idx;
  *labels = (char **) g_ptr_array_free (names, FALSE);
  *count = k;
}

const LensMatrixSource *
lens_view_get_source (LensView *self)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);
  AttnKind kind;
  const AttnWeights *w;
  gboolean hide;
  LensMatrixSource *src;

  if (priv->source)
    return priv->source;
  if (priv->result == NULL || priv->selection == NULL)
    return NULL;

  kind = lens_selection_get_kind (priv->selection);
  w = (guint) kind < ATTN_N_KINDS ? priv->result->attention[kind] : NULL;
  if (w == NULL)
    return NULL;

  hide = priv->options && lens_view_options_get_hide_special (priv->options);
  src = g_new0 (LensMatrixSource, 1);
  src->weights = w;
  fill_axis (lens_result_query_tokens (priv->result, kind), w->queries, hide,
             &src->rows, &src->row_labels, &src->n_rows);
  fill_axis (lens_result_key_tokens (priv->result, kind), w->keys, hide,
             &src->cols, &src->col_labels, &src->n_cols);
  src->identity = src->n_rows == w->queries && src->n_cols == w->keys;
  priv->source = src;
  return src;
}

const float *
lens_view_get_head (LensView *self, int layer, int head)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);
  const LensMatrixSource *src = lens_view_get_source (self);
  const float *full;
  float *part;
  gpointer key;

  if (src == NULL || layer < 0 || head < 0 ||
      layer >= src->weights->layers || head >= src->weights->heads)
    return NULL;

  full = attn_weights_head (src->weights, layer, head);
  if (src->identity)
    return full;

  key = GINT_TO_POINTER (layer * src->weights->heads + head + 1);
  if ((part = g_hash_table_lookup (priv->heads, key)))
    return part;
  part = g_new (float, (gsize) src->n_rows * src->n_cols);
  lens_matrix_extract (full, src->weights->keys, src->rows, src->n_rows, src->cols, src->n_cols, part);
  g_hash_table_insert (priv->heads, key, part);
  return part;
}

void
lens_view_invalidate (LensView *self)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  g_clear_pointer (&priv->source, source_free);
  g_hash_table_remove_all (priv->heads);
  if (LENS_VIEW_GET_CLASS (self)->invalidate)
    LENS_VIEW_GET_CLASS (self)->invalidate (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lens_view_init_style (LensView *self, LensHeatmapStyle *style, gboolean for_export)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);
  const LensMatrixSource *src = lens_view_get_source (self);
  gboolean presentation = priv->options && lens_view_options_get_presentation_mode (priv->options);

  lens_heatmap_style_init (style);
  if (priv->options)
    {
      style->colormap = lens_view_options_get_colormap (priv->options);
      style->scale = lens_view_options_get_scale (priv->options);
    }
  style->causal = src && src->weights->causal;
  style->font_size = presentation ? 20.0 : 12.0;

  if (!for_export)
    {
      GdkRGBA fg;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
      G_GNUC_END_IGNORE_DEPRECATIONS
      style->fg[0] = fg.red; style->fg[1] = fg.green; style->fg[2] = fg.blue; style->fg[3] = fg.alpha;
      style->bg[3] = 0.0;   /* the window's own background shows */
      if (fg.red + fg.green + fg.blue > 1.5)
        {
          /* dark mode: a dark bluish grey for masked cells */
          style->mask[0] = 0.27; style->mask[1] = 0.29; style->mask[2] = 0.36;
        }
    }
}

static void
lens_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LensView *self = LENS_VIEW (widget);
  LensViewPrivate *priv = lens_view_get_instance_private (self);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  LensHeatmapStyle style;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  lens_view_init_style (self, &style, FALSE);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (priv->result == NULL || lens_view_get_source (self) == NULL)
    {
      const char *msg = priv->result == NULL
                        ? _("Give the model an input — text, a sentence pair or audio — and press Run "
                            "to see its attention.")
                        : _("This result has no attention of the chosen kind.");

      style.fg[3] *= 0.6;
      lens_draw_paragraph (cr, &style, msg, 24, height / 2, MAX (1, width - 48), 1.2);
    }
  else
    LENS_VIEW_GET_CLASS (self)->draw (self, cr, &style, width, height);
  cairo_destroy (cr);
}

void
lens_view_draw_export (LensView *self, cairo_t *cr, double width, double height)
{
  LensHeatmapStyle style;

  lens_view_init_style (self, &style, TRUE);
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_restore (cr);
  if (lens_view_get_source (self) != NULL)
    LENS_VIEW_GET_CLASS (self)->draw (self, cr, &style, width, height);
}

static void
on_selection_notify (LensSelection *selection, GParamSpec *pspec, LensView *self)
{
  if (g_strcmp0 (pspec->name, "kind") == 0)
    lens_view_invalidate (self);
  if (LENS_VIEW_GET_CLASS (self)->selection_changed)
    LENS_VIEW_GET_CLASS (self)->selection_changed (self, pspec->name);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_options_notify (LensViewOptions *options, GParamSpec *pspec, LensView *self)
{
  lens_view_invalidate (self);
}

void
lens_view_set_result (LensView *self, AttnResult *result)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  g_return_if_fail (LENS_IS_VIEW (self));
  if (priv->result == result)
    return;
  g_clear_pointer (&priv->result, attn_result_unref);
  if (result)
    priv->result = attn_result_ref (result);
  lens_view_invalidate (self);
}

AttnResult *
lens_view_get_result (LensView *self)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  return priv->result;
}

void
lens_view_set_selection (LensView *self, LensSelection *selection)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  if (priv->selection == selection)
    return;
  if (priv->selection)
    g_signal_handlers_disconnect_by_data (priv->selection, self);
  g_set_object (&priv->selection, selection);
  if (selection)
    g_signal_connect_object (selection, "notify", G_CALLBACK (on_selection_notify), self, 0);
  lens_view_invalidate (self);
}

LensSelection *
lens_view_get_selection (LensView *self)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  return priv->selection;
}

void
lens_view_set_options (LensView *self, LensViewOptions *options)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  if (priv->options == options)
    return;
  if (priv->options)
    g_signal_handlers_disconnect_by_data (priv->options, self);
  g_set_object (&priv->options, options);
  if (options)
    g_signal_connect_object (options, "notify", G_CALLBACK (on_options_notify), self, 0);
  lens_view_invalidate (self);
}

LensViewOptions *
lens_view_get_options (LensView *self)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  return priv->options;
}

static void
lens_view_dispose (GObject *object)
{
  LensView *self = LENS_VIEW (object);
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  if (priv->selection)
    g_signal_handlers_disconnect_by_data (priv->selection, self);
  if (priv->options)
    g_signal_handlers_disconnect_by_data (priv->options, self);
  g_clear_object (&priv->selection);
  g_clear_object (&priv->options);
  g_clear_pointer (&priv->source, source_free);
  g_clear_pointer (&priv->result, attn_result_unref);
  G_OBJECT_CLASS (lens_view_parent_class)->dispose (object);
}

static void
lens_view_finalize (GObject *object)
{
  LensViewPrivate *priv = lens_view_get_instance_private (LENS_VIEW (object));

  g_hash_table_destroy (priv->heads);
  G_OBJECT_CLASS (lens_view_parent_class)->finalize (object);
}

static void
lens_view_class_init (LensViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_view_dispose;
  object_class->finalize = lens_view_finalize;
  widget_class->snapshot = lens_view_snapshot;
}

static void
lens_view_init (LensView *self)
{
  LensViewPrivate *priv = lens_view_get_instance_private (self);

  priv->heads = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}
