/* test-train-learn.c — the toy models learn and their attention aligns.
 *
 * copy and reverse over 8–12 digits, for the Transformer and the GRU
 * model, must reach ≥ 99 % exact greedy output on 500 held-out sequences (never
 * drawn for training), and the argmax of each decoder step's cross-attention
 * (best layer, heads averaged) must sit on the aligned source position for
 * ≥ 95 % of steps. Training stops early once a 200-sequence check passes.
 *
 * Under AddressSanitizer the kernels run several times slower, so a sanitized
 * build (or ATTN_TRAIN_LEARN_SHORT=1) trains on 4–6 digits in batches of 32
 * instead: the same properties, checked on shorter sequences. */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "attn-trainer.h"
#include "test-train-common.h"

#define EXACT_MIN   0.99
#define ALIGNED_MIN 0.95

static gboolean
short_mode (void)
{
  return TRAIN_TEST_SANITIZED || g_strcmp0 (g_getenv ("ATTN_TRAIN_LEARN_SHORT"), "1") == 0;
}

static void
learn (AttnTask task, AttnTrainArch arch, AttnScoreKind score)
{
  AttnTrainConfig c;
  g_autoptr (GError) error = NULL;
  AttnTrainer *t;
  AttnTrainEval ev = { 0 };
  gint64 t0 = g_get_monotonic_time ();
  int chunk = 100;

  attn_train_config_init (&c, task, arch);
  c.score = score;
  c.seed = 7;
  if (short_mode ())
    {
      c.min_len = 4;
      c.max_len = 6;
      c.batch_size = 32;
    }
  t = attn_trainer_new (&c, &error);
  g_assert_no_error (error);
  while (attn_trainer_get_step (t) < c.steps)
    {
      g_assert_true (attn_trainer_step (t, chunk, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (attn_trainer_evaluate (t, 200, &ev, &error));
      g_test_message ("%s %s: step %" G_GINT64_FORMAT " exact %.3f aligned %.3f (%.1f s)",
                      attn_task_name (task), attn_train_arch_name (arch),
                      attn_trainer_get_step (t), ev.exact_match, ev.aligned,
                      (g_get_monotonic_time () - t0) / 1e6);
      if (ev.exact_match >= 0.995 && ev.aligned >= 0.97)
        {
          /* confirm on the whole held-out set before stopping */
          g_assert_true (attn_trainer_evaluate (t, 500, &ev, &error));
          if (ev.exact_match >= EXACT_MIN && ev.aligned >= ALIGNED_MIN)
            break;
        }
    }
  g_assert_true (attn_trainer_evaluate (t, 500, &ev, &error));
  g_test_message ("%s %s%s%s: %" G_GINT64_FORMAT " steps, %.1f s: exact %.1f %%, token %.1f %%, "
                  "aligned %.1f %% (layer %d) on %d held-out sequences",
                  attn_task_name (task), attn_train_arch_name (arch),
                  arch == ATTN_ARCH_TRANSFORMER ? "" : " with ",
                  arch == ATTN_ARCH_TRANSFORMER ? "" : attn_score_name (score),
                  attn_trainer_get_step (t), (g_get_monotonic_time () - t0) / 1e6,
                  100 * ev.exact_match, 100 * ev.token_accuracy, 100 * ev.aligned,
                  ev.best_layer, ev.n);
  if (ev.exact_match < EXACT_MIN)
    g_test_fail_printf ("exact match %.3f < %.2f", ev.exact_match, EXACT_MIN);
  if (ev.aligned < ALIGNED_MIN)
    g_test_fail_printf ("attention aligned on %.3f of steps < %.2f", ev.aligned, ALIGNED_MIN);
  attn_trainer_free (t);
}

static void test_reverse_transformer (void) { learn (ATTN_TASK_REVERSE, ATTN_ARCH_TRANSFORMER, ATTN_SCORE_ADDITIVE); }
static void test_reverse_gru (void) { learn (ATTN_TASK_REVERSE, ATTN_ARCH_GRU, ATTN_SCORE_ADDITIVE); }
static void test_copy_transformer (void) { learn (ATTN_TASK_COPY, ATTN_ARCH_TRANSFORMER, ATTN_SCORE_ADDITIVE); }
static void test_copy_gru (void) { learn (ATTN_TASK_COPY, ATTN_ARCH_GRU, ATTN_SCORE_DOT); }

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  train_test_init_blas ();
  g_test_add_func ("/train-learn/reverse/gru", test_reverse_gru);
  g_test_add_func ("/train-learn/copy/gru", test_copy_gru);
  g_test_add_func ("/train-learn/reverse/transformer", test_reverse_transformer);
  g_test_add_func ("/train-learn/copy/transformer", test_copy_transformer);
  return g_test_run ();
}
