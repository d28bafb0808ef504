/* lens-steps.c — one head's attention for one query, step by step (pure). */
#include "lens-steps.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

const char *
lens_step_title (LensStep step)
{
  switch (step)
    {
    case LENS_STEP_QUERY:   return _("The query vector");
    case LENS_STEP_KEYS:    return _("The key vectors");
    case LENS_STEP_SCORES:  return _("Raw scores");
    case LENS_STEP_SCALE:   return _("Scaling");
    case LENS_STEP_MASK:    return _("Mask");
    case LENS_STEP_SOFTMAX: return _("Softmax");
    case LENS_STEP_OUTPUT:
    default:                return _("Weighted sum of the values");
    }
}

void
lens_softmax_masked (const float *x, const guint8 *hidden, int n, float t, float *out)
{
  double mx = -INFINITY, sum = 0.0;

  if (!(t > 0.0f))
    t = 1e-6f;
  for (int j = 0; j < n; j++)
    if (!(hidden && hidden[j]) && x[j] / t > mx)
      mx = x[j] / t;
  for (int j = 0; j < n; j++)
    {
      double e = (hidden && hidden[j]) || !isfinite (mx) ? 0.0 : exp (x[j] / t - mx);

      out[j] = (float) e;
      sum += e;
    }
  for (int j = 0; j < n; j++)
    out[j] = sum > 0.0 ? (float) (out[j] / sum) : 0.0f;
}

void
lens_steps_clear (LensSteps *steps)
{
  g_clear_pointer (&steps->raw, g_free);
  g_clear_pointer (&steps->scaled, g_free);
  g_clear_pointer (&steps->hidden, g_free);
  g_clear_pointer (&steps->weights, g_free);
  g_clear_pointer (&steps->output, g_free);
  memset (steps, 0, sizeof *steps);
}

void
lens_steps_set_temperature (LensSteps *steps, float temperature)
{
  steps->temperature = temperature;
  lens_softmax_masked (steps->scaled, steps->hidden, steps->n_keys, temperature, steps->weights);
  /* output [dh] = Σⱼ αⱼ vⱼ, in double for a reference the tests can trust */
  for (int d = 0; d < steps->dh; d++)
    {
      double acc = 0.0;

      for (int j = 0; j < steps->n_keys; j++)
        acc += (double) steps->weights[j] * steps->v[(gsize) j * steps->dh + d];
      steps->output[d] = (float) acc;
    }
}

gboolean
lens_steps_compute (LensSteps *steps, const AttnHeadTrace *trace, int query, float temperature)
{
  int n, dh;
  gboolean causal = FALSE, padding = FALSE;

  lens_steps_clear (steps);
  if (trace == NULL || !trace->filled || query < 0 || query >= trace->queries || trace->keys <= 0)
    return FALSE;

  n = trace->keys;
  dh = trace->dh;
  steps->query = query;
  steps->n_keys = n;
  steps->dh = dh;
  steps->scale = trace->scale;
  steps->q = trace->q + (gsize) query * dh;
  steps->k = trace->k;
  steps->v = trace->v;
  steps->raw = g_new (float, n);
  steps->scaled = g_new (float, n);
  steps->hidden = g_new0 (guint8, n);
  steps->weights = g_new (float, n);
  steps->output = g_new (float, MAX (dh, 1));

  for (int j = 0; j < n; j++)
    {
      const float *kj = trace->k + (gsize) j * dh;
      double dot = 0.0;

      for (int d = 0; d < dh; d++)
        dot += (double) steps->q[d] * kj[d];
      steps->raw[j] = (float) dot;
      steps->scaled[j] = (float) (dot * trace->scale);
      if (trace->causal_offset >= 0 && j > query + trace->causal_offset)
        {
          steps->hidden[j] = 1;
          causal = TRUE;
        }
      if (trace->key_mask && trace->key_mask[j] == 0)
        {
          steps->hidden[j] = 1;
          padding = TRUE;
        }
    }
  /* the kind of mask the head has, even where this query hides nothing */
  causal = causal || trace->causal_offset >= 0;
  if (trace->key_mask)
    for (int j = 0; j < n; j++)
      padding = padding || trace->key_mask[j] == 0;
  steps->mask_kind = causal && padding ? LENS_MASK_BOTH
                     : causal ? LENS_MASK_CAUSAL
                     : padding ? LENS_MASK_PADDING : LENS_MASK_NONE;
  lens_steps_set_temperature (steps, temperature);
  return TRUE;
}

int
lens_trace_default_query (const AttnHeadTrace *trace, int query)
{
  if (query >= 0 && query < trace->queries)
    return query;
  return trace->causal_offset >= 0 ? trace->queries / 2 : 0;
}
