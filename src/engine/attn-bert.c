/* attn-bert.c — BERT-family encoders: BERT, DistilBERT and RoBERTa.
 *
 * Post-layer-norm Transformer encoder; heads: sequence classification (pooler +
 * classifier, or RoBERTa's/DistilBERT's own) or masked-LM (tied decoder). */
#include "attn-model-private.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

typedef enum { FLAVOUR_BERT, FLAVOUR_DISTIL, FLAVOUR_ROBERTA } Flavour;

typedef struct {
  AttnLinear    qkv;        /* fused [3D, D] */
  AttnLinear    out;
  AttnLayerNorm ln_attn;
  AttnLinear    ff1, ff2;
  AttnLayerNorm ln_out;
} BertLayer;

typedef struct {
  Flavour        flavour;
  int            d, layers, heads, ff, vocab, max_pos, type_vocab, pos_offset;
  AttnActivation act;
  float         *word, *pos, *type;    /* [V, D], [P, D], [types, D] or NULL */
  AttnLayerNorm  ln_emb;
  BertLayer     *layer;
  /* classification */
  int            n_labels;
  char         **labels;
  AttnLinear     pool;                 /* pooler / pre_classifier / classifier.dense */
  AttnActivation pool_act;
  AttnLinear     classifier;
  gboolean       has_classifier;
  /* masked LM */
  gboolean       has_mlm;
  AttnLinear     mlm_dense, mlm_decoder;
  AttnLayerNorm  mlm_ln;
  gint32         pad_id;
} Bert;

static void
bert_free (gpointer p)
{
  Bert *b = p;
  g_free (b->layer);
  g_strfreev (b->labels);
  g_free (b);
}

static char **
read_labels (JsonObject *cfg, int n)
{
  JsonNode *node = json_object_get_member (cfg, "id2label");
  char **labels = g_new0 (char *, n + 1);
  JsonObject *map = (node && JSON_NODE_HOLDS_OBJECT (node)) ? json_node_get_object (node) : NULL;
  for (int i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("%d", i);
      const char *v = map ? attn_config_string_or (map, key, NULL) : NULL;
      labels[i] = v ? g_strdup (v) : g_strdup_printf ("LABEL_%d", i);
    }
  return labels;
}

static gboolean
bert_load (AttnModel *model, AttnCheckpoint *ckpt, GError **error)
{
  JsonObject *cfg = model->config;
  const char *file = model->config_path;
  const char *type = attn_config_string_or (cfg, "model_type", "bert");
  Bert *b = g_new0 (Bert, 1);
  gint64 d, layers, heads, ff, vocab, max_pos, types = 0;
  const char *root, *act;
  float eps;
  gint64 s2[2];

  model->arch = b;
  b->flavour = g_str_equal (type, "distilbert") ? FLAVOUR_DISTIL : g_str_equal (type, "roberta") ? FLAVOUR_ROBERTA : FLAVOUR_BERT;
  if (!attn_config_int (cfg, file, &d, 1, 65536, error, "hidden_size", "dim", NULL) ||
      !attn_config_int (cfg, file, &layers, 1, 256, error, "num_hidden_layers", "n_layers", NULL) ||
      !attn_config_int (cfg, file, &heads, 1, 1024, error, "num_attention_heads", "n_heads", NULL) ||
      !attn_config_int (cfg, file, &ff, 1, 1 << 20, error, "intermediate_size", "hidden_dim", NULL) ||
      !attn_config_int (cfg, file, &vocab, 1, 1 << 24, error, "vocab_size", NULL) ||
      !attn_config_int (cfg, file, &max_pos, 1, 1 << 20, error, "max_position_embeddings", NULL))
    return FALSE;
  if (d % heads != 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: the hidden size %" PRId64
                   " is not a multiple of the %" PRId64 " heads"), file, d, heads);
      return FALSE;
    }
  if (b->flavour != FLAVOUR_DISTIL &&
      !attn_config_int (cfg, file, &types, 0, 1 << 16, error, "type_vocab_size", NULL))
    return FALSE;
  act = attn_config_string_or (cfg, "hidden_act", attn_config_string_or (cfg, "activation", "gelu"));
  if (!attn_activation_from_name (act, &b->act))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, _("%s: activation “%s” is not supported"), file, act);
      return FALSE;
    }
  b->d = d; b->layers = layers; b->heads = heads; b->ff = ff; b->vocab = vocab;
  b->max_pos = max_pos; b->type_vocab = types;
  b->pad_id = attn_config_int_or (cfg, "pad_token_id", b->flavour == FLAVOUR_ROBERTA ? 1 : 0);
  b->pos_offset = b->flavour == FLAVOUR_ROBERTA ? b->pad_id + 1 : 0;
  /* RoBERTa's positions start after pad_token_id, and padding takes row pad_token_id:
   * both must be rows of the table, with at least one position left for tokens */
  if (b->flavour == FLAVOUR_ROBERTA && (b->pad_id < 0 || b->pos_offset >= max_pos))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: “pad_token_id” %d is impossible with %"
                   PRId64 " position embeddings (RoBERTa positions start at pad_token_id + 1)"),
                   file, b->pad_id, max_pos);
      return FALSE;
    }
  eps = attn_config_double_or (cfg, "layer_norm_eps", 1e-12);
  root = b->flavour == FLAVOUR_DISTIL ? "distilbert" : b->flavour == FLAVOUR_ROBERTA ? "roberta" : "bert";
  /* a bare BertModel checkpoint has no prefix */
  {
    g_autofree char *probe = g_strdup_printf ("%s.embeddings.word_embeddings.weight", root);
    if (attn_checkpoint_find (ckpt, probe) == NULL &&
        attn_checkpoint_find (ckpt, "embeddings.word_embeddings.weight") != NULL)
      root = NULL;
  }
  {
    g_autofree char *pre = root ? g_strconcat (root, ".", NULL) : g_strdup ("");
    g_autofree char *wn = g_strconcat (pre, "embeddings.word_embeddings.weight", NULL);
    g_autofree char *pn = g_strconcat (pre, "embeddings.position_embeddings.weight", NULL);
    g_autofree char *tn = g_strconcat (pre, "embeddings.token_type_embeddings.weight", NULL);
    g_autofree char *ln = g_strconcat (pre, "embeddings.LayerNorm", NULL);
    s2[0] = vocab; s2[1] = d;
    if (!(b->word = attn_model_read (model, ckpt, wn, 2, s2, error)))
      return FALSE;
    s2[0] = max_pos;
    if (!(b->pos = attn_model_read (model, ckpt, pn, 2, s2, error)))
      return FALSE;
    if (types > 0)
      {
        s2[0] = types;
        if (!(b->type = attn_model_read (model, ckpt, tn, 2, s2, error)))
          return FALSE;
      }
    if (!attn_model_read_layer_norm (model, ckpt, ln, d, eps, &b->ln_emb, error))
      return FALSE;
    b->layer = g_new0 (BertLayer, layers);
    for (int l = 0; l < layers; l++)
      {
        BertLayer *L = &b->layer[l];
        g_autofree char *p = b->flavour == FLAVOUR_DISTIL
                             ? g_strdup_printf ("%stransformer.layer.%d.", pre, l)
                             : g_strdup_printf ("%sencoder.layer.%d.", pre, l);
        gboolean distil = b->flavour == FLAVOUR_DISTIL;
        g_autofree char *q = g_strconcat (p, distil ? "attention.q_lin" : "attention.self.query", NULL);
        g_autofree char *k = g_strconcat (p, distil ? "attention.k_lin" : "attention.self.key", NULL);
        g_autofree char *v = g_strconcat (p, distil ? "attention.v_lin" : "attention.self.value", NULL);
        g_autofree char *o = g_strconcat (p, distil ? "attention.out_lin" : "attention.output.dense", NULL);
        g_autofree char *la = g_strconcat (p, distil ? "sa_layer_norm" : "attention.output.LayerNorm", NULL);
        g_autofree char *f1 = g_strconcat (p, distil ? "ffn.lin1" : "intermediate.dense", NULL);
        g_autofree char *f2 = g_strconcat (p, distil ? "ffn.lin2" : "output.dense", NULL);
        g_autofree char *lo = g_strconcat (p, distil ? "output_layer_norm" : "output.LayerNorm", NULL);
        const char *qkv[3] = { q, k, v };
        if (!attn_model_read_fused (model, ckpt, qkv, 3, d, d, &L->qkv, error) ||
            !attn_model_read_linear (model, ckpt, o, d, d, FALSE, &L->out, error) ||
            !attn_model_read_layer_norm (model, ckpt, la, d, eps, &L->ln_attn, error) ||
            !attn_model_read_linear (model, ckpt, f1, d, ff, FALSE, &L->ff1, error) ||
            !attn_model_read_linear (model, ckpt, f2, ff, d, FALSE, &L->ff2, error) ||
            !attn_model_read_layer_norm (model, ckpt, lo, d, eps, &L->ln_out, error))
          return FALSE;
      }
  }
  /* heads */
  {
    const char *pool = b->flavour == FLAVOUR_DISTIL ? "pre_classifier"
                       : b->flavour == FLAVOUR_ROBERTA ? "classifier.dense" : "bert.pooler.dense";
    const char *cls = b->flavour == FLAVOUR_ROBERTA ? "classifier.out_proj" : "classifier";
    g_autofree char *cls_w = g_strconcat (cls, ".weight", NULL);
    const AttnTensorInfo *ci = attn_checkpoint_find (ckpt, cls_w);
    if (ci != NULL && ci->ndim == 2)
      {
        b->n_labels = ci->shape[0];
        if (b->n_labels < 1 || b->n_labels > 100000 ||
            !attn_model_read_linear (model, ckpt, pool, d, d, FALSE, &b->pool, error) ||
            !attn_model_read_linear (model, ckpt, cls, d, b->n_labels, FALSE, &b->classifier, error))
          {
            if (error && *error == NULL)
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_SHAPE, _("%s: “%s” has an impossible shape"), file, cls_w);
            return FALSE;
          }
        b->pool_act = b->flavour == FLAVOUR_DISTIL ? ATTN_ACT_RELU : ATTN_ACT_TANH;
        b->has_classifier = TRUE;
        b->labels = read_labels (cfg, b->n_labels);
      }
  }
  if (!b->has_classifier)
    {
      const char *dense = b->flavour == FLAVOUR_DISTIL ? "vocab_transform"
                          : b->flavour == FLAVOUR_ROBERTA ? "lm_head.dense" : "cls.predictions.transform.dense";
      const char *lnn = b->flavour == FLAVOUR_DISTIL ? "vocab_layer_norm"
                        : b->flavour == FLAVOUR_ROBERTA ? "lm_head.layer_norm" : "cls.predictions.transform.LayerNorm";
      const char *bias = b->flavour == FLAVOUR_DISTIL ? "vocab_projector.bias"
                         : b->flavour == FLAVOUR_ROBERTA ? "lm_head.bias" : "cls.predictions.bias";
      g_autofree char *dw = g_strconcat (dense, ".weight", NULL);
      if (attn_checkpoint_find (ckpt, dw) != NULL)
        {
          gint64 s1[1] = { vocab };
          if (!attn_model_read_linear (model, ckpt, dense, d, d, FALSE, &b->mlm_dense, error) ||
              !attn_model_read_layer_norm (model, ckpt, lnn, d, eps, &b->mlm_ln, error))
            return FALSE;
          b->mlm_decoder.w = b->word;
          b->mlm_decoder.in = d;
          b->mlm_decoder.out = vocab;
          b->mlm_decoder.b = attn_model_read (model, ckpt, bias, 1, s1, error);
          if (b->mlm_decoder.b == NULL)
            return FALSE;
          b->has_mlm = TRUE;
        }
    }

  model->modality = ATTN_MODALITY_TEXT;
  model->accepts_pair = b->type_vocab >= 2;
  model->n_layers = layers;
  model->n_heads = heads;
  model->max_positions = max_pos - b->pos_offset;
  model->kinds = ATTN_KIND_MASK (ATTN_KIND_SELF);
  model->tokenizer = attn_tokenizer_load (model->dir, ATTN_TOKENIZER_SOURCE, NULL);
  return TRUE;
}

/* The encoder over T tokens. probs: [layers, heads, T, T] or NULL. hidden: [T, D] out. */
static gboolean
bert_encode (Bert *b, const gint32 *ids, const gint32 *type_ids, const guint8 *mask, int T,
             float *probs, float *vnorms, float *hidden, AttnRunCtx *ctx, GError **error)
{
  int D = b->d, H = b->heads, dh = D / H;
  ATTN_BUF qkv = attn_alloc_floats ((gsize) T * 3 * D, FALSE);
  ATTN_BUF ctxv = attn_alloc_floats ((gsize) T * D, FALSE);
  ATTN_BUF tmp = attn_alloc_floats ((gsize) T * D, FALSE);
  ATTN_BUF ffb = attn_alloc_floats ((gsize) T * b->ff, FALSE);
  ATTN_BUF scratch = probs ? NULL : attn_alloc_floats ((gsize) H * T * T, FALSE);
  float scale = 1.0f / sqrtf ((float) dh);
  int pos = b->pos_offset;

  for (int t = 0; t < T; t++)
    {
      float *x = tmp + (gsize) t * D;
      const float *w = b->word + (gsize) ids[t] * D;
      const float *p;
      /* BERT and DistilBERT number tokens 0, 1, 2… whatever the mask. RoBERTa follows
       * Hugging Face's create_position_ids_from_input_ids: the pad token (by id, not by
       * attention mask) takes row pad_token_id; the others count up from pad_token_id + 1. */
      if (b->flavour != FLAVOUR_ROBERTA)
        p = b->pos + (gsize) t * D;
      else if (ids[t] == b->pad_id)
        p = b->pos + (gsize) b->pad_id * D;
      else
        p = b->pos + (gsize) pos++ * D;
      for (int i = 0; i < D; i++)
        x[i] = w[i] + p[i];
      if (b->type)
        {
          const float *ty = b->type + (gsize) (type_ids ? type_ids[t] : 0) * D;
          for (int i = 0; i < D; i++)
            x[i] += ty[i];
        }
    }
  attn_layer_norm (&b->ln_emb, tmp, T, hidden);

  for (int l = 0; l < b->layers; l++)
    {
      BertLayer *L = &b->layer[l];
      float *pl = probs ? probs + (gsize) l * H * T * T : scratch;
      if (!attn_run_ctx_check (ctx, error))
        return FALSE;
      attn_linear_forward (&L->qkv, hidden, T, qkv);
      attn_attention (qkv, 3 * D, qkv + D, 3 * D, qkv + 2 * D, 3 * D, T, T, H, dh, scale,
                      -1, mask, pl, ctxv, D);
      attn_run_ctx_trace (ctx, ATTN_KIND_SELF, l, qkv, 3 * D, qkv + D, 3 * D, qkv + 2 * D, 3 * D,
                          T, T, H, dh, scale, -1, mask);
      if (vnorms != NULL)
        attn_value_norms (qkv + 2 * D, 3 * D, T, H, dh, &L->out, vnorms + (gsize) l * H * T);
      attn_linear_forward (&L->out, ctxv, T, tmp);
      attn_add_inplace (tmp, hidden, (gsize) T * D);
      attn_layer_norm (&L->ln_attn, tmp, T, hidden);
      attn_linear_forward (&L->ff1, hidden, T, ffb);
      attn_activate (b->act, ffb, (gsize) T * b->ff);
      attn_linear_forward (&L->ff2, ffb, T, tmp);
      attn_add_inplace (tmp, hidden, (gsize) T * D);
      attn_layer_norm (&L->ln_out, tmp, T, hidden);
      attn_run_ctx_progress (ctx, (l + 1.0) / b->layers, "encoder");
    }
  return TRUE;
}

static void
softmax_into (const float *logits, int n, float *probs)
{
  memcpy (probs, logits, n * sizeof (float));
  attn_softmax_rows (probs, 1, n);
}

static AttnResult *
bert_run (AttnModel *model, const AttnInput *in, const AttnRunOptions *opt, AttnRunCtx *ctx, GError **error)
{
  Bert *b = model->arch;
  g_autoptr(AttnResult) r = attn_model_result_new (model);
  g_autoptr(AttnEncoding) enc = NULL;
  const gint32 *ids, *types = NULL;
  ATTN_BUF hidden = NULL;
  int T;
  guint kinds = opt->kinds_mask ? opt->kinds_mask : ATTN_KIND_MASK_ALL;

  if (in->input_ids != NULL)
    {
      ids = in->input_ids;
      T = in->n_input_ids;
      types = in->type_ids;
    }
  else
    {
      if (in->text == NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s needs a text (or token ids)"), model->name);
          return NULL;
        }
      if (in->text_pair != NULL && !model->accepts_pair)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s does not take a second text"), model->name);
          return NULL;
        }
      enc = attn_model_encode (model, model->tokenizer, in->text, in->text_pair, TRUE, error);
      if (enc == NULL)
        return NULL;
      ids = enc->ids;
      T = enc->len;
      types = in->text_pair ? enc->type_ids : NULL;
    }
  if (T < 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The input has no tokens"));
      return NULL;
    }
  if (T > model->max_positions)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The input has %d tokens, but %s accepts at most %d"),
                   T, model->name, model->max_positions);
      return NULL;
    }
  for (int t = 0; t < T; t++)
    {
      if (ids[t] < 0 || ids[t] >= b->vocab)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("Token id %d at position %d is outside the vocabulary (%d)"),
                       ids[t], t, b->vocab);
          return NULL;
        }
      if (types && (types[t] < 0 || types[t] >= MAX (b->type_vocab, 1)))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("Segment id %d at position %d is outside 0…%d"),
                       types[t], t, MAX (b->type_vocab, 1) - 1);
          return NULL;
        }
    }

  attn_model_fill_tokens (model->tokenizer, &r->input, ids, T);
  if (types != NULL)
    r->type_ids = g_memdup2 (types, T * sizeof (gint32));
  if (kinds & ATTN_KIND_MASK (ATTN_KIND_SELF))
    {
      r->attention[ATTN_KIND_SELF] = attn_weights_new_uninit (b->layers, b->heads, T, T);
      r->value_norms[ATTN_KIND_SELF] = attn_weights_new_uninit (b->layers, b->heads, 1, T);
    }
  hidden = attn_alloc_floats ((gsize) T * b->d, FALSE);
  if (!bert_encode (b, ids, types, in->input_ids ? in->attention_mask : NULL, T,
                    r->attention[ATTN_KIND_SELF] ? r->attention[ATTN_KIND_SELF]->data : NULL,
                    r->value_norms[ATTN_KIND_SELF] ? r->value_norms[ATTN_KIND_SELF]->data : NULL,
                    hidden, ctx, error))
    return NULL;

  if (b->has_classifier)
    {
      g_autofree float *pooled = g_new (float, b->d);
      r->logits = g_new (float, b->n_labels);
      r->logits_rows = 0;
      r->logits_cols = b->n_labels;
      attn_linear_forward (&b->pool, hidden, 1, pooled);
      attn_activate (b->pool_act, pooled, b->d);
      attn_linear_forward (&b->classifier, pooled, 1, r->logits);
      r->output_kind = ATTN_OUTPUT_LABELS;
      r->n_labels = b->n_labels;
      r->labels = g_strdupv (b->labels);
      r->label_probs = g_new (float, b->n_labels);
      softmax_into (r->logits, b->n_labels, r->label_probs);
    }
  else if (b->has_mlm)
    {
      ATTN_BUF t1 = attn_alloc_floats ((gsize) T * b->d, FALSE);
      ATTN_BUF t2 = attn_alloc_floats ((gsize) T * b->d, FALSE);
      attn_linear_forward (&b->mlm_dense, hidden, T, t1);
      /* RobertaLMHead applies exact GELU whatever hidden_act says; BERT's and
       * DistilBERT's heads use the configured activation */
      attn_activate (b->flavour == FLAVOUR_ROBERTA ? ATTN_ACT_GELU : b->act, t1, (gsize) T * b->d);
      attn_layer_norm (&b->mlm_ln, t1, T, t2);
      r->logits = attn_alloc_floats ((gsize) T * b->vocab, FALSE);
      r->logits_rows = T;
      r->logits_cols = b->vocab;
      attn_linear_forward (&b->mlm_decoder, t2, T, r->logits);
      r->output_kind = ATTN_OUTPUT_NEXT_TOKEN;
    }
  else
    {
      /* a bare encoder: report the last hidden state as its output */
      r->logits = g_steal_pointer (&hidden);
      r->logits_rows = T;
      r->logits_cols = b->d;
      r->output_kind = ATTN_OUTPUT_NONE;
    }
  return g_steal_pointer (&r);
}

const AttnArchClass attn_arch_bert = {
  .name = "bert",
  .load = bert_load,
  .free_arch = bert_free,
  .run = bert_run,
};
