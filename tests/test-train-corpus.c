/* test-train-corpus.c — recipes that train on a parallel corpus: a tiny synthetic
 * German–English corpus (word for word from a small dictionary), a unigram
 * tokenizer trained on it with the engine's trainer, a Transformer and a GRU
 * trained by recipe; the saved folders translate held-out sentences in the
 * inference engine, runs are reproducible, and bad recipes fail clearly. */
#include <stdlib.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "attn-error.h"
#include "attn-model.h"
#include "attn-tokenizer-train.h"
#include "attn-trainer.h"
#include "test-train-common.h"

static const char *const dict[][2] = {
  { "der", "the" }, { "hund", "dog" }, { "sieht", "sees" }, { "die", "the" },
  { "katze", "cat" }, { "ein", "a" }, { "mann", "man" }, { "hat", "has" },
  { "kleine", "small" }, { "rote", "red" }, { "maus", "mouse" }, { "frau", "woman" },
};
static const int articles[] = { 0, 3, 5 }, nouns[] = { 1, 4, 6, 10, 11 }, verbs[] = { 2, 7 },
                 adjectives[] = { 8, 9 };

enum { N_TRAIN = 200, N_DEV = 20 };

static char *tmp_dir, *dev_de[N_DEV], *dev_en[N_DEV];

static void
add_word (GString *de, GString *en, int w)
{
  g_string_append_printf (de, "%s%s", de->len ? " " : "", dict[w][0]);
  g_string_append_printf (en, "%s%s", en->len ? " " : "", dict[w][1]);
}

static void
add_phrase (GRand *r, GString *de, GString *en)
{
  int adj = g_rand_int_range (r, 0, 3);
  add_word (de, en, articles[g_rand_int_range (r, 0, 3)]);
  if (adj < 2)
    add_word (de, en, adjectives[adj]);
  add_word (de, en, nouns[g_rand_int_range (r, 0, 5)]);
}


/* 220 distinct pairs "article [adjective] noun verb article [adjective] noun": the
 * first 20 go to dev.tsv, the rest to train.tsv, so no dev pair is trained on. */
static void
make_corpus (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (7);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GString) train = g_string_new (NULL), dev = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *train_path = NULL;
  AttnTokenizerTrainOptions opts;
  g_autoptr (AttnTokenizerTrainer) tt = NULL;
  int n = 0;

  while (n < N_TRAIN + N_DEV)
    {
      g_autoptr (GString) de = g_string_new (NULL), en = g_string_new (NULL);
      add_phrase (r, de, en);
      add_word (de, en, verbs[g_rand_int_range (r, 0, 2)]);
      add_phrase (r, de, en);
      if (g_hash_table_contains (seen, de->str))
        continue;
      g_hash_table_add (seen, g_strdup (de->str));
      if (n < N_DEV)
        {
          dev_de[n] = g_strdup (de->str);
          dev_en[n] = g_strdup (en->str);
        }
      g_string_append_printf (n < N_DEV ? dev : train, "%s\t%s\n", de->str, en->str);
      n++;
    }
  train_path = train_test_write_file (tmp_dir, "train.tsv", train->str);
  g_free (train_test_write_file (tmp_dir, "dev.tsv", dev->str));
  /* a copy of train.tsv with one dev pair in it */
  g_string_append_printf (train, "%s\t%s\n", dev_de[3], dev_en[3]);
  g_free (train_test_write_file (tmp_dir, "train-leak.tsv", train->str));

  attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_UNIGRAM);
  opts.vocab_size = 64;
  tt = attn_tokenizer_trainer_new (&opts);
  g_assert_true (attn_tokenizer_trainer_feed_file (tt, train_path, &error));
  g_assert_no_error (error);
  g_assert_true (attn_tokenizer_trainer_train (tt, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *tok_dir = g_build_filename (tmp_dir, "tok", NULL);
    g_assert_true (attn_tokenizer_trainer_save (tt, tok_dir, &error));
    g_assert_no_error (error);
  }
}

static const char *tf_recipe =
  "{ \"arch\": \"transformer\", \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", "
  "\"tokenizer\": \"tok\", \"source_column\": 0, \"target_column\": 1, \"max_tokens\": 32, "
  "\"d_model\": 32, \"ffn_dim\": 64, \"layers\": 1, \"heads\": 2, \"batch_size\": 20, "
  "\"lr\": 0.003, \"warmup_steps\": 30, \"seed\": 1, \"eval_size\": 20";
static const char *gru_recipe =
  "{ \"arch\": \"gru\", \"score\": \"additive\", \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", "
  "\"tokenizer\": \"tok\", \"max_tokens\": 32, \"embed_dim\": 32, \"hidden_size\": 64, "
  "\"attention_dim\": 32, \"batch_size\": 20, \"lr\": 0.005, \"warmup_steps\": 30, "
  "\"seed\": 1";

/* Trains the recipe (members, steps, extra members) and saves it in tmp_dir/out. */
static AttnTrainer *
train (const char *format, int steps, const char *extra, const char *out, AttnTrainEval *ev)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("%s, \"steps\": %d %s }", format, steps, extra);
  g_autofree char *recipe = train_test_write_file (tmp_dir, "recipe.json", text);
  g_autofree char *dir = g_build_filename (tmp_dir, out, NULL);
  AttnTrainConfig c;
  AttnTrainer *t;

  g_assert_true (attn_train_config_from_recipe (recipe, &c, &error));
  g_assert_no_error (error);
  t = attn_trainer_new (&c, &error);
  g_assert_no_error (error);
  g_assert_true (attn_trainer_step (t, steps, NULL, NULL, &error));
  g_assert_no_error (error);
  if (ev != NULL)
    {
      g_assert_true (attn_trainer_evaluate (t, 0, ev, &error));
      g_assert_no_error (error);
    }
  g_assert_true (attn_trainer_save (t, dir, &error));
  g_assert_no_error (error);
  return t;
}

static void
check_learns (const char *format, const char *arch)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_strconcat ("model-", arch, NULL);
  g_autofree char *dir = g_build_filename (tmp_dir, out, NULL);
  g_autofree char *state_path = g_build_filename (dir, "trainer_state.json", NULL);
  g_autofree char *state = NULL, *predicted = NULL;
  AttnTrainEval ev;
  AttnTrainCorpusInfo info;
  g_autoptr (AttnTrainer) t = train (format, 400, "", out, &ev);
  g_autoptr (AttnModel) model = NULL;
  int exact = 0;

  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_train, ==, N_TRAIN);
  g_assert_cmpint (info.n_dev, ==, N_DEV);
  g_assert_cmpint (info.n_in_dev, ==, 0);
  g_test_message ("%s: dev BLEU %.2f, chrF %.2f, exact %.0f %%", arch, ev.bleu, ev.chrf,
                  100 * ev.exact_match);
  g_assert_cmpint (ev.n, ==, N_DEV);
  g_assert_cmpfloat (ev.bleu, >=, 90);
  g_assert_cmpfloat (ev.chrf, >=, 90);
  predicted = attn_trainer_predict (t, dev_de[0], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (predicted, ==, dev_en[0]);

  g_assert_true (g_file_get_contents (state_path, &state, NULL, NULL));
  g_assert_nonnull (strstr (state, "\"bleu\""));

  /* the inference engine runs the folder: the dev sentences translate */
  model = attn_model_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attn_model_get_architecture (model), ==,
                   g_str_equal (arch, "transformer") ? "marian" : "rnn");
  for (int i = 0; i < N_DEV; i++)
    {
      AttnInput in = { 0 };
      g_autoptr (AttnResult) r = NULL;
      in.source = dev_de[i];
      r = attn_model_run (model, &in, NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      exact += g_strcmp0 (g_strstrip (r->generated_text), dev_en[i]) == 0;
      if (i == 0)
        g_assert_cmpstr (r->generated_text, ==, dev_en[0]);
    }
  g_test_message ("%s: the engine translates %d of %d dev sentences exactly", arch, exact, N_DEV);
  g_assert_cmpint (exact, >=, N_DEV * 9 / 10);
}

static void
test_transformer (void)
{
  check_learns (tf_recipe, "transformer");
}

static void
test_gru (void)
{
  check_learns (gru_recipe, "gru");
}

static void
test_reproducible (void)
{
  g_autofree char *a_path = g_build_filename (tmp_dir, "rep-a", "model.safetensors", NULL);
  g_autofree char *b_path = g_build_filename (tmp_dir, "rep-b", "model.safetensors", NULL);
  g_autofree char *a = NULL, *b = NULL;
  gsize na, nb;

  attn_trainer_free (train (tf_recipe, 30, ", \"dropout\": 0.1, \"label_smoothing\": 0.1", "rep-a", NULL));
  attn_trainer_free (train (tf_recipe, 30, ", \"dropout\": 0.1, \"label_smoothing\": 0.1", "rep-b", NULL));
  g_assert_true (g_file_get_contents (a_path, &a, &na, NULL));
  g_assert_true (g_file_get_contents (b_path, &b, &nb, NULL));
  g_assert_cmpmem (a, na, b, nb);
}

static void
test_dev_held_out (void)
{
  g_autoptr (AttnTrainer) t = train (tf_recipe, 1, ", \"train\": \"train-leak.tsv\"", "leak", NULL);
  AttnTrainCorpusInfo info;

  /* train.tsv and dev.tsv are disjoint by construction; a training pair with a dev
   * source is dropped */
  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_in_dev, ==, 1);
  g_assert_cmpint (info.n_train, ==, N_TRAIN);
}

/* "extra_train" adds a second file of pairs (as a dictionary's phrase pairs beside its
 * sentences); its dev sources are dropped too; a resumed run reads it again. */
static void
test_extra_train (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  g_autoptr (GString) extra = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "extra", NULL);
  g_autofree char *state = g_build_filename (dir, "trainer_state.json", NULL);
  g_autofree char *json = NULL;
  AttnTrainCorpusInfo info;
  AttnTrainer *t;

  for (int i = 0; i < 10; i++)
    {
      g_autoptr (GString) de = g_string_new (NULL), en = g_string_new (NULL);
      add_phrase (r, de, en);
      g_string_append_printf (extra, "%s\t%s\n", de->str, en->str);
    }
  g_string_append_printf (extra, "%s\t%s\n", dev_de[5], dev_en[5]);
  g_free (train_test_write_file (tmp_dir, "extra.tsv", extra->str));

  t = train (tf_recipe, 1, ", \"extra_train\": \"extra.tsv\"", "extra", NULL);
  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_train, ==, N_TRAIN + 10);
  g_assert_cmpint (info.n_in_dev, ==, 1);
  attn_trainer_free (t);

  g_assert_true (g_file_get_contents (state, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "\"extra_train\" : \"../extra.tsv\""));
  t = attn_trainer_resume (dir, &error);
  g_assert_no_error (error);
  attn_trainer_get_corpus_info (t, &info);
  g_assert_cmpint (info.n_train, ==, N_TRAIN + 10);
  attn_trainer_free (t);
}

static void expect_error (const char *text, const char *needle);

/* A trainer of the Transformer recipe with extra members, not stepped yet. */
static AttnTrainer *
fresh_trainer (const char *extra)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("%s, \"steps\": 10 %s }", tf_recipe, extra);
  g_autofree char *recipe = train_test_write_file (tmp_dir, "recipe.json", text);
  AttnTrainConfig c;
  AttnTrainer *t;

  g_assert_true (attn_train_config_from_recipe (recipe, &c, &error));
  t = attn_trainer_new (&c, &error);
  g_assert_no_error (error);
  return t;
}

/* "init" starts from a saved model's weights (fine-tuning): the first update of a run
 * from a trained model has a far lower loss than from random weights; a model of
 * other sizes does not fit; the saved state names the folder. */
static void
test_init (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tuned = g_build_filename (tmp_dir, "tuned", NULL);
  g_autofree char *state = g_build_filename (tuned, "trainer_state.json", NULL);
  g_autofree char *json = NULL, *bad = NULL;
  AttnTrainer *t;
  double from_random, from_trained;

  attn_trainer_free (train (tf_recipe, 150, "", "base", NULL));
  t = fresh_trainer ("");
  g_assert_true (attn_trainer_step (t, 1, NULL, &from_random, &error));
  attn_trainer_free (t);
  t = fresh_trainer (", \"init\": \"base\", \"seed\": 5");
  g_assert_true (attn_trainer_step (t, 1, NULL, &from_trained, &error));
  g_assert_no_error (error);
  g_assert_true (attn_trainer_save (t, tuned, &error));
  attn_trainer_free (t);
  g_test_message ("first loss from random weights %.3f, from the trained model %.3f",
                  from_random, from_trained);
  g_assert_cmpfloat (from_trained, <, 0.5 * from_random);
  g_assert_true (g_file_get_contents (state, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "\"init\" : \"../base\""));

  bad = g_strdup_printf ("%s, \"d_model\": 48, \"init\": \"base\" }", tf_recipe);
  expect_error (bad, "does not fit the model");
  g_free (bad);
  bad = g_strdup_printf ("%s, \"init\": \"nothing\" }", tf_recipe);
  expect_error (bad, "model.safetensors");
}

/* The recipe's languages reach the saved config.json, where the window reads them, and
 * its decoding generation_config.json, where the engine and the window read it. */
static void
test_languages (void)
{
  g_autofree char *config = g_build_filename (tmp_dir, "langs", "config.json", NULL);
  g_autofree char *dir = g_build_filename (tmp_dir, "langs", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AttnModel) model = NULL;
  JsonObject *o;

  attn_trainer_free (train (tf_recipe, 1, ", \"source_lang\": \"de\", \"target_lang\": \"en\", "
                            "\"num_beams\": 3, \"length_penalty\": 1.6", "langs", NULL));
  model = attn_model_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attn_model_get_num_beams (model), ==, 3);
  g_assert_cmpfloat_with_epsilon (attn_model_get_length_penalty (model), 1.6, 1e-9);
  g_assert_true (json_parser_load_from_file (parser, config, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "model_type"), ==, "marian");
  g_assert_cmpstr (json_object_get_string_member (o, "source_lang"), ==, "de");
  g_assert_cmpstr (json_object_get_string_member (o, "target_lang"), ==, "en");
}


static void
expect_error (const char *text, const char *needle)
{
  train_test_expect_error (tmp_dir, text, needle);
}

static void
test_errors (void)
{
  expect_error ("{ \"train\": \"missing.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\" }",
                "missing.tsv");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"nothing\" }",
                "tokenizer.json");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
                "\"source_column\": 2 }", "column 2");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
                "\"target_column\": 0 }", "target_column");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
                "\"vocabulary\": 8000 }", "vocabulary");
  expect_error ("{ \"train\": \"train.tsv\", \"tokenizer\": \"tok\" }", "together");
  expect_error ("{ \"train\": \"train.tsv\", \"extra_train\": \"missing.tsv\", \"dev\": \"dev.tsv\", "
                "\"tokenizer\": \"tok\" }", "missing.tsv");
  expect_error ("{ \"arch\": \"gpt2\", \"train\": \"train.tsv\", \"extra_train\": \"train.tsv\", "
                "\"dev\": \"dev.tsv\", \"tokenizer\": \"tok\" }", "extra_train");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
                "\"source_lang\": \"German\" }", "language code");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
                "\"num_beams\": 2.5 }", "num_beams");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
                "\"num_beams\": 0 }", "num_beams");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
                "\"length_penalty\": 9 }", "length_penalty");
  expect_error ("{ \"arch\": \"bert\", \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", "
                "\"tokenizer\": \"tok\", \"num_beams\": 4 }", "generate");
  expect_error ("{ \"train\": \"train.tsv\", \"dev\": \"dev.tsv\", \"tokenizer\": \"tok\", "
                "\"alignment_heads\": [[0, 0]] }", "speech");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  train_test_init_blas ();
  tmp_dir = train_test_make_dir ("attn-train-corpus");
  make_corpus ();
  g_test_add_func ("/train-corpus/errors", test_errors);
  g_test_add_func ("/train-corpus/dev-held-out", test_dev_held_out);
  g_test_add_func ("/train-corpus/extra-train", test_extra_train);
  g_test_add_func ("/train-corpus/init", test_init);
  g_test_add_func ("/train-corpus/reproducible", test_reproducible);
  g_test_add_func ("/train-corpus/transformer", test_transformer);
  g_test_add_func ("/train-corpus/gru", test_gru);
  g_test_add_func ("/train-corpus/languages", test_languages);
  rc = g_test_run ();
  train_test_remove_dir (tmp_dir);
  return rc;
}
