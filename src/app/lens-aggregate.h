/* lens-aggregate.h — aggregates over heads and layers (pure, float arrays).
 *
 * These summarise attention weights; they are not explanations of a
 * prediction, and the views label them so. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* layer: [heads, q, k]; out: [q, k] */
void lens_aggregate_head_mean (const float *layer, int heads, int q, int k, float *out);
void lens_aggregate_head_max  (const float *layer, int heads, int q, int k, float *out);

/* Attention rollout (Abnar & Zuidema, 2020) through layers 0 … last:
 * Â_l = rownorm (0.5 · mean_heads (A_l) + 0.5 · I);  R = Â_last · … · Â_0.
 * data: [layers, heads, n, n]; out: [n, n]. */
void lens_aggregate_rollout   (const float *data, int layers, int heads, int n, int last, float *out);

/* Copies the rows and columns named by the index lists out of a q × k matrix. */
void lens_matrix_extract      (const float *src, int k,
                               const int *rows, int n_rows, const int *cols, int n_cols,
                               float *dst);

/* Softmax of a row of logits, then the k largest: indices and probabilities. */
int  lens_top_k               (const float *logits, int n, int k, int *index, float *prob);

G_END_DECLS
