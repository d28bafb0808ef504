/* lens-window.c — the main window: loads and runs on the worker, shows the result. */
#include "lens-window.h"
#include "lens-window-private.h"

#include <glib/gi18n.h>

#include "lens-config.h"


G_DEFINE_FINAL_TYPE (LensWindow, lens_window, ADW_TYPE_APPLICATION_WINDOW)

static LensView *
view_at (LensWindow *self, guint i)
{
  LensView *views[] = {
    LENS_VIEW (self->grid_view), LENS_VIEW (self->head_view),
    LENS_VIEW (self->lines_view), LENS_VIEW (self->summary_view),
    LENS_VIEW (self->alignment_view), LENS_VIEW (self->speech_view),
  };

  return i < G_N_ELEMENTS (views) ? views[i] : NULL;
}

#define N_VIEWS 6

/* ---- messages ---- */

/* A message dialog over the window; what it says is kept as the last error. */
static AdwMessageDialog *
error_dialog_new (LensWindow *self, const char *heading, const char *body)
{
  g_free (self->last_error);
  self->last_error = g_strdup_printf ("%s: %s", heading, body);
  g_debug ("%s", self->last_error);
  return ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
}

void
lens_window_show_error (LensWindow *self, const char *heading, const char *body)
{
  AdwMessageDialog *dialog = error_dialog_new (self, heading, body);

  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

void
lens_window_toast (LensWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
set_busy (LensWindow *self, const char *what)
{
  gboolean busy = what != NULL;

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_label_set_text (self->progress_label, what ? what : "");
  gtk_widget_set_visible (self->cancel_button, busy && lens_worker_is_running (self->worker));
}

/* ---- status line ---- */

static char *
format_params (gint64 n)
{
  if (n >= 1000000000)
    return g_strdup_printf (_("%.1f B parameters"), n / 1e9);
  if (n >= 1000000)
    return g_strdup_printf (_("%.1f M parameters"), n / 1e6);
  if (n >= 1000)
    return g_strdup_printf (_("%.1f k parameters"), n / 1e3);
  /* under a thousand: an int, so the format is one xgettext can read */
  return g_strdup_printf (g_dngettext (NULL, "%d parameter", "%d parameters", (gulong) n), (int) n);
}

static void
update_status (LensWindow *self)
{
  GString *s = g_string_new (NULL);
  AttnModel *m = self->model;

  if (m == NULL)
    {
      gtk_label_set_text (self->status_label, _("No model loaded"));
      g_string_free (s, TRUE);
      return;
    }
  {
    g_autofree char *params = format_params (attn_model_get_n_params (m));

    g_string_append_printf (s, "%s · %s · %s", attn_model_get_name (m), attn_model_get_architecture (m), params);
  }
  if (attn_model_is_encoder_decoder (m))
    g_string_append_printf (s, _(" · encoder %d × %d, decoder %d × %d (layers × heads)"),
                            attn_model_get_n_layers (m), attn_model_get_n_heads (m),
                            attn_model_get_n_decoder_layers (m), attn_model_get_n_decoder_heads (m));
  else
    g_string_append_printf (s, _(" · %d layers × %d heads"), attn_model_get_n_layers (m), attn_model_get_n_heads (m));

  if (self->result)
    {
      g_string_append_printf (s, _(" · %.1f ms"), self->result->seconds * 1000.0);
      if (self->result->target.len > 0)
        g_string_append_printf (s, _(" · %u + %u tokens"), self->result->input.len, self->result->target.len);
      else
        g_string_append_printf (s, g_dngettext (NULL, " · %u token", " · %u tokens", self->result->input.len),
                                self->result->input.len);
    }
  gtk_label_set_text (self->status_label, s->str);
  g_string_free (s, TRUE);
}

static void
update_layer_head_label (LensWindow *self)
{
  g_autofree char *text = NULL;
  int step = lens_selection_get_step (self->selection);

  if (self->result == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->layer_head_label), "");
      return;
    }
  if (step >= 0)
    text = g_strdup_printf (_("Layer %d · Head %d · step %d"), lens_selection_get_layer (self->selection) + 1,
                            lens_selection_get_head (self->selection) + 1, step + 1);
  else
    text = g_strdup_printf (_("Layer %d · Head %d"), lens_selection_get_layer (self->selection) + 1,
                            lens_selection_get_head (self->selection) + 1);
  gtk_label_set_text (GTK_LABEL (self->layer_head_label), text);
}

/* The decoder/cross row of a decoder step: row prompt_len − 1 + step predicted
 * generated token `step` (attn-result.h); -1 when the recording lacks it. */
static int
lens_window_step_row (LensWindow *self, int step)
{
  const AttnWeights *w;
  int row;

  if (step < 0 || self->result == NULL)
    return -1;
  w = self->result->attention[ATTN_KIND_CROSS] ? self->result->attention[ATTN_KIND_CROSS]
                                               : self->result->attention[ATTN_KIND_DECODER];
  row = MAX (self->result->decoder_prompt_len, 1) - 1 + step;
  return w && row < w->queries ? row : -1;
}

/* ---- attention kind buttons ---- */

static void
on_kind_toggled (GtkToggleButton *button, LensWindow *self)
{
  if (gtk_toggle_button_get_active (button))
    lens_selection_set_kind (self->selection, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "kind")));
}

static void
update_kind_buttons (LensWindow *self)
{
  int shown = 0;

  for (int k = 0; k < ATTN_N_KINDS; k++)
    {
      gboolean has = self->result && self->result->attention[k] != NULL;

      gtk_widget_set_visible (self->kind_buttons[k], has);
      shown += has;
      g_signal_handlers_block_by_func (self->kind_buttons[k], on_kind_toggled, self);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->kind_buttons[k]),
                                    (int) lens_selection_get_kind (self->selection) == k);
      g_signal_handlers_unblock_by_func (self->kind_buttons[k], on_kind_toggled, self);
    }
  /* one kind needs no chooser */
  gtk_widget_set_visible (self->kind_box, shown > 1);
}

static void
on_selection_notify (LensSelection *sel, GParamSpec *pspec, LensWindow *self)
{
  if (g_str_equal (pspec->name, "kind"))
    {
      lens_selection_clamp (sel, self->result);
      update_kind_buttons (self);
    }
  if (g_str_equal (pspec->name, "step"))
    {
      AttnKind kind = lens_selection_get_kind (sel);
      int step = lens_selection_get_step (sel);

      /* a decoder step is a decoder query: the views highlight its row */
      if (step >= 0 && kind != ATTN_KIND_DECODER && kind != ATTN_KIND_CROSS && self->result &&
          self->result->attention[ATTN_KIND_CROSS])
        lens_selection_set_kind (sel, ATTN_KIND_CROSS);
      kind = lens_selection_get_kind (sel);
      if (kind == ATTN_KIND_DECODER || kind == ATTN_KIND_CROSS)
        lens_selection_set_query (sel, lens_window_step_row (self, step));
    }
  update_layer_head_label (self);
}

/* ---- loading and running ---- */

static void
on_model_loaded (gpointer owner, const char *dir, AttnModel *model, const GError *error)
{
  LensWindow *self = owner;

  g_clear_pointer (&self->loading_dir, g_free);
  set_busy (self, NULL);
  if (model == NULL)
    {
      const char *why = error ? error->message : _("Unknown error");
      g_autofree char *body = NULL;

      /* what the window still has: the model before, or none yet (a first start) */
      if (self->model != NULL)
        body = g_strdup_printf (_("%s\n\nThe folder needs config.json, model.safetensors and the "
                                  "tokenizer files of a BERT, GPT-2, Marian or Whisper checkpoint. "
                                  "The previous model stays loaded."), why);
      else
        body = g_strdup_printf (_("%s\n\nThe folder needs config.json, model.safetensors and the "
                                  "tokenizer files of a BERT, GPT-2, Marian or Whisper checkpoint. "
                                  "Choose a built-in model in the model menu, or open another folder."),
                                why);
      self->run_when_loaded = FALSE;
      lens_window_show_error (self, _("Could Not Open the Model"), body);
      return;
    }

  g_clear_pointer (&self->model, attn_model_unref);
  self->model = attn_model_ref (model);
  gtk_menu_button_set_label (self->model_button, attn_model_get_name (model));
  lens_text_input_set_model (self->input, model);
  lens_window_update_modality (self);
  lens_window_remember_folder (self, dir);
  update_status (self);
  g_debug ("Loaded the model in %s", dir);

  if (self->run_when_loaded)
    {
      self->run_when_loaded = FALSE;
      lens_window_run (self);
    }
}

void
lens_window_load_model (LensWindow *self, const char *dir)
{
  g_autofree char *base = NULL;
  g_autofree char *what = NULL;

  g_return_if_fail (LENS_IS_WINDOW (self));
  g_return_if_fail (dir != NULL);

  g_debug ("Loading the model in %s", dir);
  base = g_path_get_basename (dir);
  what = g_strdup_printf (_("Loading %s…"), base);
  g_free (self->loading_dir);
  self->loading_dir = g_strdup (dir);
  set_busy (self, what);
  lens_worker_load_model (self->worker, dir, on_model_loaded);
}

static void
set_result (LensWindow *self, AttnModel *model, AttnResult *result)
{
  if (model)
    attn_model_ref (model);
  g_clear_pointer (&self->result_model, attn_model_unref);
  self->result_model = model;
  attn_result_ref (result);
  g_clear_pointer (&self->result, attn_result_unref);
  self->result = result;

  lens_selection_clamp (self->selection, result);
  for (guint i = 0; i < N_VIEWS; i++)
    lens_view_set_result (view_at (self, i), result);
  lens_output_pane_set_result (self->output, model, result);
  lens_workbench_set_result (self->workbench, model, result);
  update_kind_buttons (self);
  update_layer_head_label (self);
  update_status (self);
  lens_speech_view_set_audio_path (self->speech_view, result->mel ? self->run_audio_path : NULL);
  lens_window_update_modality (self);
}

static void
on_run_progress (gpointer owner, double fraction, const char *what)
{
  LensWindow *self = owner;
  g_autofree char *text = g_strdup_printf ("%s %.0f %%", what ? what : _("Running"), 100.0 * fraction);

  gtk_label_set_text (self->progress_label, text);
}

static void
on_run_done (gpointer owner, AttnModel *model, AttnResult *result, const GError *error)
{
  LensWindow *self = owner;

  set_busy (self, NULL);
  if (result == NULL)
    {
      const char *why = error ? error->message : _("Unknown error");
      /* only promise what is there: a first run that fails has no result to keep */
      g_autofree char *body = self->result != NULL
                              ? g_strdup_printf (_("%s\n\nThe previous result stays on screen."), why)
                              : g_strdup (why);
      lens_window_show_error (self, _("The Run Failed"), body);
      return;
    }
  set_result (self, model, result);
}

static void
on_too_long_response (AdwMessageDialog *dialog, const char *response, LensWindow *self)
{
  if (g_strcmp0 (response, "shorten") != 0)
    return;
  if (lens_window_shorten_input (self))
    lens_window_run (self);
  else
    lens_window_show_error (self, _("The Text Is Too Long"),
                            _("The second text alone has more tokens than the model reads; shorten it."));
}

/* A text (or a source sentence) longer than the model reads: say so, and offer to keep
 * the words that fit. */
static gboolean
ask_to_shorten (LensWindow *self)
{
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;
  int n, max;
  gboolean exact = TRUE;

  if (!lens_window_input_too_long (self, &n, &max, &exact))
    return FALSE;
  body = g_strdup_printf (exact ? _("It has %d tokens, but %s reads at most %d. Keep the words that fit and run? "
                                    "Ctrl+Z in the text brings the rest back.")
                                : g_dngettext (NULL, "It has %d word, but %s reads at most %d tokens. Keep the "
                                               "words that fit and run? Ctrl+Z in the text brings the rest back.",
                                               "It has %d words, but %s reads at most %d tokens. Keep the "
                                               "words that fit and run? Ctrl+Z in the text brings the rest back.", n),
                          n, attn_model_get_name (self->model), max);
  dialog = error_dialog_new (self, _("The Text Is Too Long"), body);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "shorten", _("_Shorten and Run"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "shorten", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "shorten");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_too_long_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

void
lens_window_run (LensWindow *self)
{
  AttnInput input;
  AttnRunOptions options = ATTN_RUN_OPTIONS_INIT;
  g_auto(GStrv) storage = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LENS_IS_WINDOW (self));

  if (self->model == NULL || self->loading_dir != NULL)
    {
      /* a model is on its way: run when it is there */
      self->run_when_loaded = TRUE;
      if (self->model == NULL && self->loading_dir == NULL)
        lens_window_toast (self, _("Choose a model first"));
      return;
    }
  if (ask_to_shorten (self))
    return;
  if (!lens_window_build_input (self, &input, &options, &storage, &error))
    {
      lens_window_toast (self, error->message);
      return;
    }
  g_free (self->run_audio_path);
  self->run_audio_path = g_strdup (input.audio_path);
  lens_workbench_set_input (self->workbench, &input);
  lens_worker_run (self->worker, self->model, &input, &options, on_run_progress, on_run_done);
  set_busy (self, _("Running…"));
}

void
lens_window_cancel (LensWindow *self)
{
  g_return_if_fail (LENS_IS_WINDOW (self));

  if (!lens_worker_is_running (self->worker))
    return;
  lens_worker_cancel_run (self->worker);
  self->run_when_loaded = FALSE;
  set_busy (self, NULL);
  lens_window_toast (self, self->result != NULL ? _("Run cancelled: the previous result stays on screen")
                                                : _("Run cancelled"));
}

/* ---- other actions ---- */

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lens_window_cancel (LENS_WINDOW (widget));
}

static void
run_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lens_window_run (LENS_WINDOW (widget));
}

static void
load_model_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lens_window_load_model (LENS_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
show_view_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lens_window_set_view (LENS_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
on_visible_view_changed (LensWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->stack);

  gtk_widget_set_visible (self->lines_box, g_strcmp0 (name, "lines") == 0);
  /* the Alignment and Speech pages read cross-attention: the selection follows */
  if ((g_strcmp0 (name, "alignment") == 0 || g_strcmp0 (name, "speech") == 0) &&
      self->result && self->result->attention[ATTN_KIND_CROSS])
    lens_selection_set_kind (self->selection, ATTN_KIND_CROSS);
}

static void
on_presentation_changed (LensWindow *self)
{
  if (lens_view_options_get_presentation_mode (self->options))
    gtk_widget_add_css_class (GTK_WIDGET (self), "presentation");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "presentation");
}

/* ---- class ---- */

/* The window comes back at the size it was closed at (its unmaximized size, which GTK
 * keeps as the default size while it is maximized), maximized if it was, with its
 * input pane as wide as it was. */
static void
restore_window_state (LensWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  /* the divider between the input pane and the views stays where it was left */
  g_settings_bind (self->settings, "input-pane-width", self->paned, "position", G_SETTINGS_BIND_DEFAULT);
}

static gboolean
lens_window_close_request (GtkWindow *window)
{
  LensWindow *self = LENS_WINDOW (window);
  int width = 0, height = 0;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  if (width >= 360 && height >= 360)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);
  if (GTK_WINDOW_CLASS (lens_window_parent_class)->close_request)
    return GTK_WINDOW_CLASS (lens_window_parent_class)->close_request (window);
  return FALSE;
}

static void
lens_window_dispose (GObject *object)
{
  LensWindow *self = LENS_WINDOW (object);

  if (self->worker)
    lens_worker_cancel (self->worker);
  g_clear_object (&self->worker);
  if (self->selection)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LENS_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->options);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->model, attn_model_unref);
  g_clear_pointer (&self->result_model, attn_model_unref);
  g_clear_pointer (&self->result, attn_result_unref);
  g_clear_pointer (&self->loading_dir, g_free);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->run_audio_path, g_free);
  g_clear_pointer (&self->wanted_view, g_free);
  G_OBJECT_CLASS (lens_window_parent_class)->dispose (object);
}

static void
lens_window_class_init (LensWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_window_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = lens_window_close_request;

  g_type_ensure (LENS_TYPE_TEXT_INPUT);
  g_type_ensure (LENS_TYPE_OUTPUT_PANE);
  g_type_ensure (LENS_TYPE_GRID_VIEW);
  g_type_ensure (LENS_TYPE_HEAD_VIEW);
  g_type_ensure (LENS_TYPE_LINES_VIEW);
  g_type_ensure (LENS_TYPE_SUMMARY_VIEW);
  g_type_ensure (LENS_TYPE_PAIR_INPUT);
  g_type_ensure (LENS_TYPE_AUDIO_INPUT);
  g_type_ensure (LENS_TYPE_ALIGNMENT_VIEW);
  g_type_ensure (LENS_TYPE_SPEECH_VIEW);
  g_type_ensure (LENS_TYPE_WORKBENCH);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/attentionlens/AttentionLens/lens-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LensWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, model_button);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, kind_box);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, layer_head_label);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, lines_box);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, lines_heads);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, input);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, output);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, grid_view);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, head_view);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, lines_view);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, summary_view);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, workbench);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, pair_input);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, audio_input);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, alignment_page);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, alignment_view);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, speech_page);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, speech_view);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, cancel_button);

  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, lens_window_open_model_action);
  gtk_widget_class_install_action (widget_class, "win.load-model", "s", load_model_action);
  gtk_widget_class_install_action (widget_class, "win.clear-recent", NULL, lens_window_clear_recent_action);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.export", "s", lens_window_export_action);
  gtk_widget_class_install_action (widget_class, "win.copy-image", NULL, lens_window_copy_image_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-image", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-view", "s", "grid");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-view", "s", "head");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-view", "s", "lines");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.show-view", "s", "summary");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK, "win.show-view", "s", "alignment");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_6, GDK_ALT_MASK, "win.show-view", "s", "speech");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_7, GDK_ALT_MASK, "win.show-view", "s", "teach");
}

static void
lens_window_init (LensWindow *self)
{
  static const char *kind_labels[ATTN_N_KINDS] = {
    N_("Encoder"), N_("Decoder"), N_("Cross"), N_("Self"),
  };
  GtkWidget *group = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Ctrl+Enter runs even while the text view has the focus: caught before it */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                            gtk_named_action_new ("win.run")));
    gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  }

  self->settings = g_settings_new (APPLICATION_ID);
  restore_window_state (self);
  self->selection = lens_selection_new ();
  self->options = lens_view_options_new ();
  self->worker = lens_worker_new (self);

  g_settings_bind (self->settings, "colour-map", self->options, "colour-map", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "scale", self->options, "scale", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "hide-special-tokens", self->options, "hide-special-tokens", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "presentation-mode", self->options, "presentation-mode", G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->options, "notify::presentation-mode",
                           G_CALLBACK (on_presentation_changed), self, G_CONNECT_SWAPPED);
  on_presentation_changed (self);

  for (guint i = 0; i < N_VIEWS; i++)
    {
      lens_view_set_selection (view_at (self, i), self->selection);
      lens_view_set_options (view_at (self, i), self->options);
    }
  lens_output_pane_set_selection (self->output, self->selection);
  lens_workbench_set_selection (self->workbench, self->selection);
  lens_workbench_set_options (self->workbench, self->options);
  g_signal_connect_object (self->selection, "notify", G_CALLBACK (on_selection_notify), self, 0);

  for (int k = 0; k < ATTN_N_KINDS; k++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (_(kind_labels[k]));

      gtk_widget_set_tooltip_text (button, lens_kind_title (k));
      g_object_set_data (G_OBJECT (button), "kind", GINT_TO_POINTER (k));
      if (group)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), GTK_TOGGLE_BUTTON (group));
      else
        group = button;
      g_signal_connect (button, "toggled", G_CALLBACK (on_kind_toggled), self);
      gtk_box_append (GTK_BOX (self->kind_box), button);
      self->kind_buttons[k] = button;
    }
  update_kind_buttons (self);

  g_object_bind_property (self->lines_heads, "value", self->lines_view, "n-heads",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (on_visible_view_changed),
                           self, G_CONNECT_SWAPPED);
  on_visible_view_changed (self);

  /* sentence pairs and audio: bars above their views; audio or a model folder dropped on the window */
  gtk_box_prepend (GTK_BOX (self->alignment_page), lens_alignment_view_create_controls (self->alignment_view));
  g_object_set_data (G_OBJECT (self->alignment_page), "lens-view", self->alignment_view);
  gtk_box_prepend (GTK_BOX (self->speech_page), lens_speech_view_create_controls (self->speech_view));
  g_object_set_data (G_OBJECT (self->speech_page), "lens-view", self->speech_view);
  {
    GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);

    g_signal_connect (drop, "drop", G_CALLBACK (lens_window_on_drop), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  }

  lens_window_rebuild_model_menu (self);
  update_status (self);
}

LensWindow *
lens_window_new (GtkApplication *application)
{
  return g_object_new (LENS_TYPE_WINDOW, "application", application, NULL);
}

/* the text is the source of a translation model, the pair its target */
void
lens_window_set_audio (LensWindow *self, const char *path)
{
  lens_audio_input_set_path (self->audio_input, path);
}

gboolean
lens_window_set_view (LensWindow *self, const char *name)
{
  GtkWidget *child;

  /* the workbench's sections by their own names */
  if (name && lens_workbench_show_section (self->workbench, name))
    name = "teach";
  if (name == NULL || (child = adw_view_stack_get_child_by_name (self->stack, name)) == NULL)
    return FALSE;
  if (!adw_view_stack_page_get_visible (adw_view_stack_get_page (self->stack, child)))
    {
      /* the page shows with a result that has it (the Alignment, Speech pages) */
      if (name != self->wanted_view)
        {
          g_free (self->wanted_view);
          self->wanted_view = g_strdup (name);
        }
      return TRUE;
    }
  adw_view_stack_set_visible_child_name (self->stack, name);
  if (name != self->wanted_view)   /* name may be it */
    g_clear_pointer (&self->wanted_view, g_free);
  if (g_str_equal (name, "head"))
    gtk_widget_grab_focus (GTK_WIDGET (self->head_view));
  return TRUE;
}

AttnModel *
lens_window_get_model (LensWindow *self)
{
  return self->model;
}

AttnResult *
lens_window_get_result (LensWindow *self)
{
  return self->result;
}

LensSelection *
lens_window_get_selection (LensWindow *self)
{
  return self->selection;
}

LensGridView *
lens_window_get_grid_view (LensWindow *self)
{
  return self->grid_view;
}

LensOutputPane *
lens_window_get_output_pane (LensWindow *self)
{
  return self->output;
}

gboolean
lens_window_is_busy (LensWindow *self)
{
  return lens_worker_is_running (self->worker) || lens_worker_is_loading (self->worker);
}

const char *
lens_window_get_last_error (LensWindow *self)
{
  return self->last_error;
}

LensWorkbench *
lens_window_get_workbench (LensWindow *self)
{
  return self->workbench;
}
