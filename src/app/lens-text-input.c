/* lens-text-input.c — multi-line text, a second text, examples, token counter, audio file. */
#include "lens-text-input.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

typedef struct {
  char *text;     /* or the source */
  char *pair;     /* the second text or the target, or NULL */
  char *audio;    /* an audio file, absolute */
} Example;

struct _LensTextInput
{
  GtkBox      parent_instance;
  GtkWidget  *examples_button;
  GtkWidget  *text_scroller;
  GtkWidget  *text_view;
  GtkWidget  *pair_entry;
  GtkWidget  *audio_box;
  GtkWidget  *audio_label;
  GtkWidget  *counter;
  AttnModel  *model;
  GArray     *examples;     /* Example */
  char       *audio_path;
  guint       count_source;
};

G_DEFINE_FINAL_TYPE (LensTextInput, lens_text_input, GTK_TYPE_BOX)

static void
example_clear (gpointer data)
{
  Example *e = data;

  g_free (e->text);
  g_free (e->pair);
  g_free (e->audio);
}

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
  g_autofree char *label = NULL;
  g_autoptr(GError) error = NULL;
  int n, max;

  self->count_source = 0;
  if (self->model == NULL || attn_model_get_modality (self->model) == ATTN_MODALITY_SPEECH)
    {
      gtk_label_set_text (GTK_LABEL (self->counter), "");
      return G_SOURCE_REMOVE;
    }

  text = buffer_text (GTK_TEXT_VIEW (self->text_view));
  if (attn_model_accepts_pair (self->model))
    pair = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pair_entry)));
  n = attn_model_count_tokens (self->model, text, pair && *pair ? pair : NULL, &error);
  max = attn_model_get_max_positions (self->model);
  if (n < 0)
    label = g_strdup_printf (_("Cannot count tokens: %s"), error ? error->message : "?");
  else
    label = g_strdup_printf (g_dngettext (NULL, "%d / %d token", "%d / %d tokens", n), n, max);
  gtk_label_set_text (GTK_LABEL (self->counter), label);
  if (n > max)
    gtk_widget_add_css_class (self->counter, "error");
  else
    gtk_widget_remove_css_class (self->counter, "error");
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
add_example (LensTextInput *self, const char *text, const char *pair, const char *audio)
{
  Example e = { g_strdup (text), g_strdup (pair), g_strdup (audio) };

  g_array_append_val (self->examples, e);
}

static void
load_examples (LensTextInput *self)
{
  const char *dir = attn_model_get_dir (self->model);
  g_autofree char *path = g_build_filename (dir, "examples.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  AttnModality modality = attn_model_get_modality (self->model);
  JsonNode *root;

  g_array_set_size (self->examples, 0);

  if (json_parser_load_from_file (parser, path, NULL) &&
      (root = json_parser_get_root (parser)) && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *list = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *node = json_array_get_element (list, i);
          JsonObject *o;
          const char *text, *pair, *audio;
          g_autofree char *audio_path = NULL;

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            {
              add_example (self, json_node_get_string (node), NULL, NULL);
              continue;
            }
          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          o = json_node_get_object (node);
          text = json_object_get_string_member_with_default (o, "text",
                   json_object_get_string_member_with_default (o, "source", NULL));
          pair = json_object_get_string_member_with_default (o, "target",
                   json_object_get_string_member_with_default (o, "text_pair",
                     json_object_get_string_member_with_default (o, "pair", NULL)));
          audio = json_object_get_string_member_with_default (o, "audio", NULL);
          if (audio)
            audio_path = g_path_is_absolute (audio) ? g_strdup (audio) : g_build_filename (dir, audio, NULL);
          if (text || audio_path)
            add_example (self, text, pair, audio_path);
        }
    }

  if (self->examples->len > 0)
    return;

  /* no examples.json: a few that suit the modality */
  if (modality == ATTN_MODALITY_SPEECH)
    {
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;

      while (d && (name = g_dir_read_name (d)))
        if (g_str_has_suffix (name, ".wav") || g_str_has_suffix (name, ".flac") || g_str_has_suffix (name, ".ogg"))
          {
            g_autofree char *p = g_build_filename (dir, name, NULL);
            add_example (self, NULL, NULL, p);
          }
    }
  else if (modality == ATTN_MODALITY_TRANSLATION)
    {
      add_example (self, "The cat sat on the mat.", NULL, NULL);
      add_example (self, "Attention is all you need.", NULL, NULL);
    }
  else
    {
      add_example (self, "The animal didn't cross the street because it was too tired.", NULL, NULL);
      add_example (self, "Attention is all you need!", NULL, NULL);
      add_example (self, "The trophy didn't fit in the suitcase because it was too big.", NULL, NULL);
    }
}

static void
rebuild_examples_menu (LensTextInput *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();

  for (guint i = 0; i < self->examples->len; i++)
    {
      Example *e = &g_array_index (self->examples, Example, i);
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;
      const char *shown = e->text ? e->text : e->audio;

      if (e->text == NULL && e->audio)
        shown = strrchr (e->audio, G_DIR_SEPARATOR) ? strrchr (e->audio, G_DIR_SEPARATOR) + 1 : e->audio;
      label = g_utf8_strlen (shown, -1) > 48
              ? g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (shown, 47) - shown), shown)
              : g_strdup (shown);
      if (e->pair)
        {
          char *with = g_strdup_printf ("%s  ⇄  %s", label, e->pair);
          g_free (label);
          label = with;
        }
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "input.example", "u", i);
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->examples_button), G_MENU_MODEL (menu));
  gtk_widget_set_sensitive (self->examples_button, self->examples->len > 0);
}

static void
example_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensTextInput *self = LENS_TEXT_INPUT (widget);
  guint i = g_variant_get_uint32 (param);
  Example *e;

  if (i >= self->examples->len)
    return;
  e = &g_array_index (self->examples, Example, i);
  if (e->text)
    lens_text_input_set_text (self, e->text);
  lens_text_input_set_pair (self, e->pair ? e->pair : "");
  if (e->audio)
    lens_text_input_set_audio_path (self, e->audio);
}

/* ---- audio ---- */

static void
on_audio_response (GtkNativeDialog *dialog, int response, LensTextInput *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      lens_text_input_set_audio_path (self, path);
    }
  g_object_unref (dialog);
}

static void
choose_audio_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensTextInput *self = LENS_TEXT_INPUT (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Open Audio File"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Audio files"));
  gtk_file_filter_add_mime_type (filter, "audio/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_audio_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
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

  g_array_unref (self->examples);
  g_free (self->audio_path);
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
  gtk_widget_class_install_action (widget_class, "input.choose-audio", NULL, choose_audio_action);
  gtk_widget_class_set_css_name (widget_class, "lens-text-input");
}

static void
lens_text_input_init (LensTextInput *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Input"));
  GtkWidget *audio_button;

  self->examples = g_array_new (FALSE, TRUE, sizeof (Example));
  g_array_set_clear_func (self->examples, example_clear);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  self->examples_button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->examples_button), _("Examples"));
  gtk_widget_set_tooltip_text (self->examples_button, _("Fill in an example input"));
  gtk_widget_add_css_class (self->examples_button, "flat");
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

  self->audio_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  audio_button = gtk_button_new_with_mnemonic (_("Choose _Audio File…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (audio_button), "input.choose-audio");
  self->audio_label = gtk_label_new (_("No audio file"));
  gtk_label_set_ellipsize (GTK_LABEL (self->audio_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (self->audio_label, "dim-label");
  gtk_box_append (GTK_BOX (self->audio_box), audio_button);
  gtk_box_append (GTK_BOX (self->audio_box), self->audio_label);
  gtk_widget_set_visible (self->audio_box, FALSE);
  gtk_box_append (GTK_BOX (self), self->audio_box);

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
  gtk_widget_set_visible (self->text_scroller, modality != ATTN_MODALITY_SPEECH);
  gtk_widget_set_visible (self->audio_box, modality == ATTN_MODALITY_SPEECH);
  gtk_widget_set_visible (self->pair_entry,
                          modality == ATTN_MODALITY_TRANSLATION || attn_model_accepts_pair (model));
  if (modality == ATTN_MODALITY_TRANSLATION)
    gtk_entry_set_placeholder_text (GTK_ENTRY (self->pair_entry),
                                    _("Translation to align (optional: empty lets the model translate)"));
  else
    gtk_entry_set_placeholder_text (GTK_ENTRY (self->pair_entry), _("Second sentence (optional)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pair_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  modality == ATTN_MODALITY_TRANSLATION ? _("Target text") : _("Second text"), -1);

  load_examples (self);
  rebuild_examples_menu (self);
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

const char *
lens_text_input_get_audio_path (LensTextInput *self)
{
  return self->audio_path;
}

void
lens_text_input_set_audio_path (LensTextInput *self, const char *path)
{
  g_autofree char *base = path ? g_path_get_basename (path) : NULL;

  g_free (self->audio_path);
  self->audio_path = g_strdup (path);
  gtk_label_set_text (GTK_LABEL (self->audio_label), base ? base : _("No audio file"));
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
  g_strv_builder_add (keep, self->audio_path ? self->audio_path : "");
  *storage = g_strv_builder_end (keep);
  g_strv_builder_unref (keep);

  switch (modality)
    {
    case ATTN_MODALITY_SPEECH:
      if (self->audio_path == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Choose an audio file for this speech model first."));
          return FALSE;
        }
      input->audio_path = (*storage)[2];
      break;
    case ATTN_MODALITY_TRANSLATION:
      input->source = (*storage)[0];
      input->target = (*storage)[1][0] ? (*storage)[1] : NULL;
      break;
    case ATTN_MODALITY_TEXT:
    default:
      input->text = (*storage)[0];
      if (attn_model_accepts_pair (self->model) && (*storage)[1][0])
        input->text_pair = (*storage)[1];
      break;
    }
  return TRUE;
}
