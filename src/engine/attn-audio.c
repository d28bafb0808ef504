/* attn-audio.c — loading audio files as 16 kHz mono float.
 *
 * libsndfile decodes (WAV, FLAC, OGG/Vorbis, Opus, AIFF, ... whatever the
 * installed libsndfile supports) to float, normalised so that int16 input
 * becomes exactly int16 / 32768. Channels are averaged block by block, and
 * audio at another rate streams through libsamplerate while it is read, so a
 * long 44.1 kHz file never sits in memory at its own rate.
 *
 * Resampling uses SRC_SINC_BEST_QUALITY. Whisper's mel filters reach 8 kHz,
 * the Nyquist frequency at 16 kHz; MEDIUM_QUALITY keeps only ~90 % of the
 * band (roughly up to 7.2 kHz) and would darken the top mel bins, where
 * BEST keeps ~97 % (about 7.8 kHz), close to the ffmpeg resampler that
 * Whisper's own pipeline uses. BEST is slower, but still dozens of times
 * faster than real time (see the tests' timing message), and the load is
 * cancellable.
 *
 * 16 kHz input is never resampled: mono 16 kHz samples pass through
 * bit-exactly. */
#include "attn-audio.h"
#include "attn-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <samplerate.h>
#include <sndfile.h>

#define READ_BLOCK      16384   /* frames per libsndfile read */
#define RESAMPLE_BLOCK  65536   /* input frames per src_process call */
#define MAX_CHANNELS    1024

void
attn_audio_free (AttnAudio *audio)
{
  if (audio == NULL)
    return;
  g_free (audio->samples);
  g_free (audio);
}

/* ---------------------------------------------------------------------------
 * The sink: mono blocks in, 16 kHz samples out. */

typedef struct {
  SRC_STATE  *state;     /* NULL: the input is already 16 kHz */
  double      ratio;
  float      *out;
  gsize       len;
  gsize       cap;
  gsize       n_in;      /* input frames pushed so far */
  const char *what;      /* the file's display name, for messages */
  int         rate;
} Sink;

static gboolean
sink_init (Sink *sk, int rate, const char *what, GError **error)
{
  memset (sk, 0, sizeof *sk);
  sk->what = what;
  sk->rate = rate;
  sk->ratio = 1.0;
  if (rate == ATTN_SAMPLE_RATE)
    return TRUE;

  if (rate > 0)
    sk->ratio = (double) ATTN_SAMPLE_RATE / (double) rate;
  if (rate <= 0 || !src_is_valid_ratio (sk->ratio))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                   _("Cannot resample %s: unsupported sample rate %d Hz"), what, rate);
      return FALSE;
    }
  {
    int err = 0;
    sk->state = src_new (SRC_SINC_BEST_QUALITY, 1, &err);
    if (sk->state == NULL)
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                     _("Cannot resample %s from %d Hz: %s"), what, rate, src_strerror (err));
        return FALSE;
      }
  }
  return TRUE;
}

static void
sink_clear (Sink *sk)
{
  if (sk->state != NULL)
    src_delete (sk->state);
  g_free (sk->out);
  sk->state = NULL;
  sk->out = NULL;
}

static void
sink_reserve (Sink *sk, gsize extra)
{
  gsize need = sk->len + extra;

  if (need <= sk->cap)
    return;
  sk->cap = MAX (need, sk->cap * 2);
  sk->out = g_renew (float, sk->out, sk->cap);
}

/* Pushes n mono frames; `last` flushes the resampler. */
static gboolean
sink_push (Sink *sk, const float *mono, gsize n, gboolean last,
           GCancellable *cancellable, GError **error)
{
  static const float no_input[1] = { 0.0f };
  gsize pos = 0;

  sk->n_in += n;
  if (sk->state == NULL)
    {
      if (n > 0)
        {
          sink_reserve (sk, n);
          memcpy (sk->out + sk->len, mono, n * sizeof (float));
          sk->len += n;
        }
      return TRUE;
    }

  for (;;)
    {
      SRC_DATA d = { 0 };
      gsize chunk = MIN (n - pos, (gsize) RESAMPLE_BLOCK);
      gsize room;
      int err;

      sink_reserve (sk, (gsize) ((double) chunk * sk->ratio) + 4096);
      room = MIN (sk->cap - sk->len, (gsize) G_MAXINT32);
      d.data_in = chunk > 0 ? mono + pos : no_input;
      d.input_frames = (long) chunk;
      d.data_out = sk->out + sk->len;
      d.output_frames = (long) room;
      d.end_of_input = last && pos + chunk == n;
      d.src_ratio = sk->ratio;

      err = src_process (sk->state, &d);
      if (err != 0)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                       _("Cannot resample %s from %d Hz: %s"), sk->what, sk->rate, src_strerror (err));
          return FALSE;
        }
      pos += (gsize) d.input_frames_used;
      sk->len += (gsize) d.output_frames_gen;

      if (pos == n && (!last || d.output_frames_gen == 0))
        break;
      if (d.input_frames_used == 0 && d.output_frames_gen == 0 && !d.end_of_input)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                       _("Cannot resample %s from %d Hz: the resampler made no progress"),
                       sk->what, sk->rate);
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Hands the samples over as an AttnAudio. The resampled length is set to
 * round(n_in * 16000 / rate), the length of the same audio at 16 kHz
 * (libsamplerate's flush can differ from it by a sample or two). */
static AttnAudio *
sink_finish (Sink *sk, int source_rate, int source_channels)
{
  AttnAudio *audio = g_new0 (AttnAudio, 1);

  if (sk->state != NULL)
    {
      gsize want = (gsize) ((double) sk->n_in * sk->ratio + 0.5);
      if (want > sk->len)
        {
          sink_reserve (sk, want - sk->len);
          memset (sk->out + sk->len, 0, (want - sk->len) * sizeof (float));
        }
      sk->len = want;
    }

  audio->samples = sk->out != NULL ? sk->out : g_new0 (float, 1);
  audio->n_samples = sk->len;
  audio->source_rate = source_rate;
  audio->source_channels = source_channels;
  sk->out = NULL;
  sink_clear (sk);
  return audio;
}

/* Averages the channels of `n` interleaved frames into `mono`. One channel is
 * copied unchanged. */
static void
downmix (const float *in, gsize n, int channels, float *mono)
{
  if (channels == 1)
    {
      memcpy (mono, in, n * sizeof (float));
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      const float *f = in + i * (gsize) channels;
      double acc = 0.0;
      for (int c = 0; c < channels; c++)
        acc += f[c];
      mono[i] = (float) (acc / channels);
    }
}

/* ---------------------------------------------------------------------------
 * Public API */

AttnAudio *
attn_audio_from_samples (const float *interleaved, gsize n_frames, int channels,
                         int rate, GError **error)
{
  Sink sk;
  float *mono;

  if (channels < 1 || channels > MAX_CHANNELS)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                   _("Cannot use audio samples with %d channels"), channels);
      return NULL;
    }
  if (n_frames == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO, _("The audio contains no samples"));
      return NULL;
    }
  if (interleaved == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("No sample buffer given for %zu frames"),
                   n_frames);
      return NULL;
    }
  if (n_frames > G_MAXSIZE / sizeof (float) / (gsize) channels)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO, _("The audio is too long"));
      return NULL;
    }
  if (!sink_init (&sk, rate, "audio samples", error))
    return NULL;

  mono = g_new (float, n_frames);
  downmix (interleaved, n_frames, channels, mono);
  if (!sink_push (&sk, mono, n_frames, TRUE, NULL, error))
    {
      g_free (mono);
      sink_clear (&sk);
      return NULL;
    }
  g_free (mono);
  return sink_finish (&sk, rate, channels);
}

AttnAudio *
attn_audio_load (const char *path, GCancellable *cancellable, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree float *buf = NULL;
  g_autofree float *mono = NULL;
  SF_INFO info = { 0 };
  SNDFILE *sf;
  struct stat st;
  Sink sk;
  gboolean have_stat;
  int fd;
  int saved;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  name = g_filename_display_name (path);

  /* Open it once ourselves to tell "cannot open" (an I/O error, with errno's
   * reason) from "not audio". libsndfile then opens it by name: handing it a
   * descriptor is not safe, as libsndfile 1.2 closes the descriptor on a
   * failed open even when asked not to. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO,
                   _("Cannot open audio file “%s”: %s"), name, g_strerror (saved));
      return NULL;
    }
  have_stat = fstat (fd, &st) == 0;
  close (fd);
  if (have_stat && S_ISDIR (st.st_mode))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO,
                   _("Cannot open audio file “%s”: it is a folder"), name);
      return NULL;
    }
  if (have_stat && S_ISREG (st.st_mode) && st.st_size == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                   _("Audio file “%s” is empty (0 bytes)"), name);
      return NULL;
    }

  sf = sf_open (path, SFM_READ, &info);
  if (sf == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                   _("“%s” is not an audio file that can be decoded: %s"), name, sf_strerror (NULL));
      return NULL;
    }
  if (info.channels < 1 || info.channels > MAX_CHANNELS || info.samplerate <= 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                   _("Audio file “%s” has an invalid format (%d channels at %d Hz)"),
                   name, info.channels, info.samplerate);
      sf_close (sf);
      return NULL;
    }
  if (!sink_init (&sk, info.samplerate, name, error))
    {
      sf_close (sf);
      return NULL;
    }

  buf = g_new (float, (gsize) READ_BLOCK * info.channels);
  mono = g_new (float, READ_BLOCK);
  for (;;)
    {
      sf_count_t got = sf_readf_float (sf, buf, READ_BLOCK);
      gboolean last = got <= 0;   /* a short read is not the end for every format */

      if (got < 0)
        got = 0;
      downmix (buf, (gsize) got, info.channels, mono);
      if (!sink_push (&sk, mono, (gsize) got, last, cancellable, error) ||
          g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          sink_clear (&sk);
          sf_close (sf);
          return NULL;
        }
      if (last)
        break;
    }

  if (sf_error (sf) != SF_ERR_NO_ERROR)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                   _("Cannot decode audio file “%s”: %s"), name, sf_strerror (sf));
      sink_clear (&sk);
      sf_close (sf);
      return NULL;
    }
  sf_close (sf);

  if (sk.n_in == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO,
                   _("Audio file “%s” contains no samples"), name);
      sink_clear (&sk);
      return NULL;
    }
  return sink_finish (&sk, info.samplerate, info.channels);
}
