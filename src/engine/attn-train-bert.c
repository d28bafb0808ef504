/* attn-train-bert.c — a trainable BERT text classifier whose parameters, names
 * and computation are Hugging Face's BertForSequenceClassification:
 *
 *   x0     = dropout(LN(word[id_t] + position[t] + token_type[0]))      (eps 1e-12)
 *   layers   post-layer-norm self-attention and GELU feed-forward (attn-train-block.c),
 *            padding keys masked
 *   pooled = dropout(tanh(W_p h[CLS] + b_p))                            (the pooler)
 *   logits = W_c pooled + b_c;   loss = cross-entropy against the label
 *
 * A batch is the source side of an AttnBatch: src [B, T] ([CLS] … [SEP], then
 * padding), src_len, and the class of sequence b in tgt_out[b · Tt]. A folder
 * saved from it (config.json with id2label + model.safetensors) is read by the
 * inference engine (attn-bert.c) unchanged. Attention-probability dropout is not
 * implemented: the saved config says attention_probs_dropout_prob 0. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"
#include "attn-train-json.h"
#include "attn-train-private.h"

#define BERT_LN_EPS 1e-12
#define BERT_INIT_STD 0.02

typedef struct {
  AttnTrainModel parent;
  AttnBertConfig cfg;
  char         **labels;                 /* owned copy of cfg.labels */
  gsize          word, pos, type, emb_g, emb_b, pool_w, pool_b, cls_w, cls_b;
  AttnSubOff    *att;
  AttnFfnOff    *ffn;
  AttnBlock      blk;

  /* activations, sized for cap_B × cap_T */
  int            cap_B, cap_T;
  gint32        *pos_ids, *type_ids;     /* [N] */
  float         *emb;                    /* [N, d] word + position + type */
  float         *emb_ln, *emb_mean, *emb_rstd;   /* [N, d], [N], [N] */
  float         *x0;                     /* [N, d] after dropout */
  guint8        *m0;                     /* [N, d] */
  AttnSubAct    *self;
  AttnFfnAct    *ff;
  float         *cls, *pool_pre, *pooled, *pooled_drop;   /* [B, d] */
  guint8        *pool_mask;              /* [B, d] */
  gint32        *targets;                /* [B] */
  float         *logits, *dlogits;       /* [B, n_labels] */
  float         *g_a, *g_b;              /* [N, d] */
  float         *g_p, *g_q;              /* [B, d] */
  /* the last forward's shape */
  int            B, T;
} Bert;

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
declare (Bert *bt)
{
  const AttnBertConfig *c = &bt->cfg;
  AttnParams *P = bt->parent.params;
  int d = c->d_model;

  bt->word = add2 (P, "bert.embeddings.word_embeddings.weight", c->vocab, d);
  bt->pos = add2 (P, "bert.embeddings.position_embeddings.weight", c->max_positions, d);
  bt->type = add2 (P, "bert.embeddings.token_type_embeddings.weight", c->type_vocab, d);
  bt->emb_g = add1 (P, "bert.embeddings.LayerNorm.weight", d);
  bt->emb_b = add1 (P, "bert.embeddings.LayerNorm.bias", d);
  for (int l = 0; l < c->layers; l++)
    {
      g_autofree char *p = g_strdup_printf ("bert.encoder.layer.%d", l);
      g_autofree char *q = g_strconcat (p, ".attention.self.query", NULL);
      g_autofree char *k = g_strconcat (p, ".attention.self.key", NULL);
      g_autofree char *v = g_strconcat (p, ".attention.self.value", NULL);
      g_autofree char *o = g_strconcat (p, ".attention.output.dense", NULL);
      g_autofree char *la = g_strconcat (p, ".attention.output.LayerNorm", NULL);
      g_autofree char *f1 = g_strconcat (p, ".intermediate.dense", NULL);
      g_autofree char *f2 = g_strconcat (p, ".output.dense", NULL);
      g_autofree char *lo = g_strconcat (p, ".output.LayerNorm", NULL);
      const char *const attn_names[5] = { q, k, v, o, la };
      const char *const ffn_names[3] = { f1, f2, lo };
      attn_block_declare_attn (P, attn_names, d, &bt->att[l]);
      attn_block_declare_ffn (P, ffn_names, d, c->ffn_dim, &bt->ffn[l]);
    }
  bt->pool_w = add2 (P, "bert.pooler.dense.weight", d, d);
  bt->pool_b = add1 (P, "bert.pooler.dense.bias", d);
  bt->cls_w = add2 (P, "classifier.weight", c->n_labels, d);
  bt->cls_b = add1 (P, "classifier.bias", c->n_labels);
}

/* ---- buffers ---- */

static void
reserve (Bert *bt, int B, int T)
{
  const AttnBertConfig *c = &bt->cfg;
  AttnBlock *blk = &bt->blk;
  gsize N, d = c->d_model, L = c->n_labels;

  if (B <= bt->cap_B && T <= bt->cap_T)
    return;
  B = MAX (B, bt->cap_B);
  T = MAX (T, bt->cap_T);
  bt->cap_B = B;
  bt->cap_T = T;
  N = (gsize) B * T;
  attn_block_reset (blk, N, T);

  bt->pos_ids = attn_block_ibuf (blk, N);
  bt->type_ids = attn_block_ibuf (blk, N);
  bt->emb = attn_block_fbuf (blk, N * d);
  bt->emb_ln = attn_block_fbuf (blk, N * d);
  bt->emb_mean = attn_block_fbuf (blk, N);
  bt->emb_rstd = attn_block_fbuf (blk, N);
  bt->x0 = attn_block_fbuf (blk, N * d);
  bt->m0 = attn_block_mbuf (blk, N * d);
  for (int l = 0; l < c->layers; l++)
    {
      attn_block_alloc_attn (blk, &bt->self[l], N, N, (gsize) B * c->heads * T * T);
      attn_block_alloc_ffn (blk, &bt->ff[l], N);
    }
  bt->cls = attn_block_fbuf (blk, B * d);
  bt->pool_pre = attn_block_fbuf (blk, B * d);
  bt->pooled = attn_block_fbuf (blk, B * d);
  bt->pooled_drop = attn_block_fbuf (blk, B * d);
  bt->pool_mask = attn_block_mbuf (blk, B * d);
  bt->targets = attn_block_ibuf (blk, B);
  bt->logits = attn_block_fbuf (blk, B * L);
  bt->dlogits = attn_block_fbuf (blk, B * L);
  bt->g_a = attn_block_fbuf (blk, N * d);
  bt->g_b = attn_block_fbuf (blk, N * d);
  bt->g_p = attn_block_fbuf (blk, B * d);
  bt->g_q = attn_block_fbuf (blk, B * d);
}

/* ---- forward and backward ---- */

static void
bert_forward (AttnTrainModel *m, const AttnBatch *batch, float smoothing, gboolean train,
              gboolean backward, AttnRng *rng, AttnLossStats *stats)
{
  Bert *bt = (Bert *) m;
  const AttnBertConfig *c = &bt->cfg;
  AttnParams *P = m->params;
  AttnBlock *blk = &bt->blk;
  int B = batch->B, T = batch->Ts, d = c->d_model, L = c->n_labels, N = B * T;
  gsize n = (gsize) N * d, nb = (gsize) B * d;
  AttnAttnShape s = { B, T, T, d, c->heads, batch->src_len, FALSE };
  const float *x;
  float *dcur, *dnext;
  AttnLossStats st = { 0 };

  reserve (bt, B, T);
  bt->B = B;
  bt->T = T;

  /* embeddings: word + position + token type 0, layer norm, dropout */
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        bt->pos_ids[b * T + t] = t;
        bt->type_ids[b * T + t] = 0;
      }
  attn_op_embedding_fwd (batch->src, N, ATTN_P (P, bt->word), d, 1.0f, bt->emb);
  attn_op_embedding_fwd (bt->pos_ids, N, ATTN_P (P, bt->pos), d, 1.0f, bt->g_a);
  attn_op_add (bt->emb, bt->g_a, n);
  attn_op_embedding_fwd (bt->type_ids, N, ATTN_P (P, bt->type), d, 1.0f, bt->g_a);
  attn_op_add (bt->emb, bt->g_a, n);
  attn_op_layernorm_fwd (bt->emb, N, d, ATTN_P (P, bt->emb_g), ATTN_P (P, bt->emb_b),
                         (float) BERT_LN_EPS, bt->emb_ln, bt->emb_mean, bt->emb_rstd);
  attn_op_dropout_or_copy (bt->emb_ln, n, c->dropout, train, rng, bt->m0, bt->x0);

  x = bt->x0;
  for (int l = 0; l < c->layers; l++)
    {
      attn_block_attn_fwd (blk, &bt->att[l], &bt->self[l], x, x, &s, train, rng);
      attn_block_ffn_fwd (blk, &bt->ffn[l], &bt->ff[l], bt->self[l].y, N, train, rng);
      x = bt->ff[l].y;
    }

  /* the pooler reads the first token ([CLS]) of each sequence */
  for (int b = 0; b < B; b++)
    {
      memcpy (bt->cls + (gsize) b * d, x + (gsize) b * T * d, sizeof (float) * d);
      bt->targets[b] = batch->tgt_out[(gsize) b * batch->Tt];
    }
  attn_op_linear_fwd (bt->cls, B, d, ATTN_P (P, bt->pool_w), ATTN_P (P, bt->pool_b), d,
                      bt->pool_pre);
  attn_op_act_fwd (ATTN_TACT_TANH, bt->pool_pre, nb, bt->pooled);
  attn_op_dropout_or_copy (bt->pooled, nb, c->dropout, train, rng, bt->pool_mask,
                           bt->pooled_drop);
  attn_op_linear_fwd (bt->pooled_drop, B, d, ATTN_P (P, bt->cls_w), ATTN_P (P, bt->cls_b), L,
                      bt->logits);
  st.loss = attn_op_cross_entropy (bt->logits, B, L, bt->targets, -1, smoothing,
                                   backward ? bt->dlogits : NULL, &st.tokens, &st.correct);
  if (stats != NULL)
    *stats = st;
  if (!backward)
    return;

  /* classifier and pooler */
  memset (bt->g_p, 0, sizeof (float) * nb);
  attn_op_linear_bwd (bt->pooled_drop, B, d, ATTN_P (P, bt->cls_w), L, bt->dlogits, bt->g_p,
                      ATTN_G (P, bt->cls_w), ATTN_G (P, bt->cls_b));
  memset (bt->g_q, 0, sizeof (float) * nb);
  attn_op_dropout_or_copy_bwd (bt->g_p, nb, c->dropout, train, bt->pool_mask, bt->g_q);
  memset (bt->g_p, 0, sizeof (float) * nb);
  attn_op_act_bwd (ATTN_TACT_TANH, bt->pool_pre, nb, bt->g_q, bt->g_p);
  memset (bt->g_q, 0, sizeof (float) * nb);
  attn_op_linear_bwd (bt->cls, B, d, ATTN_P (P, bt->pool_w), d, bt->g_p, bt->g_q,
                      ATTN_G (P, bt->pool_w), ATTN_G (P, bt->pool_b));

  /* only the [CLS] rows of the last layer's output have a gradient */
  dcur = bt->g_a;
  dnext = bt->g_b;
  memset (dcur, 0, sizeof (float) * n);
  for (int b = 0; b < B; b++)
    memcpy (dcur + (gsize) b * T * d, bt->g_q + (gsize) b * d, sizeof (float) * d);
  for (int l = c->layers - 1; l >= 0; l--)
    {
      memset (dnext, 0, sizeof (float) * n);
      attn_block_ffn_bwd (blk, &bt->ffn[l], &bt->ff[l], N, train, dcur, dnext);
      memset (dcur, 0, sizeof (float) * n);
      attn_block_attn_bwd (blk, &bt->att[l], &bt->self[l], &s, train, dnext, dcur, dcur);
    }

  /* embeddings */
  memset (dnext, 0, sizeof (float) * n);
  attn_op_dropout_or_copy_bwd (dcur, n, c->dropout, train, bt->m0, dnext);
  memset (dcur, 0, sizeof (float) * n);
  attn_op_layernorm_bwd (bt->emb, N, d, ATTN_P (P, bt->emb_g), bt->emb_mean, bt->emb_rstd, dnext,
                         dcur, ATTN_G (P, bt->emb_g), ATTN_G (P, bt->emb_b));
  attn_op_embedding_bwd (batch->src, N, d, 1.0f, dcur, ATTN_G (P, bt->word));
  attn_op_embedding_bwd (bt->pos_ids, N, d, 1.0f, dcur, ATTN_G (P, bt->pos));
  attn_op_embedding_bwd (bt->type_ids, N, d, 1.0f, dcur, ATTN_G (P, bt->type));
}

static const float *
bert_logits (AttnTrainModel *m)
{
  return ((Bert *) m)->logits;
}

/* The self-attention of sequence b: [layers, heads, len, len] (tgt_len is unused:
 * a classifier has no decoder). */
static AttnWeights *
bert_attention (AttnTrainModel *m, int b, int tgt_len, int len)
{
  Bert *bt = (Bert *) m;
  int L = bt->cfg.layers, H = bt->cfg.heads, T = bt->T;
  AttnWeights *w = attn_weights_new (L, H, len, len);

  (void) tgt_len;
  for (int l = 0; l < L; l++)
    for (int h = 0; h < H; h++)
      for (int i = 0; i < len; i++)
        memcpy ((float *) attn_weights_head (w, l, h) + (gsize) i * len,
                bt->self[l].p + (((gsize) b * H + h) * T + i) * T, sizeof (float) * len);
  return w;
}

/* ---- saving ---- */

static gboolean
bert_save_config (AttnTrainModel *m, const char *dir, GError **error)
{
  Bert *bt = (Bert *) m;
  const AttnBertConfig *c = &bt->cfg;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  /* 0.1, not the float's 0.10000000149011612 */
  double dropout = g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, "%.6g", c->dropout), NULL);

  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "architectures");
  json_builder_begin_array (jb);
  json_builder_add_string_value (jb, "BertForSequenceClassification");
  json_builder_end_array (jb);
  ATTN_KV_STR ("model_type", "bert");
  ATTN_KV_INT ("vocab_size", c->vocab);
  ATTN_KV_INT ("hidden_size", c->d_model);
  ATTN_KV_INT ("num_hidden_layers", c->layers);
  ATTN_KV_INT ("num_attention_heads", c->heads);
  ATTN_KV_INT ("intermediate_size", c->ffn_dim);
  ATTN_KV_STR ("hidden_act", attn_tact_name (c->act));
  ATTN_KV_DBL ("hidden_dropout_prob", dropout);
  ATTN_KV_DBL ("attention_probs_dropout_prob", 0.0);
  ATTN_KV_DBL ("classifier_dropout", dropout);
  ATTN_KV_INT ("max_position_embeddings", c->max_positions);
  ATTN_KV_INT ("type_vocab_size", c->type_vocab);
  ATTN_KV_DBL ("initializer_range", BERT_INIT_STD);
  ATTN_KV_DBL ("layer_norm_eps", BERT_LN_EPS);
  ATTN_KV_INT ("pad_token_id", c->pad_id);
  ATTN_KV_STR ("position_embedding_type", "absolute");
  ATTN_KV_STR ("problem_type", "single_label_classification");
  json_builder_set_member_name (jb, "id2label");
  json_builder_begin_object (jb);
  for (int i = 0; i < c->n_labels; i++)
    {
      char key[16];
      g_snprintf (key, sizeof key, "%d", i);
      ATTN_KV_STR (key, bt->labels[i]);
    }
  json_builder_end_object (jb);
  json_builder_set_member_name (jb, "label2id");
  json_builder_begin_object (jb);
  for (int i = 0; i < c->n_labels; i++)
    ATTN_KV_INT (bt->labels[i], i);
  json_builder_end_object (jb);
  ATTN_KV_STR ("torch_dtype", "float32");
  json_builder_end_object (jb);
  return attn_train_write_json (jb, dir, "config.json", error);
}

static void
bert_free (AttnTrainModel *m)
{
  Bert *bt = (Bert *) m;
  attn_block_clear (&bt->blk);
  attn_params_free (m->params);
  g_strfreev (bt->labels);
  g_free (bt->att);
  g_free (bt->ffn);
  g_free (bt->self);
  g_free (bt->ff);
  g_free (bt);
}

static const AttnTrainModelClass bert_class = {
  "bert", bert_forward, bert_logits, bert_attention, bert_save_config, bert_free,
};

AttnTrainModel *
attn_train_bert_new (const AttnBertConfig *config, GError **error)
{
  const AttnBertConfig *c = config;
  Bert *bt;

  if (c->d_model <= 0 || c->heads <= 0 || c->d_model % c->heads != 0 || c->ffn_dim <= 0
      || c->vocab <= 0 || c->layers <= 0 || c->max_positions < 2 || c->type_vocab < 1
      || c->n_labels < 2 || c->labels == NULL || c->pad_id < 0 || c->pad_id >= c->vocab
      || c->dropout < 0 || c->dropout >= 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                   _("BERT configuration is invalid (d_model %d, heads %d, ffn %d, layers %d, "
                   "vocab %d, positions %d, %d labels)"), c->d_model, c->heads, c->ffn_dim,
                   c->layers, c->vocab, c->max_positions, c->n_labels);
      return NULL;
    }
  bt = g_new0 (Bert, 1);
  bt->cfg = *c;
  bt->labels = g_new0 (char *, c->n_labels + 1);
  for (int i = 0; i < c->n_labels; i++)
    bt->labels[i] = g_strdup (c->labels[i]);
  bt->cfg.labels = (const char *const *) bt->labels;
  bt->parent.klass = &bert_class;
  bt->parent.vocab = c->vocab;
  bt->parent.pad_id = c->pad_id;
  bt->parent.bos_id = c->cls_id;
  bt->parent.eos_id = c->sep_id;
  bt->parent.params = attn_params_new ();
  bt->blk.params = bt->parent.params;
  bt->blk.d = c->d_model;
  bt->blk.ffn = c->ffn_dim;
  bt->blk.dropout = c->dropout;
  bt->blk.ln_eps = (float) BERT_LN_EPS;
  bt->blk.act = c->act;
  bt->att = g_new0 (AttnSubOff, c->layers);
  bt->ffn = g_new0 (AttnFfnOff, c->layers);
  bt->self = g_new0 (AttnSubAct, c->layers);
  bt->ff = g_new0 (AttnFfnAct, c->layers);
  declare (bt);
  attn_params_alloc (bt->parent.params);
  return &bt->parent;
}

/* As BertPreTrainedModel._init_weights: N(0, 0.02) matrices and embeddings, the
 * padding token's embedding row zero, zero biases, unit layer-norm gains. */
void
attn_train_bert_init (AttnTrainModel *m, AttnRng *rng)
{
  Bert *bt = (Bert *) m;
  AttnParams *P = m->params;

  for (guint i = 0; i < P->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (P->info, AttnParamInfo, i);
      float *w = P->data + info->offset;
      if (info->ndim == 2)
        for (gsize j = 0; j < info->numel; j++)
          w[j] = (float) BERT_INIT_STD * attn_rng_normal (rng);
      else if (g_str_has_suffix (info->name, "LayerNorm.weight"))
        for (gsize j = 0; j < info->numel; j++)
          w[j] = 1.0f;
      else
        memset (w, 0, sizeof (float) * info->numel);
    }
  memset (ATTN_P (P, bt->word) + (gsize) bt->cfg.pad_id * bt->cfg.d_model, 0,
          sizeof (float) * bt->cfg.d_model);
}
