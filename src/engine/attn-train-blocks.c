/* attn-train-blocks.c — the Transformer sub-layers that the Marian-layout and the
 * Whisper trainers share: multi-head attention (self or cross) and the feed-forward
 * network, each with its residual connection, dropout and layer norm, placed after
 * the sub-layer (post-LN, Marian) or before it (pre-LN, Whisper). Forward passes keep
 * what backward needs in the Act structs; backward accumulates (see attn-train-private.h). */
#include <string.h>

#include "attn-train-private.h"

static gsize
add2 (AttnParams *p, const char *name, gint64 a, gint64 b)
{
  gint64 shape[2] = { a, b };
  return attn_params_add (p, name, 2, shape, TRUE);
}

static gsize
add1 (AttnParams *p, const char *name, gint64 a)
{
  return attn_params_add (p, name, 1, &a, FALSE);
}

static void
declare_sub (AttnParams *p, const char *prefix, const char *attn, const char *ln, int d,
             gboolean k_bias, AttnTSubOff *o)
{
  static const char *proj[] = { "q_proj", "k_proj", "v_proj", "out_proj" };
  gsize *w[] = { &o->q_w, &o->k_w, &o->v_w, &o->o_w };
  gsize *b[] = { &o->q_b, &o->k_b, &o->v_b, &o->o_b };
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *nw = g_strdup_printf ("%s.%s.%s.weight", prefix, attn, proj[i]);
      g_autofree char *nb = g_strdup_printf ("%s.%s.%s.bias", prefix, attn, proj[i]);
      *w[i] = add2 (p, nw, d, d);
      *b[i] = i == 1 && !k_bias ? ATTN_NO_PARAM : add1 (p, nb, d);
    }
  {
    g_autofree char *ng = g_strdup_printf ("%s.%s.weight", prefix, ln);
    g_autofree char *nb = g_strdup_printf ("%s.%s.bias", prefix, ln);
    o->ln_g = add1 (p, ng, d);
    o->ln_b = add1 (p, nb, d);
  }
}

void
attn_tblocks_declare_layer (AttnParams *p, const char *stack, int l, gboolean decoder,
                            gboolean k_bias, int d, int ffn, AttnTLayerOff *o)
{
  g_autofree char *prefix = g_strdup_printf ("model.%s.layers.%d", stack, l);
  g_autofree char *f1w = g_strdup_printf ("%s.fc1.weight", prefix);
  g_autofree char *f1b = g_strdup_printf ("%s.fc1.bias", prefix);
  g_autofree char *f2w = g_strdup_printf ("%s.fc2.weight", prefix);
  g_autofree char *f2b = g_strdup_printf ("%s.fc2.bias", prefix);
  g_autofree char *lng = g_strdup_printf ("%s.final_layer_norm.weight", prefix);
  g_autofree char *lnb = g_strdup_printf ("%s.final_layer_norm.bias", prefix);

  declare_sub (p, prefix, "self_attn", "self_attn_layer_norm", d, k_bias, &o->self);
  if (decoder)
    declare_sub (p, prefix, "encoder_attn", "encoder_attn_layer_norm", d, k_bias, &o->cross);
  o->fc1_w = add2 (p, f1w, ffn, d);
  o->fc1_b = add1 (p, f1b, ffn);
  o->fc2_w = add2 (p, f2w, d, ffn);
  o->fc2_b = add1 (p, f2b, d);
  o->ln_g = add1 (p, lng, d);
  o->ln_b = add1 (p, lnb, d);
}

/* ---- buffers ---- */

void
attn_tblocks_reset_buffers (AttnTBlocks *b)
{
  if (b->buffers != NULL)
    g_ptr_array_unref (b->buffers);
  b->buffers = g_ptr_array_new_with_free_func (g_free);
}

float *
attn_tblocks_fbuf (AttnTBlocks *b, gsize n)
{
  float *buf = g_new0 (float, MAX (n, 1));
  g_ptr_array_add (b->buffers, buf);
  return buf;
}

guint8 *
attn_tblocks_mbuf (AttnTBlocks *b, gsize n)
{
  guint8 *buf = g_new0 (guint8, MAX (n, 1));
  g_ptr_array_add (b->buffers, buf);
  return buf;
}

void
attn_tblocks_alloc_sub (AttnTBlocks *b, AttnTSubAct *a, gsize nq, gsize nk, gsize np)
{
  gsize d = b->d;
  a->xn = b->pre_norm ? attn_tblocks_fbuf (b, nq * d) : NULL;
  a->q = attn_tblocks_fbuf (b, nq * d);
  a->k = attn_tblocks_fbuf (b, nk * d);
  a->v = attn_tblocks_fbuf (b, nk * d);
  a->p = attn_tblocks_fbuf (b, np);
  a->ctx = attn_tblocks_fbuf (b, nq * d);
  a->h = attn_tblocks_fbuf (b, nq * d);
  a->y = attn_tblocks_fbuf (b, nq * d);
  a->mean = attn_tblocks_fbuf (b, nq);
  a->rstd = attn_tblocks_fbuf (b, nq);
  a->mask = attn_tblocks_mbuf (b, nq * d);
}

void
attn_tblocks_alloc_ffn (AttnTBlocks *b, AttnTFfnAct *a, gsize n)
{
  gsize d = b->d, f = b->ffn;
  a->xn = b->pre_norm ? attn_tblocks_fbuf (b, n * d) : NULL;
  a->f1 = attn_tblocks_fbuf (b, n * f);
  a->a1 = attn_tblocks_fbuf (b, n * f);
  a->h = attn_tblocks_fbuf (b, n * d);
  a->y = attn_tblocks_fbuf (b, n * d);
  a->mean = attn_tblocks_fbuf (b, n);
  a->rstd = attn_tblocks_fbuf (b, n);
  a->mask = attn_tblocks_mbuf (b, n * d);
}

void
attn_tblocks_alloc_scratch (AttnTBlocks *b, gsize nmax, gsize tmax)
{
  gsize d = b->d;
  b->g_c = attn_tblocks_fbuf (b, nmax * d);
  b->g_d = attn_tblocks_fbuf (b, nmax * d);
  b->g_e = attn_tblocks_fbuf (b, nmax * d);
  b->g_q = attn_tblocks_fbuf (b, nmax * d);
  b->g_k = attn_tblocks_fbuf (b, nmax * d);
  b->g_v = attn_tblocks_fbuf (b, nmax * d);
  b->g_f1 = attn_tblocks_fbuf (b, nmax * b->ffn);
  b->g_f2 = attn_tblocks_fbuf (b, nmax * b->ffn);
  b->scratch = attn_tblocks_fbuf (b, tmax * tmax);
}

void
attn_tblocks_free (AttnTBlocks *b)
{
  g_clear_pointer (&b->buffers, g_ptr_array_unref);
}

/* ---- dropout ---- */

void
attn_tblocks_dropout (const float *x, gsize n, float p, gboolean train, AttnRng *rng,
                      guint8 *mask, float *y)
{
  if (train && p > 0)
    attn_op_dropout_fwd (x, n, p, rng, mask, y);
  else if (x != y)
    memcpy (y, x, sizeof (float) * n);
}

void
attn_tblocks_dropout_bwd (const float *dy, gsize n, float p, gboolean train,
                          const guint8 *mask, float *dx)
{
  if (train && p > 0)
    attn_op_dropout_bwd (dy, n, p, mask, dx);
  else
    attn_op_add (dx, dy, n);
}

/* ---- attention sub-layer ---- */

#define BIAS(P, off) ((off) == ATTN_NO_PARAM ? NULL : ATTN_P (P, off))
#define GBIAS(P, off) ((off) == ATTN_NO_PARAM ? NULL : ATTN_G (P, off))

void
attn_tblocks_sub_fwd (AttnTBlocks *b, const AttnTSubOff *o, AttnTSubAct *a, const float *x,
                      const float *kv, const AttnAttnShape *s, gboolean train, AttnRng *rng)
{
  AttnParams *P = b->params;
  int d = b->d, Nq = s->B * s->Tq, Nk = s->B * s->Tk;
  gsize n = (gsize) Nq * d;
  const float *qin = x, *kvin = kv != NULL ? kv : x;

  a->x = x;
  a->kv = kv;
  if (b->pre_norm)
    {
      attn_op_layernorm_fwd (x, Nq, d, ATTN_P (P, o->ln_g), ATTN_P (P, o->ln_b), b->ln_eps,
                             a->xn, a->mean, a->rstd);
      qin = a->xn;
      if (kv == NULL)
        kvin = a->xn;
    }
  attn_op_linear_fwd (qin, Nq, d, ATTN_P (P, o->q_w), ATTN_P (P, o->q_b), d, a->q);
  attn_op_linear_fwd (kvin, Nk, d, ATTN_P (P, o->k_w), BIAS (P, o->k_b), d, a->k);
  attn_op_linear_fwd (kvin, Nk, d, ATTN_P (P, o->v_w), ATTN_P (P, o->v_b), d, a->v);
  attn_op_attention_fwd (s, a->q, a->k, a->v, a->p, a->ctx);
  /* out_proj into a->h (free until the sum), then the residual sum */
  attn_op_linear_fwd (a->ctx, Nq, d, ATTN_P (P, o->o_w), ATTN_P (P, o->o_b), d, a->h);
  if (b->pre_norm)
    {
      attn_tblocks_dropout (a->h, n, b->dropout, train, rng, a->mask, a->y);
      attn_op_add (a->y, x, n);
      return;
    }
  attn_tblocks_dropout (a->h, n, b->dropout, train, rng, a->mask, a->h);
  attn_op_add (a->h, x, n);
  attn_op_layernorm_fwd (a->h, Nq, d, ATTN_P (P, o->ln_g), ATTN_P (P, o->ln_b), b->ln_eps,
                         a->y, a->mean, a->rstd);
}

void
attn_tblocks_sub_bwd (AttnTBlocks *b, const AttnTSubOff *o, AttnTSubAct *a,
                      const AttnAttnShape *s, gboolean train, const float *dy, float *dx,
                      float *dkv)
{
  AttnParams *P = b->params;
  int d = b->d, Nq = s->B * s->Tq, Nk = s->B * s->Tk;
  gsize n = (gsize) Nq * d, nk = (gsize) Nk * d;
  float *dsum = b->g_c, *dao = b->g_d, *dctx = b->g_q, *dq = b->g_c;
  /* the gradient at the projections' inputs: the layer norm's output (pre-LN) or x */
  float *dqin = b->pre_norm ? b->g_e : dx;
  float *dkvin = a->kv != NULL ? dkv : dqin;
  const float *qin = b->pre_norm ? a->xn : a->x;
  const float *kvin = a->kv != NULL ? a->kv : qin;

  if (b->pre_norm)
    {
      /* y = x + dropout(o): the sum's gradient is dy itself */
      attn_op_add (dx, dy, n);
      memset (dao, 0, sizeof (float) * n);
      attn_tblocks_dropout_bwd (dy, n, b->dropout, train, a->mask, dao);
      memset (dqin, 0, sizeof (float) * n);
    }
  else
    {
      memset (dsum, 0, sizeof (float) * n);
      attn_op_layernorm_bwd (a->h, Nq, d, ATTN_P (P, o->ln_g), a->mean, a->rstd, dy, dsum,
                             ATTN_G (P, o->ln_g), ATTN_G (P, o->ln_b));
      attn_op_add (dx, dsum, n);
      memset (dao, 0, sizeof (float) * n);
      attn_tblocks_dropout_bwd (dsum, n, b->dropout, train, a->mask, dao);
    }
  memset (dctx, 0, sizeof (float) * n);
  attn_op_linear_bwd (a->ctx, Nq, d, ATTN_P (P, o->o_w), d, dao, dctx,
                      ATTN_G (P, o->o_w), ATTN_G (P, o->o_b));
  /* dq reuses g_c (the sum's gradient is spent), dk/dv their own buffers */
  memset (dq, 0, sizeof (float) * n);
  memset (b->g_k, 0, sizeof (float) * nk);
  memset (b->g_v, 0, sizeof (float) * nk);
  attn_op_attention_bwd (s, a->q, a->k, a->v, a->p, dctx, dq, b->g_k, b->g_v, b->scratch);
  attn_op_linear_bwd (qin, Nq, d, ATTN_P (P, o->q_w), d, dq, dqin,
                      ATTN_G (P, o->q_w), ATTN_G (P, o->q_b));
  attn_op_linear_bwd (kvin, Nk, d, ATTN_P (P, o->k_w), d, b->g_k, dkvin,
                      ATTN_G (P, o->k_w), GBIAS (P, o->k_b));
  attn_op_linear_bwd (kvin, Nk, d, ATTN_P (P, o->v_w), d, b->g_v, dkvin,
                      ATTN_G (P, o->v_w), ATTN_G (P, o->v_b));
  if (b->pre_norm)
    attn_op_layernorm_bwd (a->x, Nq, d, ATTN_P (P, o->ln_g), a->mean, a->rstd, dqin, dx,
                           ATTN_G (P, o->ln_g), ATTN_G (P, o->ln_b));
}

/* ---- feed-forward sub-layer ---- */

void
attn_tblocks_ffn_fwd (AttnTBlocks *b, const AttnTLayerOff *o, AttnTFfnAct *a, const float *x,
                      int N, gboolean train, AttnRng *rng)
{
  AttnParams *P = b->params;
  int d = b->d, f = b->ffn;
  gsize n = (gsize) N * d;
  const float *in = x;

  a->x = x;
  if (b->pre_norm)
    {
      attn_op_layernorm_fwd (x, N, d, ATTN_P (P, o->ln_g), ATTN_P (P, o->ln_b), b->ln_eps,
                             a->xn, a->mean, a->rstd);
      in = a->xn;
    }
  attn_op_linear_fwd (in, N, d, ATTN_P (P, o->fc1_w), ATTN_P (P, o->fc1_b), f, a->f1);
  attn_op_act_fwd (b->act, a->f1, (gsize) N * f, a->a1);
  attn_op_linear_fwd (a->a1, N, f, ATTN_P (P, o->fc2_w), ATTN_P (P, o->fc2_b), d, a->h);
  if (b->pre_norm)
    {
      attn_tblocks_dropout (a->h, n, b->dropout, train, rng, a->mask, a->y);
      attn_op_add (a->y, x, n);
      return;
    }
  attn_tblocks_dropout (a->h, n, b->dropout, train, rng, a->mask, a->h);
  attn_op_add (a->h, x, n);
  attn_op_layernorm_fwd (a->h, N, d, ATTN_P (P, o->ln_g), ATTN_P (P, o->ln_b), b->ln_eps,
                         a->y, a->mean, a->rstd);
}

void
attn_tblocks_ffn_bwd (AttnTBlocks *b, const AttnTLayerOff *o, AttnTFfnAct *a, int N,
                      gboolean train, const float *dy, float *dx)
{
  AttnParams *P = b->params;
  int d = b->d, f = b->ffn;
  gsize n = (gsize) N * d, nf = (gsize) N * f;
  float *dsum = b->g_c, *df2 = b->g_d;
  float *din = b->pre_norm ? b->g_e : dx;

  if (b->pre_norm)
    {
      attn_op_add (dx, dy, n);
      memset (df2, 0, sizeof (float) * n);
      attn_tblocks_dropout_bwd (dy, n, b->dropout, train, a->mask, df2);
      memset (din, 0, sizeof (float) * n);
    }
  else
    {
      memset (dsum, 0, sizeof (float) * n);
      attn_op_layernorm_bwd (a->h, N, d, ATTN_P (P, o->ln_g), a->mean, a->rstd, dy, dsum,
                             ATTN_G (P, o->ln_g), ATTN_G (P, o->ln_b));
      attn_op_add (dx, dsum, n);
      memset (df2, 0, sizeof (float) * n);
      attn_tblocks_dropout_bwd (dsum, n, b->dropout, train, a->mask, df2);
    }
  memset (b->g_f1, 0, sizeof (float) * nf);
  attn_op_linear_bwd (a->a1, N, f, ATTN_P (P, o->fc2_w), d, df2, b->g_f1,
                      ATTN_G (P, o->fc2_w), ATTN_G (P, o->fc2_b));
  memset (b->g_f2, 0, sizeof (float) * nf);
  attn_op_act_bwd (b->act, a->f1, nf, b->g_f1, b->g_f2);
  attn_op_linear_bwd (b->pre_norm ? a->xn : a->x, N, d, ATTN_P (P, o->fc1_w), f, b->g_f2, din,
                      ATTN_G (P, o->fc1_w), ATTN_G (P, o->fc1_b));
  if (b->pre_norm)
    attn_op_layernorm_bwd (a->x, N, d, ATTN_P (P, o->ln_g), a->mean, a->rstd, din, dx,
                           ATTN_G (P, o->ln_g), ATTN_G (P, o->ln_b));
}
