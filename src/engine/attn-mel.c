/* attn-mel.c — Whisper's log-mel spectrogram.
 *
 * Reproduces transformers' WhisperFeatureExtractor (numpy path): a 30 s window
 * is padded or cut to 480000 samples (a shorter chunk_length: its n_samples),
 * reflect-padded by n_fft / 2 on both sides, cut into 3001 frames (n_samples /
 * 160 + 1) of 400 samples every 160 samples, each frame
 * multiplied by a periodic Hann window and transformed; the power spectrum
 * |X|^2 (201 bins) goes through a Slaney-scale, Slaney-normalised mel filter
 * bank, then log10(max(mel, 1e-10)). The last frame is dropped, every value is
 * raised to at least (window maximum - 8) and mapped to (x + 4) / 4.
 *
 * Precision follows the reference: the STFT and mel projection are in double,
 * the complex spectrum is rounded to float32 as numpy stores it (complex64),
 * and the log values are float32 before the clamp and scaling. */
#include "attn-audio.h"
#include "attn-error.h"
#include "attn-fft.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#define N_BINS       (ATTN_N_FFT / 2 + 1)   /* 201 */
#define PAD          (ATTN_N_FFT / 2)       /* 200 */
#define MEL_FLOOR    1e-10
#define F_MAX        8000.0

/* Slaney's mel scale (librosa htk=False): linear below 1 kHz, 3 mels per
 * 200 Hz, logarithmic above with 27 mels per factor 6.4. */
static double
hz_to_mel (double hz)
{
  const double min_log_hz = 1000.0;
  const double min_log_mel = 15.0;
  const double logstep = 27.0 / log (6.4);

  if (hz >= min_log_hz)
    return min_log_mel + log (hz / min_log_hz) * logstep;
  return 3.0 * hz / 200.0;
}

static double
mel_to_hz (double mel)
{
  const double min_log_hz = 1000.0;
  const double min_log_mel = 15.0;
  const double logstep = log (6.4) / 27.0;

  if (mel >= min_log_mel)
    return min_log_hz * exp (logstep * (mel - min_log_mel));
  return 200.0 * mel / 3.0;
}

static gboolean
check_n_mels (int n_mels, GError **error)
{
  if (n_mels != 80 && n_mels != 128)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED,
                   _("Unsupported number of mel bins %d (Whisper uses 80 or 128)"), n_mels);
      return FALSE;
    }
  return TRUE;
}

double *
attn_mel_filter_bank (int n_mels, GError **error)
{
  double *fb;
  double *edges;
  double mel_max;

  if (!check_n_mels (n_mels, error))
    return NULL;

  /* n_mels + 2 band edges equally spaced in mel between 0 Hz and 8 kHz */
  edges = g_new (double, n_mels + 2);
  mel_max = hz_to_mel (F_MAX);
  for (int i = 0; i < n_mels + 2; i++)   /* as np.linspace: i * step, exact end */
    edges[i] = mel_to_hz (i == n_mels + 1 ? mel_max : (double) i * (mel_max / (double) (n_mels + 1)));

  fb = g_new0 (double, (gsize) n_mels * N_BINS);
  for (int m = 0; m < n_mels; m++)
    {
      double lo = edges[m], mid = edges[m + 1], hi = edges[m + 2];
      double enorm = 2.0 / (hi - lo);

      for (int k = 0; k < N_BINS; k++)
        {
          double f = (double) k * ((double) ATTN_SAMPLE_RATE / 2.0) / (double) (N_BINS - 1);
          double up = (f - lo) / (mid - lo);
          double down = (hi - f) / (hi - mid);
          double w = MIN (up, down);

          fb[(gsize) m * N_BINS + k] = w > 0.0 ? w * enorm : 0.0;
        }
    }
  g_free (edges);
  return fb;
}

/* The filter bank as one contiguous run of non-zero weights per filter. */
typedef struct {
  int     n_mels;
  int    *first;    /* first non-zero bin of each filter */
  int    *count;    /* number of bins from `first` on */
  double *weights;  /* [n_mels][N_BINS], only first .. first + count - 1 used */
} SparseBank;

static void
sparse_bank_clear (SparseBank *sb)
{
  g_free (sb->first);
  g_free (sb->count);
  g_free (sb->weights);
}

static gboolean
sparse_bank_init (SparseBank *sb, int n_mels, GError **error)
{
  sb->weights = attn_mel_filter_bank (n_mels, error);
  if (sb->weights == NULL)
    return FALSE;
  sb->n_mels = n_mels;
  sb->first = g_new0 (int, n_mels);
  sb->count = g_new0 (int, n_mels);
  for (int m = 0; m < n_mels; m++)
    {
      const double *row = sb->weights + (gsize) m * N_BINS;
      int lo = N_BINS, hi = -1;

      for (int k = 0; k < N_BINS; k++)
        if (row[k] != 0.0)
          {
            lo = MIN (lo, k);
            hi = MAX (hi, k);
          }
      sb->first[m] = hi < 0 ? 0 : lo;
      sb->count[m] = hi < 0 ? 0 : hi - lo + 1;
    }
  return TRUE;
}

/* Sample `idx` of the window after numpy-style reflect padding (the edge
 * sample is not repeated). The window is `avail` real samples followed by
 * zeros up to `size` samples. */
static inline double
window_sample (const float *w, gsize avail, gsize size, gint64 idx)
{
  if (idx < 0)
    idx = -idx;
  else if (idx >= (gint64) size)
    idx = 2 * (gint64) (size - 1) - idx;
  return (gsize) idx < avail ? (double) w[idx] : 0.0;
}

float *
attn_log_mel_window (const float *samples, gsize n_samples, gsize offset,
                     int n_mels, GError **error)
{
  return attn_log_mel_window_sized (samples, n_samples, offset, ATTN_CHUNK_SAMPLES, n_mels, error);
}

float *
attn_log_mel_window_sized (const float *samples, gsize n_samples, gsize offset,
                           gsize window, int n_mels, GError **error)
{
  g_autoptr (AttnFft) fft = NULL;
  SparseBank sb = { 0 };
  double hann[ATTN_N_FFT];
  double frame[ATTN_N_FFT];
  double spec_re[N_BINS], spec_im[N_BINS], power[N_BINS];
  const float *w;
  gsize avail;
  float *out;
  float maxv = -G_MAXFLOAT;
  float floor_v;
  gsize total;
  int n_frames = (int) (window / ATTN_HOP_LENGTH);

  if (window < ATTN_N_FFT || window % ATTN_HOP_LENGTH != 0 || window > ATTN_CHUNK_SAMPLES)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("A log-mel window of %zu samples is not a multiple of %d samples "
                   "between %d and %d"), window, ATTN_HOP_LENGTH, ATTN_N_FFT, ATTN_CHUNK_SAMPLES);
      return NULL;
    }
  if (samples == NULL && n_samples > 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("No sample buffer given for %zu samples"),
                   n_samples);
      return NULL;
    }
  if (offset > 0 && offset >= n_samples)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("Window offset %zu is past the end of the audio (%zu samples)"),
                   offset, n_samples);
      return NULL;
    }
  if (!sparse_bank_init (&sb, n_mels, error))
    return NULL;

  w = samples != NULL ? samples + offset : NULL;
  avail = MIN (window, n_samples - offset);

  fft = attn_fft_new (ATTN_N_FFT);
  for (int i = 0; i < ATTN_N_FFT; i++)   /* periodic Hann: np.hanning(401)[:-1] */
    hann[i] = 0.5 - 0.5 * cos (2.0 * G_PI * (double) i / (double) ATTN_N_FFT);

  total = (gsize) n_mels * n_frames;
  out = g_new (float, total);

  for (int t = 0; t < n_frames; t++)
    {
      gint64 start = (gint64) t * ATTN_HOP_LENGTH - PAD;

      if (start >= 0 && (gsize) start + ATTN_N_FFT <= avail)
        {
          const float *src = w + start;
          for (int i = 0; i < ATTN_N_FFT; i++)
            frame[i] = (double) src[i] * hann[i];
        }
      else
        {
          for (int i = 0; i < ATTN_N_FFT; i++)
            frame[i] = window_sample (w, avail, window, start + i) * hann[i];
        }

      attn_fft_real_forward (fft, frame, spec_re, spec_im);
      for (int k = 0; k < N_BINS; k++)
        {
          /* numpy keeps the STFT as complex64 before taking |X|^2 in double */
          double re = (float) spec_re[k];
          double im = (float) spec_im[k];
          power[k] = re * re + im * im;
        }

      for (int m = 0; m < n_mels; m++)
        {
          const double *wt = sb.weights + (gsize) m * N_BINS + sb.first[m];
          const double *pw = power + sb.first[m];
          double acc = 0.0;
          float v;

          for (int k = 0; k < sb.count[m]; k++)
            acc += wt[k] * pw[k];
          v = (float) log10 (MAX (acc, MEL_FLOOR));
          out[(gsize) m * n_frames + t] = v;
          maxv = MAX (maxv, v);
        }
    }

  floor_v = maxv - 8.0f;
  for (gsize i = 0; i < total; i++)
    out[i] = (MAX (out[i], floor_v) + 4.0f) / 4.0f;

  sparse_bank_clear (&sb);
  return out;
}

guint
attn_audio_n_windows (gsize n_samples)
{
  return attn_audio_n_windows_sized (n_samples, ATTN_CHUNK_SAMPLES);
}

guint
attn_audio_n_windows_sized (gsize n_samples, gsize window)
{
  gsize n = (n_samples + window - 1) / MAX (window, 1);
  return (guint) MAX (n, 1);
}
