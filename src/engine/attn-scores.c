/* attn-scores.c — score functions, sparsemax and sparse masks. */
#include "attn-scores.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *names[] = { "dot", "scaled-dot", "general", "additive" };

const char *
attn_score_name (AttnScoreKind kind)
{
  return kind <= ATTN_SCORE_ADDITIVE ? names[kind] : NULL;
}

gboolean
attn_score_from_name (const char *name, AttnScoreKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

void
attn_scores (AttnScoreKind kind, const float *q, const float *keys, int n, int d,
             const AttnScoreParams *p, float *out)
{
  g_autofree double *tmp = NULL;
  switch (kind)
    {
    case ATTN_SCORE_DOT:
    case ATTN_SCORE_SCALED_DOT:
      for (int j = 0; j < n; j++)
        {
          double s = 0;
          for (int i = 0; i < d; i++)
            s += (double) q[i] * keys[(gsize) j * d + i];
          out[j] = (float) (kind == ATTN_SCORE_SCALED_DOT ? s / sqrt (d) : s);
        }
      break;
    case ATTN_SCORE_GENERAL:
      /* qᵀW once, then its dot product with each key */
      tmp = g_new0 (double, d);
      for (int r = 0; r < d; r++)
        for (int c = 0; c < d; c++)
          tmp[c] += (double) q[r] * p->w[(gsize) r * d + c];
      for (int j = 0; j < n; j++)
        {
          double s = 0;
          for (int i = 0; i < d; i++)
            s += tmp[i] * keys[(gsize) j * d + i];
          out[j] = (float) s;
        }
      break;
    case ATTN_SCORE_ADDITIVE:
      tmp = g_new0 (double, p->a);
      for (int r = 0; r < p->a; r++)
        for (int i = 0; i < d; i++)
          tmp[r] += (double) p->wq[(gsize) r * d + i] * q[i];
      for (int j = 0; j < n; j++)
        {
          double s = 0;
          for (int r = 0; r < p->a; r++)
            {
              double h = tmp[r];
              for (int i = 0; i < d; i++)
                h += (double) p->wk[(gsize) r * d + i] * keys[(gsize) j * d + i];
              s += p->v[r] * tanh (h);
            }
          out[j] = (float) s;
        }
      break;
    }
}

static int
desc (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return x > y ? -1 : x < y ? 1 : 0;
}

void
attn_sparsemax (const float *z, int n, float *p)
{
  g_autofree float *s = g_new (float, MAX (n, 1));
  double cum = 0, tau = 0;
  int k = 0;
  /* masked entries (-inf) stay at zero */
  int m = 0;
  for (int i = 0; i < n; i++)
    if (isfinite (z[i]))
      s[m++] = z[i];
  if (m == 0)
    {
      memset (p, 0, n * sizeof (float));
      return;
    }
  qsort (s, m, sizeof (float), desc);
  /* the support: the largest k with 1 + k·z_(k) > Σ_{i≤k} z_(i) */
  for (int i = 0; i < m; i++)
    {
      cum += s[i];
      if (1.0 + (i + 1) * (double) s[i] > cum)
        {
          k = i + 1;
          tau = (cum - 1.0) / k;
        }
    }
  for (int i = 0; i < n; i++)
    p[i] = isfinite (z[i]) ? (float) MAX (0.0, z[i] - tau) : 0.0f;
}

void
attn_mask_local (float *scores, int tq, int tk, int window)
{
  for (int i = 0; i < tq; i++)
    for (int j = 0; j < tk; j++)
      if (abs (i - j) > window)
        scores[(gsize) i * tk + j] = -INFINITY;
}

void
attn_mask_strided (float *scores, int tq, int tk, int stride)
{
  stride = MAX (stride, 1);
  for (int i = 0; i < tq; i++)
    for (int j = 0; j < tk; j++)
      if (j > i || (i - j >= stride && (i - j) % stride != 0))
        scores[(gsize) i * tk + j] = -INFINITY;
}
