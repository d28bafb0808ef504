/* test-train-lm.c — the GPT-2 language model trained by recipe on plain text: a
 * small synthetic English corpus, a byte-level BPE tokenizer trained on it with the
 * engine's trainer, the text laid out as documents separated by <|endoftext|>;
 * the dev perplexity falls, the saved folder runs in the inference engine with the
 * training forward pass's logits and attention, resuming equals an uninterrupted
 * run, repeated rows (repeat_fraction, repeat_random) copy a span of their own text or
 * of random tokens and are drawn reproducibly, and bad recipes fail clearly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "attn-error.h"
#include "attn-lm.h"
#include "attn-model.h"
#include "attn-tokenizer-train.h"
#include "attn-train-private.h"
#include "attn-trainer-private.h"
#include "test-train-common.h"

static char *tmp_dir;

static const char *const subjects[] = { "the cat", "a dog", "the old man", "my sister", "the bird" };
static const char *const verbs[] = { "sees", "likes", "follows", "hears", "finds" };
static const char *const objects[] = { "the garden", "a red ball", "the river", "our house", "the king" };


/* n documents of 2–4 paragraphs of 3–6 sentences "Subject verb object." */
static char *
make_text (GRand *r, int n)
{
  GString *s = g_string_new (NULL);
  for (int d = 0; d < n; d++)
    {
      int paras = g_rand_int_range (r, 2, 5);
      if (d > 0)
        g_string_append_c (s, '\n');
      for (int p = 0; p < paras; p++)
        {
          int sentences = g_rand_int_range (r, 3, 7);
          for (int i = 0; i < sentences; i++)
            {
              const char *subj = subjects[g_rand_int_range (r, 0, G_N_ELEMENTS (subjects))];
              g_string_append_printf (s, "%s%c%s %s %s.", i > 0 ? " " : "",
                                      g_ascii_toupper (subj[0]), subj + 1,
                                      verbs[g_rand_int_range (r, 0, G_N_ELEMENTS (verbs))],
                                      objects[g_rand_int_range (r, 0, G_N_ELEMENTS (objects))]);
            }
          g_string_append_c (s, '\n');
        }
    }
  return g_string_free (s, FALSE);
}

static void
make_corpus (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  g_autoptr (GError) error = NULL;
  g_autofree char *train = make_text (r, 60), *dev = make_text (r, 8);
  g_autofree char *train_path = train_test_write_file (tmp_dir, "train.txt", train);
  g_autofree char *tok_dir = g_build_filename (tmp_dir, "tok", NULL);
  g_autofree char *wp_dir = g_build_filename (tmp_dir, "tok-wp", NULL);
  AttnTokenizerTrainOptions opts;

  g_free (train_test_write_file (tmp_dir, "dev.txt", dev));
  g_free (train_test_write_file (tmp_dir, "short.txt", "Too short.\n"));
  for (int kind = 0; kind < 2; kind++)
    {
      g_autoptr (AttnTokenizerTrainer) tt = NULL;
      attn_tokenizer_train_options_init (&opts, kind == 0 ? ATTN_TOKENIZER_KIND_BPE
                                                          : ATTN_TOKENIZER_KIND_WORDPIECE);
      opts.vocab_size = 300;
      tt = attn_tokenizer_trainer_new (&opts);
      g_assert_true (attn_tokenizer_trainer_feed_file (tt, train_path, &error));
      g_assert_true (attn_tokenizer_trainer_train (tt, NULL, &error));
      g_assert_true (attn_tokenizer_trainer_save (tt, kind == 0 ? tok_dir : wp_dir, &error));
      g_assert_no_error (error);
    }
}

static const char *recipe_base =
  "{ \"arch\": \"gpt2\", \"train\": \"train.txt\", \"dev\": \"dev.txt\", \"tokenizer\": \"tok\", "
  "\"context\": 16, \"d_model\": 32, \"ffn_dim\": 64, \"layers\": 2, \"heads\": 2, "
  "\"batch_size\": 8, \"lr\": 0.005, \"warmup_steps\": 20, \"seed\": 3, \"eval_size\": 1000";

static AttnTrainer *
new_trainer (int steps, const char *extra)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("%s, \"steps\": %d %s }", recipe_base, steps, extra);
  g_autofree char *recipe = train_test_write_file (tmp_dir, "recipe.json", text);
  AttnTrainConfig c;
  AttnTrainer *t;

  g_assert_true (attn_train_config_from_recipe (recipe, &c, &error));
  g_assert_no_error (error);
  t = attn_trainer_new (&c, &error);
  g_assert_no_error (error);
  return t;
}

/* ---- the text layout ---- */

static void
test_encode_text (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tok_path = g_build_filename (tmp_dir, "tok", "tokenizer.json", NULL);
  g_autoptr (AttnTokenizer) tok = attn_tokenizer_new_from_json (tok_path, &error);
  g_autoptr (AttnEncoding) a = NULL, b = NULL;
  g_autoptr (GArray) ids = NULL;
  gint32 eos;
  int n_docs = 0;
  guint k = 0;

  g_assert_no_error (error);
  eos = attn_tokenizer_token_to_id (tok, "<|endoftext|>");
  g_assert_cmpint (eos, ==, 0);
  a = attn_tokenizer_encode (tok, "The cat sees.\nA dog likes the river.", NULL, FALSE, &error);
  b = attn_tokenizer_encode (tok, "The bird.", NULL, FALSE, &error);
  g_assert_no_error (error);
  /* CR LF, several empty lines, no final newline */
  ids = attn_lm_encode_text (tok, "The cat sees.\r\nA dog likes the river.\r\n\r\n\n\nThe bird.",
                             -1, eos, &n_docs, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n_docs, ==, 2);
  g_assert_cmpuint (ids->len, ==, a->len + 1 + b->len + 1);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpint (g_array_index (ids, gint32, k++), ==, a->ids[i]);
  g_assert_cmpint (g_array_index (ids, gint32, k++), ==, eos);
  for (guint i = 0; i < b->len; i++)
    g_assert_cmpint (g_array_index (ids, gint32, k++), ==, b->ids[i]);
  g_assert_cmpint (g_array_index (ids, gint32, k++), ==, eos);
  /* the paragraphs' newline is in the stream and decodes back */
  {
    g_autofree char *back = attn_tokenizer_decode (tok, a->ids, a->len, TRUE);
    g_assert_cmpstr (back, ==, "The cat sees.\nA dog likes the river.");
  }
  g_clear_pointer (&ids, g_array_unref);
  ids = attn_lm_encode_text (tok, "ok\xff", -1, eos, NULL, &error);
  g_assert_null (ids);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
}

/* ---- learning, and the saved folder in the inference engine ---- */

static void
test_learns (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnTrainer) t = new_trainer (200, "");
  g_autofree char *dir = g_build_filename (tmp_dir, "lm", NULL);
  g_autofree char *state_path = g_build_filename (dir, "trainer_state.json", NULL);
  g_autofree char *state = NULL, *more = NULL;
  AttnTrainEval before, after;
  AttnTrainCorpusInfo info;

  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_train_docs, ==, 60);
  g_assert_cmpint (info.n_dev_docs, ==, 8);
  g_assert_cmpint (info.n_train, ==, (int) ((info.train_tokens - 16) / 16));
  g_assert_cmpint (info.n_dev, ==, (int) ((info.dev_tokens - 1 + 15) / 16));
  g_assert_true (attn_trainer_evaluate (t, 0, &before, &error));
  g_assert_true (attn_trainer_step (t, 200, NULL, NULL, &error));
  g_assert_true (attn_trainer_evaluate (t, 0, &after, &error));
  g_assert_no_error (error);
  g_test_message ("dev: %d chunks, %" G_GINT64_FORMAT " tokens, perplexity %.2f → %.2f "
                  "(vocabulary %d), token accuracy %.1f %%", after.n, after.tokens,
                  before.perplexity, after.perplexity, t->model->vocab,
                  100 * after.token_accuracy);
  /* every dev token after the first is predicted once */
  g_assert_cmpint (after.n, ==, info.n_dev);
  g_assert_cmpint (after.tokens, ==, info.dev_tokens - 1);
  g_assert_cmpfloat (fabs (before.perplexity - exp (before.loss)), <, 1e-9 * before.perplexity);
  g_assert_cmpfloat (before.perplexity, >, 100);
  /* the grammar leaves about 5 choices at a content word and none elsewhere */
  g_assert_cmpfloat (after.perplexity, <, 3.0);
  g_assert_cmpfloat (after.exact_match, <, 0);

  more = attn_trainer_predict (t, "The cat", &error);
  g_assert_no_error (error);
  g_test_message ("“The cat” → “%s”", more);
  g_assert_true (g_str_has_prefix (more, " sees") || g_str_has_prefix (more, " likes")
                 || g_str_has_prefix (more, " follows") || g_str_has_prefix (more, " hears")
                 || g_str_has_prefix (more, " finds"));

  g_assert_true (attn_trainer_save (t, dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (state_path, &state, NULL, NULL));
  g_assert_nonnull (strstr (state, "\"perplexity\""));
  g_assert_nonnull (strstr (state, "\"context\" : 16"));
}

/* The trainer's dev evaluation reports the induction probe as attn-cli eval measures it:
 * the same sequences run through the inference engine give the same best head. */
static void
check_induction_probe (AttnTrainer *t, AttnModel *model)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tok_path = g_build_filename (tmp_dir, "tok", "tokenizer.json", NULL);
  g_autoptr (AttnTokenizer) tok = attn_tokenizer_new_from_json (tok_path, &error);
  int T = 16, period = (T - 1) / 2, lo, hi, L = 2, H = 2, best = 0;
  gint32 ids[16], eos = attn_tokenizer_token_to_id (tok, "<|endoftext|>");
  double sum[4] = { 0 }, one[4];
  AttnTrainEval ev;

  g_assert_true (attn_trainer_evaluate (t, 10, &ev, &error));
  g_assert_no_error (error);
  attn_induction_token_range (tok, &lo, &hi);
  g_assert_cmpint (lo, >, eos);     /* <|endoftext|> is left out */
  for (int seed = 1; seed <= ATTN_INDUCTION_SEEDS; seed++)
    {
      AttnInput in = { .input_ids = ids };
      AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
      g_autoptr (AttnResult) r = NULL;
      in.n_input_ids = attn_induction_sequence (seed, lo, hi, period, eos, ids);
      g_assert_cmpint (in.n_input_ids, ==, 1 + 2 * period);
      opt.max_new_tokens = 0;
      r = attn_model_run (model, &in, &opt, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      attn_induction_scores (r->attention[ATTN_KIND_SELF], 1, period, one);
      for (int i = 0; i < L * H; i++)
        sum[i] += one[i] / ATTN_INDUCTION_SEEDS;
    }
  for (int i = 1; i < L * H; i++)
    if (sum[i] > sum[best])
      best = i;
  g_test_message ("induction score %.4f (layer %d head %d), inference engine %.4f",
                  ev.induction, ev.induction_layer + 1, ev.induction_head + 1, sum[best]);
  g_assert_cmpint (ev.induction_layer * H + ev.induction_head, ==, best);
  g_assert_cmpfloat_with_epsilon (ev.induction, sum[best], 1e-5);
}

static void
test_engine_logits (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "lm", NULL);
  g_autoptr (AttnModel) model = NULL;
  g_autoptr (AttnResult) r = NULL;
  AttnTrainer *t;
  AttnInput in = { 0 };
  AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
  AttnBatch b = { 0 };
  const float *mine;
  const AttnWeights *w;
  double max_diff = 0, max_logit = 0, max_p = 0;
  int T = 16, V;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("needs /train-lm/learns");
      return;
    }
  model = attn_model_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attn_model_get_architecture (model), ==, "gpt2");
  g_assert_cmpint (attn_model_get_n_layers (model), ==, 2);
  g_assert_cmpint (attn_model_get_n_heads (model), ==, 2);

  t = attn_trainer_resume (dir, &error);
  g_assert_no_error (error);
  V = t->model->vocab;
  /* a training chunk, a full context */
  attn_batch_reserve (&b, 1, 0, T);
  attn_text_corpus_make_batch (t->text, 0, &t->batch);
  memcpy (b.tgt_in, t->batch.tgt_in, sizeof (gint32) * T);
  memcpy (b.tgt_out, t->batch.tgt_out, sizeof (gint32) * T);
  b.tgt_len[0] = T;
  t->model->klass->forward (t->model, &b, 0.0f, FALSE, FALSE, NULL, NULL);
  mine = t->model->klass->logits (t->model);

  in.input_ids = b.tgt_in;
  in.n_input_ids = T;
  opt.max_new_tokens = 0;
  r = attn_model_run (model, &in, &opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->logits_rows, ==, T);
  g_assert_cmpint (r->logits_cols, ==, V);
  for (int i = 0; i < T * V; i++)
    {
      max_diff = MAX (max_diff, fabs (mine[i] - r->logits[i]));
      max_logit = MAX (max_logit, fabs (mine[i]));
    }
  /* and the attention the views show is the attention that was trained */
  w = r->attention[ATTN_KIND_SELF];
  g_assert_nonnull (w);
  g_assert_true (w->causal);
  {
    AttnWeights *tw = t->model->klass->cross (t->model, 0, T, 0);
    g_assert_cmpint (tw->layers, ==, w->layers);
    g_assert_cmpint (tw->queries, ==, w->queries);
    for (gsize i = 0; i < (gsize) w->layers * w->heads * T * T; i++)
      max_p = MAX (max_p, fabs (tw->data[i] - w->data[i]));
    attn_weights_free (tw);
  }
  g_test_message ("inference engine vs training forward: max |Δlogit| = %.2e (|logit| ≤ %.1f), "
                  "max |Δattention| = %.2e", max_diff, max_logit, max_p);
  /* float32 rounding: the two forward passes order their sums differently */
  if (!(max_diff < 1e-6 * MAX (1.0, max_logit)))
    g_test_fail_printf ("logits differ by %.3e (largest |logit| %.2f)", max_diff, max_logit);
  if (!(max_p < 1e-6))
    g_test_fail_printf ("attention weights differ by %.3e", max_p);
  attn_batch_clear (&b);
  check_induction_probe (t, model);
  attn_trainer_free (t);
}

/* ---- 2 × 10 steps with a checkpoint between = 20 straight, with dropout ---- */

static void
test_resume (void)
{
  g_autofree char *ckpt = g_build_filename (tmp_dir, "ckpt", NULL);
  AttnTrainer *t = train_test_check_resume (new_trainer (20, ", \"dropout\": 0.1"),
                                            new_trainer (20, ", \"dropout\": 0.1"), 20, ckpt);

  g_assert_cmpint (attn_trainer_get_config (t)->context, ==, 16);
  attn_trainer_free (t);
}

/* ---- repeat_fraction: a span of the chunk copied to a later place ---- */

/* Row b of r and p (the same step with and without repeats), as context + 1 tokens. */
static void
row_tokens (const AttnBatch *batch, int b, int T, gint32 *seq)
{
  memcpy (seq, batch->tgt_in + (gsize) b * T, sizeof (gint32) * T);
  seq[T] = batch->tgt_out[(gsize) b * T + T - 1];
  for (int j = 0; j < T - 1; j++)     /* targets are the next inputs */
    g_assert_cmpint (batch->tgt_out[(gsize) b * T + j], ==, seq[j + 1]);
}

/* The length of the copied span if row r differs from the plain row p, else 0 (−1:
 * not a copy): the tokens that differ fit in one place d … d + L − 1 (8 ≤ L ≤
 * context / 2) that holds the plain text of an earlier place a … a + L − 1. */
static int
copied_span (const gint32 *r, const gint32 *p, int T)
{
  int first = -1, last = -1;

  for (int j = 0; j <= T; j++)
    if (r[j] != p[j])
      {
        if (first < 0)
          first = j;
        last = j;
      }
  if (first < 0)
    return 0;
  for (int L = MAX (8, last - first + 1); L <= T / 2; L++)
    for (int d = MAX (L, last - L + 1); d <= first && d + L <= T + 1; d++)
      for (int a = 0; a + L <= d; a++)
        if (memcmp (r + d, p + a, sizeof (gint32) * L) == 0)
          return L;
  return -1;
}

static void
test_repeat (void)
{
  int T = 32, steps = 50, rows = 0, repeated = 0;
  g_autofree char *extra = g_strdup_printf (", \"context\": %d, \"repeat_fraction\": 0.5", T);
  g_autofree char *plain_extra = g_strdup_printf (", \"context\": %d", T);
  AttnTrainer *t = new_trainer (20, extra), *plain = new_trainer (20, plain_extra);
  g_autofree gint32 *first = NULL, *r = g_new (gint32, T + 1), *p = g_new (gint32, T + 1);

  g_assert_cmpfloat (attn_trainer_get_config (t)->repeat_fraction, ==, 0.5f);
  for (int step = 0; step < steps; step++)
    {
      attn_text_corpus_make_batch (t->text, step, &t->batch);
      attn_text_corpus_make_batch (plain->text, step, &plain->batch);
      if (step == 7)
        first = g_memdup2 (t->batch.tgt_in, sizeof (gint32) * t->batch.B * T);
      for (int b = 0; b < t->batch.B; b++, rows++)
        {
          int L;
          row_tokens (&t->batch, b, T, r);
          row_tokens (&plain->batch, b, T, p);
          L = copied_span (r, p, T);
          g_assert_cmpint (L, >=, 0);
          repeated += L > 0;
        }
    }
  g_test_message ("%d of %d rows repeated", repeated, rows);
  g_assert_cmpint (repeated, >, rows * 2 / 5);
  g_assert_cmpint (repeated, <, rows * 3 / 5);
  /* the batch of a step is the same when drawn again (a resumed run) */
  attn_text_corpus_make_batch (t->text, 7, &t->batch);
  g_assert_cmpmem (first, sizeof (gint32) * t->batch.B * T, t->batch.tgt_in,
                   sizeof (gint32) * t->batch.B * T);
  attn_trainer_free (t);
  attn_trainer_free (plain);
}

/* TRUE when row r is the plain row p with one span a … a + L − 1 (8 ≤ L ≤ context / 2)
 * replaced by tokens that are not p's, outside the special ids, and written again at a
 * later place d ≥ a + L. */
static gboolean
random_copy (const gint32 *r, const gint32 *p, int T, int lo, int hi)
{
  for (int L = 8; L <= T / 2; L++)
    for (int a = 0; a + 2 * L <= T + 1; a++)
      for (int d = a + L; d + L <= T + 1; d++)
        {
          gboolean ok = memcmp (r + a, r + d, sizeof (gint32) * L) == 0;
          for (int j = 0; ok && j <= T; j++)
            if (j < a || (j >= a + L && j < d) || j >= d + L)
              ok = r[j] == p[j];
          for (int j = 0; ok && j < L; j++)
            ok = r[a + j] >= lo && r[a + j] < hi;
          if (ok && memcmp (r + a, p + a, sizeof (gint32) * L) != 0)
            return TRUE;
        }
  return FALSE;
}

static void
test_repeat_random (void)
{
  int T = 32, lo, hi;
  g_autofree char *extra = g_strdup_printf (", \"context\": %d, \"repeat_fraction\": 1, "
                                            "\"repeat_random\": 1", T);
  g_autofree char *plain_extra = g_strdup_printf (", \"context\": %d", T);
  AttnTrainer *t = new_trainer (20, extra), *plain = new_trainer (20, plain_extra);
  g_autofree gint32 *r = g_new (gint32, T + 1), *p = g_new (gint32, T + 1);
  g_autofree char *tok_path = g_build_filename (tmp_dir, "tok", "tokenizer.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnTokenizer) tok = attn_tokenizer_new_from_json (tok_path, &error);

  attn_induction_token_range (tok, &lo, &hi);
  for (int step = 0; step < 5; step++)
    {
      attn_text_corpus_make_batch (t->text, step, &t->batch);
      attn_text_corpus_make_batch (plain->text, step, &plain->batch);
      for (int b = 0; b < t->batch.B; b++)
        {
          row_tokens (&t->batch, b, T, r);
          row_tokens (&plain->batch, b, T, p);
          g_assert_true (random_copy (r, p, T, lo, hi));
        }
    }
  attn_trainer_free (t);
  attn_trainer_free (plain);
}

/* ---- bad recipes ---- */


static void
expect_error (const char *text, const char *needle)
{
  train_test_expect_error (tmp_dir, text, needle);
}

static void
test_errors (void)
{
  expect_error ("{ \"arch\": \"gpt2\" }", "needs “train”");
  expect_error ("{ \"arch\": \"gpt2\", \"train\": \"train.txt\", \"dev\": \"dev.txt\", "
                "\"tokenizer\": \"tok\", \"context\": 1 }", "“context”");
  expect_error ("{ \"arch\": \"gpt2\", \"train\": \"train.txt\", \"dev\": \"dev.txt\", "
                "\"tokenizer\": \"tok-wp\" }", "<|endoftext|>");
  expect_error ("{ \"arch\": \"gpt2\", \"train\": \"train.txt\", \"dev\": \"short.txt\", "
                "\"tokenizer\": \"tok\", \"context\": 64 }", "fewer than one chunk");
  expect_error ("{ \"arch\": \"gpt2\", \"train\": \"train.txt\", \"dev\": \"dev.txt\", "
                "\"tokenizer\": \"tok\", \"activation\": \"gelu_old\" }", "gelu_new");
  expect_error ("{ \"arch\": \"gpt2\", \"train\": \"train.txt\", \"dev\": \"dev.txt\", "
                "\"tokenizer\": \"tok\", \"repeat_fraction\": 1.5 }", "“repeat_fraction”");
  expect_error ("{ \"arch\": \"gpt2\", \"train\": \"train.txt\", \"dev\": \"dev.txt\", "
                "\"tokenizer\": \"tok\", \"repeat_random\": -1 }", "“repeat_random”");
  expect_error ("{ \"arch\": \"gpt2\", \"train\": \"train.txt\", \"dev\": \"dev.txt\", "
                "\"tokenizer\": \"tok\", \"context\": 16, \"repeat_fraction\": 0.2 }",
                "need “context” ≥ 17");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  train_test_init_blas ();
  tmp_dir = train_test_make_dir ("attn-train-lm");
  make_corpus ();
  g_test_add_func ("/train-lm/encode-text", test_encode_text);
  g_test_add_func ("/train-lm/errors", test_errors);
  g_test_add_func ("/train-lm/learns", test_learns);
  g_test_add_func ("/train-lm/engine-logits", test_engine_logits);
  g_test_add_func ("/train-lm/resume", test_resume);
  g_test_add_func ("/train-lm/repeat", test_repeat);
  g_test_add_func ("/train-lm/repeat-random", test_repeat_random);
  rc = g_test_run ();
  train_test_remove_dir (tmp_dir);
  return rc;
}
