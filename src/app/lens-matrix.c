/* lens-matrix.c — the rows and columns of a matrix that a view shows. */
#include "lens-matrix.h"

void
lens_matrix_extract (const float *src, int k,
                     const int *rows, int n_rows, const int *cols, int n_cols, float *dst)
{
  for (int r = 0; r < n_rows; r++)
    {
      const float *line = src + (gsize) rows[r] * k;

      for (int c = 0; c < n_cols; c++)
        dst[(gsize) r * n_cols + c] = line[cols[c]];
    }
}
