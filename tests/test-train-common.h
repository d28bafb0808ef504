/* test-train-common.h — what the training tests share. */
#pragma once

#include <glib.h>
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "attn-error.h"
#include "attn-trainer.h"

#if defined(__SANITIZE_ADDRESS__)
#define TRAIN_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRAIN_TEST_SANITIZED 1
#endif
#endif
#ifndef TRAIN_TEST_SANITIZED
#define TRAIN_TEST_SANITIZED 0
#endif

/* Under AddressSanitizer, multi-threaded OpenBLAS re-maps its buffers on every
 * call and its threads spin while the slower instrumented code runs: the
 * training tests ran 10× slower with 2 threads than with 1 (measured: the
 * learning test > 300 s against 34 s). Sanitized runs check memory, not speed,
 * so they use one thread; normal runs keep OPENBLAS_NUM_THREADS as given. */
static inline void
train_test_init_blas (void)
{
#if TRAIN_TEST_SANITIZED && defined(OPENBLAS_VERSION)
  openblas_set_num_threads (1);
#endif
}

/* A new temporary folder NAME-XXXXXX (g_free it; train_test_remove_dir removes it). */
static inline char *
train_test_make_dir (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmpl = g_strdup_printf ("%s-XXXXXX", name);
  char *dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  return dir;
}

static inline void
train_test_remove_dir (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (cmd) != 0)
    g_printerr ("could not remove %s\n", dir);
}

/* Writes `text` to dir/name and returns the path (g_free it). */
static inline char *
train_test_write_file (const char *dir, const char *name, const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A recipe (written to dir/bad.json) that must fail with ATTN_ERROR_CONFIG, from its
 * parsing or from making the trainer, with a message that contains `needle`. */
static inline void
train_test_expect_error (const char *dir, const char *text, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *recipe = train_test_write_file (dir, "bad.json", text);
  AttnTrainConfig c;
  AttnTrainer *t = NULL;

  if (attn_train_config_from_recipe (recipe, &c, &error))
    t = attn_trainer_new (&c, &error);
  g_assert_null (t);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
}

/* Save and resume: runs `a` n steps straight and `b` (a fresh trainer with the same
 * configuration) n/2 steps, saves b to ckpt, resumes it and runs the rest; the losses
 * must be equal bit for bit. Frees a and b; returns the resumed trainer, at step n. */
static inline AttnTrainer *
train_test_check_resume (AttnTrainer *a, AttnTrainer *b, int n, const char *ckpt)
{
  g_autoptr (GError) error = NULL;
  double straight[64], resumed[64];
  AttnTrainer *t;

  g_assert_cmpint (n, <=, 64);
  for (int i = 0; i < n; i++)
    g_assert_true (attn_trainer_step (a, 1, NULL, &straight[i], &error));
  attn_trainer_free (a);
  for (int i = 0; i < n / 2; i++)
    g_assert_true (attn_trainer_step (b, 1, NULL, &resumed[i], &error));
  g_assert_true (attn_trainer_save (b, ckpt, &error));
  g_assert_no_error (error);
  attn_trainer_free (b);
  {
    /* the corpus is named relative to the saved folder (a checkout can move) */
    g_autofree char *state = g_build_filename (ckpt, "trainer_state.json", NULL);
    g_autofree char *json = NULL;
    g_assert_true (g_file_get_contents (state, &json, NULL, NULL));
    if (strstr (json, "\"train\"") != NULL)
      g_assert_null (strstr (json, "\"train\" : \"/"));
  }
  t = attn_trainer_resume (ckpt, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attn_trainer_get_step (t), ==, n / 2);
  for (int i = n / 2; i < n; i++)
    g_assert_true (attn_trainer_step (t, 1, NULL, &resumed[i], &error));
  for (int i = 0; i < n; i++)
    if (memcmp (&straight[i], &resumed[i], sizeof (double)) != 0)
      g_test_fail_printf ("step %d: loss %.17g after resuming ≠ %.17g straight", i + 1,
                          resumed[i], straight[i]);
  g_test_message ("resumed run matches at all %d steps (last loss %.9f)", n, resumed[n - 1]);
  return t;
}
