/* attn-seq2seq.h — the BART-family encoder–decoder Transformer that Marian and
 * Whisper share: encoder and decoder stacks with pre- or post-layer-norm,
 * self-, causal- and cross-attention that record their weights, a tied output
 * layer, key/value caches for generation, and forced (teacher-forced) passes. */
#pragma once

#include "attn-model-private.h"
#include "attn-decode.h"

G_BEGIN_DECLS

typedef struct {
  AttnLinear qkv;     /* self-attention: query, key, value stacked [3d, d] */
  AttnLinear q, kv;   /* cross-attention: query [d, d]; key, value stacked [2d, d] */
  AttnLinear o;
} AttnMha;

typedef struct {
  AttnMha       self;
  AttnLayerNorm self_ln;
  AttnMha       cross;        /* decoder layers only */
  AttnLayerNorm cross_ln;
  AttnLinear    fc1, fc2;
  AttnLayerNorm final_ln;
} AttnS2SLayer;

typedef struct {
  int            d, enc_layers, dec_layers, enc_heads, dec_heads, enc_ffn, dec_ffn, vocab;
  int            max_src, max_tgt;    /* positions */
  gboolean       pre_norm;            /* Whisper: pre-LN with final norms; Marian: post-LN */
  AttnActivation act;
  float          embed_scale;
  float         *dec_embed;           /* [vocab, d] */
  float         *dec_pos;             /* [max_tgt, d] */
  AttnS2SLayer  *enc, *dec;
  AttnLayerNorm  enc_final_ln, dec_final_ln;   /* pre_norm only */
  AttnLinear     lm_head;
  float         *final_logits_bias;   /* [vocab] or NULL */
  gint32         decoder_start, eos, pad;
} AttnS2S;

/* Reads the sizes every BART-family config.json states (d_model, layers, heads,
 * feed-forward sizes, vocabulary, activation, start and end tokens, embedding scale). */
gboolean attn_s2s_read_config  (AttnModel *model, AttnS2S *s, GError **error);
/* The output layer: "<name>.weight" when the config unties it, else the decoder's embeddings. */
gboolean attn_s2s_read_lm_head (AttnModel *model, AttnCheckpoint *ckpt, AttnS2S *s, const char *name,
                                GError **error);
/* Decoding parameters from the run's options (suppression and forced eos left unset). */
void     attn_s2s_decode_params (AttnS2S *s, const AttnRunOptions *opt, AttnRunCtx *ctx, int default_max_new,
                                 double progress_from, double progress_to, AttnDecodeParams *p);

/* Reads the layers with BART names under "<prefix>encoder.layers.N." and
 * "<prefix>decoder.layers.N." (k_proj bias optional, as in Whisper). */
gboolean attn_s2s_read_layers (AttnModel *model, AttnCheckpoint *ckpt, AttnS2S *s, const char *prefix,
                               float eps, GError **error);
void     attn_s2s_free        (AttnS2S *s);

/* The encoder's output, with the cross-attention keys and values of every decoder layer. */
typedef struct {
  int     len;
  float  *hidden;        /* [len, d] */
  float **cross_kv;      /* per decoder layer [len, 2d]: keys, then values */
} AttnS2SEncoded;

/* Runs the encoder over embedded input x [T, d] (positions already added).
 * probs: [enc_layers, enc_heads, T, T] or NULL; vnorms: [enc_layers, enc_heads, T] or NULL. */
AttnS2SEncoded *attn_s2s_encode  (AttnS2S *s, const float *x, int T, float *probs, float *vnorms,
                                  AttnRunCtx *ctx, double progress_from, double progress_to, GError **error);
void            attn_s2s_encoded_free (AttnS2S *s, AttnS2SEncoded *e);

/* A forced pass of the decoder over ids [n] (start token first): records decoder
 * self-attention [L, H, n, n] and cross-attention [L, H, n, enc->len] when non-NULL,
 * and writes logits [n, vocab]. */
gboolean attn_s2s_decode_forced (AttnS2S *s, AttnS2SEncoded *enc, const gint32 *ids, int n,
                                 float *self_probs, float *cross_probs, float *self_vn, float *cross_vn,
                                 float *logits, AttnRunCtx *ctx, GError **error);

/* Generation after `prefix` (the decoder's start tokens). */
gboolean attn_s2s_generate (AttnS2S *s, AttnS2SEncoded *enc, const gint32 *prefix, int n_prefix,
                            const AttnDecodeParams *params, AttnResult *r, AttnTokenizer *tok,
                            AttnRunCtx *ctx, GError **error);

/* Fills r->target, r->attention[DECODER/CROSS] and r->logits from a forced pass over
 * dec_ids, as every encoder–decoder architecture reports it. */
gboolean attn_s2s_record (AttnS2S *s, AttnS2SEncoded *enc, const gint32 *dec_ids, int n,
                          guint kinds, AttnResult *r, AttnTokenizer *tok, AttnRunCtx *ctx, GError **error);

/* Appends the single-token bad_words_ids and suppress_tokens of a config object. */
void     attn_read_suppressed (JsonObject *cfg, GArray *out);

G_END_DECLS
