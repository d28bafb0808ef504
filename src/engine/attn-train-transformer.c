/* attn-train-transformer.c — a trainable encoder–decoder Transformer whose
 * parameters, names and computation are exactly Hugging Face's MarianMTModel:
 * scaled token embeddings shared by encoder, decoder and the (tied) output layer,
 * sinusoidal positions, post-layer-norm blocks, final_logits_bias. A folder saved
 * from it (config.json model_type "marian" + model.safetensors) is read by the
 * inference engine unchanged. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"
#include "attn-train-json.h"
#include "attn-train-private.h"

typedef struct {
  AttnTrainModel parent;
  AttnTfConfig   cfg;
  gsize          shared, flb;
  AttnEncDec     ed;                    /* the layers */
  AttnBlock      blk;                   /* the sub-layers' settings, buffers and scratch */

  /* activations, sized for cap_B × cap_T */
  int            cap_B, cap_Ts, cap_Tt;
  float         *enc_x0, *dec_x0;       /* [Ns, d], [Nt, d] after embedding + dropout */
  guint8        *enc_m0, *dec_m0;
  float         *logits, *dlogits;      /* [Nt, V] */
  /* gradient scratch */
  float         *g_a, *g_b;             /* [Nmax, d] */
  float         *g_enc;                 /* [Ns, d] */
  /* the last forward's shape */
  int            B, Ts, Tt;
  const int     *src_len;
} Tf;

static gsize
add2 (AttnParams *p, const char *name, gint64 a, gint64 b)
{
  gint64 shape[2] = { a, b };
  return attn_params_add (p, name, 2, shape, TRUE);
}

static void
declare_sub (AttnParams *p, const char *prefix, const char *attn, const char *ln,
             AttnSubOff *o, int d)
{
  g_autofree char *q = g_strdup_printf ("%s.%s.q_proj", prefix, attn);
  g_autofree char *k = g_strdup_printf ("%s.%s.k_proj", prefix, attn);
  g_autofree char *v = g_strdup_printf ("%s.%s.v_proj", prefix, attn);
  g_autofree char *out = g_strdup_printf ("%s.%s.out_proj", prefix, attn);
  g_autofree char *norm = g_strdup_printf ("%s.%s", prefix, ln);
  const char *const names[5] = { q, k, v, out, norm };
  attn_block_declare_attn (p, names, d, o);
}

static void
declare_layer (AttnParams *p, const char *stack, int l, gboolean decoder, int d, int ffn,
               AttnLayerOff *o)
{
  g_autofree char *prefix = g_strdup_printf ("model.%s.layers.%d", stack, l);
  g_autofree char *f1 = g_strdup_printf ("%s.fc1", prefix);
  g_autofree char *f2 = g_strdup_printf ("%s.fc2", prefix);
  g_autofree char *ln = g_strdup_printf ("%s.final_layer_norm", prefix);
  const char *const names[3] = { f1, f2, ln };

  declare_sub (p, prefix, "self_attn", "self_attn_layer_norm", &o->self, d);
  if (decoder)
    declare_sub (p, prefix, "encoder_attn", "encoder_attn_layer_norm", &o->cross, d);
  attn_block_declare_ffn (p, names, d, ffn, &o->ffn);
}

/* ---- buffers ---- */

static void
reserve (Tf *tf, int B, int Ts, int Tt)
{
  const AttnTfConfig *c = &tf->cfg;
  AttnBlock *blk = &tf->blk;
  gsize Ns, Nt, Nmax, d = c->d_model, H = c->heads, V = c->vocab;

  if (B <= tf->cap_B && Ts <= tf->cap_Ts && Tt <= tf->cap_Tt)
    return;
  B = MAX (B, tf->cap_B);
  Ts = MAX (Ts, tf->cap_Ts);
  Tt = MAX (Tt, tf->cap_Tt);
  tf->cap_B = B;
  tf->cap_Ts = Ts;
  tf->cap_Tt = Tt;
  Ns = (gsize) B * Ts;
  Nt = (gsize) B * Tt;
  Nmax = MAX (Ns, Nt);
  attn_block_reset (blk, Nmax, MAX (Ts, Tt));

  tf->enc_x0 = attn_block_fbuf (blk, Ns * d);
  tf->dec_x0 = attn_block_fbuf (blk, Nt * d);
  tf->enc_m0 = attn_block_mbuf (blk, Ns * d);
  tf->dec_m0 = attn_block_mbuf (blk, Nt * d);
  attn_enc_dec_alloc (&tf->ed, blk, B, H, Ts, Tt);
  tf->logits = attn_block_fbuf (blk, Nt * V);
  tf->dlogits = attn_block_fbuf (blk, Nt * V);
  tf->g_a = attn_block_fbuf (blk, Nmax * d);
  tf->g_b = attn_block_fbuf (blk, Nmax * d);
  tf->g_enc = attn_block_fbuf (blk, Ns * d);
}

/* ---- the model ---- */

static void
embed (Tf *tf, const gint32 *ids, int B, int T, float *out, guint8 *mask, gboolean train,
       AttnRng *rng)
{
  int d = tf->cfg.d_model;
  gsize n = (gsize) B * T * d;
  float *tmp = tf->g_a;   /* free during forward */

  attn_op_embedding_fwd (ids, B * T, ATTN_P (tf->parent.params, tf->shared), d,
                         sqrtf ((float) d), tmp);
  attn_op_add_sinusoid (tmp, B, T, d);
  attn_op_dropout_or_copy (tmp, n, tf->cfg.dropout, train, rng, mask, out);
}

static void
tf_forward (AttnTrainModel *m, const AttnBatch *batch, float smoothing, gboolean train,
            gboolean backward, AttnRng *rng, AttnLossStats *stats)
{
  Tf *tf = (Tf *) m;
  AttnEncDec *ed = &tf->ed;
  const AttnTfConfig *c = &tf->cfg;
  AttnParams *P = m->params;
  AttnBlock *blk = &tf->blk;
  int B = batch->B, Ts = batch->Ts, Tt = batch->Tt, d = c->d_model;
  int Ns = B * Ts, Nt = B * Tt;
  AttnAttnShape s_enc = { B, Ts, Ts, d, c->heads, batch->src_len, FALSE };
  AttnAttnShape s_dec = { B, Tt, Tt, d, c->heads, batch->tgt_len, TRUE };
  AttnAttnShape s_cross = { B, Tt, Ts, d, c->heads, batch->src_len, FALSE };
  const float *x, *enc_out, *dec_out;
  float *dcur, *dnext;
  AttnLossStats st = { 0 };

  reserve (tf, B, Ts, Tt);
  tf->B = B;
  tf->Ts = Ts;
  tf->Tt = Tt;
  tf->src_len = batch->src_len;

  /* encoder */
  embed (tf, batch->src, B, Ts, tf->enc_x0, tf->enc_m0, train, rng);
  x = tf->enc_x0;
  for (int l = 0; l < c->encoder_layers; l++)
    {
      attn_block_attn_fwd (blk, &ed->enc[l].self, &ed->enc_self[l], x, x, &s_enc, train, rng);
      attn_block_ffn_fwd (blk, &ed->enc[l].ffn, &ed->enc_ffn[l], ed->enc_self[l].y, Ns, train,
                          rng);
      x = ed->enc_ffn[l].y;
    }
  enc_out = x;

  /* decoder */
  embed (tf, batch->tgt_in, B, Tt, tf->dec_x0, tf->dec_m0, train, rng);
  x = tf->dec_x0;
  for (int l = 0; l < c->decoder_layers; l++)
    {
      attn_block_attn_fwd (blk, &ed->dec[l].self, &ed->dec_self[l], x, x, &s_dec, train, rng);
      attn_block_attn_fwd (blk, &ed->dec[l].cross, &ed->dec_cross[l], ed->dec_self[l].y, enc_out,
               &s_cross, train, rng);
      attn_block_ffn_fwd (blk, &ed->dec[l].ffn, &ed->dec_ffn[l], ed->dec_cross[l].y, Nt, train,
                          rng);
      x = ed->dec_ffn[l].y;
    }
  dec_out = x;

  /* tied output layer */
  attn_op_linear_fwd (dec_out, Nt, d, ATTN_P (P, tf->shared), ATTN_P (P, tf->flb), c->vocab,
                      tf->logits);
  st.loss = attn_op_cross_entropy (tf->logits, Nt, c->vocab, batch->tgt_out, m->pad_id,
                                   smoothing, backward ? tf->dlogits : NULL,
                                   &st.tokens, &st.correct);
  if (stats != NULL)
    *stats = st;
  if (!backward)
    return;

  /* backward */
  dcur = tf->g_a;
  dnext = tf->g_b;
  memset (dcur, 0, sizeof (float) * Nt * d);
  attn_op_linear_bwd (dec_out, Nt, d, ATTN_P (P, tf->shared), c->vocab, tf->dlogits, dcur,
                      ATTN_G (P, tf->shared), ATTN_G (P, tf->flb));
  memset (tf->g_enc, 0, sizeof (float) * Ns * d);
  for (int l = c->decoder_layers - 1; l >= 0; l--)
    {
      float *tmp;
      /* dcur: gradient at the layer's output; dnext collects the cross sub-layer's */
      memset (dnext, 0, sizeof (float) * Nt * d);
      attn_block_ffn_bwd (blk, &ed->dec[l].ffn, &ed->dec_ffn[l], Nt, train, dcur, dnext);
      memset (dcur, 0, sizeof (float) * Nt * d);
      attn_block_attn_bwd (blk, &ed->dec[l].cross, &ed->dec_cross[l], &s_cross, train, dnext,
                           dcur,
               tf->g_enc);
      memset (dnext, 0, sizeof (float) * Nt * d);
      attn_block_attn_bwd (blk, &ed->dec[l].self, &ed->dec_self[l], &s_dec, train, dcur, dnext,
                           dnext);
      tmp = dcur;
      dcur = dnext;
      dnext = tmp;
    }
  /* decoder embedding */
  memset (dnext, 0, sizeof (float) * Nt * d);
  attn_op_dropout_or_copy_bwd (dcur, (gsize) Nt * d, c->dropout, train, tf->dec_m0, dnext);
  attn_op_embedding_bwd (batch->tgt_in, Nt, d, sqrtf ((float) d), dnext, ATTN_G (P, tf->shared));

  memcpy (dcur, tf->g_enc, sizeof (float) * Ns * d);
  for (int l = c->encoder_layers - 1; l >= 0; l--)
    {
      /* dcur: gradient at the layer's output, then at its input */
      memset (dnext, 0, sizeof (float) * Ns * d);
      attn_block_ffn_bwd (blk, &ed->enc[l].ffn, &ed->enc_ffn[l], Ns, train, dcur, dnext);
      memset (dcur, 0, sizeof (float) * Ns * d);
      attn_block_attn_bwd (blk, &ed->enc[l].self, &ed->enc_self[l], &s_enc, train, dnext, dcur,
                           dcur);
    }
  memset (dnext, 0, sizeof (float) * Ns * d);
  attn_op_dropout_or_copy_bwd (dcur, (gsize) Ns * d, c->dropout, train, tf->enc_m0, dnext);
  attn_op_embedding_bwd (batch->src, Ns, d, sqrtf ((float) d), dnext, ATTN_G (P, tf->shared));
}

static const float *
tf_logits (AttnTrainModel *m)
{
  return ((Tf *) m)->logits;
}

static AttnWeights *
tf_cross (AttnTrainModel *m, int b, int tgt_len, int src_len)
{
  Tf *tf = (Tf *) m;
  return attn_enc_dec_cross (&tf->ed, tf->cfg.heads, b, tf->Tt, tf->Ts, tgt_len, src_len);
}

static gboolean
tf_save_config (AttnTrainModel *m, const char *dir, GError **error)
{
  Tf *tf = (Tf *) m;
  const AttnTfConfig *c = &tf->cfg;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  g_autofree char *gpath = g_build_filename (dir, "generation_config.json", NULL);
  g_autofree char *gtext = NULL;

  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "architectures");
  json_builder_begin_array (jb);
  json_builder_add_string_value (jb, "MarianMTModel");
  json_builder_end_array (jb);
  ATTN_KV_STR ("model_type", "marian");
  ATTN_KV_STR ("activation_function", attn_tact_name (c->act));
  attn_train_json_enc_dec_sizes (jb, c->d_model, c->encoder_layers, c->decoder_layers, c->heads,
                                 c->ffn_dim, c->vocab);
  ATTN_KV_INT ("decoder_vocab_size", c->vocab);
  ATTN_KV_INT ("max_position_embeddings", c->max_positions);
  ATTN_KV_INT ("pad_token_id", c->pad_id);
  ATTN_KV_INT ("bos_token_id", c->bos_id);
  ATTN_KV_INT ("eos_token_id", c->eos_id);
  ATTN_KV_INT ("forced_eos_token_id", c->eos_id);
  ATTN_KV_INT ("decoder_start_token_id", c->bos_id);
  ATTN_KV_DBL ("dropout", c->dropout);
  ATTN_KV_DBL ("attention_dropout", 0.0);
  ATTN_KV_DBL ("activation_dropout", 0.0);
  ATTN_KV_BOOL ("scale_embedding", TRUE);
  ATTN_KV_BOOL ("share_encoder_decoder_embeddings", TRUE);
  ATTN_KV_BOOL ("tie_word_embeddings", TRUE);
  ATTN_KV_BOOL ("is_encoder_decoder", TRUE);
  ATTN_KV_STR ("dtype", "float32");
  json_builder_end_object (jb);
  if (!attn_train_write_json (jb, dir, "config.json", error))
    return FALSE;
  gtext = g_strdup_printf ("{\n  \"decoder_start_token_id\": %d,\n  \"bos_token_id\": %d,\n"
                           "  \"eos_token_id\": %d,\n  \"forced_eos_token_id\": %d,\n"
                           "  \"pad_token_id\": %d,\n  \"max_length\": %d\n}\n",
                           c->bos_id, c->bos_id, c->eos_id, c->eos_id, c->pad_id,
                           c->max_positions);
  return g_file_set_contents (gpath, gtext, -1, error);
}

static void
tf_free (AttnTrainModel *m)
{
  Tf *tf = (Tf *) m;
  attn_block_clear (&tf->blk);
  attn_params_free (m->params);
  attn_enc_dec_clear (&tf->ed);
  g_free (tf);
}

static const AttnTrainModelClass tf_class = {
  "marian", tf_forward, tf_logits, tf_cross, tf_save_config, tf_free,
};

AttnTrainModel *
attn_train_transformer_new (const AttnTfConfig *config, GError **error)
{
  Tf *tf;
  AttnParams *P;
  const AttnTfConfig *c = config;

  if (c->d_model <= 0 || c->heads <= 0 || c->d_model % c->heads != 0 || c->d_model % 2 != 0
      || c->ffn_dim <= 0 || c->vocab <= 0 || c->encoder_layers <= 0 || c->decoder_layers <= 0
      || c->pad_id < 0 || c->pad_id >= c->vocab || c->bos_id < 0 || c->bos_id >= c->vocab
      || c->eos_id < 0 || c->eos_id >= c->vocab || c->dropout < 0 || c->dropout >= 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("Transformer configuration is invalid (d_model %d, heads %d, ffn %d, "
                   "layers %d+%d, vocab %d)"), c->d_model, c->heads, c->ffn_dim,
                   c->encoder_layers, c->decoder_layers, c->vocab);
      return NULL;
    }
  tf = g_new0 (Tf, 1);
  tf->cfg = *c;
  tf->parent.klass = &tf_class;
  tf->parent.vocab = c->vocab;
  tf->parent.pad_id = c->pad_id;
  tf->parent.bos_id = c->bos_id;
  tf->parent.eos_id = c->eos_id;
  P = tf->parent.params = attn_params_new ();
  tf->blk.params = P;
  tf->blk.d = c->d_model;
  tf->blk.ffn = c->ffn_dim;
  tf->blk.dropout = c->dropout;
  tf->blk.ln_eps = 1e-5f;
  tf->blk.act = c->act;

  tf->shared = add2 (P, "model.shared.weight", c->vocab, c->d_model);
  {
    gint64 shape[2] = { 1, c->vocab };
    tf->flb = attn_params_add (P, "final_logits_bias", 2, shape, FALSE);
  }
  attn_enc_dec_init (&tf->ed, c->encoder_layers, c->decoder_layers);
  for (int l = 0; l < c->encoder_layers; l++)
    declare_layer (P, "encoder", l, FALSE, c->d_model, c->ffn_dim, &tf->ed.enc[l]);
  for (int l = 0; l < c->decoder_layers; l++)
    declare_layer (P, "decoder", l, TRUE, c->d_model, c->ffn_dim, &tf->ed.dec[l]);
  attn_params_alloc (P);
  return &tf->parent;
}

/* Xavier-normal matrices, d^-1/2 embeddings, zero biases, unit norm gains. */
void
attn_train_transformer_init (AttnTrainModel *m, AttnRng *rng)
{
  AttnParams *P = m->params;
  for (guint i = 0; i < P->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (P->info, AttnParamInfo, i);
      float *w = P->data + info->offset;
      if (g_str_equal (info->name, "model.shared.weight"))
        {
          float std = 1.0f / sqrtf ((float) info->shape[1]);
          for (gsize j = 0; j < info->numel; j++)
            w[j] = std * attn_rng_normal (rng);
        }
      else if (info->ndim == 2 && info->shape[0] > 1)
        {
          float std = sqrtf (2.0f / (float) (info->shape[0] + info->shape[1]));
          for (gsize j = 0; j < info->numel; j++)
            w[j] = std * attn_rng_normal (rng);
        }
      else if (g_str_has_suffix (info->name, "layer_norm.weight"))
        for (gsize j = 0; j < info->numel; j++)
          w[j] = 1.0f;
      else
        memset (w, 0, sizeof (float) * info->numel);
    }
}

gint64
attn_train_transformer_flops (AttnTrainModel *m, int B, int Ts, int Tt)
{
  Tf *tf = (Tf *) m;
  const AttnTfConfig *c = &tf->cfg;
  gint64 d = c->d_model, f = c->ffn_dim, Ns = (gint64) B * Ts, Nt = (gint64) B * Tt;
  gint64 fwd = 0;
  fwd += c->encoder_layers * (2 * Ns * d * (4 * d + 2 * f) + 4 * (gint64) B * Ts * Ts * d);
  fwd += c->decoder_layers * (2 * Nt * d * (6 * d + 2 * f) + 2 * Ns * d * 2 * d
                              + 4 * (gint64) B * Tt * Tt * d + 4 * (gint64) B * Tt * Ts * d);
  fwd += 2 * Nt * d * c->vocab;
  return 3 * fwd;
}
