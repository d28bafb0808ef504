/* attn-train-gpt2.c — a trainable decoder-only Transformer whose parameters, names
 * and computation are exactly Hugging Face's GPT2LMHeadModel: token plus learned
 * position embeddings, pre-layer-norm blocks (x + Attn(LN1 x), then x + MLP(LN2 x))
 * with causal self-attention, a final layer norm, and the output layer tied to the
 * token embeddings. The projections are GPT-2's Conv1D, weights stored [in, out];
 * c_attn computes q, k and v in one product. A folder saved from it (config.json
 * model_type "gpt2" + model.safetensors) is read by the inference engine
 * (attn-gpt2.c) unchanged.
 *
 * It trains on the decoder side of an AttnBatch: tgt_in are the inputs, tgt_out
 * the next tokens, tgt_len the real length of each row (keys past it are masked,
 * targets equal to pad_id are not counted); the source side is ignored. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"
#include "attn-train-json.h"
#include "attn-train-private.h"

typedef struct {
  gsize ln1_g, ln1_b, attn_w, attn_b, proj_w, proj_b, ln2_g, ln2_b, fc_w, fc_b, fcp_w, fcp_b;
} BlockOff;

/* Saved activations of one block, x → m = x + drop(proj(attn(LN1 x))) → y = m + drop(mlp(LN2 m)). */
typedef struct {
  const float *x;           /* input (not owned) */
  float  *h1;               /* [N, d]   LN1 x */
  float  *mean1, *rstd1;    /* [N] */
  float  *q, *k, *v;        /* [N, d]   split from c_attn's [N, 3d] */
  float  *p;                /* [B, H, T, T] */
  float  *ctx;              /* [N, d] */
  float  *m;                /* [N, d]   after the attention residual */
  guint8 *mask1;            /* [N, d]   dropout of the attention output */
  float  *h2;               /* [N, d]   LN2 m */
  float  *mean2, *rstd2;
  float  *f1, *a1;          /* [N, ff]  c_fc output, after the activation */
  float  *y;                /* [N, d]   the block's output */
  guint8 *mask2;
} BlockAct;

typedef struct {
  AttnTrainModel parent;
  AttnGpt2Config cfg;
  gsize          wte, wpe, lnf_g, lnf_b;
  BlockOff      *off;

  /* activations, sized for cap_B × cap_T, in the block's buffers; its scratch
   * (g_c, g_d, g_q, g_k, g_v [N, d], g_f1, g_f2 [N, ff], scratch [T, T]) serves the
   * backward pass too */
  AttnBlock      blk;
  int            cap_B, cap_T;
  gint32        *pos;                   /* [N] position of each row: 0 … T-1 per sequence */
  float         *x0;                    /* [N, d] embeddings after dropout */
  guint8        *m0;
  BlockAct      *act;
  float         *hf, *meanf, *rstdf;    /* [N, d], [N]: ln_f */
  float         *logits, *dlogits;      /* [N, V] */
  float         *g_res;                 /* [N, d] the residual stream's gradient */
  float         *g_qkv;                 /* [N, 3d] */
  float         *qkv;                   /* [N, 3d] forward scratch */
  int            B, T;
} Gpt2T;

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
declare_block (AttnParams *p, int l, int d, int ff, BlockOff *o)
{
  static const char *suffix[] = {
    "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
    "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
    "mlp.c_proj.weight", "mlp.c_proj.bias",
  };
  /* Conv1D weights are [in, out] */
  const gint64 rows[] = { d, d, d, 3 * d, d, d, d, d, d, ff, ff, d };
  const gint64 cols[] = { 0, 0, 3 * d, 0, d, 0, 0, 0, ff, 0, d, 0 };
  gsize *offs[] = { &o->ln1_g, &o->ln1_b, &o->attn_w, &o->attn_b, &o->proj_w, &o->proj_b,
                    &o->ln2_g, &o->ln2_b, &o->fc_w, &o->fc_b, &o->fcp_w, &o->fcp_b };

  for (guint i = 0; i < G_N_ELEMENTS (suffix); i++)
    {
      g_autofree char *name = g_strdup_printf ("transformer.h.%d.%s", l, suffix[i]);
      *offs[i] = cols[i] > 0 ? add2 (p, name, rows[i], cols[i]) : add1 (p, name, rows[i]);
    }
}

/* ---- buffers ---- */

static void
reserve (Gpt2T *g, int B, int T)
{
  const AttnGpt2Config *c = &g->cfg;
  AttnBlock *blk = &g->blk;
  gsize N, d = c->d_model, ff = c->ffn_dim;

  if (B <= g->cap_B && T <= g->cap_T)
    return;
  B = MAX (B, g->cap_B);
  T = MAX (T, g->cap_T);
  g->cap_B = B;
  g->cap_T = T;
  N = (gsize) B * T;
  attn_block_reset (blk, N, T);
  g->pos = attn_block_ibuf (blk, N);
  g->x0 = attn_block_fbuf (blk, N * d);
  g->m0 = attn_block_mbuf (blk, N * d);
  for (int l = 0; l < c->layers; l++)
    {
      BlockAct *a = &g->act[l];
      a->h1 = attn_block_fbuf (blk, N * d);
      a->mean1 = attn_block_fbuf (blk, N);
      a->rstd1 = attn_block_fbuf (blk, N);
      a->q = attn_block_fbuf (blk, N * d);
      a->k = attn_block_fbuf (blk, N * d);
      a->v = attn_block_fbuf (blk, N * d);
      a->p = attn_block_fbuf (blk, (gsize) B * c->heads * T * T);
      a->ctx = attn_block_fbuf (blk, N * d);
      a->m = attn_block_fbuf (blk, N * d);
      a->mask1 = attn_block_mbuf (blk, N * d);
      a->h2 = attn_block_fbuf (blk, N * d);
      a->mean2 = attn_block_fbuf (blk, N);
      a->rstd2 = attn_block_fbuf (blk, N);
      a->f1 = attn_block_fbuf (blk, N * ff);
      a->a1 = attn_block_fbuf (blk, N * ff);
      a->y = attn_block_fbuf (blk, N * d);
      a->mask2 = attn_block_mbuf (blk, N * d);
    }
  g->hf = attn_block_fbuf (blk, N * d);
  g->meanf = attn_block_fbuf (blk, N);
  g->rstdf = attn_block_fbuf (blk, N);
  g->logits = attn_block_fbuf (blk, N * c->vocab);
  g->dlogits = attn_block_fbuf (blk, N * c->vocab);
  g->g_res = attn_block_fbuf (blk, N * d);
  g->g_qkv = attn_block_fbuf (blk, N * 3 * d);
  g->qkv = attn_block_fbuf (blk, N * 3 * d);
}

/* ---- one block ---- */

static void
block_fwd (Gpt2T *g, const BlockOff *o, BlockAct *a, const float *x, const AttnAttnShape *s,
           gboolean train, AttnRng *rng)
{
  AttnParams *P = g->parent.params;
  int d = g->cfg.d_model, ff = g->cfg.ffn_dim, N = s->B * s->Tq;
  gsize n = (gsize) N * d;
  float *tmp = g->blk.g_c;   /* free during forward */

  a->x = x;
  attn_op_layernorm_fwd (x, N, d, ATTN_P (P, o->ln1_g), ATTN_P (P, o->ln1_b), 1e-5f, a->h1,
                         a->mean1, a->rstd1);
  attn_op_linear_t_fwd (a->h1, N, d, ATTN_P (P, o->attn_w), ATTN_P (P, o->attn_b), 3 * d, g->qkv);
  for (int i = 0; i < N; i++)
    {
      const float *r = g->qkv + (gsize) i * 3 * d;
      memcpy (a->q + (gsize) i * d, r, sizeof (float) * d);
      memcpy (a->k + (gsize) i * d, r + d, sizeof (float) * d);
      memcpy (a->v + (gsize) i * d, r + 2 * d, sizeof (float) * d);
    }
  attn_op_attention_fwd (s, a->q, a->k, a->v, a->p, a->ctx);
  attn_op_linear_t_fwd (a->ctx, N, d, ATTN_P (P, o->proj_w), ATTN_P (P, o->proj_b), d, tmp);
  attn_op_dropout_or_copy (tmp, n, g->cfg.dropout, train, rng, a->mask1, a->m);
  attn_op_add (a->m, x, n);

  attn_op_layernorm_fwd (a->m, N, d, ATTN_P (P, o->ln2_g), ATTN_P (P, o->ln2_b), 1e-5f, a->h2,
                         a->mean2, a->rstd2);
  attn_op_linear_t_fwd (a->h2, N, d, ATTN_P (P, o->fc_w), ATTN_P (P, o->fc_b), ff, a->f1);
  attn_op_act_fwd (g->cfg.act, a->f1, (gsize) N * ff, a->a1);
  attn_op_linear_t_fwd (a->a1, N, ff, ATTN_P (P, o->fcp_w), ATTN_P (P, o->fcp_b), d, tmp);
  attn_op_dropout_or_copy (tmp, n, g->cfg.dropout, train, rng, a->mask2, a->y);
  attn_op_add (a->y, a->m, n);
}

/* g->g_res holds the gradient at the block's output on entry and at its input on
 * return (the residual path carries it through; the branches add to it). */
static void
block_bwd (Gpt2T *g, const BlockOff *o, BlockAct *a, const AttnAttnShape *s, gboolean train)
{
  AttnParams *P = g->parent.params;
  int d = g->cfg.d_model, ff = g->cfg.ffn_dim, N = s->B * s->Tq;
  gsize n = (gsize) N * d, nf = (gsize) N * ff;
  float *dres = g->g_res, *dbr = g->blk.g_c, *dh = g->blk.g_d;

  /* the MLP branch: dres is the gradient at y and, through the residual, at m */
  memset (dbr, 0, sizeof (float) * n);
  attn_op_dropout_or_copy_bwd (dres, n, g->cfg.dropout, train, a->mask2, dbr);
  memset (g->blk.g_f1, 0, sizeof (float) * nf);
  attn_op_linear_t_bwd (a->a1, N, ff, ATTN_P (P, o->fcp_w), d, dbr, g->blk.g_f1,
                        ATTN_G (P, o->fcp_w), ATTN_G (P, o->fcp_b));
  memset (g->blk.g_f2, 0, sizeof (float) * nf);
  attn_op_act_bwd (g->cfg.act, a->f1, nf, g->blk.g_f1, g->blk.g_f2);
  memset (dh, 0, sizeof (float) * n);
  attn_op_linear_t_bwd (a->h2, N, d, ATTN_P (P, o->fc_w), ff, g->blk.g_f2, dh,
                        ATTN_G (P, o->fc_w), ATTN_G (P, o->fc_b));
  attn_op_layernorm_bwd (a->m, N, d, ATTN_P (P, o->ln2_g), a->mean2, a->rstd2, dh, dres,
                         ATTN_G (P, o->ln2_g), ATTN_G (P, o->ln2_b));

  /* the attention branch: dres is now the gradient at m and, through the residual, at x */
  memset (dbr, 0, sizeof (float) * n);
  attn_op_dropout_or_copy_bwd (dres, n, g->cfg.dropout, train, a->mask1, dbr);
  memset (dh, 0, sizeof (float) * n);
  attn_op_linear_t_bwd (a->ctx, N, d, ATTN_P (P, o->proj_w), d, dbr, dh,
                        ATTN_G (P, o->proj_w), ATTN_G (P, o->proj_b));
  memset (g->blk.g_q, 0, sizeof (float) * n);
  memset (g->blk.g_k, 0, sizeof (float) * n);
  memset (g->blk.g_v, 0, sizeof (float) * n);
  attn_op_attention_bwd (s, a->q, a->k, a->v, a->p, dh, g->blk.g_q, g->blk.g_k, g->blk.g_v,
                         g->blk.scratch);
  for (int i = 0; i < N; i++)
    {
      float *r = g->g_qkv + (gsize) i * 3 * d;
      memcpy (r, g->blk.g_q + (gsize) i * d, sizeof (float) * d);
      memcpy (r + d, g->blk.g_k + (gsize) i * d, sizeof (float) * d);
      memcpy (r + 2 * d, g->blk.g_v + (gsize) i * d, sizeof (float) * d);
    }
  memset (dh, 0, sizeof (float) * n);
  attn_op_linear_t_bwd (a->h1, N, d, ATTN_P (P, o->attn_w), 3 * d, g->g_qkv, dh,
                        ATTN_G (P, o->attn_w), ATTN_G (P, o->attn_b));
  attn_op_layernorm_bwd (a->x, N, d, ATTN_P (P, o->ln1_g), a->mean1, a->rstd1, dh, dres,
                         ATTN_G (P, o->ln1_g), ATTN_G (P, o->ln1_b));
}

/* ---- the model ---- */

static void
gpt2_forward (AttnTrainModel *m, const AttnBatch *batch, float smoothing, gboolean train,
              gboolean backward, AttnRng *rng, AttnLossStats *stats)
{
  Gpt2T *g = (Gpt2T *) m;
  const AttnGpt2Config *c = &g->cfg;
  AttnParams *P = m->params;
  int B = batch->B, T = batch->Tt, d = c->d_model, N = B * T;
  gsize n = (gsize) N * d;
  AttnAttnShape s = { B, T, T, d, c->heads, batch->tgt_len, TRUE };
  const float *x;
  float *tmp;
  AttnLossStats st = { 0 };

  g_return_if_fail (T <= c->n_positions);
  reserve (g, B, T);
  g->B = B;
  g->T = T;
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      g->pos[b * T + t] = t;

  /* x0 = drop(wte[ids] + wpe[positions]) */
  tmp = g->blk.g_c;
  attn_op_embedding_fwd (batch->tgt_in, N, ATTN_P (P, g->wte), d, 1.0f, tmp);
  attn_op_embedding_fwd (g->pos, N, ATTN_P (P, g->wpe), d, 1.0f, g->blk.g_d);
  attn_op_add (tmp, g->blk.g_d, n);
  attn_op_dropout_or_copy (tmp, n, c->dropout, train, rng, g->m0, g->x0);
  x = g->x0;
  for (int l = 0; l < c->layers; l++)
    {
      block_fwd (g, &g->off[l], &g->act[l], x, &s, train, rng);
      x = g->act[l].y;
    }
  attn_op_layernorm_fwd (x, N, d, ATTN_P (P, g->lnf_g), ATTN_P (P, g->lnf_b), 1e-5f, g->hf,
                         g->meanf, g->rstdf);
  /* the tied output layer: logits = ln_f(x) wte^T, no bias */
  attn_op_linear_fwd (g->hf, N, d, ATTN_P (P, g->wte), NULL, c->vocab, g->logits);
  st.loss = attn_op_cross_entropy (g->logits, N, c->vocab, batch->tgt_out, m->pad_id, smoothing,
                                   backward ? g->dlogits : NULL, &st.tokens, &st.correct);
  if (stats != NULL)
    *stats = st;
  if (!backward)
    return;

  memset (g->blk.g_d, 0, sizeof (float) * n);
  attn_op_linear_bwd (g->hf, N, d, ATTN_P (P, g->wte), c->vocab, g->dlogits, g->blk.g_d,
                      ATTN_G (P, g->wte), NULL);
  memset (g->g_res, 0, sizeof (float) * n);
  attn_op_layernorm_bwd (x, N, d, ATTN_P (P, g->lnf_g), g->meanf, g->rstdf, g->blk.g_d, g->g_res,
                         ATTN_G (P, g->lnf_g), ATTN_G (P, g->lnf_b));
  for (int l = c->layers - 1; l >= 0; l--)
    block_bwd (g, &g->off[l], &g->act[l], &s, train);
  memset (g->blk.g_c, 0, sizeof (float) * n);
  attn_op_dropout_or_copy_bwd (g->g_res, n, c->dropout, train, g->m0, g->blk.g_c);
  attn_op_embedding_bwd (batch->tgt_in, N, d, 1.0f, g->blk.g_c, ATTN_G (P, g->wte));
  attn_op_embedding_bwd (g->pos, N, d, 1.0f, g->blk.g_c, ATTN_G (P, g->wpe));
}

static const float *
gpt2_logits (AttnTrainModel *m)
{
  return ((Gpt2T *) m)->logits;
}

/* A decoder-only model has no cross-attention: the probe shows its causal
 * self-attention instead, [layers, heads, len, len] (src_len is ignored). */
static AttnWeights *
gpt2_attention (AttnTrainModel *m, int b, int len, int src_len)
{
  Gpt2T *g = (Gpt2T *) m;
  int L = g->cfg.layers, H = g->cfg.heads;
  AttnWeights *w = attn_weights_new (L, H, len, len);

  w->causal = TRUE;
  for (int l = 0; l < L; l++)
    for (int h = 0; h < H; h++)
      for (int i = 0; i < len; i++)
        memcpy ((float *) attn_weights_head (w, l, h) + (gsize) i * len,
                g->act[l].p + (((gsize) b * H + h) * g->T + i) * g->T, sizeof (float) * len);
  return w;
}

static gboolean
gpt2_save_config (AttnTrainModel *m, const char *dir, GError **error)
{
  Gpt2T *g = (Gpt2T *) m;
  const AttnGpt2Config *c = &g->cfg;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  g_autofree char *gpath = g_build_filename (dir, "generation_config.json", NULL);
  g_autofree char *gtext = NULL;
  const struct { const char *key; gint64 value; } ints[] = {
    { "vocab_size", c->vocab }, { "n_positions", c->n_positions }, { "n_ctx", c->n_positions },
    { "n_embd", c->d_model }, { "n_layer", c->layers }, { "n_head", c->heads },
    { "n_inner", c->ffn_dim }, { "bos_token_id", c->bos_id }, { "eos_token_id", c->eos_id },
  };

  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "architectures");
  json_builder_begin_array (jb);
  json_builder_add_string_value (jb, "GPT2LMHeadModel");
  json_builder_end_array (jb);
  ATTN_KV_STR ("model_type", "gpt2");
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    ATTN_KV_INT (ints[i].key, ints[i].value);
  ATTN_KV_STR ("activation_function", attn_tact_name (c->act));
  ATTN_KV_DBL ("layer_norm_epsilon", 1e-5);
  /* dropout on the embeddings and the residual branches; none on attention weights */
  ATTN_KV_DBL ("embd_pdrop", c->dropout);
  ATTN_KV_DBL ("resid_pdrop", c->dropout);
  ATTN_KV_DBL ("attn_pdrop", 0.0);
  ATTN_KV_BOOL ("scale_attn_weights", TRUE);
  ATTN_KV_BOOL ("tie_word_embeddings", TRUE);
  ATTN_KV_STR ("torch_dtype", "float32");
  json_builder_end_object (jb);
  if (!attn_train_write_json (jb, dir, "config.json", error))
    return FALSE;
  gtext = g_strdup_printf ("{\n  \"bos_token_id\": %d,\n  \"eos_token_id\": %d,\n"
                           "  \"max_length\": %d\n}\n", c->bos_id, c->eos_id, c->n_positions);
  return g_file_set_contents (gpath, gtext, -1, error);
}

static void
gpt2_free (AttnTrainModel *m)
{
  Gpt2T *g = (Gpt2T *) m;
  attn_block_clear (&g->blk);
  attn_params_free (m->params);
  g_free (g->off);
  g_free (g->act);
  g_free (g);
}

static const AttnTrainModelClass gpt2_class = {
  "gpt2", gpt2_forward, gpt2_logits, gpt2_attention, gpt2_save_config, gpt2_free,
};

AttnTrainModel *
attn_train_gpt2_new (const AttnGpt2Config *config, GError **error)
{
  const AttnGpt2Config *c = config;
  Gpt2T *g;
  AttnParams *P;

  if (c->d_model <= 0 || c->heads <= 0 || c->d_model % c->heads != 0 || c->ffn_dim <= 0
      || c->vocab <= 0 || c->layers <= 0 || c->n_positions <= 0 || c->pad_id >= c->vocab
      || c->bos_id < 0 || c->bos_id >= c->vocab || c->eos_id < 0 || c->eos_id >= c->vocab
      || c->dropout < 0 || c->dropout >= 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("GPT-2 configuration is invalid (d_model %d, heads %d, ffn %d, layers %d, "
                   "vocab %d, positions %d)"), c->d_model, c->heads, c->ffn_dim, c->layers,
                   c->vocab, c->n_positions);
      return NULL;
    }
  g = g_new0 (Gpt2T, 1);
  g->cfg = *c;
  g->parent.klass = &gpt2_class;
  g->parent.vocab = c->vocab;
  g->parent.pad_id = c->pad_id;
  g->parent.bos_id = c->bos_id;
  g->parent.eos_id = c->eos_id;
  P = g->parent.params = attn_params_new ();

  g->wte = add2 (P, "transformer.wte.weight", c->vocab, c->d_model);
  g->wpe = add2 (P, "transformer.wpe.weight", c->n_positions, c->d_model);
  g->off = g_new0 (BlockOff, c->layers);
  for (int l = 0; l < c->layers; l++)
    declare_block (P, l, c->d_model, c->ffn_dim, &g->off[l]);
  g->lnf_g = add1 (P, "transformer.ln_f.weight", c->d_model);
  g->lnf_b = add1 (P, "transformer.ln_f.bias", c->d_model);
  attn_params_alloc (P);
  g->act = g_new0 (BlockAct, c->layers);
  g->blk.params = P;
  g->blk.d = c->d_model;
  g->blk.ffn = c->ffn_dim;
  g->blk.dropout = c->dropout;
  g->blk.ln_eps = 1e-5f;
  g->blk.act = c->act;
  return &g->parent;
}

/* GPT-2's initialisation: N(0, 0.02) for embeddings and weights, with the two
 * projections into the residual stream (attn.c_proj, mlp.c_proj) scaled by
 * 1/√(2·layers); zero biases, unit norm gains. */
void
attn_train_gpt2_init (AttnTrainModel *m, AttnRng *rng)
{
  Gpt2T *g = (Gpt2T *) m;
  AttnParams *P = m->params;
  float proj_std = 0.02f / sqrtf (2.0f * g->cfg.layers);

  for (guint i = 0; i < P->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (P->info, AttnParamInfo, i);
      float *w = P->data + info->offset;
      if (info->ndim == 2)
        {
          float std = g_str_has_suffix (info->name, "c_proj.weight") ? proj_std : 0.02f;
          for (gsize j = 0; j < info->numel; j++)
            w[j] = std * attn_rng_normal (rng);
        }
      else if (g_str_has_suffix (info->name, "ln_1.weight")
               || g_str_has_suffix (info->name, "ln_2.weight")
               || g_str_has_suffix (info->name, "ln_f.weight"))
        for (gsize j = 0; j < info->numel; j++)
          w[j] = 1.0f;
      else
        memset (w, 0, sizeof (float) * info->numel);
    }
}
