/* attn-avx512.h — AVX-512 kernels (attn-avx512.c) that attn-ops.c uses where the
 * processor has AVX-512F; on other processors, and in builds for other
 * architectures, these do nothing and attn_avx512_available() is FALSE. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ATTN_AVX512_HEAD_WIDTH 64   /* the one head width attn_avx512_attend_head() takes */

/* FALSE also when switched off: by attn_avx512_set_enabled (FALSE), for tests and
 * benchmarks that compare with the portable code, or by ATTN_NO_AVX512 in the environment. */
gboolean attn_avx512_available   (void);
void     attn_avx512_set_enabled (gboolean enabled);

/* One head of width 64, as attn-ops.c's attention_head(): probs[tq × tk] receives the
 * softmax probabilities (causal_offset ≥ 0 masks keys past query + offset; key_mask[j]
 * = 0 masks key j; a row with every key masked is zeros), out[tq × 64] (row stride ldo)
 * the weighted values. */
void     attn_avx512_attend_head (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                                  int tq, int tk, float scale, int causal_offset, const guint8 *key_mask,
                                  float *probs, float *out, int ldo);

/* x ← x Φ(x), with erf as attn-ops.c's portable GELU computes it. */
void     attn_avx512_gelu_erf    (float *x, gsize n);

G_END_DECLS
