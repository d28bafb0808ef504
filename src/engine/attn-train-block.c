/* attn-train-block.c — the Transformer sub-layers shared by the trainable Marian
 * Transformer (attn-train-transformer.c) and BERT (attn-train-bert.c), post-layer-norm:
 *
 *   attention     x → LN(x + dropout(out_proj(Attn(q_proj x, k_proj kv, v_proj kv))))
 *   feed-forward  x → LN(x + dropout(fc2(act(fc1 x))))
 *
 * and by Whisper (attn-train-whisper.c), pre-layer-norm (AttnBlock.pre_norm):
 *
 *   attention     x → x + dropout(out_proj(Attn(q_proj LN(x), k_proj kv', v_proj kv')))
 *   feed-forward  x → x + dropout(fc2(act(fc1 LN(x))))
 *
 * where kv' is LN(x) for self-attention (kv == x) and kv itself for cross-attention.
 *
 * forward, backward and their saved activations, with the parameter names each
 * model gives them. Buffers live in the block's GPtrArray and are sized by the
 * model before a forward; nothing here allocates during a step. */
#include <string.h>

#include "attn-train-private.h"

static gsize
add_matrix (AttnParams *p, const char *prefix, gint64 out, gint64 in)
{
  g_autofree char *name = g_strconcat (prefix, ".weight", NULL);
  gint64 shape[2] = { out, in };
  return attn_params_add (p, name, 2, shape, TRUE);
}

static gsize
add_vector (AttnParams *p, const char *prefix, const char *suffix, gint64 n)
{
  g_autofree char *name = g_strconcat (prefix, suffix, NULL);
  return attn_params_add (p, name, 1, &n, FALSE);
}

static void
declare_attn (AttnParams *p, const char *const names[5], int d, gboolean k_bias, AttnSubOff *o)
{
  gsize *w[] = { &o->q_w, &o->k_w, &o->v_w, &o->o_w };
  gsize *b[] = { &o->q_b, &o->k_b, &o->v_b, &o->o_b };
  for (int i = 0; i < 4; i++)
    {
      *w[i] = add_matrix (p, names[i], d, d);
      *b[i] = i == 1 && !k_bias ? ATTN_NO_PARAM : add_vector (p, names[i], ".bias", d);
    }
  o->ln_g = add_vector (p, names[4], ".weight", d);
  o->ln_b = add_vector (p, names[4], ".bias", d);
}

void
attn_block_declare_attn (AttnParams *p, const char *const names[5], int d, AttnSubOff *o)
{
  declare_attn (p, names, d, TRUE, o);
}

void
attn_block_declare_attn_no_k_bias (AttnParams *p, const char *const names[5], int d,
                                   AttnSubOff *o)
{
  declare_attn (p, names, d, FALSE, o);
}

void
attn_block_declare_ffn (AttnParams *p, const char *const names[3], int d, int ffn,
                        AttnFfnOff *o)
{
  o->fc1_w = add_matrix (p, names[0], ffn, d);
  o->fc1_b = add_vector (p, names[0], ".bias", ffn);
  o->fc2_w = add_matrix (p, names[1], d, ffn);
  o->fc2_b = add_vector (p, names[1], ".bias", d);
  o->ln_g = add_vector (p, names[2], ".weight", d);
  o->ln_b = add_vector (p, names[2], ".bias", d);
}

/* ---- buffers ---- */

float *
attn_block_fbuf (AttnBlock *blk, gsize n)
{
  float *b = g_new0 (float, MAX (n, 1));
  g_ptr_array_add (blk->buffers, b);
  return b;
}

guint8 *
attn_block_mbuf (AttnBlock *blk, gsize n)
{
  guint8 *b = g_new0 (guint8, MAX (n, 1));
  g_ptr_array_add (blk->buffers, b);
  return b;
}

gint32 *
attn_block_ibuf (AttnBlock *blk, gsize n)
{
  gint32 *b = g_new0 (gint32, MAX (n, 1));
  g_ptr_array_add (blk->buffers, b);
  return b;
}

void
attn_block_reset (AttnBlock *blk, gsize n_max, gsize t_max)
{
  gsize d = blk->d;

  attn_block_clear (blk);
  blk->buffers = g_ptr_array_new_with_free_func (g_free);
  blk->g_c = attn_block_fbuf (blk, n_max * d);
  blk->g_d = attn_block_fbuf (blk, n_max * d);
  blk->g_e = blk->pre_norm ? attn_block_fbuf (blk, n_max * d) : NULL;
  blk->g_q = attn_block_fbuf (blk, n_max * d);
  blk->g_k = attn_block_fbuf (blk, n_max * d);
  blk->g_v = attn_block_fbuf (blk, n_max * d);
  blk->g_f1 = attn_block_fbuf (blk, n_max * blk->ffn);
  blk->g_f2 = attn_block_fbuf (blk, n_max * blk->ffn);
  blk->scratch = attn_block_fbuf (blk, t_max * t_max);
}

void
attn_block_clear (AttnBlock *blk)
{
  g_clear_pointer (&blk->buffers, g_ptr_array_unref);
}

void
attn_block_alloc_attn (AttnBlock *blk, AttnSubAct *a, gsize nq, gsize nk, gsize np)
{
  gsize d = blk->d;
  a->xn = blk->pre_norm ? attn_block_fbuf (blk, nq * d) : NULL;
  a->q = attn_block_fbuf (blk, nq * d);
  a->k = attn_block_fbuf (blk, nk * d);
  a->v = attn_block_fbuf (blk, nk * d);
  a->p = attn_block_fbuf (blk, np);
  a->ctx = attn_block_fbuf (blk, nq * d);
  a->h = attn_block_fbuf (blk, nq * d);
  a->y = attn_block_fbuf (blk, nq * d);
  a->mean = attn_block_fbuf (blk, nq);
  a->rstd = attn_block_fbuf (blk, nq);
  a->mask = attn_block_mbuf (blk, nq * d);
}

void
attn_block_alloc_ffn (AttnBlock *blk, AttnFfnAct *a, gsize n)
{
  gsize d = blk->d, f = blk->ffn;
  a->xn = blk->pre_norm ? attn_block_fbuf (blk, n * d) : NULL;
  a->f1 = attn_block_fbuf (blk, n * f);
  a->a1 = attn_block_fbuf (blk, n * f);
  a->h = attn_block_fbuf (blk, n * d);
  a->y = attn_block_fbuf (blk, n * d);
  a->mean = attn_block_fbuf (blk, n);
  a->rstd = attn_block_fbuf (blk, n);
  a->mask = attn_block_mbuf (blk, n * d);
}

void
attn_enc_dec_init (AttnEncDec *s, int n_enc, int n_dec)
{
  s->n_enc = n_enc;
  s->n_dec = n_dec;
  s->enc = g_new0 (AttnLayerOff, n_enc);
  s->dec = g_new0 (AttnLayerOff, n_dec);
  s->enc_self = g_new0 (AttnSubAct, n_enc);
  s->enc_ffn = g_new0 (AttnFfnAct, n_enc);
  s->dec_self = g_new0 (AttnSubAct, n_dec);
  s->dec_cross = g_new0 (AttnSubAct, n_dec);
  s->dec_ffn = g_new0 (AttnFfnAct, n_dec);
}

void
attn_enc_dec_clear (AttnEncDec *s)
{
  g_free (s->enc);
  g_free (s->dec);
  g_free (s->enc_self);
  g_free (s->enc_ffn);
  g_free (s->dec_self);
  g_free (s->dec_cross);
  g_free (s->dec_ffn);
  memset (s, 0, sizeof *s);
}

void
attn_enc_dec_alloc (AttnEncDec *s, AttnBlock *blk, gsize B, gsize H, gsize Ts, gsize Tt)
{
  gsize Ns = B * Ts, Nt = B * Tt;

  for (int l = 0; l < s->n_enc; l++)
    {
      attn_block_alloc_attn (blk, &s->enc_self[l], Ns, Ns, B * H * Ts * Ts);
      attn_block_alloc_ffn (blk, &s->enc_ffn[l], Ns);
    }
  for (int l = 0; l < s->n_dec; l++)
    {
      attn_block_alloc_attn (blk, &s->dec_self[l], Nt, Nt, B * H * Tt * Tt);
      attn_block_alloc_attn (blk, &s->dec_cross[l], Nt, Ns, B * H * Tt * Ts);
      attn_block_alloc_ffn (blk, &s->dec_ffn[l], Nt);
    }
}

AttnWeights *
attn_enc_dec_cross (const AttnEncDec *s, int H, int b, int Tt, int Ts, int tgt_len, int src_len)
{
  AttnWeights *w = attn_weights_new (s->n_dec, H, tgt_len, src_len);

  for (int l = 0; l < s->n_dec; l++)
    for (int h = 0; h < H; h++)
      for (int i = 0; i < tgt_len; i++)
        memcpy ((float *) attn_weights_head (w, l, h) + (gsize) i * src_len,
                s->dec_cross[l].p + (((gsize) b * H + h) * Tt + i) * Ts,
                sizeof (float) * src_len);
  return w;
}

/* ---- attention ---- */

#define BIAS(P, off) ((off) == ATTN_NO_PARAM ? NULL : ATTN_P (P, off))
#define GBIAS(P, off) ((off) == ATTN_NO_PARAM ? NULL : ATTN_G (P, off))

void
attn_block_attn_fwd (AttnBlock *blk, const AttnSubOff *o, AttnSubAct *a, const float *x,
                     const float *kv, const AttnAttnShape *s, gboolean train, AttnRng *rng)
{
  AttnParams *P = blk->params;
  int d = blk->d, Nq = s->B * s->Tq, Nk = s->B * s->Tk;
  gsize n = (gsize) Nq * d;
  const float *qin = x, *kvin = kv;

  a->x = x;
  a->kv = kv;
  if (blk->pre_norm)
    {
      attn_op_layernorm_fwd (x, Nq, d, ATTN_P (P, o->ln_g), ATTN_P (P, o->ln_b), blk->ln_eps,
                             a->xn, a->mean, a->rstd);
      qin = a->xn;
      if (kv == x)
        kvin = a->xn;
    }
  attn_op_linear_fwd (qin, Nq, d, ATTN_P (P, o->q_w), ATTN_P (P, o->q_b), d, a->q);
  attn_op_linear_fwd (kvin, Nk, d, ATTN_P (P, o->k_w), BIAS (P, o->k_b), d, a->k);
  attn_op_linear_fwd (kvin, Nk, d, ATTN_P (P, o->v_w), ATTN_P (P, o->v_b), d, a->v);
  attn_op_attention_fwd (s, a->q, a->k, a->v, a->p, a->ctx);
  if (blk->pre_norm)
    {
      /* y = x + dropout(out_proj(ctx)); a->h holds out_proj(ctx) */
      attn_op_linear_fwd (a->ctx, Nq, d, ATTN_P (P, o->o_w), ATTN_P (P, o->o_b), d, a->h);
      attn_op_dropout_or_copy (a->h, n, blk->dropout, train, rng, a->mask, a->y);
      attn_op_add (a->y, x, n);
      return;
    }
  /* h = x + dropout(out_proj(ctx)); a->y is free until the layer norm */
  attn_op_linear_fwd (a->ctx, Nq, d, ATTN_P (P, o->o_w), ATTN_P (P, o->o_b), d, a->y);
  attn_op_dropout_or_copy (a->y, n, blk->dropout, train, rng, a->mask, a->h);
  attn_op_add (a->h, x, n);
  attn_op_layernorm_fwd (a->h, Nq, d, ATTN_P (P, o->ln_g), ATTN_P (P, o->ln_b), blk->ln_eps,
                         a->y, a->mean, a->rstd);
}

void
attn_block_attn_bwd (AttnBlock *blk, const AttnSubOff *o, AttnSubAct *a,
                     const AttnAttnShape *s, gboolean train, const float *dy, float *dx,
                     float *dkv)
{
  AttnParams *P = blk->params;
  int d = blk->d, Nq = s->B * s->Tq, Nk = s->B * s->Tk;
  gsize n = (gsize) Nq * d, nk = (gsize) Nk * d;
  float *dh = blk->g_c, *dao = blk->g_d, *dctx = blk->g_q;
  gboolean self = a->kv == a->x;
  /* the gradients at the projections' inputs: pre-LN, LN(x) collects the query's (and,
   * for self-attention, the keys' and values') before its own backward into dx */
  float *dqin = blk->pre_norm ? blk->g_e : dx;
  float *dkvin = blk->pre_norm && self ? blk->g_e : dkv;
  const float *qin = blk->pre_norm ? a->xn : a->x;
  const float *kvin = blk->pre_norm && self ? a->xn : a->kv;

  memset (dao, 0, sizeof (float) * n);
  if (blk->pre_norm)
    {
      attn_op_add (dx, dy, n);   /* the residual */
      attn_op_dropout_or_copy_bwd (dy, n, blk->dropout, train, a->mask, dao);
      memset (dqin, 0, sizeof (float) * n);
    }
  else
    {
      memset (dh, 0, sizeof (float) * n);
      attn_op_layernorm_bwd (a->h, Nq, d, ATTN_P (P, o->ln_g), a->mean, a->rstd, dy, dh,
                             ATTN_G (P, o->ln_g), ATTN_G (P, o->ln_b));
      attn_op_add (dx, dh, n);
      attn_op_dropout_or_copy_bwd (dh, n, blk->dropout, train, a->mask, dao);
    }
  memset (dctx, 0, sizeof (float) * n);
  attn_op_linear_bwd (a->ctx, Nq, d, ATTN_P (P, o->o_w), d, dao, dctx,
                      ATTN_G (P, o->o_w), ATTN_G (P, o->o_b));
  /* dq reuses dh, dk/dv their own buffers */
  memset (dh, 0, sizeof (float) * n);
  memset (blk->g_k, 0, sizeof (float) * nk);
  memset (blk->g_v, 0, sizeof (float) * nk);
  attn_op_attention_bwd (s, a->q, a->k, a->v, a->p, dctx, dh, blk->g_k, blk->g_v, blk->scratch);
  attn_op_linear_bwd (qin, Nq, d, ATTN_P (P, o->q_w), d, dh, dqin,
                      ATTN_G (P, o->q_w), ATTN_G (P, o->q_b));
  attn_op_linear_bwd (kvin, Nk, d, ATTN_P (P, o->k_w), d, blk->g_k, dkvin,
                      ATTN_G (P, o->k_w), GBIAS (P, o->k_b));
  attn_op_linear_bwd (kvin, Nk, d, ATTN_P (P, o->v_w), d, blk->g_v, dkvin,
                      ATTN_G (P, o->v_w), ATTN_G (P, o->v_b));
  if (blk->pre_norm)
    attn_op_layernorm_bwd (a->x, Nq, d, ATTN_P (P, o->ln_g), a->mean, a->rstd, dqin, dx,
                           ATTN_G (P, o->ln_g), ATTN_G (P, o->ln_b));
}

/* ---- feed-forward ---- */

void
attn_block_ffn_fwd (AttnBlock *blk, const AttnFfnOff *o, AttnFfnAct *a, const float *x, int N,
                    gboolean train, AttnRng *rng)
{
  AttnParams *P = blk->params;
  int d = blk->d, f = blk->ffn;
  gsize n = (gsize) N * d;

  a->x = x;
  if (blk->pre_norm)
    {
      attn_op_layernorm_fwd (x, N, d, ATTN_P (P, o->ln_g), ATTN_P (P, o->ln_b), blk->ln_eps,
                             a->xn, a->mean, a->rstd);
      attn_op_linear_fwd (a->xn, N, d, ATTN_P (P, o->fc1_w), ATTN_P (P, o->fc1_b), f, a->f1);
      attn_op_act_fwd (blk->act, a->f1, (gsize) N * f, a->a1);
      attn_op_linear_fwd (a->a1, N, f, ATTN_P (P, o->fc2_w), ATTN_P (P, o->fc2_b), d, a->h);
      attn_op_dropout_or_copy (a->h, n, blk->dropout, train, rng, a->mask, a->y);
      attn_op_add (a->y, x, n);
      return;
    }
  attn_op_linear_fwd (x, N, d, ATTN_P (P, o->fc1_w), ATTN_P (P, o->fc1_b), f, a->f1);
  attn_op_act_fwd (blk->act, a->f1, (gsize) N * f, a->a1);
  attn_op_linear_fwd (a->a1, N, f, ATTN_P (P, o->fc2_w), ATTN_P (P, o->fc2_b), d, a->y);
  attn_op_dropout_or_copy (a->y, n, blk->dropout, train, rng, a->mask, a->h);
  attn_op_add (a->h, x, n);
  attn_op_layernorm_fwd (a->h, N, d, ATTN_P (P, o->ln_g), ATTN_P (P, o->ln_b), blk->ln_eps,
                         a->y, a->mean, a->rstd);
}

void
attn_block_ffn_bwd (AttnBlock *blk, const AttnFfnOff *o, AttnFfnAct *a, int N, gboolean train,
                    const float *dy, float *dx)
{
  AttnParams *P = blk->params;
  int d = blk->d, f = blk->ffn;
  gsize n = (gsize) N * d, nf = (gsize) N * f;
  float *dh = blk->g_c, *df2 = blk->g_d;
  float *din = blk->pre_norm ? blk->g_e : dx;   /* the gradient at fc1's input */

  memset (df2, 0, sizeof (float) * n);
  if (blk->pre_norm)
    {
      attn_op_add (dx, dy, n);   /* the residual */
      attn_op_dropout_or_copy_bwd (dy, n, blk->dropout, train, a->mask, df2);
      memset (din, 0, sizeof (float) * n);
    }
  else
    {
      memset (dh, 0, sizeof (float) * n);
      attn_op_layernorm_bwd (a->h, N, d, ATTN_P (P, o->ln_g), a->mean, a->rstd, dy, dh,
                             ATTN_G (P, o->ln_g), ATTN_G (P, o->ln_b));
      attn_op_add (dx, dh, n);
      attn_op_dropout_or_copy_bwd (dh, n, blk->dropout, train, a->mask, df2);
    }
  memset (blk->g_f1, 0, sizeof (float) * nf);
  attn_op_linear_bwd (a->a1, N, f, ATTN_P (P, o->fc2_w), d, df2, blk->g_f1,
                      ATTN_G (P, o->fc2_w), ATTN_G (P, o->fc2_b));
  memset (blk->g_f2, 0, sizeof (float) * nf);
  attn_op_act_bwd (blk->act, a->f1, nf, blk->g_f1, blk->g_f2);
  attn_op_linear_bwd (blk->pre_norm ? a->xn : a->x, N, d, ATTN_P (P, o->fc1_w), f, blk->g_f2,
                      din, ATTN_G (P, o->fc1_w), ATTN_G (P, o->fc1_b));
  if (blk->pre_norm)
    attn_op_layernorm_bwd (a->x, N, d, ATTN_P (P, o->ln_g), a->mean, a->rstd, din, dx,
                           ATTN_G (P, o->ln_g), ATTN_G (P, o->ln_b));
}
