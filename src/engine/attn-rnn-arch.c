/* attn-rnn-arch.c — the "attn-rnn" architecture for AttnModel: the recurrent
 * encoder–decoder with attention of attn-rnn.c, run for inference.
 *
 * It reuses the training model's forward pass (one sequence, no dropout):
 * generation goes through attn_decode_generate() with a cache that holds the
 * decoder's prefix (each step re-runs the decoder over it — the models are
 * small — and the output layer for the last position only), so greedy and beam
 * search, probabilities and alternatives work as for the Transformers. The recorded attention is the cross-attention
 * [layers = 1, heads = 1, target, source] of a forced pass over the decoder
 * input. Runs of one model are serialised by a mutex (the forward pass keeps
 * its buffers in the model). */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "attn-error.h"
#include "attn-model-private.h"
#include "attn-decode.h"
#include "attn-rnn-private.h"

typedef struct {
  AttnRnnConfig   cfg;
  AttnTrainModel *m;
  GMutex          lock;
} RnnArch;

static void
rnn_arch_free (gpointer p)
{
  RnnArch *a = p;
  if (a->m != NULL)
    a->m->klass->free (a->m);
  g_mutex_clear (&a->lock);
  g_free (a);
}

static gboolean
rnn_arch_load (AttnModel *model, AttnCheckpoint *ckpt, GError **error)
{
  RnnArch *a = g_new0 (RnnArch, 1);
  AttnParams *P;

  g_mutex_init (&a->lock);
  model->arch = a;
  if (!attn_rnn_config_from_json (model->config, model->config_path, &a->cfg, error))
    return FALSE;
  a->cfg.dropout = 0.0f;
  a->m = attn_rnn_new (&a->cfg, error);
  if (a->m == NULL)
    return FALSE;
  P = a->m->params;
  for (guint i = 0; i < P->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (P->info, AttnParamInfo, i);
      float *v = attn_checkpoint_read_f32 (ckpt, info->name, info->ndim, info->shape, error);
      if (v == NULL)
        return FALSE;
      memcpy (P->data + info->offset, v, sizeof (float) * info->numel);
      g_free (v);
    }
  model->n_params = (gint64) P->total;
  model->modality = ATTN_MODALITY_TRANSLATION;
  model->encoder_decoder = TRUE;
  model->n_layers = model->n_dec_layers = 1;
  model->n_heads = model->n_dec_heads = 1;
  model->max_positions = a->cfg.max_positions;
  model->kinds = ATTN_KIND_MASK (ATTN_KIND_CROSS);
  model->tokenizer = attn_tokenizer_load (model->dir, ATTN_TOKENIZER_SOURCE, NULL);
  model->target_tokenizer = model->tokenizer ? attn_tokenizer_ref (model->tokenizer) : NULL;
  return TRUE;
}

/* ---- decoding: the cache is the decoder's prefix ---- */

typedef struct {
  RnnArch      *a;
  const gint32 *src;
  int           n_src;
  AttnBatch     batch;
} Dec;

static gpointer
cache_new (gpointer self)
{
  return g_array_new (FALSE, FALSE, sizeof (gint32));
}

static void
cache_free (gpointer cache)
{
  g_array_unref (cache);
}

static void
cache_copy (gpointer self, gpointer dst, gconstpointer src)
{
  const GArray *s = src;
  GArray *d = dst;
  g_array_set_size (d, 0);
  g_array_append_vals (d, s->data, s->len);
}

/* Fills d->batch with the pair src → dec (n tokens), no loss. */
static void
fill_batch (Dec *d, const gint32 *dec, int n)
{
  AttnBatch *b = &d->batch;
  attn_batch_reserve (b, 1, d->n_src, n);
  memcpy (b->src, d->src, sizeof (gint32) * d->n_src);
  b->src_len[0] = d->n_src;
  memcpy (b->tgt_in, dec, sizeof (gint32) * n);
  for (int i = 0; i < n; i++)
    b->tgt_out[i] = d->a->cfg.pad_id;   /* no loss */
  b->tgt_len[0] = n;
}

/* One forced pass of src → dec (n tokens); the model then holds logits [n, vocab] and
 * the cross-attention. */
static void
forced_pass (Dec *d, const gint32 *dec, int n)
{
  fill_batch (d, dec, n);
  d->a->m->klass->forward (d->a->m, &d->batch, 0.0f, FALSE, FALSE, NULL, NULL);
}

static gboolean
dec_step (gpointer self, gpointer cache, const gint32 *tokens, int n, float *logits, GError **error)
{
  Dec *d = self;
  GArray *prefix = cache;

  g_array_append_vals (prefix, tokens, n);
  if ((int) prefix->len > d->a->cfg.max_positions)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The output exceeds %d tokens"),
                   d->a->cfg.max_positions);
      return FALSE;
    }
  fill_batch (d, (const gint32 *) prefix->data, prefix->len);
  attn_rnn_forward_last (d->a->m, &d->batch, logits);
  return TRUE;
}

static const AttnDecoderOps dec_ops = { cache_new, cache_free, cache_copy, dec_step };

static AttnResult *
rnn_arch_run (AttnModel *model, const AttnInput *in, const AttnRunOptions *opt, AttnRunCtx *ctx,
              GError **error)
{
  RnnArch *a = model->arch;
  g_autoptr (AttnResult) r = attn_model_result_new (model);
  g_autoptr (AttnEncoding) src = NULL, tgt = NULL;
  g_autofree gint32 *dec_ids = NULL;
  const char *source = in->source ? in->source : in->text;
  guint kinds = opt->kinds_mask ? opt->kinds_mask : ATTN_KIND_MASK_ALL;
  AttnDecodeParams params = { 0 };
  Dec d = { a };
  int n_dec = 0, V = a->cfg.vocab;
  gboolean ok;

  if (in->input_ids != NULL)
    {
      d.src = in->input_ids;
      d.n_src = in->n_input_ids;
    }
  else
    {
      if (source == NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s needs a source sentence"), model->name);
          return NULL;
        }
      if (model->tokenizer == NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING,
                       _("%s has no tokenizer; pass token ids instead of text"), model->name);
          return NULL;
        }
      src = attn_model_encode (model, model->tokenizer, source, NULL, TRUE, error);
      if (src == NULL)
        return NULL;
      d.src = src->ids;
      d.n_src = src->len;
    }
  if (d.n_src < 1 || d.n_src > a->cfg.max_positions)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The source has %d tokens; %s accepts 1 to %d"),
                   d.n_src, model->name, a->cfg.max_positions);
      return NULL;
    }
  for (int t = 0; t < d.n_src; t++)
    if (d.src[t] < 0 || d.src[t] >= V)
      {
        g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("Token id %d is outside the vocabulary (%d)"),
                     d.src[t], V);
        return NULL;
      }
  if (in->decoder_ids != NULL)
    {
      n_dec = in->n_decoder_ids;
      dec_ids = g_memdup2 (in->decoder_ids, MAX (n_dec, 1) * sizeof (gint32));
    }
  else if (in->target != NULL && in->target[0] != '\0')
    {
      if (model->tokenizer == NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, _("%s has no tokenizer"), model->name);
          return NULL;
        }
      tgt = attn_model_encode (model, model->target_tokenizer, in->target, NULL, TRUE, error);
      if (tgt == NULL)
        return NULL;
      n_dec = tgt->len;   /* start token + target − its final </s> */
      dec_ids = g_new (gint32, n_dec);
      dec_ids[0] = a->cfg.bos_id;
      memcpy (dec_ids + 1, tgt->ids, (n_dec - 1) * sizeof (gint32));
    }
  if (dec_ids != NULL)
    {
      if (n_dec < 1 || n_dec > a->cfg.max_positions)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The decoder input has %d tokens; "
                       "%s accepts 1 to %d"), n_dec, model->name, a->cfg.max_positions);
          return NULL;
        }
      for (int t = 0; t < n_dec; t++)
        if (dec_ids[t] < 0 || dec_ids[t] >= V)
          {
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                         _("Decoder token id %d is outside the vocabulary (%d)"), dec_ids[t], V);
            return NULL;
          }
    }
  attn_model_fill_tokens (model->tokenizer, &r->input, d.src, d.n_src);

  params.vocab = V;
  params.max_new_tokens = opt->max_new_tokens > 0 ? opt->max_new_tokens
                          : MIN (2 * d.n_src + 2, a->cfg.max_positions - 1);
  params.eos = a->cfg.eos_id;
  params.forced_eos = -1;
  params.beam_size = opt->decode == ATTN_DECODE_BEAM ? opt->beam_size : 1;
  params.length_penalty = opt->length_penalty;
  params.cancellable = ctx->cancellable;

  g_mutex_lock (&a->lock);
  ok = attn_decode_generate (&dec_ops, &d, &a->cfg.bos_id, 1, &params, r, model->target_tokenizer,
                             error);
  if (ok)
    {
      r->generated_text = model->target_tokenizer
                          ? attn_tokenizer_decode (model->target_tokenizer, r->generated.ids,
                                                   r->generated.len, TRUE)
                          : g_strdup ("");
      attn_run_ctx_progress (ctx, 0.9, "decoder");
      if (dec_ids == NULL)
        {
          /* record the generated sequence: start token + generated tokens but the last */
          n_dec = MAX ((int) r->generated.len, 1);
          dec_ids = g_new (gint32, n_dec);
          dec_ids[0] = a->cfg.bos_id;
          if (n_dec > 1)
            memcpy (dec_ids + 1, r->generated.ids, (n_dec - 1) * sizeof (gint32));
        }
      else
        r->target_forced = TRUE;
      forced_pass (&d, dec_ids, n_dec);
      attn_model_fill_tokens (model->target_tokenizer, &r->target, dec_ids, n_dec);
      r->logits_rows = n_dec;
      r->logits_cols = V;
      g_free (r->logits);
      r->logits = g_memdup2 (a->m->klass->logits (a->m), sizeof (float) * n_dec * V);
      if (kinds & ATTN_KIND_MASK (ATTN_KIND_CROSS))
        r->attention[ATTN_KIND_CROSS] = a->m->klass->cross (a->m, 0, n_dec, d.n_src);
    }
  g_mutex_unlock (&a->lock);
  attn_batch_clear (&d.batch);
  if (!ok)
    return NULL;
  return g_steal_pointer (&r);
}

const AttnArchClass attn_arch_rnn = {
  .name = "rnn",
  .load = rnn_arch_load,
  .free_arch = rnn_arch_free,
  .run = rnn_arch_run,
};
