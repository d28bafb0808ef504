/* test-metrics.c — BLEU, chrF, WER and CER on cases computed by hand (the arithmetic
 * is in the comments) and on sacreBLEU's tokenisation rules. */
#include <glib.h>
#include <math.h>

#include "attn-metrics.h"

#define TOL 1e-9

/* Fails with both numbers and the difference when |got − want| > tol. */
#define assert_close(got, want, tol)                                                    \
  G_STMT_START {                                                                       \
    double g_ = (got), w_ = (want);                                                    \
    if (!(fabs (g_ - w_) <= (tol)))                                                    \
      g_error ("%s = %.12g, want %.12g (difference %.3g > %.3g)", #got, g_, w_,        \
               fabs (g_ - w_), (double) (tol));                                        \
  } G_STMT_END

static double
bleu1 (const char *hyp, const char *ref, AttnBleuStats *st)
{
  return attn_bleu ((const char *[]) { hyp }, (const char *[]) { ref }, 1, st);
}

static double
chrf1 (const char *hyp, const char *ref, AttnChrfStats *st)
{
  return attn_chrf ((const char *[]) { hyp }, (const char *[]) { ref }, 1, st);
}

/* ---- 13a tokenisation ------------------------------------------------------ */

static void
check_tok (const char *in, const char *want)
{
  g_autofree char *got = attn_bleu_tokenize_13a (in);
  if (g_strcmp0 (got, want) != 0)
    g_error ("13a(“%s”) = “%s”, want “%s”", in, got, want);
}

static void
test_tokenize_13a (void)
{
  check_tok ("Hello, world!", "Hello , world !");
  /* Period and comma stay inside numbers; a comma after a digit before a space splits. */
  check_tok ("3.14, 1,000 and 2.", "3.14 , 1,000 and 2 .");
  /* A dash splits after a digit only; the apostrophe is not in the class. */
  check_tok ("x-ray 1-2 don't", "x-ray 1 - 2 don't");
  check_tok ("a (b) [c] \"d\" e/f", "a ( b ) [ c ] \" d \" e / f");
  check_tok ("fish &amp; chips &lt;3", "fish & chips < 3");
  check_tok ("  many   spaces\there  ", "many spaces here");
  check_tok ("Er sagte: „Ja.“", "Er sagte : „Ja . “");
  check_tok ("", "");
  check_tok ("end...", "end . . .");
}

/* ---- BLEU ------------------------------------------------------------------ */

static void
test_bleu_identical (void)
{
  AttnBleuStats st;
  /* Every n-gram matches: precisions 100, BP 1 → 100. */
  assert_close (bleu1 ("The cat sat on the mat.", "The cat sat on the mat.", &st), 100.0, TOL);
  g_assert_cmpuint (st.sys_len, ==, 7);   /* "The cat sat on the mat ." */
  g_assert_cmpuint (st.correct[3], ==, 4);
  assert_close (st.bp, 1.0, TOL);
}

static void
test_bleu_counts (void)
{
  AttnBleuStats st;
  AttnBleuOptions opts;
  const char *hyp = "the cat sat on the mat";
  const char *ref = "the cat is on the mat";
  /* hyp 1-grams: the cat sat on the mat; ref has the×2 cat is on mat
   *   → matches the×2, cat, on, mat = 5 of 6
   * 2-grams: the-cat cat-sat sat-on on-the the-mat vs the-cat cat-is is-on on-the the-mat
   *   → the-cat, on-the, the-mat = 3 of 5
   * 3-grams: the-cat-sat cat-sat-on sat-on-the on-the-mat → on-the-mat = 1 of 4
   * 4-grams: none of 3 match. Lengths 6 = 6 → BP = 1.
   * exp smoothing: the first order without a match gets 1 / (2 · 3) = 1/6.
   * BLEU = (5/6 · 3/5 · 1/4 · 1/6)^(1/4) = (1/48)^(1/4) = 0.379917843…  */
  assert_close (bleu1 (hyp, ref, &st), 100.0 * pow (1.0 / 48.0, 0.25), 1e-9);
  g_assert_cmpuint (st.correct[0], ==, 5);
  g_assert_cmpuint (st.total[0], ==, 6);
  g_assert_cmpuint (st.correct[1], ==, 3);
  g_assert_cmpuint (st.total[1], ==, 5);
  g_assert_cmpuint (st.correct[2], ==, 1);
  g_assert_cmpuint (st.total[2], ==, 4);
  g_assert_cmpuint (st.correct[3], ==, 0);
  g_assert_cmpuint (st.total[3], ==, 3);
  assert_close (st.precisions[3], 100.0 / 6.0, TOL);

  /* Without smoothing, a zero 4-gram precision gives 0. */
  attn_bleu_options_init (&opts);
  opts.smooth = ATTN_BLEU_SMOOTH_NONE;
  assert_close (attn_bleu_full ((const char *[]) { hyp }, (const char *[]) { ref }, 1, &opts, &st),
                0.0, TOL);
  /* floor 0.1: p4 = 0.1 / 3 → (5/6 · 3/5 · 1/4 · 1/30)^(1/4) = (1/240)^(1/4). */
  opts.smooth = ATTN_BLEU_SMOOTH_FLOOR;
  assert_close (attn_bleu_full ((const char *[]) { hyp }, (const char *[]) { ref }, 1, &opts, NULL),
                100.0 * pow (1.0 / 240.0, 0.25), 1e-9);
  /* add-k 1 (orders ≥ 2): 5/6 · 4/6 · 2/5 · 1/4 = 40/720 = 1/18 → (1/18)^(1/4). */
  opts.smooth = ATTN_BLEU_SMOOTH_ADD_K;
  assert_close (attn_bleu_full ((const char *[]) { hyp }, (const char *[]) { ref }, 1, &opts, NULL),
                100.0 * pow (1.0 / 18.0, 0.25), 1e-9);
}

static void
test_bleu_brevity (void)
{
  AttnBleuStats st;
  /* hyp "a b c d" (4 tokens) against "a b c d e f" (6): every n-gram of the
   * hypothesis matches (4/4, 3/3, 2/2, 1/1), BP = exp(1 − 6/4) = exp(−0.5). */
  assert_close (bleu1 ("a b c d", "a b c d e f", &st), 100.0 * exp (-0.5), 1e-9);
  assert_close (st.bp, exp (-0.5), 1e-12);
  g_assert_cmpuint (st.ref_len, ==, 6);
  /* A longer hypothesis has no brevity penalty: "a b c d e" vs "a b c d":
   * 4/5 · 3/4 · 2/3 · 1/2 = 1/5 → (1/5)^(1/4). */
  assert_close (bleu1 ("a b c d e", "a b c d", &st), 100.0 * pow (0.2, 0.25), 1e-9);
  assert_close (st.bp, 1.0, TOL);
}

static void
test_bleu_empty (void)
{
  AttnBleuStats st;
  /* Empty hypothesis: no n-grams, BP 0 → 0. */
  assert_close (bleu1 ("", "The cat sat on the mat.", &st), 0.0, TOL);
  g_assert_cmpuint (st.sys_len, ==, 0);
  assert_close (st.bp, 0.0, TOL);
  /* No match at all → 0 even with exp smoothing. */
  assert_close (bleu1 ("x y z w", "a b c d", NULL), 0.0, TOL);
  /* NULL counts as empty; n = 0 gives 0. */
  assert_close (bleu1 (NULL, "a b", NULL), 0.0, TOL);
  assert_close (attn_bleu (NULL, NULL, 0, NULL), 0.0, TOL);
  /* A one-token exact match has no 2-grams: sacreBLEU stops at the empty order and
   * the missing precisions make the score 0 (without effective order). */
  assert_close (bleu1 ("yes", "yes", NULL), 0.0, TOL);
}

static void
test_bleu_corpus (void)
{
  AttnBleuStats st;
  const char *hyps[] = { "a b c d", "e f g h" };
  const char *refs[] = { "a b c d", "e f x h" };
  /* Statistics are summed, not averaged:
   * 1-grams 4 + 3 = 7 of 8; 2-grams 3 + 1 = 4 of 6; 3-grams 2 + 0 = 2 of 4;
   * 4-grams 1 + 0 = 1 of 2. BLEU = (7/8 · 4/6 · 2/4 · 1/2)^(1/4) = (7/48)^(1/4). */
  assert_close (attn_bleu (hyps, refs, 2, &st), 100.0 * pow (7.0 / 48.0, 0.25), 1e-9);
  g_assert_cmpuint (st.correct[0], ==, 7);
  g_assert_cmpuint (st.total[1], ==, 6);
  /* Tokenisation matters: "dog." is "dog ." so it matches "dog ." in the reference. */
  assert_close (bleu1 ("I saw the dog.", "I saw the dog .", NULL), 100.0, TOL);
}

static void
test_bleu_options (void)
{
  AttnBleuOptions opts;
  attn_bleu_options_init (&opts);
  g_assert_cmpint (opts.smooth, ==, ATTN_BLEU_SMOOTH_EXP);
  /* Case is kept by default: "The" ≠ "the" → 1-grams 3/4, 2-grams 2/3, 3-grams 1/2,
   * 4-grams 0/1 → exp smoothing 1/2 → (3/4 · 2/3 · 1/2 · 1/2)^(1/4) = (1/8)^(1/4). */
  assert_close (bleu1 ("The a b c", "the a b c", NULL), 100.0 * pow (0.125, 0.25), 1e-9);
  opts.lowercase = TRUE;
  assert_close (attn_bleu_full ((const char *[]) { "The a b c" }, (const char *[]) { "the a b c" },
                                1, &opts, NULL), 100.0, TOL);
  /* Effective order: "yes" vs "yes" → only 1-grams exist → 100. */
  opts.effective_order = TRUE;
  assert_close (attn_bleu_full ((const char *[]) { "yes" }, (const char *[]) { "yes" },
                                1, &opts, NULL), 100.0, TOL);
  /* Without 13a, "dog." and "dog ." differ: 1-grams 3/4 ... "I saw the dog." vs
   * "I saw the dog ." (4 vs 5 tokens): 3/4 · 2/3 · 1/2 · 0/1 → exp: 1/2;
   * BP = exp(1 − 5/4) → exp(−0.25) · (1/8)^(1/4). */
  attn_bleu_options_init (&opts);
  opts.tokenize_13a = FALSE;
  assert_close (attn_bleu_full ((const char *[]) { "I saw the dog." }, (const char *[]) { "I saw the dog ." },
                                1, &opts, NULL), 100.0 * exp (-0.25) * pow (0.125, 0.25), 1e-9);
}

/* ---- chrF ------------------------------------------------------------------ */

static void
test_chrf_hand (void)
{
  AttnChrfStats st;
  /* "ab" vs "abc":
   *   1-grams: hyp a b (2), ref a b c (3), match 2 → P 1, R 2/3
   *   2-grams: hyp ab (1), ref ab bc (2), match 1 → P 1, R 1/2
   *   3-grams: hyp none → order not counted; 4–6: neither side.
   *   avg P = 1, avg R = (2/3 + 1/2) / 2 = 7/12
   *   F2 = 5 · 1 · 7/12 / (4 · 1 + 7/12) = (35/12) / (55/12) = 7/11 */
  assert_close (chrf1 ("ab", "abc", &st), 700.0 / 11.0, 1e-9);
  g_assert_cmpuint (st.effective_order, ==, 2);
  g_assert_cmpuint (st.hyp[0], ==, 2);
  g_assert_cmpuint (st.ref[1], ==, 2);
  g_assert_cmpuint (st.match[1], ==, 1);
  assert_close (st.recall, 100.0 * 7.0 / 12.0, 1e-9);

  /* "abc" vs "abd": P = R per order: 2/3, 1/2, 0 (the 3-grams exist on both sides and
   * count with 0). avg = (2/3 + 1/2 + 0) / 3 = 7/18; F2 of equal P and R is 7/18. */
  assert_close (chrf1 ("abc", "abd", &st), 700.0 / 18.0, 1e-9);
  g_assert_cmpuint (st.effective_order, ==, 3);
}

static void
test_chrf_whitespace (void)
{
  AttnChrfOptions opts;
  /* Whitespace is removed: "a b" and "ab" are the same string → 100. */
  assert_close (chrf1 ("a b", "ab", NULL), 100.0, TOL);
  assert_close (chrf1 ("Das ist gut.", "Das ist gut.", NULL), 100.0, TOL);
  /* Empty hypothesis: no order has n-grams on both sides → 0. */
  assert_close (chrf1 ("", "abc", NULL), 0.0, TOL);
  assert_close (chrf1 ("xyz", "abc", NULL), 0.0, TOL);
  /* Code points, not bytes: "ä" vs "a" share nothing, "äb" vs "äc": 1-grams 1/2 each,
   * 2-grams 0/1 each → avg P = R = 1/4 → 25. */
  assert_close (chrf1 ("äb", "äc", NULL), 25.0, 1e-9);
  /* With whitespace kept, "a b" vs "ab": 1-grams hyp a,␣,b (3) vs a,b (2), match 2 →
   * P 2/3, R 1; 2-grams "a␣","␣b" vs "ab" → 0, 0; 3-grams "a␣b" vs none → not counted.
   * avg P = 1/3, avg R = 1/2 → F2 = 5 · 1/6 / (4/3 + 1/2) = (5/6) / (11/6) = 5/11. */
  attn_chrf_options_init (&opts);
  opts.whitespace = TRUE;
  assert_close (attn_chrf_full ((const char *[]) { "a b" }, (const char *[]) { "ab" }, 1, &opts, NULL),
                500.0 / 11.0, 1e-9);
  opts.char_order = 0;
  assert_close (attn_chrf_full ((const char *[]) { "a" }, (const char *[]) { "a" }, 1, &opts, NULL),
                -1.0, TOL);
}

static void
test_chrf_corpus (void)
{
  /* Corpus statistics are summed: "ab"/"abc" (1-grams 2,3,2; 2-grams 1,2,1) plus
   * "abc"/"abd" (1-grams 3,3,2; 2-grams 2,2,1; 3-grams 1,1,0):
   *   1: P 4/5, R 4/6; 2: P 2/3, R 2/4; 3: P 0/1, R 0/2.
   *   avg P = (4/5 + 2/3 + 0) / 3 = 22/45; avg R = (2/3 + 1/2 + 0) / 3 = 7/18
   *   F2 = 5 P R / (4 P + R). */
  double p = 22.0 / 45.0, r = 7.0 / 18.0;
  assert_close (attn_chrf ((const char *[]) { "ab", "abc" }, (const char *[]) { "abc", "abd" }, 2, NULL),
                100.0 * 5.0 * p * r / (4.0 * p + r), 1e-9);
}

/* ---- WER / CER ------------------------------------------------------------- */

static void
test_normalize (void)
{
  g_autofree char *a = attn_metrics_normalize ("  The Cat's  hat, (well-worn)! ");
  g_autofree char *b = attn_metrics_normalize ("Ärger – “genug”…");
  g_autofree char *c = attn_metrics_normalize ("I don’t know.");
  g_assert_cmpstr (a, ==, "the cats hat well worn");
  g_assert_cmpstr (b, ==, "ärger genug");
  g_assert_cmpstr (c, ==, "i dont know");
}

static void
test_wer (void)
{
  AttnEditStats st;
  const char *ref = "the cat sat on the mat";
  /* One substitution (sat → sit) and one deletion (the): 2 / 6. */
  assert_close (attn_wer ((const char *[]) { "the cat sit on mat" }, &ref, 1, &st), 200.0 / 6.0, 1e-9);
  g_assert_cmpuint (st.substitutions, ==, 1);
  g_assert_cmpuint (st.deletions, ==, 1);
  g_assert_cmpuint (st.insertions, ==, 0);
  g_assert_cmpuint (st.hits, ==, 4);
  /* One insertion (big): 1 / 6. */
  assert_close (attn_wer ((const char *[]) { "the big cat sat on the mat" }, &ref, 1, &st), 100.0 / 6.0, 1e-9);
  g_assert_cmpuint (st.insertions, ==, 1);
  g_assert_cmpuint (st.hyp_len, ==, 7);
  /* Case and punctuation do not count. */
  assert_close (attn_wer ((const char *[]) { "The cat, sat on the mat!" }, &ref, 1, NULL), 0.0, TOL);
  /* More insertions than reference words: WER above 100 ("a" vs "x y a z": 3 / 1). */
  assert_close (attn_wer ((const char *[]) { "x y a z" }, (const char *[]) { "a" }, 1, NULL), 300.0, TOL);
  /* Empty hypothesis: every reference word deleted → 100. */
  assert_close (attn_wer ((const char *[]) { "" }, &ref, 1, &st), 100.0, TOL);
  g_assert_cmpuint (st.deletions, ==, 6);
  /* Empty references. */
  assert_close (attn_wer ((const char *[]) { "" }, (const char *[]) { "" }, 1, NULL), 0.0, TOL);
  assert_close (attn_wer ((const char *[]) { "a" }, (const char *[]) { "" }, 1, NULL), 100.0, TOL);
  /* Corpus: edits and lengths summed: (2 + 0) / (6 + 2). */
  assert_close (attn_wer ((const char *[]) { "the cat sit on mat", "hello world" },
                          (const char *[]) { ref, "Hello, world." }, 2, NULL), 25.0, 1e-9);
}

static void
test_cer (void)
{
  AttnEditStats st;
  /* "abd" vs "abc": one substitution of 3 characters. */
  assert_close (attn_cer ((const char *[]) { "abd" }, (const char *[]) { "abc" }, 1, &st), 100.0 / 3.0, 1e-9);
  g_assert_cmpuint (st.substitutions, ==, 1);
  /* The space counts: "ab c" vs "abc" is one insertion over 3. */
  assert_close (attn_cer ((const char *[]) { "ab c" }, (const char *[]) { "abc" }, 1, &st), 100.0 / 3.0, 1e-9);
  g_assert_cmpuint (st.insertions, ==, 1);
  /* Code points: "Größe" vs "grösse" → normalised "größe" vs "grösse":
   * g r ö ß e against g r ö s s e: ß→s substitution plus one insertion → 2 / 5. */
  assert_close (attn_cer ((const char *[]) { "grösse" }, (const char *[]) { "Größe" }, 1, &st), 200.0 / 5.0, 1e-9);
  g_assert_cmpuint (st.ref_len, ==, 5);
  /* kitten → sitting: the classic 3 edits (2 substitutions, 1 insertion) over 6. */
  assert_close (attn_cer ((const char *[]) { "sitting" }, (const char *[]) { "kitten" }, 1, &st), 50.0, 1e-9);
  g_assert_cmpuint (st.substitutions, ==, 2);
  g_assert_cmpuint (st.insertions, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/bleu/tokenize-13a", test_tokenize_13a);
  g_test_add_func ("/metrics/bleu/identical", test_bleu_identical);
  g_test_add_func ("/metrics/bleu/counts", test_bleu_counts);
  g_test_add_func ("/metrics/bleu/brevity", test_bleu_brevity);
  g_test_add_func ("/metrics/bleu/empty", test_bleu_empty);
  g_test_add_func ("/metrics/bleu/corpus", test_bleu_corpus);
  g_test_add_func ("/metrics/bleu/options", test_bleu_options);
  g_test_add_func ("/metrics/chrf/hand", test_chrf_hand);
  g_test_add_func ("/metrics/chrf/whitespace", test_chrf_whitespace);
  g_test_add_func ("/metrics/chrf/corpus", test_chrf_corpus);
  g_test_add_func ("/metrics/normalize", test_normalize);
  g_test_add_func ("/metrics/wer", test_wer);
  g_test_add_func ("/metrics/cer", test_cer);
  return g_test_run ();
}
