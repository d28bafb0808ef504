/* attn-avx512.c — kernels written for AVX-512 where the compiler's vectoriser falls
 * short: one attention head, and the erf GELU.
 *
 * The head is computed in one pass over blocks of six query rows: scores, masks,
 * softmax and α·v stay in the first-level cache and only the probabilities (which are
 * recorded anyway) and the output leave it.
 *
 * Why not sgemm: the two products of a head have an inner or outer size of 64 (the
 * head width). For them OpenBLAS spends as long packing the 1500 × 1500 probability
 * matrix as it does multiplying, and the scores make three more trips through memory
 * for the softmax. Here keys are transposed once per head, and each block of six rows
 * is multiplied with 24 accumulator registers (six rows × 64 columns).
 *
 * attn-ops.c calls these on processors with AVX-512F (heads of width 64 only);
 * everything else goes through its portable code. */
#include "attn-avx512.h"
#include "attn-alloc.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_AVX512_KERNEL 1
/* GCC 12's own intrinsics (_mm512_undefined_ps) trip this warning: GCC bug 105593 */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#endif

#define ROWS 6      /* query rows per block */
#define DH   64     /* head width this kernel is written for */
#define LANES 16

static gboolean disabled;

gboolean
attn_avx512_available (void)
{
#ifdef HAVE_AVX512_KERNEL
  static int avx512 = -1;
  if (avx512 < 0)
    avx512 = __builtin_cpu_supports ("avx512f") && g_getenv ("ATTN_NO_AVX512") == NULL ? 1 : 0;
  return avx512 && !g_atomic_int_get (&disabled);
#else
  return FALSE;
#endif
}

void
attn_avx512_set_enabled (gboolean enabled)
{
  g_atomic_int_set (&disabled, !enabled);
}

#ifdef HAVE_AVX512_KERNEL

#define AVX512 __attribute__((target ("avx512f")))

/* exp(x) for x ≤ 0 (scores minus their row maximum): the same reduction and
 * polynomial as attn-ops.c's exp_kernel; exactly 0 below −87 (masked keys). */
static inline AVX512 __m512
exp16 (__m512 x)
{
  __m512 xc = _mm512_max_ps (x, _mm512_set1_ps (-87.0f));
  __m512 n = _mm512_roundscale_ps (_mm512_fmadd_ps (xc, _mm512_set1_ps (1.44269504088896341f),
                                                    _mm512_set1_ps (0.5f)),
                                   _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps (n, _mm512_set1_ps (0.693359375f), xc);
  __m512 z, p;
  r = _mm512_fnmadd_ps (n, _mm512_set1_ps (-2.12194440e-4f), r);
  z = _mm512_mul_ps (r, r);
  p = _mm512_fmadd_ps (_mm512_set1_ps (1.9875691500e-4f), r, _mm512_set1_ps (1.3981999507e-3f));
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (8.3334519073e-3f));
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (4.1665795894e-2f));
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (1.6666665459e-1f));
  p = _mm512_fmadd_ps (p, r, _mm512_set1_ps (5.0000001201e-1f));
  p = _mm512_fmadd_ps (p, z, _mm512_add_ps (r, _mm512_set1_ps (1.0f)));
  p = _mm512_scalef_ps (p, n);
  return _mm512_maskz_mov_ps (_mm512_cmp_ps_mask (x, _mm512_set1_ps (-87.0f), _CMP_GE_OQ), p);
}

/* The kernel of both products: out[r][0..64) = Σ_i a[r·a_row + i] b[i·b_step + 0..64)
 * for the ROWS rows, i < n, with ROWS × 4 accumulator registers. b's rows are
 * 64-byte aligned. */
static inline __attribute__((always_inline)) AVX512 void
block_product (const float *a, gsize a_row, const float *b, gsize b_step, int n, float *out, gsize out_row)
{
  __m512 acc[ROWS][4];
  #pragma GCC unroll 8
  for (int r = 0; r < ROWS; r++)
    #pragma GCC unroll 8
    for (int x = 0; x < 4; x++)
      acc[r][x] = _mm512_setzero_ps ();
  for (int i = 0; i < n; i++)
    {
      const float *bi = b + (gsize) i * b_step;
      __m512 b0 = _mm512_load_ps (bi), b1 = _mm512_load_ps (bi + 16);
      __m512 b2 = _mm512_load_ps (bi + 32), b3 = _mm512_load_ps (bi + 48);
      #pragma GCC unroll 8
      for (int r = 0; r < ROWS; r++)
        {
          __m512 ar = _mm512_set1_ps (a[r * a_row + i]);
          acc[r][0] = _mm512_fmadd_ps (ar, b0, acc[r][0]);
          acc[r][1] = _mm512_fmadd_ps (ar, b1, acc[r][1]);
          acc[r][2] = _mm512_fmadd_ps (ar, b2, acc[r][2]);
          acc[r][3] = _mm512_fmadd_ps (ar, b3, acc[r][3]);
        }
    }
  #pragma GCC unroll 8
  for (int r = 0; r < ROWS; r++)
    #pragma GCC unroll 8
    for (int x = 0; x < 4; x++)
      _mm512_store_ps (out + r * out_row + x * LANES, acc[r][x]);
}

/* s[r][0..tkp) = q_r · k_j for the (scaled) query rows in qs, 64 keys at a time. */
static AVX512 void
scores_block (const float *qs, const float *kt, int tkp, float *s)
{
  for (int j0 = 0; j0 < tkp; j0 += 4 * LANES)
    block_product (qs, DH, kt + j0, tkp, DH, s + j0, tkp);
}

/* Softmax of one row of tkp scores in place (masked entries −inf). FALSE when every
 * key is masked (the row is then zeros). */
static AVX512 gboolean
softmax_row (float *s, int tkp)
{
  __m512 mx = _mm512_set1_ps (-INFINITY), sum = _mm512_setzero_ps (), inv;
  float m;
  for (int j = 0; j < tkp; j += LANES)
    mx = _mm512_max_ps (mx, _mm512_load_ps (s + j));
  m = _mm512_reduce_max_ps (mx);
  if (m == -INFINITY)
    {
      memset (s, 0, tkp * sizeof (float));
      return FALSE;
    }
  mx = _mm512_set1_ps (m);
  for (int j = 0; j < tkp; j += LANES)
    {
      __m512 e = exp16 (_mm512_sub_ps (_mm512_load_ps (s + j), mx));
      _mm512_store_ps (s + j, e);
      sum = _mm512_add_ps (sum, e);
    }
  inv = _mm512_set1_ps (1.0f / _mm512_reduce_add_ps (sum));
  for (int j = 0; j < tkp; j += LANES)
    _mm512_store_ps (s + j, _mm512_mul_ps (_mm512_load_ps (s + j), inv));
  return TRUE;
}

/* out_r = Σ_j p[r][j] v_j for the rows (v contiguous, 64-byte aligned). */
static AVX512 void
values_block (const float *p, int tkp, const float *v, int tk, float *o)
{
  block_product (p, tkp, v, DH, tk, o, DH);
}

static AVX512 void
attend_head (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
             int tq, int tk, float scale, int causal_offset, const guint8 *key_mask,
             float *probs, float *out, int ldo)
{
  int tkp = (tk + 4 * LANES - 1) / (4 * LANES) * (4 * LANES);
  /* keys transposed and padded: kt[c][j], zeros past tk */
  ATTN_BUF buf = attn_alloc_floats ((gsize) (2 * DH + ROWS) * tkp + 2 * ROWS * DH + LANES, FALSE);
  float *kt = (float *) (((guintptr) buf + 63) & ~(guintptr) 63);
  float *vc = kt + (gsize) DH * tkp, *s = vc + (gsize) DH * tkp, *qs = s + (gsize) ROWS * tkp, *o = qs + ROWS * DH;

  for (int c = 0; c < DH; c++)
    memset (kt + (gsize) c * tkp + tk, 0, (tkp - tk) * sizeof (float));
  /* sixteen keys at a time: their rows stay in cache while each row of kt gets a
   * whole cache line */
  for (int j0 = 0; j0 < tk; j0 += LANES)
    {
      int n = MIN (LANES, tk - j0);
      for (int c = 0; c < DH; c++)
        for (int j = 0; j < n; j++)
          kt[(gsize) c * tkp + j0 + j] = k[(gsize) (j0 + j) * ldk + c];
    }
  for (int j = 0; j < tk; j++)
    memcpy (vc + (gsize) j * DH, v + (gsize) j * ldv, DH * sizeof (float));

  for (int i0 = 0; i0 < tq; i0 += ROWS)
    {
      int rows = MIN (ROWS, tq - i0);
      memset (qs, 0, ROWS * DH * sizeof (float));
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < DH; c++)
          qs[r * DH + c] = q[(gsize) (i0 + r) * ldq + c] * scale;
      scores_block (qs, kt, tkp, s);
      for (int r = 0; r < rows; r++)
        {
          float *sr = s + (gsize) r * tkp;
          int limit = causal_offset >= 0 ? MIN (tk, i0 + r + causal_offset + 1) : tk;
          for (int j = limit; j < tkp; j++)
            sr[j] = -INFINITY;
          if (key_mask != NULL)
            for (int j = 0; j < limit; j++)
              if (!key_mask[j])
                sr[j] = -INFINITY;
          softmax_row (sr, tkp);
          memcpy (probs + (gsize) (i0 + r) * tk, sr, tk * sizeof (float));
        }
      for (int r = rows; r < ROWS; r++)
        memset (s + (gsize) r * tkp, 0, tkp * sizeof (float));
      values_block (s, tkp, vc, tk, o);
      for (int r = 0; r < rows; r++)
        memcpy (out + (gsize) (i0 + r) * ldo, o + r * DH, DH * sizeof (float));
    }
}

/* 0.5 x (1 + erf(x / √2)), erf by Abramowitz & Stegun 7.1.26 as in attn-ops.c */
static AVX512 void
gelu_erf (float *x, gsize n)
{
  for (gsize i = 0; i < n; i += LANES)
    {
      __mmask16 m = n - i >= LANES ? 0xffff : (__mmask16) ((1u << (n - i)) - 1);
      __m512 v = _mm512_maskz_loadu_ps (m, x + i);
      __m512 z = _mm512_mul_ps (v, _mm512_set1_ps (0.70710678118654752f));
      __m512 az = _mm512_abs_ps (z);
      __m512 t = _mm512_div_ps (_mm512_set1_ps (1.0f), _mm512_fmadd_ps (az, _mm512_set1_ps (0.3275911f), _mm512_set1_ps (1.0f)));
      __m512 poly = _mm512_fmadd_ps (_mm512_set1_ps (1.061405429f), t, _mm512_set1_ps (-1.453152027f));
      __m512 y;
      poly = _mm512_fmadd_ps (poly, t, _mm512_set1_ps (1.421413741f));
      poly = _mm512_fmadd_ps (poly, t, _mm512_set1_ps (-0.284496736f));
      poly = _mm512_fmadd_ps (poly, t, _mm512_set1_ps (0.254829592f));
      poly = _mm512_mul_ps (poly, t);
      y = _mm512_fnmadd_ps (poly, exp16 (_mm512_fnmadd_ps (z, z, _mm512_setzero_ps ())), _mm512_set1_ps (1.0f));
      /* erf is odd */
      y = _mm512_mask_sub_ps (y, _mm512_cmp_ps_mask (z, _mm512_setzero_ps (), _CMP_LT_OQ), _mm512_setzero_ps (), y);
      v = _mm512_mul_ps (_mm512_mul_ps (v, _mm512_set1_ps (0.5f)), _mm512_add_ps (y, _mm512_set1_ps (1.0f)));
      _mm512_mask_storeu_ps (x + i, m, v);
    }
}

#endif

void
attn_avx512_attend_head (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                         int tq, int tk, float scale, int causal_offset, const guint8 *key_mask,
                         float *probs, float *out, int ldo)
{
#ifdef HAVE_AVX512_KERNEL
  attend_head (q, ldq, k, ldk, v, ldv, tq, tk, scale, causal_offset, key_mask, probs, out, ldo);
#else
  (void) q; (void) ldq; (void) k; (void) ldk; (void) v; (void) ldv; (void) tq; (void) tk;
  (void) scale; (void) causal_offset; (void) key_mask; (void) probs; (void) out; (void) ldo;
#endif
}

void
attn_avx512_gelu_erf (float *x, gsize n)
{
#ifdef HAVE_AVX512_KERNEL
  gelu_erf (x, n);
#else
  (void) x; (void) n;
#endif
}
