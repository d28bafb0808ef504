/* attn-train-whisper.c — a trainable WhisperForConditionalGeneration whose tensors,
 * names and computation are Hugging Face's (see attn-train-private.h): the folder it
 * saves (config.json model_type "whisper", generation_config.json with the English
 * transcription prompt, preprocessor_config.json, model.safetensors) is read by the
 * inference engine (attn-whisper.c) unchanged. The Transformer layers are the shared
 * sub-layers of attn-train-block.c in their pre-LN form; the convolutions are
 * attn_op_conv1d_*. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"
#include "attn-train-json.h"
#include "attn-train-private.h"

#define IGNORE_LABEL (-1)

typedef struct {
  AttnTrainModel parent;
  AttnWhisperTrainConfig cfg;
  gsize          conv1_w, conv1_b, conv2_w, conv2_b, enc_pos, enc_ln_g, enc_ln_b;
  gsize          embed, dec_pos, dec_ln_g, dec_ln_b;
  AttnEncDec     ed;                    /* the layers */
  AttnBlock      blk;

  /* activations, sized for cap_B × cap_Tt (the encoder's length is fixed) */
  int            cap_B, cap_Tt;
  float         *c1, *a1;            /* [B, d, F] conv1 output, after GELU */
  float         *c2, *a2;            /* [B, d, T] conv2 output, after GELU */
  float         *col, *dcol;         /* [max(n_mels, d)·3, F] im2col scratch */
  float         *enc_x0, *dec_x0;    /* [Ns, d], [Nt, d] after positions + dropout */
  guint8        *enc_m0, *dec_m0;
  float         *enc_out, *enc_mean, *enc_rstd;   /* final layer norm [Ns, d], [Ns] */
  float         *dec_out, *dec_mean, *dec_rstd;   /* [Nt, d], [Nt] */
  float         *logits, *dlogits;   /* [Nt, V] */
  float         *g_a, *g_b;          /* [Nmax, d] */
  float         *g_enc;              /* [Ns, d] */
  float         *g_c1, *g_c2;        /* [B, d, F] */
  float         *ctc_logits, *dctc;  /* [Ns, V] when ctc_weight > 0 */
  gint32        *ctc_labels;         /* [Tt] */
  /* the last forward's shape */
  int            B, T, Tt;
} Wh;

static gsize
add_t (AttnParams *p, const char *name, int ndim, gint64 a, gint64 b, gint64 c, gboolean decay)
{
  gint64 shape[3] = { a, b, c };
  return attn_params_add (p, name, ndim, shape, decay);
}

/* Layer l of "model.<stack>": BART's names, Whisper's key projections without a bias. */
static void
declare_layer (AttnParams *p, const char *stack, int l, int d, int ffn, AttnLayerOff *o)
{
  static const char *const attn[] = { "q_proj", "k_proj", "v_proj", "out_proj" };
  g_autofree char *prefix = g_strdup_printf ("model.%s.layers.%d", stack, l);
  g_autofree char *fc1 = g_strconcat (prefix, ".fc1", NULL);
  g_autofree char *fc2 = g_strconcat (prefix, ".fc2", NULL);
  g_autofree char *fln = g_strconcat (prefix, ".final_layer_norm", NULL);
  const char *ffn_names[3] = { fc1, fc2, fln };

  for (int kind = 0; kind < (g_str_equal (stack, "decoder") ? 2 : 1); kind++)
    {
      const char *sub = kind == 0 ? "self_attn" : "encoder_attn";
      char *names[5];
      for (int i = 0; i < 4; i++)
        names[i] = g_strdup_printf ("%s.%s.%s", prefix, sub, attn[i]);
      names[4] = g_strdup_printf ("%s.%s_layer_norm", prefix, sub);
      attn_block_declare_attn_no_k_bias (p, (const char *const *) names, d,
                                         kind == 0 ? &o->self : &o->cross);
      for (int i = 0; i < 5; i++)
        g_free (names[i]);
    }
  attn_block_declare_ffn (p, ffn_names, d, ffn, &o->ffn);
}

/* ---- buffers ---- */

static void
reserve (Wh *w, int B, int Tt)
{
  const AttnWhisperTrainConfig *c = &w->cfg;
  AttnBlock *blk = &w->blk;
  gsize T = c->max_source_positions, F = 2 * T, d = c->d_model, H = c->heads, V = c->vocab;
  gsize Ns, Nt, Nmax;

  if (B <= w->cap_B && Tt <= w->cap_Tt)
    return;
  B = MAX (B, w->cap_B);
  Tt = MAX (Tt, w->cap_Tt);
  w->cap_B = B;
  w->cap_Tt = Tt;
  Ns = (gsize) B * T;
  Nt = (gsize) B * Tt;
  Nmax = MAX (Ns, Nt);
  attn_block_reset (blk, Nmax, MAX (T, (gsize) Tt));

  w->c1 = attn_block_fbuf (blk, B * d * F);
  w->a1 = attn_block_fbuf (blk, B * d * F);
  w->c2 = attn_block_fbuf (blk, B * d * T);
  w->a2 = attn_block_fbuf (blk, B * d * T);
  w->col = attn_block_fbuf (blk, MAX ((gsize) c->n_mels, d) * 3 * F);
  w->dcol = attn_block_fbuf (blk, MAX ((gsize) c->n_mels, d) * 3 * F);
  w->enc_x0 = attn_block_fbuf (blk, Ns * d);
  w->dec_x0 = attn_block_fbuf (blk, Nt * d);
  w->enc_m0 = attn_block_mbuf (blk, Ns * d);
  w->dec_m0 = attn_block_mbuf (blk, Nt * d);
  attn_enc_dec_alloc (&w->ed, blk, B, H, T, Tt);
  w->enc_out = attn_block_fbuf (blk, Ns * d);
  w->enc_mean = attn_block_fbuf (blk, Ns);
  w->enc_rstd = attn_block_fbuf (blk, Ns);
  w->dec_out = attn_block_fbuf (blk, Nt * d);
  w->dec_mean = attn_block_fbuf (blk, Nt);
  w->dec_rstd = attn_block_fbuf (blk, Nt);
  w->logits = attn_block_fbuf (blk, Nt * V);
  w->dlogits = attn_block_fbuf (blk, Nt * V);
  w->g_a = attn_block_fbuf (blk, Nmax * d);
  w->g_b = attn_block_fbuf (blk, Nmax * d);
  w->g_enc = attn_block_fbuf (blk, Ns * d);
  w->g_c1 = attn_block_fbuf (blk, B * d * F);
  w->g_c2 = attn_block_fbuf (blk, B * d * F);
  if (c->ctc_weight > 0)
    {
      w->ctc_logits = attn_block_fbuf (blk, Ns * V);
      w->dctc = attn_block_fbuf (blk, Ns * V);
      w->ctc_labels = attn_block_ibuf (blk, Tt);
    }
}

/* ---- forward ---- */

/* feats [B, n_mels, F] → enc_out [B·T, d]. */
static void
encode (Wh *w, const AttnBatch *batch, gboolean train, AttnRng *rng)
{
  AttnEncDec *ed = &w->ed;
  const AttnWhisperTrainConfig *c = &w->cfg;
  AttnParams *P = w->parent.params;
  int B = batch->B, T = c->max_source_positions, F = 2 * T, d = c->d_model;
  AttnAttnShape s_enc = { B, T, T, d, c->heads, NULL, FALSE };
  float *x = w->g_a;   /* free during forward */
  const float *h;

  attn_op_conv1d_fwd (batch->feats, B, c->n_mels, F, ATTN_P (P, w->conv1_w),
                      ATTN_P (P, w->conv1_b), d, 3, 1, 1, w->c1, w->col);
  attn_op_act_fwd (ATTN_TACT_GELU, w->c1, (gsize) B * d * F, w->a1);
  attn_op_conv1d_fwd (w->a1, B, d, F, ATTN_P (P, w->conv2_w), ATTN_P (P, w->conv2_b), d, 3, 2,
                      1, w->c2, w->col);
  attn_op_act_fwd (ATTN_TACT_GELU, w->c2, (gsize) B * d * T, w->a2);
  /* [B, d, T] → [B, T, d], plus the positions */
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        float *row = x + ((gsize) b * T + t) * d;
        const float *pos = ATTN_P (P, w->enc_pos) + (gsize) t * d;
        for (int j = 0; j < d; j++)
          row[j] = w->a2[((gsize) b * d + j) * T + t] + pos[j];
      }
  attn_op_dropout_or_copy (x, (gsize) B * T * d, c->dropout, train, rng, w->enc_m0, w->enc_x0);
  h = w->enc_x0;
  for (int l = 0; l < c->encoder_layers; l++)
    {
      attn_block_attn_fwd (&w->blk, &ed->enc[l].self, &ed->enc_self[l], h, h, &s_enc, train, rng);
      attn_block_ffn_fwd (&w->blk, &ed->enc[l].ffn, &ed->enc_ffn[l], ed->enc_self[l].y, B * T,
                          train, rng);
      h = ed->enc_ffn[l].y;
    }
  attn_op_layernorm_fwd (h, B * T, d, ATTN_P (P, w->enc_ln_g), ATTN_P (P, w->enc_ln_b), 1e-5f,
                         w->enc_out, w->enc_mean, w->enc_rstd);
}

static const float *
encoder_last (Wh *w)
{
  int L = w->cfg.encoder_layers;
  return L > 0 ? w->ed.enc_ffn[L - 1].y : w->enc_x0;
}

static const float *
decoder_last (Wh *w)
{
  int L = w->cfg.decoder_layers;
  return L > 0 ? w->ed.dec_ffn[L - 1].y : w->dec_x0;
}

/* tgt_in [B, Tt] and enc_out → logits [B·Tt, V]. */
static void
decode (Wh *w, const AttnBatch *batch, gboolean train, AttnRng *rng)
{
  AttnEncDec *ed = &w->ed;
  const AttnWhisperTrainConfig *c = &w->cfg;
  AttnParams *P = w->parent.params;
  int B = batch->B, Tt = batch->Tt, T = c->max_source_positions, d = c->d_model;
  AttnAttnShape s_dec = { B, Tt, Tt, d, c->heads, batch->tgt_len, TRUE };
  AttnAttnShape s_cross = { B, Tt, T, d, c->heads, NULL, FALSE };
  float *x = w->g_b;
  const float *h;

  attn_op_embedding_fwd (batch->tgt_in, B * Tt, ATTN_P (P, w->embed), d, 1.0f, x);
  for (int b = 0; b < B; b++)
    attn_op_add (x + (gsize) b * Tt * d, ATTN_P (P, w->dec_pos), (gsize) Tt * d);
  attn_op_dropout_or_copy (x, (gsize) B * Tt * d, c->dropout, train, rng, w->dec_m0, w->dec_x0);
  h = w->dec_x0;
  for (int l = 0; l < c->decoder_layers; l++)
    {
      attn_block_attn_fwd (&w->blk, &ed->dec[l].self, &ed->dec_self[l], h, h, &s_dec, train, rng);
      attn_block_attn_fwd (&w->blk, &ed->dec[l].cross, &ed->dec_cross[l], ed->dec_self[l].y,
                            w->enc_out, &s_cross, train, rng);
      attn_block_ffn_fwd (&w->blk, &ed->dec[l].ffn, &ed->dec_ffn[l], ed->dec_cross[l].y, B * Tt,
                          train, rng);
      h = ed->dec_ffn[l].y;
    }
  attn_op_layernorm_fwd (h, B * Tt, d, ATTN_P (P, w->dec_ln_g), ATTN_P (P, w->dec_ln_b), 1e-5f,
                         w->dec_out, w->dec_mean, w->dec_rstd);
  attn_op_linear_fwd (w->dec_out, B * Tt, d, ATTN_P (P, w->embed), NULL, c->vocab, w->logits);
}

/* The auxiliary CTC loss per transcript token, over the encoder's output scored by the
 * tied output layer, <|endoftext|> as the blank; the transcript is read back from the
 * labels (those not ignored, less the final <|endoftext|>). With dctc, its gradient
 * (× ctc_weight) is kept for backward. */
static double
ctc_loss (Wh *w, const AttnBatch *batch, gboolean with_grad)
{
  const AttnWhisperTrainConfig *c = &w->cfg;
  AttnParams *P = w->parent.params;
  int B = batch->B, T = c->max_source_positions, Tt = batch->Tt, V = c->vocab, total = 0;
  double sum = 0;

  attn_op_linear_fwd (w->enc_out, B * T, c->d_model, ATTN_P (P, w->embed), NULL, V, w->ctc_logits);
  for (gsize i = 0; i < (gsize) B * Tt; i++)
    total += batch->tgt_out[i] != IGNORE_LABEL;
  total -= B;   /* the final <|endoftext|> of each */
  for (int b = 0; b < B; b++)
    {
      int n = 0;
      double loss;
      for (int j = 0; j < Tt; j++)
        if (batch->tgt_out[(gsize) b * Tt + j] != IGNORE_LABEL)
          w->ctc_labels[n++] = batch->tgt_out[(gsize) b * Tt + j];
      n = MAX (n - 1, 0);
      loss = attn_op_ctc_loss (w->ctc_logits + (gsize) b * T * V, T, V, w->ctc_labels, n, c->eos_id,
                               c->ctc_weight / MAX (total, 1), with_grad ? w->dctc + (gsize) b * T * V : NULL);
      if (isfinite (loss))
        sum += loss;
    }
  return sum / MAX (total, 1);
}

/* ---- backward ---- */

static void
backward (Wh *w, const AttnBatch *batch, gboolean train)
{
  AttnEncDec *ed = &w->ed;
  const AttnWhisperTrainConfig *c = &w->cfg;
  AttnParams *P = w->parent.params;
  int B = batch->B, Tt = batch->Tt, T = c->max_source_positions, F = 2 * T, d = c->d_model;
  int Ns = B * T, Nt = B * Tt;
  AttnAttnShape s_enc = { B, T, T, d, c->heads, NULL, FALSE };
  AttnAttnShape s_dec = { B, Tt, Tt, d, c->heads, batch->tgt_len, TRUE };
  AttnAttnShape s_cross = { B, Tt, T, d, c->heads, NULL, FALSE };
  float *dcur = w->g_a, *dnext = w->g_b, *tmp;

  /* output layer (tied) and the decoder's final layer norm */
  memset (dnext, 0, sizeof (float) * Nt * d);
  attn_op_linear_bwd (w->dec_out, Nt, d, ATTN_P (P, w->embed), c->vocab, w->dlogits, dnext,
                      ATTN_G (P, w->embed), NULL);
  memset (dcur, 0, sizeof (float) * Nt * d);
  attn_op_layernorm_bwd (decoder_last (w), Nt, d, ATTN_P (P, w->dec_ln_g), w->dec_mean,
                         w->dec_rstd, dnext, dcur, ATTN_G (P, w->dec_ln_g), ATTN_G (P, w->dec_ln_b));
  memset (w->g_enc, 0, sizeof (float) * Ns * d);
  for (int l = c->decoder_layers - 1; l >= 0; l--)
    {
      /* dcur: gradient at the layer's output, then (swapped) at its input */
      memset (dnext, 0, sizeof (float) * Nt * d);
      attn_block_ffn_bwd (&w->blk, &ed->dec[l].ffn, &ed->dec_ffn[l], Nt, train, dcur, dnext);
      memset (dcur, 0, sizeof (float) * Nt * d);
      attn_block_attn_bwd (&w->blk, &ed->dec[l].cross, &ed->dec_cross[l], &s_cross, train, dnext,
                           dcur, w->g_enc);
      memset (dnext, 0, sizeof (float) * Nt * d);
      attn_block_attn_bwd (&w->blk, &ed->dec[l].self, &ed->dec_self[l], &s_dec, train, dcur,
                           dnext, dnext);
      tmp = dcur;
      dcur = dnext;
      dnext = tmp;
    }
  /* token embeddings and learned positions */
  memset (dnext, 0, sizeof (float) * Nt * d);
  attn_op_dropout_or_copy_bwd (dcur, (gsize) Nt * d, c->dropout, train, w->dec_m0, dnext);
  attn_op_embedding_bwd (batch->tgt_in, Nt, d, 1.0f, dnext, ATTN_G (P, w->embed));
  for (int b = 0; b < B; b++)
    attn_op_add (ATTN_G (P, w->dec_pos), dnext + (gsize) b * Tt * d, (gsize) Tt * d);

  if (c->ctc_weight > 0)
    attn_op_linear_bwd (w->enc_out, Ns, d, ATTN_P (P, w->embed), c->vocab, w->dctc, w->g_enc,
                        ATTN_G (P, w->embed), NULL);

  /* encoder: final layer norm, layers */
  memset (dcur, 0, sizeof (float) * Ns * d);
  attn_op_layernorm_bwd (encoder_last (w), Ns, d, ATTN_P (P, w->enc_ln_g), w->enc_mean,
                         w->enc_rstd, w->g_enc, dcur, ATTN_G (P, w->enc_ln_g),
                         ATTN_G (P, w->enc_ln_b));
  for (int l = c->encoder_layers - 1; l >= 0; l--)
    {
      memset (dnext, 0, sizeof (float) * Ns * d);
      attn_block_ffn_bwd (&w->blk, &ed->enc[l].ffn, &ed->enc_ffn[l], Ns, train, dcur, dnext);
      memset (dcur, 0, sizeof (float) * Ns * d);
      attn_block_attn_bwd (&w->blk, &ed->enc[l].self, &ed->enc_self[l], &s_enc, train, dnext,
                           dcur, dcur);
    }
  /* positions are fixed; [B, T, d] → [B, d, T], GELU, conv2, GELU, conv1 */
  memset (dnext, 0, sizeof (float) * Ns * d);
  attn_op_dropout_or_copy_bwd (dcur, (gsize) Ns * d, c->dropout, train, w->enc_m0, dnext);
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        const float *row = dnext + ((gsize) b * T + t) * d;
        for (int j = 0; j < d; j++)
          w->g_c1[((gsize) b * d + j) * T + t] = row[j];
      }
  memset (w->g_c2, 0, sizeof (float) * B * d * T);
  attn_op_act_bwd (ATTN_TACT_GELU, w->c2, (gsize) B * d * T, w->g_c1, w->g_c2);
  memset (w->g_c1, 0, sizeof (float) * B * d * F);
  attn_op_conv1d_bwd (w->a1, B, d, F, ATTN_P (P, w->conv2_w), d, 3, 2, 1, w->g_c2, w->g_c1,
                      ATTN_G (P, w->conv2_w), ATTN_G (P, w->conv2_b), w->col, w->dcol);
  memset (w->g_c2, 0, sizeof (float) * B * d * F);
  attn_op_act_bwd (ATTN_TACT_GELU, w->c1, (gsize) B * d * F, w->g_c1, w->g_c2);
  attn_op_conv1d_bwd (batch->feats, B, c->n_mels, F, ATTN_P (P, w->conv1_w), d, 3, 1, 1, w->g_c2,
                      NULL, ATTN_G (P, w->conv1_w), ATTN_G (P, w->conv1_b), w->col, w->dcol);
}

static void
wh_forward (AttnTrainModel *m, const AttnBatch *batch, float smoothing, gboolean train,
            gboolean do_backward, AttnRng *rng, AttnLossStats *stats)
{
  Wh *w = (Wh *) m;
  AttnLossStats st = { 0 };

  g_return_if_fail (batch->feats != NULL && batch->n_mels == w->cfg.n_mels
                    && batch->frames == 2 * w->cfg.max_source_positions);
  reserve (w, batch->B, batch->Tt);
  w->B = batch->B;
  w->T = w->cfg.max_source_positions;
  w->Tt = batch->Tt;
  encode (w, batch, train, rng);
  decode (w, batch, train, rng);
  st.loss = attn_op_cross_entropy (w->logits, batch->B * batch->Tt, w->cfg.vocab, batch->tgt_out,
                                   IGNORE_LABEL, smoothing, do_backward ? w->dlogits : NULL,
                                   &st.tokens, &st.correct);
  if (w->cfg.ctc_weight > 0)
    st.loss += w->cfg.ctc_weight * ctc_loss (w, batch, do_backward);
  if (stats != NULL)
    *stats = st;
  if (do_backward)
    backward (w, batch, train);
}

/* Greedy decoding after the prompt: the encoder runs once, the decoder over the growing
 * prefix at each step. out [B, max_len] gets the tokens after the prompt up to and
 * including <|endoftext|> (which also pads). */
static void
wh_greedy (AttnTrainModel *m, AttnBatch *batch, int max_len, gint32 *out)
{
  Wh *w = (Wh *) m;
  const AttnWhisperTrainConfig *c = &w->cfg;
  int B = batch->B, np = c->n_prompt;
  int steps = MIN (max_len, c->max_target_positions - np + 1);
  g_autofree gboolean *done = g_new0 (gboolean, B);
  AttnBatch step = { 0 };

  for (gsize i = 0; i < (gsize) B * max_len; i++)
    out[i] = c->eos_id;
  if (steps <= 0)
    return;
  reserve (w, B, np + steps - 1);
  encode (w, batch, FALSE, NULL);
  attn_batch_reserve (&step, B, 1, np + steps - 1);
  for (int t = 0; t < steps; t++)
    {
      int n_done = 0;
      step.Tt = np + t;
      for (int b = 0; b < B; b++)
        {
          gint32 *ti = step.tgt_in + (gsize) b * step.Tt;
          memcpy (ti, c->prompt, sizeof (gint32) * np);
          for (int j = 0; j < t; j++)
            ti[np + j] = out[b * max_len + j];
          step.tgt_len[b] = step.Tt;
        }
      decode (w, &step, FALSE, NULL);
      for (int b = 0; b < B; b++)
        {
          const float *z = w->logits + ((gsize) b * step.Tt + step.Tt - 1) * c->vocab;
          int arg = 0;
          if (done[b])
            {
              n_done++;
              continue;
            }
          for (int v = 1; v < c->vocab; v++)
            if (z[v] > z[arg])
              arg = v;
          out[b * max_len + t] = arg;
          done[b] = arg == c->eos_id;
        }
      if (n_done == B)
        break;
    }
  attn_batch_clear (&step);
}

static const float *
wh_logits (AttnTrainModel *m)
{
  return ((Wh *) m)->logits;
}

static AttnWeights *
wh_cross (AttnTrainModel *m, int b, int tgt_len, int src_len)
{
  Wh *w = (Wh *) m;
  return attn_enc_dec_cross (&w->ed, w->cfg.heads, b, w->Tt, w->T, tgt_len, src_len);
}

/* ---- saving ---- */


static gboolean
wh_save_config (AttnTrainModel *m, const char *dir, GError **error)
{
  const AttnWhisperTrainConfig *c = &((Wh *) m)->cfg;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  int seconds = c->max_source_positions / 50;

  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "architectures");
  json_builder_begin_array (jb);
  json_builder_add_string_value (jb, "WhisperForConditionalGeneration");
  json_builder_end_array (jb);
  ATTN_KV_STR ("model_type", "whisper");
  ATTN_KV_STR ("activation_function", "gelu");
  attn_train_json_enc_dec_sizes (jb, c->d_model, c->encoder_layers, c->decoder_layers, c->heads,
                                 c->ffn_dim, c->vocab);
  ATTN_KV_INT ("num_mel_bins", c->n_mels);
  ATTN_KV_INT ("max_source_positions", c->max_source_positions);
  ATTN_KV_INT ("max_target_positions", c->max_target_positions);
  ATTN_KV_INT ("pad_token_id", c->eos_id);
  ATTN_KV_INT ("bos_token_id", c->eos_id);
  ATTN_KV_INT ("eos_token_id", c->eos_id);
  ATTN_KV_INT ("decoder_start_token_id", c->prompt[0]);
  ATTN_KV_DBL ("dropout", c->dropout);
  ATTN_KV_DBL ("attention_dropout", 0.0);
  ATTN_KV_DBL ("activation_dropout", 0.0);
  ATTN_KV_BOOL ("scale_embedding", FALSE);
  ATTN_KV_BOOL ("tie_word_embeddings", TRUE);
  ATTN_KV_BOOL ("is_encoder_decoder", TRUE);
  ATTN_KV_BOOL ("use_cache", TRUE);
  ATTN_KV_STR ("dtype", "float32");
  json_builder_end_object (jb);
  if (!attn_train_write_json (jb, dir, "config.json", error))
    return FALSE;

  /* generation: the English transcription prompt as transformers builds it from these */
  json_builder_reset (jb);
  json_builder_begin_object (jb);
  ATTN_KV_INT ("decoder_start_token_id", c->prompt[0]);
  ATTN_KV_INT ("bos_token_id", c->eos_id);
  ATTN_KV_INT ("eos_token_id", c->eos_id);
  ATTN_KV_INT ("pad_token_id", c->eos_id);
  ATTN_KV_INT ("max_length", c->max_target_positions);
  ATTN_KV_BOOL ("is_multilingual", TRUE);
  json_builder_set_member_name (jb, "lang_to_id");
  json_builder_begin_object (jb);
  ATTN_KV_INT ("<|en|>", c->lang_id);
  json_builder_end_object (jb);
  json_builder_set_member_name (jb, "task_to_id");
  json_builder_begin_object (jb);
  ATTN_KV_INT ("transcribe", c->task_id);
  json_builder_end_object (jb);
  ATTN_KV_INT ("no_timestamps_token_id", c->no_timestamps_id);
  json_builder_end_object (jb);
  if (!attn_train_write_json (jb, dir, "generation_config.json", error))
    return FALSE;

  /* the feature extractor: windows of max_source_positions / 50 seconds */
  json_builder_reset (jb);
  json_builder_begin_object (jb);
  ATTN_KV_STR ("feature_extractor_type", "WhisperFeatureExtractor");
  ATTN_KV_INT ("feature_size", c->n_mels);
  ATTN_KV_INT ("sampling_rate", 16000);
  ATTN_KV_INT ("hop_length", 160);
  ATTN_KV_INT ("n_fft", 400);
  ATTN_KV_INT ("chunk_length", seconds);
  ATTN_KV_INT ("n_samples", (gint64) seconds * 16000);
  ATTN_KV_INT ("nb_max_frames", (gint64) seconds * 100);
  ATTN_KV_DBL ("padding_value", 0.0);
  ATTN_KV_STR ("padding_side", "right");
  ATTN_KV_BOOL ("return_attention_mask", FALSE);
  json_builder_end_object (jb);
  return attn_train_write_json (jb, dir, "preprocessor_config.json", error);
}


static void
wh_free (AttnTrainModel *m)
{
  Wh *w = (Wh *) m;
  attn_block_clear (&w->blk);
  attn_params_free (m->params);
  attn_enc_dec_clear (&w->ed);
  g_free (w);
}

static const AttnTrainModelClass wh_class = {
  "whisper", wh_forward, wh_logits, wh_cross, wh_save_config, wh_free, wh_greedy,
};

AttnTrainModel *
attn_train_whisper_new (const AttnWhisperTrainConfig *config, GError **error)
{
  const AttnWhisperTrainConfig *c = config;
  gboolean ok = c->d_model > 0 && c->heads > 0 && c->d_model % c->heads == 0
                && c->d_model % 2 == 0 && c->ffn_dim > 0 && c->encoder_layers > 0
                && c->decoder_layers > 0 && (c->n_mels == 80 || c->n_mels == 128)
                && c->max_source_positions > 0 && c->max_source_positions % 50 == 0
                && c->max_source_positions <= 1500 && c->n_prompt >= 1
                && c->n_prompt <= ATTN_WHISPER_MAX_PROMPT
                && c->max_target_positions > c->n_prompt && c->eos_id >= 0
                && c->eos_id < c->vocab && c->dropout >= 0 && c->dropout < 1
                && c->ctc_weight >= 0;
  Wh *w;
  AttnParams *P;
  gint64 d = c->d_model;

  for (int i = 0; ok && i < c->n_prompt; i++)
    ok = c->prompt[i] >= 0 && c->prompt[i] < c->vocab;
  if (!ok)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("Whisper configuration is invalid (d_model %d, heads %d, ffn %d, layers %d+%d, "
                   "%d mel bins, %d source and %d target positions, vocab %d)"), c->d_model,
                   c->heads, c->ffn_dim, c->encoder_layers, c->decoder_layers, c->n_mels,
                   c->max_source_positions, c->max_target_positions, c->vocab);
      return NULL;
    }
  w = g_new0 (Wh, 1);
  w->cfg = *c;
  w->parent.klass = &wh_class;
  w->parent.vocab = c->vocab;
  w->parent.pad_id = c->eos_id;
  w->parent.bos_id = c->prompt[0];
  w->parent.eos_id = c->eos_id;
  P = w->parent.params = attn_params_new ();
  w->blk.params = P;
  w->blk.d = c->d_model;
  w->blk.ffn = c->ffn_dim;
  w->blk.dropout = c->dropout;
  w->blk.ln_eps = 1e-5f;
  w->blk.act = ATTN_TACT_GELU;
  w->blk.pre_norm = TRUE;

  w->conv1_w = add_t (P, "model.encoder.conv1.weight", 3, d, c->n_mels, 3, TRUE);
  w->conv1_b = add_t (P, "model.encoder.conv1.bias", 1, d, 0, 0, FALSE);
  w->conv2_w = add_t (P, "model.encoder.conv2.weight", 3, d, d, 3, TRUE);
  w->conv2_b = add_t (P, "model.encoder.conv2.bias", 1, d, 0, 0, FALSE);
  /* fixed sinusoids: never given a gradient, so AdamW leaves them as they are */
  w->enc_pos = add_t (P, "model.encoder.embed_positions.weight", 2, c->max_source_positions, d, 0, FALSE);
  attn_enc_dec_init (&w->ed, c->encoder_layers, c->decoder_layers);
  for (int l = 0; l < c->encoder_layers; l++)
    declare_layer (P, "encoder", l, c->d_model, c->ffn_dim, &w->ed.enc[l]);
  w->enc_ln_g = add_t (P, "model.encoder.layer_norm.weight", 1, d, 0, 0, FALSE);
  w->enc_ln_b = add_t (P, "model.encoder.layer_norm.bias", 1, d, 0, 0, FALSE);
  w->embed = add_t (P, "model.decoder.embed_tokens.weight", 2, c->vocab, d, 0, TRUE);
  w->dec_pos = add_t (P, "model.decoder.embed_positions.weight", 2, c->max_target_positions, d, 0, FALSE);
  for (int l = 0; l < c->decoder_layers; l++)
    declare_layer (P, "decoder", l, c->d_model, c->ffn_dim, &w->ed.dec[l]);
  w->dec_ln_g = add_t (P, "model.decoder.layer_norm.weight", 1, d, 0, 0, FALSE);
  w->dec_ln_b = add_t (P, "model.decoder.layer_norm.bias", 1, d, 0, 0, FALSE);
  attn_params_alloc (P);
  return &w->parent;
}

/* Xavier-normal matrices and convolutions, d^-1/2 token embeddings, small learned
 * positions, zero biases, unit norm gains, and Whisper's sinusoids (sin in the first
 * half, cos in the second, timescales from 1 to 10000) for the encoder. */
void
attn_train_whisper_init (AttnTrainModel *m, AttnRng *rng)
{
  Wh *w = (Wh *) m;
  AttnParams *P = m->params;
  int d = w->cfg.d_model, half = d / 2;

  for (guint i = 0; i < P->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (P->info, AttnParamInfo, i);
      float *v = P->data + info->offset;
      float std = 0;

      if (info->offset == w->enc_pos)
        {
          double inc = log (10000.0) / (half - 1);
          for (int t = 0; t < w->cfg.max_source_positions; t++)
            for (int j = 0; j < half; j++)
              {
                double a = t * exp (-inc * j);
                v[(gsize) t * d + j] = (float) sin (a);
                v[(gsize) t * d + half + j] = (float) cos (a);
              }
          continue;
        }
      if (info->offset == w->embed)
        std = 1.0f / sqrtf ((float) d);
      else if (info->offset == w->dec_pos)
        std = 0.02f;
      else if (info->ndim == 3)
        std = sqrtf (2.0f / (float) (info->shape[0] * 3 + info->shape[1] * 3));
      else if (info->ndim == 2)
        std = sqrtf (2.0f / (float) (info->shape[0] + info->shape[1]));
      if (std > 0)
        for (gsize j = 0; j < info->numel; j++)
          v[j] = std * attn_rng_normal (rng);
      else if (g_str_has_suffix (info->name, "layer_norm.weight"))
        for (gsize j = 0; j < info->numel; j++)
          v[j] = 1.0f;
      else
        memset (v, 0, sizeof (float) * info->numel);
    }
}
