/* lens-speech-view.h — the Speech page: the log-mel spectrogram with the
 * transcript placed in time; a token's cross-attention over time, and its span played. */
#pragma once

#include "lens-view.h"

G_BEGIN_DECLS

#define LENS_TYPE_SPEECH_VIEW (lens_speech_view_get_type ())
G_DECLARE_FINAL_TYPE (LensSpeechView, lens_speech_view, LENS, SPEECH_VIEW, LensView)

GtkWidget  *lens_speech_view_new             (void);
/* The bar that goes above the view: play the selected token's span. */
GtkWidget  *lens_speech_view_create_controls (LensSpeechView *self);
/* The audio file of the shown result, for playing spans; NULL: none. */
void        lens_speech_view_set_audio_path  (LensSpeechView *self, const char *path);
/* Plays the selected token's span; FALSE when there is none. */
gboolean    lens_speech_view_play_selected   (LensSpeechView *self);

/* What is shown (for tests). */
int         lens_speech_view_get_n_tokens    (LensSpeechView *self);
const char *lens_speech_view_get_token       (LensSpeechView *self, int i);
int         lens_speech_view_get_token_step  (LensSpeechView *self, int i);   /* index into generated */
gboolean    lens_speech_view_get_token_time  (LensSpeechView *self, int i, double *start, double *end);
gboolean    lens_speech_view_is_timed        (LensSpeechView *self);          /* DTW timings, not peaks */
void        lens_speech_view_get_mel_size    (LensSpeechView *self, int *bins, int *frames);

G_END_DECLS
