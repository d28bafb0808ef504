/* test-confusion.c — the classification scores of attn-confusion.h on cases
 * worked out by hand. */
#include <glib.h>

#include "attn-confusion.h"

#define EPS 1e-12

static void
check_class (const AttnConfusion *c, int k, guint64 tp, guint64 fp, guint64 fn, double p,
             double r, double f1)
{
  AttnClassScores s;
  attn_confusion_class (c, k, &s);
  g_test_message ("class %d: tp %" G_GUINT64_FORMAT " fp %" G_GUINT64_FORMAT " fn %"
                  G_GUINT64_FORMAT " P %.6f R %.6f F1 %.6f", k, s.tp, s.fp, s.fn, s.precision,
                  s.recall, s.f1);
  g_assert_cmpuint (s.tp, ==, tp);
  g_assert_cmpuint (s.fp, ==, fp);
  g_assert_cmpuint (s.fn, ==, fn);
  g_assert_cmpuint (s.support, ==, tp + fn);
  g_assert_cmpfloat_with_epsilon (s.precision, p, EPS);
  g_assert_cmpfloat_with_epsilon (s.recall, r, EPS);
  g_assert_cmpfloat_with_epsilon (s.f1, f1, EPS);
}

/* Ten examples over three classes:
 *   gold 0 0 0 0 1 1 1 2 2 2
 *   pred 0 0 1 2 1 1 0 2 2 1
 * rows (gold) × columns (predicted): [2 1 1; 1 2 0; 0 1 2].
 * class 0: P 2/3, R 2/4, F1 = 2·(1/3)/(7/6) = 4/7
 * class 1: P 2/4, R 2/3, F1 = 4/7
 * class 2: P 2/3, R 2/3, F1 = 2/3
 * accuracy 6/10, macro F1 (4/7 + 4/7 + 2/3) / 3 = 38/63 */
static void
test_three_classes (void)
{
  static const int gold[] = { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2 };
  static const int pred[] = { 0, 0, 1, 2, 1, 1, 0, 2, 2, 1 };
  g_autoptr (AttnConfusion) c = attn_confusion_new (3);

  for (guint i = 0; i < G_N_ELEMENTS (gold); i++)
    g_assert_true (attn_confusion_add (c, gold[i], pred[i]));
  g_assert_cmpuint (attn_confusion_total (c), ==, 10);
  g_assert_cmpuint (attn_confusion_count (c, 0, 1), ==, 1);
  g_assert_cmpuint (attn_confusion_count (c, 2, 0), ==, 0);
  g_assert_cmpuint (attn_confusion_count (c, 1, 0), ==, 1);
  g_assert_cmpfloat_with_epsilon (attn_confusion_accuracy (c), 0.6, EPS);
  check_class (c, 0, 2, 1, 2, 2.0 / 3, 0.5, 4.0 / 7);
  check_class (c, 1, 2, 2, 1, 0.5, 2.0 / 3, 4.0 / 7);
  check_class (c, 2, 2, 1, 1, 2.0 / 3, 2.0 / 3, 2.0 / 3);
  g_assert_cmpfloat_with_epsilon (attn_confusion_macro_f1 (c), 38.0 / 63, EPS);
}

/* A class that is never predicted: gold 0 0 1, pred 0 0 0. Class 1 has no
 * predictions (precision 0 by convention), recall 0, F1 0; class 0 has
 * P 2/3, R 1, F1 0.8; macro F1 0.4. */
static void
test_never_predicted (void)
{
  g_autoptr (AttnConfusion) c = attn_confusion_new (2);
  attn_confusion_add (c, 0, 0);
  attn_confusion_add (c, 0, 0);
  attn_confusion_add (c, 1, 0);
  check_class (c, 0, 2, 1, 0, 2.0 / 3, 1.0, 0.8);
  check_class (c, 1, 0, 0, 1, 0.0, 0.0, 0.0);
  g_assert_cmpfloat_with_epsilon (attn_confusion_macro_f1 (c), 0.4, EPS);
  g_assert_cmpfloat_with_epsilon (attn_confusion_accuracy (c), 2.0 / 3, EPS);
}

static void
test_edges (void)
{
  g_autoptr (AttnConfusion) c = attn_confusion_new (2);
  AttnClassScores s;

  g_assert_cmpfloat (attn_confusion_accuracy (c), ==, 0.0);
  g_assert_cmpfloat (attn_confusion_macro_f1 (c), ==, 0.0);
  g_assert_false (attn_confusion_add (c, 2, 0));
  g_assert_false (attn_confusion_add (c, 0, -1));
  g_assert_cmpuint (attn_confusion_total (c), ==, 0);
  attn_confusion_class (c, 5, &s);
  g_assert_cmpuint (s.support, ==, 0);
  /* all right: every score 1 */
  attn_confusion_add (c, 0, 0);
  attn_confusion_add (c, 1, 1);
  g_assert_cmpfloat (attn_confusion_accuracy (c), ==, 1.0);
  g_assert_cmpfloat (attn_confusion_macro_f1 (c), ==, 1.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/confusion/three-classes", test_three_classes);
  g_test_add_func ("/confusion/never-predicted", test_never_predicted);
  g_test_add_func ("/confusion/edges", test_edges);
  return g_test_run ();
}
