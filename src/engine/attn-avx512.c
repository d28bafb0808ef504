/* attn-avx512.c — kernels written for AVX-512 where the compiler's vectoriser falls
 * short: one attention head (attn-simd-attend.h over 512-bit vectors: each block of six
 * query rows is multiplied with 24 accumulator registers, six rows × 64 columns), and
 * the erf GELU.
 *
 * attn-ops.c calls these on processors with AVX-512F (heads of width 64 only);
 * everything else goes through its portable code. */
#include "attn-avx512.h"

#include <math.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_AVX512_KERNEL 1
/* GCC 12's own intrinsics (_mm512_undefined_ps) trip this warning: GCC bug 105593 */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#endif

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

static inline AVX512 float
v_reduce_max (__m512 v)
{
  return _mm512_reduce_max_ps (v);
}

static inline AVX512 float
v_reduce_add (__m512 v)
{
  return _mm512_reduce_add_ps (v);
}

#define VEC           __m512
#define NV            4
#define SIMD          AVX512
#define v_exp         exp16
#define VOP(op)       _mm512_##op##_ps
#include "attn-simd-attend.h"

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
