/* attn-whisper.c — WhisperForConditionalGeneration: a log-mel front end with two
 * convolutions, a pre-layer-norm encoder over 1500 positions per 30 s window, and a
 * decoder prompted with Whisper's special tokens. Long audio runs window by window.
 *
 * A model with fewer encoder positions (max_source_positions N, a multiple of 50)
 * reads windows of N / 50 seconds, as transformers does when the feature extractor's
 * chunk_length is N / 50: the encoder's input must be 2N mel frames there too. */
#include "attn-seq2seq.h"
#include "attn-audio.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

typedef struct {
  AttnS2S  s;
  int      n_mels;
  float   *conv1_w, *conv1_b, *conv2_w, *conv2_b;
  float   *enc_pos;       /* [max_src, d] */
  GArray  *prompt;        /* gint32: start token, language, task, no-timestamps */
  GArray  *suppress, *begin_suppress;
  GArray  *align_heads;   /* int pairs: layer, head */
  int      max_length;
  gsize    window;        /* samples per window: 320 × max_source_positions */
} Whisper;

static void
whisper_free (gpointer p)
{
  Whisper *w = p;
  attn_s2s_free (&w->s);
  g_clear_pointer (&w->prompt, g_array_unref);
  g_clear_pointer (&w->suppress, g_array_unref);
  g_clear_pointer (&w->begin_suppress, g_array_unref);
  g_clear_pointer (&w->align_heads, g_array_unref);
  g_free (w);
}

static gint32
lookup_id (JsonObject *gen, const char *map, const char *key)
{
  JsonNode *n = gen ? json_object_get_member (gen, map) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return -1;
  return attn_config_int_or (json_node_get_object (n), key, -1);
}

/* The decoder prompt: forced_decoder_ids where given, else start + <|en|> + <|transcribe|>
 * (multilingual models) + <|notimestamps|>. */
static void
build_prompt (Whisper *w, JsonObject *gen, JsonObject *cfg)
{
  JsonNode *forced = gen ? json_object_get_member (gen, "forced_decoder_ids") : NULL;
  gint32 id = w->s.decoder_start, nots;
  g_array_append_val (w->prompt, id);
  if (forced && JSON_NODE_HOLDS_ARRAY (forced))
    {
      JsonArray *a = json_node_get_array (forced);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          JsonArray *pair = JSON_NODE_HOLDS_ARRAY (e) ? json_node_get_array (e) : NULL;
          if (pair && json_array_get_length (pair) == 2 && json_array_get_int_element (pair, 0) == (gint64) w->prompt->len)
            {
              id = json_array_get_int_element (pair, 1);
              if (id >= 0 && id < w->s.vocab)
                g_array_append_val (w->prompt, id);
            }
        }
      return;
    }
  if (attn_config_bool_or (gen, "is_multilingual", FALSE))
    {
      id = lookup_id (gen, "lang_to_id", "<|en|>");
      if (id >= 0 && id < w->s.vocab)
        g_array_append_val (w->prompt, id);
      id = lookup_id (gen, "task_to_id", "transcribe");
      if (id >= 0 && id < w->s.vocab)
        g_array_append_val (w->prompt, id);
    }
  nots = attn_config_int_or (gen, "no_timestamps_token_id", -1);
  if (nots >= 0 && nots < w->s.vocab)
    g_array_append_val (w->prompt, nots);
  (void) cfg;
}

/* generation_config's "alignment_heads" ([[layer, head], …]); without them, every head of
 * the second half of the decoder's layers, as OpenAI's implementation does. */
static void
read_alignment_heads (Whisper *w, JsonObject *gen)
{
  JsonNode *n = gen ? json_object_get_member (gen, "alignment_heads") : NULL;
  JsonArray *a = (n && JSON_NODE_HOLDS_ARRAY (n)) ? json_node_get_array (n) : NULL;
  w->align_heads = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; a && i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonArray *p = JSON_NODE_HOLDS_ARRAY (e) ? json_node_get_array (e) : NULL;
      int l, h;
      if (p == NULL || json_array_get_length (p) != 2)
        continue;
      l = json_array_get_int_element (p, 0);
      h = json_array_get_int_element (p, 1);
      if (l < 0 || l >= w->s.dec_layers || h < 0 || h >= w->s.dec_heads)
        continue;
      g_array_append_val (w->align_heads, l);
      g_array_append_val (w->align_heads, h);
    }
  if (w->align_heads->len == 0)
    for (int l = w->s.dec_layers / 2; l < w->s.dec_layers; l++)
      for (int h = 0; h < w->s.dec_heads; h++)
        {
          g_array_append_val (w->align_heads, l);
          g_array_append_val (w->align_heads, h);
        }
}

static gboolean
whisper_load (AttnModel *model, AttnCheckpoint *ckpt, GError **error)
{
  JsonObject *cfg = model->config;
  const char *file = model->config_path;
  Whisper *w = g_new0 (Whisper, 1);
  AttnS2S *s = &w->s;
  gint64 d, vocab, mels, max_src, max_tgt;
  gint64 sh[3];

  model->arch = w;
  w->prompt = g_array_new (FALSE, FALSE, sizeof (gint32));
  w->suppress = g_array_new (FALSE, FALSE, sizeof (gint32));
  w->begin_suppress = g_array_new (FALSE, FALSE, sizeof (gint32));
  if (!attn_s2s_read_config (model, s, error) ||
      !attn_config_int (cfg, file, &mels, 1, 1024, error, "num_mel_bins", NULL) ||
      !attn_config_int (cfg, file, &max_src, 1, 1 << 20, error, "max_source_positions", NULL) ||
      !attn_config_int (cfg, file, &max_tgt, 1, 1 << 20, error, "max_target_positions", NULL))
    return FALSE;
  d = s->d;
  vocab = s->vocab;
  if (mels != 80 && mels != 128)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, _("%s: %" PRId64 " mel bins are not supported (80 or 128)"),
                   file, mels);
      return FALSE;
    }
  if (max_src * 2 > ATTN_CHUNK_FRAMES || max_src % 50 != 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED,
                   _("%s: max_source_positions must be a multiple of 50 up to 1500 (windows of whole "
                   "seconds up to 30 s), not %" PRId64), file, max_src);
      return FALSE;
    }
  w->window = (gsize) max_src * 2 * ATTN_HOP_LENGTH;
  s->max_src = max_src;
  s->max_tgt = max_tgt;
  s->pre_norm = TRUE;
  s->pad = attn_config_int_or (cfg, "pad_token_id", s->eos);
  w->n_mels = mels;

  sh[0] = d; sh[1] = mels; sh[2] = 3;
  if (!(w->conv1_w = attn_model_read (model, ckpt, "model.encoder.conv1.weight", 3, sh, error)))
    return FALSE;
  sh[1] = d;
  if (!(w->conv2_w = attn_model_read (model, ckpt, "model.encoder.conv2.weight", 3, sh, error)))
    return FALSE;
  if (!(w->conv1_b = attn_model_read (model, ckpt, "model.encoder.conv1.bias", 1, sh, error)) ||
      !(w->conv2_b = attn_model_read (model, ckpt, "model.encoder.conv2.bias", 1, sh, error)))
    return FALSE;
  sh[0] = max_src; sh[1] = d;
  if (!(w->enc_pos = attn_model_read (model, ckpt, "model.encoder.embed_positions.weight", 2, sh, error)))
    return FALSE;
  sh[0] = max_tgt;
  if (!(s->dec_pos = attn_model_read (model, ckpt, "model.decoder.embed_positions.weight", 2, sh, error)))
    return FALSE;
  sh[0] = vocab;
  if (!(s->dec_embed = attn_model_read (model, ckpt, "model.decoder.embed_tokens.weight", 2, sh, error)))
    return FALSE;
  if (!attn_s2s_read_layers (model, ckpt, s, "model.", 1e-5f, error) ||
      !attn_model_read_layer_norm (model, ckpt, "model.encoder.layer_norm", d, 1e-5f, &s->enc_final_ln, error) ||
      !attn_model_read_layer_norm (model, ckpt, "model.decoder.layer_norm", d, 1e-5f, &s->dec_final_ln, error))
    return FALSE;
  if (!attn_s2s_read_lm_head (model, ckpt, s, "proj_out", error))
    return FALSE;
  build_prompt (w, model->generation_config, cfg);
  attn_read_suppressed (model->generation_config ? model->generation_config : cfg, w->suppress);
  {
    JsonObject *src = model->generation_config ? model->generation_config : cfg;
    JsonNode *n = json_object_get_member (src, "begin_suppress_tokens");
    JsonArray *a = (n && JSON_NODE_HOLDS_ARRAY (n)) ? json_node_get_array (n) : NULL;
    for (guint i = 0; a && i < json_array_get_length (a); i++)
      {
        gint32 id = json_array_get_int_element (a, i);
        g_array_append_val (w->begin_suppress, id);
      }
  }
  w->max_length = attn_config_int_or (model->generation_config, "max_length", max_tgt);
  read_alignment_heads (w, model->generation_config);

  model->modality = ATTN_MODALITY_SPEECH;
  model->encoder_decoder = TRUE;
  model->n_layers = s->enc_layers;
  model->n_heads = s->enc_heads;
  model->n_dec_layers = s->dec_layers;
  model->n_dec_heads = s->dec_heads;
  model->max_positions = max_tgt;
  model->kinds = ATTN_KIND_MASK (ATTN_KIND_ENCODER) | ATTN_KIND_MASK (ATTN_KIND_DECODER) | ATTN_KIND_MASK (ATTN_KIND_CROSS);
  model->tokenizer = attn_tokenizer_load (model->dir, ATTN_TOKENIZER_SOURCE, NULL);
  return TRUE;
}

/* Log-mel [n_mels, 2 max_src] → encoder input [max_src, d] (conv, GELU, conv stride 2,
 * GELU, + positions). */
static float *
front_end (Whisper *w, const float *mel)
{
  int D = w->s.d, T1 = 2 * w->s.max_src, T2 = T1 / 2;
  ATTN_BUF col = attn_alloc_floats ((gsize) T1 * MAX (w->n_mels, D) * 3, FALSE);
  ATTN_BUF h1 = attn_alloc_floats ((gsize) T1 * D, FALSE);
  float *h2 = attn_alloc_floats ((gsize) T2 * D, FALSE);
  attn_conv1d_k3 (mel, TRUE, w->n_mels, T1, w->conv1_w, w->conv1_b, D, 1, col, h1);
  attn_activate (ATTN_ACT_GELU, h1, (gsize) T1 * D);
  attn_conv1d_k3 (h1, FALSE, D, T1, w->conv2_w, w->conv2_b, D, 2, col, h2);
  attn_activate (ATTN_ACT_GELU, h2, (gsize) T2 * D);
  attn_add_inplace (h2, w->enc_pos, (gsize) T2 * D);
  return h2;
}

static AttnResult *
whisper_run (AttnModel *model, const AttnInput *in, const AttnRunOptions *opt, AttnRunCtx *ctx, GError **error)
{
  Whisper *w = model->arch;
  AttnS2S *s = &w->s;
  g_autoptr(AttnResult) r = attn_model_result_new (model);
  g_autoptr(AttnAudio) audio = NULL;
  g_autoptr(GArray) all_ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GString) text = g_string_new (NULL);
  const float *samples;
  gsize n_samples;
  guint n_windows, kinds = opt->kinds_mask ? opt->kinds_mask : ATTN_KIND_MASK_ALL;
  gint32 *dec_ids = NULL;
  g_autofree gint32 *forced_ids = NULL;
  int n_dec = 0, forced_prompt = 1;   /* the forced ids' leading prompt tokens */

  if (in->audio_samples != NULL)
    {
      samples = in->audio_samples;
      n_samples = in->n_audio_samples;
    }
  else if (in->audio_path != NULL)
    {
      audio = attn_audio_load (in->audio_path, ctx->cancellable, error);
      if (audio == NULL)
        return NULL;
      samples = audio->samples;
      n_samples = audio->n_samples;
    }
  else
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s needs audio"), model->name);
      return NULL;
    }
  if (n_samples == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_AUDIO, _("The audio is empty"));
      return NULL;
    }
  if (in->decoder_ids != NULL)
    {
      if (in->n_decoder_ids < 1)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The decoder input is empty"));
          return NULL;
        }
      dec_ids = (gint32 *) in->decoder_ids;
      n_dec = in->n_decoder_ids;
    }
  else if (in->target != NULL && in->target[0] != '\0')
    {
      /* a transcript to force: the prompt, then its tokens (no end token) */
      g_autoptr(AttnEncoding) tgt = attn_model_encode (model, model->tokenizer, in->target, NULL, FALSE, error);
      if (tgt == NULL)
        return NULL;
      n_dec = w->prompt->len + tgt->len;
      if (n_dec > s->max_tgt)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                       _("The transcript has %u tokens, but %s's decoder takes at most %d after its prompt"),
                       tgt->len, model->name, s->max_tgt - (int) w->prompt->len);
          return NULL;
        }
      forced_ids = g_new (gint32, n_dec);
      memcpy (forced_ids, w->prompt->data, w->prompt->len * sizeof (gint32));
      memcpy (forced_ids + w->prompt->len, tgt->ids, tgt->len * sizeof (gint32));
      dec_ids = forced_ids;
      forced_prompt = w->prompt->len;
    }
  r->audio_seconds = n_samples / (double) ATTN_SAMPLE_RATE;
  n_windows = attn_audio_n_windows_sized (n_samples, w->window);
  for (guint win = 0; win < n_windows; win++)
    {
      double f0 = (double) win / n_windows, f1 = (win + 1.0) / n_windows;
      g_autofree float *mel = attn_log_mel_window_sized (samples, n_samples, (gsize) win * w->window, w->window,
                                                         w->n_mels, error);
      ATTN_BUF x = NULL;
      g_autoptr(AttnResult) part = attn_result_new ();
      AttnS2SEncoded *enc;
      AttnDecodeParams params = { 0 };
      gboolean first = win == 0, ok;

      if (mel == NULL)
        return NULL;
      if (!attn_run_ctx_check (ctx, error))
        return NULL;
      x = front_end (w, mel);
      if (!attn_run_ctx_check (ctx, error))
        return NULL;
      if (first && (kinds & ATTN_KIND_MASK (ATTN_KIND_ENCODER)))
        {
          r->attention[ATTN_KIND_ENCODER] = attn_weights_new_uninit (s->enc_layers, s->enc_heads, s->max_src, s->max_src);
          r->value_norms[ATTN_KIND_ENCODER] = attn_weights_new_uninit (s->enc_layers, s->enc_heads, 1, s->max_src);
        }
      enc = attn_s2s_encode (s, x, s->max_src, first && r->attention[ATTN_KIND_ENCODER] ? r->attention[ATTN_KIND_ENCODER]->data : NULL,
                             first && r->value_norms[ATTN_KIND_ENCODER] ? r->value_norms[ATTN_KIND_ENCODER]->data : NULL,
                             ctx, f0, f0 + 0.6 * (f1 - f0), error);
      if (enc == NULL)
        return NULL;
      attn_s2s_decode_params (s, opt, ctx, MIN (w->max_length, s->max_tgt) - (int) w->prompt->len,
                              f0 + 0.6 * (f1 - f0), f1, &params);
      params.suppress = (const gint32 *) w->suppress->data;
      params.n_suppress = w->suppress->len;
      params.begin_suppress = (const gint32 *) w->begin_suppress->data;
      params.n_begin_suppress = w->begin_suppress->len;
      ok = attn_s2s_generate (s, enc, (const gint32 *) w->prompt->data, w->prompt->len, &params, part,
                              model->tokenizer, ctx, error);
      if (ok && first)
        {
          /* the recorded pass: the given decoder ids, or the prompt + what was generated */
          g_autofree gint32 *gen_ids = NULL;
          if (dec_ids == NULL)
            {
              n_dec = w->prompt->len + MAX ((int) part->generated.len - 1, 0);
              gen_ids = g_new (gint32, n_dec);
              memcpy (gen_ids, w->prompt->data, w->prompt->len * sizeof (gint32));
              if (part->generated.len > 1)
                memcpy (gen_ids + w->prompt->len, part->generated.ids, (part->generated.len - 1) * sizeof (gint32));
            }
          else
            r->target_forced = TRUE;
          r->decoder_prompt_len = dec_ids ? forced_prompt : (int) w->prompt->len;
          r->n_alignment_heads = w->align_heads->len / 2;
          r->alignment_heads = g_memdup2 (w->align_heads->data, MAX (w->align_heads->len, 1) * sizeof (int));
          ok = attn_s2s_record (s, enc, dec_ids ? dec_ids : gen_ids, n_dec, kinds, r, model->tokenizer, ctx, error);
          r->mel_bins = w->n_mels;
          r->mel_frames = 2 * s->max_src;
          r->mel = g_steal_pointer (&mel);
          /* the first window's per-token probabilities and alternatives */
          r->generated_probs = g_steal_pointer (&part->generated_probs);
          r->alt_ids = g_steal_pointer (&part->alt_ids);
          r->alt_probs = g_steal_pointer (&part->alt_probs);
          g_array_append_vals (r->beam, part->beam->data, part->beam->len);
          r->length_penalty = part->length_penalty;
        }
      attn_s2s_encoded_free (s, enc);
      if (!ok)
        return NULL;
      g_array_append_vals (all_ids, part->generated.ids, part->generated.len);
      if (model->tokenizer)
        {
          g_autofree char *t = attn_tokenizer_decode (model->tokenizer, part->generated.ids, part->generated.len, TRUE);
          g_string_append (text, t);
        }
    }
  attn_model_fill_tokens (model->tokenizer, &r->input, (const gint32 *) w->prompt->data, 0);
  attn_model_fill_tokens (model->tokenizer, &r->generated, (const gint32 *) all_ids->data, all_ids->len);
  if (n_windows > 1)
    {
      /* per-token details cover the first window only; keep the arrays consistent */
      g_clear_pointer (&r->generated_probs, g_free);
      g_clear_pointer (&r->alt_ids, g_free);
      g_clear_pointer (&r->alt_probs, g_free);
    }
  r->generated_text = g_string_free (g_steal_pointer (&text), FALSE);
  r->output_kind = ATTN_OUTPUT_GENERATED;
  return g_steal_pointer (&r);
}

const AttnArchClass attn_arch_whisper = {
  .name = "whisper",
  .load = whisper_load,
  .free_arch = whisper_free,
  .run = whisper_run,
};
