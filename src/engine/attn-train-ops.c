/* attn-train-ops.c — forward and backward kernels for training, on cblas.
 *
 * Every matrix product goes through cblas_sgemm; the rest are plain loops.
 * Backward kernels accumulate into the gradients they are given (see
 * attn-train-private.h). */
#include <math.h>
#include <string.h>
#include <cblas.h>

#include "attn-train-private.h"

/* ---- PRNG ---- */

void
attn_rng_seed (AttnRng *rng, guint64 seed)
{
  rng->state = seed ^ G_GUINT64_CONSTANT (0x853c49e6748fea9b);
}

guint64
attn_rng_next (AttnRng *rng)
{
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

double
attn_rng_uniform (AttnRng *rng)
{
  return (attn_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

int
attn_rng_int (AttnRng *rng, int n)
{
  return (int) (attn_rng_uniform (rng) * n);
}

float
attn_rng_normal (AttnRng *rng)
{
  double u1 = attn_rng_uniform (rng), u2 = attn_rng_uniform (rng);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return (float) (sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2));
}

/* ---- linear ---- */

/* y's rows start as the bias (the product is then added), or nothing when b is NULL */
static void
fill_bias (const float *b, int n, int out, float *y)
{
  if (b != NULL)
    for (int i = 0; i < n; i++)
      memcpy (y + (gsize) i * out, b, sizeof (float) * out);
}

/* db += the column sums of dy (db may be NULL) */
static void
add_bias_grad (const float *dy, int n, int out, float *db)
{
  if (db != NULL)
    for (int i = 0; i < n; i++)
      {
        const float *r = dy + (gsize) i * out;
        for (int j = 0; j < out; j++)
          db[j] += r[j];
      }
}

void
attn_op_linear_fwd (const float *x, int n, int in, const float *w, const float *b, int out,
                    float *y)
{
  fill_bias (b, n, out, y);
  if (n == 1)   /* one row (a recurrent step at batch size 1): no packing of w */
    cblas_sgemv (CblasRowMajor, CblasNoTrans, out, in, 1.0f, w, in, x, 1,
                 b != NULL ? 1.0f : 0.0f, y, 1);
  else
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in,
                 1.0f, x, in, w, in, b != NULL ? 1.0f : 0.0f, y, out);
}

void
attn_op_linear_bwd (const float *x, int n, int in, const float *w, int out, const float *dy,
                    float *dx, float *dw, float *db)
{
  if (dx != NULL)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in, out,
                 1.0f, dy, out, w, in, 1.0f, dx, in);
  if (dw != NULL)
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, out, in, n,
                 1.0f, dy, out, x, in, 1.0f, dw, in);
  add_bias_grad (dy, n, out, db);
}

void
attn_op_linear_t_fwd (const float *x, int n, int in, const float *w, const float *b, int out,
                      float *y)
{
  fill_bias (b, n, out, y);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, out, in,
               1.0f, x, in, w, out, b != NULL ? 1.0f : 0.0f, y, out);
}

void
attn_op_linear_t_bwd (const float *x, int n, int in, const float *w, int out, const float *dy,
                      float *dx, float *dw, float *db)
{
  if (dx != NULL)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, in, out,
                 1.0f, dy, out, w, out, 1.0f, dx, in);
  if (dw != NULL)
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, in, out, n,
                 1.0f, x, in, dy, out, 1.0f, dw, out);
  add_bias_grad (dy, n, out, db);
}

/* ---- layer norm ---- */

void
attn_op_layernorm_fwd (const float *x, int n, int d, const float *g, const float *b, float eps,
                       float *y, float *mean, float *rstd)
{
  for (int i = 0; i < n; i++)
    {
      const float *xr = x + (gsize) i * d;
      float *yr = y + (gsize) i * d;
      double s = 0, ss = 0;
      float mu, rs;
      for (int j = 0; j < d; j++)
        s += xr[j];
      mu = (float) (s / d);
      for (int j = 0; j < d; j++)
        ss += (double) (xr[j] - mu) * (xr[j] - mu);
      rs = (float) (1.0 / sqrt (ss / d + eps));
      for (int j = 0; j < d; j++)
        yr[j] = (xr[j] - mu) * rs * g[j] + b[j];
      mean[i] = mu;
      rstd[i] = rs;
    }
}

void
attn_op_layernorm_bwd (const float *x, int n, int d, const float *g, const float *mean,
                       const float *rstd, const float *dy, float *dx, float *dg, float *db)
{
  for (int i = 0; i < n; i++)
    {
      const float *xr = x + (gsize) i * d, *dyr = dy + (gsize) i * d;
      float mu = mean[i], rs = rstd[i];
      double s1 = 0, s2 = 0;
      float m1, m2;
      for (int j = 0; j < d; j++)
        {
          float xh = (xr[j] - mu) * rs, dxh = dyr[j] * g[j];
          s1 += dxh;
          s2 += dxh * xh;
          if (dg != NULL)
            dg[j] += dyr[j] * xh;
          if (db != NULL)
            db[j] += dyr[j];
        }
      m1 = (float) (s1 / d);
      m2 = (float) (s2 / d);
      if (dx != NULL)
        {
          float *dxr = dx + (gsize) i * d;
          for (int j = 0; j < d; j++)
            {
              float xh = (xr[j] - mu) * rs;
              dxr[j] += rs * (dyr[j] * g[j] - m1 - xh * m2);
            }
        }
    }
}

/* ---- activations ---- */

#define GELU_NEW_C 0.7978845608028654f   /* √(2/π) */

gboolean
attn_tact_from_name (const char *name, AttnTAct *act)
{
  if (g_str_equal (name, "gelu"))
    *act = ATTN_TACT_GELU;
  else if (g_str_equal (name, "relu"))
    *act = ATTN_TACT_RELU;
  else if (g_str_equal (name, "swish") || g_str_equal (name, "silu"))
    *act = ATTN_TACT_SWISH;
  else if (g_str_equal (name, "tanh"))
    *act = ATTN_TACT_TANH;
  else if (g_str_equal (name, "gelu_new"))
    *act = ATTN_TACT_GELU_NEW;
  else
    return FALSE;
  return TRUE;
}

const char *
attn_tact_name (AttnTAct act)
{
  static const char *names[] = { "gelu", "relu", "swish", "tanh", "gelu_new" };
  return names[act];
}

void
attn_op_act_fwd (AttnTAct act, const float *x, gsize n, float *y)
{
  switch (act)
    {
    case ATTN_TACT_GELU:
      for (gsize i = 0; i < n; i++)
        y[i] = 0.5f * x[i] * (1.0f + erff (x[i] * (float) G_SQRT2 * 0.5f));
      break;
    case ATTN_TACT_RELU:
      /* on the bits: signs are random, and compilers turn the comparison into a
       * branch that mispredicts half the time (10× slower) */
      for (gsize i = 0; i < n; i++)
        {
          guint32 b;
          memcpy (&b, &x[i], 4);
          b &= ~(guint32) ((gint32) b >> 31);   /* negative (and −0) → +0 */
          memcpy (&y[i], &b, 4);
        }
      break;
    case ATTN_TACT_SWISH:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] / (1.0f + expf (-x[i]));
      break;
    case ATTN_TACT_TANH:
      for (gsize i = 0; i < n; i++)
        y[i] = attn_tanhf (x[i]);
      break;
    case ATTN_TACT_GELU_NEW:
      for (gsize i = 0; i < n; i++)
        {
          float v = x[i];
          y[i] = 0.5f * v * (1.0f + attn_tanhf (GELU_NEW_C * (v + 0.044715f * v * v * v)));
        }
      break;
    }
}

void
attn_op_act_bwd (AttnTAct act, const float *x, gsize n, const float *dy, float *dx)
{
  const float inv_sqrt_2pi = 0.3989422804014327f;
  switch (act)
    {
    case ATTN_TACT_GELU:
      for (gsize i = 0; i < n; i++)
        {
          float cdf = 0.5f * (1.0f + erff (x[i] * (float) G_SQRT2 * 0.5f));
          float pdf = inv_sqrt_2pi * expf (-0.5f * x[i] * x[i]);
          dx[i] += dy[i] * (cdf + x[i] * pdf);
        }
      break;
    case ATTN_TACT_RELU:
      for (gsize i = 0; i < n; i++)
        {
          guint32 b, g;
          float v;
          memcpy (&b, &x[i], 4);
          memcpy (&g, &dy[i], 4);
          g &= (b & 0x80000000u) || b == 0 ? 0u : ~0u;   /* x > 0 */
          memcpy (&v, &g, 4);
          dx[i] += v;
        }
      break;
    case ATTN_TACT_SWISH:
      for (gsize i = 0; i < n; i++)
        {
          float s = 1.0f / (1.0f + expf (-x[i]));
          dx[i] += dy[i] * (s + x[i] * s * (1.0f - s));
        }
      break;
    case ATTN_TACT_TANH:
      for (gsize i = 0; i < n; i++)
        {
          float t = attn_tanhf (x[i]);
          dx[i] += dy[i] * (1.0f - t * t);
        }
      break;
    case ATTN_TACT_GELU_NEW:
      /* y = ½ v (1 + tanh u), u = c (v + a v³):  y' = ½ (1 + t) + ½ v (1 − t²) c (1 + 3 a v²) */
      for (gsize i = 0; i < n; i++)
        {
          float v = x[i], v2 = v * v;
          float t = attn_tanhf (GELU_NEW_C * (v + 0.044715f * v2 * v));
          dx[i] += dy[i] * (0.5f * (1.0f + t)
                            + 0.5f * v * (1.0f - t * t) * GELU_NEW_C * (1.0f + 3 * 0.044715f * v2));
        }
      break;
    }
}

/* ---- embeddings and positions ---- */

void
attn_op_embedding_fwd (const gint32 *ids, int n, const float *table, int d, float scale, float *y)
{
  for (int i = 0; i < n; i++)
    {
      const float *row = table + (gsize) ids[i] * d;
      float *yr = y + (gsize) i * d;
      for (int j = 0; j < d; j++)
        yr[j] = row[j] * scale;
    }
}

void
attn_op_embedding_bwd (const gint32 *ids, int n, int d, float scale, const float *dy,
                       float *dtable)
{
  for (int i = 0; i < n; i++)
    {
      float *row = dtable + (gsize) ids[i] * d;
      const float *dyr = dy + (gsize) i * d;
      for (int j = 0; j < d; j++)
        row[j] += dyr[j] * scale;
    }
}

void
attn_op_add_sinusoid (float *x, int B, int T, int d)
{
  int half = d / 2;
  for (int t = 0; t < T; t++)
    for (int j = 0; j < half; j++)
      {
        double freq = pow (10000.0, -2.0 * j / d);
        float s = (float) sin (t * freq), c = (float) cos (t * freq);
        for (int b = 0; b < B; b++)
          {
            float *row = x + ((gsize) b * T + t) * d;
            row[j] += s;
            row[half + j] += c;
          }
      }
}

/* ---- softmax ---- */

void
attn_op_softmax_rows (float *x, int rows, int n, const int *valid)
{
  for (int i = 0; i < rows; i++)
    {
      float *r = x + (gsize) i * n;
      int nv = valid != NULL ? MIN (valid[i], n) : n;
      float mx = -G_MAXFLOAT, s = 0;
      for (int j = 0; j < nv; j++)
        mx = MAX (mx, r[j]);
      for (int j = 0; j < nv; j++)
        {
          r[j] = expf (r[j] - mx);
          s += r[j];
        }
      for (int j = 0; j < nv; j++)
        r[j] /= s;
      for (int j = MAX (nv, 0); j < n; j++)
        r[j] = 0;
    }
}

void
attn_op_softmax_bwd (const float *p, const float *dp, int rows, int n, float *dx)
{
  for (int i = 0; i < rows; i++)
    {
      const float *pr = p + (gsize) i * n, *dpr = dp + (gsize) i * n;
      float *dr = dx + (gsize) i * n;
      float dot = 0;
      for (int j = 0; j < n; j++)
        dot += pr[j] * dpr[j];
      for (int j = 0; j < n; j++)
        dr[j] = pr[j] * (dpr[j] - dot);
    }
}

/* ---- multi-head attention ---- */

static int
attention_valid (const AttnAttnShape *s, int b, int i)
{
  int nv = s->klen != NULL ? MIN (s->klen[b], s->Tk) : s->Tk;
  if (s->causal)
    nv = MIN (nv, i + 1);
  return nv;
}

void
attn_op_attention_fwd (const AttnAttnShape *s, const float *q, const float *k, const float *v,
                       float *p, float *out)
{
  int dh = s->d / s->heads;
  float scale = 1.0f / sqrtf ((float) dh);

  for (int b = 0; b < s->B; b++)
    for (int h = 0; h < s->heads; h++)
      {
        const float *qb = q + (gsize) b * s->Tq * s->d + h * dh;
        const float *kb = k + (gsize) b * s->Tk * s->d + h * dh;
        const float *vb = v + (gsize) b * s->Tk * s->d + h * dh;
        float *pb = p + ((gsize) b * s->heads + h) * s->Tq * s->Tk;
        float *ob = out + (gsize) b * s->Tq * s->d + h * dh;

        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, s->Tq, s->Tk, dh,
                     scale, qb, s->d, kb, s->d, 0.0f, pb, s->Tk);
        for (int i = 0; i < s->Tq; i++)
          {
            int nv = attention_valid (s, b, i);
            attn_op_softmax_rows (pb + (gsize) i * s->Tk, 1, s->Tk, &nv);
          }
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, s->Tq, dh, s->Tk,
                     1.0f, pb, s->Tk, vb, s->d, 0.0f, ob, s->d);
      }
}

void
attn_op_attention_bwd (const AttnAttnShape *s, const float *q, const float *k, const float *v,
                       const float *p, const float *dout, float *dq, float *dk, float *dv,
                       float *scratch)
{
  int dh = s->d / s->heads;
  float scale = 1.0f / sqrtf ((float) dh);

  for (int b = 0; b < s->B; b++)
    for (int h = 0; h < s->heads; h++)
      {
        gsize qo = (gsize) b * s->Tq * s->d + h * dh, ko = (gsize) b * s->Tk * s->d + h * dh;
        const float *pb = p + ((gsize) b * s->heads + h) * s->Tq * s->Tk;

        /* dP = dO V^T */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, s->Tq, s->Tk, dh,
                     1.0f, dout + qo, s->d, v + ko, s->d, 0.0f, scratch, s->Tk);
        /* dV += P^T dO */
        if (dv != NULL)
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, s->Tk, dh, s->Tq,
                       1.0f, pb, s->Tk, dout + qo, s->d, 1.0f, dv + ko, s->d);
        /* dS = softmax backward, in place (masked entries have p = 0, so dS = 0) */
        attn_op_softmax_bwd (pb, scratch, s->Tq, s->Tk, scratch);
        if (dq != NULL)
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, s->Tq, dh, s->Tk,
                       scale, scratch, s->Tk, k + ko, s->d, 1.0f, dq + qo, s->d);
        if (dk != NULL)
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, s->Tk, dh, s->Tq,
                       scale, scratch, s->Tk, q + qo, s->d, 1.0f, dk + ko, s->d);
      }
}

/* ---- conv1d ---- */

int
attn_op_conv1d_out_len (int T, int K, int stride, int pad)
{
  return (T + 2 * pad - K) / stride + 1;
}

static void
im2col (const float *x, int cin, int T, int K, int stride, int pad, int tout, float *col)
{
  for (int c = 0; c < cin; c++)
    for (int kk = 0; kk < K; kk++)
      {
        float *row = col + ((gsize) c * K + kk) * tout;
        for (int t = 0; t < tout; t++)
          {
            int src = t * stride + kk - pad;
            row[t] = src >= 0 && src < T ? x[(gsize) c * T + src] : 0.0f;
          }
      }
}

static void
col2im_add (const float *col, int cin, int T, int K, int stride, int pad, int tout, float *dx)
{
  for (int c = 0; c < cin; c++)
    for (int kk = 0; kk < K; kk++)
      {
        const float *row = col + ((gsize) c * K + kk) * tout;
        for (int t = 0; t < tout; t++)
          {
            int src = t * stride + kk - pad;
            if (src >= 0 && src < T)
              dx[(gsize) c * T + src] += row[t];
          }
      }
}

void
attn_op_conv1d_fwd (const float *x, int B, int cin, int T, const float *w, const float *b,
                    int cout, int K, int stride, int pad, float *y, float *col)
{
  int tout = attn_op_conv1d_out_len (T, K, stride, pad);
  for (int n = 0; n < B; n++)
    {
      float *yb = y + (gsize) n * cout * tout;
      im2col (x + (gsize) n * cin * T, cin, T, K, stride, pad, tout, col);
      for (int o = 0; o < cout; o++)
        for (int t = 0; t < tout; t++)
          yb[(gsize) o * tout + t] = b != NULL ? b[o] : 0.0f;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, tout, cin * K,
                   1.0f, w, cin * K, col, tout, 1.0f, yb, tout);
    }
}

void
attn_op_conv1d_bwd (const float *x, int B, int cin, int T, const float *w, int cout, int K,
                    int stride, int pad, const float *dy, float *dx, float *dw, float *db,
                    float *col, float *dcol)
{
  int tout = attn_op_conv1d_out_len (T, K, stride, pad);
  for (int n = 0; n < B; n++)
    {
      const float *dyb = dy + (gsize) n * cout * tout;
      if (db != NULL)
        for (int o = 0; o < cout; o++)
          for (int t = 0; t < tout; t++)
            db[o] += dyb[(gsize) o * tout + t];
      if (dw != NULL)
        {
          im2col (x + (gsize) n * cin * T, cin, T, K, stride, pad, tout, col);
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, cout, cin * K, tout,
                       1.0f, dyb, tout, col, tout, 1.0f, dw, cin * K);
        }
      if (dx != NULL)
        {
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, cin * K, tout, cout,
                       1.0f, w, cin * K, dyb, tout, 0.0f, dcol, tout);
          col2im_add (dcol, cin, T, K, stride, pad, tout, dx + (gsize) n * cin * T);
        }
    }
}

/* ---- loss ---- */

double
attn_op_cross_entropy (const float *logits, int n, int V, const gint32 *targets, gint32 ignore,
                       float smoothing, float *dlogits, int *n_counted, int *n_correct)
{
  double total = 0;
  int counted = 0, correct = 0;
  float inv;

  for (int i = 0; i < n; i++)
    counted += targets[i] != ignore;
  inv = counted > 0 ? 1.0f / counted : 0.0f;

  for (int i = 0; i < n; i++)
    {
      const float *z = logits + (gsize) i * V;
      float *dz = dlogits != NULL ? dlogits + (gsize) i * V : NULL;
      float mx = -G_MAXFLOAT;
      double se = 0, sz = 0, lse;
      int arg = 0;
      gint32 t = targets[i];

      if (t == ignore)
        {
          if (dz != NULL)
            memset (dz, 0, sizeof (float) * V);
          continue;
        }
      for (int j = 0; j < V; j++)
        if (z[j] > mx)
          {
            mx = z[j];
            arg = j;
          }
      for (int j = 0; j < V; j++)
        {
          se += exp ((double) z[j] - mx);
          sz += z[j];
        }
      lse = mx + log (se);
      total += lse - (1.0 - smoothing) * z[t] - smoothing * sz / V;
      correct += arg == t;
      if (dz != NULL)
        {
          for (int j = 0; j < V; j++)
            dz[j] = (float) (exp ((double) z[j] - lse) - smoothing / V) * inv;
          dz[t] -= (1.0f - smoothing) * inv;
        }
    }
  if (n_counted != NULL)
    *n_counted = counted;
  if (n_correct != NULL)
    *n_correct = correct;
  return counted > 0 ? total / counted : 0.0;
}

/* ---- CTC ---- */

static inline double
log_add (double a, double b)
{
  if (a == -INFINITY)
    return b;
  if (b == -INFINITY)
    return a;
  return a > b ? a + log1p (exp (b - a)) : b + log1p (exp (a - b));
}

double
attn_op_ctc_loss (const float *logits, int T, int V, const gint32 *labels, int n, gint32 blank,
                  float scale, float *dlogits)
{
  int S = 2 * n + 1;
  double *lp = g_new (double, (gsize) T * V);     /* log-softmax [T, V] */
  double *alpha = g_new (double, (gsize) T * S);  /* forward, emission at t included */
  double *beta = g_new (double, (gsize) T * S);   /* backward, emission at t included */
  gint32 *ext = g_new (gint32, S);                /* blank l1 blank l2 … blank */
  double logp;

  for (int s = 0; s < S; s++)
    ext[s] = s % 2 ? labels[s / 2] : blank;
  for (int t = 0; t < T; t++)
    {
      const float *z = logits + (gsize) t * V;
      double mx = -INFINITY, se = 0;
      for (int k = 0; k < V; k++)
        mx = MAX (mx, z[k]);
      for (int k = 0; k < V; k++)
        se += exp ((double) z[k] - mx);
      for (int k = 0; k < V; k++)
        lp[(gsize) t * V + k] = z[k] - mx - log (se);
    }
#define LP(t, s) lp[(gsize) (t) * V + ext[s]]
#define A(t, s) alpha[(gsize) (t) * S + (s)]
#define Bt(t, s) beta[(gsize) (t) * S + (s)]
  for (gsize i = 0; i < (gsize) T * S; i++)
    alpha[i] = beta[i] = -INFINITY;
  A (0, 0) = LP (0, 0);
  if (S > 1)
    A (0, 1) = LP (0, 1);
  for (int t = 1; t < T; t++)
    for (int s = 0; s < S; s++)
      {
        double a = A (t - 1, s);
        if (s >= 1)
          a = log_add (a, A (t - 1, s - 1));
        if (s >= 2 && ext[s] != blank && ext[s] != ext[s - 2])
          a = log_add (a, A (t - 1, s - 2));
        A (t, s) = a == -INFINITY ? a : a + LP (t, s);
      }
  logp = S > 1 ? log_add (A (T - 1, S - 1), A (T - 1, S - 2)) : A (T - 1, 0);
  if (dlogits != NULL)
    memset (dlogits, 0, sizeof (float) * T * V);
  if (logp == -INFINITY)
    {
      g_free (lp);
      g_free (alpha);
      g_free (beta);
      g_free (ext);
      return INFINITY;
    }
  if (dlogits != NULL)
    {
      Bt (T - 1, S - 1) = LP (T - 1, S - 1);
      if (S > 1)
        Bt (T - 1, S - 2) = LP (T - 1, S - 2);
      for (int t = T - 2; t >= 0; t--)
        for (int s = 0; s < S; s++)
          {
            double b = Bt (t + 1, s);
            if (s + 1 < S)
              b = log_add (b, Bt (t + 1, s + 1));
            if (s + 2 < S && ext[s] != blank && ext[s] != ext[s + 2])
              b = log_add (b, Bt (t + 1, s + 2));
            Bt (t, s) = b == -INFINITY ? b : b + LP (t, s);
          }
      /* d(−log p)/dz[t,k] = y[t,k] − Σ_{s: ext[s] = k} α_t(s) β_t(s) / (y[t,k] p) */
      for (int t = 0; t < T; t++)
        {
          float *dz = dlogits + (gsize) t * V;
          for (int k = 0; k < V; k++)
            dz[k] = (float) (scale * exp (lp[(gsize) t * V + k]));
          for (int s = 0; s < S; s++)
            if (A (t, s) != -INFINITY && Bt (t, s) != -INFINITY)
              dz[ext[s]] -= (float) (scale * exp (A (t, s) + Bt (t, s) - LP (t, s) - logp));
        }
    }
#undef LP
#undef A
#undef Bt
  g_free (lp);
  g_free (alpha);
  g_free (beta);
  g_free (ext);
  return -logp;
}

/* ---- dropout and helpers ---- */

void
attn_op_dropout_fwd (const float *x, gsize n, float p, AttnRng *rng, guint8 *mask, float *y)
{
  float keep = 1.0f / (1.0f - p);
  for (gsize i = 0; i < n; i++)
    {
      mask[i] = attn_rng_uniform (rng) >= p;
      y[i] = mask[i] ? x[i] * keep : 0.0f;
    }
}

void
attn_op_dropout_bwd (const float *dy, gsize n, float p, const guint8 *mask, float *dx)
{
  float keep = 1.0f / (1.0f - p);
  for (gsize i = 0; i < n; i++)
    if (mask[i])
      dx[i] += dy[i] * keep;
}

void
attn_op_dropout_or_copy (const float *x, gsize n, float p, gboolean train, AttnRng *rng,
                         guint8 *mask, float *y)
{
  if (train && p > 0)
    attn_op_dropout_fwd (x, n, p, rng, mask, y);
  else if (x != y)
    memcpy (y, x, sizeof (float) * n);
}

void
attn_op_dropout_or_copy_bwd (const float *dy, gsize n, float p, gboolean train,
                             const guint8 *mask, float *dx)
{
  if (train && p > 0)
    attn_op_dropout_bwd (dy, n, p, mask, dx);
  else
    attn_op_add (dx, dy, n);
}

void
attn_op_add (float *y, const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    y[i] += x[i];
}
