/* attn-audio.h — audio files to Whisper's log-mel features.
 *
 * Reads any format libsndfile reads, mixes down to mono, resamples to 16 kHz
 * with libsamplerate, and computes log-mel spectrograms identical to the
 * Hugging Face WhisperFeatureExtractor (n_fft 400, hop 160, Slaney mel scale,
 * log10 clamped to 8 below the maximum, (x + 4) / 4). */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTN_SAMPLE_RATE      16000
#define ATTN_N_FFT            400
#define ATTN_HOP_LENGTH       160
#define ATTN_CHUNK_SECONDS    30
#define ATTN_CHUNK_SAMPLES    (ATTN_SAMPLE_RATE * ATTN_CHUNK_SECONDS)   /* 480000 */
#define ATTN_CHUNK_FRAMES     (ATTN_CHUNK_SAMPLES / ATTN_HOP_LENGTH)    /* 3000 */

typedef struct {
  float  *samples;       /* mono, 16 kHz, in [-1, 1] */
  gsize   n_samples;
  int     source_rate;   /* the file's own rate and channels, for display */
  int     source_channels;
} AttnAudio;

void       attn_audio_free         (AttnAudio *audio);

/* Loads, downmixes and resamples a file. A non-audio, undecodable or empty file is
 * an ATTN_ERROR_AUDIO error that says so; a file that cannot be opened at all
 * (missing, no permission, a folder) is ATTN_ERROR_IO. Cancelling gives
 * G_IO_ERROR_CANCELLED. */
AttnAudio *attn_audio_load         (const char *path, GCancellable *cancellable, GError **error);

/* Makes 16 kHz mono from samples at another rate (interleaved channels). */
AttnAudio *attn_audio_from_samples (const float *interleaved, gsize n_frames, int channels,
                                    int rate, GError **error);

/* The log-mel features of one 30 s window starting at `offset` samples: the window is
 * zero-padded (or cut) to 480000 samples. Returns [n_mels, 3000] row-major (g_free).
 * n_mels is 80 or 128. */
float     *attn_log_mel_window     (const float *samples, gsize n_samples, gsize offset,
                                    int n_mels, GError **error);

/* The same for a window of `window` samples (Whisper models with a shorter
 * max_source_positions, or a feature extractor with a shorter chunk_length: window =
 * n_samples there): a multiple of 160 from 400 to 480000 samples, else an
 * ATTN_ERROR_INPUT error. Returns [n_mels, window / 160]. */
float     *attn_log_mel_window_sized (const float *samples, gsize n_samples, gsize offset,
                                      gsize window, int n_mels, GError **error);

/* Number of 30 s windows needed for n_samples (at least 1). */
guint      attn_audio_n_windows    (gsize n_samples);
/* Number of windows of `window` samples needed for n_samples (at least 1). */
guint      attn_audio_n_windows_sized (gsize n_samples, gsize window);

/* Whisper's mel filter bank (Slaney scale, Slaney norm, 0 to 8 kHz) as
 * [n_mels, n_fft / 2 + 1] = [n_mels, 201] row-major doubles (g_free). n_mels is
 * 80 or 128; anything else is ATTN_ERROR_UNSUPPORTED. */
double    *attn_mel_filter_bank    (int n_mels, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnAudio, attn_audio_free)

G_END_DECLS
