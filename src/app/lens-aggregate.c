/* lens-aggregate.c — head means and maxima, attention rollout, top-k. */
#include "lens-aggregate.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void
lens_aggregate_head_mean (const float *layer, int heads, int q, int k, float *out)
{
  gsize n = (gsize) q * k;

  memset (out, 0, n * sizeof (float));
  for (int h = 0; h < heads; h++)
    for (gsize i = 0; i < n; i++)
      out[i] += layer[h * n + i];
  for (gsize i = 0; i < n; i++)
    out[i] /= MAX (heads, 1);
}

void
lens_aggregate_head_max (const float *layer, int heads, int q, int k, float *out)
{
  gsize n = (gsize) q * k;

  for (gsize i = 0; i < n; i++)
    out[i] = heads > 0 ? layer[i] : 0.0f;
  for (int h = 1; h < heads; h++)
    for (gsize i = 0; i < n; i++)
      out[i] = MAX (out[i], layer[h * n + i]);
}

void
lens_aggregate_rollout (const float *data, int layers, int heads, int n, int last, float *out)
{
  gsize nn = (gsize) n * n;
  float *a = g_new (float, nn);     /* Â_l, [n, n] */
  float *tmp = g_new (float, nn);   /* Â_l · R, [n, n] */

  /* R starts as the identity */
  memset (out, 0, nn * sizeof (float));
  for (int i = 0; i < n; i++)
    out[(gsize) i * n + i] = 1.0f;

  last = MIN (last, layers - 1);
  for (int l = 0; l <= last; l++)
    {
      lens_aggregate_head_mean (data + (gsize) l * heads * nn, heads, n, n, a);
      for (int i = 0; i < n; i++)
        {
          float *row = a + (gsize) i * n;
          double sum = 0.0;

          for (int j = 0; j < n; j++)
            {
              row[j] = 0.5f * row[j] + (i == j ? 0.5f : 0.0f);
              sum += row[j];
            }
          for (int j = 0; j < n; j++)
            row[j] = sum > 0 ? (float) (row[j] / sum) : 0.0f;
        }

      /* tmp = Â_l · R: [n, n] × [n, n], through BLAS (long inputs: 512³ per layer) */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n,
                   1.0f, a, n, out, n, 0.0f, tmp, n);
      memcpy (out, tmp, nn * sizeof (float));
    }
  g_free (a);
  g_free (tmp);
}

void
lens_matrix_extract (const float *src, int k,
                     const int *rows, int n_rows, const int *cols, int n_cols, float *dst)
{
  for (int r = 0; r < n_rows; r++)
    {
      const float *line = src + (gsize) rows[r] * k;

      for (int c = 0; c < n_cols; c++)
        dst[(gsize) r * n_cols + c] = line[cols[c]];
    }
}

int
lens_top_k (const float *logits, int n, int k, int *index, float *prob)
{
  double max = -INFINITY, sum = 0.0;
  int found = 0;

  if (n <= 0)
    return 0;
  for (int i = 0; i < n; i++)
    max = MAX (max, logits[i]);
  for (int i = 0; i < n; i++)
    sum += exp (logits[i] - max);

  k = MIN (k, n);
  for (int i = 0; i < n; i++)
    {
      int pos = found;

      /* insertion into the sorted top list */
      while (pos > 0 && logits[index[pos - 1]] < logits[i])
        pos--;
      if (pos >= k)
        continue;
      if (found < k)
        found++;
      memmove (index + pos + 1, index + pos, (found - 1 - pos) * sizeof (int));
      index[pos] = i;
    }
  for (int i = 0; i < found; i++)
    prob[i] = (float) (exp (logits[index[i]] - max) / sum);
  return found;
}
