/* attn-train-optim.c — AdamW with decoupled weight decay, the learning-rate
 * schedule (linear warm-up, then linear, cosine or inverse-square-root decay)
 * and global gradient-norm clipping. */
#include <math.h>
#include <string.h>

#include "attn-train-private.h"

AttnAdamW *
attn_adamw_new (const AttnOptimConfig *config, gsize n)
{
  AttnAdamW *opt = g_new0 (AttnAdamW, 1);
  opt->config = *config;
  opt->n = n;
  opt->m = g_new0 (float, MAX (n, 1));
  opt->v = g_new0 (float, MAX (n, 1));
  return opt;
}

void
attn_adamw_free (AttnAdamW *opt)
{
  if (opt == NULL)
    return;
  g_free (opt->m);
  g_free (opt->v);
  g_free (opt);
}

/* The learning rate of update number `step` (1-based). */
double
attn_adamw_lr (const AttnOptimConfig *c, gint64 step)
{
  double lr = c->lr, progress;
  gint64 w = MAX (c->warmup_steps, 0);

  if (step < 1)
    step = 1;
  if (w > 0 && step <= w)
    return lr * (double) step / w;
  if (c->total_steps <= w)
    progress = 0;
  else
    progress = CLAMP ((double) (step - w) / (c->total_steps - w), 0.0, 1.0);
  switch (c->decay)
    {
    case ATTN_DECAY_LINEAR:
      return lr * (c->min_lr_ratio + (1.0 - c->min_lr_ratio) * (1.0 - progress));
    case ATTN_DECAY_COSINE:
      return lr * (c->min_lr_ratio + (1.0 - c->min_lr_ratio) * 0.5 * (1.0 + cos (G_PI * progress)));
    case ATTN_DECAY_INVSQRT:
      return w > 0 ? lr * sqrt ((double) w / step) : lr / sqrt ((double) step);
    case ATTN_DECAY_CONSTANT:
    default:
      return lr;
    }
}

double
attn_adamw_update (AttnAdamW *opt, AttnParams *params)
{
  const AttnOptimConfig *c = &opt->config;
  double lr, bc1, bc2;
  float b1 = c->beta1, b2 = c->beta2;

  opt->step++;
  lr = attn_adamw_lr (c, opt->step);
  bc1 = 1.0 - pow (b1, (double) opt->step);
  bc2 = 1.0 - pow (b2, (double) opt->step);

  for (guint i = 0; i < params->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (params->info, AttnParamInfo, i);
      float *p = params->data + info->offset, *g = params->grad + info->offset;
      float *m = opt->m + info->offset, *v = opt->v + info->offset;
      double tlr = lr * info->lr_scale;
      float step_size = (float) (tlr / bc1), decay = info->decay ? (float) (tlr * c->weight_decay) : 0.0f;
      float inv_bc2 = (float) (1.0 / sqrt (bc2));

      for (gsize j = 0; j < info->numel; j++)
        {
          m[j] = b1 * m[j] + (1.0f - b1) * g[j];
          v[j] = b2 * v[j] + (1.0f - b2) * g[j] * g[j];
          p[j] -= decay * p[j];
          p[j] -= step_size * m[j] / (sqrtf (v[j]) * inv_bc2 + c->eps);
        }
    }
  return lr;
}

double
attn_clip_grad_norm (AttnParams *params, double max_norm)
{
  double ss = 0, norm;
  for (gsize i = 0; i < params->total; i++)
    ss += (double) params->grad[i] * params->grad[i];
  norm = sqrt (ss);
  if (max_norm > 0 && norm > max_norm)
    {
      float s = (float) (max_norm / (norm + 1e-6));
      for (gsize i = 0; i < params->total; i++)
        params->grad[i] *= s;
    }
  return norm;
}
