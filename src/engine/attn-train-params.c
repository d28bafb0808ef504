/* attn-train-params.c — the parameter table of a trainable model, and batches.
 *
 * All values live in one float array and all gradients in another, with a table
 * of names, shapes and offsets: the optimizer, gradient clipping and checkpoint
 * writing each walk one array. */
#include <string.h>

#include "attn-train-private.h"

AttnParams *
attn_params_new (void)
{
  AttnParams *params = g_new0 (AttnParams, 1);
  params->info = g_array_new (FALSE, TRUE, sizeof (AttnParamInfo));
  return params;
}

void
attn_params_free (AttnParams *params)
{
  if (params == NULL)
    return;
  for (guint i = 0; i < params->info->len; i++)
    g_free (g_array_index (params->info, AttnParamInfo, i).name);
  g_array_unref (params->info);
  g_free (params->data);
  g_free (params->grad);
  g_free (params);
}

gsize
attn_params_add (AttnParams *params, const char *name, int ndim, const gint64 *shape,
                 gboolean decay)
{
  AttnParamInfo info = { 0 };

  g_return_val_if_fail (params->data == NULL, 0);
  g_return_val_if_fail (ndim >= 1 && ndim <= 4, 0);
  info.name = g_strdup (name);
  info.ndim = ndim;
  info.numel = 1;
  for (int i = 0; i < ndim; i++)
    {
      info.shape[i] = shape[i];
      info.numel *= shape[i];
    }
  info.offset = params->total;
  info.decay = decay;
  info.lr_scale = 1.0f;
  params->total += info.numel;
  g_array_append_val (params->info, info);
  return info.offset;
}

void
attn_params_alloc (AttnParams *params)
{
  params->data = g_new0 (float, MAX (params->total, 1));
  params->grad = g_new0 (float, MAX (params->total, 1));
}

void
attn_params_zero_grad (AttnParams *params)
{
  memset (params->grad, 0, sizeof (float) * params->total);
}

const AttnParamInfo *
attn_params_find (AttnParams *params, const char *name)
{
  for (guint i = 0; i < params->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (params->info, AttnParamInfo, i);
      if (g_str_equal (info->name, name))
        return info;
    }
  return NULL;
}

/* ---- batches ---- */

void
attn_batch_reserve (AttnBatch *batch, int B, int Ts, int Tt)
{
  if (B > batch->cap_B || Ts > batch->cap_Ts || Tt > batch->cap_Tt)
    {
      attn_batch_clear (batch);
      batch->cap_B = B;
      batch->cap_Ts = Ts;
      batch->cap_Tt = Tt;
      batch->src = g_new0 (gint32, (gsize) B * Ts);
      batch->src_len = g_new0 (int, B);
      batch->tgt_in = g_new0 (gint32, (gsize) B * Tt);
      batch->tgt_out = g_new0 (gint32, (gsize) B * Tt);
      batch->tgt_len = g_new0 (int, B);
    }
  batch->B = B;
  batch->Ts = Ts;
  batch->Tt = Tt;
}

void
attn_batch_reserve_feats (AttnBatch *batch, int n_mels, int frames)
{
  gsize n = (gsize) batch->B * n_mels * frames;
  if (n > batch->cap_feats)
    {
      g_free (batch->feats);
      batch->feats = g_new0 (float, n);
      batch->cap_feats = n;
    }
  batch->n_mels = n_mels;
  batch->frames = frames;
}

void
attn_batch_clear (AttnBatch *batch)
{
  g_clear_pointer (&batch->feats, g_free);
  g_clear_pointer (&batch->src, g_free);
  g_clear_pointer (&batch->src_len, g_free);
  g_clear_pointer (&batch->tgt_in, g_free);
  g_clear_pointer (&batch->tgt_out, g_free);
  g_clear_pointer (&batch->tgt_len, g_free);
  memset (batch, 0, sizeof *batch);
}

/* ---- greedy decoding through repeated teacher-forced passes ---- */

void
attn_train_model_greedy (AttnTrainModel *m, AttnBatch *batch, int max_len, gint32 *out)
{
  int B = batch->B, Ts = batch->Ts;
  gboolean *done;
  AttnBatch step = { 0 };

  if (m->klass->greedy != NULL)
    {
      m->klass->greedy (m, batch, max_len, out);
      return;
    }
  done = g_new0 (gboolean, B);
  for (gsize i = 0; i < (gsize) B * max_len; i++)
    out[i] = m->pad_id;
  attn_batch_reserve (&step, B, Ts, max_len);
  memcpy (step.src, batch->src, sizeof (gint32) * B * Ts);
  memcpy (step.src_len, batch->src_len, sizeof (int) * B);

  for (int t = 0; t < max_len; t++)
    {
      const float *logits;
      int n_done = 0;

      step.Tt = t + 1;
      for (int b = 0; b < B; b++)
        {
          step.tgt_in[b * step.Tt] = m->bos_id;
          for (int j = 0; j < t; j++)
            step.tgt_in[b * step.Tt + 1 + j] = done[b] && out[b * max_len + j] == m->pad_id
                                              ? m->pad_id : out[b * max_len + j];
          for (int j = 0; j <= t; j++)
            step.tgt_out[b * step.Tt + j] = m->pad_id;
          step.tgt_len[b] = t + 1;
        }
      m->klass->forward (m, &step, 0.0f, FALSE, FALSE, NULL, NULL);
      logits = m->klass->logits (m);
      for (int b = 0; b < B; b++)
        {
          const float *z = logits + ((gsize) b * step.Tt + t) * m->vocab;
          int arg = 0;
          if (done[b])
            {
              n_done++;
              continue;
            }
          for (int v = 1; v < m->vocab; v++)
            if (z[v] > z[arg])
              arg = v;
          out[b * max_len + t] = arg;
          if (arg == m->eos_id)
            done[b] = TRUE;
        }
      if (n_done == B)
        break;
    }
  attn_batch_clear (&step);
  g_free (done);
}
