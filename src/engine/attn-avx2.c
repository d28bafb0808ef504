/* attn-avx2.c — attn-simd-attend.h's attention head over 256-bit AVX2 vectors with
 * FMA: each block of six query rows is multiplied sixteen columns at a time with 12
 * accumulator registers (of the 16 there are), four column groups per 64. */
#include "attn-avx2.h"

#include <math.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_AVX2_KERNEL 1
#include <immintrin.h>
#endif

static gboolean disabled;

gboolean
attn_avx2_available (void)
{
#ifdef HAVE_AVX2_KERNEL
  static int avx2 = -1;
  if (avx2 < 0)
    avx2 = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma")
           && g_getenv ("ATTN_NO_AVX2") == NULL ? 1 : 0;
  return avx2 && !g_atomic_int_get (&disabled);
#else
  return FALSE;
#endif
}

void
attn_avx2_set_enabled (gboolean enabled)
{
  g_atomic_int_set (&disabled, !enabled);
}

#ifdef HAVE_AVX2_KERNEL

#define AVX2 __attribute__((target ("avx2,fma")))
#define LANES 8

/* exp(x) for x ≤ 0: the reduction and polynomial of attn-avx512.c's exp16, with 2^n
 * made from its exponent bits (n ≥ −126 for x ≥ −87, a normal float); exactly 0
 * below −87. */
static inline AVX2 __m256
exp8 (__m256 x)
{
  __m256 xc = _mm256_max_ps (x, _mm256_set1_ps (-87.0f));
  __m256 n = _mm256_floor_ps (_mm256_fmadd_ps (xc, _mm256_set1_ps (1.44269504088896341f),
                                               _mm256_set1_ps (0.5f)));
  __m256 r = _mm256_fnmadd_ps (n, _mm256_set1_ps (0.693359375f), xc);
  __m256 z, p, pow2n;
  r = _mm256_fnmadd_ps (n, _mm256_set1_ps (-2.12194440e-4f), r);
  z = _mm256_mul_ps (r, r);
  p = _mm256_fmadd_ps (_mm256_set1_ps (1.9875691500e-4f), r, _mm256_set1_ps (1.3981999507e-3f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (8.3334519073e-3f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (4.1665795894e-2f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.6666665459e-1f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (5.0000001201e-1f));
  p = _mm256_fmadd_ps (p, z, _mm256_add_ps (r, _mm256_set1_ps (1.0f)));
  pow2n = _mm256_castsi256_ps (_mm256_slli_epi32 (
      _mm256_add_epi32 (_mm256_cvtps_epi32 (n), _mm256_set1_epi32 (127)), 23));
  p = _mm256_mul_ps (p, pow2n);
  return _mm256_and_ps (p, _mm256_cmp_ps (x, _mm256_set1_ps (-87.0f), _CMP_GE_OQ));
}

static inline AVX2 float
v_reduce_max (__m256 v)
{
  __m128 m = _mm_max_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));
  m = _mm_max_ps (m, _mm_movehl_ps (m, m));
  m = _mm_max_ss (m, _mm_shuffle_ps (m, m, 1));
  return _mm_cvtss_f32 (m);
}

static inline AVX2 float
v_reduce_add (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));
  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_shuffle_ps (s, s, 1));
  return _mm_cvtss_f32 (s);
}

#define VEC           __m256
#define NV            2
#define SIMD          AVX2
#define v_exp         exp8
#define VOP(op)       _mm256_##op##_ps
#include "attn-simd-attend.h"

#endif

void
attn_avx2_attend_head (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                       int tq, int tk, float scale, int causal_offset, const guint8 *key_mask,
                       float *probs, float *out, int ldo)
{
#ifdef HAVE_AVX2_KERNEL
  attend_head (q, ldq, k, ldk, v, ldv, tq, tk, scale, causal_offset, key_mask, probs, out, ldo);
#else
  (void) q; (void) ldq; (void) k; (void) ldk; (void) v; (void) ldv; (void) tq; (void) tk;
  (void) scale; (void) causal_offset; (void) key_mask; (void) probs; (void) out; (void) ldo;
#endif
}
