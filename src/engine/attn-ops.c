/* attn-ops.c — numeric kernels on OpenBLAS. */
#include "attn-ops.h"
#include "attn-alloc.h"
#include "attn-avx2.h"
#include "attn-avx512.h"
#include "attn-parallel.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define ATTN_CLONES __attribute__((target_clones ("avx512f", "avx2", "default")))
#else
#define ATTN_CLONES
#endif

gboolean
attn_activation_from_name (const char *name, AttnActivation *act)
{
  static const struct { const char *name; AttnActivation act; } table[] = {
    { "gelu", ATTN_ACT_GELU }, { "gelu_python", ATTN_ACT_GELU },
    { "gelu_new", ATTN_ACT_GELU_TANH }, { "gelu_pytorch_tanh", ATTN_ACT_GELU_TANH },
    { "gelu_fast", ATTN_ACT_GELU_TANH }, { "relu", ATTN_ACT_RELU },
    { "swish", ATTN_ACT_SILU }, { "silu", ATTN_ACT_SILU }, { "tanh", ATTN_ACT_TANH },
  };
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_strcmp0 (name, table[i].name) == 0)
      {
        *act = table[i].act;
        return TRUE;
      }
  return FALSE;
}

/* OpenBLAS's own threads are switched off while our threads call it per head. */
int
attn_blas_threads_single (void)
{
#ifdef HAVE_OPENBLAS
  int saved = openblas_get_num_threads ();
  if (saved > 1)
    openblas_set_num_threads (1);
  return saved;
#else
  return 1;
#endif
}

void
attn_blas_threads_restore (int saved)
{
#ifdef HAVE_OPENBLAS
  if (saved > 1)
    openblas_set_num_threads (saved);
#else
  (void) saved;
#endif
}

/* One block of a dense layer: rows [r0, r1) × output columns [c0, c1). */
static void
linear_block (const AttnLinear *lin, const float *x, int ldx, float *y, int ldy, int r0, int r1, int c0, int c1)
{
  int rows = r1 - r0, cols = c1 - c0;
  const float *w = lin->in_major ? lin->w + c0 : lin->w + (gsize) c0 * lin->in;
  if (rows <= 0 || cols <= 0)
    return;
  if (lin->b != NULL)
    for (int r = r0; r < r1; r++)
      memcpy (y + (gsize) r * ldy + c0, lin->b + c0, cols * sizeof (float));
  cblas_sgemm (CblasRowMajor, CblasNoTrans, lin->in_major ? CblasNoTrans : CblasTrans,
               rows, cols, lin->in, 1.0f, x + (gsize) r0 * ldx, ldx, w, lin->in_major ? lin->out : lin->in,
               lin->b != NULL ? 1.0f : 0.0f, y + (gsize) r0 * ldy + c0, ldy);
}

typedef struct {
  const AttnLinear *lin;
  const float      *x;
  int               ldx, rows, ldy, parts;
  float            *y;
  gboolean          by_rows;
} LinearJob;

static void
linear_job (int i, gpointer data)
{
  const LinearJob *j = data;
  if (j->by_rows)
    {
      /* row blocks, in multiples of 16 rows */
      int per = ((j->rows + j->parts - 1) / j->parts + 15) / 16 * 16;
      linear_block (j->lin, j->x, j->ldx, j->y, j->ldy, MIN (i * per, j->rows), MIN ((i + 1) * per, j->rows),
                    0, j->lin->out);
    }
  else
    {
      int per = ((j->lin->out + j->parts - 1) / j->parts + 15) / 16 * 16;
      linear_block (j->lin, j->x, j->ldx, j->y, j->ldy, 0, j->rows, MIN (i * per, j->lin->out),
                    MIN ((i + 1) * per, j->lin->out));
    }
}

void
attn_linear_forward_ld (const AttnLinear *lin, const float *x, int ldx, int rows, float *y, int ldy)
{
  /* The engine's threads share the work (by rows, or by output columns for few rows),
   * each with single-threaded sgemm: no OpenBLAS threads left spinning beside ours. */
  int threads = attn_parallel_get_threads ();
  double flops = 2.0 * rows * lin->out * lin->in;
  if (rows <= 0)
    return;
  if (threads > 1 && flops >= 4e6)
    {
      LinearJob job = { lin, x, ldx, rows, ldy, threads, y, rows >= 32 * threads };
      int saved = attn_blas_threads_single ();
      attn_parallel_for (threads, linear_job, &job);
      attn_blas_threads_restore (saved);
      return;
    }
  linear_block (lin, x, ldx, y, ldy, 0, rows, 0, lin->out);
}

void
attn_linear_forward (const AttnLinear *lin, const float *x, int rows, float *y)
{
  attn_linear_forward_ld (lin, x, lin->in, rows, y, lin->out);
}

void
attn_layer_norm (const AttnLayerNorm *ln, const float *x, int rows, float *y)
{
  int d = ln->d;
  for (int r = 0; r < rows; r++)
    {
      const float *xr = x + (gsize) r * d;
      float *yr = y + (gsize) r * d;
      double mean = 0, var = 0;
      float m, inv;
      for (int i = 0; i < d; i++)
        mean += xr[i];
      mean /= d;
      for (int i = 0; i < d; i++)
        var += (xr[i] - mean) * (xr[i] - mean);
      var /= d;
      m = (float) mean;
      inv = (float) (1.0 / sqrt (var + ln->eps));
      for (int i = 0; i < d; i++)
        yr[i] = (xr[i] - m) * inv * ln->gamma[i] + ln->beta[i];
    }
}

/* exp(x) for x in float range: Cody–Waite reduction and a degree-6 polynomial
 * (Cephes' expf coefficients); exact 0 below the underflow point. */
static inline float
exp_kernel (float x)
{
  /* written for the vectoriser: no aggregates, no calls; NaN becomes -87 in the
   * clamp and is passed through at the end */
  float xc = x > -87.0f ? x : -87.0f;
  float n, r, z, p, scale, y;
  gint32 bits;
  xc = xc < 88.0f ? xc : 88.0f;
  n = floorf (xc * 1.44269504088896341f + 0.5f);
  r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  z = r * r;
  p = ((((( 1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r
         + 4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f) * z + r + 1.0f;
  bits = ((gint32) n + 127) << 23;
  memcpy (&scale, &bits, sizeof scale);
  y = x < -87.0f ? 0.0f : p * scale;
  return x != x ? x : y;
}

ATTN_CLONES void
attn_exp_inplace (float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = exp_kernel (x[i]);
}

ATTN_CLONES void
attn_softmax_rows (float *x, int rows, int cols)
{
  for (int r = 0; r < rows; r++)
    {
      float *xr = x + (gsize) r * cols;
      float mx = -INFINITY, sum = 0.0f, inv;
#pragma omp simd reduction (max:mx)
      for (int i = 0; i < cols; i++)
        mx = xr[i] > mx ? xr[i] : mx;
      if (mx == -INFINITY)
        {
          /* every key masked: define the row as zeros rather than NaN */
          memset (xr, 0, cols * sizeof (float));
          continue;
        }
      for (int i = 0; i < cols; i++)
        xr[i] = exp_kernel (xr[i] - mx);
#pragma omp simd reduction (+:sum)
      for (int i = 0; i < cols; i++)
        sum += xr[i];
      inv = 1.0f / sum;
      for (int i = 0; i < cols; i++)
        xr[i] *= inv;
    }
}

static inline float
tanh_kernel (float x)
{
  /* tanh(x) = 1 - 2 / (exp(2x) + 1), with a series near 0 for accuracy */
  float ax = fabsf (x), y;
  if (ax < 0.0625f)
    {
      float x2 = x * x;
      return x * (1.0f + x2 * (-0.333333333f + x2 * (0.133333333f - x2 * 0.053968254f)));
    }
  y = 1.0f - 2.0f / (exp_kernel (2.0f * ax) + 1.0f);
  return x < 0 ? -y : y;
}

/* In chunks, so that each loop is simple enough for the vectoriser: the exponentials
 * of −(x/√2)² first, then erf from them (Abramowitz & Stegun 7.1.26). */
ATTN_CLONES static void
gelu_erf (float *x, gsize n)
{
  float e[256];
  if (attn_avx512_available ())
    {
      attn_avx512_gelu_erf (x, n);
      return;
    }
  for (gsize i0 = 0; i0 < n; i0 += 256)
    {
      gsize m = MIN (256, n - i0);
      float *xs = x + i0;
      for (gsize i = 0; i < m; i++)
        {
          float z = xs[i] * 0.70710678118654752f;
          e[i] = -z * z;
        }
      for (gsize i = 0; i < m; i++)
        e[i] = exp_kernel (e[i]);
      for (gsize i = 0; i < m; i++)
        {
          float z = xs[i] * 0.70710678118654752f;
          float az = z < 0 ? -z : z;
          float t = 1.0f / (1.0f + 0.3275911f * az);
          float y = 1.0f - (((((1.061405429f * t - 1.453152027f) * t) + 1.421413741f) * t - 0.284496736f) * t
                            + 0.254829592f) * t * e[i];
          xs[i] = 0.5f * xs[i] * (1.0f + (z < 0 ? -y : y));
        }
    }
}

ATTN_CLONES static void
gelu_tanh (float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      float v = x[i];
      x[i] = 0.5f * v * (1.0f + tanh_kernel (0.7978845608028654f * (v + 0.044715f * v * v * v)));
    }
}

ATTN_CLONES static void
silu (float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = x[i] / (1.0f + exp_kernel (-x[i]));
}

typedef struct {
  AttnActivation act;
  float         *x;
  gsize          n, chunk;
} ActJob;

static void activate_serial (AttnActivation act, float *x, gsize n);

static void
activate_chunk (int i, gpointer data)
{
  ActJob *j = data;
  gsize from = (gsize) i * j->chunk;
  activate_serial (j->act, j->x + from, MIN (j->chunk, j->n - from));
}

void
attn_activate (AttnActivation act, float *x, gsize n)
{
  ActJob job = { act, x, n, 32768 };
  if (n <= job.chunk)
    activate_serial (act, x, n);
  else
    attn_parallel_for ((int) ((n + job.chunk - 1) / job.chunk), activate_chunk, &job);
}

static void
activate_serial (AttnActivation act, float *x, gsize n)
{
  switch (act)
    {
    case ATTN_ACT_GELU:
      gelu_erf (x, n);
      break;
    case ATTN_ACT_GELU_TANH:
      gelu_tanh (x, n);
      break;
    case ATTN_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        x[i] = x[i] > 0 ? x[i] : 0;
      break;
    case ATTN_ACT_SILU:
      silu (x, n);
      break;
    case ATTN_ACT_TANH:
      for (gsize i = 0; i < n; i++)
        x[i] = tanhf (x[i]);
      break;
    }
}

void
attn_add_inplace (float *y, const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    y[i] += x[i];
}

#define QUERY_BLOCK 128

/* One head: scores, masks and softmax for a block of query rows at a time (so the
 * block stays in cache), written straight into the recorded probabilities. */
static void
attention_head (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                int tq, int tk, int dh, float scale, int causal_offset, const guint8 *key_mask,
                float *p, float *out, int ldo)
{
  for (int i0 = 0; i0 < tq; i0 += QUERY_BLOCK)
    {
      int rows = MIN (QUERY_BLOCK, tq - i0);
      float *pb = p + (gsize) i0 * tk;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, tk, dh, scale,
                   q + (gsize) i0 * ldq, ldq, k, ldk, 0.0f, pb, tk);
      if (causal_offset >= 0 || key_mask != NULL)
        for (int i = 0; i < rows; i++)
          {
            float *row = pb + (gsize) i * tk;
            if (key_mask != NULL)
              for (int j = 0; j < tk; j++)
                if (!key_mask[j])
                  row[j] = -INFINITY;
            if (causal_offset >= 0)
              for (int j = i0 + i + causal_offset + 1; j < tk; j++)
                row[j] = -INFINITY;
          }
      attn_softmax_rows (pb, rows, tk);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, dh, tk, 1.0f,
                   pb, tk, v, ldv, 0.0f, out + (gsize) i0 * ldo, ldo);
    }
}

typedef struct {
  const float  *q;
  int           ldq;
  const float  *k;
  int           ldk;
  const float  *v;
  int           ldv, tq, tk, dh;
  float         scale;
  int           causal_offset;
  const guint8 *key_mask;
  float        *probs, *out;
  int           ldo;
  enum { KERNEL_PORTABLE, KERNEL_AVX2, KERNEL_AVX512 } kernel;
} AttnJob;

static void
attention_job (int h, gpointer data)
{
  const AttnJob *j = data;
  if (j->kernel != KERNEL_PORTABLE)
    (j->kernel == KERNEL_AVX512 ? attn_avx512_attend_head : attn_avx2_attend_head)
      (j->q + h * j->dh, j->ldq, j->k + h * j->dh, j->ldk, j->v + h * j->dh, j->ldv,
       j->tq, j->tk, j->scale, j->causal_offset, j->key_mask,
       j->probs + (gsize) h * j->tq * j->tk, j->out + h * j->dh, j->ldo);
  else
    attention_head (j->q + h * j->dh, j->ldq, j->k + h * j->dh, j->ldk, j->v + h * j->dh, j->ldv,
                  j->tq, j->tk, j->dh, j->scale, j->causal_offset, j->key_mask,
                  j->probs + (gsize) h * j->tq * j->tk, j->out + h * j->dh, j->ldo);
}

void
attn_attention (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                int tq, int tk, int heads, int dh, float scale,
                int causal_offset, const guint8 *key_mask,
                float *probs, float *out, int ldo)
{
  /* Heads run in parallel on our threads, each with single-threaded sgemm: the
   * per-head products are too small for OpenBLAS's own threading to pay off. */
  AttnJob job = { q, ldq, k, ldk, v, ldv, tq, tk, dh, scale, causal_offset, key_mask, probs, out, ldo,
                  KERNEL_PORTABLE };
  gboolean parallel = heads > 1 && (gint64) tq * tk * dh >= 32768 && attn_parallel_get_threads () > 1;
  int saved = parallel ? attn_blas_threads_single () : 1;
  if (dh == ATTN_AVX512_HEAD_WIDTH && tq >= 8 && attn_avx512_available ())
    job.kernel = KERNEL_AVX512;
  else if (dh == ATTN_AVX2_HEAD_WIDTH && tq >= 8 && attn_avx2_available ())
    job.kernel = KERNEL_AVX2;
  if (parallel)
    attn_parallel_for (heads, attention_job, &job);
  else
    for (int h = 0; h < heads; h++)
      attention_job (h, &job);
  if (parallel)
    attn_blas_threads_restore (saved);
}

typedef struct {
  const float      *v;
  int               ldv, tk, dh;
  const AttnLinear *o;
  float            *out;
} NormJob;

/* ‖v_k W_h‖ for the keys of head h, as sqrt(v_k G v_kᵀ) with G = W_h W_hᵀ (dh × dh):
 * a tk × dh × dh product instead of tk × dh × d. */
static void
value_norms_head (int h, gpointer data)
{
  const NormJob *j = data;
  const AttnLinear *o = j->o;
  int D = o->out, dh = j->dh;
  const float *vh = j->v + h * dh;
  g_autofree float *gram = g_new (float, (gsize) dh * dh);
  ATTN_BUF u = attn_alloc_floats ((gsize) j->tk * dh, FALSE);
  if (o->in_major)   /* W_h: rows h·dh … of [in × out] */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, dh, dh, D, 1.0f, o->w + (gsize) h * dh * D, D,
                 o->w + (gsize) h * dh * D, D, 0.0f, gram, dh);
  else               /* W_hᵀ: columns h·dh … of [out × in] */
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, dh, dh, D, 1.0f, o->w + h * dh, o->in,
                 o->w + h * dh, o->in, 0.0f, gram, dh);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, j->tk, dh, dh, 1.0f, vh, j->ldv, gram, dh, 0.0f, u, dh);
  for (int k = 0; k < j->tk; k++)
    {
      double ss = 0;
      const float *uk = u + (gsize) k * dh, *vk = vh + (gsize) k * j->ldv;
      for (int i = 0; i < dh; i++)
        ss += (double) uk[i] * vk[i];
      j->out[(gsize) h * j->tk + k] = (float) sqrt (MAX (ss, 0.0));
    }
}

void
attn_value_norms (const float *v, int ldv, int tk, int heads, int dh, const AttnLinear *o, float *out)
{
  NormJob job = { v, ldv, tk, dh, o, out };
  int saved = attn_blas_threads_single ();
  attn_parallel_for (heads, value_norms_head, &job);
  attn_blas_threads_restore (saved);
}

void
attn_conv1d_k3 (const float *in, gboolean channels_first, int c_in, int t_in,
                const float *w, const float *b, int c_out, int stride,
                float *col, float *out)
{
  int t_out = (t_in + 2 - 3) / stride + 1;
  int kc = c_in * 3;
  for (int t = 0; t < t_out; t++)
    {
      float *row = col + (gsize) t * kc;
      for (int kk = 0; kk < 3; kk++)
        {
          int src = t * stride + kk - 1;
          gboolean inside = src >= 0 && src < t_in;
          for (int c = 0; c < c_in; c++)
            row[c * 3 + kk] = !inside ? 0.0f
                              : channels_first ? in[(gsize) c * t_in + src] : in[(gsize) src * c_in + c];
        }
    }
  {
    AttnLinear lin = { (float *) w, (float *) b, kc, c_out, FALSE };
    attn_linear_forward (&lin, col, t_out, out);
  }
}

void
attn_sinusoidal_positions (float *out, int n_pos, int d)
{
  /* sin(p / 10000^(2i/d)) in the first ceil(d/2) columns, cos in the rest */
  int n_sin = (d + 1) / 2;
  for (int p = 0; p < n_pos; p++)
    for (int j = 0; j < d; j++)
      {
        int i = j < n_sin ? j : j - n_sin;
        double angle = p / pow (10000.0, 2.0 * i / d);
        out[(gsize) p * d + j] = (float) (j < n_sin ? sin (angle) : cos (angle));
      }
}
