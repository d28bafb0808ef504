/* test-ops.c — the numeric kernels against naive double-precision versions, the
 * float conversions, top-k and the worker pool. Every comparison prints its largest
 * difference and fails past a stated tolerance. */
#include "attn-ops.h"
#include "attn-avx2.h"
#include "attn-avx512.h"
#include "attn-parallel.h"
#include "attn-model-private.h"
#include "attn-analysis.h"
#include "test-common.h"

#include <math.h>
#include <string.h>

static GRand *rng;

static float *
random_floats (gsize n, double lo, double hi)
{
  float *p = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    p[i] = (float) g_rand_double_range (rng, lo, hi);
  return p;
}

/* Compares with the error scaled by max(1, |want|): absolute near 0, relative beyond. */
static void
assert_close_scaled (const char *what, const float *got, const double *want, gsize n, double tol)
{
  g_autofree float *g = g_new (float, n);
  g_autofree float *w = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    {
      double s = MAX (1.0, fabs (want[i]));
      g[i] = (float) (got[i] / s);
      w[i] = (float) (want[i] / s);
    }
  /* the division in float loses ~6e-8; tolerances here are 1e-6 and above */
  test_assert_close (what, g, w, n, tol);
}

/* --- attention ---------------------------------------------------------------- */

/* The definition: p = softmax(q·k * scale) over allowed keys, out = p·v; a row with no
 * allowed key is all zeros. */
static void
naive_attention (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                 int tq, int tk, int heads, int dh, double scale, int causal_offset,
                 const guint8 *key_mask, float *probs, float *out, int ldo)
{
  g_autofree double *s = g_new (double, tk);
  for (int h = 0; h < heads; h++)
    for (int i = 0; i < tq; i++)
      {
        double mx = -INFINITY, sum = 0;
        for (int j = 0; j < tk; j++)
          {
            gboolean allowed = (key_mask == NULL || key_mask[j]) && (causal_offset < 0 || j <= i + causal_offset);
            double dot = 0;
            for (int d = 0; d < dh; d++)
              dot += (double) q[(gsize) i * ldq + h * dh + d] * k[(gsize) j * ldk + h * dh + d];
            s[j] = allowed ? dot * scale : -INFINITY;
            mx = MAX (mx, s[j]);
          }
        for (int j = 0; j < tk; j++)
          {
            s[j] = mx == -INFINITY ? 0 : exp (s[j] - mx);
            sum += s[j];
          }
        for (int j = 0; j < tk; j++)
          probs[((gsize) h * tq + i) * tk + j] = sum > 0 ? (float) (s[j] / sum) : 0.0f;
        for (int d = 0; d < dh; d++)
          {
            double acc = 0;
            for (int j = 0; j < tk; j++)
              acc += (sum > 0 ? s[j] / sum : 0) * v[(gsize) j * ldv + h * dh + d];
            out[(gsize) i * ldo + h * dh + d] = (float) acc;
          }
      }
}

typedef struct {
  int  tq, tk, heads, dh, causal_offset, pad;
  gboolean masked;
} AttnCase;

static void
check_attention (const AttnCase *c)
{
  int ld = c->heads * c->dh + c->pad;   /* padded rows: the leading dimensions matter */
  g_autofree float *q = random_floats ((gsize) c->tq * ld, -2, 2);
  g_autofree float *k = random_floats ((gsize) c->tk * ld, -2, 2);
  g_autofree float *v = random_floats ((gsize) c->tk * ld, -1, 1);
  g_autofree guint8 *mask = NULL;
  gsize np = (gsize) c->heads * c->tq * c->tk, no = (gsize) c->tq * ld;
  g_autofree float *p = g_new0 (float, np), *pw = g_new0 (float, np);
  g_autofree float *o = g_new0 (float, no), *ow = g_new0 (float, no);
  g_autofree char *what = g_strdup_printf ("attention tq=%d tk=%d heads=%d dh=%d causal=%d mask=%d",
                                           c->tq, c->tk, c->heads, c->dh, c->causal_offset, c->masked);
  float scale = 1.0f / sqrtf ((float) c->dh);
  if (c->masked)
    {
      mask = g_new (guint8, c->tk);
      for (int j = 0; j < c->tk; j++)
        mask[j] = (j % 3) != 1;
    }
  attn_attention (q, ld, k, ld, v, ld, c->tq, c->tk, c->heads, c->dh, scale, c->causal_offset, mask, p, o, ld);
  naive_attention (q, ld, k, ld, v, ld, c->tq, c->tk, c->heads, c->dh, scale, c->causal_offset, mask, pw, ow, ld);
  test_assert_close (what, p, pw, np, 1e-5);
  /* only the heads' columns of out are written; the padding is left alone */
  for (int i = 0; i < c->tq; i++)
    for (int d = c->heads * c->dh; d < ld; d++)
      o[(gsize) i * ld + d] = ow[(gsize) i * ld + d] = 0;
  test_assert_close (what, o, ow, no, 1e-5);
  /* every row sums to 1 over the allowed keys (no row here is fully masked) */
  for (gsize r = 0; r < (gsize) c->heads * c->tq; r++)
    {
      double sum = 0;
      for (int j = 0; j < c->tk; j++)
        sum += p[r * c->tk + j];
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
    }
}

static void
check_attention_cases (void)
{
  static const AttnCase cases[] = {
    { 5, 7, 3, 8, -1, 0, FALSE },
    { 5, 7, 3, 8, 2, 3, FALSE },     /* decoder with 2 cached keys */
    { 7, 7, 2, 4, 0, 0, FALSE },     /* plain causal */
    { 6, 9, 4, 8, -1, 1, TRUE },     /* key padding mask */
    { 4, 9, 2, 16, 5, 0, TRUE },     /* both */
    { 1, 1, 1, 1, -1, 0, FALSE },
    /* past one query block (128) and large enough for the worker pool */
    { 133, 140, 4, 16, 7, 2, TRUE },
    /* heads of width 64 with ≥ 8 queries: the fused AVX-512 kernel where the processor
     * has it (rows not a multiple of 4, keys not a multiple of 64) */
    { 9, 70, 2, 64, -1, 3, FALSE },
    { 13, 13, 3, 64, 0, 0, FALSE },
    { 10, 130, 2, 64, 5, 1, TRUE },
    { 150, 150, 6, 64, -1, 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_attention (&cases[i]);
}

/* Runs `check` with each kernel the processor has: AVX-512, then AVX2 (AVX-512 switched
 * off), then the portable code (both off), so that all are tested on such machines. */
static void
with_each_kernel (const char *what, void (*check) (void))
{
  if (attn_avx512_available ())
    {
      g_test_message ("%s: AVX-512 kernels", what);
      check ();
      attn_avx512_set_enabled (FALSE);
    }
  if (attn_avx2_available ())
    {
      g_test_message ("%s: AVX2 kernel (attention; the rest portable)", what);
      check ();
      attn_avx2_set_enabled (FALSE);
    }
  g_test_message ("%s: portable code", what);
  check ();
  attn_avx512_set_enabled (TRUE);
  attn_avx2_set_enabled (TRUE);
}

static void
test_attention (void)
{
  with_each_kernel ("attention", check_attention_cases);
}

static void
check_fully_masked (int tq, int tk, int dh)
{
  g_autofree float *q = random_floats (tq * dh, -1, 1), *k = random_floats (tk * dh, -1, 1);
  g_autofree float *v = random_floats (tk * dh, -1, 1);
  g_autofree guint8 *mask = g_new0 (guint8, tk);
  g_autofree float *p = g_new (float, tq * tk), *o = g_new (float, tq * dh);
  attn_attention (q, dh, k, dh, v, dh, tq, tk, 1, dh, 0.5f, -1, mask, p, o, dh);
  for (int i = 0; i < tq * tk; i++)
    g_assert_cmpfloat (p[i], ==, 0.0f);
  for (int i = 0; i < tq * dh; i++)
    g_assert_cmpfloat (o[i], ==, 0.0f);
}

static void
test_attention_fully_masked (void)
{
  check_fully_masked (3, 4, 4);
  check_fully_masked (9, 5, 64);   /* the fused kernel's path */
}

/* --- softmax and exp ---------------------------------------------------------- */

static void
test_softmax (void)
{
  int rows = 4, cols = 50;
  g_autofree float *x = random_floats ((gsize) rows * cols, -30, 30);
  g_autofree double *want = g_new (double, (gsize) rows * cols);
  float big[3] = { 1000.0f, 1000.0f, -INFINITY };
  float masked[3] = { -INFINITY, -INFINITY, -INFINITY };
  for (int j = 0; j < cols; j += 7)
    x[j] = -INFINITY;                  /* row 0: some keys masked */
  for (int r = 0; r < rows; r++)
    {
      double mx = -INFINITY, sum = 0;
      for (int j = 0; j < cols; j++)
        mx = MAX (mx, x[r * cols + j]);
      for (int j = 0; j < cols; j++)
        sum += exp (x[r * cols + j] - mx);
      for (int j = 0; j < cols; j++)
        want[r * cols + j] = exp (x[r * cols + j] - mx) / sum;
    }
  attn_softmax_rows (x, rows, cols);
  assert_close_scaled ("softmax", x, want, (gsize) rows * cols, 1e-6);
  for (int r = 0; r < rows; r++)
    {
      double sum = 0;
      for (int j = 0; j < cols; j++)
        sum += x[r * cols + j];
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
    }
  for (int j = 0; j < cols; j += 7)
    g_assert_cmpfloat (x[j], ==, 0.0f);          /* exactly 0, not tiny */
  attn_softmax_rows (big, 1, 3);
  g_assert_cmpfloat_with_epsilon (big[0], 0.5f, 1e-7);
  g_assert_cmpfloat_with_epsilon (big[1], 0.5f, 1e-7);
  g_assert_cmpfloat (big[2], ==, 0.0f);
  attn_softmax_rows (masked, 1, 3);
  for (int j = 0; j < 3; j++)
    {
      g_assert_false (isnan (masked[j]));
      g_assert_cmpfloat (masked[j], ==, 0.0f);
    }
}

static void
test_exp (void)
{
  gsize n = 350001;
  g_autofree float *x = g_new (float, n);
  g_autofree float *rel = g_new (float, n), *zero = g_new0 (float, n);
  float special[4] = { -87.5f, -100.0f, -INFINITY, 0.0f };
  for (gsize i = 0; i < n; i++)
    x[i] = -87.0f + 175.0f * (float) i / (float) (n - 1);
  {
    g_autofree float *y = g_memdup2 (x, n * sizeof (float));
    attn_exp_inplace (y, n);
    for (gsize i = 0; i < n; i++)
      {
        double want = exp ((double) x[i]);
        rel[i] = (float) ((y[i] - want) / want);
      }
  }
  /* the documented bound: relative error below 2e-7 over [-87, 88] */
  test_assert_close ("exp relative error", rel, zero, n, 2e-7);
  attn_exp_inplace (special, 4);
  g_assert_cmpfloat (special[0], ==, 0.0f);
  g_assert_cmpfloat (special[1], ==, 0.0f);
  g_assert_cmpfloat (special[2], ==, 0.0f);
  g_assert_cmpfloat (special[3], ==, 1.0f);
}

/* --- activations ---------------------------------------------------------------- */

static double
ref_activation (AttnActivation act, double x)
{
  switch (act)
    {
    case ATTN_ACT_GELU: return 0.5 * x * (1.0 + erf (x / sqrt (2.0)));
    case ATTN_ACT_GELU_TANH: return 0.5 * x * (1.0 + tanh (sqrt (2.0 / G_PI) * (x + 0.044715 * x * x * x)));
    case ATTN_ACT_RELU: return x > 0 ? x : 0;
    case ATTN_ACT_SILU: return x / (1.0 + exp (-x));
    case ATTN_ACT_TANH: return tanh (x);
    }
  g_assert_not_reached ();
}

static void
check_activations (void)
{
  static const struct { AttnActivation act; const char *name; double tol; } acts[] = {
    /* erf is approximated to 1.5e-7 absolute; the rest is float rounding */
    { ATTN_ACT_GELU, "gelu", 1e-6 },
    { ATTN_ACT_GELU_TANH, "gelu_new", 1e-6 },
    { ATTN_ACT_RELU, "relu", 0 },
    { ATTN_ACT_SILU, "silu", 1e-6 },
    { ATTN_ACT_TANH, "tanh", 1e-6 },
  };
  static const float tiny[] = { 0.0f, -0.0f, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 1e-3f, -1e-3f, 0.05f, -0.05f,
                                0.0625f, -0.0625f, 20.0f, -20.0f, 30.0f, -30.0f, 88.0f, -88.0f, 100.0f, -100.0f };
  gsize n_grid = 4001, n = n_grid + G_N_ELEMENTS (tiny);
  g_autofree float *x = g_new (float, n);
  for (gsize i = 0; i < n_grid; i++)
    x[i] = -20.0f + 40.0f * (float) i / (float) (n_grid - 1);
  memcpy (x + n_grid, tiny, sizeof tiny);
  for (guint a = 0; a < G_N_ELEMENTS (acts); a++)
    {
      g_autofree float *y = g_memdup2 (x, n * sizeof (float));
      g_autofree double *want = g_new (double, n);
      AttnActivation parsed;
      g_assert_true (attn_activation_from_name (acts[a].name, &parsed));
      g_assert_cmpint (parsed, ==, acts[a].act);
      for (gsize i = 0; i < n; i++)
        want[i] = ref_activation (acts[a].act, x[i]);
      attn_activate (acts[a].act, y, n);
      for (gsize i = 0; i < n; i++)
        g_assert_false (isnan (y[i]));
      assert_close_scaled (acts[a].name, y, want, n, acts[a].tol);
      /* tiny inputs keep their relative precision where the function is ~linear */
      if (acts[a].act != ATTN_ACT_RELU)
        for (gsize i = n_grid + 2; i < n_grid + 6; i++)
          {
            double r = fabs (y[i] - want[i]) / fabs (want[i]);
            if (r > 1e-5)
              g_error ("%s(%g) = %g, want %g (relative error %.2g)", acts[a].name, x[i], y[i], want[i], r);
          }
    }
  {
    AttnActivation act;
    g_assert_false (attn_activation_from_name ("mish", &act));
    g_assert_true (attn_activation_from_name ("gelu_pytorch_tanh", &act) && act == ATTN_ACT_GELU_TANH);
    g_assert_true (attn_activation_from_name ("swish", &act) && act == ATTN_ACT_SILU);
  }
}

static void
test_activations (void)
{
  with_each_kernel ("activations", check_activations);
}

static void
test_activation_parallel (void)
{
  /* above the 32768-element chunk, attn_activate splits the work over the pool;
   * the values must not depend on how it was split */
  gsize n = 200003;
  int saved = attn_parallel_get_threads ();
  g_autofree float *x = random_floats (n, -8, 8);
  g_autofree float *a = g_memdup2 (x, n * sizeof (float)), *b = g_memdup2 (x, n * sizeof (float));
  attn_parallel_set_threads (1);
  attn_activate (ATTN_ACT_GELU, a, n);
  attn_parallel_set_threads (4);
  attn_activate (ATTN_ACT_GELU, b, n);
  attn_parallel_set_threads (saved);
  test_assert_close ("gelu, 1 vs 4 threads", a, b, n, 0);
}

/* --- layer norm, linear, conv1d, positions ------------------------------------- */

static void
test_layer_norm (void)
{
  int rows = 4, d = 37;
  g_autofree float *x = random_floats ((gsize) rows * d, -3, 5);
  g_autofree float *gamma = random_floats (d, 0.5, 1.5), *beta = random_floats (d, -1, 1);
  g_autofree float *y = g_new (float, (gsize) rows * d);
  g_autofree float *want = g_new (float, (gsize) rows * d);
  AttnLayerNorm ln = { gamma, beta, d, 1e-5f };
  for (int i = 0; i < d; i++)
    x[3 * d + i] = 2.5f;                /* a constant row: variance 0 */
  for (int r = 0; r < rows; r++)
    {
      double mean = 0, var = 0;
      for (int i = 0; i < d; i++)
        mean += x[r * d + i];
      mean /= d;
      for (int i = 0; i < d; i++)
        var += (x[r * d + i] - mean) * (x[r * d + i] - mean);
      var /= d;
      for (int i = 0; i < d; i++)
        want[r * d + i] = (float) ((x[r * d + i] - mean) / sqrt (var + 1e-5) * gamma[i] + beta[i]);
    }
  attn_layer_norm (&ln, x, rows, y);
  test_assert_close ("layer norm", y, want, (gsize) rows * d, 1e-5);
}

static void
test_linear (void)
{
  int rows = 5, in = 7, out = 6, ldx = 9, ldy = 8;
  g_autofree float *x = random_floats ((gsize) rows * ldx, -1, 1);
  g_autofree float *w = random_floats ((gsize) out * in, -1, 1);     /* [out, in] */
  g_autofree float *wt = g_new (float, (gsize) in * out);            /* [in, out] */
  g_autofree float *b = random_floats (out, -1, 1);
  g_autofree float *want = g_new (float, (gsize) rows * out);
  g_autofree float *want_nb = g_new (float, (gsize) rows * out);
  g_autofree float *y = g_new (float, (gsize) rows * ldy);
  g_autofree float *packed = g_new (float, (gsize) rows * out);
  for (int o = 0; o < out; o++)
    for (int i = 0; i < in; i++)
      wt[i * out + o] = w[o * in + i];
  for (int r = 0; r < rows; r++)
    for (int o = 0; o < out; o++)
      {
        double acc = 0;
        for (int i = 0; i < in; i++)
          acc += (double) x[r * ldx + i] * w[o * in + i];
        want_nb[r * out + o] = (float) acc;
        want[r * out + o] = (float) (acc + b[o]);
      }
  for (int layout = 0; layout < 2; layout++)
    for (int bias = 0; bias < 2; bias++)
      {
        AttnLinear lin = { layout ? wt : w, bias ? b : NULL, in, out, layout == 1 };
        g_autofree char *what = g_strdup_printf ("linear %s%s", layout ? "[in, out]" : "[out, in]",
                                                 bias ? " + bias" : "");
        memset (y, 0xff, (gsize) rows * ldy * sizeof (float));   /* NaN: must be overwritten */
        attn_linear_forward_ld (&lin, x, ldx, rows, y, ldy);
        for (int r = 0; r < rows; r++)
          memcpy (packed + r * out, y + r * ldy, out * sizeof (float));
        test_assert_close (what, packed, bias ? want : want_nb, (gsize) rows * out, 1e-5);
        /* the packed form: rows of exactly `in` inputs */
        if (layout == 0 && bias)
          {
            g_autofree float *xp = g_new (float, (gsize) rows * in);
            for (int r = 0; r < rows; r++)
              memcpy (xp + r * in, x + r * ldx, in * sizeof (float));
            attn_linear_forward (&lin, xp, rows, packed);
            test_assert_close ("linear packed", packed, want, (gsize) rows * out, 1e-5);
          }
      }
}

static void
test_conv1d (void)
{
  int c_in = 3, c_out = 4;
  g_autofree float *w = random_floats ((gsize) c_out * c_in * 3, -1, 1);
  g_autofree float *b = random_floats (c_out, -1, 1);
  for (int t_in = 8; t_in <= 9; t_in++)
    for (int stride = 1; stride <= 2; stride++)
      for (int cf = 0; cf < 2; cf++)
        {
          int t_out = (t_in + 2 - 3) / stride + 1;
          g_autofree float *in = random_floats ((gsize) c_in * t_in, -1, 1);
          g_autofree float *col = g_new (float, (gsize) t_out * c_in * 3);
          g_autofree float *out = g_new (float, (gsize) t_out * c_out);
          g_autofree float *want = g_new (float, (gsize) t_out * c_out);
          g_autofree char *what = g_strdup_printf ("conv1d t_in=%d stride=%d %s", t_in, stride,
                                                   cf ? "channels-first" : "channels-last");
          for (int t = 0; t < t_out; t++)
            for (int o = 0; o < c_out; o++)
              {
                double acc = b[o];
                for (int c = 0; c < c_in; c++)
                  for (int kk = 0; kk < 3; kk++)
                    {
                      int s = t * stride + kk - 1;   /* padding 1 */
                      double v = s < 0 || s >= t_in ? 0 : cf ? in[c * t_in + s] : in[s * c_in + c];
                      acc += w[(o * c_in + c) * 3 + kk] * v;
                    }
                want[t * c_out + o] = (float) acc;
              }
          attn_conv1d_k3 (in, cf, c_in, t_in, w, b, c_out, stride, col, out);
          test_assert_close (what, out, want, (gsize) t_out * c_out, 1e-5);
        }
}

static void
test_sinusoidal (void)
{
  static const int dims[] = { 16, 15, 1, 2 };
  int n_pos = 64;
  for (guint k = 0; k < G_N_ELEMENTS (dims); k++)
    {
      int d = dims[k], n_sin = (d + 1) / 2;
      g_autofree float *got = g_new (float, (gsize) n_pos * d);
      g_autofree float *want = g_new (float, (gsize) n_pos * d);
      g_autofree char *what = g_strdup_printf ("sinusoidal positions d=%d", d);
      /* Marian: sin(p / 10000^(2i/d)) in columns i < ceil(d/2), cos(same angle) in
       * column ceil(d/2) + i */
      for (int p = 0; p < n_pos; p++)
        for (int i = 0; i < n_sin; i++)
          {
            double angle = p / pow (10000.0, 2.0 * i / d);
            want[p * d + i] = (float) sin (angle);
            if (n_sin + i < d)
              want[p * d + n_sin + i] = (float) cos (angle);
          }
      attn_sinusoidal_positions (got, n_pos, d);
      test_assert_close (what, got, want, (gsize) n_pos * d, 1e-6);
    }
}

/* --- float conversions ------------------------------------------------------------ */

typedef struct { guint16 bits; float value; } Half;

static void
check_halves (AttnDType dtype, const Half *cases, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      guint16 le = GUINT16_TO_LE (cases[i].bits);
      float got;
      attn_convert_to_f32 (dtype, (const guint8 *) &le, &got, 1);
      if (isnan (cases[i].value))
        g_assert_true (isnan (got));
      else
        {
          if (got != cases[i].value || signbit (got) != signbit (cases[i].value))
            g_error ("%s 0x%04x → %g, want %g", attn_dtype_name (dtype), cases[i].bits, got, cases[i].value);
        }
    }
}

static void
test_convert (void)
{
  static const Half f16[] = {
    { 0x0000, 0.0f }, { 0x8000, -0.0f }, { 0x3c00, 1.0f }, { 0xc000, -2.0f }, { 0x3555, 0.333251953125f },
    { 0x7bff, 65504.0f }, { 0x0400, 6.103515625e-05f },                       /* largest, smallest normal */
    { 0x0001, 5.9604644775390625e-08f }, { 0x03ff, 6.097555160522461e-05f },  /* subnormals */
    { 0x8001, -5.9604644775390625e-08f },
    { 0x7c00, INFINITY }, { 0xfc00, -INFINITY }, { 0x7e00, NAN }, { 0x7c01, NAN }, { 0xfe00, NAN },
  };
  static const Half bf16[] = {
    { 0x0000, 0.0f }, { 0x8000, -0.0f }, { 0x3f80, 1.0f }, { 0xc000, -2.0f }, { 0x4049, 3.140625f },
    { 0x7f7f, 3.3895313892515355e+38f }, { 0x0080, 1.1754943508222875e-38f },
    { 0x0001, 9.183549615799121e-41f },                                        /* subnormal */
    { 0x7f80, INFINITY }, { 0xff80, -INFINITY }, { 0x7fc0, NAN }, { 0x7f81, NAN },
  };
  double d[3] = { 0.1, -1e300, 1e-310 };
  float got[3];
  check_halves (ATTN_DTYPE_F16, f16, G_N_ELEMENTS (f16));
  check_halves (ATTN_DTYPE_BF16, bf16, G_N_ELEMENTS (bf16));
  attn_convert_to_f32 (ATTN_DTYPE_F64, (const guint8 *) d, got, 3);
  g_assert_cmpfloat (got[0], ==, 0.1f);
  g_assert_true (isinf (got[1]) && got[1] < 0);
  g_assert_cmpfloat (got[2], ==, 0.0f);
}

/* attn_safetensors_write's F16 storage rounds to nearest, ties to even, through the
 * subnormals, and overflows to infinity. */
static void
test_f16_write (void)
{
  static const struct { float in, out; } cases[] = {
    { 1.0f, 1.0f }, { -2.5f, -2.5f }, { 65504.0f, 65504.0f },
    { 65519.0f, 65504.0f }, { 65520.0f, INFINITY }, { 1e6f, INFINITY }, { -1e6f, -INFINITY },
    { 1.0f + 0x1p-11f, 1.0f }, { 1.0f + 3 * 0x1p-11f, 1.0f + 0x1p-9f },          /* ties to even */
    { 1.0f + 0x1p-11f + 0x1p-20f, 1.0f + 0x1p-10f },                              /* above the tie */
    { 0x1p-24f, 0x1p-24f }, { 0x1p-25f, 0.0f }, { 3 * 0x1p-25f, 0x1p-23f },       /* subnormals */
    { 0x1p-25f + 0x1p-35f, 0x1p-24f }, { 1e-10f, 0.0f }, { -1e-10f, -0.0f },
    { 0x1p-14f - 0x1p-25f, 0x1p-14f },                                            /* rounds up into the normals */
    { INFINITY, INFINITY }, { -INFINITY, -INFINITY }, { NAN, NAN },
  };
  guint n = G_N_ELEMENTS (cases);
  g_autofree float *in = g_new (float, n);
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "h.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnCheckpoint) c = NULL;
  g_autofree float *back = NULL;
  AttnTensorOut t = { "h", 1, { n }, NULL };
  for (guint i = 0; i < n; i++)
    in[i] = cases[i].in;
  t.data = in;
  attn_safetensors_write (path, &t, 1, ATTN_DTYPE_F16, NULL, &error);
  g_assert_no_error (error);
  c = attn_checkpoint_open_file (path, &error);
  g_assert_no_error (error);
  back = attn_checkpoint_read_f32 (c, "h", 1, t.shape, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      gboolean same = isnan (cases[i].out) ? isnan (back[i])
                      : back[i] == cases[i].out && signbit (back[i]) == signbit (cases[i].out);
      if (!same)
        g_error ("F16 storage of %a gave %a, want %a", cases[i].in, back[i], cases[i].out);
    }
  test_rmdir (dir);
}

/* --- top-k ------------------------------------------------------------------------ */

static void
test_top_k (void)
{
  float logits[6] = { 1.0f, 5.0f, 3.0f, 5.0f, -INFINITY, 2.0f };
  gint32 ids[8];
  float probs[8];
  double sum = 0, want[6];
  double z = exp (1) + 2 * exp (5) + exp (3) + exp (2);
  for (int i = 0; i < 6; i++)
    want[i] = isinf (logits[i]) ? 0 : exp (logits[i]) / z;
  g_assert_cmpint (attn_top_k (logits, 6, 3, ids, probs), ==, 3);
  /* ties keep the lower id first */
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 3);
  g_assert_cmpint (ids[2], ==, 2);
  for (int j = 0; j < 3; j++)
    g_assert_cmpfloat_with_epsilon (probs[j], want[ids[j]], 1e-7);
  /* k past n: n of them, summing to 1 */
  g_assert_cmpint (attn_top_k (logits, 6, 8, ids, probs), ==, 6);
  for (int j = 0; j < 6; j++)
    sum += probs[j];
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
  g_assert_cmpint (ids[4], ==, 0);      /* probability 0.0066 ahead of... */
  g_assert_cmpint (ids[5], ==, 4);      /* ...the -inf logit, probability 0 */
  g_assert_cmpfloat (probs[5], ==, 0.0f);
  /* huge logits do not overflow */
  {
    float big[3] = { 1e30f, -1e30f, 1e30f };
    attn_top_k (big, 3, 2, ids, probs);
    g_assert_cmpint (ids[0], ==, 0);
    g_assert_cmpint (ids[1], ==, 2);
    g_assert_cmpfloat_with_epsilon (probs[0], 0.5f, 1e-7);
  }
}

/* --- the worker pool ------------------------------------------------------------------ */

typedef struct {
  gint  *hits;       /* atomic counters, one per index */
  int    inner;      /* > 0: each call runs a nested loop of this many */
  gint  *inner_hits;
} PoolJob;

static void
inner_fn (int i, gpointer data)
{
  g_atomic_int_inc (&((gint *) data)[i]);
}

static void
pool_fn (int i, gpointer data)
{
  PoolJob *j = data;
  g_atomic_int_inc (&j->hits[i]);
  if (j->inner > 0)
    attn_parallel_for (j->inner, inner_fn, j->inner_hits + (gsize) i * j->inner);
}

static void
run_pool (int threads, int n, int inner)
{
  PoolJob job = { g_new0 (gint, MAX (n, 1)), inner, g_new0 (gint, MAX ((gsize) n * inner, 1)) };
  attn_parallel_set_threads (threads);
  g_assert_cmpint (attn_parallel_get_threads (), ==, threads);
  attn_parallel_for (n, pool_fn, &job);
  for (int i = 0; i < n; i++)
    if (job.hits[i] != 1)
      g_error ("%d threads: index %d of %d visited %d times", threads, i, n, job.hits[i]);
  for (gsize i = 0; i < (gsize) n * inner; i++)
    if (job.inner_hits[i] != 1)
      g_error ("%d threads: nested index %zu visited %d times", threads, i, job.inner_hits[i]);
  g_free (job.hits);
  g_free (job.inner_hits);
}

typedef struct {
  GMutex   m;
  GCond    c;
  gboolean done;
} Done;

static gpointer
pool_thread (gpointer data)
{
  Done *d = data;
  static const int threads[] = { 1, 2, 3, 4, 8 };
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      run_pool (threads[t], 0, 0);
      run_pool (threads[t], 1, 0);
      run_pool (threads[t], 1000, 0);
      run_pool (threads[t], 37, 53);     /* nested: the inner loops run serially */
    }
  g_mutex_lock (&d->m);
  d->done = TRUE;
  g_cond_signal (&d->c);
  g_mutex_unlock (&d->m);
  return NULL;
}

static gpointer
concurrent_caller (gpointer data)
{
  for (int r = 0; r < 50; r++)
    {
      PoolJob job = { g_new0 (gint, 200), 0, NULL };
      attn_parallel_for (200, pool_fn, &job);
      for (int i = 0; i < 200; i++)
        g_assert_cmpint (job.hits[i], ==, 1);
      g_free (job.hits);
    }
  return NULL;
}

static void
test_pool (void)
{
  int saved = attn_parallel_get_threads ();
  Done d = { 0 };
  GThread *t;
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  g_mutex_init (&d.m);
  g_cond_init (&d.c);
  /* on its own thread, so that a deadlock fails the test instead of hanging it */
  t = g_thread_new ("pool-test", pool_thread, &d);
  g_mutex_lock (&d.m);
  while (!d.done)
    if (!g_cond_wait_until (&d.c, &d.m, deadline))
      g_error ("the worker pool did not finish within 20 s (deadlock?)");
  g_mutex_unlock (&d.m);
  g_thread_join (t);
  /* two callers at once: one gets the pool, the other runs serially */
  attn_parallel_set_threads (4);
  {
    GThread *a = g_thread_new ("caller-a", concurrent_caller, NULL);
    GThread *b = g_thread_new ("caller-b", concurrent_caller, NULL);
    g_thread_join (a);
    g_thread_join (b);
  }
  attn_parallel_set_threads (saved);
  g_mutex_clear (&d.m);
  g_cond_clear (&d.c);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (20240611);
  g_test_add_func ("/ops/attention/naive", test_attention);
  g_test_add_func ("/ops/attention/fully-masked", test_attention_fully_masked);
  g_test_add_func ("/ops/softmax", test_softmax);
  g_test_add_func ("/ops/exp", test_exp);
  g_test_add_func ("/ops/activations/libm", test_activations);
  g_test_add_func ("/ops/activations/parallel", test_activation_parallel);
  g_test_add_func ("/ops/layer-norm", test_layer_norm);
  g_test_add_func ("/ops/linear", test_linear);
  g_test_add_func ("/ops/conv1d", test_conv1d);
  g_test_add_func ("/ops/sinusoidal", test_sinusoidal);
  g_test_add_func ("/ops/convert/halves", test_convert);
  g_test_add_func ("/ops/convert/f16-write", test_f16_write);
  g_test_add_func ("/ops/top-k", test_top_k);
  g_test_add_func ("/ops/pool", test_pool);
  ret = g_test_run ();
  g_rand_free (rng);
  return ret;
}
