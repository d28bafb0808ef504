/* test-analysis.c — aggregates, word alignments, AER and word timings on
 * hand-computed cases. */
#include "attn-analysis.h"
#include "attn-error.h"
#include "attn-ops.h"
#include "attn-scores.h"
#include "attn-timing.h"
#include "test-common.h"

#include <math.h>
#include <string.h>

static AttnWeights *
weights_from (int layers, int heads, int q, int k, const float *data)
{
  AttnWeights *w = attn_weights_new (layers, heads, q, k);
  memcpy (w->data, data, (gsize) layers * heads * q * k * sizeof (float));
  return w;
}

static void
assert_floats (const float *got, const float *want, int n, double tol)
{
  for (int i = 0; i < n; i++)
    if (fabs (got[i] - want[i]) > tol)
      g_error ("value %d is %g, expected %g", i, got[i], want[i]);
}

static void
test_head_aggregates (void)
{
  /* 1 layer, 2 heads, 1×2 */
  const float d[] = { 0.2f, 0.8f, 0.6f, 0.4f };
  AttnWeights *w = weights_from (1, 2, 1, 2, d);
  float out[2];
  attn_head_mean (w, 0, out);
  assert_floats (out, (float[]) { 0.4f, 0.6f }, 2, 1e-6);
  attn_head_max (w, 0, out);
  assert_floats (out, (float[]) { 0.6f, 0.8f }, 2, 1e-6);
  attn_weights_free (w);
}

static void
test_rollout (void)
{
  /* A = [[1,0],[.5,.5]] in both layers, one head.
   * Â = .5A + .5I = [[1,0],[.25,.75]];  Â·Â = [[1,0],[.25+.75·.25, .75²]] = [[1,0],[.4375,.5625]] */
  const float a[] = { 1, 0, 0.5f, 0.5f, 1, 0, 0.5f, 0.5f };
  float out[4];
  attn_rollout (a, 2, 1, 2, 0, out);
  assert_floats (out, (float[]) { 1, 0, 0.25f, 0.75f }, 4, 1e-6);
  attn_rollout (a, 2, 1, 2, 1, out);
  assert_floats (out, (float[]) { 1, 0, 0.4375f, 0.5625f }, 4, 1e-6);
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
  attn_rollout (data, L, H, N, L - 1, r);
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
  attn_rollout (data, L, H, N, L - 1, r);
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
test_norm_weighted (void)
{
  /* α = [.5, .5], ‖f(x)‖ = [1, 3] → [.5, 1.5] / 2 = [.25, .75] */
  AttnWeights *w = weights_from (1, 1, 1, 2, (float[]) { 0.5f, 0.5f });
  AttnWeights *vn = weights_from (1, 1, 1, 2, (float[]) { 1, 3 });
  float out[2];
  attn_norm_weighted (w, vn, 0, 0, out);
  assert_floats (out, (float[]) { 0.25f, 0.75f }, 2, 1e-6);
  attn_weights_free (w);
  attn_weights_free (vn);
}

static void
test_value_norms (void)
{
  /* 2 keys, 2 heads of width 1, D = 2; W_O = [[1, 2], [3, 4]] ([out, in]).
   * head 0 uses column 0 = (1, 3): key 0 v=2 → ‖(2, 6)‖ = √40; key 1 v=−1 → √10.
   * head 1 uses column 1 = (2, 4): key 0 v=1 → √20; key 1 v=0.5 → √5. */
  float v[] = { 2, 1, -1, 0.5f };
  float wo[] = { 1, 2, 3, 4 };
  AttnLinear o = { wo, NULL, 2, 2, FALSE };
  float out[4];
  attn_value_norms (v, 2, 2, 2, 1, &o, out);
  assert_floats (out, (float[]) { sqrtf (40), sqrtf (10), sqrtf (20), sqrtf (5) }, 4, 1e-5);
}

/* Larger random cases in both weight layouts against ‖v_k W_h‖ summed directly. */
static void
test_value_norms_random (void)
{
  enum { TK = 9, H = 3, DH = 5, D = H * DH, LDV = D + 2 };
  float v[TK * LDV], w[D * D], out[H * TK], want[H * TK];
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    v[i] = g_test_rand_double_range (-2, 2);
  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    w[i] = g_test_rand_double_range (-1, 1);
  for (int in_major = 0; in_major < 2; in_major++)
    {
      AttnLinear o = { w, NULL, D, D, in_major };
      attn_value_norms (v, LDV, TK, H, DH, &o, out);
      for (int h = 0; h < H; h++)
        for (int k = 0; k < TK; k++)
          {
            double ss = 0;
            for (int n = 0; n < D; n++)
              {
                double y = 0;
                for (int c = 0; c < DH; c++)
                  y += (double) v[k * LDV + h * DH + c] * (in_major ? w[(h * DH + c) * D + n] : w[n * D + h * DH + c]);
                ss += y * y;
              }
            want[h * TK + k] = (float) sqrt (ss);
          }
      test_assert_close (in_major ? "value norms, [in × out] weights" : "value norms, [out × in] weights",
                         out, want, H * TK, 1e-4);
    }
}

static void
seq_from (AttnTokenSeq *s, const char *const *toks, const guint8 *special, guint n)
{
  attn_token_seq_init (s, n);
  for (guint i = 0; i < n; i++)
    {
      s->ids[i] = i;
      s->tokens[i] = g_strdup (toks[i]);
      s->display[i] = g_strdup (toks[i]);
      s->special[i] = special[i];
    }
}

static void
test_group_words (void)
{
  AttnTokenSeq wp, sp;
  int w1[6], w2[5];
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  seq_from (&wp, (const char *[]) { "[CLS]", "att", "##ent", "##ion", "is", "[SEP]" }, (guint8[]) { 1, 0, 0, 0, 0, 1 }, 6);
  g_assert_cmpint (attn_group_words (&wp, w1, words), ==, 2);
  g_assert_cmpint (w1[0], ==, -1);
  g_assert_cmpint (w1[3], ==, 0);
  g_assert_cmpint (w1[4], ==, 1);
  g_assert_cmpstr (words->pdata[0], ==, "attention");
  seq_from (&sp, (const char *[]) { "\xe2\x96\x81Ich", "\xe2\x96\x81ha", "be", ".", "</s>" }, (guint8[]) { 0, 0, 0, 0, 1 }, 5);
  g_assert_cmpint (attn_group_words (&sp, w2, NULL), ==, 2);
  g_assert_cmpint (w2[2], ==, 1);
  g_assert_cmpint (w2[3], ==, 1);
  g_assert_cmpint (w2[4], ==, -1);
  attn_token_seq_clear (&wp);
  attn_token_seq_clear (&sp);
  /* a word-level vocabulary marks no word starts: every token is a word */
  seq_from (&wp, (const char *[]) { "3", "1", "4", "</s>" }, (guint8[]) { 0, 0, 0, 1 }, 4);
  g_assert_cmpint (attn_group_words (&wp, w1, NULL), ==, 3);
  g_assert_cmpint (w1[2], ==, 2);
  attn_token_seq_clear (&wp);
}

/* A translation result: source "▁a ▁b </s>", decoder inputs "<s> ▁x ▁y"; one layer,
 * one head. Rows: row 0 predicted ▁x and looks at b; row 1 (input ▁x) looks at a; row 2
 * (input ▁y) looks at b. argmax: x→b, y→a. shift: x (row 1)→a, y (row 2)→b. */
static AttnResult *
make_pair (void)
{
  AttnResult *r = attn_result_new ();
  const float m[] = { 0.1f, 0.8f, 0.1f,   0.7f, 0.2f, 0.1f,   0.2f, 0.7f, 0.1f };
  seq_from (&r->input, (const char *[]) { "\xe2\x96\x81" "a", "\xe2\x96\x81" "b", "</s>" }, (guint8[]) { 0, 0, 1 }, 3);
  seq_from (&r->target, (const char *[]) { "<pad>", "\xe2\x96\x81x", "\xe2\x96\x81y" }, (guint8[]) { 1, 0, 0 }, 3);
  r->attention[ATTN_KIND_CROSS] = weights_from (1, 1, 3, 3, m);
  r->decoder_prompt_len = 1;
  return r;
}

static void
test_align (void)
{
  g_autoptr(AttnResult) r = make_pair ();
  GArray *a = attn_align_words (r, 0, 0, ATTN_ALIGN_ARGMAX);
  GArray *s = attn_align_words (r, 0, 0, ATTN_ALIGN_SHIFT);
  g_autofree char *pa = attn_links_to_pharaoh (a);
  g_autofree char *ps = attn_links_to_pharaoh (s);
  g_assert_cmpstr (pa, ==, "0-1 1-0");
  g_assert_cmpstr (ps, ==, "0-0 1-1");
  g_array_unref (a);
  g_array_unref (s);
}

static void
test_aer (void)
{
  /* A = {0-0, 1-1, 2-3}; S = {0-0, 1-1}; P = S ∪ {2-2}.
   * |A∩S| = 2, |A∩P| = 2 → precision 2/3, recall 1, AER = 1 − 4/5 = 0.2 */
  GArray *hyp = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  GArray *sure = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  GArray *poss = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  g_autoptr(GError) error = NULL;
  AttnAerCounts c = { 0 };
  double p, rc, aer;
  g_assert_true (attn_parse_gold ("0-0 1-1 2-3", hyp, hyp, &error));
  g_assert_true (attn_parse_gold ("0-0 1-1-s 2?2", sure, poss, &error));
  g_assert_cmpuint (sure->len, ==, 2);
  g_assert_cmpuint (poss->len, ==, 3);
  attn_aer_add (&c, hyp, sure, poss);
  attn_aer_scores (&c, &p, &rc, &aer);
  g_assert_cmpfloat_with_epsilon (p, 2.0 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (rc, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (aer, 0.2, 1e-12);
  g_assert_false (attn_parse_gold ("0-0 1x1", sure, poss, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT);
  g_array_unref (hyp);
  g_array_unref (sure);
  g_array_unref (poss);
}

static void
test_dtw (void)
{
  /* cost [[0,1,1],[1,0,1]]: the cheapest monotonic path is (0,0) (1,1) (1,2) */
  const float x[] = { 0, 1, 1, 1, 0, 1 };
  int pi[5], pj[5];
  int n = attn_dtw (x, 2, 3, pi, pj);
  g_assert_cmpint (n, ==, 3);
  g_assert_cmpint (pi[0], ==, 0); g_assert_cmpint (pj[0], ==, 0);
  g_assert_cmpint (pi[1], ==, 1); g_assert_cmpint (pj[1], ==, 1);
  g_assert_cmpint (pi[2], ==, 1); g_assert_cmpint (pj[2], ==, 2);
}

static void
test_word_times (void)
{
  /* 2 s of audio = 100 frames; three tokens " hello", " wor", "ld" attending to frames
   * 0–29, 30–59 and 60–99: words "hello" 0.0–0.6 s and "world" 0.6–2.0 s. */
  g_autoptr(AttnResult) r = attn_result_new ();
  AttnWeights *c = attn_weights_new (1, 1, 4, 1500);
  g_autoptr(GError) error = NULL;
  g_autofree char *vtt = NULL, *json = NULL;
  GArray *words;
  int spans[3][2] = { { 0, 30 }, { 30, 60 }, { 60, 100 } };
  for (int t = 0; t < 3; t++)
    for (int f = spans[t][0]; f < spans[t][1]; f++)
      c->data[(gsize) t * 1500 + f] = 1.0f / (spans[t][1] - spans[t][0]);
  r->attention[ATTN_KIND_CROSS] = c;
  r->audio_seconds = 2.0;
  r->decoder_prompt_len = 1;
  r->n_alignment_heads = 1;
  r->alignment_heads = g_new0 (int, 2);
  seq_from (&r->generated, (const char *[]) { " hello", " wor", "ld" }, (guint8[]) { 0, 0, 0 }, 3);
  words = attn_word_times (r, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (words->len, ==, 2);
  g_assert_cmpstr (g_array_index (words, AttnWordTime, 0).text, ==, "hello");
  g_assert_cmpstr (g_array_index (words, AttnWordTime, 1).text, ==, "world");
  g_assert_cmpfloat (fabs (g_array_index (words, AttnWordTime, 0).start - 0.0), <=, 0.05);
  g_assert_cmpfloat (fabs (g_array_index (words, AttnWordTime, 1).start - 0.6), <=, 0.1);
  g_assert_cmpfloat (fabs (g_array_index (words, AttnWordTime, 1).end - 2.0), <=, 0.05);
  vtt = attn_words_to_webvtt (words);
  g_assert_true (g_str_has_prefix (vtt, "WEBVTT\n\n1\n00:00:00.000 --> 00:00:00."));
  g_assert_nonnull (strstr (vtt, "\nworld\n"));
  json = attn_words_to_json (words);
  g_assert_nonnull (strstr (json, "\"word\" : \"hello\""));
  attn_word_times_free (words);
}

/* A forced transcript is timed instead of what was generated: its tokens after the
 * prompt, each from the row that predicted it, and the last row (predicting the end
 * token) takes the silence after the last word. */
static void
test_word_times_forced (void)
{
  /* 2 s = 100 frames; rows 1–3 predict " hello", " wor", "ld" (frames 0–29, 30–59,
   * 60–79); row 4, after "ld", attends to the silence (80–99) */
  g_autoptr(AttnResult) r = attn_result_new ();
  AttnWeights *c = attn_weights_new (1, 1, 5, 1500);
  g_autoptr(GError) error = NULL;
  GArray *words;
  int spans[4][2] = { { 0, 30 }, { 30, 60 }, { 60, 80 }, { 80, 100 } };
  for (int t = 0; t < 4; t++)
    for (int f = spans[t][0]; f < spans[t][1]; f++)
      c->data[(gsize) (t + 1) * 1500 + f] = 1.0f / (spans[t][1] - spans[t][0]);
  r->attention[ATTN_KIND_CROSS] = c;
  r->audio_seconds = 2.0;
  r->target_forced = TRUE;
  r->decoder_prompt_len = 2;
  r->n_alignment_heads = 1;
  r->alignment_heads = g_new0 (int, 2);
  seq_from (&r->target, (const char *[]) { "<|startoftranscript|>", "<|en|>", " hello", " wor", "ld" },
            (guint8[]) { 1, 1, 0, 0, 0 }, 5);
  seq_from (&r->generated, (const char *[]) { " something", " else", "<|endoftext|>" }, (guint8[]) { 0, 0, 1 }, 3);
  g_assert_cmpint (attn_timed_token_count (r), ==, 3);
  words = attn_word_times (r, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (words->len, ==, 2);
  g_assert_cmpstr (g_array_index (words, AttnWordTime, 0).text, ==, "hello");
  g_assert_cmpstr (g_array_index (words, AttnWordTime, 1).text, ==, "world");
  g_assert_cmpfloat (fabs (g_array_index (words, AttnWordTime, 1).start - 0.6), <=, 0.1);
  g_assert_cmpfloat (fabs (g_array_index (words, AttnWordTime, 1).end - 1.6), <=, 0.1);
  attn_word_times_free (words);
  /* a head that does not exist is an error, not a crash */
  words = attn_word_times_for_heads (r, (const int[]) { 0, 3 }, 1, &error);
  g_assert_null (words);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
}

static void
test_scores (void)
{
  /* q = (1, 2), keys (1, 0) and (0, 1), d = 2 */
  const float q[] = { 1, 2 }, k[] = { 1, 0, 0, 1 };
  const float w[] = { 2, 0, 0, 1 };               /* general: qᵀW = (2, 2) */
  const float wq[] = { 1, 0 }, wk[] = { 0, 1 }, v[] = { 2 };  /* a = 1 */
  AttnScoreParams p = { w, wq, wk, v, 1 };
  float out[2];
  attn_scores (ATTN_SCORE_DOT, q, k, 2, 2, NULL, out);
  assert_floats (out, (float[]) { 1, 2 }, 2, 1e-6);
  attn_scores (ATTN_SCORE_SCALED_DOT, q, k, 2, 2, NULL, out);
  assert_floats (out, (float[]) { 1 / sqrtf (2), 2 / sqrtf (2) }, 2, 1e-6);
  attn_scores (ATTN_SCORE_GENERAL, q, k, 2, 2, &p, out);
  assert_floats (out, (float[]) { 2, 2 }, 2, 1e-6);
  /* additive: 2·tanh(q₀ + k_j₁): key 0 → 2·tanh(1 + 0), key 1 → 2·tanh(1 + 1) */
  attn_scores (ATTN_SCORE_ADDITIVE, q, k, 2, 2, &p, out);
  assert_floats (out, (float[]) { 2 * tanhf (1), 2 * tanhf (2) }, 2, 1e-6);
}

static void
test_sparsemax (void)
{
  /* z = (1, 0.8, −1): support {1, 0.8}, τ = (1.8 − 1)/2 = 0.4 → (0.6, 0.4, 0) */
  float p[3];
  attn_sparsemax ((float[]) { 1, 0.8f, -1 }, 3, p);
  assert_floats (p, (float[]) { 0.6f, 0.4f, 0 }, 3, 1e-6);
  g_assert_cmpfloat (p[2], ==, 0.0f);
  /* a clear winner takes all */
  attn_sparsemax ((float[]) { 5, 1, 0 }, 3, p);
  assert_floats (p, (float[]) { 1, 0, 0 }, 3, 1e-6);
  /* masked entries stay zero */
  attn_sparsemax ((float[]) { 0, -INFINITY, 0 }, 3, p);
  assert_floats (p, (float[]) { 0.5f, 0, 0.5f }, 3, 1e-6);
}

static void
test_sparse_masks (void)
{
  float s[16];
  for (int i = 0; i < 16; i++)
    s[i] = 1;
  attn_mask_local (s, 4, 4, 1);
  g_assert_true (isfinite (s[0 * 4 + 1]) && !isfinite (s[0 * 4 + 2]) && isfinite (s[3 * 4 + 2]));
  for (int i = 0; i < 16; i++)
    s[i] = 1;
  /* stride 2: row 3 sees 3, 2 (local) and 1 (3 − 1 = 2 ≡ 0 mod 2), not 0; never the future */
  attn_mask_strided (s, 4, 4, 2);
  g_assert_true (isfinite (s[3 * 4 + 3]) && isfinite (s[3 * 4 + 2]) && isfinite (s[3 * 4 + 1]));
  g_assert_false (isfinite (s[3 * 4 + 0]));
  g_assert_false (isfinite (s[1 * 4 + 2]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/analysis/head-aggregates", test_head_aggregates);
  g_test_add_func ("/analysis/rollout", test_rollout);
  g_test_add_func ("/analysis/rollout-identity-rows-sum", test_rollout_identity_rows_sum);
  g_test_add_func ("/analysis/norm-weighted", test_norm_weighted);
  g_test_add_func ("/analysis/value-norms", test_value_norms);
  g_test_add_func ("/analysis/value-norms-random", test_value_norms_random);
  g_test_add_func ("/analysis/group-words", test_group_words);
  g_test_add_func ("/analysis/align", test_align);
  g_test_add_func ("/analysis/aer", test_aer);
  g_test_add_func ("/analysis/dtw", test_dtw);
  g_test_add_func ("/analysis/word-times", test_word_times);
  g_test_add_func ("/analysis/word-times-forced", test_word_times_forced);
  g_test_add_func ("/analysis/scores", test_scores);
  g_test_add_func ("/analysis/sparsemax", test_sparsemax);
  g_test_add_func ("/analysis/sparse-masks", test_sparse_masks);
  return g_test_run ();
}
