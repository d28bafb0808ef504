/* test-audio.c — audio loading, resampling, FFT, mel filters and Whisper log-mel. */
#include "attn-audio.h"
#include "attn-error.h"
#include "attn-fft.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sndfile.h>

#define N_BINS 201

/* ------------------------------------------------------------------------ */
/* helpers */

static char *
fixture_path (const char *rel)
{
  const char *dir = g_getenv ("ATTN_FIXTURES");
  if (dir == NULL)
    dir = "tests/fixtures";
  return g_build_filename (dir, rel, NULL);
}

/* Reads one F32 tensor from a safetensors file: an 8-byte little-endian
 * header length N, a JSON header, then the data from byte 8 + N. */
static float *
read_safetensors_f32 (const char *path, const char *name, gint64 *shape, int *ndim)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len = 0;
  guint64 hlen = 0;
  JsonObject *root, *t;
  JsonArray *sh, *off;
  gint64 begin, end;
  float *data;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >=, 8);
  for (int i = 7; i >= 0; i--)
    hlen = (hlen << 8) | (guint8) contents[i];
  g_assert_cmpuint (hlen, <=, len - 8);
  g_assert_true (json_parser_load_from_data (parser, contents + 8, (gssize) hlen, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, name));
  t = json_object_get_object_member (root, name);
  g_assert_cmpstr (json_object_get_string_member (t, "dtype"), ==, "F32");
  sh = json_object_get_array_member (t, "shape");
  *ndim = (int) json_array_get_length (sh);
  for (int i = 0; i < *ndim; i++)
    shape[i] = json_array_get_int_element (sh, i);
  off = json_object_get_array_member (t, "data_offsets");
  begin = json_array_get_int_element (off, 0);
  end = json_array_get_int_element (off, 1);
  g_assert_cmpint (begin, >=, 0);
  g_assert_cmpint (end, >=, begin);
  g_assert_cmpuint ((guint64) end, <=, len - 8 - hlen);
  data = g_malloc ((gsize) (end - begin));
  memcpy (data, contents + 8 + hlen + begin, (gsize) (end - begin));
  return data;
}

/* Writes interleaved float frames with libsndfile. */
static void
write_sound (const char *path, int format, int rate, int channels, const float *frames, gsize n)
{
  SF_INFO info = { 0 };
  SNDFILE *sf;

  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  sf = sf_open (path, SFM_WRITE, &info);
  if (sf == NULL)
    g_error ("cannot write %s: %s", path, sf_strerror (NULL));
  if (n > 0)
    g_assert_cmpint (sf_writef_float (sf, frames, (sf_count_t) n), ==, (sf_count_t) n);
  sf_close (sf);
}

/* |DFT| of x at `hz` (sample rate `rate`), computed directly. */
static double
dft_magnitude (const float *x, gsize n, double hz, int rate)
{
  double re = 0.0, im = 0.0;
  for (gsize i = 0; i < n; i++)
    {
      double a = 2.0 * G_PI * hz * (double) i / rate;
      re += x[i] * cos (a);
      im -= x[i] * sin (a);
    }
  return sqrt (re * re + im * im);
}

/* The frequency between lo and hi (1 Hz steps) where x has most energy. */
static double
peak_frequency (const float *x, gsize n, int rate, double lo, double hi)
{
  double best = lo, best_mag = -1.0;
  for (double f = lo; f <= hi; f += 1.0)
    {
      double m = dft_magnitude (x, n, f, rate);
      if (m > best_mag)
        {
          best_mag = m;
          best = f;
        }
    }
  return best;
}

static char *
make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("attn-audio-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_tmpdir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_remove (p);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}

/* ------------------------------------------------------------------------ */
/* FFT */

static void
test_fft_naive (void)
{
  static const guint lengths[] = { 2, 4, 6, 10, 14, 22, 30, 50, 96, 400, 1000, 2002 };

  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++)
    {
      guint n = lengths[li];
      g_autoptr (AttnFft) fft = attn_fft_new (n);
      g_autofree double *x = g_new (double, n);
      g_autofree double *re = g_new (double, n / 2 + 1);
      g_autofree double *im = g_new (double, n / 2 + 1);
      double worst = 0.0, scale = 0.0;
      GRand *rng = g_rand_new_with_seed (n);

      g_assert_nonnull (fft);
      g_assert_cmpuint (attn_fft_length (fft), ==, n);
      for (guint t = 0; t < n; t++)
        {
          x[t] = g_rand_double_range (rng, -1.0, 1.0);
          scale += fabs (x[t]);
        }
      g_rand_free (rng);
      attn_fft_real_forward (fft, x, re, im);
      for (guint k = 0; k <= n / 2; k++)
        {
          long double sr = 0.0L, si = 0.0L;
          for (guint t = 0; t < n; t++)
            {
              long double a = -2.0L * (long double) G_PI * (long double) (((guint64) k * t) % n) / n;
              sr += x[t] * cosl (a);
              si += x[t] * sinl (a);
            }
          worst = MAX (worst, fabs (re[k] - (double) sr));
          worst = MAX (worst, fabs (im[k] - (double) si));
        }
      g_assert_cmpfloat (worst, <=, 1e-13 * scale);
    }
  g_assert_null (attn_fft_new (0));
  g_assert_null (attn_fft_new (7));
}

/* ------------------------------------------------------------------------ */
/* mel filter bank */

/* The Slaney mel scale written independently of the engine: one formula for
 * both sides of 1 kHz via the piecewise inverse. */
static double
t_mel_to_hz (double mel)
{
  double f_sp = 200.0 / 3.0;
  double min_log_mel = 1000.0 / f_sp;                 /* 15 */
  double logstep = log (6.4) / 27.0;
  return mel < min_log_mel ? f_sp * mel : 1000.0 * exp (logstep * (mel - min_log_mel));
}

static void
check_filter_bank (int n_mels)
{
  g_autoptr (GError) error = NULL;
  g_autofree double *fb = attn_mel_filter_bank (n_mels, &error);
  double mel_top = 15.0 + 27.0 * log (8.0) / log (6.4);   /* 8 kHz in Slaney mels */
  double worst = 0.0, worst_area = 0.0;

  g_assert_no_error (error);
  g_assert_nonnull (fb);
  for (int m = 0; m < n_mels; m++)
    {
      double lo = t_mel_to_hz (mel_top * m / (n_mels + 1));
      double mid = t_mel_to_hz (mel_top * (m + 1) / (n_mels + 1));
      double hi = t_mel_to_hz (mel_top * (m + 2) / (n_mels + 1));
      double height = 2.0 / (hi - lo);   /* Slaney norm: the triangle has unit area */
      double sum = 0.0;
      int peak = 0;

      for (int k = 0; k < N_BINS; k++)
        {
          double f = 40.0 * k;
          double w = fb[(gsize) m * N_BINS + k];
          double expect = 0.0;

          /* independent form: linear interpolation of (lo,0) (mid,h) (hi,0) */
          if (f > lo && f <= mid)
            expect = height * (f - lo) / (mid - lo);
          else if (f > mid && f < hi)
            expect = height * (hi - f) / (hi - mid);
          worst = MAX (worst, fabs (w - expect) / height);
          g_assert_cmpfloat (w, >=, 0.0);
          if (f <= lo || f >= hi)
            g_assert_cmpfloat (w, ==, 0.0);
          sum += w;
          if (w > fb[(gsize) m * N_BINS + peak])
            peak = k;
        }
      /* every filter covers at least one bin, and peaks at a bin next to its centre */
      g_assert_cmpfloat (sum, >, 0.0);
      g_assert_cmpfloat (fabs (40.0 * peak - mid), <, 40.0);
      /* A unit-area triangle sampled every 40 Hz sums (times 40 Hz) to 1 up
       * to the sampling error at its three kinks, each at most slope jump *
       * 40^2 / 8, in all at most 2 (40 / width)^2. */
      worst_area = MAX (worst_area, fabs (sum * 40.0 - 1.0) / (2.0 * pow (40.0 / (hi - lo), 2)));
    }
  g_test_message ("n_mels %d: largest relative weight difference %.3g, largest area error / bound %.3g",
                  n_mels, worst, worst_area);
  g_assert_cmpfloat (worst, <=, 1e-12);
  g_assert_cmpfloat (worst_area, <=, 1.0);
}

static void
test_mel_filters (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree double *fb = NULL;

  check_filter_bank (80);
  check_filter_bank (128);

  /* A value from librosa.filters.mel(sr=16000, n_fft=400, n_mels=80): the first
   * filter is zero at DC and 0.02486259 at 40 Hz. */
  fb = attn_mel_filter_bank (80, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fb[0], ==, 0.0);
  g_assert_cmpfloat_with_epsilon (fb[1], 0.02486259, 1e-8);
  g_clear_pointer (&fb, g_free);

  fb = attn_mel_filter_bank (64, &error);
  g_assert_null (fb);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED);
}

/* ------------------------------------------------------------------------ */
/* the reference: speech16k.wav against WhisperFeatureExtractor */

static void
test_mel_reference (void)
{
  g_autofree char *wav = fixture_path ("whisper/speech16k.wav");
  g_autofree char *ref_path = fixture_path ("whisper/reference.safetensors");
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) audio = NULL;
  g_autofree float *ref = NULL;
  g_autofree float *mel = NULL;
  g_autofree short *pcm = NULL;
  gint64 shape[8];
  int ndim = 0;
  double worst = 0.0, best_time = G_MAXDOUBLE;
  gsize worst_at = 0;
  SF_INFO info = { 0 };
  SNDFILE *sf;

  audio = attn_audio_load (wav, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (audio->source_rate, ==, 16000);
  g_assert_cmpint (audio->source_channels, ==, 1);

  /* 16 kHz mono passes through bit-exactly as int16 / 32768 */
  sf = sf_open (wav, SFM_READ, &info);
  g_assert_nonnull (sf);
  g_assert_cmpuint (audio->n_samples, ==, (gsize) info.frames);
  pcm = g_new (short, info.frames);
  g_assert_cmpint (sf_readf_short (sf, pcm, info.frames), ==, info.frames);
  sf_close (sf);
  for (gsize i = 0; i < audio->n_samples; i++)
    g_assert_true (audio->samples[i] == (float) pcm[i] / 32768.0f);

  ref = read_safetensors_f32 (ref_path, "input_features", shape, &ndim);
  g_assert_cmpint (ndim, ==, 2);
  g_assert_cmpint (shape[0], ==, 80);
  g_assert_cmpint (shape[1], ==, ATTN_CHUNK_FRAMES);
  g_assert_cmpuint (attn_audio_n_windows (audio->n_samples), ==, 1);

  for (int rep = 0; rep < 3; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_clear_pointer (&mel, g_free);
      mel = attn_log_mel_window (audio->samples, audio->n_samples, 0, 80, &error);
      g_assert_no_error (error);
      best_time = MIN (best_time, (g_get_monotonic_time () - t0) / 1000.0);
    }
  for (gsize i = 0; i < 80 * (gsize) ATTN_CHUNK_FRAMES; i++)
    {
      double d = fabs ((double) mel[i] - (double) ref[i]);
      if (d > worst)
        {
          worst = d;
          worst_at = i;
        }
    }
  g_test_message ("log-mel vs WhisperFeatureExtractor: largest |difference| %.3g at mel %" G_GSIZE_FORMAT
                  " frame %" G_GSIZE_FORMAT " (ours %.7f, reference %.7f)",
                  worst, worst_at / ATTN_CHUNK_FRAMES, worst_at % ATTN_CHUNK_FRAMES,
                  mel[worst_at], ref[worst_at]);
  g_test_message ("one 30 s window, 80 mels: %.2f ms (best of 3)", best_time);
  g_assert_cmpfloat (worst, <=, 1e-3);
}

/* ------------------------------------------------------------------------ */
/* loading */

static void
test_load_44k_stereo (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tone44k.wav", NULL);
  const int rate = 44100;
  const gsize n = (gsize) (2.5 * rate);
  g_autofree float *frames = g_new (float, n * 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) audio = NULL;
  double peak, rms = 0.0, ms;
  gint64 t0;
  const float *mid;

  /* left: 1 kHz at 0.5, right: silence, so the average is 1 kHz at 0.25 */
  for (gsize i = 0; i < n; i++)
    {
      frames[2 * i] = (float) (0.5 * sin (2.0 * G_PI * 1000.0 * i / rate));
      frames[2 * i + 1] = 0.0f;
    }
  write_sound (path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, rate, 2, frames, n);

  t0 = g_get_monotonic_time ();
  audio = attn_audio_load (path, NULL, &error);
  ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_assert_no_error (error);
  g_test_message ("2.5 s of 44.1 kHz stereo loaded and resampled in %.1f ms", ms);
  g_assert_cmpint (audio->source_rate, ==, 44100);
  g_assert_cmpint (audio->source_channels, ==, 2);
  g_assert_cmpuint (audio->n_samples, ==, 40000);   /* 2.5 s at 16 kHz */

  /* the middle second: still a 1 kHz tone, amplitude 0.25 (rms 0.25 / sqrt 2) */
  mid = audio->samples + 12000;
  peak = peak_frequency (mid, 16000, 16000, 900.0, 1100.0);
  g_assert_cmpfloat (peak, ==, 1000.0);
  for (gsize i = 0; i < 16000; i++)
    rms += (double) mid[i] * mid[i];
  rms = sqrt (rms / 16000);
  g_assert_cmpfloat_with_epsilon (rms, 0.25 / G_SQRT2, 1e-3);
  /* and the tone is in sync: sample i of the 16 kHz signal is time i / 16000 */
  for (gsize i = 0; i < 16000; i += 997)
    g_assert_cmpfloat_with_epsilon (mid[i], 0.25 * sin (2.0 * G_PI * 1000.0 * (12000 + i) / 16000.0), 2e-3);

  remove_tmpdir (dir);
}

static void
test_load_8k (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tone8k.wav", NULL);
  const gsize n = 16000;   /* 2 s */
  g_autofree float *frames = g_new (float, n);
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) audio = NULL;

  for (gsize i = 0; i < n; i++)
    frames[i] = (float) (0.3 * sin (2.0 * G_PI * 440.0 * i / 8000.0));
  write_sound (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, frames, n);

  audio = attn_audio_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (audio->source_rate, ==, 8000);
  g_assert_cmpint (audio->source_channels, ==, 1);
  g_assert_cmpuint (audio->n_samples, ==, 32000);
  g_assert_cmpfloat (peak_frequency (audio->samples + 8000, 16000, 16000, 340.0, 540.0), ==, 440.0);
  remove_tmpdir (dir);
}

static void
test_load_flac (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "noise.flac", NULL);
  const gsize n = 24000;
  g_autofree short *pcm = g_new (short, n);
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) audio = NULL;
  GRand *rng = g_rand_new_with_seed (7);
  SF_INFO info = { 0 };
  SNDFILE *sf;

  /* int16 noise written as int16 (libsndfile scales float writes by 32767),
   * so the lossless round trip must give exactly pcm / 32768 */
  for (gsize i = 0; i < n; i++)
    pcm[i] = (short) g_rand_int_range (rng, -32768, 32768);
  g_rand_free (rng);
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_short (sf, pcm, (sf_count_t) n), ==, (sf_count_t) n);
  sf_close (sf);

  audio = attn_audio_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (audio->source_rate, ==, 16000);
  g_assert_cmpuint (audio->n_samples, ==, n);
  for (gsize i = 0; i < n; i++)
    g_assert_true (audio->samples[i] == (float) pcm[i] / 32768.0f);
  remove_tmpdir (dir);
}

static void
test_load_ogg (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tone.ogg", NULL);
  const gsize n = 3 * 48000;
  g_autofree float *frames = g_new (float, n * 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) audio = NULL;
  SF_INFO probe = { 0 };

  probe.samplerate = 48000;
  probe.channels = 2;
  probe.format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
  if (!sf_format_check (&probe))
    {
      g_test_skip ("this libsndfile cannot write Ogg Vorbis");
      remove_tmpdir (dir);
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      float v = (float) (0.4 * sin (2.0 * G_PI * 2500.0 * i / 48000.0));
      frames[2 * i] = v;
      frames[2 * i + 1] = v;
    }
  write_sound (path, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 48000, 2, frames, n);

  audio = attn_audio_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (audio->source_rate, ==, 48000);
  g_assert_cmpint (audio->source_channels, ==, 2);
  g_assert_cmpuint (audio->n_samples, ==, 48000);   /* 3 s at 16 kHz */
  g_assert_cmpfloat (peak_frequency (audio->samples + 16000, 16000, 16000, 2400.0, 2600.0), ==, 2500.0);
  remove_tmpdir (dir);
}

static guint
count_open_fds (void)
{
  GDir *d = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  if (d == NULL)
    return 0;
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

static void
expect_load_error (const char *path, int code, const char *must_contain)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) audio = attn_audio_load (path, NULL, &error);
  g_autofree char *base = g_path_get_basename (path);

  g_assert_null (audio);
  g_assert_error (error, ATTN_ERROR, code);
  g_test_message ("%s: %s", base, error->message);
  g_assert_nonnull (strstr (error->message, base));
  if (must_contain != NULL)
    g_assert_nonnull (strstr (error->message, must_contain));
}

static void
test_load_errors (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.wav", NULL);
  g_autofree char *trunc = g_build_filename (dir, "truncated.wav", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.wav", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  float tone[1000];
  gsize len;
  guint fds_before = count_open_fds ();

  g_assert_true (g_file_set_contents (text, "This is not audio.\nJust some text.\n", -1, &error));
  g_assert_no_error (error);
  expect_load_error (text, ATTN_ERROR_AUDIO, "not an audio file");

  write_sound (empty, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, NULL, 0);
  expect_load_error (empty, ATTN_ERROR_AUDIO, "no samples");

  for (int i = 0; i < 1000; i++)
    tone[i] = (float) sin (i * 0.1) * 0.5f;
  write_sound (trunc, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, tone, 1000);
  g_assert_true (g_file_get_contents (trunc, &contents, &len, &error));
  g_assert_cmpuint (len, >, 20);
  g_assert_true (g_file_set_contents (trunc, contents, 20, &error));   /* cut inside the fmt chunk */
  expect_load_error (trunc, ATTN_ERROR_AUDIO, NULL);

  g_assert_true (g_file_set_contents (empty, "", 0, &error));   /* zero bytes */
  expect_load_error (empty, ATTN_ERROR_AUDIO, "empty");

  expect_load_error (missing, ATTN_ERROR_IO, "No such file");
  expect_load_error (dir, ATTN_ERROR_IO, NULL);

  /* no failure leaves a file descriptor open */
  g_assert_cmpuint (count_open_fds (), ==, fds_before);
  remove_tmpdir (dir);
}

static void
test_load_cancelled (void)
{
  g_autofree char *wav = fixture_path ("whisper/speech16k.wav");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) audio = NULL;

  g_cancellable_cancel (cancellable);
  audio = attn_audio_load (wav, cancellable, &error);
  g_assert_null (audio);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static gpointer
cancel_soon (gpointer cancellable)
{
  g_usleep (20 * 1000);
  g_cancellable_cancel (cancellable);
  return NULL;
}

/* Cancelling while a long file is being resampled stops the load. 30 s at
 * 44.1 kHz take several hundred ms to resample; the cancel comes after 20 ms. */
static void
test_load_cancel_midway (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "long.wav", NULL);
  const gsize n = 30 * 44100;
  g_autofree float *frames = g_new (float, n);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) audio = NULL;
  GThread *thread;
  gint64 t0;

  for (gsize i = 0; i < n; i++)
    frames[i] = (float) (0.2 * sin (i * 0.01));
  write_sound (path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 1, frames, n);

  t0 = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  audio = attn_audio_load (path, cancellable, &error);
  g_thread_join (thread);
  g_test_message ("cancelled load returned after %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_null (audio);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  remove_tmpdir (dir);
}

/* ------------------------------------------------------------------------ */
/* samples in memory */

static void
test_from_samples (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnAudio) mono = NULL;
  g_autoptr (AttnAudio) stereo = NULL;
  g_autoptr (AttnAudio) up = NULL;
  float in[8] = { 0.1f, -0.3f, 0.25f, 0.75f, -1.0f, 1.0f, 0.5f, 0.0f };
  g_autofree float *low = g_new (float, 11025);

  mono = attn_audio_from_samples (in, 8, 1, 16000, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (mono->samples, 8 * sizeof (float), in, sizeof in);

  stereo = attn_audio_from_samples (in, 4, 2, 16000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stereo->n_samples, ==, 4);
  g_assert_cmpint (stereo->source_channels, ==, 2);
  for (int i = 0; i < 4; i++)   /* the channel average */
    g_assert_cmpfloat_with_epsilon (stereo->samples[i], 0.5 * ((double) in[2 * i] + in[2 * i + 1]), 1e-7);

  for (int i = 0; i < 11025; i++)
    low[i] = (float) (0.5 * sin (2.0 * G_PI * 1000.0 * i / 11025.0));
  up = attn_audio_from_samples (low, 11025, 1, 11025, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (up->n_samples, ==, 16000);
  g_assert_cmpfloat (peak_frequency (up->samples + 4000, 8000, 16000, 950.0, 1050.0), ==, 1000.0);

  g_assert_null (attn_audio_from_samples (in, 0, 1, 16000, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO);
  g_clear_error (&error);
  g_assert_null (attn_audio_from_samples (in, 8, 0, 16000, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO);
  g_clear_error (&error);
  g_assert_null (attn_audio_from_samples (in, 8, 1, 0, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO);
}

/* ------------------------------------------------------------------------ */
/* windows */

/* A shorter window (a Whisper model with fewer encoder positions, as transformers'
 * feature extractor with a shorter chunk_length): for audio that fits, its frames are
 * the 30 s window's first frames exactly (the padding is zeros either way, so the
 * maximum and the clamp are the same). */
static void
test_sized_window (void)
{
  gsize n = 2 * 16000;
  g_autofree float *x = g_new (float, n);
  g_autofree float *full = NULL, *sized = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < n; i++)
    x[i] = 0.3f * sinf (2.0f * G_PI * (220.0f + 0.01f * i) * i / 16000.0f) * (i % 7000 < 4000);
  full = attn_log_mel_window (x, n, 0, 80, &error);
  sized = attn_log_mel_window_sized (x, n, 0, 4 * 16000, 80, &error);
  g_assert_no_error (error);
  for (int m = 0; m < 80; m++)
    for (int t = 0; t < 400; t++)
      g_assert_cmpfloat (sized[m * 400 + t], ==, full[m * ATTN_CHUNK_FRAMES + t]);
  g_assert_cmpuint (attn_audio_n_windows_sized (n, 16000), ==, 2);
  g_assert_cmpuint (attn_audio_n_windows_sized (n + 1, 16000), ==, 3);
  g_assert_null (attn_log_mel_window_sized (x, n, 0, 1000, 80, &error));   /* not a multiple of 160 */
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
}

static void
test_windows (void)
{
  const gsize n = 65 * 16000;   /* 65 s: windows at 0, 30 and 60 s */
  g_autofree float *x = g_new (float, n);
  g_autofree float *copy = g_new0 (float, ATTN_CHUNK_SAMPLES);
  g_autofree float *w2 = NULL;
  g_autofree float *w2_copy = NULL;
  g_autofree float *w1 = NULL;
  g_autoptr (GError) error = NULL;
  float lowest = G_MAXFLOAT, highest = -G_MAXFLOAT;
  GRand *rng = g_rand_new_with_seed (65);

  g_assert_cmpuint (attn_audio_n_windows (0), ==, 1);
  g_assert_cmpuint (attn_audio_n_windows (1), ==, 1);
  g_assert_cmpuint (attn_audio_n_windows (ATTN_CHUNK_SAMPLES), ==, 1);
  g_assert_cmpuint (attn_audio_n_windows (ATTN_CHUNK_SAMPLES + 1), ==, 2);
  g_assert_cmpuint (attn_audio_n_windows (n), ==, 3);

  for (gsize i = 0; i < n; i++)
    x[i] = (float) (0.1 * g_rand_double_range (rng, -1.0, 1.0) + 0.3 * sin (i * 0.05));
  g_rand_free (rng);

  /* the last window: 5 s of audio, then zeros; same as a zero-padded copy */
  w2 = attn_log_mel_window (x, n, 2 * (gsize) ATTN_CHUNK_SAMPLES, 128, &error);
  g_assert_no_error (error);
  memcpy (copy, x + 2 * ATTN_CHUNK_SAMPLES, 5 * 16000 * sizeof (float));
  w2_copy = attn_log_mel_window (copy, ATTN_CHUNK_SAMPLES, 0, 128, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (w2, 128 * ATTN_CHUNK_FRAMES * sizeof (float),
                   w2_copy, 128 * ATTN_CHUNK_FRAMES * sizeof (float));
  for (gsize i = 0; i < 128 * (gsize) ATTN_CHUNK_FRAMES; i++)
    {
      lowest = MIN (lowest, w2[i]);
      highest = MAX (highest, w2[i]);
    }
  /* the clamp: nothing lies more than 8 (log10 units, 2 after /4) below the top */
  g_assert_cmpfloat_with_epsilon (lowest, highest - 2.0f, 1e-5);
  /* frames after 5 s (500) are silent: clamped to the floor */
  for (int m = 0; m < 128; m++)
    for (int t = 510; t < ATTN_CHUNK_FRAMES; t += 97)
      g_assert_cmpfloat (w2[(gsize) m * ATTN_CHUNK_FRAMES + t], ==, lowest);
  /* and frames within the audio are not */
  g_assert_cmpfloat (w2[(gsize) 10 * ATTN_CHUNK_FRAMES + 200], >, lowest);

  /* a full middle window equals the same 30 s cut out */
  w1 = attn_log_mel_window (x, n, ATTN_CHUNK_SAMPLES, 80, &error);
  g_assert_no_error (error);
  g_clear_pointer (&w2_copy, g_free);
  w2_copy = attn_log_mel_window (x + ATTN_CHUNK_SAMPLES, ATTN_CHUNK_SAMPLES, 0, 80, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (w1, 80 * ATTN_CHUNK_FRAMES * sizeof (float),
                   w2_copy, 80 * ATTN_CHUNK_FRAMES * sizeof (float));

  /* silence is the floor everywhere: log10(1e-10) = -10, (-10 + 4) / 4 = -1.5 */
  g_clear_pointer (&w1, g_free);
  w1 = attn_log_mel_window (NULL, 0, 0, 80, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (w1[0], ==, -1.5f);
  g_assert_cmpfloat (w1[80 * ATTN_CHUNK_FRAMES - 1], ==, -1.5f);

  g_assert_null (attn_log_mel_window (x, n, n, 80, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
  g_clear_error (&error);
  g_assert_null (attn_log_mel_window (x, n, 0, 40, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/audio/fft/naive", test_fft_naive);
  g_test_add_func ("/audio/mel/filters", test_mel_filters);
  g_test_add_func ("/audio/mel/reference", test_mel_reference);
  g_test_add_func ("/audio/mel/windows", test_windows);
  g_test_add_func ("/audio/load/44k-stereo", test_load_44k_stereo);
  g_test_add_func ("/audio/load/8k", test_load_8k);
  g_test_add_func ("/audio/load/flac", test_load_flac);
  g_test_add_func ("/audio/load/ogg", test_load_ogg);
  g_test_add_func ("/audio/load/errors", test_load_errors);
  g_test_add_func ("/audio/load/cancelled", test_load_cancelled);
  g_test_add_func ("/audio/load/cancel-midway", test_load_cancel_midway);
  g_test_add_func ("/audio/from-samples", test_from_samples);
  g_test_add_func ("/audio/mel/sized-window", test_sized_window);
  return g_test_run ();
}
