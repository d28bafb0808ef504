/* lens-window-pairs.c — the window's input panes (text, sentence pair, audio): which
 * pane and pages show, their texts, the input of a run, and what is dropped on the
 * window (audio, a text file, or a model folder). */
#include "lens-window-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

static void
set_page_visible (LensWindow *self, GtkWidget *child, gboolean visible)
{
  AdwViewStackPage *page = adw_view_stack_get_page (self->stack, child);

  if (visible == adw_view_stack_page_get_visible (page))
    return;
  if (!visible && adw_view_stack_get_visible_child (self->stack) == child)
    adw_view_stack_set_visible_child_name (self->stack, "grid");
  adw_view_stack_page_set_visible (page, visible);
  if (visible && g_strcmp0 (self->wanted_view, adw_view_stack_page_get_name (page)) == 0)
    {
      g_autofree char *name = g_steal_pointer (&self->wanted_view);

      lens_window_set_view (self, name);
    }
}

void
lens_window_update_modality (LensWindow *self)
{
  AttnModality modality = self->model ? attn_model_get_modality (self->model) : ATTN_MODALITY_TEXT;
  gboolean pair = modality == ATTN_MODALITY_TRANSLATION;
  gboolean speech = modality == ATTN_MODALITY_SPEECH;

  gtk_widget_set_visible (GTK_WIDGET (self->input), !pair && !speech);
  gtk_widget_set_visible (GTK_WIDGET (self->pair_input), pair);
  gtk_widget_set_visible (GTK_WIDGET (self->audio_input), speech);
  if (pair)
    lens_pair_input_set_model (self->pair_input, self->model);
  if (speech)
    lens_audio_input_set_model (self->audio_input, self->model);
  /* the pages follow the result, so that the views match what is shown */
  set_page_visible (self, self->alignment_page, self->result && self->result->attention[ATTN_KIND_CROSS] &&
                                                self->result->mel == NULL);
  set_page_visible (self, self->speech_page, self->result && self->result->mel != NULL &&
                                             self->result->attention[ATTN_KIND_CROSS]);
}

gboolean
lens_window_build_input (LensWindow *self, AttnInput *input, AttnRunOptions *options, char ***storage, GError **error)
{
  switch (attn_model_get_modality (self->model))
    {
    case ATTN_MODALITY_TRANSLATION:
      return lens_pair_input_build (self->pair_input, input, options, storage, error);
    case ATTN_MODALITY_SPEECH:
      return lens_audio_input_build (self->audio_input, input, options, storage, error);
    case ATTN_MODALITY_TEXT:
    default:
      return lens_text_input_build (self->input, input, storage, error);
    }
}

gboolean
lens_window_input_too_long (LensWindow *self, int *n_tokens, int *max, gboolean *exact)
{
  switch (self->model ? attn_model_get_modality (self->model) : ATTN_MODALITY_SPEECH)
    {
    case ATTN_MODALITY_TEXT:
      return lens_text_input_is_too_long (self->input, n_tokens, max, exact);
    case ATTN_MODALITY_TRANSLATION:
      return lens_pair_input_is_too_long (self->pair_input, n_tokens, max, exact);
    default:
      return FALSE;
    }
}

gboolean
lens_window_shorten_input (LensWindow *self)
{
  if (self->model != NULL && attn_model_get_modality (self->model) == ATTN_MODALITY_TRANSLATION)
    return lens_pair_input_shorten (self->pair_input);
  return lens_text_input_shorten (self->input);
}

#define DROP_TEXT_MAX (4 << 20)

/* A file dropped while a text or translation model is loaded: a UTF-8 text becomes the
 * input (the source of a translation); anything else is refused with the reason. */
static gboolean
drop_text (LensWindow *self, const char *path)
{
  g_autofree char *base = g_filename_display_basename (path);
  g_autofree char *contents = NULL;
  g_autofree char *note = NULL;
  gsize len = 0;
  GStatBuf st;

  if (g_stat (path, &st) == 0 && st.st_size > DROP_TEXT_MAX)
    {
      note = g_strdup_printf (_("“%s” is too large to be a text for the model (more than 4 MB)"), base);
      lens_window_toast (self, note);
      return FALSE;
    }
  if (!g_file_get_contents (path, &contents, &len, NULL) || memchr (contents, '\0', len) != NULL ||
      !g_utf8_validate (contents, len, NULL))
    {
      note = g_strdup_printf (_("“%s” is not a UTF-8 text file. Audio goes to a speech model; a model folder "
                                "opens as a model."), base);
      lens_window_toast (self, note);
      return FALSE;
    }
  lens_window_set_text (self, contents);
  note = g_strdup_printf (_("The text of “%s” is the input"), base);
  lens_window_toast (self, note);
  return TRUE;
}

gboolean
lens_window_on_drop (GtkDropTarget *target, const GValue *value, double x, double y, LensWindow *self)
{
  GFile *file = g_value_get_object (value);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  if (path == NULL)
    return FALSE;
  /* a folder is a model to open, as with Open Model Folder… */
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      lens_window_load_model (self, path);
      return TRUE;
    }
  if (self->model && attn_model_get_modality (self->model) != ATTN_MODALITY_SPEECH)
    return drop_text (self, path);
  lens_window_set_audio (self, path);
  return TRUE;
}

LensAlignmentView *
lens_window_get_alignment_view (LensWindow *self)
{
  return self->alignment_view;
}

LensSpeechView *
lens_window_get_speech_view (LensWindow *self)
{
  return self->speech_view;
}

LensPairInput *
lens_window_get_pair_input (LensWindow *self)
{
  return self->pair_input;
}

LensAudioInput *
lens_window_get_audio_input (LensWindow *self)
{
  return self->audio_input;
}

guint
lens_window_get_runs_in_flight (LensWindow *self)
{
  return lens_worker_get_runs_in_flight (self->worker);
}

void
lens_window_set_text (LensWindow *self, const char *text)
{
  lens_text_input_set_text (self->input, text);
  lens_pair_input_set_source (self->pair_input, text);
}

char *
lens_window_get_text (LensWindow *self)
{
  AttnModel *model = lens_window_get_model (self);

  if (model != NULL && attn_model_get_modality (model) == ATTN_MODALITY_TRANSLATION)
    return lens_pair_input_get_source (self->pair_input);
  return lens_text_input_get_text (self->input);
}

void
lens_window_set_pair (LensWindow *self, const char *pair)
{
  lens_text_input_set_pair (self->input, pair);
  lens_pair_input_set_target (self->pair_input, pair);
}
