/* attn-rnn.c — the recurrent encoder–decoder with attention ("attn-rnn"),
 * forward and backward, used for training and (through attn-rnn-arch.c) for
 * inference.
 *
 *   encoder  e_j = [GRU→(x)_j ; GRU←(x)_j]          bidirectional, H/2 each
 *   bridge   s_0 = tanh(W_b [h→_last ; h←_first] + b_b)
 *   decoder  s_t = GRU(emb(y_{t-1}), s_{t-1})        (or LSTM, c_0 = 0)
 *   scores   additive  v · tanh(W_q s_t + W_k e_j + b_k)      (Bahdanau)
 *            dot       s_t · e_j                              (Luong)
 *            general   s_t · (W_g e_j)                        (Luong)
 *            scaled    s_t · e_j / √H
 *   attention a_t = softmax over the real source positions;  c_t = Σ_j a_tj e_j
 *   output   o_t = tanh(W_c [s_t ; c_t] + b_c);  logits = W_o o_t + b_o
 *
 * Parameter names (config.json and tensors are documented in
 * docs/training.md, "The attn-rnn model"): model.shared.weight [V, E];
 * model.encoder.rnn.{weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0}[_reverse];
 * model.bridge.{weight, bias}; model.decoder.rnn.*_l0;
 * model.decoder.attention.{query.weight, key.weight, key.bias, v.weight} (additive) or
 * model.decoder.attention.bilinear.weight (general);
 * model.decoder.combine.{weight, bias}; model.decoder.out_proj.{weight, bias}. */
#include <cblas.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"
#include "attn-rnn-private.h"

typedef struct {
  gsize w_ih, w_hh, b_ih, b_hh;
} RnnOff;

typedef struct {
  AttnTrainModel parent;
  AttnRnnConfig  cfg;
  int            He;                   /* per encoder direction: H / 2 */
  gsize          shared, bridge_w, bridge_b, q_w, k_w, k_b, v_w, g_w, comb_w, comb_b, out_w, out_b;
  RnnOff         enc_f, enc_b, dec;

  int            cap_B, cap_Ts, cap_Tt;
  GPtrArray     *buffers;
  AttnRnnBufs    rf, rb, rd;           /* encoder forward/backward, decoder */
  gint32        *src_tm, *tgt_tm;      /* [T, B] ids, time-major */
  float         *emb_s, *emb_t;        /* [Ts, B, E], [Tt, B, E] after dropout */
  guint8        *m_s, *m_t, *m_o;
  float         *enc;                  /* [B, Ts, K] */
  float         *bi, *s0;              /* [B, K], [B, H] */
  float         *S;                    /* [B, Tt, H] decoder states */
  float         *keys;                 /* [B·Ts, A or H] projected keys (additive, general) */
  float         *qp;                   /* [B·Tt, A] */
  float         *th;                   /* [B, Tt, Ts, A] additive tanh */
  float         *P;                    /* [B, Tt, Ts] */
  float         *cat;                  /* [B·Tt, H + K]: [s ; c] */
  float         *o, *od;               /* [B·Tt, H] tanh output, after dropout */
  float         *logits, *dlogits;     /* [B·Tt, V] */
  /* gradients */
  float         *g_od, *g_o, *g_cat, *g_S, *g_Stm, *g_enc, *g_keys, *g_qp, *g_P;
  float         *g_emb_s, *g_emb_t, *g_hf, *g_hb, *g_bi, *g_s0, *g_hf_last, *g_hb_last;
  int            B, Ts, Tt;
  gboolean       last_logits;          /* inference: logits of each sequence's last position only */
} Rnn;

/* ---- parameters ---- */

static gsize
add_t (AttnParams *p, const char *name, gint64 a, gint64 b)
{
  gint64 shape[2] = { a, b };
  return attn_params_add (p, name, b > 0 ? 2 : 1, shape, b > 0);
}

static void
declare_rnn (AttnParams *p, const char *prefix, const char *suffix, int G, int in, int H,
             RnnOff *o)
{
  g_autofree char *a = g_strdup_printf ("%s.weight_ih_l0%s", prefix, suffix);
  g_autofree char *b = g_strdup_printf ("%s.weight_hh_l0%s", prefix, suffix);
  g_autofree char *c = g_strdup_printf ("%s.bias_ih_l0%s", prefix, suffix);
  g_autofree char *d = g_strdup_printf ("%s.bias_hh_l0%s", prefix, suffix);
  o->w_ih = add_t (p, a, (gint64) G * H, in);
  o->w_hh = add_t (p, b, (gint64) G * H, H);
  o->b_ih = add_t (p, c, (gint64) G * H, 0);
  o->b_hh = add_t (p, d, (gint64) G * H, 0);
}

static AttnRnnSeq
seq_for (Rnn *r, const RnnOff *o, int T, int in, int H, gboolean reverse, const int *len)
{
  AttnParams *P = r->parent.params;
  AttnRnnSeq s = { r->cfg.cell, T, r->B, in, H, reverse, len,
                   ATTN_P (P, o->w_ih), ATTN_P (P, o->w_hh), ATTN_P (P, o->b_ih), ATTN_P (P, o->b_hh),
                   ATTN_G (P, o->w_ih), ATTN_G (P, o->w_hh), ATTN_G (P, o->b_ih), ATTN_G (P, o->b_hh) };
  return s;
}

/* ---- buffers ---- */

static float *
fb (Rnn *r, gsize n)
{
  float *b = g_new0 (float, MAX (n, 1));
  g_ptr_array_add (r->buffers, b);
  return b;
}

static void
reserve (Rnn *r, int B, int Ts, int Tt)
{
  const AttnRnnConfig *c = &r->cfg;
  gsize H = c->hidden_size, K = H, E = c->embed_dim, A = c->attention_dim, V = c->vocab;
  gsize Ns, Nt;

  if (B <= r->cap_B && Ts <= r->cap_Ts && Tt <= r->cap_Tt)
    return;
  B = MAX (B, r->cap_B);
  Ts = MAX (Ts, r->cap_Ts);
  Tt = MAX (Tt, r->cap_Tt);
  if (r->buffers != NULL)
    {
      g_ptr_array_unref (r->buffers);
      attn_rnn_bufs_clear (&r->rf);
      attn_rnn_bufs_clear (&r->rb);
      attn_rnn_bufs_clear (&r->rd);
    }
  r->buffers = g_ptr_array_new_with_free_func (g_free);
  r->cap_B = B;
  r->cap_Ts = Ts;
  r->cap_Tt = Tt;
  Ns = (gsize) B * Ts;
  Nt = (gsize) B * Tt;
  attn_rnn_bufs_init (&r->rf, c->cell, Ts, B, r->He);
  attn_rnn_bufs_init (&r->rb, c->cell, Ts, B, r->He);
  attn_rnn_bufs_init (&r->rd, c->cell, Tt, B, H);
  r->src_tm = (gint32 *) fb (r, Ns);
  r->tgt_tm = (gint32 *) fb (r, Nt);
  r->emb_s = fb (r, Ns * E);
  r->emb_t = fb (r, Nt * E);
  r->m_s = (guint8 *) fb (r, Ns * E);
  r->m_t = (guint8 *) fb (r, Nt * E);
  r->m_o = (guint8 *) fb (r, Nt * H);
  r->enc = fb (r, Ns * K);
  r->bi = fb (r, B * K);
  r->s0 = fb (r, B * H);
  r->S = fb (r, Nt * H);
  r->keys = fb (r, Ns * MAX (A, H));
  r->qp = fb (r, Nt * A);
  r->th = c->score == ATTN_SCORE_ADDITIVE ? fb (r, Nt * Ts * A) : NULL;
  r->P = fb (r, Nt * Ts);
  r->cat = fb (r, Nt * (H + K));
  r->o = fb (r, Nt * H);
  r->od = fb (r, Nt * H);
  r->logits = fb (r, Nt * V);
  r->dlogits = fb (r, Nt * V);
  r->g_od = fb (r, Nt * H);
  r->g_o = fb (r, Nt * H);
  r->g_cat = fb (r, Nt * (H + K));
  r->g_S = fb (r, Nt * H);
  r->g_Stm = fb (r, Nt * H);
  r->g_enc = fb (r, Ns * K);
  r->g_keys = fb (r, Ns * MAX (A, H));
  r->g_qp = fb (r, Nt * A);
  r->g_P = fb (r, Nt * Ts);
  r->g_emb_s = fb (r, Ns * E);
  r->g_emb_t = fb (r, Nt * E);
  r->g_hf = fb (r, Ns * r->He);
  r->g_hb = fb (r, Ns * r->He);
  r->g_bi = fb (r, B * K);
  r->g_s0 = fb (r, B * H);
  r->g_hf_last = fb (r, (gsize) B * r->He);
  r->g_hb_last = fb (r, (gsize) B * r->He);
}

static void
drop (const AttnRnnConfig *c, float *x, gsize n, gboolean train, AttnRng *rng, guint8 *mask)
{
  if (train && c->dropout > 0)
    attn_op_dropout_fwd (x, n, c->dropout, rng, mask, x);
}

static void
drop_bwd (const AttnRnnConfig *c, float *dx, gsize n, gboolean train, const guint8 *mask)
{
  if (train && c->dropout > 0)
    {
      float keep = 1.0f / (1.0f - c->dropout);
      for (gsize i = 0; i < n; i++)
        dx[i] = mask[i] ? dx[i] * keep : 0.0f;
    }
}

/* ---- attention scores ---- */

static void
scores_fwd (Rnn *r, const int *src_len)
{
  const AttnRnnConfig *c = &r->cfg;
  AttnParams *P = r->parent.params;
  int B = r->B, Ts = r->Ts, Tt = r->Tt, H = c->hidden_size, K = H, A = c->attention_dim;

  switch (c->score)
    {
    case ATTN_SCORE_DOT:
    case ATTN_SCORE_SCALED_DOT:
      {
        float scale = c->score == ATTN_SCORE_DOT ? 1.0f : 1.0f / sqrtf ((float) H);
        for (int b = 0; b < B; b++)
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, Tt, Ts, H, scale,
                       r->S + (gsize) b * Tt * H, H, r->enc + (gsize) b * Ts * K, K, 0.0f,
                       r->P + (gsize) b * Tt * Ts, Ts);
      }
      break;
    case ATTN_SCORE_GENERAL:
      attn_op_linear_fwd (r->enc, B * Ts, K, ATTN_P (P, r->g_w), NULL, H, r->keys);
      for (int b = 0; b < B; b++)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, Tt, Ts, H, 1.0f,
                     r->S + (gsize) b * Tt * H, H, r->keys + (gsize) b * Ts * H, H, 0.0f,
                     r->P + (gsize) b * Tt * Ts, Ts);
      break;
    case ATTN_SCORE_ADDITIVE:
      {
        const float *v = ATTN_P (P, r->v_w);
        attn_op_linear_fwd (r->enc, B * Ts, K, ATTN_P (P, r->k_w), ATTN_P (P, r->k_b), A, r->keys);
        attn_op_linear_fwd (r->S, B * Tt, H, ATTN_P (P, r->q_w), NULL, A, r->qp);
        for (int b = 0; b < B; b++)
          for (int i = 0; i < Tt; i++)
            {
              const float *q = r->qp + ((gsize) b * Tt + i) * A;
              for (int j = 0; j < Ts; j++)
                {
                  const float *k = r->keys + ((gsize) b * Ts + j) * A;
                  float *th = r->th + (((gsize) b * Tt + i) * Ts + j) * A;
                  float e = 0;
                  for (int a = 0; a < A; a++)
                    {
                      th[a] = attn_tanhf (q[a] + k[a]);
                      e += v[a] * th[a];
                    }
                  r->P[((gsize) b * Tt + i) * Ts + j] = e;
                }
            }
      }
      break;
    }
  for (int b = 0; b < B; b++)
    for (int i = 0; i < Tt; i++)
      attn_op_softmax_rows (r->P + ((gsize) b * Tt + i) * Ts, 1, Ts, &src_len[b]);
}

/* From dP (in r->g_P): adds into g_S and g_enc and the score parameters. */
static void
scores_bwd (Rnn *r)
{
  const AttnRnnConfig *c = &r->cfg;
  AttnParams *P = r->parent.params;
  int B = r->B, Ts = r->Ts, Tt = r->Tt, H = c->hidden_size, K = H, A = c->attention_dim;
  float *dE = r->g_P;

  attn_op_softmax_bwd (r->P, dE, B * Tt, Ts, dE);
  switch (c->score)
    {
    case ATTN_SCORE_DOT:
    case ATTN_SCORE_SCALED_DOT:
      {
        float scale = c->score == ATTN_SCORE_DOT ? 1.0f : 1.0f / sqrtf ((float) H);
        for (int b = 0; b < B; b++)
          {
            const float *e = dE + (gsize) b * Tt * Ts;
            cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, Tt, H, Ts, scale, e, Ts,
                         r->enc + (gsize) b * Ts * K, K, 1.0f, r->g_S + (gsize) b * Tt * H, H);
            cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, Ts, K, Tt, scale, e, Ts,
                         r->S + (gsize) b * Tt * H, H, 1.0f, r->g_enc + (gsize) b * Ts * K, K);
          }
      }
      break;
    case ATTN_SCORE_GENERAL:
      memset (r->g_keys, 0, sizeof (float) * B * Ts * H);
      for (int b = 0; b < B; b++)
        {
          const float *e = dE + (gsize) b * Tt * Ts;
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, Tt, H, Ts, 1.0f, e, Ts,
                       r->keys + (gsize) b * Ts * H, H, 1.0f, r->g_S + (gsize) b * Tt * H, H);
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, Ts, H, Tt, 1.0f, e, Ts,
                       r->S + (gsize) b * Tt * H, H, 0.0f, r->g_keys + (gsize) b * Ts * H, H);
        }
      attn_op_linear_bwd (r->enc, B * Ts, K, ATTN_P (P, r->g_w), H, r->g_keys, r->g_enc,
                          ATTN_G (P, r->g_w), NULL);
      break;
    case ATTN_SCORE_ADDITIVE:
      {
        const float *v = ATTN_P (P, r->v_w);
        float *dv = ATTN_G (P, r->v_w);
        memset (r->g_keys, 0, sizeof (float) * B * Ts * A);
        memset (r->g_qp, 0, sizeof (float) * B * Tt * A);
        for (int b = 0; b < B; b++)
          for (int i = 0; i < Tt; i++)
            {
              float *dq = r->g_qp + ((gsize) b * Tt + i) * A;
              for (int j = 0; j < Ts; j++)
                {
                  float e = dE[((gsize) b * Tt + i) * Ts + j];
                  const float *th = r->th + (((gsize) b * Tt + i) * Ts + j) * A;
                  float *dk = r->g_keys + ((gsize) b * Ts + j) * A;
                  if (e == 0.0f)
                    continue;   /* masked keys */
                  for (int a = 0; a < A; a++)
                    {
                      float dpre = e * v[a] * (1.0f - th[a] * th[a]);
                      dv[a] += e * th[a];
                      dq[a] += dpre;
                      dk[a] += dpre;
                    }
                }
            }
        attn_op_linear_bwd (r->S, B * Tt, H, ATTN_P (P, r->q_w), A, r->g_qp, r->g_S,
                            ATTN_G (P, r->q_w), NULL);
        attn_op_linear_bwd (r->enc, B * Ts, K, ATTN_P (P, r->k_w), A, r->g_keys, r->g_enc,
                            ATTN_G (P, r->k_w), ATTN_G (P, r->k_b));
      }
      break;
    }
}

/* ---- forward and backward ---- */

static void
rnn_forward (AttnTrainModel *m, const AttnBatch *batch, float smoothing, gboolean train,
             gboolean backward, AttnRng *rng, AttnLossStats *stats)
{
  Rnn *r = (Rnn *) m;
  const AttnRnnConfig *c = &r->cfg;
  AttnParams *P = m->params;
  int B = batch->B, Ts = batch->Ts, Tt = batch->Tt;
  int H = c->hidden_size, K = H, He = r->He, E = c->embed_dim, V = c->vocab;
  int Ns = B * Ts, Nt = B * Tt;
  AttnRnnSeq sf, sb, sd;
  AttnLossStats st = { 0 };

  reserve (r, B, Ts, Tt);
  r->B = B;
  r->Ts = Ts;
  r->Tt = Tt;
  for (int b = 0; b < B; b++)
    {
      for (int t = 0; t < Ts; t++)
        r->src_tm[t * B + b] = batch->src[b * Ts + t];
      for (int t = 0; t < Tt; t++)
        r->tgt_tm[t * B + b] = batch->tgt_in[b * Tt + t];
    }

  /* encoder */
  attn_op_embedding_fwd (r->src_tm, Ns, ATTN_P (P, r->shared), E, 1.0f, r->emb_s);
  drop (c, r->emb_s, (gsize) Ns * E, train, rng, r->m_s);
  sf = seq_for (r, &r->enc_f, Ts, E, He, FALSE, batch->src_len);
  sb = seq_for (r, &r->enc_b, Ts, E, He, TRUE, batch->src_len);
  attn_rnn_seq_fwd (&sf, r->emb_s, NULL, NULL, &r->rf);
  attn_rnn_seq_fwd (&sb, r->emb_s, NULL, NULL, &r->rb);
  for (int b = 0; b < B; b++)
    for (int t = 0; t < Ts; t++)
      {
        float *e = r->enc + ((gsize) b * Ts + t) * K;
        if (t < batch->src_len[b])
          {
            memcpy (e, r->rf.hout + ((gsize) t * B + b) * He, sizeof (float) * He);
            memcpy (e + He, r->rb.hout + ((gsize) t * B + b) * He, sizeof (float) * He);
          }
        else
          memset (e, 0, sizeof (float) * K);
      }

  /* bridge: s0 = tanh(W [h→ ; h←] + b) */
  for (int b = 0; b < B; b++)
    {
      memcpy (r->bi + (gsize) b * K, r->rf.h + (gsize) b * He, sizeof (float) * He);
      memcpy (r->bi + (gsize) b * K + He, r->rb.h + (gsize) b * He, sizeof (float) * He);
    }
  attn_op_linear_fwd (r->bi, B, K, ATTN_P (P, r->bridge_w), ATTN_P (P, r->bridge_b), H, r->s0);
  attn_op_act_fwd (ATTN_TACT_TANH, r->s0, (gsize) B * H, r->s0);

  /* decoder states */
  attn_op_embedding_fwd (r->tgt_tm, Nt, ATTN_P (P, r->shared), E, 1.0f, r->emb_t);
  drop (c, r->emb_t, (gsize) Nt * E, train, rng, r->m_t);
  sd = seq_for (r, &r->dec, Tt, E, H, FALSE, NULL);
  attn_rnn_seq_fwd (&sd, r->emb_t, r->s0, NULL, &r->rd);
  for (int b = 0; b < B; b++)
    for (int t = 0; t < Tt; t++)
      memcpy (r->S + ((gsize) b * Tt + t) * H, r->rd.hout + ((gsize) t * B + b) * H,
              sizeof (float) * H);

  /* attention, context, output */
  scores_fwd (r, batch->src_len);
  for (int b = 0; b < B; b++)
    {
      /* cat[:, H:] = P_b enc_b */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, Tt, K, Ts, 1.0f,
                   r->P + (gsize) b * Tt * Ts, Ts, r->enc + (gsize) b * Ts * K, K, 0.0f,
                   r->cat + (gsize) b * Tt * (H + K) + H, H + K);
      for (int t = 0; t < Tt; t++)
        memcpy (r->cat + ((gsize) b * Tt + t) * (H + K), r->S + ((gsize) b * Tt + t) * H,
                sizeof (float) * H);
    }
  attn_op_linear_fwd (r->cat, Nt, H + K, ATTN_P (P, r->comb_w), ATTN_P (P, r->comb_b), H, r->o);
  attn_op_act_fwd (ATTN_TACT_TANH, r->o, (gsize) Nt * H, r->o);
  memcpy (r->od, r->o, sizeof (float) * Nt * H);
  drop (c, r->od, (gsize) Nt * H, train, rng, r->m_o);
  if (r->last_logits)
    {
      /* one row per sequence (the decoding step's), written to logits [B, V], instead
       * of the whole prefix's output layer */
      for (int b = 0; b < B; b++)
        attn_op_linear_fwd (r->od + ((gsize) b * Tt + batch->tgt_len[b] - 1) * H, 1, H,
                            ATTN_P (P, r->out_w), ATTN_P (P, r->out_b), V, r->logits + (gsize) b * V);
      return;
    }
  attn_op_linear_fwd (r->od, Nt, H, ATTN_P (P, r->out_w), ATTN_P (P, r->out_b), V, r->logits);
  st.loss = attn_op_cross_entropy (r->logits, Nt, V, batch->tgt_out, m->pad_id, smoothing,
                                   backward ? r->dlogits : NULL, &st.tokens, &st.correct);
  if (stats != NULL)
    *stats = st;
  if (!backward)
    return;

  /* output layer and combination */
  memset (r->g_od, 0, sizeof (float) * Nt * H);
  attn_op_linear_bwd (r->od, Nt, H, ATTN_P (P, r->out_w), V, r->dlogits, r->g_od,
                      ATTN_G (P, r->out_w), ATTN_G (P, r->out_b));
  drop_bwd (c, r->g_od, (gsize) Nt * H, train, r->m_o);
  for (gsize i = 0; i < (gsize) Nt * H; i++)
    r->g_o[i] = r->g_od[i] * (1.0f - r->o[i] * r->o[i]);
  memset (r->g_cat, 0, sizeof (float) * Nt * (H + K));
  attn_op_linear_bwd (r->cat, Nt, H + K, ATTN_P (P, r->comb_w), H, r->g_o, r->g_cat,
                      ATTN_G (P, r->comb_w), ATTN_G (P, r->comb_b));

  /* context: dP = dc enc^T, denc = P^T dc */
  memset (r->g_enc, 0, sizeof (float) * Ns * K);
  for (int b = 0; b < B; b++)
    {
      const float *dctx = r->g_cat + (gsize) b * Tt * (H + K) + H;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, Tt, Ts, K, 1.0f, dctx, H + K,
                   r->enc + (gsize) b * Ts * K, K, 0.0f, r->g_P + (gsize) b * Tt * Ts, Ts);
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, Ts, K, Tt, 1.0f,
                   r->P + (gsize) b * Tt * Ts, Ts, dctx, H + K, 1.0f,
                   r->g_enc + (gsize) b * Ts * K, K);
      for (int t = 0; t < Tt; t++)
        memcpy (r->g_S + ((gsize) b * Tt + t) * H, r->g_cat + ((gsize) b * Tt + t) * (H + K),
                sizeof (float) * H);
    }
  scores_bwd (r);

  /* decoder recurrence */
  for (int b = 0; b < B; b++)
    for (int t = 0; t < Tt; t++)
      memcpy (r->g_Stm + ((gsize) t * B + b) * H, r->g_S + ((gsize) b * Tt + t) * H,
              sizeof (float) * H);
  memset (r->g_emb_t, 0, sizeof (float) * Nt * E);
  memset (r->g_s0, 0, sizeof (float) * B * H);
  attn_rnn_seq_bwd (&sd, r->emb_t, &r->rd, r->g_Stm, NULL, NULL, r->g_emb_t, r->g_s0, NULL);
  drop_bwd (c, r->g_emb_t, (gsize) Nt * E, train, r->m_t);
  attn_op_embedding_bwd (r->tgt_tm, Nt, E, 1.0f, r->g_emb_t, ATTN_G (P, r->shared));

  /* bridge */
  for (gsize i = 0; i < (gsize) B * H; i++)
    r->g_s0[i] *= 1.0f - r->s0[i] * r->s0[i];
  memset (r->g_bi, 0, sizeof (float) * B * K);
  attn_op_linear_bwd (r->bi, B, K, ATTN_P (P, r->bridge_w), H, r->g_s0, r->g_bi,
                      ATTN_G (P, r->bridge_w), ATTN_G (P, r->bridge_b));

  /* encoder */
  for (int b = 0; b < B; b++)
    for (int t = 0; t < Ts; t++)
      {
        const float *ge = r->g_enc + ((gsize) b * Ts + t) * K;
        memcpy (r->g_hf + ((gsize) t * B + b) * He, ge, sizeof (float) * He);
        memcpy (r->g_hb + ((gsize) t * B + b) * He, ge + He, sizeof (float) * He);
      }
  /* the bridge read the final states [h→ ; h←] */
  for (int b = 0; b < B; b++)
    {
      memcpy (r->g_hf_last + (gsize) b * He, r->g_bi + (gsize) b * K, sizeof (float) * He);
      memcpy (r->g_hb_last + (gsize) b * He, r->g_bi + (gsize) b * K + He, sizeof (float) * He);
    }
  memset (r->g_emb_s, 0, sizeof (float) * Ns * E);
  attn_rnn_seq_bwd (&sf, r->emb_s, &r->rf, r->g_hf, r->g_hf_last, NULL, r->g_emb_s, NULL, NULL);
  attn_rnn_seq_bwd (&sb, r->emb_s, &r->rb, r->g_hb, r->g_hb_last, NULL, r->g_emb_s, NULL, NULL);
  drop_bwd (c, r->g_emb_s, (gsize) Ns * E, train, r->m_s);
  attn_op_embedding_bwd (r->src_tm, Ns, E, 1.0f, r->g_emb_s, ATTN_G (P, r->shared));
}

static const float *
rnn_logits (AttnTrainModel *m)
{
  return ((Rnn *) m)->logits;
}

void
attn_rnn_forward_last (AttnTrainModel *m, const AttnBatch *batch, float *logits)
{
  Rnn *r = (Rnn *) m;

  r->last_logits = TRUE;
  rnn_forward (m, batch, 0.0f, FALSE, FALSE, NULL, NULL);
  r->last_logits = FALSE;
  memcpy (logits, r->logits, sizeof (float) * batch->B * r->cfg.vocab);
}

static AttnWeights *
rnn_cross (AttnTrainModel *m, int b, int tgt_len, int src_len)
{
  Rnn *r = (Rnn *) m;
  AttnWeights *w = attn_weights_new (1, 1, tgt_len, src_len);
  for (int i = 0; i < tgt_len; i++)
    memcpy (w->data + (gsize) i * src_len, r->P + ((gsize) b * r->Tt + i) * r->Ts,
            sizeof (float) * src_len);
  return w;
}

static gboolean
rnn_save_config (AttnTrainModel *m, const char *dir, GError **error)
{
  const AttnRnnConfig *c = &((Rnn *) m)->cfg;
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *gpath = g_build_filename (dir, "generation_config.json", NULL);
  g_autofree char *text = NULL, *gtext = NULL;
  char dropout[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (dropout, sizeof dropout, c->dropout);
  text = g_strdup_printf (
    "{\n"
    "  \"architectures\": [\"AttnRnnForSeq2Seq\"],\n"
    "  \"model_type\": \"attn-rnn\",\n"
    "  \"cell\": \"%s\",\n"
    "  \"score\": \"%s\",\n"
    "  \"vocab_size\": %d,\n"
    "  \"embed_dim\": %d,\n"
    "  \"hidden_size\": %d,\n"
    "  \"encoder_hidden_size\": %d,\n"
    "  \"bidirectional\": true,\n"
    "  \"encoder_layers\": 1,\n"
    "  \"decoder_layers\": 1,\n"
    "  \"attention_dim\": %d,\n"
    "  \"max_position_embeddings\": %d,\n"
    "  \"pad_token_id\": %d,\n"
    "  \"bos_token_id\": %d,\n"
    "  \"eos_token_id\": %d,\n"
    "  \"decoder_start_token_id\": %d,\n"
    "  \"dropout\": %s,\n"
    "  \"is_encoder_decoder\": true,\n"
    "  \"tie_word_embeddings\": false\n"
    "}\n",
    c->cell == ATTN_CELL_LSTM ? "lstm" : "gru", attn_score_name (c->score), c->vocab,
    c->embed_dim, c->hidden_size, c->hidden_size / 2, c->attention_dim, c->max_positions,
    c->pad_id, c->bos_id, c->eos_id, c->bos_id, dropout);
  if (!g_file_set_contents (path, text, -1, error))
    return FALSE;
  gtext = g_strdup_printf ("{\n  \"decoder_start_token_id\": %d,\n  \"bos_token_id\": %d,\n"
                           "  \"eos_token_id\": %d,\n  \"pad_token_id\": %d,\n"
                           "  \"max_length\": %d\n}\n",
                           c->bos_id, c->bos_id, c->eos_id, c->pad_id, c->max_positions);
  return g_file_set_contents (gpath, gtext, -1, error);
}

static void
rnn_free (AttnTrainModel *m)
{
  Rnn *r = (Rnn *) m;
  if (r->buffers != NULL)
    {
      g_ptr_array_unref (r->buffers);
      attn_rnn_bufs_clear (&r->rf);
      attn_rnn_bufs_clear (&r->rb);
      attn_rnn_bufs_clear (&r->rd);
    }
  attn_params_free (m->params);
  g_free (r);
}

static const AttnTrainModelClass rnn_class = {
  "attn-rnn", rnn_forward, rnn_logits, rnn_cross, rnn_save_config, rnn_free,
};

AttnTrainModel *
attn_rnn_new (const AttnRnnConfig *config, GError **error)
{
  const AttnRnnConfig *c = config;
  Rnn *r;
  AttnParams *P;
  int G = attn_rnn_gates (c->cell), H = c->hidden_size, E = c->embed_dim, K = H;

  if (c->vocab <= 0 || E <= 0 || H <= 0 || H % 2 != 0 || c->attention_dim <= 0
      || c->pad_id < 0 || c->pad_id >= c->vocab || c->bos_id < 0 || c->bos_id >= c->vocab
      || c->eos_id < 0 || c->eos_id >= c->vocab || c->dropout < 0 || c->dropout >= 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("attn-rnn configuration is invalid (vocab %d, embed %d, hidden %d — "
                   "hidden must be even —, attention %d)"), c->vocab, E, H, c->attention_dim);
      return NULL;
    }
  r = g_new0 (Rnn, 1);
  r->cfg = *c;
  r->He = H / 2;
  r->parent.klass = &rnn_class;
  r->parent.vocab = c->vocab;
  r->parent.pad_id = c->pad_id;
  r->parent.bos_id = c->bos_id;
  r->parent.eos_id = c->eos_id;
  P = r->parent.params = attn_params_new ();
  r->shared = add_t (P, "model.shared.weight", c->vocab, E);
  declare_rnn (P, "model.encoder.rnn", "", G, E, r->He, &r->enc_f);
  declare_rnn (P, "model.encoder.rnn", "_reverse", G, E, r->He, &r->enc_b);
  r->bridge_w = add_t (P, "model.bridge.weight", H, K);
  r->bridge_b = add_t (P, "model.bridge.bias", H, 0);
  declare_rnn (P, "model.decoder.rnn", "", G, E, H, &r->dec);
  if (c->score == ATTN_SCORE_ADDITIVE)
    {
      r->q_w = add_t (P, "model.decoder.attention.query.weight", c->attention_dim, H);
      r->k_w = add_t (P, "model.decoder.attention.key.weight", c->attention_dim, K);
      r->k_b = add_t (P, "model.decoder.attention.key.bias", c->attention_dim, 0);
      r->v_w = add_t (P, "model.decoder.attention.v.weight", 1, c->attention_dim);
    }
  else if (c->score == ATTN_SCORE_GENERAL)
    r->g_w = add_t (P, "model.decoder.attention.bilinear.weight", H, K);
  r->comb_w = add_t (P, "model.decoder.combine.weight", H, H + K);
  r->comb_b = add_t (P, "model.decoder.combine.bias", H, 0);
  r->out_w = add_t (P, "model.decoder.out_proj.weight", c->vocab, H);
  r->out_b = add_t (P, "model.decoder.out_proj.bias", c->vocab, 0);
  attn_params_alloc (P);
  return &r->parent;
}

/* Uniform(±1/√H) for recurrent weights (PyTorch's default), Xavier-normal for
 * the others, N(0, 1/E) embeddings, zero biases; the general score's W_g as
 * score_init says (the identity needs K = H, which the bidirectional encoder
 * gives). */
void
attn_rnn_init (AttnTrainModel *m, AttnRng *rng, AttnScoreInit score_init)
{
  Rnn *r = (Rnn *) m;
  AttnParams *P = m->params;
  for (guint i = 0; i < P->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (P->info, AttnParamInfo, i);
      float *w = P->data + info->offset;
      if (strstr (info->name, ".rnn.") != NULL)
        {
          int hsz = g_str_has_prefix (info->name, "model.encoder") ? r->He : r->cfg.hidden_size;
          float k = 1.0f / sqrtf ((float) hsz);
          for (gsize j = 0; j < info->numel; j++)
            w[j] = (float) ((2.0 * attn_rng_uniform (rng) - 1.0) * k);
        }
      else if (g_str_equal (info->name, "model.shared.weight"))
        {
          float std = 1.0f / sqrtf ((float) info->shape[1]);
          for (gsize j = 0; j < info->numel; j++)
            w[j] = std * attn_rng_normal (rng);
        }
      else if (score_init != ATTN_SCORE_INIT_RANDOM
               && g_str_equal (info->name, "model.decoder.attention.bilinear.weight"))
        {
          memset (w, 0, sizeof (float) * info->numel);
          if (score_init == ATTN_SCORE_INIT_IDENTITY)
            for (gsize j = 0; j < info->shape[0] && j < info->shape[1]; j++)
              w[j * info->shape[1] + j] = 1.0f;
        }
      else if (info->ndim == 2)
        {
          float std = sqrtf (2.0f / (float) (info->shape[0] + info->shape[1]));
          for (gsize j = 0; j < info->numel; j++)
            w[j] = std * attn_rng_normal (rng);
        }
      else
        memset (w, 0, sizeof (float) * info->numel);
    }
}

static int
get_int (JsonObject *o, const char *name, int fallback)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE)
    return fallback;
  return (int) json_node_get_int (n);
}

gboolean
attn_rnn_config_from_json (JsonObject *o, const char *where, AttnRnnConfig *c, GError **error)
{
  const char *cell = json_object_has_member (o, "cell") ? json_object_get_string_member (o, "cell") : "gru";
  const char *score = json_object_has_member (o, "score") ? json_object_get_string_member (o, "score") : "additive";

  memset (c, 0, sizeof *c);
  if (cell == NULL || (!g_str_equal (cell, "gru") && !g_str_equal (cell, "lstm")))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: \"cell\" must be \"gru\" or \"lstm\""), where);
      return FALSE;
    }
  if (score == NULL || !attn_score_from_name (score, &c->score))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s: \"score\" must be additive, dot, general or scaled-dot"), where);
      return FALSE;
    }
  if (get_int (o, "encoder_layers", 1) != 1 || get_int (o, "decoder_layers", 1) != 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED,
                   _("%s: attn-rnn models have one encoder and one decoder layer"), where);
      return FALSE;
    }
  c->cell = g_str_equal (cell, "lstm") ? ATTN_CELL_LSTM : ATTN_CELL_GRU;
  c->vocab = get_int (o, "vocab_size", 0);
  c->embed_dim = get_int (o, "embed_dim", 0);
  c->hidden_size = get_int (o, "hidden_size", 0);
  c->attention_dim = get_int (o, "attention_dim", c->hidden_size);
  c->max_positions = get_int (o, "max_position_embeddings", 512);
  c->pad_id = get_int (o, "pad_token_id", 0);
  c->bos_id = get_int (o, "decoder_start_token_id", get_int (o, "bos_token_id", 1));
  c->eos_id = get_int (o, "eos_token_id", 2);
  c->dropout = 0.0f;   /* inference and resumed runs set their own */
  if (json_object_has_member (o, "dropout"))
    c->dropout = (float) json_object_get_double_member (o, "dropout");
  if (c->vocab <= 0 || c->embed_dim <= 0 || c->hidden_size <= 0 || c->hidden_size % 2 != 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("%s: vocab_size, embed_dim and an even hidden_size are required"), where);
      return FALSE;
    }
  return TRUE;
}
