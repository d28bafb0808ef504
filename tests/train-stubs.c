/* Temporary: attn_weights_new/free until attn-result.c lands on main. */
#include "attn-result.h"

AttnWeights *
attn_weights_new (int layers, int heads, int queries, int keys)
{
  AttnWeights *w = g_new0 (AttnWeights, 1);
  w->layers = layers;
  w->heads = heads;
  w->queries = queries;
  w->keys = keys;
  w->data = g_new0 (float, MAX ((gsize) layers * heads * queries * keys, 1));
  return w;
}

void
attn_weights_free (AttnWeights *w)
{
  if (w == NULL)
    return;
  g_free (w->data);
  g_free (w);
}
