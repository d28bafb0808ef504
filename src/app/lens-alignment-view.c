/* lens-alignment-view.c — cross-attention of a pair, word links, gold and AER. */
#include "lens-alignment-view.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lens-alignment-draw.h"
#include "lens-control-bar.h"

struct _LensAlignmentView
{
  LensView            parent_instance;
  LensAlignAggregate  aggregate;
  AttnAlignMethod     method;
  gboolean            straight;
  /* the gold of the pair, or NULL */
  GArray             *sure, *possible;
  char               *gold_name;
  /* what the figure shows; rebuilt when the result or a choice changes */
  gboolean            valid;
  float              *matrix;             /* [rows, cols] */
  int                 rows, cols;
  GPtrArray          *row_labels, *col_labels;
  GPtrArray          *src_words, *tgt_words;
  int                *tgt_word_of;        /* output token → target word, or -1 */
  int                 n_out;
  GArray             *links;
  LensAlignmentLayout layout;
};

G_DEFINE_FINAL_TYPE (LensAlignmentView, lens_alignment_view, LENS_TYPE_VIEW)

enum {
  PROP_0,
  PROP_AGGREGATE,
  PROP_METHOD,
  PROP_STRAIGHT,
  PROP_HAS_GOLD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
drop_figure (LensAlignmentView *self)
{
  self->valid = FALSE;
  g_clear_pointer (&self->matrix, g_free);
  g_clear_pointer (&self->row_labels, g_ptr_array_unref);
  g_clear_pointer (&self->col_labels, g_ptr_array_unref);
  g_clear_pointer (&self->src_words, g_ptr_array_unref);
  g_clear_pointer (&self->tgt_words, g_ptr_array_unref);
  g_clear_pointer (&self->tgt_word_of, g_free);
  g_clear_pointer (&self->links, g_array_unref);
  self->rows = self->cols = self->n_out = 0;
}

static void
clamp_layer_head (const AttnWeights *cross, LensSelection *sel, int *layer, int *head)
{
  *layer = CLAMP (lens_selection_get_layer (sel), 0, cross->layers - 1);
  *head = CLAMP (lens_selection_get_head (sel), 0, cross->heads - 1);
}

/* Builds what the figure shows from the result's cross-attention. */
static gboolean
ensure_figure (LensAlignmentView *self)
{
  AttnResult *r = lens_view_get_result (LENS_VIEW (self));
  LensSelection *sel = lens_view_get_selection (LENS_VIEW (self));
  const AttnWeights *cross;
  AttnTokenSeq out = { 0 };
  int layer, head;

  if (self->valid)
    return self->links != NULL;
  drop_figure (self);
  self->valid = TRUE;
  if (r == NULL || sel == NULL || (cross = r->attention[ATTN_KIND_CROSS]) == NULL || r->target.len < 2)
    return FALSE;

  clamp_layer_head (cross, sel, &layer, &head);
  if (self->aggregate == LENS_ALIGN_ALL_LAYERS)
    layer = head = -1;
  else if (self->aggregate == LENS_ALIGN_LAYER)
    head = -1;

  self->rows = cross->queries;
  self->cols = cross->keys;
  self->matrix = g_new (float, (gsize) self->rows * self->cols);
  attn_cross_matrix (cross, layer, head, self->matrix);
  self->row_labels = g_ptr_array_new_with_free_func (g_free);
  self->col_labels = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < self->rows; i++)
    g_ptr_array_add (self->row_labels, lens_token_label (&r->target, i));
  for (int j = 0; j < self->cols; j++)
    g_ptr_array_add (self->col_labels, lens_token_label (&r->input, j));

  /* words as the engine groups them: the source, and the output tokens (the
   * decoder's inputs after the start token) */
  {
    g_autofree int *sw = g_new (int, MAX (r->input.len, 1));

    self->src_words = g_ptr_array_new_with_free_func (g_free);
    attn_group_words (&r->input, sw, self->src_words);
  }
  out.len = r->target.len - 1;
  out.ids = r->target.ids + 1;
  out.tokens = r->target.tokens + 1;
  out.display = r->target.display ? r->target.display + 1 : NULL;
  out.special = r->target.special + 1;
  self->n_out = out.len;
  self->tgt_word_of = g_new (int, MAX (out.len, 1));
  self->tgt_words = g_ptr_array_new_with_free_func (g_free);
  attn_group_words (&out, self->tgt_word_of, self->tgt_words);

  self->links = attn_align_words (r, layer, head, self->method);
  return TRUE;
}

static int
selected_target_word (LensAlignmentView *self, int *row)
{
  AttnResult *r = lens_view_get_result (LENS_VIEW (self));
  int step = lens_selection_get_step (lens_view_get_selection (LENS_VIEW (self)));
  int prompt = r ? MAX (r->decoder_prompt_len, 1) : 1;

  *row = -1;
  if (step < 0 || r == NULL)
    return -1;
  *row = prompt - 1 + step < self->rows ? prompt - 1 + step : -1;
  /* row i predicted output token i */
  return *row >= 0 && *row < self->n_out ? self->tgt_word_of[*row] : -1;
}

static char *
scores_text (LensAlignmentView *self)
{
  double p, rc, aer;

  if (!lens_alignment_view_get_scores (self, &p, &rc, &aer))
    return g_strdup (self->method == ATTN_ALIGN_SHIFT
                     ? _("Links: each output word to the source word its next row attends to most (shifted). "
                         "Load a gold alignment to score them.")
                     : _("Links: each output word to the source word its row attends to most (argmax). "
                         "Load a gold alignment to score them."));
  return g_strdup_printf (_("Against “%s”: precision %.2f · recall %.2f · AER %.2f (%u sure, %u possible links)"),
                          self->gold_name, p, rc, aer, self->sure->len, self->possible->len);
}

static void
lens_alignment_view_draw (LensView *view, cairo_t *cr, const LensHeatmapStyle *style,
                          double width, double height)
{
  LensAlignmentView *self = LENS_ALIGNMENT_VIEW (view);
  LensSelection *sel = lens_view_get_selection (view);
  AttnResult *r = lens_view_get_result (view);
  LensAlignmentFigure fig = { 0 };
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  int layer, head, row;

  if (!ensure_figure (self))
    {
      LensHeatmapStyle dim = *style;

      dim.fg[3] *= 0.6;
      lens_draw_text (cr, &dim, _("The alignment needs a translation model's cross-attention: "
                                  "run a sentence pair."), 0, height / 2 - style->font_size, width, 0.5, FALSE, 1.2);
      return;
    }
  clamp_layer_head (r->attention[ATTN_KIND_CROSS], sel, &layer, &head);
  switch (self->aggregate)
    {
    case LENS_ALIGN_ALL_LAYERS:
      title = g_strdup (_("Cross-attention, mean of all layers and heads (rows: target tokens, columns: source tokens)"));
      break;
    case LENS_ALIGN_LAYER:
      title = g_strdup_printf (_("Cross-attention, layer %d, mean of its heads (rows: target tokens, columns: source tokens)"),
                               layer + 1);
      break;
    case LENS_ALIGN_HEAD:
    default:
      title = g_strdup_printf (_("Cross-attention, layer %d · head %d (rows: target tokens, columns: source tokens)"),
                               layer + 1, head + 1);
      break;
    }
  subtitle = scores_text (self);

  fig.matrix = self->matrix;
  fig.rows = self->rows;
  fig.cols = self->cols;
  fig.row_labels = (const char *const *) self->row_labels->pdata;
  fig.col_labels = (const char *const *) self->col_labels->pdata;
  fig.src_words = (const char *const *) self->src_words->pdata;
  fig.n_src = self->src_words->len;
  fig.tgt_words = (const char *const *) self->tgt_words->pdata;
  fig.n_tgt = self->tgt_words->len;
  fig.links = self->links;
  fig.sure = self->sure;
  fig.possible = self->possible;
  fig.selected_tgt = selected_target_word (self, &row);
  fig.highlight_row = row;
  fig.straight = self->straight;
  fig.title = title;
  fig.subtitle = subtitle;
  lens_alignment_draw (cr, style, &fig, width, height, &self->layout);
}

static void
lens_alignment_view_invalidate (LensView *view)
{
  drop_figure (LENS_ALIGNMENT_VIEW (view));
}

static void
lens_alignment_view_selection_changed (LensView *view, const char *property)
{
  if (g_str_equal (property, "layer") || g_str_equal (property, "head"))
    drop_figure (LENS_ALIGNMENT_VIEW (view));
}

static void
on_pressed (GtkGestureClick *click, int n_press, double x, double y, LensAlignmentView *self)
{
  int word;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (!ensure_figure (self))
    return;
  word = lens_alignment_hit_target (&self->layout, self->tgt_words->len, x, y);
  if (word < 0)
    return;
  /* the decoder step of the word's first token */
  for (int t = 0; t < self->n_out; t++)
    if (self->tgt_word_of[t] == word)
      {
        AttnResult *r = lens_view_get_result (LENS_VIEW (self));

        lens_selection_set_step (lens_view_get_selection (LENS_VIEW (self)),
                                 t - MAX (r->decoder_prompt_len, 1) + 1);
        break;
      }
}

/* ---- gold ---- */

static void
on_gold_response (GtkNativeDialog *dialog, int response, LensAlignmentView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path && !lens_alignment_view_load_gold (self, path, &error))
        {
          GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
          GtkWidget *msg = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                   _("Could Not Read the Gold Alignment"), error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (msg), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (msg));
        }
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
load_gold_clicked (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Load Gold Alignment"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Alignments (i-j pairs, one line)"));
  gtk_file_filter_add_mime_type (filter, "text/plain");
  gtk_file_filter_add_pattern (filter, "*.align");
  gtk_file_filter_add_pattern (filter, "*.talp");
  gtk_file_filter_add_pattern (filter, "*.txt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_gold_response), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- class ---- */

static void
lens_alignment_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LensAlignmentView *self = LENS_ALIGNMENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_AGGREGATE: g_value_set_uint (value, self->aggregate); break;
    case PROP_METHOD:    g_value_set_uint (value, self->method); break;
    case PROP_STRAIGHT:  g_value_set_boolean (value, self->straight); break;
    case PROP_HAS_GOLD:  g_value_set_boolean (value, self->sure != NULL); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_alignment_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LensAlignmentView *self = LENS_ALIGNMENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_AGGREGATE: lens_alignment_view_set_aggregate (self, g_value_get_uint (value)); break;
    case PROP_METHOD:    lens_alignment_view_set_method (self, g_value_get_uint (value)); break;
    case PROP_STRAIGHT:
      if (self->straight != g_value_get_boolean (value))
        {
          self->straight = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_alignment_view_dispose (GObject *object)
{
  LensAlignmentView *self = LENS_ALIGNMENT_VIEW (object);

  drop_figure (self);
  lens_alignment_view_clear_gold (self);
  G_OBJECT_CLASS (lens_alignment_view_parent_class)->dispose (object);
}

static void
lens_alignment_view_class_init (LensAlignmentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LensViewClass *view_class = LENS_VIEW_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lens_alignment_view_dispose;
  object_class->get_property = lens_alignment_view_get_property;
  object_class->set_property = lens_alignment_view_set_property;
  view_class->draw = lens_alignment_view_draw;
  view_class->invalidate = lens_alignment_view_invalidate;
  view_class->selection_changed = lens_alignment_view_selection_changed;

  properties[PROP_AGGREGATE] = g_param_spec_uint ("aggregate", NULL, NULL, 0, LENS_ALIGN_ALL_LAYERS, 0, flags);
  properties[PROP_METHOD] = g_param_spec_uint ("method", NULL, NULL, 0, ATTN_ALIGN_SHIFT, 0, flags);
  properties[PROP_STRAIGHT] = g_param_spec_boolean ("straight", NULL, NULL, FALSE, flags);
  properties[PROP_HAS_GOLD] = g_param_spec_boolean ("has-gold", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "lens-alignment-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lens_alignment_view_init (LensAlignmentView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cross-attention and word alignment of the sentence pair"), -1);
}

GtkWidget *
lens_alignment_view_new (void)
{
  return g_object_new (LENS_TYPE_ALIGNMENT_VIEW, NULL);
}

GtkWidget *
lens_alignment_view_create_controls (LensAlignmentView *self)
{
  static const char *aggregates[] = { N_("Selected head"), N_("Layer mean"), N_("All layers"), NULL };
  static const char *methods[] = { N_("Argmax"), N_("Shifted"), NULL };
  const char *agg_shown[G_N_ELEMENTS (aggregates)];
  const char *method_shown[G_N_ELEMENTS (methods)];
  GtkWidget *bar = lens_control_bar_new ();
  GtkWidget *agg, *method, *straight, *gold, *clear, *gold_box;

  for (guint i = 0; i < G_N_ELEMENTS (aggregates); i++)
    agg_shown[i] = aggregates[i] ? _(aggregates[i]) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    method_shown[i] = methods[i] ? _(methods[i]) : NULL;

  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (bar), 4);
  gtk_widget_set_margin_bottom (bar, 6);

  agg = gtk_drop_down_new_from_strings (agg_shown);
  gtk_widget_set_tooltip_text (agg, _("Whose cross-attention: the selected head, the mean of its layer, or of all layers"));
  g_object_bind_property (agg, "selected", self, "aggregate", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  lens_control_bar_append_labelled (bar, _("_Attention"), agg);

  method = gtk_drop_down_new_from_strings (method_shown);
  gtk_widget_set_tooltip_text (method, _("Argmax: the row that predicted a word. Shifted: the row where the word "
                                         "is the decoder's input, one step later (Chen et al., 2020)"));
  g_object_bind_property (method, "selected", self, "method", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  lens_control_bar_append_labelled (bar, _("_Links"), method);

  straight = gtk_check_button_new_with_mnemonic (_("_Straight"));
  gtk_widget_set_tooltip_text (straight, _("Draw the links as straight lines instead of curves"));
  g_object_bind_property (straight, "active", self, "straight", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  lens_control_bar_append (bar, straight);

  gold = gtk_button_new_with_mnemonic (_("Load _Gold Alignment…"));
  gtk_widget_set_tooltip_text (gold, _("Score the links against a gold alignment: one line of i-j (sure) "
                                       "and i?j or i-j-p (possible) pairs"));
  g_signal_connect_object (gold, "clicked", G_CALLBACK (load_gold_clicked), self, G_CONNECT_SWAPPED);
  gold_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (gold_box, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (gold_box), gold);
  clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_tooltip_text (clear, _("Forget the gold alignment"));
  g_signal_connect_object (clear, "clicked", G_CALLBACK (lens_alignment_view_clear_gold), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self, "has-gold", clear, "sensitive", G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (gold_box), clear);
  lens_control_bar_append (bar, gold_box);
  return bar;
}

void
lens_alignment_view_set_aggregate (LensAlignmentView *self, LensAlignAggregate aggregate)
{
  g_return_if_fail (LENS_IS_ALIGNMENT_VIEW (self));
  if (self->aggregate == aggregate)
    return;
  self->aggregate = aggregate;
  drop_figure (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGGREGATE]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lens_alignment_view_set_method (LensAlignmentView *self, int method)
{
  g_return_if_fail (LENS_IS_ALIGNMENT_VIEW (self));
  if ((int) self->method == method)
    return;
  self->method = method;
  drop_figure (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METHOD]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lens_alignment_view_load_gold (LensAlignmentView *self, const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) sure = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  g_autoptr(GArray) possible = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  const char *line = NULL;

  g_return_val_if_fail (LENS_IS_ALIGNMENT_VIEW (self), FALSE);
  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] && line == NULL; i++)
    if (g_strstrip (lines[i])[0] != '\0')
      line = lines[i];
  if (line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The file is empty: a gold alignment is one line of pairs such as “0-0 1-2 2?1”."));
      return FALSE;
    }
  if (!attn_parse_gold (line, sure, possible, error))
    return FALSE;

  lens_alignment_view_clear_gold (self);
  self->sure = g_steal_pointer (&sure);
  self->possible = g_steal_pointer (&possible);
  self->gold_name = g_path_get_basename (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_GOLD]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

void
lens_alignment_view_clear_gold (LensAlignmentView *self)
{
  g_clear_pointer (&self->sure, g_array_unref);
  g_clear_pointer (&self->possible, g_array_unref);
  if (self->gold_name == NULL)
    return;
  g_clear_pointer (&self->gold_name, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_GOLD]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lens_alignment_view_get_scores (LensAlignmentView *self, double *precision, double *recall, double *aer)
{
  AttnAerCounts counts = { 0 };

  if (self->sure == NULL || !ensure_figure (self))
    return FALSE;
  attn_aer_add (&counts, self->links, self->sure, self->possible);
  attn_aer_scores (&counts, precision, recall, aer);
  return TRUE;
}

guint
lens_alignment_view_get_n_src_words (LensAlignmentView *self)
{
  return ensure_figure (self) ? self->src_words->len : 0;
}

const char *
lens_alignment_view_get_src_word (LensAlignmentView *self, guint i)
{
  return ensure_figure (self) && i < self->src_words->len ? self->src_words->pdata[i] : NULL;
}

guint
lens_alignment_view_get_n_tgt_words (LensAlignmentView *self)
{
  return ensure_figure (self) ? self->tgt_words->len : 0;
}

const char *
lens_alignment_view_get_tgt_word (LensAlignmentView *self, guint i)
{
  return ensure_figure (self) && i < self->tgt_words->len ? self->tgt_words->pdata[i] : NULL;
}

const GArray *
lens_alignment_view_get_links (LensAlignmentView *self)
{
  return ensure_figure (self) ? self->links : NULL;
}

char *
lens_alignment_view_get_pharaoh (LensAlignmentView *self)
{
  g_autofree char *line = NULL;

  if (!ensure_figure (self))
    return NULL;
  line = attn_links_to_pharaoh (self->links);
  return g_strconcat (line, "\n", NULL);
}
