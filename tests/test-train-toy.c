/* test-train-toy.c — the trainer's API: reproducible runs (same seed, same loss
 * curve bit for bit), save and resume, folders the inference engine loads,
 * progress callbacks and cancellation, configuration errors. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "attn-error.h"
#include "attn-model.h"
#include "attn-trainer-private.h"
#include "test-train-common.h"

/* ---- reproducibility ---- */

static void
run_curve (const AttnTrainConfig *c, int steps, double *losses)
{
  g_autoptr (GError) error = NULL;
  AttnTrainer *t = attn_trainer_new (c, &error);
  g_assert_no_error (error);
  for (int i = 0; i < steps; i++)
    {
      g_assert_true (attn_trainer_step (t, 1, NULL, &losses[i], &error));
      g_assert_no_error (error);
    }
  attn_trainer_free (t);
}

static void
check_same_seed (AttnTrainArch arch)
{
  enum { N = 25 };
  AttnTrainConfig c;
  double a[N], b[N], d[N];
  int same_other = 0;

  attn_train_config_init (&c, ATTN_TASK_REVERSE, arch);
  c.dropout = 0.1f;             /* dropout and smoothing in play too */
  c.label_smoothing = 0.1f;
  c.batch_size = 16;
  c.seed = 42;
  run_curve (&c, N, a);
  run_curve (&c, N, b);
  c.seed = 43;
  run_curve (&c, N, d);
  for (int i = 0; i < N; i++)
    {
      if (memcmp (&a[i], &b[i], sizeof (double)) != 0)
        g_test_fail_printf ("%s: step %d loss %.17g ≠ %.17g with the same seed",
                            attn_train_arch_name (arch), i + 1, a[i], b[i]);
      same_other += a[i] == d[i];
    }
  g_test_message ("%s: %d identical losses; last %.9f; another seed shares %d of them",
                  attn_train_arch_name (arch), N, a[N - 1], same_other);
  g_assert_cmpint (same_other, <, N);
  g_assert_cmpfloat (a[N - 1], <, a[0]);
}

static void test_seed_transformer (void) { check_same_seed (ATTN_ARCH_TRANSFORMER); }
static void test_seed_gru (void) { check_same_seed (ATTN_ARCH_GRU); }
static void test_seed_lstm (void) { check_same_seed (ATTN_ARCH_LSTM); }

/* ---- save and resume: 2 × 10 steps with a checkpoint between = 20 straight ---- */

static void
check_resume (AttnTrainArch arch)
{
  AttnTrainConfig c;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("attn-train-XXXXXX", &error);
  g_autofree char *ckpt = g_build_filename (dir, "ckpt", NULL);
  double straight[20], resumed[20];
  AttnTrainer *t;

  g_assert_no_error (error);
  attn_train_config_init (&c, ATTN_TASK_COPY, arch);
  c.batch_size = 16;
  c.dropout = 0.1f;
  c.seed = 5;
  run_curve (&c, 20, straight);

  t = attn_trainer_new (&c, &error);
  for (int i = 0; i < 10; i++)
    g_assert_true (attn_trainer_step (t, 1, NULL, &resumed[i], &error));
  g_assert_true (attn_trainer_save (t, ckpt, &error));
  g_assert_no_error (error);
  attn_trainer_free (t);
  t = attn_trainer_resume (ckpt, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attn_trainer_get_step (t), ==, 10);
  for (int i = 10; i < 20; i++)
    g_assert_true (attn_trainer_step (t, 1, NULL, &resumed[i], &error));
  attn_trainer_free (t);
  for (int i = 0; i < 20; i++)
    if (memcmp (&straight[i], &resumed[i], sizeof (double)) != 0)
      g_test_fail_printf ("%s: step %d loss %.17g after resuming ≠ %.17g straight",
                          attn_train_arch_name (arch), i + 1, resumed[i], straight[i]);
  g_test_message ("%s: resumed run matches at all 20 steps (last loss %.9f)",
                  attn_train_arch_name (arch), resumed[19]);

  /* the inference engine loads the folder and computes the same logits */
  {
    static const gint32 src[] = { 7, 5, 8, 5, 9, 13, 6, 10, ATTN_TOY_EOS };
    static const gint32 dec[] = { ATTN_TOY_BOS, 10, 6, 13, 9, 5, 8, 5, 7 };
    g_autoptr (AttnModel) model = attn_model_load (ckpt, &error);
    AttnInput in = { 0 };
    AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
    g_autoptr (AttnResult) r = NULL;
    AttnBatch b = { 0 };
    const float *mine;
    double max_diff = 0;

    g_assert_no_error (error);
    g_assert_cmpstr (attn_model_get_architecture (model), ==,
                     arch == ATTN_ARCH_TRANSFORMER ? "marian" : "rnn");
    in.input_ids = src;
    in.n_input_ids = G_N_ELEMENTS (src);
    in.decoder_ids = dec;
    in.n_decoder_ids = G_N_ELEMENTS (dec);
    r = attn_model_run (model, &in, &opt, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (r->attention[ATTN_KIND_CROSS]);
    g_assert_cmpint (r->logits_rows, ==, 9);
    g_assert_cmpint (r->logits_cols, ==, ATTN_TOY_VOCAB);

    t = attn_trainer_resume (ckpt, &error);
    attn_batch_reserve (&b, 1, 9, 9);
    memcpy (b.src, src, sizeof src);
    memcpy (b.tgt_in, dec, sizeof dec);
    memset (b.tgt_out, 0, sizeof (gint32) * 9);
    b.src_len[0] = b.tgt_len[0] = 9;
    t->model->klass->forward (t->model, &b, 0.0f, FALSE, FALSE, NULL, NULL);
    mine = t->model->klass->logits (t->model);
    for (int i = 0; i < 9 * ATTN_TOY_VOCAB; i++)
      max_diff = MAX (max_diff, fabs (mine[i] - r->logits[i]));
    g_test_message ("%s: inference engine vs training forward: max |Δlogit| = %.2e",
                    attn_train_arch_name (arch), max_diff);
    if (!(max_diff < 1e-4))
      g_test_fail_printf ("logits differ by %.3e", max_diff);
    attn_batch_clear (&b);
    attn_trainer_free (t);
  }

  /* the folder has what the inference engine reads */
  {
    static const char *files[] = { "config.json", "generation_config.json", "model.safetensors",
                                   "tokenizer.json", "vocab.json", "tokenizer_config.json",
                                   "trainer_state.json", "optimizer.safetensors" };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *p = g_build_filename (ckpt, files[i], NULL);
        g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
        g_unlink (p);
      }
  }
  g_rmdir (ckpt);
  g_rmdir (dir);
}

static void test_resume_transformer (void) { check_resume (ATTN_ARCH_TRANSFORMER); }
static void test_resume_gru (void) { check_resume (ATTN_ARCH_GRU); }

/* ---- the window's API: callback every N steps, cancellation ---- */

typedef struct {
  int calls;
  gint64 last_step;
  GCancellable *cancel_after_2;
} CbData;

static void
on_progress (const AttnTrainProgress *p, gpointer user_data)
{
  CbData *d = user_data;
  const AttnWeights *w = p->attention;
  d->calls++;
  d->last_step = p->step;
  g_assert_nonnull (w);
  g_assert_cmpint (w->queries, ==, 11);   /* probe: 10 digits + eos; <s> + 10 digits */
  g_assert_cmpint (w->keys, ==, 11);
  for (int l = 0; l < w->layers; l++)
    for (int h = 0; h < w->heads; h++)
      for (int i = 0; i < w->queries; i++)
        {
          double s = 0;
          for (int j = 0; j < w->keys; j++)
            s += attn_weights_head (w, l, h)[i * w->keys + j];
          g_assert_cmpfloat (fabs (s - 1), <, 1e-4);
        }
  g_assert_true (isfinite (p->loss) && p->loss > 0);
  g_assert_true (p->tokens_per_second > 0);
  g_assert_nonnull (strstr (p->probe_source, "</s>"));
  if (d->calls == 2 && d->cancel_after_2 != NULL)
    g_cancellable_cancel (d->cancel_after_2);
}

static void
test_callback (void)
{
  for (int arch = ATTN_ARCH_TRANSFORMER; arch <= ATTN_ARCH_GRU; arch++)
    {
      AttnTrainConfig c;
      g_autoptr (GError) error = NULL;
      g_autoptr (GCancellable) cancel = g_cancellable_new ();
      CbData d = { 0, 0, cancel };
      AttnTrainer *t;

      attn_train_config_init (&c, ATTN_TASK_REVERSE, arch);
      c.batch_size = 8;
      t = attn_trainer_new (&c, &error);
      attn_trainer_set_callback (t, 3, on_progress, &d, NULL);
      g_assert_false (attn_trainer_step (t, 20, cancel, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (d.calls, ==, 2);
      g_assert_cmpint (attn_trainer_get_step (t), ==, 6);
      g_clear_error (&error);
      /* still usable afterwards */
      g_assert_true (attn_trainer_step (t, 3, NULL, NULL, &error));
      g_assert_cmpint (d.calls, ==, 3);
      /* another probe */
      g_assert_false (attn_trainer_set_probe (t, "1 2 x", &error));
      g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
      g_clear_error (&error);
      g_assert_true (attn_trainer_set_probe (t, "1 2 3", &error));
      {
        AttnWeights *w = attn_trainer_probe_attention (t);
        g_assert_cmpint (w->queries, ==, 4);
        g_assert_cmpint (w->keys, ==, 4);
        attn_weights_free (w);
      }
      {
        g_autofree char *p = attn_trainer_predict (t, "4 5 6", &error);
        g_assert_no_error (error);
        g_assert_nonnull (p);
      }
      attn_trainer_free (t);
    }
}

/* The window's pattern: the trainer steps on a worker thread, the callback runs there. */
static gpointer
worker (gpointer data)
{
  AttnTrainer *t = data;
  GError *error = NULL;
  gboolean ok = attn_trainer_step (t, 6, NULL, NULL, &error);
  g_assert_no_error (error);
  return GINT_TO_POINTER (ok);
}

static void
test_worker_thread (void)
{
  AttnTrainConfig c;
  g_autoptr (GError) error = NULL;
  CbData d = { 0 };
  AttnTrainer *t;
  GThread *thread;

  attn_train_config_init (&c, ATTN_TASK_COPY, ATTN_ARCH_GRU);
  c.batch_size = 8;
  t = attn_trainer_new (&c, &error);
  attn_trainer_set_callback (t, 2, on_progress, &d, NULL);
  thread = g_thread_new ("trainer", worker, t);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  g_assert_cmpint (d.calls, ==, 3);
  g_assert_cmpint (d.last_step, ==, 6);
  attn_trainer_free (t);
}

static void
test_recipe (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("attn-recipe-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "recipe.json", NULL);
  AttnTrainConfig c;

  g_assert_true (g_file_set_contents (path, "{ \"task\": \"sort\", \"arch\": \"lstm\", "
                                      "\"score\": \"general\", \"seed\": 9, \"steps\": 77, "
                                      "\"lr\": 0.002, \"label_smoothing\": 0.1, \"decay\": \"linear\", "
                                      "\"score_init\": \"identity\", \"score_lr_scale\": 0.1 }",
                                      -1, &error));
  g_assert_true (attn_train_config_from_recipe (path, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (c.task, ==, ATTN_TASK_SORT);
  g_assert_cmpint (c.arch, ==, ATTN_ARCH_LSTM);
  g_assert_cmpint (c.score, ==, ATTN_SCORE_GENERAL);
  g_assert_cmpint (c.seed, ==, 9);
  g_assert_cmpint (c.steps, ==, 77);
  g_assert_cmpfloat (fabs (c.lr - 0.002f), <, 1e-9);
  g_assert_cmpfloat (fabs (c.label_smoothing - 0.1f), <, 1e-7);
  g_assert_cmpint (c.decay, ==, ATTN_DECAY_LINEAR);
  g_assert_cmpint (c.score_init, ==, ATTN_SCORE_INIT_IDENTITY);
  g_assert_cmpfloat (fabs (c.score_lr_scale - 0.1f), <, 1e-7);
  g_assert_cmpint (c.hidden_size, >, 0);            /* the arch's defaults fill the rest */

  g_assert_true (g_file_set_contents (path, "{ \"arch\": \"gru\", \"score_init\": \"eye\" }", -1, &error));
  g_assert_false (attn_train_config_from_recipe (path, &c, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "“score_init” must be random, identity or zero"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{ \"task\": \"copy\", \"learning_rate\": 1 }", -1, &error));
  g_assert_false (attn_train_config_from_recipe (path, &c, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "learning_rate"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "{ \"task\": \"copy\", \"steps\": \"many\" }", -1, &error));
  g_assert_false (attn_train_config_from_recipe (path, &c, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG);
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
}

/* attn-cli train → attn-cli run, by spawning the built binary ($ATTN_CLI). */
static int
spawn_cli (char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int status = -1;
  va_list ap;
  g_ptr_array_add (argv, (gpointer) g_getenv ("ATTN_CLI"));
  va_start (ap, err);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                &status, &error);
  g_assert_no_error (error);
  return status;
}

static void
test_cli (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *model = NULL, *json = NULL, *recipe = NULL, *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root, *cross;
  JsonArray *shape;
  char *out = NULL, *err = NULL;
  int status;

  if (g_getenv ("ATTN_CLI") == NULL)
    {
      g_test_skip ("ATTN_CLI is not set (run through meson test)");
      return;
    }
  dir = g_dir_make_tmp ("attn-cli-train-XXXXXX", &error);
  model = g_build_filename (dir, "model", NULL);
  json = g_build_filename (dir, "out.json", NULL);
  recipe = g_build_filename (dir, "recipe.json", NULL);

  status = spawn_cli (&out, &err, "train", "--task", "reverse", "--arch", "gru", "--score", "general",
                      "--steps", "6", "--batch-size", "8", "--every", "2", "--eval", "20",
                      "--out", model, NULL);
  g_test_message ("train: exit %d\n%s%s", status, out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "step     6/6"));        /* progress lines on stderr */
  g_assert_nonnull (strstr (err, "tok/s"));
  g_assert_nonnull (strstr (out, "saved to"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = spawn_cli (&out, &err, "run", model, "--source", "3 1 4", "--json", json, NULL);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_file (parser, json, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "model"),
                                                  "architecture"), ==, "rnn");
  cross = json_object_get_object_member (json_object_get_object_member (root, "attention"), "cross");
  shape = json_object_get_array_member (cross, "shape");
  g_assert_cmpint (json_array_get_int_element (shape, 0), ==, 1);
  g_assert_cmpint (json_array_get_int_element (shape, 1), ==, 1);
  g_assert_cmpint (json_array_get_int_element (shape, 3), ==, 4);   /* 3 1 4 </s> */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* a recipe, and errors: one line on stderr, non-zero exit */
  text = g_strdup ("{ \"task\": \"copy\", \"arch\": \"transformer\", \"steps\": 2, "
                   "\"batch_size\": 4, \"d_model\": 16, \"ffn_dim\": 32, \"layers\": 1, \"heads\": 2 }");
  g_assert_true (g_file_set_contents (recipe, text, -1, &error));
  status = spawn_cli (&out, &err, "train", "--recipe", recipe, "--eval", "0", "-q", "--out", model, NULL);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = spawn_cli (&out, &err, "train", "--task", "shuffle", "--arch", "gru", "--out", model, NULL);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (err, "attn-cli: "));
  g_assert_nonnull (strstr (err, "shuffle"));
  g_assert_cmpint (strchr (err, '\n') - err + 1, ==, strlen (err));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  train_test_remove_dir (dir);
}

/* Ctrl+C saves: two SIGINTs within a second (as `timeout -s INT` sends: one to the
 * child, one to its process group) stop the run once, save it and exit with 130. */
static void
test_cli_sigint (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *model = NULL, *state = NULL;
  g_autoptr (GString) err = g_string_new (NULL);
  const char *argv[] = { g_getenv ("ATTN_CLI"), "train", "--task", "copy", "--arch", "gru",
                         "--steps", "1000000", "--every", "1", "--out", NULL, NULL };
  char line[512];
  GPid pid;
  int err_fd, status;
  FILE *f;

  if (argv[0] == NULL)
    {
      g_test_skip ("ATTN_CLI is not set (run through meson test)");
      return;
    }
  dir = g_dir_make_tmp ("attn-cli-sigint-XXXXXX", &error);
  model = g_build_filename (dir, "model", NULL);
  state = g_build_filename (model, "trainer_state.json", NULL);
  argv[11] = model;
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                           NULL, NULL, &pid, NULL, NULL, &err_fd, &error));
  f = fdopen (err_fd, "r");
  while (fgets (line, sizeof line, f) != NULL && !g_str_has_prefix (line, "step"))
    ;
  g_assert_true (g_str_has_prefix (line, "step"));   /* training has started */
  kill (pid, SIGINT);
  g_usleep (20000);
  kill (pid, SIGINT);
  while (fgets (line, sizeof line, f) != NULL)
    g_string_append (err, line);
  fclose (f);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_test_message ("after SIGINT: %s", err->str);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 130);
  g_assert_nonnull (strstr (err->str, "; saving"));
  g_assert_true (g_file_test (state, G_FILE_TEST_IS_REGULAR));
  train_test_remove_dir (dir);
}

static void
test_bad_config (void)
{
  AttnTrainConfig c;
  g_autoptr (GError) error = NULL;
  attn_train_config_init (&c, ATTN_TASK_COPY, ATTN_ARCH_TRANSFORMER);
  c.heads = 5;   /* 64 is not a multiple of 5 */
  g_assert_null (attn_trainer_new (&c, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  attn_train_config_init (&c, ATTN_TASK_COPY, ATTN_ARCH_GRU);
  c.max_len = 2;
  c.min_len = 3;
  g_assert_null (attn_trainer_new (&c, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (attn_trainer_resume ("/nonexistent/attn-train", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* the score keys where there is nothing for them to act on */
  {
    g_autofree char *dir = train_test_make_dir ("attn-bad-config");
    train_test_expect_error (dir, "{ \"arch\": \"gru\", \"score\": \"dot\", \"score_init\": \"identity\" }",
                             "“score_init” applies to the general score");
    train_test_expect_error (dir, "{ \"arch\": \"transformer\", \"score_init\": \"zero\" }",
                             "“score_init” applies to the general score");
    train_test_expect_error (dir, "{ \"arch\": \"gru\", \"score\": \"scaled-dot\", \"score_lr_scale\": 0.5 }",
                             "“score_lr_scale” applies to a gru or lstm model");
    train_test_expect_error (dir, "{ \"arch\": \"lstm\", \"score\": \"general\", \"score_lr_scale\": -1 }",
                             "“score_lr_scale” must be between 0 and 100");
    train_test_remove_dir (dir);
  }
}

/* ---- lengthening: 10 steps of a 10-step invsqrt run, resumed to 20 = 20 straight ---- */

static void
test_extend (void)
{
  AttnTrainConfig c;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("attn-train-XXXXXX", &error);
  g_autofree char *ckpt = g_build_filename (dir, "ckpt", NULL);
  double straight[20], extended[20];
  AttnTrainer *t;

  g_assert_no_error (error);
  attn_train_config_init (&c, ATTN_TASK_COPY, ATTN_ARCH_TRANSFORMER);
  c.batch_size = 16;
  c.seed = 9;
  c.decay = ATTN_DECAY_INVSQRT;
  c.warmup_steps = 4;
  c.steps = 20;
  run_curve (&c, 20, straight);

  c.steps = 10;
  t = attn_trainer_new (&c, &error);
  for (int i = 0; i < 10; i++)
    g_assert_true (attn_trainer_step (t, 1, NULL, &extended[i], &error));
  g_assert_true (attn_trainer_save (t, ckpt, &error));
  attn_trainer_free (t);
  t = attn_trainer_resume (ckpt, &error);
  g_assert_no_error (error);
  g_assert_false (attn_trainer_extend (t, 10, &error));        /* not beyond step 10 */
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_true (attn_trainer_extend (t, 20, &error));
  g_assert_no_error (error);
  for (int i = 10; i < 20; i++)
    g_assert_true (attn_trainer_step (t, 1, NULL, &extended[i], &error));
  attn_trainer_free (t);
  g_assert_cmpmem (straight, sizeof straight, extended, sizeof extended);

  /* a cosine schedule depends on the run's length: refused */
  c.decay = ATTN_DECAY_COSINE;
  t = attn_trainer_new (&c, &error);
  g_assert_false (attn_trainer_extend (t, 20, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  attn_trainer_free (t);
  train_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  train_test_init_blas ();
  g_test_add_func ("/train-toy/bad-config", test_bad_config);
  g_test_add_func ("/train-toy/recipe", test_recipe);
  g_test_add_func ("/train-toy/callback-and-cancel", test_callback);
  g_test_add_func ("/train-toy/worker-thread", test_worker_thread);
  g_test_add_func ("/train-toy/cli", test_cli);
  g_test_add_func ("/train-toy/cli-sigint", test_cli_sigint);
  g_test_add_func ("/train-toy/same-seed/transformer", test_seed_transformer);
  g_test_add_func ("/train-toy/same-seed/gru", test_seed_gru);
  g_test_add_func ("/train-toy/same-seed/lstm", test_seed_lstm);
  g_test_add_func ("/train-toy/resume/transformer", test_resume_transformer);
  g_test_add_func ("/train-toy/resume/gru", test_resume_gru);
  g_test_add_func ("/train-toy/extend", test_extend);
  return g_test_run ();
}
