/* lens-audio-input.h — the input pane of speech models: an audio file opened or
 * dropped, its waveform and duration, play and stop, and the decoding (greedy or beam
 * search of a chosen width). */
#pragma once

#include <gtk/gtk.h>

#include "attn-model.h"

G_BEGIN_DECLS

#define LENS_TYPE_AUDIO_INPUT (lens_audio_input_get_type ())
G_DECLARE_FINAL_TYPE (LensAudioInput, lens_audio_input, LENS, AUDIO_INPUT, GtkBox)

GtkWidget  *lens_audio_input_new           (void);
void        lens_audio_input_set_model     (LensAudioInput *self, AttnModel *model);
/* Shows the file and decodes its waveform on a thread; NULL clears. */
void        lens_audio_input_set_path      (LensAudioInput *self, const char *path);
const char *lens_audio_input_get_path      (LensAudioInput *self);
gboolean    lens_audio_input_is_loading    (LensAudioInput *self);
double      lens_audio_input_get_duration  (LensAudioInput *self);   /* seconds, 0 until decoded */
const char *lens_audio_input_get_error     (LensAudioInput *self);   /* why the last file did not decode */
int         lens_audio_input_get_n_examples (LensAudioInput *self);

/* 1: greedy; more: beam search of that width */
int         lens_audio_input_get_beam_size (LensAudioInput *self);
void        lens_audio_input_set_beam_size (LensAudioInput *self, int beam_size);

/* The input and options of a run; the path points into `storage` (g_strfreev). */
gboolean    lens_audio_input_build         (LensAudioInput *self, AttnInput *input, AttnRunOptions *options,
                                            char ***storage, GError **error);

/* Plays [start, end) seconds of a media stream, then pauses. */
void        lens_media_play_span           (GtkMediaStream *stream, double start, double end);

/* Draws the waveform of `peaks` (n pairs of min, max in [-1, 1]) in width × height:
 * one vertical line per pixel column from the columns' min to max. */
void        lens_waveform_draw             (cairo_t *cr, const float *peaks, int n, double width, double height,
                                            const double rgba[4]);

G_END_DECLS
