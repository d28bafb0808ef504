/* lens-text-input.c — multi-line text, a second text (BERT pairs), examples, token counter.
 * Translation models have lens-pair-input.c, speech models lens-audio-input.c. */
#include "lens-text-input.h"
#include "lens-examples.h"
#include "lens-token-counter.h"

#include <glib/gi18n.h>

struct _LensTextInput
{
  GtkBox      parent_instance;
  GtkWidget  *examples_button;
  GtkWidget  *text_scroller;
  GtkWidget  *text_view;
  GtkWidget  *pair_entry;
  GtkWidget  *counter;
  AttnModel  *model;
  GPtrArray  *examples;     /* LensExample: the text and the second text */
  guint       count_source;
};

G_DEFINE_FINAL_TYPE (LensTextInput, lens_text_input, GTK_TYPE_BOX)

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* ---- token counter ---- */

static gboolean
update_count (gpointer data)
{
  LensTextInput *self = data;
  g_autofree char *text = NULL;
  g_autofree char *pair = NULL;

  self->count_source = 0;
  if (self->model == NULL || attn_model_get_modality (self->model) != ATTN_MODALITY_TEXT)
    {
      gtk_label_set_text (GTK_LABEL (self->counter), "");
      return G_SOURCE_REMOVE;
    }

  text = buffer_text (GTK_TEXT_VIEW (self->text_view));
  if (attn_model_accepts_pair (self->model))
    pair = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pair_entry)));
  lens_token_counter_update (self->counter, self->model, text, pair && *pair ? pair : NULL, FALSE);
  return G_SOURCE_REMOVE;
}

static void
queue_count (LensTextInput *self)
{
  g_clear_handle_id (&self->count_source, g_source_remove);
  self->count_source = g_timeout_add (150, update_count, self);
}

static void
on_text_changed (LensTextInput *self)
{
  queue_count (self);
}

/* ---- examples ---- */

static void
load_examples (LensTextInput *self)
{
  static const char *const text_keys[] = { "text", NULL };
  static const char *const pair_keys[] = { "text_pair", "pair", NULL };

  lens_examples_load (self->examples, attn_model_get_dir (self->model), TRUE, text_keys, pair_keys);
  if (self->examples->len > 0)
    return;

  /* no examples.json: a few of our own */
  lens_examples_add (self->examples, "The animal didn't cross the street because it was too tired.", NULL);
  lens_examples_add (self->examples, "Attention is all you need!", NULL);
  lens_examples_add (self->examples, "The trophy didn't fit in the suitcase because it was too big.", NULL);
}

static void
rebuild_examples_menu (LensTextInput *self)
{
  lens_examples_update_menu (self->examples_button, self->examples, 64, "input.example");
}

static void
apply_example (LensTextInput *self, guint i)
{
  LensExample *e;

  if (i >= self->examples->len)
    return;
  e = self->examples->pdata[i];
  lens_text_input_set_text (self, e->first);
  lens_text_input_set_pair (self, e->second ? e->second : "");
}

static void
example_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  apply_example (LENS_TEXT_INPUT (widget), g_variant_get_uint32 (param));
}

/* ---- class ---- */

static void
lens_text_input_dispose (GObject *object)
{
  LensTextInput *self = LENS_TEXT_INPUT (object);
  GtkWidget *child;

  g_clear_handle_id (&self->count_source, g_source_remove);
  g_clear_pointer (&self->model, attn_model_unref);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_box_remove (GTK_BOX (self), child);
  G_OBJECT_CLASS (lens_text_input_parent_class)->dispose (object);
}

static void
lens_text_input_finalize (GObject *object)
{
  LensTextInput *self = LENS_TEXT_INPUT (object);

  g_ptr_array_unref (self->examples);
  G_OBJECT_CLASS (lens_text_input_parent_class)->finalize (object);
}

static void
lens_text_input_class_init (LensTextInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_text_input_dispose;
  object_class->finalize = lens_text_input_finalize;
  gtk_widget_class_install_action (widget_class, "input.example", "u", example_action);
  gtk_widget_class_set_css_name (widget_class, "lens-text-input");
}

static void
lens_text_input_init (LensTextInput *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Input"));

  self->examples = lens_examples_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  self->examples_button = lens_examples_button_new (_("Fill in an example input"));
  gtk_box_append (GTK_BOX (header), self->examples_button);
  gtk_box_append (GTK_BOX (self), header);

  self->text_view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->text_view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (self->text_view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->text_view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (self->text_view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Input text"), -1);
  g_signal_connect_swapped (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)), "changed",
                            G_CALLBACK (on_text_changed), self);
  self->text_scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->text_scroller), self->text_view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (self->text_scroller), 90);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->text_scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_add_css_class (self->text_scroller, "card");
  gtk_box_append (GTK_BOX (self), self->text_scroller);

  self->pair_entry = gtk_entry_new ();
  gtk_widget_set_visible (self->pair_entry, FALSE);
  g_signal_connect_swapped (self->pair_entry, "changed", G_CALLBACK (on_text_changed), self);
  gtk_box_append (GTK_BOX (self), self->pair_entry);

  self->counter = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->counter), 1.0);
  gtk_widget_add_css_class (self->counter, "dim-label");
  gtk_widget_add_css_class (self->counter, "caption");
  gtk_widget_add_css_class (self->counter, "numeric");
  gtk_box_append (GTK_BOX (self), self->counter);
}

GtkWidget *
lens_text_input_new (void)
{
  return g_object_new (LENS_TYPE_TEXT_INPUT, NULL);
}

void
lens_text_input_set_model (LensTextInput *self, AttnModel *model)
{
  AttnModality modality;

  g_return_if_fail (LENS_IS_TEXT_INPUT (self));
  if (model == self->model)
    return;
  if (model)
    attn_model_ref (model);
  g_clear_pointer (&self->model, attn_model_unref);
  self->model = model;
  if (model == NULL)
    return;

  modality = attn_model_get_modality (model);
  gtk_widget_set_visible (self->pair_entry, modality == ATTN_MODALITY_TEXT && attn_model_accepts_pair (model));
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->pair_entry), _("Second sentence (optional)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pair_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Second text"), -1);

  load_examples (self);
  rebuild_examples_menu (self);
  /* nothing typed yet: start from the model's first example, one Run away from a
   * picture (what was typed stays when the model changes) */
  if (modality == ATTN_MODALITY_TEXT &&
      gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view))) == 0)
    apply_example (self, 0);
  queue_count (self);
}

char *
lens_text_input_get_text (LensTextInput *self)
{
  return buffer_text (GTK_TEXT_VIEW (self->text_view));
}

void
lens_text_input_set_text (LensTextInput *self, const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)), text ? text : "", -1);
}

char *
lens_text_input_get_pair (LensTextInput *self)
{
  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pair_entry)));
}

void
lens_text_input_set_pair (LensTextInput *self, const char *pair)
{
  gtk_editable_set_text (GTK_EDITABLE (self->pair_entry), pair ? pair : "");
}

/* the second text as the model reads it: only BERT's, and only when given */
static char *
pair_for_model (LensTextInput *self)
{
  char *pair = lens_text_input_get_pair (self);

  if (*pair == '\0' || !attn_model_accepts_pair (self->model))
    g_clear_pointer (&pair, g_free);
  return pair;
}

gboolean
lens_text_input_is_too_long (LensTextInput *self, int *n_tokens, int *max, gboolean *exact)
{
  g_autofree char *text = NULL, *pair = NULL;

  g_return_val_if_fail (LENS_IS_TEXT_INPUT (self), FALSE);
  if (self->model == NULL || attn_model_get_modality (self->model) != ATTN_MODALITY_TEXT)
    return FALSE;
  text = lens_text_input_get_text (self);
  pair = pair_for_model (self);
  return lens_tokens_over_limit (self->model, text, pair, n_tokens, max, exact);
}

gboolean
lens_text_input_shorten (LensTextInput *self)
{
  g_autofree char *pair = NULL;

  g_return_val_if_fail (LENS_IS_TEXT_INPUT (self), FALSE);
  if (self->model == NULL)
    return FALSE;
  pair = pair_for_model (self);
  return lens_tokens_shorten_buffer (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)), self->model, pair);
}

int
lens_text_input_get_n_examples (LensTextInput *self)
{
  return self->examples->len;
}

gboolean
lens_text_input_build (LensTextInput *self, AttnInput *input, char ***storage, GError **error)
{
  g_autofree char *text = lens_text_input_get_text (self);
  g_autofree char *pair = lens_text_input_get_pair (self);
  GStrvBuilder *keep = g_strv_builder_new ();
  AttnModality modality;
  const char *rest;

  memset (input, 0, sizeof *input);
  *storage = NULL;
  if (self->model == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No model is loaded yet."));
      g_strv_builder_unref (keep);
      return FALSE;
    }

  modality = attn_model_get_modality (self->model);
  g_strv_builder_add (keep, text);
  g_strv_builder_add (keep, pair);
  *storage = g_strv_builder_end (keep);
  g_strv_builder_unref (keep);

  if (modality != ATTN_MODALITY_TEXT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("This model does not take text input."));
      return FALSE;
    }
  rest = text;
  while (g_ascii_isspace (*rest))   /* blank as the pair pane's g_strstrip() sees it */
    rest++;
  if (*rest == '\0')
    {
      /* the engine would run on special tokens alone: a result about nothing */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Type a text to run the model on first."));
      return FALSE;
    }
  input->text = (*storage)[0];
  if (attn_model_accepts_pair (self->model) && (*storage)[1][0])
    input->text_pair = (*storage)[1];
  return TRUE;
}
