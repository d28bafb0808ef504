/* attn-seq2seq.c — the encoder–decoder Transformer shared by Marian and Whisper. */
#include "attn-seq2seq.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

static gboolean
read_mha (AttnModel *model, AttnCheckpoint *ckpt, const char *prefix, int d, gboolean cross, AttnMha *m,
          GError **error)
{
  g_autofree char *q = g_strconcat (prefix, ".q_proj", NULL);
  g_autofree char *k = g_strconcat (prefix, ".k_proj", NULL);
  g_autofree char *v = g_strconcat (prefix, ".v_proj", NULL);
  g_autofree char *o = g_strconcat (prefix, ".out_proj", NULL);
  const char *qkv[3] = { q, k, v };
  if (cross)
    {
      if (!attn_model_read_linear (model, ckpt, q, d, d, FALSE, &m->q, error) ||
          !attn_model_read_fused (model, ckpt, qkv + 1, 2, d, d, &m->kv, error))
        return FALSE;
    }
  else if (!attn_model_read_fused (model, ckpt, qkv, 3, d, d, &m->qkv, error))
    return FALSE;
  return attn_model_read_linear (model, ckpt, o, d, d, FALSE, &m->o, error);
}

static gboolean
read_layer (AttnModel *model, AttnCheckpoint *ckpt, const char *p, int d, int ffn, gboolean decoder,
            float eps, AttnS2SLayer *L, GError **error)
{
  g_autofree char *sa = g_strconcat (p, "self_attn", NULL);
  g_autofree char *sal = g_strconcat (p, "self_attn_layer_norm", NULL);
  g_autofree char *ca = g_strconcat (p, "encoder_attn", NULL);
  g_autofree char *cal = g_strconcat (p, "encoder_attn_layer_norm", NULL);
  g_autofree char *f1 = g_strconcat (p, "fc1", NULL);
  g_autofree char *f2 = g_strconcat (p, "fc2", NULL);
  g_autofree char *fl = g_strconcat (p, "final_layer_norm", NULL);
  if (!read_mha (model, ckpt, sa, d, FALSE, &L->self, error) ||
      !attn_model_read_layer_norm (model, ckpt, sal, d, eps, &L->self_ln, error) ||
      !attn_model_read_linear (model, ckpt, f1, d, ffn, FALSE, &L->fc1, error) ||
      !attn_model_read_linear (model, ckpt, f2, ffn, d, FALSE, &L->fc2, error) ||
      !attn_model_read_layer_norm (model, ckpt, fl, d, eps, &L->final_ln, error))
    return FALSE;
  if (decoder &&
      (!read_mha (model, ckpt, ca, d, TRUE, &L->cross, error) ||
       !attn_model_read_layer_norm (model, ckpt, cal, d, eps, &L->cross_ln, error)))
    return FALSE;
  return TRUE;
}

gboolean
attn_s2s_read_config (AttnModel *model, AttnS2S *s, GError **error)
{
  JsonObject *cfg = model->config;
  const char *file = model->config_path;
  gint64 d, el, dl, eh, dh, ef, df, vocab, start, eos;
  const char *act;
  if (!attn_config_int (cfg, file, &d, 1, 65536, error, "d_model", NULL) ||
      !attn_config_int (cfg, file, &el, 1, 256, error, "encoder_layers", NULL) ||
      !attn_config_int (cfg, file, &dl, 1, 256, error, "decoder_layers", NULL) ||
      !attn_config_int (cfg, file, &eh, 1, 1024, error, "encoder_attention_heads", NULL) ||
      !attn_config_int (cfg, file, &dh, 1, 1024, error, "decoder_attention_heads", NULL) ||
      !attn_config_int (cfg, file, &ef, 1, 1 << 20, error, "encoder_ffn_dim", NULL) ||
      !attn_config_int (cfg, file, &df, 1, 1 << 20, error, "decoder_ffn_dim", NULL) ||
      !attn_config_int (cfg, file, &vocab, 1, 1 << 24, error, "vocab_size", NULL) ||
      !attn_config_int (cfg, file, &start, 0, vocab - 1, error, "decoder_start_token_id", "pad_token_id", NULL) ||
      !attn_config_int (cfg, file, &eos, 0, vocab - 1, error, "eos_token_id", NULL))
    return FALSE;
  if (d % eh != 0 || d % dh != 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: d_model %" PRId64
                   " is not a multiple of the number of heads"), file, d);
      return FALSE;
    }
  act = attn_config_string_or (cfg, "activation_function", "gelu");
  if (!attn_activation_from_name (act, &s->act))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, _("%s: activation “%s” is not supported"), file, act);
      return FALSE;
    }
  s->d = d; s->enc_layers = el; s->dec_layers = dl; s->enc_heads = eh; s->dec_heads = dh;
  s->enc_ffn = ef; s->dec_ffn = df; s->vocab = vocab;
  s->embed_scale = attn_config_bool_or (cfg, "scale_embedding", FALSE) ? sqrtf ((float) d) : 1.0f;
  s->decoder_start = start;
  s->eos = eos;
  s->pad = attn_config_int_or (cfg, "pad_token_id", start);
  return TRUE;
}

gboolean
attn_s2s_read_lm_head (AttnModel *model, AttnCheckpoint *ckpt, AttnS2S *s, const char *name, GError **error)
{
  g_autofree char *wn = g_strconcat (name, ".weight", NULL);
  if (attn_checkpoint_find (ckpt, wn) != NULL && !attn_config_bool_or (model->config, "tie_word_embeddings", TRUE))
    return attn_model_read_linear (model, ckpt, name, s->d, s->vocab, TRUE, &s->lm_head, error);
  s->lm_head.w = s->dec_embed;
  s->lm_head.b = NULL;
  s->lm_head.in = s->d;
  s->lm_head.out = s->vocab;
  s->lm_head.in_major = FALSE;
  return TRUE;
}

void
attn_s2s_decode_params (AttnS2S *s, const AttnRunOptions *opt, AttnRunCtx *ctx, int default_max_new,
                        double progress_from, double progress_to, AttnDecodeParams *p)
{
  memset (p, 0, sizeof *p);
  p->vocab = s->vocab;
  p->max_new_tokens = opt->max_new_tokens > 0 ? opt->max_new_tokens : MAX (default_max_new, 1);
  p->eos = s->eos;
  p->forced_eos = -1;
  p->beam_size = opt->decode == ATTN_DECODE_BEAM ? opt->beam_size : 1;
  p->length_penalty = opt->length_penalty;
  p->cancellable = ctx->cancellable;
  p->progress = ctx->progress;
  p->progress_data = ctx->progress_data;
  p->progress_from = progress_from;
  p->progress_to = progress_to;
}

gboolean
attn_s2s_read_layers (AttnModel *model, AttnCheckpoint *ckpt, AttnS2S *s, const char *prefix,
                      float eps, GError **error)
{
  s->enc = g_new0 (AttnS2SLayer, s->enc_layers);
  s->dec = g_new0 (AttnS2SLayer, s->dec_layers);
  for (int l = 0; l < s->enc_layers; l++)
    {
      g_autofree char *p = g_strdup_printf ("%sencoder.layers.%d.", prefix, l);
      if (!read_layer (model, ckpt, p, s->d, s->enc_ffn, FALSE, eps, &s->enc[l], error))
        return FALSE;
    }
  for (int l = 0; l < s->dec_layers; l++)
    {
      g_autofree char *p = g_strdup_printf ("%sdecoder.layers.%d.", prefix, l);
      if (!read_layer (model, ckpt, p, s->d, s->dec_ffn, TRUE, eps, &s->dec[l], error))
        return FALSE;
    }
  return TRUE;
}

void
attn_s2s_free (AttnS2S *s)
{
  g_free (s->enc);
  g_free (s->dec);
}

/* x ← x + f, with the layer norm before the sublayer (pre_norm: out holds f(LN(x)))
 * or after it (out holds f(x), and x becomes LN(x + f(x))). */
static void
residual_block (gboolean pre_norm, const AttnLayerNorm *ln, float *x, int n, int d, float *out)
{
  if (pre_norm)
    attn_add_inplace (x, out, (gsize) n * d);
  else
    {
      attn_add_inplace (out, x, (gsize) n * d);
      attn_layer_norm (ln, out, n, x);
    }
}

static void
feed_forward (AttnS2S *s, const AttnS2SLayer *L, float *x, int n, float *normed, float *ff, float *out)
{
  const float *in = x;
  if (s->pre_norm)
    {
      attn_layer_norm (&L->final_ln, x, n, normed);
      in = normed;
    }
  attn_linear_forward (&L->fc1, in, n, ff);
  attn_activate (s->act, ff, (gsize) n * L->fc1.out);
  attn_linear_forward (&L->fc2, ff, n, out);
  residual_block (s->pre_norm, &L->final_ln, x, n, s->d, out);
}

AttnS2SEncoded *
attn_s2s_encode (AttnS2S *s, const float *x0, int T, float *probs, float *vnorms, AttnRunCtx *ctx,
                 double progress_from, double progress_to, GError **error)
{
  int D = s->d, H = s->enc_heads, dh = D / H;
  AttnS2SEncoded *e = g_new0 (AttnS2SEncoded, 1);
  ATTN_BUF normed = attn_alloc_floats ((gsize) T * D, FALSE);
  ATTN_BUF qkv = attn_alloc_floats ((gsize) T * 3 * D, FALSE);
  ATTN_BUF ctxv = attn_alloc_floats ((gsize) T * D, FALSE);
  ATTN_BUF out = attn_alloc_floats ((gsize) T * D, FALSE);
  ATTN_BUF ff = attn_alloc_floats ((gsize) T * s->enc_ffn, FALSE);
  ATTN_BUF scratch = probs ? NULL : attn_alloc_floats ((gsize) H * T * T, FALSE);
  float scale = 1.0f / sqrtf ((float) dh);
  float *x;

  e->len = T;
  e->hidden = x = attn_alloc_floats ((gsize) T * D, FALSE);
  memcpy (x, x0, (gsize) T * D * sizeof (float));
  for (int l = 0; l < s->enc_layers; l++)
    {
      const AttnS2SLayer *L = &s->enc[l];
      const float *in = x;
      if (!attn_run_ctx_check (ctx, error))
        {
          attn_s2s_encoded_free (s, e);
          return NULL;
        }
      if (s->pre_norm)
        {
          attn_layer_norm (&L->self_ln, x, T, normed);
          in = normed;
        }
      attn_linear_forward (&L->self.qkv, in, T, qkv);
      attn_attention (qkv, 3 * D, qkv + D, 3 * D, qkv + 2 * D, 3 * D, T, T, H, dh, scale, -1, NULL,
                      probs ? probs + (gsize) l * H * T * T : scratch, ctxv, D);
      if (vnorms != NULL)
        attn_value_norms (qkv + 2 * D, 3 * D, T, H, dh, &L->self.o, vnorms + (gsize) l * H * T);
      if (probs != NULL)
        attn_run_ctx_trace (ctx, ATTN_KIND_ENCODER, l, qkv, 3 * D, qkv + D, 3 * D, qkv + 2 * D, 3 * D,
                            T, T, H, dh, scale, -1, NULL);
      attn_linear_forward (&L->self.o, ctxv, T, out);
      residual_block (s->pre_norm, &L->self_ln, x, T, D, out);
      feed_forward (s, L, x, T, normed, ff, out);
      attn_run_ctx_progress (ctx, progress_from + (progress_to - progress_from) * (l + 1.0) / s->enc_layers, "encoder");
    }
  if (s->pre_norm)
    {
      attn_layer_norm (&s->enc_final_ln, x, T, normed);
      memcpy (x, normed, (gsize) T * D * sizeof (float));
    }
  e->cross_kv = g_new0 (float *, s->dec_layers);
  for (int l = 0; l < s->dec_layers; l++)
    {
      e->cross_kv[l] = attn_alloc_floats ((gsize) T * 2 * D, FALSE);
      attn_linear_forward (&s->dec[l].cross.kv, x, T, e->cross_kv[l]);
    }
  return e;
}

void
attn_s2s_encoded_free (AttnS2S *s, AttnS2SEncoded *e)
{
  if (e == NULL)
    return;
  for (int l = 0; e->cross_kv && l < s->dec_layers; l++)
    attn_free_floats (e->cross_kv[l]);
  g_free (e->cross_kv);
  attn_free_floats (e->hidden);
  g_free (e);
}

/* --- the decoder ------------------------------------------------------------ */

/* Feeds n tokens after the cache. self_probs: [L, H, n, len+n]; cross_probs: [L, H, n, enc->len];
 * logits: [n, V], or [V] of the last position when last_only. */
static gboolean
dec_forward (AttnS2S *s, AttnS2SEncoded *enc, AttnKvCache *c, const gint32 *ids, int n,
             float *self_probs, float *cross_probs, float *self_vn, float *cross_vn,
             float *logits, gboolean last_only,
             AttnRunCtx *ctx, GError **error)
{
  int D = s->d, H = s->dec_heads, dh = D / H, past = c->len, tk = past + n, te = enc->len;
  ATTN_BUF x = attn_alloc_floats ((gsize) n * D, FALSE);
  ATTN_BUF normed = attn_alloc_floats ((gsize) n * D, FALSE);
  ATTN_BUF q = attn_alloc_floats ((gsize) n * D, FALSE);
  ATTN_BUF qkv = attn_alloc_floats ((gsize) n * 3 * D, FALSE);
  ATTN_BUF ctxv = attn_alloc_floats ((gsize) n * D, FALSE);
  ATTN_BUF out = attn_alloc_floats ((gsize) n * D, FALSE);
  ATTN_BUF ff = attn_alloc_floats ((gsize) n * s->dec_ffn, FALSE);
  ATTN_BUF sp = self_probs ? NULL : attn_alloc_floats ((gsize) H * n * tk, FALSE);
  ATTN_BUF cp = cross_probs ? NULL : attn_alloc_floats ((gsize) H * n * te, FALSE);
  float scale = 1.0f / sqrtf ((float) dh);
  int rows = last_only ? 1 : n;
  const float *xo;

  if (tk > c->cap || tk > s->max_tgt)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("The decoder input is longer than the model's %d target positions"), s->max_tgt);
      return FALSE;
    }
  for (int t = 0; t < n; t++)
    {
      if (ids[t] < 0 || ids[t] >= s->vocab)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("Decoder token id %d is outside the vocabulary (%d)"),
                       ids[t], s->vocab);
          return FALSE;
        }
      for (int i = 0; i < D; i++)
        x[(gsize) t * D + i] = s->dec_embed[(gsize) ids[t] * D + i] * s->embed_scale
                               + s->dec_pos[(gsize) (past + t) * D + i];
    }
  for (int l = 0; l < s->dec_layers; l++)
    {
      const AttnS2SLayer *L = &s->dec[l];
      float *kc = attn_kv_cache_k (c, l), *vc = attn_kv_cache_v (c, l);
      const float *in = x;
      if (!attn_run_ctx_check (ctx, error))
        return FALSE;
      /* causal self-attention */
      if (s->pre_norm)
        {
          attn_layer_norm (&L->self_ln, x, n, normed);
          in = normed;
        }
      attn_linear_forward (&L->self.qkv, in, n, qkv);
      attn_kv_cache_store (c, l, qkv, 3 * D, n, D, 2 * D);
      attn_attention (qkv, 3 * D, kc, D, vc, D, n, tk, H, dh, scale, past, NULL,
                      self_probs ? self_probs + (gsize) l * H * n * tk : sp, ctxv, D);
      if (self_vn != NULL)
        attn_value_norms (vc, D, tk, H, dh, &L->self.o, self_vn + (gsize) l * H * tk);
      if (self_probs != NULL)
        attn_run_ctx_trace (ctx, ATTN_KIND_DECODER, l, qkv, 3 * D, kc, D, vc, D, n, tk, H, dh, scale, past, NULL);
      attn_linear_forward (&L->self.o, ctxv, n, out);
      residual_block (s->pre_norm, &L->self_ln, x, n, D, out);
      /* cross-attention */
      in = x;
      if (s->pre_norm)
        {
          attn_layer_norm (&L->cross_ln, x, n, normed);
          in = normed;
        }
      attn_linear_forward (&L->cross.q, in, n, q);
      attn_attention (q, D, enc->cross_kv[l], 2 * D, enc->cross_kv[l] + D, 2 * D, n, te, H, dh, scale, -1, NULL,
                      cross_probs ? cross_probs + (gsize) l * H * n * te : cp, ctxv, D);
      if (cross_vn != NULL)
        attn_value_norms (enc->cross_kv[l] + D, 2 * D, te, H, dh, &L->cross.o, cross_vn + (gsize) l * H * te);
      if (cross_probs != NULL)
        attn_run_ctx_trace (ctx, ATTN_KIND_CROSS, l, q, D, enc->cross_kv[l], 2 * D, enc->cross_kv[l] + D, 2 * D,
                            n, te, H, dh, scale, -1, NULL);
      attn_linear_forward (&L->cross.o, ctxv, n, out);
      residual_block (s->pre_norm, &L->cross_ln, x, n, D, out);
      feed_forward (s, L, x, n, normed, ff, out);
    }
  c->len = tk;
  xo = x + (gsize) (n - rows) * D;
  if (s->pre_norm)
    {
      attn_layer_norm (&s->dec_final_ln, xo, rows, normed);
      xo = normed;
    }
  attn_linear_forward (&s->lm_head, xo, rows, logits);
  if (s->final_logits_bias)
    for (int r = 0; r < rows; r++)
      attn_add_inplace (logits + (gsize) r * s->vocab, s->final_logits_bias, s->vocab);
  return TRUE;
}

gboolean
attn_s2s_decode_forced (AttnS2S *s, AttnS2SEncoded *enc, const gint32 *ids, int n,
                        float *self_probs, float *cross_probs, float *self_vn, float *cross_vn,
                        float *logits, AttnRunCtx *ctx, GError **error)
{
  AttnKvCache *c = attn_kv_cache_new (s->dec_layers, MAX (n, 1), s->d);
  gboolean ok = dec_forward (s, enc, c, ids, n, self_probs, cross_probs, self_vn, cross_vn,
                             logits, FALSE, ctx, error);
  attn_kv_cache_free (c);
  return ok;
}

typedef struct {
  AttnS2S        *s;
  AttnS2SEncoded *enc;
  AttnRunCtx     *ctx;
  int             cap;
} Decoder;

static gpointer
ops_cache_new (gpointer self)
{
  Decoder *d = self;
  return attn_kv_cache_new (d->s->dec_layers, d->cap, d->s->d);
}

static void
ops_cache_copy (gpointer self, gpointer dst, gconstpointer src)
{
  attn_kv_cache_copy (dst, src);
}

static gboolean
ops_step (gpointer self, gpointer cache, const gint32 *tokens, int n, float *logits, GError **error)
{
  Decoder *d = self;
  return dec_forward (d->s, d->enc, cache, tokens, n, NULL, NULL, NULL, NULL, logits, TRUE, d->ctx, error);
}

gboolean
attn_s2s_generate (AttnS2S *s, AttnS2SEncoded *enc, const gint32 *prefix, int n_prefix,
                   const AttnDecodeParams *params, AttnResult *r, AttnTokenizer *tok,
                   AttnRunCtx *ctx, GError **error)
{
  static const AttnDecoderOps ops = { ops_cache_new, attn_kv_cache_free, ops_cache_copy, ops_step };
  Decoder d = { s, enc, ctx, n_prefix + params->max_new_tokens };
  AttnDecodeParams p = *params;
  p.max_new_tokens = MIN (p.max_new_tokens, s->max_tgt - n_prefix);
  if (p.max_new_tokens < 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The decoder prompt leaves no room for new tokens"));
      return FALSE;
    }
  return attn_decode_generate (&ops, &d, prefix, n_prefix, &p, r, tok, error);
}

gboolean
attn_s2s_record (AttnS2S *s, AttnS2SEncoded *enc, const gint32 *dec_ids, int n,
                 guint kinds, AttnResult *r, AttnTokenizer *tok, AttnRunCtx *ctx, GError **error)
{
  AttnWeights *self_w = NULL, *cross_w = NULL, *self_vn = NULL, *cross_vn = NULL;
  attn_model_fill_tokens (tok, &r->target, dec_ids, n);
  if (kinds & ATTN_KIND_MASK (ATTN_KIND_DECODER))
    {
      self_w = r->attention[ATTN_KIND_DECODER] = attn_weights_new_uninit (s->dec_layers, s->dec_heads, n, n);
      self_w->causal = TRUE;
      self_vn = r->value_norms[ATTN_KIND_DECODER] = attn_weights_new_uninit (s->dec_layers, s->dec_heads, 1, n);
    }
  if (kinds & ATTN_KIND_MASK (ATTN_KIND_CROSS))
    {
      cross_w = r->attention[ATTN_KIND_CROSS] = attn_weights_new_uninit (s->dec_layers, s->dec_heads, n, enc->len);
      cross_vn = r->value_norms[ATTN_KIND_CROSS] = attn_weights_new_uninit (s->dec_layers, s->dec_heads, 1, enc->len);
    }
  attn_free_floats (r->logits);
  r->logits = attn_alloc_floats ((gsize) n * s->vocab, FALSE);
  r->logits_rows = n;
  r->logits_cols = s->vocab;
  return attn_s2s_decode_forced (s, enc, dec_ids, n, self_w ? self_w->data : NULL,
                                 cross_w ? cross_w->data : NULL, self_vn ? self_vn->data : NULL,
                                 cross_vn ? cross_vn->data : NULL, r->logits, ctx, error);
}
