/* test-train-bert.c — the BERT text classifier trained by recipe on labelled
 * texts: a small synthetic spam/ham corpus (spam has one or two cue words among
 * neutral words), a WordPiece tokenizer trained on it with the engine's trainer;
 * the classifier learns it, the saved folder is a BertForSequenceClassification
 * that the inference engine runs with the training forward's logits and
 * attention, resuming continues a run exactly, and bad recipes fail clearly.
 * (The gradients are checked in test-train-grad.c.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "attn-error.h"
#include "attn-model.h"
#include "attn-tokenizer-train.h"
#include "attn-trainer-private.h"
#include "test-train-common.h"

/* The saved model's logits and attention against the training forward's: both
 * compute in float32 over the same weights; they differ by summation order and
 * GELU/tanh/exp implementations only (measured: 7.2e-7 for the logits, 4.2e-7
 * for the attention weights). */
#define SAVED_TOL 2e-6

static const char *const neutral[] = {
  "the", "meeting", "is", "on", "monday", "please", "see", "attached", "notes", "from",
  "our", "team", "about", "project", "update", "linux", "kernel", "patch", "list", "thanks",
};
static const char *const cues[] = { "free", "money", "winner", "offer", "viagra", "cash" };

enum { N_TRAIN = 240, N_DEV = 40 };

static char *tmp_dir, *dev_text[N_DEV], *dev_label[N_DEV];


static void
train_tokenizer (AttnTokenizerKind kind, const char *path, const char *dir, guint vocab)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnTokenizerTrainer) tt = NULL;
  g_autofree char *out = g_build_filename (tmp_dir, dir, NULL);
  AttnTokenizerTrainOptions opts;

  attn_tokenizer_train_options_init (&opts, kind);
  opts.vocab_size = vocab;
  tt = attn_tokenizer_trainer_new (&opts);
  g_assert_true (attn_tokenizer_trainer_feed_file (tt, path, &error));
  g_assert_true (attn_tokenizer_trainer_train (tt, NULL, &error));
  g_assert_true (attn_tokenizer_trainer_save (tt, out, &error));
  g_assert_no_error (error);
}

/* 280 distinct texts of 4–11 words, half with one or two cue words ("spam"): the
 * first 40 in dev.tsv, the rest in train.tsv, as "label TAB text". */
static void
make_corpus (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GString) train = g_string_new (NULL), dev = g_string_new (NULL);
  g_autoptr (GString) texts = g_string_new (NULL), one_label = g_string_new (NULL);
  g_autofree char *texts_path = NULL;
  int n = 0;

  while (n < N_TRAIN + N_DEV)
    {
      g_autoptr (GString) t = g_string_new (NULL);
      gboolean spam = g_rand_boolean (r);
      int len = g_rand_int_range (r, 4, 12), n_cues = spam ? g_rand_int_range (r, 1, 3) : 0;
      int at[2] = { g_rand_int_range (r, 0, len), g_rand_int_range (r, 0, len) };

      for (int i = 0; i < len; i++)
        {
          gboolean cue = (n_cues > 0 && i == at[0]) || (n_cues > 1 && i == at[1]);
          g_string_append_printf (t, "%s%s", i ? " " : "",
                                  cue ? cues[g_rand_int_range (r, 0, G_N_ELEMENTS (cues))]
                                      : neutral[g_rand_int_range (r, 0, G_N_ELEMENTS (neutral))]);
        }
      if (g_hash_table_contains (seen, t->str))
        continue;
      g_hash_table_add (seen, g_strdup (t->str));
      if (n < N_DEV)
        {
          dev_text[n] = g_strdup (t->str);
          dev_label[n] = g_strdup (spam ? "spam" : "ham");
        }
      g_string_append_printf (n < N_DEV ? dev : train, "%s\t%s\n", spam ? "spam" : "ham", t->str);
      g_string_append_printf (texts, "%s\n", t->str);
      g_string_append_printf (one_label, "ham\t%s\n", t->str);
      n++;
    }
  g_free (train_test_write_file (tmp_dir, "train.tsv", train->str));
  g_free (train_test_write_file (tmp_dir, "one-label.tsv", one_label->str));
  g_string_append (dev, "eggs\tthe meeting is on monday\n");
  g_free (train_test_write_file (tmp_dir, "dev-eggs.tsv", dev->str));
  g_string_truncate (dev, dev->len - strlen ("eggs\tthe meeting is on monday\n"));
  g_free (train_test_write_file (tmp_dir, "dev.tsv", dev->str));
  texts_path = train_test_write_file (tmp_dir, "texts.txt", texts->str);
  train_tokenizer (ATTN_TOKENIZER_KIND_WORDPIECE, texts_path, "tok", 120);
  train_tokenizer (ATTN_TOKENIZER_KIND_UNIGRAM, texts_path, "tok-unigram", 60);
}

static const char *recipe =
  "{ \"arch\": \"bert\", \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
  "\"max_tokens\": 16, \"d_model\": 32, \"ffn_dim\": 64, \"layers\": 2, \"heads\": 2, "
  "\"batch_size\": 16, \"lr\": 0.003, \"warmup_steps\": 20, \"seed\": 3";

static AttnTrainer *
new_trainer (int steps, const char *extra)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("%s, \"steps\": %d %s }", recipe, steps, extra);
  g_autofree char *path = train_test_write_file (tmp_dir, "recipe.json", text);
  AttnTrainConfig c;
  AttnTrainer *t;

  g_assert_true (attn_train_config_from_recipe (path, &c, &error));
  g_assert_no_error (error);
  t = attn_trainer_new (&c, &error);
  g_assert_no_error (error);
  return t;
}

/* The trainer's logits [2] and attention [layers, heads, T, T] for ids. */
static AttnWeights *
train_forward (AttnTrainer *t, const gint32 *ids, int T, float *logits)
{
  AttnTrainModel *m = t->model;
  AttnBatch b = { 0 };
  AttnWeights *w;

  attn_batch_reserve (&b, 1, T, 1);
  memcpy (b.src, ids, sizeof (gint32) * T);
  b.src_len[0] = T;
  b.tgt_in[0] = b.tgt_out[0] = 0;
  b.tgt_len[0] = 1;
  m->klass->forward (m, &b, 0.0f, FALSE, FALSE, NULL, NULL);
  memcpy (logits, m->klass->logits (m), sizeof (float) * 2);
  w = m->klass->cross (m, 0, 1, T);
  attn_batch_clear (&b);
  return w;
}

static void
test_learns (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnTrainer) t = new_trainer (150, "");
  g_autofree char *dir = g_build_filename (tmp_dir, "model", NULL);
  g_autofree char *state_path = g_build_filename (dir, "trainer_state.json", NULL);
  g_autofree char *state = NULL, *predicted = NULL;
  g_autoptr (AttnModel) model = NULL;
  AttnTrainCorpusInfo info;
  AttnTrainEval ev;
  double max_logit = 0, max_attn = 0;
  int agree = 0;

  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_train, ==, N_TRAIN);
  g_assert_cmpint (info.n_dev, ==, N_DEV);
  g_assert_cmpint (info.n_labels, ==, 2);
  g_assert_cmpstr (info.labels[0], ==, "ham");
  g_assert_cmpstr (info.labels[1], ==, "spam");
  g_assert_true (attn_trainer_step (t, 150, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (attn_trainer_evaluate (t, 0, &ev, &error));
  g_assert_no_error (error);
  g_test_message ("dev: %d texts, accuracy %.3f, F1 (spam) %.3f, macro F1 %.3f", ev.n,
                  ev.accuracy, ev.f1, ev.macro_f1);
  g_assert_cmpint (ev.n, ==, N_DEV);
  g_assert_cmpfloat (ev.accuracy, >=, 0.95);
  g_assert_cmpfloat (ev.f1, >=, 0.9);
  g_assert_cmpfloat (ev.bleu, <, 0);
  predicted = attn_trainer_predict (t, dev_text[0], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (predicted, ==, dev_label[0]);
  g_assert_true (attn_trainer_save (t, dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (state_path, &state, NULL, NULL));
  g_assert_nonnull (strstr (state, "\"macro_f1\""));

  /* the inference engine reads the folder as BertForSequenceClassification and
   * computes what the training forward computes */
  model = attn_model_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attn_model_get_architecture (model), ==, "bert");
  g_assert_cmpint (attn_model_get_max_positions (model), ==, 16);
  g_assert_false (attn_model_accepts_pair (model));   /* one token type: single texts */
  for (int i = 0; i < N_DEV; i++)
    {
      AttnInput in = { .text = dev_text[i] };
      g_autoptr (AttnResult) r = attn_model_run (model, &in, NULL, NULL, NULL, NULL, &error);
      const AttnWeights *a;
      AttnWeights *w;
      float logits[2];
      int T;

      g_assert_no_error (error);
      g_assert_cmpint (r->output_kind, ==, ATTN_OUTPUT_LABELS);
      g_assert_cmpint (r->n_labels, ==, 2);
      g_assert_cmpstr (r->labels[0], ==, "ham");
      g_assert_cmpstr (r->labels[1], ==, "spam");
      T = r->input.len;
      g_assert_cmpstr (r->input.tokens[0], ==, "[CLS]");
      g_assert_cmpstr (r->input.tokens[T - 1], ==, "[SEP]");
      w = train_forward (t, r->input.ids, T, logits);
      for (int k = 0; k < 2; k++)
        max_logit = MAX (max_logit, fabs (logits[k] - r->logits[k]));
      a = r->attention[ATTN_KIND_SELF];
      g_assert_cmpint (a->layers, ==, w->layers);
      g_assert_cmpint (a->heads, ==, w->heads);
      g_assert_cmpint (a->queries, ==, T);
      for (gsize j = 0; j < (gsize) a->layers * a->heads * T * T; j++)
        max_attn = MAX (max_attn, fabs (a->data[j] - w->data[j]));
      attn_weights_free (w);
      agree += g_str_equal (r->labels[r->label_probs[1] > r->label_probs[0]], dev_label[i]);
    }
  g_test_message ("saved folder against the training forward over %d dev texts: "
                  "max |Δ logit| %.2e, max |Δ attention| %.2e; %d labels right",
                  N_DEV, max_logit, max_attn, agree);
  g_assert_cmpfloat (max_logit, <=, SAVED_TOL);
  g_assert_cmpfloat (max_attn, <=, SAVED_TOL);
  g_assert_cmpint (agree, ==, (int) lround (ev.accuracy * N_DEV));
}

/* Texts longer than max_tokens are cut to [CLS] + max_tokens − 2 tokens + [SEP]. */
static void
test_truncation (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnTrainer) t = new_trainer (1, ", \"max_tokens\": 6");
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *label = NULL;
  AttnTrainCorpusInfo info;

  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_train, ==, N_TRAIN);
  g_assert_cmpint (info.n_too_long, >, 0);
  g_assert_cmpint (info.train_tokens, <=, (gint64) 6 * N_TRAIN);
  for (int i = 0; i < 200; i++)
    g_string_append (text, "the free meeting ");
  label = attn_trainer_predict (t, text->str, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_equal (label, "ham") || g_str_equal (label, "spam"));
}

/* 2 × 10 steps with a checkpoint between = 20 straight, loss for loss (dropout on). */
static void
test_resume (void)
{
  g_autofree char *ckpt = g_build_filename (tmp_dir, "ckpt", NULL);
  attn_trainer_free (train_test_check_resume (new_trainer (20, ", \"dropout\": 0.1"),
                                              new_trainer (20, ", \"dropout\": 0.1"), 20, ckpt));
}


static void
expect_error (const char *text, const char *needle)
{
  train_test_expect_error (tmp_dir, text, needle);
}

static void
test_errors (void)
{
  expect_error ("{ \"arch\": \"bert\", \"task\": \"copy\" }", "text classifier");
  expect_error ("{ \"arch\": \"bert\", \"train\": \"train.tsv\", \"dev\": \"dev-eggs.tsv\", "
                "\"tokenizer\": \"tok\" }", "“eggs”");
  expect_error ("{ \"arch\": \"bert\", \"train\": \"one-label.tsv\", \"dev\": \"dev.tsv\", "
                "\"tokenizer\": \"tok\" }", "at least two");
  expect_error ("{ \"arch\": \"bert\", \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", "
                "\"tokenizer\": \"tok-unigram\" }", "[CLS]");
  expect_error ("{ \"arch\": \"bert\", \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", "
                "\"tokenizer\": \"tok\", \"source_column\": 3 }", "column 3");
  expect_error ("{ \"arch\": \"bert\", \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", "
                "\"tokenizer\": \"tok\", \"max_tokens\": 2 }", "max_tokens");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  train_test_init_blas ();
  tmp_dir = train_test_make_dir ("attn-train-bert");
  make_corpus ();
  g_test_add_func ("/train-bert/errors", test_errors);
  g_test_add_func ("/train-bert/truncation", test_truncation);
  g_test_add_func ("/train-bert/resume", test_resume);
  g_test_add_func ("/train-bert/learns", test_learns);
  rc = g_test_run ();
  train_test_remove_dir (tmp_dir);
  return rc;
}
