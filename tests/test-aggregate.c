/* test-aggregate.c — head means and maxima, attention rollout, top-k. */
#include <math.h>
#include <string.h>

#include "lens-aggregate.h"

static void
test_mean_max (void)
{
  /* 2 heads of 1 × 3 */
  const float layer[6] = { 0.2f, 0.3f, 0.5f,   0.6f, 0.3f, 0.1f };
  float mean[3], max[3];

  lens_aggregate_head_mean (layer, 2, 1, 3, mean);
  lens_aggregate_head_max (layer, 2, 1, 3, max);
  g_assert_cmpfloat_with_epsilon (mean[0], 0.4, 1e-6);
  g_assert_cmpfloat_with_epsilon (mean[1], 0.3, 1e-6);
  g_assert_cmpfloat_with_epsilon (mean[2], 0.3, 1e-6);
  g_assert_cmpfloat (max[0], ==, 0.6f);
  g_assert_cmpfloat (max[1], ==, 0.3f);
  g_assert_cmpfloat (max[2], ==, 0.5f);
}

/* Â = rownorm (0.5 A + 0.5 I); R = Â_1 Â_0, against a hand computation */
static void
test_rollout (void)
{
  /* 2 layers × 1 head × 2 × 2 */
  const float data[8] = {
    0.0f, 1.0f,   1.0f, 0.0f,     /* layer 0: swap */
    0.5f, 0.5f,   0.5f, 0.5f,     /* layer 1: uniform */
  };
  float r[4];

  /* through layer 0 only: Â_0 = [[.5 .5] [.5 .5]] */
  lens_aggregate_rollout (data, 2, 1, 2, 0, r);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (r[i], 0.5, 1e-6);

  /* layer 1: Â_1 = [[.75 .25] [.25 .75]]; Â_1 · Â_0 = [[.5 .5] [.5 .5]] */
  lens_aggregate_rollout (data, 2, 1, 2, 1, r);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (r[i], 0.5, 1e-6);
}

static void
test_rollout_identity_rows_sum (void)
{
  /* each layer attends to itself: rollout stays the identity; rows always sum to 1 */
  enum { N = 5, L = 3, H = 2 };
  float data[L * H * N * N] = { 0 };
  float r[N * N];

  for (int l = 0; l < L; l++)
    for (int h = 0; h < H; h++)
      for (int i = 0; i < N; i++)
        data[((l * H + h) * N + i) * N + i] = 1.0f;
  lens_aggregate_rollout (data, L, H, N, L - 1, r);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      g_assert_cmpfloat_with_epsilon (r[i * N + j], i == j ? 1.0 : 0.0, 1e-6);

  /* a causal, uneven pattern */
  memset (data, 0, sizeof data);
  for (int l = 0; l < L; l++)
    for (int h = 0; h < H; h++)
      for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++)
          data[((l * H + h) * N + i) * N + j] = 1.0f / (i + 1);
  lens_aggregate_rollout (data, L, H, N, L - 1, r);
  for (int i = 0; i < N; i++)
    {
      double sum = 0;
      for (int j = 0; j < N; j++)
        {
          sum += r[i * N + j];
          if (j > i)
            g_assert_cmpfloat (r[i * N + j], ==, 0.0f);   /* still causal */
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
    }
}

static void
test_top_k (void)
{
  const float logits[6] = { 1.0f, 3.0f, -2.0f, 3.5f, 0.0f, 2.0f };
  int index[3];
  float prob[3];
  double z = 0;

  for (int i = 0; i < 6; i++)
    z += exp (logits[i]);
  g_assert_cmpint (lens_top_k (logits, 6, 3, index, prob), ==, 3);
  g_assert_cmpint (index[0], ==, 3);
  g_assert_cmpint (index[1], ==, 1);
  g_assert_cmpint (index[2], ==, 5);
  g_assert_cmpfloat_with_epsilon (prob[0], exp (3.5) / z, 1e-6);
  g_assert_cmpfloat_with_epsilon (prob[2], exp (2.0) / z, 1e-6);
  g_assert_cmpint (lens_top_k (logits, 2, 5, index, prob), ==, 2);
}

static void
test_extract (void)
{
  const float m[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  const int rows[2] = { 0, 2 }, cols[2] = { 1, 2 };
  float out[4];

  lens_matrix_extract (m, 3, rows, 2, cols, 2, out);
  g_assert_cmpfloat (out[0], ==, 2);
  g_assert_cmpfloat (out[1], ==, 3);
  g_assert_cmpfloat (out[2], ==, 8);
  g_assert_cmpfloat (out[3], ==, 9);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/aggregate/mean-max", test_mean_max);
  g_test_add_func ("/aggregate/rollout", test_rollout);
  g_test_add_func ("/aggregate/rollout-identity-rows-sum", test_rollout_identity_rows_sum);
  g_test_add_func ("/aggregate/top-k", test_top_k);
  g_test_add_func ("/aggregate/extract", test_extract);
  return g_test_run ();
}
