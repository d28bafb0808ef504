/* lens-matrix.h — the rows and columns of a matrix that a view shows (special tokens
 * can be hidden). Aggregates over heads and layers come from the engine (attn-analysis.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Copies the rows and columns named by the index lists out of a q × k matrix. */
void lens_matrix_extract (const float *src, int k,
                          const int *rows, int n_rows, const int *cols, int n_cols,
                          float *dst);

G_END_DECLS
