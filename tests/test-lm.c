/* test-lm.c — the language-model measures of attn-lm.h on hand-computed cases:
 * token loss, perplexity, bits per byte, and the induction-head score on a
 * hand-built attention tensor. */
#include <math.h>
#include <string.h>
#include <glib.h>

#include "attn-lm.h"

static void
test_nll (void)
{
  /* softmax (0, ln 2, ln 3) = (1/6, 2/6, 3/6) */
  const float logits[3] = { 0.0f, (float) G_LN2, (float) log (3.0) };
  const float shifted[3] = { 1000.0f, 1000.0f + (float) G_LN2, 1000.0f + (float) log (3.0) };

  g_assert_cmpfloat (fabs (attn_lm_token_nll (logits, 3, 0) - log (6.0)), <, 1e-6);
  g_assert_cmpfloat (fabs (attn_lm_token_nll (logits, 3, 2) - G_LN2), <, 1e-6);
  /* large logits do not overflow */
  g_assert_cmpfloat (fabs (attn_lm_token_nll (shifted, 3, 1) - log (3.0)), <, 1e-4);
}

static void
test_perplexity (void)
{
  /* two tokens with p = 1/2 and 1/8: mean loss 2 ln 2, perplexity 4 */
  double nll = log (2.0) + log (8.0);
  g_assert_cmpfloat (fabs (attn_lm_perplexity (nll, 2) - 4.0), <, 1e-12);
  g_assert_cmpfloat (attn_lm_perplexity (nll, 0), ==, 0.0);
  /* 4 ln 2 nats over 2 bytes: 2 bits per byte */
  g_assert_cmpfloat (fabs (attn_lm_bits_per_byte (4 * G_LN2, 2) - 2.0), <, 1e-12);
  g_assert_cmpfloat (attn_lm_bits_per_byte (1.0, 0), ==, 0.0);
}

/* One layer, three heads over separator + 3 tokens + the same 3 tokens (7 positions):
 * head 0 is a perfect induction head, head 1 a previous-token head, head 2 uniform
 * over the causal prefix. */
static void
test_induction_scores (void)
{
  enum { N = 7, FIRST = 1, PERIOD = 3 };
  float data[3 * N * N] = { 0 };
  AttnWeights w = { 1, 3, N, N, data, TRUE };
  double scores[3];

  for (int i = 0; i < N; i++)
    {
      float *ind = data + i * N, *prev = data + N * N + i * N, *uni = data + 2 * N * N + i * N;
      /* the induction target of query i in the second copy is key i − 2 */
      ind[i >= FIRST + PERIOD ? i - PERIOD + 1 : i] = 1.0f;
      prev[i > 0 ? i - 1 : 0] = 1.0f;
      for (int j = 0; j <= i; j++)
        uni[j] = 1.0f / (i + 1);
    }
  attn_induction_scores (&w, FIRST, PERIOD, scores);
  g_assert_cmpfloat (fabs (scores[0] - 1.0), <, 1e-9);
  g_assert_cmpfloat (fabs (scores[1] - 0.0), <, 1e-9);
  /* queries 4, 5, 6 with 5, 6, 7 keys each */
  g_assert_cmpfloat (fabs (scores[2] - (1.0 / 5 + 1.0 / 6 + 1.0 / 7) / 3), <, 1e-7);

  /* head 1 is the previous-token head */
  attn_offset_scores (&w, 1, N, 1, scores);
  g_assert_cmpfloat (fabs (scores[1] - 1.0), <, 1e-9);
  g_assert_cmpfloat (fabs (scores[2] - (1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5 + 1.0 / 6 + 1.0 / 7) / 6),
                     <, 1e-7);

  /* half of the induction head's weight moved to the previous token: 0.5 */
  for (int i = FIRST + PERIOD; i < N; i++)
    {
      data[i * N + i - PERIOD + 1] = 0.5f;
      data[i * N + i - 1] += 0.5f;
    }
  attn_induction_scores (&w, FIRST, PERIOD, scores);
  g_assert_cmpfloat (fabs (scores[0] - 0.5), <, 1e-9);
}

static void
test_induction_sequence (void)
{
  gint32 a[101], b[101], c[101];
  int n = attn_induction_sequence (5, 10, 200, 50, 0, a);

  g_assert_cmpint (n, ==, 101);
  g_assert_cmpint (a[0], ==, 0);
  for (int i = 0; i < 50; i++)
    {
      g_assert_cmpint (a[1 + i], ==, a[51 + i]);
      g_assert_cmpint (a[1 + i], >=, 10);
      g_assert_cmpint (a[1 + i], <, 200);
      for (int j = 0; j < i; j++)
        g_assert_cmpint (a[1 + i], !=, a[1 + j]);
    }
  /* the same seed gives the same sequence, another seed another one */
  g_assert_cmpint (attn_induction_sequence (5, 10, 200, 50, 0, b), ==, 101);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  g_assert_cmpint (attn_induction_sequence (6, 10, 200, 50, 0, c), ==, 101);
  g_assert_true (memcmp (a, c, sizeof a) != 0);
  /* no separator */
  g_assert_cmpint (attn_induction_sequence (5, 10, 200, 50, -1, b), ==, 100);
  g_assert_cmpint (b[0], ==, b[50]);
  /* a range smaller than the period */
  g_assert_cmpint (attn_induction_sequence (5, 10, 20, 50, 0, b), ==, -1);
  /* exactly the period: a permutation */
  g_assert_cmpint (attn_induction_sequence (5, 10, 60, 50, -1, b), ==, 100);
}

/* Separator + 3 tokens twice over a vocabulary of 3: the rows that predict the first
 * copy are uniform (ln 3 per token), those that predict the second give the right
 * token 1/2 (softmax of (ln 2, 0, 0) picks it) — copy tokens 1 and 2 of each count. */
static void
test_induction_copy_nll (void)
{
  const gint32 ids[7] = { 0, 1, 2, 0, 1, 2, 0 };
  float logits[7 * 3] = { 0 };
  double a, b;

  for (int i = 4; i < 6; i++)       /* rows 4 and 5 predict ids[5] and ids[6] */
    logits[i * 3 + ids[i + 1]] = (float) G_LN2;
  attn_induction_copy_nll (logits, 3, ids, 1, 3, &a, &b);
  g_assert_cmpfloat (fabs (a - 2 * log (3.0)), <, 1e-6);
  g_assert_cmpfloat (fabs (b - 2 * G_LN2), <, 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lm/nll", test_nll);
  g_test_add_func ("/lm/perplexity", test_perplexity);
  g_test_add_func ("/lm/induction-scores", test_induction_scores);
  g_test_add_func ("/lm/induction-sequence", test_induction_sequence);
  g_test_add_func ("/lm/induction-copy-nll", test_induction_copy_nll);
  return g_test_run ();
}
