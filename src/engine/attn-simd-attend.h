/* attn-simd-attend.h — one attention head of width 64 in one pass over blocks of six
 * query rows, written once over a vector type. attn-avx512.c and attn-avx2.c include
 * it after defining, for their instruction set:
 *
 *   VEC, LANES         the vector type and its floats
 *   NV                 vectors per column group of block_product (NV × LANES columns,
 *                      ROWS × NV accumulators must fit the registers)
 *   SIMD               the function attribute that enables the instruction set
 *   VOP(op)            the intrinsic _mm…_op_ps (setzero, set1, load, store: aligned,
 *                      add, sub, mul, max, fmadd)
 *   v_exp (x)          e^x for x ≤ 0, exactly 0 below −87 (masked keys)
 *   v_reduce_max (v), v_reduce_add (v)
 *
 * Scores, masks, softmax and α·v stay in the first-level cache and only the
 * probabilities (which are recorded anyway) and the output leave it.
 *
 * Why not sgemm: the two products of a head have an inner or outer size of 64 (the
 * head width). For them OpenBLAS spends as long packing the 1500 × 1500 probability
 * matrix as it does multiplying, and the scores make three more trips through memory
 * for the softmax. Here keys are transposed once per head, and each block of six rows
 * is multiplied with ROWS × NV accumulator registers. */
#pragma once

#include <math.h>
#include <string.h>

#include "attn-alloc.h"

#define ROWS 6      /* query rows per block */
#define DH   64     /* head width this kernel is written for */
#define GROUP (NV * LANES)

/* The kernel of both products: out[r][0..cols) = Σ_i a[r·a_row + i] b[i·b_step + 0..cols)
 * for the ROWS rows, i < n, one group of NV vectors of columns at a time. b's rows
 * are 64-byte aligned; cols is a multiple of GROUP. */
static inline __attribute__((always_inline)) SIMD void
block_product (const float *a, gsize a_row, const float *b, gsize b_step, int n, int cols,
               float *out, gsize out_row)
{
  for (int c0 = 0; c0 < cols; c0 += GROUP)
    {
      VEC acc[ROWS][NV];
      #pragma GCC unroll 8
      for (int r = 0; r < ROWS; r++)
        #pragma GCC unroll 8
        for (int x = 0; x < NV; x++)
          acc[r][x] = VOP (setzero) ();
      for (int i = 0; i < n; i++)
        {
          const float *bi = b + (gsize) i * b_step + c0;
          VEC bv[NV];
          #pragma GCC unroll 8
          for (int x = 0; x < NV; x++)
            bv[x] = VOP (load) (bi + x * LANES);
          #pragma GCC unroll 8
          for (int r = 0; r < ROWS; r++)
            {
              VEC ar = VOP (set1) (a[r * a_row + i]);
              #pragma GCC unroll 8
              for (int x = 0; x < NV; x++)
                acc[r][x] = VOP (fmadd) (ar, bv[x], acc[r][x]);
            }
        }
      #pragma GCC unroll 8
      for (int r = 0; r < ROWS; r++)
        #pragma GCC unroll 8
        for (int x = 0; x < NV; x++)
          VOP (store) (out + r * out_row + c0 + x * LANES, acc[r][x]);
    }
}

/* s[r][0..tkp) = q_r · k_j for the (scaled) query rows in qs, 64 keys at a time. */
static SIMD void
scores_block (const float *qs, const float *kt, int tkp, float *s)
{
  for (int j0 = 0; j0 < tkp; j0 += DH)
    block_product (qs, DH, kt + j0, tkp, DH, DH, s + j0, tkp);
}

/* Softmax of one row of tkp scores in place (masked entries −inf). FALSE when every
 * key is masked (the row is then zeros). */
static SIMD gboolean
softmax_row (float *s, int tkp)
{
  VEC mx = VOP (set1) (-INFINITY), sum = VOP (setzero) (), inv;
  float m;
  for (int j = 0; j < tkp; j += LANES)
    mx = VOP (max) (mx, VOP (load) (s + j));
  m = v_reduce_max (mx);
  if (m == -INFINITY)
    {
      memset (s, 0, tkp * sizeof (float));
      return FALSE;
    }
  mx = VOP (set1) (m);
  for (int j = 0; j < tkp; j += LANES)
    {
      VEC e = v_exp (VOP (sub) (VOP (load) (s + j), mx));
      VOP (store) (s + j, e);
      sum = VOP (add) (sum, e);
    }
  inv = VOP (set1) (1.0f / v_reduce_add (sum));
  for (int j = 0; j < tkp; j += LANES)
    VOP (store) (s + j, VOP (mul) (VOP (load) (s + j), inv));
  return TRUE;
}

/* out_r = Σ_j p[r][j] v_j for the rows (v contiguous, 64-byte aligned). */
static SIMD void
values_block (const float *p, int tkp, const float *v, int tk, float *o)
{
  block_product (p, tkp, v, DH, tk, DH, o, DH);
}

/* As attn-ops.c's attention_head () for a head of width 64 (see attn-avx512.h). */
static SIMD void
attend_head (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
             int tq, int tk, float scale, int causal_offset, const guint8 *key_mask,
             float *probs, float *out, int ldo)
{
  int tkp = (tk + DH - 1) / DH * DH;
  /* keys transposed and padded: kt[c][j], zeros past tk */
  ATTN_BUF buf = attn_alloc_floats ((gsize) (2 * DH + ROWS) * tkp + 2 * ROWS * DH + 16, FALSE);
  float *kt = (float *) (((guintptr) buf + 63) & ~(guintptr) 63);
  float *vc = kt + (gsize) DH * tkp, *s = vc + (gsize) DH * tkp, *qs = s + (gsize) ROWS * tkp, *o = qs + ROWS * DH;

  for (int c = 0; c < DH; c++)
    memset (kt + (gsize) c * tkp + tk, 0, (tkp - tk) * sizeof (float));
  /* sixteen keys at a time: their rows stay in cache while each row of kt gets a
   * whole cache line */
  for (int j0 = 0; j0 < tk; j0 += 16)
    {
      int n = MIN (16, tk - j0);
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
