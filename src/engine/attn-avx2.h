/* attn-avx2.h — the attention-head kernel of attn-avx512.h over 256-bit AVX2 + FMA
 * vectors (attn-avx2.c), for processors without AVX-512F; attn-ops.c prefers the
 * AVX-512 kernel where there is one. On other processors, and in builds for other
 * architectures, these do nothing and attn_avx2_available() is FALSE. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ATTN_AVX2_HEAD_WIDTH 64   /* the one head width attn_avx2_attend_head() takes */

/* FALSE also when switched off: by attn_avx2_set_enabled (FALSE), for tests and
 * benchmarks that compare with the portable code, or by ATTN_NO_AVX2 in the environment. */
gboolean attn_avx2_available   (void);
void     attn_avx2_set_enabled (gboolean enabled);

/* As attn_avx512_attend_head (). */
void     attn_avx2_attend_head (const float *q, int ldq, const float *k, int ldk, const float *v, int ldv,
                                int tq, int tk, float scale, int causal_offset, const guint8 *key_mask,
                                float *probs, float *out, int ldo);

G_END_DECLS
