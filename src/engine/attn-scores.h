/* attn-scores.h — the attention score functions and normalisers teachers compare.
 *
 * For one query q [d] against keys K [n, d]:
 *   dot        (Luong)     s_j = q·k_j
 *   scaled dot (Vaswani)   s_j = q·k_j / √d
 *   general    (Luong)     s_j = q·W·k_j            W [d, d]
 *   additive   (Bahdanau)  s_j = vᵀ tanh(W_q q + W_k k_j)   W_q [a, d], W_k [a, d], v [a]
 * and beside softmax, sparsemax (Martins & Astudillo, 2016), which gives exact zeros,
 * and the local-window and strided masks of sparse-attention models. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ATTN_SCORE_DOT,
  ATTN_SCORE_SCALED_DOT,
  ATTN_SCORE_GENERAL,
  ATTN_SCORE_ADDITIVE,
} AttnScoreKind;

const char *attn_score_name      (AttnScoreKind kind);         /* "dot", "scaled-dot", "general", "additive" */
gboolean    attn_score_from_name (const char *name, AttnScoreKind *kind);

typedef struct {
  const float *w;     /* general: [d, d] */
  const float *wq;    /* additive: [a, d] */
  const float *wk;    /* additive: [a, d] */
  const float *v;     /* additive: [a] */
  int          a;     /* additive: hidden size */
} AttnScoreParams;

/* Scores of q [d] against keys [n, d] into out [n]. */
void attn_scores          (AttnScoreKind kind, const float *q, const float *keys, int n, int d,
                           const AttnScoreParams *params, float *out);

/* p = sparsemax(z): the Euclidean projection of z onto the probability simplex. */
void attn_sparsemax       (const float *z, int n, float *p);

/* Masks scores [tq, tk] in place with -INFINITY outside the pattern:
 * local: |i − j| ≤ window; strided: j ≤ i and (i − j < stride or (i − j) mod stride = 0)
 * (the two heads of Child et al., 2019, in one pattern). */
void attn_mask_local      (float *scores, int tq, int tk, int window);
void attn_mask_strided    (float *scores, int tq, int tk, int stride);

G_END_DECLS
