/* lens-speech-view.c — spectrogram, transcript in time, a token's attention and span. */
#include "lens-speech-view.h"

#include <glib/gi18n.h>

#include "attn-analysis.h"
#include "attn-audio.h"
#include "attn-timing.h"
#include "lens-audio-input.h"
#include "lens-speech-draw.h"

struct _LensSpeechView
{
  LensView          parent_instance;
  GtkMediaStream   *media;
  GtkWidget        *play_button;
  /* built from the result on demand */
  gboolean          valid;
  GPtrArray        *labels;       /* shown tokens */
  GArray           *steps;        /* int: each shown token's index into generated */
  double           *starts, *ends;
  gboolean          timed;
  float            *mean;         /* cross-attention, mean of all layers and heads [queries, keys] */
  int               queries, keys;
  LensSpeechLayout  layout;
};

G_DEFINE_FINAL_TYPE (LensSpeechView, lens_speech_view, LENS_TYPE_VIEW)

static void
drop_tokens (LensSpeechView *self)
{
  self->valid = FALSE;
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->starts, g_free);
  g_clear_pointer (&self->ends, g_free);
  g_clear_pointer (&self->mean, g_free);
  self->queries = self->keys = 0;
  self->timed = FALSE;
}

static gboolean
ensure_tokens (LensSpeechView *self)
{
  AttnResult *r = lens_view_get_result (LENS_VIEW (self));
  const AttnWeights *cross;
  g_autofree double *starts = NULL;
  g_autofree double *ends = NULL;
  int first, G;

  if (self->valid)
    return self->labels != NULL;
  drop_tokens (self);
  self->valid = TRUE;
  if (r == NULL || r->mel == NULL || (cross = r->attention[ATTN_KIND_CROSS]) == NULL)
    return FALSE;

  self->queries = cross->queries;
  self->keys = cross->keys;
  self->mean = g_new (float, (gsize) cross->queries * cross->keys);
  attn_all_mean (cross, self->mean);

  first = MAX (r->decoder_prompt_len, 1) - 1;
  G = r->generated.len;
  starts = g_new0 (double, MAX (G, 1));
  ends = g_new0 (double, MAX (G, 1));
  /* the view labels the generated tokens; a forced transcript would time others */
  self->timed = !r->target_forced && attn_token_times (r, NULL, 0, starts, ends, NULL);

  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->steps = g_array_new (FALSE, FALSE, sizeof (int));
  self->starts = g_new0 (double, MAX (G, 1));
  self->ends = g_new0 (double, MAX (G, 1));
  for (int i = 0; i < G && first + i < cross->queries; i++)
    {
      guint n;

      if (r->generated.special && r->generated.special[i])
        continue;
      n = self->labels->len;
      if (!self->timed)
        {
          /* the peak of the token's row: the position it attends to most */
          const float *row = self->mean + (gsize) (first + i) * cross->keys;
          int best = 0;

          for (int k = 1; k < cross->keys; k++)
            if (row[k] > row[best])
              best = k;
          starts[i] = ends[i] = best * ATTN_SECONDS_PER_FRAME;
        }
      g_ptr_array_add (self->labels, lens_token_label (&r->generated, i));
      g_array_append_val (self->steps, i);
      self->starts[n] = starts[i];
      self->ends[n] = ends[i];
    }
  return TRUE;
}

static int
shown_of_step (LensSpeechView *self, int step)
{
  for (guint i = 0; self->steps && i < self->steps->len; i++)
    if (g_array_index (self->steps, int, i) == step)
      return i;
  return -1;
}

static void
update_play_button (LensSpeechView *self)
{
  LensSelection *sel = lens_view_get_selection (LENS_VIEW (self));
  gboolean can = self->media != NULL && sel != NULL && ensure_tokens (self) &&
                 shown_of_step (self, lens_selection_get_step (sel)) >= 0;

  if (self->play_button)
    gtk_widget_set_sensitive (self->play_button, can);
}

static void
lens_speech_view_draw (LensView *view, cairo_t *cr, const LensHeatmapStyle *style, double width, double height)
{
  LensSpeechView *self = LENS_SPEECH_VIEW (view);
  AttnResult *r = lens_view_get_result (view);
  LensSelection *sel = lens_view_get_selection (view);
  LensSpeechFigure fig = { 0 };
  g_autofree char *title = NULL;
  int selected, step;

  if (!ensure_tokens (self))
    {
      LensHeatmapStyle dim = *style;

      dim.fg[3] *= 0.6;
      lens_draw_text (cr, &dim, _("The speech view needs a speech model's result: open an audio file and run."),
                      0, height / 2 - style->font_size, width, 0.5, FALSE, 1.2);
      return;
    }
  step = lens_selection_get_step (sel);
  selected = shown_of_step (self, step);
  if (selected >= 0)
    title = g_strdup_printf (_("Log-mel spectrogram of the first %.1f s with the transcript — “%s”: %.2f to %.2f s, "
                               "its cross-attention (mean of all layers and heads) drawn over time"),
                             MIN (r->audio_seconds, r->mel_frames * (double) ATTN_HOP_LENGTH / ATTN_SAMPLE_RATE),
                             (const char *) self->labels->pdata[selected], self->starts[selected], self->ends[selected]);
  else
    title = g_strdup_printf (_("Log-mel spectrogram of the first %.1f s with the transcript — click a token to see "
                               "its attention over time"), MIN (r->audio_seconds, r->mel_frames * (double) ATTN_HOP_LENGTH / ATTN_SAMPLE_RATE));

  fig.mel = r->mel;
  fig.mel_bins = r->mel_bins;
  fig.mel_frames = r->mel_frames;
  fig.frames_per_second = (double) ATTN_SAMPLE_RATE / ATTN_HOP_LENGTH;
  fig.shown_frames = CLAMP ((int) (r->audio_seconds * fig.frames_per_second + 0.5), 1, r->mel_frames);
  fig.n_tokens = self->labels->len;
  fig.tokens = (const char *const *) self->labels->pdata;
  fig.starts = self->starts;
  fig.ends = self->ends;
  fig.timed = self->timed;
  fig.selected = selected;
  if (selected >= 0)
    {
      int row = MAX (r->decoder_prompt_len, 1) - 1 + step;

      fig.attention = self->mean + (gsize) row * self->keys;
      fig.n_positions = self->keys;
      fig.positions_per_second = 1.0 / ATTN_SECONDS_PER_FRAME;
    }
  fig.title = title;
  lens_speech_draw (cr, style, &fig, width, height, &self->layout);
}

static void
lens_speech_view_invalidate (LensView *view)
{
  LensSpeechView *self = LENS_SPEECH_VIEW (view);

  drop_tokens (self);
  update_play_button (self);
}

static void
lens_speech_view_selection_changed (LensView *view, const char *property)
{
  if (g_str_equal (property, "step"))
    update_play_button (LENS_SPEECH_VIEW (view));
}

static void
on_pressed (GtkGestureClick *click, int n_press, double x, double y, LensSpeechView *self)
{
  LensSpeechFigure fig = { 0 };
  int hit;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (!ensure_tokens (self))
    return;
  fig.n_tokens = self->labels->len;
  fig.starts = self->starts;
  fig.ends = self->ends;
  hit = lens_speech_hit_token (&self->layout, &fig, x, y);
  if (hit < 0)
    return;
  lens_selection_set_step (lens_view_get_selection (LENS_VIEW (self)), g_array_index (self->steps, int, hit));
  if (n_press == 2)
    lens_speech_view_play_selected (self);
}

static void
lens_speech_view_dispose (GObject *object)
{
  LensSpeechView *self = LENS_SPEECH_VIEW (object);

  drop_tokens (self);
  g_clear_object (&self->media);
  self->play_button = NULL;
  G_OBJECT_CLASS (lens_speech_view_parent_class)->dispose (object);
}

static void
lens_speech_view_class_init (LensSpeechViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LensViewClass *view_class = LENS_VIEW_CLASS (klass);

  object_class->dispose = lens_speech_view_dispose;
  view_class->draw = lens_speech_view_draw;
  view_class->invalidate = lens_speech_view_invalidate;
  view_class->selection_changed = lens_speech_view_selection_changed;
  gtk_widget_class_set_css_name (widget_class, "lens-speech-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lens_speech_view_init (LensSpeechView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Spectrogram of the audio with the transcript in time"), -1);
}

GtkWidget *
lens_speech_view_new (void)
{
  return g_object_new (LENS_TYPE_SPEECH_VIEW, NULL);
}

static void
on_play_clicked (LensSpeechView *self)
{
  lens_speech_view_play_selected (self);
}

GtkWidget *
lens_speech_view_create_controls (LensSpeechView *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *hint = gtk_label_new (_("Click a token to see its attention over time; double-click plays it."));

  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_end (bar, 12);
  gtk_widget_set_margin_bottom (bar, 6);
  self->play_button = gtk_button_new_with_mnemonic (_("_Play Token Span"));
  gtk_widget_set_tooltip_text (self->play_button, _("Play the part of the audio the selected token covers"));
  g_signal_connect_object (self->play_button, "clicked", G_CALLBACK (on_play_clicked), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (bar), self->play_button);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (hint), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (hint), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (bar), hint);
  update_play_button (self);
  return bar;
}

void
lens_speech_view_set_audio_path (LensSpeechView *self, const char *path)
{
  g_return_if_fail (LENS_IS_SPEECH_VIEW (self));
  if (self->media)
    gtk_media_stream_pause (self->media);
  g_clear_object (&self->media);
  if (path)
    self->media = gtk_media_file_new_for_filename (path);
  update_play_button (self);
}

gboolean
lens_speech_view_play_selected (LensSpeechView *self)
{
  int i;

  if (self->media == NULL || !ensure_tokens (self))
    return FALSE;
  i = shown_of_step (self, lens_selection_get_step (lens_view_get_selection (LENS_VIEW (self))));
  if (i < 0)
    return FALSE;
  /* a peak is a point: play a little around it */
  lens_media_play_span (self->media, self->ends[i] > self->starts[i] ? self->starts[i] : self->starts[i] - 0.2,
                        self->ends[i] > self->starts[i] ? self->ends[i] : self->starts[i] + 0.3);
  return TRUE;
}

int
lens_speech_view_get_n_tokens (LensSpeechView *self)
{
  return ensure_tokens (self) ? (int) self->labels->len : 0;
}

const char *
lens_speech_view_get_token (LensSpeechView *self, int i)
{
  return ensure_tokens (self) && i >= 0 && i < (int) self->labels->len ? self->labels->pdata[i] : NULL;
}

int
lens_speech_view_get_token_step (LensSpeechView *self, int i)
{
  return ensure_tokens (self) && i >= 0 && i < (int) self->steps->len ? g_array_index (self->steps, int, i) : -1;
}

gboolean
lens_speech_view_get_token_time (LensSpeechView *self, int i, double *start, double *end)
{
  if (!ensure_tokens (self) || i < 0 || i >= (int) self->labels->len)
    return FALSE;
  *start = self->starts[i];
  *end = self->ends[i];
  return TRUE;
}

gboolean
lens_speech_view_is_timed (LensSpeechView *self)
{
  return ensure_tokens (self) && self->timed;
}

void
lens_speech_view_get_mel_size (LensSpeechView *self, int *bins, int *frames)
{
  AttnResult *r = lens_view_get_result (LENS_VIEW (self));

  *bins = r && r->mel ? r->mel_bins : 0;
  *frames = r && r->mel ? r->mel_frames : 0;
}
