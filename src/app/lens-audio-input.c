/* lens-audio-input.c — open or drop an audio file; waveform, duration, play and stop. */
#include "lens-audio-input.h"
#include "lens-decode-choice.h"
#include "lens-examples.h"

#include <glib/gi18n.h>
#include <math.h>

#include "attn-audio.h"

#define N_PEAKS 2048

struct _LensAudioInput
{
  GtkBox          parent_instance;
  GtkWidget      *examples_button;
  GtkWidget      *waveform;
  GtkWidget      *info;
  GtkWidget      *play;
  GtkWidget      *decode;        /* LensDecodeChoice */
  AttnModel      *model;
  GPtrArray      *examples;      /* absolute paths */
  char           *path;
  char           *error;
  GCancellable   *cancellable;   /* the decode in flight */
  float          *peaks;         /* [N_PEAKS, 2] min, max */
  int             n_peaks;
  double          duration;
  GtkMediaStream *media;
};

G_DEFINE_FINAL_TYPE (LensAudioInput, lens_audio_input, GTK_TYPE_BOX)

/* ---- waveform ---- */

typedef struct {
  float  *peaks;
  int     n_peaks;
  double  duration;
  int     rate, channels;
} Decoded;

static void
decoded_free (gpointer data)
{
  Decoded *d = data;

  g_free (d->peaks);
  g_free (d);
}

static void
decode_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  g_autoptr(AttnAudio) audio = attn_audio_load (path, cancellable, &error);
  Decoded *d;
  gsize per;

  if (audio == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  d = g_new0 (Decoded, 1);
  d->n_peaks = (int) MIN ((gsize) N_PEAKS, MAX (audio->n_samples, 1));
  d->peaks = g_new0 (float, 2 * d->n_peaks);
  d->duration = audio->n_samples / (double) ATTN_SAMPLE_RATE;
  d->rate = audio->source_rate;
  d->channels = audio->source_channels;
  per = MAX (audio->n_samples / d->n_peaks, 1);
  for (int p = 0; p < d->n_peaks; p++)
    {
      gsize a = p * per, b = p == d->n_peaks - 1 ? audio->n_samples : MIN ((p + 1) * per, audio->n_samples);
      float lo = 0, hi = 0;

      for (gsize i = a; i < b; i++)
        {
          lo = MIN (lo, audio->samples[i]);
          hi = MAX (hi, audio->samples[i]);
        }
      d->peaks[2 * p] = lo;
      d->peaks[2 * p + 1] = hi;
    }
  g_task_return_pointer (task, d, decoded_free);
}

static char *
format_duration (double s)
{
  if (s >= 60)
    return g_strdup_printf ("%d:%04.1f", (int) (s / 60), fmod (s, 60));
  return g_strdup_printf (_("%.1f s"), s);
}

static void
decode_done (GObject *object, GAsyncResult *res, gpointer user_data)
{
  LensAudioInput *self = LENS_AUDIO_INPUT (object);
  g_autoptr(GError) error = NULL;
  Decoded *d = g_task_propagate_pointer (G_TASK (res), &error);
  g_autofree char *base = NULL;
  g_autofree char *dur = NULL;
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* another file replaced it */
  g_clear_object (&self->cancellable);
  base = g_path_get_basename (self->path);
  if (d == NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      text = g_strdup_printf (_("%s: %s"), base, error->message);
      gtk_label_set_text (GTK_LABEL (self->info), text);
      gtk_widget_add_css_class (self->info, "error");
      gtk_widget_queue_draw (self->waveform);
      return;
    }
  g_free (self->peaks);
  self->peaks = g_steal_pointer (&d->peaks);
  self->n_peaks = d->n_peaks;
  self->duration = d->duration;
  dur = format_duration (d->duration);
  text = g_strdup_printf (g_dngettext (NULL, "%s · %s · %d Hz, %d channel", "%s · %s · %d Hz, %d channels",
                                       d->channels),
                          base, dur, d->rate, d->channels);
  gtk_label_set_text (GTK_LABEL (self->info), text);
  gtk_widget_set_tooltip_text (self->info, self->path);
  gtk_widget_queue_draw (self->waveform);
  decoded_free (d);
}

void
lens_waveform_draw (cairo_t *cr, const float *peaks, int n, double width, double height, const double rgba[4])
{
  double mid = height / 2;

  cairo_save (cr);
  cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], rgba[3] * 0.35);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, 0, floor (mid) + 0.5);
  cairo_line_to (cr, width, floor (mid) + 0.5);
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], rgba[3]);
  for (int x = 0; n > 0 && x < (int) width; x++)
    {
      int a = (int) ((double) x / width * n), b = MAX ((int) ((double) (x + 1) / width * n), a + 1);
      float lo = 0, hi = 0;

      for (int p = a; p < b && p < n; p++)
        {
          lo = MIN (lo, peaks[2 * p]);
          hi = MAX (hi, peaks[2 * p + 1]);
        }
      cairo_rectangle (cr, x, mid - hi * mid, 1, MAX ((hi - lo) * mid, 1));
    }
  cairo_fill (cr);
  cairo_restore (cr);
}

static void
draw_waveform (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LensAudioInput *self = data;
  GdkRGBA fg;
  double rgba[4];

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  rgba[0] = fg.red; rgba[1] = fg.green; rgba[2] = fg.blue; rgba[3] = fg.alpha * 0.8;
  if (self->peaks == NULL)
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (area),
                                                            self->cancellable ? _("Reading the audio…")
                                                            : _("Open or drop an audio file"));
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.55);
      cairo_move_to (cr, (width - w) / 2.0, (height - h) / 2.0);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
      return;
    }
  lens_waveform_draw (cr, self->peaks, self->n_peaks, width, height, rgba);
}

/* ---- playing ---- */

static void
stop_span (GtkMediaStream *stream)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (stream), "lens-span-end"));

  if (id)
    g_source_remove (id);
  g_object_set_data (G_OBJECT (stream), "lens-span-end", NULL);
}

static gboolean
span_end (gpointer data)
{
  GtkMediaStream *stream = data;

  g_object_set_data (G_OBJECT (stream), "lens-span-end", NULL);
  gtk_media_stream_pause (stream);
  return G_SOURCE_REMOVE;
}

void
lens_media_play_span (GtkMediaStream *stream, double start, double end)
{
  guint id;

  g_return_if_fail (GTK_IS_MEDIA_STREAM (stream));
  stop_span (stream);
  if (gtk_media_stream_is_seekable (stream))
    gtk_media_stream_seek (stream, (gint64) (MAX (start, 0) * G_USEC_PER_SEC));
  gtk_media_stream_play (stream);
  if (end > start)
    {
      id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) ((end - start) * 1000), span_end,
                               g_object_ref (stream), g_object_unref);
      g_object_set_data (G_OBJECT (stream), "lens-span-end", GUINT_TO_POINTER (id));
    }
}

static void
on_playing (LensAudioInput *self)
{
  gboolean playing = self->media && gtk_media_stream_get_playing (self->media);

  gtk_button_set_icon_name (GTK_BUTTON (self->play),
                            playing ? "media-playback-stop-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (self->play, playing ? _("Stop") : _("Play the audio"));
}

static void
play_clicked (LensAudioInput *self)
{
  const GError *error;

  if (self->media == NULL)
    return;
  if ((error = gtk_media_stream_get_error (self->media)))
    {
      gtk_widget_set_tooltip_text (self->play, error->message);
      return;
    }
  if (gtk_media_stream_get_playing (self->media))
    {
      stop_span (self->media);
      gtk_media_stream_pause (self->media);
      if (gtk_media_stream_is_seekable (self->media))
        gtk_media_stream_seek (self->media, 0);
    }
  else
    gtk_media_stream_play (self->media);
}

/* ---- choosing files ---- */

static void
on_open_response (GtkNativeDialog *dialog, int response, LensAudioInput *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path)
        lens_audio_input_set_path (self, path);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
open_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  static const char *patterns[] = { "*.wav", "*.flac", "*.ogg", "*.oga", "*.opus", "*.mp3", "*.aiff", "*.aif",
                                    "*.au", "*.caf", "*.w64", "*.rf64" };
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  GtkFileFilter *audio = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Open Audio File"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (audio, _("Audio files"));
  gtk_file_filter_add_mime_type (audio, "audio/*");
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    gtk_file_filter_add_pattern (audio, patterns[i]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), audio);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  g_object_unref (audio);
  g_object_unref (all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
example_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensAudioInput *self = LENS_AUDIO_INPUT (widget);
  guint i = g_variant_get_uint32 (param);

  if (i < self->examples->len)
    lens_audio_input_set_path (self, self->examples->pdata[i]);
}

static void
load_examples (LensAudioInput *self)
{
  static const char *const audio_keys[] = { "audio", NULL };
  const char *dir = attn_model_get_dir (self->model);
  g_autoptr(GPtrArray) found = lens_examples_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_set_size (self->examples, 0);
  lens_examples_load (found, dir, FALSE, audio_keys, NULL);
  for (guint i = 0; i < found->len; i++)
    {
      const char *audio = ((LensExample *) found->pdata[i])->first;

      g_ptr_array_add (self->examples, g_path_is_absolute (audio) ? g_strdup (audio)
                                                                  : g_build_filename (dir, audio, NULL));
    }
  if (self->examples->len == 0)
    {
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;

      while (d && (name = g_dir_read_name (d)))
        if (g_str_has_suffix (name, ".wav") || g_str_has_suffix (name, ".flac") || g_str_has_suffix (name, ".ogg"))
          g_ptr_array_add (self->examples, g_build_filename (dir, name, NULL));
    }
  for (guint i = 0; i < self->examples->len; i++)
    g_ptr_array_add (labels, g_path_get_basename (self->examples->pdata[i]));
  lens_examples_set_menu (self->examples_button, (const char *const *) labels->pdata, labels->len, "audio.example");
}

/* ---- class ---- */

static void
lens_audio_input_dispose (GObject *object)
{
  LensAudioInput *self = LENS_AUDIO_INPUT (object);
  GtkWidget *child;

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->media)
    {
      stop_span (self->media);
      g_signal_handlers_disconnect_by_data (self->media, self);
    }
  g_clear_object (&self->media);
  g_clear_pointer (&self->model, attn_model_unref);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_box_remove (GTK_BOX (self), child);
  G_OBJECT_CLASS (lens_audio_input_parent_class)->dispose (object);
}

static void
lens_audio_input_finalize (GObject *object)
{
  LensAudioInput *self = LENS_AUDIO_INPUT (object);

  g_ptr_array_unref (self->examples);
  g_free (self->path);
  g_free (self->error);
  g_free (self->peaks);
  G_OBJECT_CLASS (lens_audio_input_parent_class)->finalize (object);
}

static void
lens_audio_input_class_init (LensAudioInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_audio_input_dispose;
  object_class->finalize = lens_audio_input_finalize;
  gtk_widget_class_install_action (widget_class, "audio.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "audio.example", "u", example_action);
  gtk_widget_class_set_css_name (widget_class, "lens-audio-input");
}

static void
lens_audio_input_init (LensAudioInput *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Audio"));
  GtkWidget *open = gtk_button_new_with_mnemonic (_("_Open…"));
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *frame = gtk_frame_new (NULL);

  self->examples = g_ptr_array_new_with_free_func (g_free);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  self->examples_button = lens_examples_button_new (_("Open an example recording"));
  gtk_box_append (GTK_BOX (header), self->examples_button);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "audio.open");
  gtk_widget_set_tooltip_text (open, _("Open any audio file libsndfile reads (WAV, FLAC, Ogg, MP3 …), "
                                       "or drop one onto the window"));
  gtk_box_append (GTK_BOX (header), open);
  gtk_box_append (GTK_BOX (self), header);

  self->waveform = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->waveform), 72);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->waveform), draw_waveform, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->waveform), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Waveform of the audio"), -1);
  gtk_frame_set_child (GTK_FRAME (frame), self->waveform);
  gtk_box_append (GTK_BOX (self), frame);

  self->play = gtk_button_new_from_icon_name ("media-playback-start-symbolic");
  gtk_widget_set_sensitive (self->play, FALSE);
  g_signal_connect_swapped (self->play, "clicked", G_CALLBACK (play_clicked), self);
  gtk_box_append (GTK_BOX (row), self->play);
  self->info = gtk_label_new (_("No audio file"));
  gtk_label_set_xalign (GTK_LABEL (self->info), 0.0);
  gtk_label_set_wrap (GTK_LABEL (self->info), TRUE);
  gtk_widget_set_hexpand (self->info, TRUE);
  gtk_widget_add_css_class (self->info, "dim-label");
  gtk_box_append (GTK_BOX (row), self->info);
  gtk_box_append (GTK_BOX (self), row);
  self->decode = lens_decode_choice_new (_("How the model transcribes the audio"));
  gtk_box_append (GTK_BOX (self), self->decode);
  on_playing (self);
}

GtkWidget *
lens_audio_input_new (void)
{
  return g_object_new (LENS_TYPE_AUDIO_INPUT, NULL);
}

void
lens_audio_input_set_model (LensAudioInput *self, AttnModel *model)
{
  g_return_if_fail (LENS_IS_AUDIO_INPUT (self));
  if (model == self->model)
    return;
  if (model)
    attn_model_ref (model);
  g_clear_pointer (&self->model, attn_model_unref);
  self->model = model;
  lens_decode_choice_set_model (LENS_DECODE_CHOICE (self->decode), model);
  if (model)
    load_examples (self);
}

void
lens_audio_input_set_path (LensAudioInput *self, const char *path)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) file = NULL;

  g_return_if_fail (LENS_IS_AUDIO_INPUT (self));
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->media)
    {
      stop_span (self->media);
      gtk_media_stream_pause (self->media);
      g_signal_handlers_disconnect_by_data (self->media, self);
    }
  g_clear_object (&self->media);
  g_clear_pointer (&self->peaks, g_free);
  g_clear_pointer (&self->error, g_free);
  self->n_peaks = 0;
  self->duration = 0;
  g_free (self->path);
  self->path = g_strdup (path);
  gtk_widget_remove_css_class (self->info, "error");
  gtk_widget_set_sensitive (self->play, path != NULL);
  on_playing (self);
  if (path == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->info), _("No audio file"));
      gtk_widget_queue_draw (self->waveform);
      return;
    }
  gtk_label_set_text (GTK_LABEL (self->info), _("Reading the audio…"));

  file = g_file_new_for_path (path);
  self->media = gtk_media_file_new_for_file (file);
  g_signal_connect_swapped (self->media, "notify::playing", G_CALLBACK (on_playing), self);

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, decode_done, NULL);
  g_task_set_source_tag (task, lens_audio_input_set_path);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, decode_thread);
  gtk_widget_queue_draw (self->waveform);
}

const char *
lens_audio_input_get_path (LensAudioInput *self)
{
  return self->path;
}

gboolean
lens_audio_input_is_loading (LensAudioInput *self)
{
  return self->cancellable != NULL;
}

double
lens_audio_input_get_duration (LensAudioInput *self)
{
  return self->duration;
}

const char *
lens_audio_input_get_error (LensAudioInput *self)
{
  return self->error;
}

int
lens_audio_input_get_n_examples (LensAudioInput *self)
{
  return self->examples->len;
}

int
lens_audio_input_get_beam_size (LensAudioInput *self)
{
  return lens_decode_choice_get_beam_size (LENS_DECODE_CHOICE (self->decode));
}

void
lens_audio_input_set_beam_size (LensAudioInput *self, int beam_size)
{
  lens_decode_choice_set_beam_size (LENS_DECODE_CHOICE (self->decode), beam_size);
}

gboolean
lens_audio_input_build (LensAudioInput *self, AttnInput *input, AttnRunOptions *options,
                        char ***storage, GError **error)
{
  const char *strv[2] = { self->path, NULL };

  memset (input, 0, sizeof *input);
  *storage = NULL;
  if (self->path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Open an audio file for this speech model first, or drop one onto the window."));
      return FALSE;
    }
  *storage = g_strdupv ((char **) strv);
  input->audio_path = (*storage)[0];
  lens_decode_choice_apply (LENS_DECODE_CHOICE (self->decode), options);
  return TRUE;
}
