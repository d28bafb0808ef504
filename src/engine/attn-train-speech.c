/* attn-train-speech.c — the speech side of corpus training (Whisper): each clip's
 * log-mel features computed as the inference engine computes them (one window of
 * window_seconds, attn_log_mel_window_sized), Whisper's prompt found in the tokenizer,
 * batches whose decoder input is the prompt and the transcript and whose labels are the
 * transcript and <|endoftext|> (the prompt's own positions are not scored), and greedy
 * transcripts for the trainer's predictions. */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "attn-audio.h"
#include "attn-error.h"
#include "attn-train-corpus-private.h"

#define IGNORE_LABEL (-1)

/* The log-mel features of the first window of an audio file into mel [n_mels, frames]
 * (NULL: only read the file); *n_samples (may be NULL) gets its length at 16 kHz. */
static gboolean
clip_features (AttnCorpus *c, const char *path, float *mel, gsize *n_samples, GError **error)
{
  g_autoptr (AttnAudio) audio = attn_audio_load (path, NULL, error);
  g_autofree float *m = NULL;

  if (audio == NULL)
    return FALSE;
  if (n_samples != NULL)
    *n_samples = audio->n_samples;
  if (mel == NULL)
    return TRUE;
  m = attn_log_mel_window_sized (audio->samples, audio->n_samples, 0, c->window, c->n_mels, error);
  if (m == NULL)
    return FALSE;
  memcpy (mel, m, sizeof (float) * c->n_mels * (c->window / ATTN_HOP_LENGTH));
  return TRUE;
}

/* A vocal-tract-length perturbation done on the mel axis: bin m takes the value at m / α
 * (linear interpolation; from the top bin beyond it), for every frame. α > 1 moves the
 * spectrum up, as a shorter vocal tract does; α < 1 down. */
static void
warp_mel_axis (float *mel, int n_mels, int frames, double alpha)
{
  g_autofree float *from = g_memdup2 (mel, sizeof (float) * n_mels * frames);

  for (int m = 0; m < n_mels; m++)
    {
      double src = MIN (m / alpha, n_mels - 1);
      int i = MIN ((int) src, n_mels - 2);
      float f = (float) (src - i);
      const float *lo = from + (gsize) i * frames, *hi = lo + frames;
      float *out = mel + (gsize) m * frames;
      for (int t = 0; t < frames; t++)
        out[t] = (1.0f - f) * lo[t] + f * hi[t];
    }
}

void
attn_spec_augment (float *mel, int n_mels, int frames, int used, const AttnSpecAugment *sa,
                   guint64 seed)
{
  AttnRng rng;
  double sum = 0;
  float mean;

  used = CLAMP (used, 0, frames);
  if (used == 0 || (sa->freq_masks == 0 && sa->time_masks == 0 && sa->freq_warp == 0))
    return;
  if (sa->freq_warp > 0 && n_mels > 1)
    {
      /* its own stream, so that the masks of a recipe without a warp stay as they were */
      attn_rng_seed (&rng, seed ^ G_GUINT64_CONSTANT (0x5EED0F3A4B1C7D29));
      warp_mel_axis (mel, n_mels, frames, 1.0 + sa->freq_warp * (2.0 * attn_rng_uniform (&rng) - 1.0));
    }
  for (int m = 0; m < n_mels; m++)
    for (int t = 0; t < used; t++)
      sum += mel[(gsize) m * frames + t];
  mean = (float) (sum / ((double) n_mels * used));
  attn_rng_seed (&rng, seed);
  for (int k = 0; k < sa->freq_masks; k++)
    {
      int w = attn_rng_int (&rng, MIN (sa->freq_width, n_mels - 1) + 1);
      int m0 = attn_rng_int (&rng, n_mels - w + 1);
      for (int m = m0; m < m0 + w; m++)
        for (int t = 0; t < frames; t++)
          mel[(gsize) m * frames + t] = mean;
    }
  for (int k = 0; k < sa->time_masks; k++)
    {
      int w = attn_rng_int (&rng, MIN (sa->time_width, used / 5) + 1);
      int t0 = attn_rng_int (&rng, used - w + 1);
      for (int m = 0; m < n_mels; m++)
        for (int t = t0; t < t0 + w; t++)
          mel[(gsize) m * frames + t] = mean;
    }
}

gboolean
attn_corpus_read_clip (AttnCorpus *c, const AttnTrainConfig *cfg, const char *tsv, int line,
                       const char *file, const char *transcript, gboolean dev, GError **error)
{
  g_autofree char *tsv_abs = g_canonicalize_filename (tsv, NULL);
  g_autofree char *folder = g_path_get_dirname (tsv_abs);
  g_autofree char *audio = g_canonicalize_filename (file, folder);
  g_autoptr (GArray) t = NULL;
  Pairs *p = dev ? &c->dev : &c->train;
  int room = cfg->max_tokens - c->prompt.n_prompt;
  gsize n_samples;

  if (!clip_features (c, audio, NULL, &n_samples, error)
      || (t = attn_corpus_encode (c, transcript, error)) == NULL)
    {
      g_prefix_error (error, _("%s:%d: "), tsv, line);
      return FALSE;
    }
  if (dev)
    {
      g_array_set_size (t, MIN (t->len, (guint) room));
      g_ptr_array_add (c->dev_refs, g_strdup (transcript));
    }
  else if (n_samples > c->window || (int) t->len > room)
    {
      c->info.n_too_long++;
      return TRUE;
    }
  attn_pairs_add (p, NULL, 0, (gint32 *) t->data, t->len);
  g_ptr_array_add (dev ? c->dev_audio : c->train_audio, g_steal_pointer (&audio));
  if (!dev)
    c->info.train_tokens += t->len + 1;
  return TRUE;
}

gboolean
attn_corpus_speech_init (AttnCorpus *c, const char *tok_path, GError **error)
{
  static const char *const names[] = { "<|startoftranscript|>", "<|en|>", "<|transcribe|>",
                                       "<|notimestamps|>", "<|endoftext|>" };
  AttnWhisperTrainConfig *w = &c->prompt;
  gint32 ids[G_N_ELEMENTS (names)];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if ((ids[i] = attn_tokenizer_token_to_id (c->tok, names[i])) < 0)
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                     _("%s has no %s token; build a Whisper tokenizer with attn-cli tokenizer --kind bpe "
                     "--special '<|startoftranscript|>' --special '<|en|>' --special '<|transcribe|>' "
                     "--special '<|notimestamps|>' (see docs/training.md)"), tok_path, names[i]);
        return FALSE;
      }
  memcpy (w->prompt, ids, sizeof (gint32) * 4);
  w->n_prompt = 4;
  w->lang_id = ids[1];
  w->task_id = ids[2];
  w->no_timestamps_id = ids[3];
  w->eos_id = ids[4];
  c->eos = c->pad = ids[4];
  c->bos = ids[0];
  return TRUE;
}

gboolean
attn_corpus_whisper_prompt (AttnCorpus *c, AttnWhisperTrainConfig *wc)
{
  if (!c->speech)
    return FALSE;
  memcpy (wc->prompt, c->prompt.prompt, sizeof wc->prompt);
  wc->n_prompt = c->prompt.n_prompt;
  wc->lang_id = c->prompt.lang_id;
  wc->task_id = c->prompt.task_id;
  wc->no_timestamps_id = c->prompt.no_timestamps_id;
  return TRUE;
}

gboolean
attn_corpus_fill_speech (AttnCorpus *c, const Pairs *p, const int *idx, int B, AttnBatch *batch,
                         GError **error)
{
  GPtrArray *audio = p == &c->dev ? c->dev_audio : c->train_audio;
  int np = c->prompt.n_prompt, frames = (int) (c->window / ATTN_HOP_LENGTH), T = frames / 2;
  int Tt = np, n = 0;

  for (int b = 0; b < B; b++)
    if (idx[b] >= 0)
      {
        Tt = MAX (Tt, np + P_INT (p->tgt_n, idx[b]));
        n++;
      }
  attn_batch_reserve (batch, n, T, Tt);
  attn_batch_reserve_feats (batch, c->n_mels, frames);
  n = 0;
  for (int b = 0; b < B; b++)
    {
      int i = idx[b], nt;
      const gint32 *t;
      gint32 *ti = batch->tgt_in + (gsize) n * Tt;
      gint32 *to = batch->tgt_out + (gsize) n * Tt;
      float *mel = batch->feats + (gsize) n * c->n_mels * frames;
      gsize n_samples;
      if (i < 0)
        continue;
      if (!clip_features (c, g_ptr_array_index (audio, i), mel, &n_samples, error))
        return FALSE;
      if (p == &c->train)
        attn_spec_augment (mel, c->n_mels, frames,
                           (int) ((n_samples + ATTN_HOP_LENGTH - 1) / ATTN_HOP_LENGTH), &c->spec,
                           c->seed ^ ((guint64) c->step * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15))
                           ^ ((guint64) (b + 1) << 40));
      nt = P_INT (p->tgt_n, i);
      t = P_IDS (p) + P_INT (p->tgt_off, i);
      for (int j = 0; j < Tt; j++)
        {
          int k = j - (np - 1);   /* the label at j is transcript token k */
          ti[j] = j < np ? c->prompt.prompt[j] : j < np + nt ? t[j - np] : c->eos;
          to[j] = k < 0 ? IGNORE_LABEL : k < nt ? t[k] : k == nt ? c->eos : IGNORE_LABEL;
        }
      for (int j = 0; j < T; j++)
        batch->src[(gsize) n * T + j] = c->pad;
      batch->src_len[n] = T;
      batch->tgt_len[n] = np + nt;
      n++;
    }
  return TRUE;
}

char *
attn_corpus_transcribe (AttnCorpus *c, AttnTrainModel *m, const char *path, GError **error)
{
  int frames = (int) (c->window / ATTN_HOP_LENGTH), L;
  g_autofree gint32 *out = NULL;
  AttnBatch b = { 0 };
  char *text = NULL;

  attn_batch_reserve (&b, 1, frames / 2, c->prompt.n_prompt);
  attn_batch_reserve_feats (&b, c->n_mels, frames);
  if (clip_features (c, path, b.feats, NULL, error))
    {
      L = attn_corpus_max_output (c, &b);
      out = g_new (gint32, L);
      attn_train_model_greedy (m, &b, L, out);
      text = attn_corpus_decode_output (c, out, L);
    }
  attn_batch_clear (&b);
  return text;
}
