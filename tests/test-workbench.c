/* test-workbench.c — the teaching workbench in the real window: the step-by-step
 * numbers against the engine's attention, the score functions, the translators' row. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lens-learn-view.h"
#include "lens-scores-view.h"
#include "lens-steps-view.h"
#include "lens-window.h"
#include "test-app-common.h"

#define TOLERANCE  1e-5

static gboolean
run_done (LensWindow *win)
{
  return lens_window_get_result (win) != NULL && !lens_window_is_busy (win);
}

static gboolean
traced (LensWindow *win)
{
  LensWorkbench *wb = lens_window_get_workbench (win);

  return !lens_workbench_is_busy (wb) && lens_workbench_get_trace (wb) != NULL;
}

static LensWindow *
open_window (const char *model, const char *text)
{
  g_autofree char *dir = g_build_filename (test_fixtures, model, NULL);
  LensWindow *win = lens_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 860);
  gtk_window_present (GTK_WINDOW (win));
  lens_window_load_model (win, dir);
  lens_window_set_text (win, text);
  lens_window_run (win);
  g_assert_true (test_app_wait_for (win, run_done));
  return win;
}

/* Every query of the selected head: the softmax of the scaled, masked scores the view
 * shows equals the engine's attention row, and Σ αⱼ vⱼ equals the sum computed from
 * those weights. Returns how many rows were checked. */
static int
check_head (LensWindow *win, AttnKind kind, int layer, int head)
{
  LensSelection *sel = lens_window_get_selection (win);
  LensWorkbench *wb = lens_window_get_workbench (win);
  LensStepsView *steps_view = lens_workbench_get_steps_view (wb);
  const AttnHeadTrace *t;
  const AttnWeights *w;
  double worst = 0.0, worst_out = 0.0;

  lens_selection_set_kind (sel, kind);
  lens_selection_set_layer (sel, layer);
  lens_selection_set_head (sel, head);
  g_assert_true (test_app_wait_for (win, traced));
  t = lens_workbench_get_trace (wb);
  g_assert_cmpint (t->kind, ==, kind);
  g_assert_cmpint (t->layer, ==, layer);
  g_assert_cmpint (t->head, ==, head);
  /* the window's own result, not only the traced re-run */
  w = lens_window_get_result (win)->attention[kind];
  g_assert_nonnull (w);
  g_assert_cmpint (w->queries, ==, t->queries);
  g_assert_cmpint (w->keys, ==, t->keys);

  for (int i = 0; i < t->queries; i++)
    {
      const float *row = attn_weights_head (w, layer, head) + (gsize) i * w->keys;
      const LensSteps *st;
      g_autofree float *soft = g_new (float, t->keys);

      lens_selection_set_query (sel, i);
      st = lens_steps_view_get_steps (steps_view);
      g_assert_nonnull (st);
      g_assert_cmpint (st->query, ==, i);
      g_assert_cmpint (st->n_keys, ==, t->keys);
      /* what is shown: scaled = raw × scale, masked entries −∞ */
      lens_softmax_masked (st->scaled, st->hidden, st->n_keys, 1.0f, soft);
      for (int j = 0; j < t->keys; j++)
        {
          g_assert_cmpfloat_with_epsilon (st->scaled[j], st->raw[j] * t->scale, 1e-5 * (1 + fabs (st->raw[j])));
          if (st->hidden[j])
            g_assert_cmpfloat (row[j], ==, 0.0f);
          worst = MAX (worst, fabs (soft[j] - row[j]));
          worst = MAX (worst, fabs (st->weights[j] - row[j]));
        }
      for (int d = 0; d < t->dh; d++)
        {
          double direct = 0.0;

          for (int j = 0; j < t->keys; j++)
            direct += (double) row[j] * t->v[(gsize) j * t->dh + d];
          worst_out = MAX (worst_out, fabs (direct - st->output[d]));
        }
    }
  g_test_message ("%s layer %d head %d: largest difference %.3g in the weights, %.3g in the output",
                  attn_kind_name (kind), layer, head, worst, worst_out);
  g_assert_cmpfloat (worst, <=, TOLERANCE);
  g_assert_cmpfloat (worst_out, <=, TOLERANCE);
  return t->queries;
}

static void
test_steps_bert (void)
{
  LensWindow *win = open_window ("bert", "The animal didn't cross the street because it was too tired.");
  LensWorkbench *wb = lens_window_get_workbench (win);
  LensStepsView *view = lens_workbench_get_steps_view (wb);
  const LensSteps *st;
  float sharp, flat, plain;

  g_assert_true (lens_window_set_view (win, "steps"));
  g_assert_cmpint (check_head (win, ATTN_KIND_SELF, 0, 0), >, 10);
  check_head (win, ATTN_KIND_SELF, 1, 3);

  /* Next / Back, as the buttons and ←/→ do */
  lens_steps_view_set_step (view, LENS_STEP_QUERY);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "steps.next", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "steps.next", NULL));
  g_assert_cmpint (lens_steps_view_get_step (view), ==, LENS_STEP_SCORES);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "steps.back", NULL));
  g_assert_cmpint (lens_steps_view_get_step (view), ==, LENS_STEP_KEYS);
  lens_steps_view_set_step (view, 99);
  g_assert_cmpint (lens_steps_view_get_step (view), ==, LENS_STEP_OUTPUT);

  /* the temperature sharpens (T < 1) and flattens (T > 1) the weights */
  st = lens_steps_view_get_steps (view);
  plain = 0;
  for (int j = 0; j < st->n_keys; j++)
    plain = MAX (plain, st->weights[j]);
  lens_steps_view_set_temperature (view, 0.25);
  sharp = 0;
  for (int j = 0; j < st->n_keys; j++)
    sharp = MAX (sharp, st->weights[j]);
  lens_steps_view_set_temperature (view, 4.0);
  flat = 0;
  for (int j = 0; j < st->n_keys; j++)
    flat = MAX (flat, st->weights[j]);
  g_assert_cmpfloat (sharp, >, plain);
  g_assert_cmpfloat (flat, <, plain);
  lens_steps_view_set_temperature (view, 1.0);

  /* the score functions use the same q and K; parameters are illustrative here */
  g_assert_true (lens_window_set_view (win, "scores"));
  {
    LensScoresView *scores = lens_workbench_get_scores_view (wb);
    const LensScoreParams *p = lens_scores_view_get_params (scores);
    const float *sm;
    int n;
    double sum = 0;

    g_assert_true (lens_scores_view_has_scores (scores));
    g_assert_null (p->general_from);
    g_assert_null (p->additive_from);
    sm = lens_scores_view_get_sparsemax (scores, &n);
    g_assert_cmpint (n, ==, lens_workbench_get_trace (wb)->keys);
    for (int j = 0; j < n; j++)
      {
        g_assert_cmpfloat (sm[j], >=, 0.0f);
        sum += sm[j];
      }
    g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
  }
  test_app_close_windows ();
}

static void
test_steps_gpt2_causal (void)
{
  LensWindow *win = open_window ("gpt2", "Attention is all you need, and then some.");
  LensStepsView *view = lens_workbench_get_steps_view (lens_window_get_workbench (win));
  const LensSteps *st;

  g_assert_true (lens_window_set_view (win, "steps"));
  check_head (win, ATTN_KIND_SELF, 1, 2);
  /* the first query sees only itself: everything after it is masked */
  lens_selection_set_query (lens_window_get_selection (win), 0);
  st = lens_steps_view_get_steps (view);
  g_assert_cmpint (st->mask_kind, ==, LENS_MASK_CAUSAL);
  g_assert_false (st->hidden[0]);
  for (int j = 1; j < st->n_keys; j++)
    g_assert_true (st->hidden[j]);
  g_assert_cmpfloat (st->weights[0], ==, 1.0f);
  test_app_close_windows ();
}

static void
test_steps_marian_cross (void)
{
  LensWindow *win = open_window ("marian", "The cat sat on the mat.");

  g_assert_true (lens_window_set_view (win, "steps"));
  check_head (win, ATTN_KIND_CROSS, 0, 1);
  check_head (win, ATTN_KIND_DECODER, 1, 0);
  check_head (win, ATTN_KIND_ENCODER, 0, 3);
  test_app_close_windows ();
}

static gboolean
scores_idle (LensWindow *win)
{
  return !lens_scores_view_is_busy (lens_workbench_get_scores_view (lens_window_get_workbench (win)));
}

/* the translators' row: a placeholder that names what is missing, or one picture per model */
static void
test_translators (void)
{
  g_autofree char *empty = g_dir_make_tmp ("lens-models-XXXXXX", NULL);
  g_autofree char *some = g_dir_make_tmp ("lens-models-XXXXXX", NULL);
  g_autofree char *link = g_build_filename (some, "marian-toy", NULL);
  g_autofree char *marian = g_build_filename (test_fixtures, "marian", NULL);
  LensWindow *win;
  LensScoresView *scores;
  const char *msg;

  g_setenv ("ATTN_MODELS_DIR", empty, TRUE);
  win = open_window ("bert", "A short sentence.");
  scores = lens_workbench_get_scores_view (lens_window_get_workbench (win));
  msg = lens_scores_view_get_alignment_message (scores);
  g_assert_nonnull (msg);
  g_assert_nonnull (strstr (msg, "attn-rnn (additive, dot, general)"));
  g_assert_nonnull (strstr (msg, "marian"));
  g_assert_cmpint (lens_scores_view_get_n_alignments (scores), ==, 0);
  test_app_close_windows ();

  g_assert_cmpint (symlink (marian, link), ==, 0);
  g_setenv ("ATTN_MODELS_DIR", some, TRUE);
  win = open_window ("bert", "A short sentence.");
  g_assert_true (lens_window_set_view (win, "scores"));
  scores = lens_workbench_get_scores_view (lens_window_get_workbench (win));
  g_assert_true (test_app_wait_for (win, scores_idle));
  g_assert_cmpint (lens_scores_view_get_n_alignments (scores), ==, 1);
  msg = lens_scores_view_get_alignment_message (scores);
  g_assert_nonnull (strstr (msg, "attn-rnn"));
  g_assert_null (strstr (msg, "marian"));
  test_app_close_windows ();

  g_unsetenv ("ATTN_MODELS_DIR");
  g_unlink (link);
  g_rmdir (some);
  g_rmdir (empty);
}

static LensLearnView *learn_view;

static gboolean
learn_reported (LensWindow *win)
{
  return lens_learn_view_get_n_reports (learn_view) >= 3;
}

static gboolean
learn_stopped (LensWindow *win)
{
  return !lens_learn_view_is_training (learn_view);
}

/* Watch it learn: a small GRU learns to copy; its probe attention ends on the diagonal */
static void
test_learn_copy (void)
{
  LensWindow *win = lens_window_new (NULL);
  const AttnWeights *w;
  gint64 stopped_at, start = g_get_monotonic_time ();
  double aligned, seconds;
  int layer, on_diagonal = 0;

  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 860);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lens_window_set_view (win, "learn"));
  learn_view = lens_workbench_get_learn_view (lens_window_get_workbench (win));
  lens_learn_view_configure (learn_view, ATTN_TASK_COPY, ATTN_ARCH_GRU, ATTN_SCORE_DOT, 1);

  /* stop after a few reports, then resume from the same step */
  lens_learn_view_train (learn_view);
  g_assert_true (lens_learn_view_is_training (learn_view));
  g_assert_true (test_app_wait_for (win, learn_reported));
  lens_learn_view_stop (learn_view);
  g_assert_true (test_app_wait_for (win, learn_stopped));
  stopped_at = lens_learn_view_get_step (learn_view);
  g_assert_cmpint (stopped_at, >, 0);
  g_assert_cmpint (stopped_at, <, lens_learn_view_get_total_steps (learn_view));
  lens_learn_view_train (learn_view);
  g_assert_true (test_app_wait_for (win, learn_stopped));
  g_assert_cmpint (lens_learn_view_get_step (learn_view), ==, lens_learn_view_get_total_steps (learn_view));

  seconds = (g_get_monotonic_time () - start) / 1e6;
  w = lens_learn_view_get_attention (learn_view);
  g_assert_nonnull (w);
  aligned = lens_learn_view_get_aligned (learn_view, &layer);
  /* the argmax of each probe row, heads averaged, at the aligned source position */
  for (int i = 0; i < w->queries; i++)
    {
      const float *row = attn_weights_head (w, layer, 0) + (gsize) i * w->keys;
      int arg = 0;

      for (int j = 1; j < w->keys; j++)
        if (row[j] > row[arg])
          arg = j;
      on_diagonal += arg == lens_learn_aligned_position (ATTN_TASK_COPY, w->keys - 1, i);
    }
  g_test_message ("copy, GRU (dot): %d of %d probe rows on the diagonal after %.1f s in all; "
                  "diagonal first reached after %.1f s of training", on_diagonal, w->queries, seconds,
                  lens_learn_view_get_time_to_diagonal (learn_view));
  g_assert_cmpfloat (aligned, >=, 0.9);
  g_assert_cmpfloat ((double) on_diagonal / w->queries, >=, 0.9);
  g_assert_cmpfloat (lens_learn_view_get_time_to_diagonal (learn_view), >=, 0.0);
  g_assert_cmpfloat (seconds, <, 60.0);

  /* reseed: a new model from step 0 */
  lens_learn_view_reseed (learn_view);
  g_assert_cmpint (lens_learn_view_get_step (learn_view), ==, 0);
  g_assert_cmpuint (lens_learn_view_get_seed (learn_view), ==, 2);
  g_assert_null (lens_learn_view_get_attention (learn_view));
  test_app_close_windows ();
}

int
main (int argc, char **argv)
{
  test_app_init (&argc, &argv);

  g_test_add_func ("/workbench/steps/bert", test_steps_bert);
  g_test_add_func ("/workbench/steps/gpt2-causal", test_steps_gpt2_causal);
  g_test_add_func ("/workbench/steps/marian-cross", test_steps_marian_cross);
  g_test_add_func ("/workbench/translators", test_translators);
  g_test_add_func ("/workbench/learn/copy", test_learn_copy);
  return g_test_run ();
}
