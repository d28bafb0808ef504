/* attn-marian.c — MarianMTModel: a post-layer-norm encoder–decoder with sinusoidal
 * positions, scaled and shared embeddings, and SentencePiece source/target tokenizers. */
#include "attn-seq2seq.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

typedef struct {
  AttnS2S  s;
  float   *enc_embed;     /* [vocab, d] */
  float   *enc_pos;       /* [max_src, d] */
  GArray  *suppress;      /* gint32: bad_words_ids of length 1 */
  int      default_max_length;
} Marian;

static void
marian_free (gpointer p)
{
  Marian *m = p;
  attn_s2s_free (&m->s);
  g_clear_pointer (&m->suppress, g_array_unref);
  g_free (m);
}

void
attn_read_suppressed (JsonObject *cfg, GArray *out)
{
  static const char *keys[] = { "bad_words_ids", "suppress_tokens" };
  for (guint k = 0; cfg && k < G_N_ELEMENTS (keys); k++)
    {
      JsonNode *n = json_object_get_member (cfg, keys[k]);
      JsonArray *a = (n && JSON_NODE_HOLDS_ARRAY (n)) ? json_node_get_array (n) : NULL;
      for (guint i = 0; a && i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          if (JSON_NODE_HOLDS_ARRAY (e) && json_array_get_length (json_node_get_array (e)) == 1)
            e = json_array_get_element (json_node_get_array (e), 0);
          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_INT64)
            {
              gint32 id = json_node_get_int (e);
              g_array_append_val (out, id);
            }
        }
    }
}

static gboolean
marian_load (AttnModel *model, AttnCheckpoint *ckpt, GError **error)
{
  JsonObject *cfg = model->config;
  const char *file = model->config_path;
  Marian *m = g_new0 (Marian, 1);
  AttnS2S *s = &m->s;
  gint64 max_pos, d, vocab;
  gint64 s2[2];

  model->arch = m;
  m->suppress = g_array_new (FALSE, FALSE, sizeof (gint32));
  if (!attn_s2s_read_config (model, s, error) ||
      !attn_config_int (cfg, file, &max_pos, 1, 1 << 20, error, "max_position_embeddings", NULL))
    return FALSE;
  if (attn_config_int_or (cfg, "decoder_vocab_size", s->vocab) != s->vocab ||
      !attn_config_bool_or (cfg, "share_encoder_decoder_embeddings", TRUE))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED,
                   _("%s: separate encoder and decoder vocabularies are not supported"), file);
      return FALSE;
    }
  if (attn_config_bool_or (cfg, "normalize_before", FALSE))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, _("%s: pre-layer-norm Marian models are not supported"), file);
      return FALSE;
    }
  d = s->d;
  vocab = s->vocab;
  s->max_src = max_pos;
  s->max_tgt = max_pos;
  s->pre_norm = FALSE;

  s2[0] = vocab; s2[1] = d;
  {
    const char *emb = attn_checkpoint_find (ckpt, "model.shared.weight") ? "model.shared.weight"
                      : "model.decoder.embed_tokens.weight";
    if (!(s->dec_embed = attn_model_read (model, ckpt, emb, 2, s2, error)))
      return FALSE;
  }
  m->enc_embed = s->dec_embed;
  m->enc_pos = attn_model_alloc (model, (gsize) max_pos * d);
  attn_sinusoidal_positions (m->enc_pos, max_pos, d);
  s->dec_pos = m->enc_pos;
  if (!attn_s2s_read_layers (model, ckpt, s, "model.", 1e-5f, error))
    return FALSE;
  if (!attn_s2s_read_lm_head (model, ckpt, s, "lm_head", error))
    return FALSE;
  {
    gint64 fb[2] = { 1, vocab };
    GError *local = NULL;
    s->final_logits_bias = attn_model_read_optional (model, ckpt, "final_logits_bias", 2, fb, &local);
    if (local)
      {
        g_propagate_error (error, local);
        return FALSE;
      }
  }
  attn_read_suppressed (model->generation_config, m->suppress);
  m->default_max_length = attn_config_int_or (model->generation_config, "max_length",
                                              attn_config_int_or (cfg, "max_length", 20));

  model->modality = ATTN_MODALITY_TRANSLATION;
  model->encoder_decoder = TRUE;
  model->n_layers = s->enc_layers;
  model->n_heads = s->enc_heads;
  model->n_dec_layers = s->dec_layers;
  model->n_dec_heads = s->dec_heads;
  model->max_positions = max_pos;
  model->kinds = ATTN_KIND_MASK (ATTN_KIND_ENCODER) | ATTN_KIND_MASK (ATTN_KIND_DECODER) | ATTN_KIND_MASK (ATTN_KIND_CROSS);
  model->tokenizer = attn_tokenizer_load (model->dir, ATTN_TOKENIZER_SOURCE, NULL);
  model->target_tokenizer = attn_tokenizer_load (model->dir, ATTN_TOKENIZER_TARGET, NULL);
  return TRUE;
}

static AttnResult *
marian_run (AttnModel *model, const AttnInput *in, const AttnRunOptions *opt, AttnRunCtx *ctx, GError **error)
{
  Marian *m = model->arch;
  AttnS2S *s = &m->s;
  g_autoptr(AttnResult) r = attn_model_result_new (model);
  g_autoptr(AttnEncoding) src = NULL, tgt = NULL;
  ATTN_BUF x = NULL;
  g_autofree gint32 *dec_ids = NULL;
  AttnS2SEncoded *enc = NULL;
  const gint32 *ids;
  const char *source = in->source ? in->source : in->text;
  int T, n_dec = 0, D = s->d;
  guint kinds = opt->kinds_mask ? opt->kinds_mask : ATTN_KIND_MASK_ALL;
  AttnDecodeParams params = { 0 };
  gboolean ok;

  if (in->input_ids != NULL)
    {
      ids = in->input_ids;
      T = in->n_input_ids;
    }
  else
    {
      if (source == NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s needs a source sentence"), model->name);
          return NULL;
        }
      src = attn_model_encode (model, model->tokenizer, source, NULL, TRUE, error);
      if (src == NULL)
        return NULL;
      ids = src->ids;
      T = src->len;
    }
  if (T < 1 || T > s->max_src)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The source has %d tokens; %s accepts 1 to %d"),
                   T, model->name, s->max_src);
      return NULL;
    }
  for (int t = 0; t < T; t++)
    if (ids[t] < 0 || ids[t] >= s->vocab)
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("Token id %d is outside the vocabulary (%d)"), ids[t], s->vocab);
        return NULL;
      }
  /* the decoder input of a forced pass: start token + target (without its </s>) */
  if (in->decoder_ids != NULL)
    {
      n_dec = in->n_decoder_ids;
      dec_ids = g_memdup2 (in->decoder_ids, MAX (n_dec, 1) * sizeof (gint32));
    }
  else if (in->target != NULL && in->target[0] != '\0')
    {
      tgt = attn_model_encode (model, model->target_tokenizer, in->target, NULL, TRUE, error);
      if (tgt == NULL)
        return NULL;
      n_dec = tgt->len;   /* start + target − the final </s> */
      dec_ids = g_new (gint32, n_dec);
      dec_ids[0] = s->decoder_start;
      memcpy (dec_ids + 1, tgt->ids, (n_dec - 1) * sizeof (gint32));
    }
  if (dec_ids != NULL && n_dec < 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The decoder input is empty"));
      return NULL;
    }

  attn_model_fill_tokens (model->tokenizer, &r->input, ids, T);
  x = g_new (float, (gsize) T * D);
  for (int t = 0; t < T; t++)
    for (int i = 0; i < D; i++)
      x[(gsize) t * D + i] = m->enc_embed[(gsize) ids[t] * D + i] * s->embed_scale + m->enc_pos[(gsize) t * D + i];
  if (kinds & ATTN_KIND_MASK (ATTN_KIND_ENCODER))
    {
      r->attention[ATTN_KIND_ENCODER] = attn_weights_new_uninit (s->enc_layers, s->enc_heads, T, T);
      r->value_norms[ATTN_KIND_ENCODER] = attn_weights_new_uninit (s->enc_layers, s->enc_heads, 1, T);
    }
  enc = attn_s2s_encode (s, x, T, r->attention[ATTN_KIND_ENCODER] ? r->attention[ATTN_KIND_ENCODER]->data : NULL,
                         r->value_norms[ATTN_KIND_ENCODER] ? r->value_norms[ATTN_KIND_ENCODER]->data : NULL,
                         ctx, 0.0, 0.3, error);
  if (enc == NULL)
    return NULL;

  attn_s2s_decode_params (s, opt, ctx, m->default_max_length - 1, 0.3, 0.9, &params);
  params.forced_eos = attn_config_int_or (model->generation_config, "forced_eos_token_id",
                                          attn_config_int_or (model->config, "forced_eos_token_id", -1));
  params.suppress = (const gint32 *) m->suppress->data;
  params.n_suppress = m->suppress->len;
  ok = attn_s2s_generate (s, enc, &s->decoder_start, 1, &params, r, model->target_tokenizer, ctx, error);
  if (ok)
    {
      r->generated_text = model->target_tokenizer
                          ? attn_tokenizer_decode (model->target_tokenizer, r->generated.ids, r->generated.len, TRUE)
                          : g_strdup ("");
      if (dec_ids == NULL)
        {
          /* record the generated sequence: one decoder row per generated token */
          n_dec = r->generated.len;
          dec_ids = g_new (gint32, MAX (n_dec, 1));
          dec_ids[0] = s->decoder_start;
          if (n_dec > 1)
            memcpy (dec_ids + 1, r->generated.ids, (n_dec - 1) * sizeof (gint32));
          n_dec = MAX (n_dec, 1);
        }
      else
        r->target_forced = TRUE;
      r->decoder_prompt_len = 1;
      ok = attn_s2s_record (s, enc, dec_ids, n_dec, kinds, r, model->target_tokenizer, ctx, error);
    }
  attn_s2s_encoded_free (s, enc);
  if (!ok)
    return NULL;
  return g_steal_pointer (&r);
}

const AttnArchClass attn_arch_marian = {
  .name = "marian",
  .load = marian_load,
  .free_arch = marian_free,
  .run = marian_run,
};
