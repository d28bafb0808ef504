/* attn-gpt2.c — GPT-2 (GPT2LMHeadModel): pre-layer-norm causal decoder with a tied
 * output layer, and greedy or beam continuation of a prompt. */
#include "attn-model-private.h"
#include "attn-decode.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

typedef struct {
  AttnLayerNorm ln1, ln2;
  AttnLinear    attn, proj, fc, fc_proj;   /* Conv1D weights: [in, out] */
} Gpt2Layer;

typedef struct {
  int            d, layers, heads, ff, vocab, n_pos;
  AttnActivation act;
  float         *wte, *wpe;
  Gpt2Layer     *layer;
  AttnLayerNorm  ln_f;
  AttnLinear     head;                      /* tied to wte */
  gint32         eos;
} Gpt2;

static void
gpt2_free (gpointer p)
{
  Gpt2 *g = p;
  g_free (g->layer);
  g_free (g);
}

static gboolean
read_conv1d (AttnModel *model, AttnCheckpoint *ckpt, const char *prefix, int in, int out, AttnLinear *lin, GError **error)
{
  g_autofree char *wn = g_strconcat (prefix, ".weight", NULL);
  g_autofree char *bn = g_strconcat (prefix, ".bias", NULL);
  gint64 ws[2] = { in, out }, bs[1] = { out };
  lin->in = in;
  lin->out = out;
  lin->in_major = TRUE;
  lin->w = attn_model_read (model, ckpt, wn, 2, ws, error);
  lin->b = lin->w ? attn_model_read (model, ckpt, bn, 1, bs, error) : NULL;
  return lin->b != NULL;
}

static gboolean
gpt2_load (AttnModel *model, AttnCheckpoint *ckpt, GError **error)
{
  JsonObject *cfg = model->config;
  const char *file = model->config_path;
  Gpt2 *g = g_new0 (Gpt2, 1);
  gint64 d, layers, heads, vocab, n_pos, ff;
  const char *act, *pre;
  float eps;
  gint64 s2[2];

  model->arch = g;
  if (!attn_config_int (cfg, file, &d, 1, 65536, error, "n_embd", "hidden_size", NULL) ||
      !attn_config_int (cfg, file, &layers, 1, 256, error, "n_layer", "num_hidden_layers", NULL) ||
      !attn_config_int (cfg, file, &heads, 1, 1024, error, "n_head", "num_attention_heads", NULL) ||
      !attn_config_int (cfg, file, &vocab, 1, 1 << 24, error, "vocab_size", NULL) ||
      !attn_config_int (cfg, file, &n_pos, 1, 1 << 20, error, "n_positions", "max_position_embeddings", NULL))
    return FALSE;
  if (d % heads != 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: n_embd %" PRId64 " is not a multiple of n_head %"
                   PRId64), file, d, heads);
      return FALSE;
    }
  ff = attn_config_int_or (cfg, "n_inner", 4 * d);
  if (ff < 1 || ff > (1 << 20))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: n_inner is impossible"), file);
      return FALSE;
    }
  act = attn_config_string_or (cfg, "activation_function", "gelu_new");
  if (!attn_activation_from_name (act, &g->act))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, _("%s: activation “%s” is not supported"), file, act);
      return FALSE;
    }
  if (!attn_config_bool_or (cfg, "scale_attn_weights", TRUE) || attn_config_bool_or (cfg, "scale_attn_by_inverse_layer_idx", FALSE))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, _("%s: this attention scaling variant is not supported"), file);
      return FALSE;
    }
  eps = attn_config_double_or (cfg, "layer_norm_epsilon", 1e-5);
  g->d = d; g->layers = layers; g->heads = heads; g->vocab = vocab; g->n_pos = n_pos; g->ff = ff;
  g->eos = attn_config_int_or (cfg, "eos_token_id", -1);
  pre = attn_checkpoint_find (ckpt, "transformer.wte.weight") ? "transformer." : "";
  {
    g_autofree char *wte = g_strconcat (pre, "wte.weight", NULL);
    g_autofree char *wpe = g_strconcat (pre, "wpe.weight", NULL);
    g_autofree char *lnf = g_strconcat (pre, "ln_f", NULL);
    s2[0] = vocab; s2[1] = d;
    if (!(g->wte = attn_model_read (model, ckpt, wte, 2, s2, error)))
      return FALSE;
    s2[0] = n_pos;
    if (!(g->wpe = attn_model_read (model, ckpt, wpe, 2, s2, error)))
      return FALSE;
    if (!attn_model_read_layer_norm (model, ckpt, lnf, d, eps, &g->ln_f, error))
      return FALSE;
  }
  g->layer = g_new0 (Gpt2Layer, layers);
  for (int l = 0; l < layers; l++)
    {
      Gpt2Layer *L = &g->layer[l];
      g_autofree char *p = g_strdup_printf ("%sh.%d.", pre, l);
      g_autofree char *ln1 = g_strconcat (p, "ln_1", NULL), *ln2 = g_strconcat (p, "ln_2", NULL);
      g_autofree char *ca = g_strconcat (p, "attn.c_attn", NULL), *cp = g_strconcat (p, "attn.c_proj", NULL);
      g_autofree char *fc = g_strconcat (p, "mlp.c_fc", NULL), *mp = g_strconcat (p, "mlp.c_proj", NULL);
      if (!attn_model_read_layer_norm (model, ckpt, ln1, d, eps, &L->ln1, error) ||
          !attn_model_read_layer_norm (model, ckpt, ln2, d, eps, &L->ln2, error) ||
          !read_conv1d (model, ckpt, ca, d, 3 * d, &L->attn, error) ||
          !read_conv1d (model, ckpt, cp, d, d, &L->proj, error) ||
          !read_conv1d (model, ckpt, fc, d, ff, &L->fc, error) ||
          !read_conv1d (model, ckpt, mp, ff, d, &L->fc_proj, error))
        return FALSE;
    }
  if (attn_checkpoint_find (ckpt, "lm_head.weight") && !attn_config_bool_or (cfg, "tie_word_embeddings", TRUE))
    {
      if (!attn_model_read_linear (model, ckpt, "lm_head", d, vocab, TRUE, &g->head, error))
        return FALSE;
    }
  else
    {
      g->head.w = g->wte;
      g->head.in = d;
      g->head.out = vocab;
    }
  model->modality = ATTN_MODALITY_TEXT;
  model->n_layers = layers;
  model->n_heads = heads;
  model->max_positions = n_pos;
  model->kinds = ATTN_KIND_MASK (ATTN_KIND_SELF);
  model->tokenizer = attn_tokenizer_load (model->dir, ATTN_TOKENIZER_SOURCE, NULL);
  return TRUE;
}

/* Feeds n tokens at positions cache->len … into the model. probs: [layers, heads, n, len+n]
 * (NULL: not recorded). logits: [n, V] for every position, or for the last only when
 * last_only. */
static gboolean
gpt2_forward (Gpt2 *g, AttnKvCache *cache, const gint32 *ids, int n, float *probs,
              float *vnorms, float *logits, gboolean last_only, AttnRunCtx *ctx, GError **error)
{
  int D = g->d, H = g->heads, dh = D / H, past = cache->len, tk = past + n;
  ATTN_BUF x = attn_alloc_floats ((gsize) n * D, FALSE);
  ATTN_BUF h = attn_alloc_floats ((gsize) n * D, FALSE);
  ATTN_BUF qkv = attn_alloc_floats ((gsize) n * 3 * D, FALSE);
  ATTN_BUF ctxv = attn_alloc_floats ((gsize) n * D, FALSE);
  ATTN_BUF ffb = attn_alloc_floats ((gsize) n * g->ff, FALSE);
  ATTN_BUF scratch = probs ? NULL : attn_alloc_floats ((gsize) H * n * tk, FALSE);
  float scale = 1.0f / sqrtf ((float) dh);

  g_return_val_if_fail (tk <= cache->cap, FALSE);
  for (int t = 0; t < n; t++)
    for (int i = 0; i < D; i++)
      x[(gsize) t * D + i] = g->wte[(gsize) ids[t] * D + i] + g->wpe[(gsize) (past + t) * D + i];

  for (int l = 0; l < g->layers; l++)
    {
      Gpt2Layer *L = &g->layer[l];
      float *kc = attn_kv_cache_k (cache, l), *vc = attn_kv_cache_v (cache, l);
      if (!attn_run_ctx_check (ctx, error))
        return FALSE;
      attn_layer_norm (&L->ln1, x, n, h);
      attn_linear_forward (&L->attn, h, n, qkv);
      attn_kv_cache_store (cache, l, qkv, 3 * D, n, D, 2 * D);
      attn_attention (qkv, 3 * D, kc, D, vc, D, n, tk, H, dh, scale, past, NULL,
                      probs ? probs + (gsize) l * H * n * tk : scratch, ctxv, D);
      if (vnorms != NULL)
        attn_value_norms (vc, D, tk, H, dh, &L->proj, vnorms + (gsize) l * H * tk);
      if (probs != NULL)
        attn_run_ctx_trace (ctx, ATTN_KIND_SELF, l, qkv, 3 * D, kc, D, vc, D, n, tk, H, dh, scale, past, NULL);
      attn_linear_forward (&L->proj, ctxv, n, h);
      attn_add_inplace (x, h, (gsize) n * D);
      attn_layer_norm (&L->ln2, x, n, h);
      attn_linear_forward (&L->fc, h, n, ffb);
      attn_activate (g->act, ffb, (gsize) n * g->ff);
      attn_linear_forward (&L->fc_proj, ffb, n, h);
      attn_add_inplace (x, h, (gsize) n * D);
      if (probs != NULL)
        attn_run_ctx_progress (ctx, 0.5 * (l + 1.0) / g->layers, "layers");
    }
  cache->len = tk;
  if (last_only)
    {
      attn_layer_norm (&g->ln_f, x + (gsize) (n - 1) * D, 1, h);
      attn_linear_forward (&g->head, h, 1, logits);
    }
  else
    {
      attn_layer_norm (&g->ln_f, x, n, h);
      attn_linear_forward (&g->head, h, n, logits);
    }
  return TRUE;
}

/* --- the decoding interface (attn-decode.h) --------------------------------- */

typedef struct {
  Gpt2       *g;
  AttnRunCtx *ctx;
  int         cap;
} Gpt2Decoder;

static gpointer
cache_new (gpointer self)
{
  Gpt2Decoder *dec = self;
  return attn_kv_cache_new (dec->g->layers, dec->cap, dec->g->d);
}

static void
cache_copy (gpointer self, gpointer dst, gconstpointer src)
{
  attn_kv_cache_copy (dst, src);
}

static gboolean
step (gpointer self, gpointer cache, const gint32 *tokens, int n, float *logits, GError **error)
{
  Gpt2Decoder *dec = self;
  return gpt2_forward (dec->g, cache, tokens, n, NULL, NULL, logits, TRUE, dec->ctx, error);
}

static AttnResult *
gpt2_run (AttnModel *model, const AttnInput *in, const AttnRunOptions *opt, AttnRunCtx *ctx, GError **error)
{
  Gpt2 *g = model->arch;
  g_autoptr(AttnResult) r = attn_model_result_new (model);
  g_autoptr(AttnEncoding) enc = NULL;
  const gint32 *ids;
  int T, max_new;
  guint kinds = opt->kinds_mask ? opt->kinds_mask : ATTN_KIND_MASK_ALL;
  AttnKvCache *cache;
  Gpt2Decoder dec = { g, ctx, 0 };
  AttnDecoderOps ops = { cache_new, attn_kv_cache_free, cache_copy, step };
  AttnDecodeParams params = { 0 };
  gboolean ok;

  if (in->input_ids != NULL)
    {
      ids = in->input_ids;
      T = in->n_input_ids;
    }
  else
    {
      if (in->text == NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s needs a text (or token ids)"), model->name);
          return NULL;
        }
      enc = attn_model_encode (model, model->tokenizer, in->text, NULL, TRUE, error);
      if (enc == NULL)
        return NULL;
      ids = enc->ids;
      T = enc->len;
    }
  if (T < 1)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The text gives no tokens; type something first"));
      return NULL;
    }
  max_new = opt->max_new_tokens;
  if (T + max_new > g->n_pos)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("The input has %d tokens; with %d new ones that exceeds the %d positions of %s"),
                   T, max_new, g->n_pos, model->name);
      return NULL;
    }
  for (int t = 0; t < T; t++)
    if (ids[t] < 0 || ids[t] >= g->vocab)
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("Token id %d at position %d is outside the vocabulary (%d)"),
                     ids[t], t, g->vocab);
        return NULL;
      }

  attn_model_fill_tokens (model->tokenizer, &r->input, ids, T);
  if (kinds & ATTN_KIND_MASK (ATTN_KIND_SELF))
    {
      r->attention[ATTN_KIND_SELF] = attn_weights_new_uninit (g->layers, g->heads, T, T);
      r->attention[ATTN_KIND_SELF]->causal = TRUE;
      r->value_norms[ATTN_KIND_SELF] = attn_weights_new_uninit (g->layers, g->heads, 1, T);
    }
  r->logits = attn_alloc_floats ((gsize) T * g->vocab, FALSE);
  r->logits_rows = T;
  r->logits_cols = g->vocab;
  cache = attn_kv_cache_new (g->layers, T, g->d);
  ok = gpt2_forward (g, cache, ids, T, r->attention[ATTN_KIND_SELF] ? r->attention[ATTN_KIND_SELF]->data : NULL,
                     r->value_norms[ATTN_KIND_SELF] ? r->value_norms[ATTN_KIND_SELF]->data : NULL, r->logits, FALSE, ctx, error);
  attn_kv_cache_free (cache);
  if (!ok)
    return NULL;
  r->output_kind = ATTN_OUTPUT_NEXT_TOKEN;

  /* continuation */
  dec.cap = T + max_new;
  params.vocab = g->vocab;
  params.max_new_tokens = max_new;
  params.eos = g->eos;
  params.forced_eos = -1;
  params.beam_size = opt->decode == ATTN_DECODE_BEAM ? opt->beam_size : 1;
  params.length_penalty = opt->length_penalty;
  params.cancellable = ctx->cancellable;
  params.progress = ctx->progress;
  params.progress_data = ctx->progress_data;
  params.progress_from = 0.5;
  params.progress_to = 1.0;
  if (!attn_decode_generate (&ops, &dec, ids, T, &params, r, model->tokenizer, error))
    return NULL;
  /* the main output stays the next-token distribution at every position */
  r->output_kind = ATTN_OUTPUT_NEXT_TOKEN;
  r->generated_text = model->tokenizer ? attn_tokenizer_decode (model->tokenizer, r->generated.ids, r->generated.len, FALSE)
                                       : g_strdup ("");
  return g_steal_pointer (&r);
}

const AttnArchClass attn_arch_gpt2 = {
  .name = "gpt2",
  .load = gpt2_load,
  .free_arch = gpt2_free,
  .run = gpt2_run,
};
