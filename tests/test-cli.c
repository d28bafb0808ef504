/* test-cli.c — the attn-cli contract of DESIGN.md, by spawning the built binary
 * ($ATTN_CLI): the JSON it writes for each input kind, and its failures (non-zero exit,
 * exactly one "attn-cli:" line on stderr, nothing on stdout). */
#include "test-common.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

typedef struct {
  int   status;
  char *out, *err;
} Cli;

static void
cli_clear (Cli *c)
{
  g_free (c->out);
  g_free (c->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cli, cli_clear)

/* Runs attn-cli with NULL-terminated arguments; "@name" stands for fixture "name". */
static void
cli_run (Cli *c, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *exe = g_getenv ("ATTN_CLI");
  va_list ap;
  g_assert_nonnull (exe);
  g_ptr_array_add (argv, g_strdup (exe));
  va_start (ap, c);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, a[0] == '@' ? test_fixture (a + 1, NULL) : g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &c->out, &c->err, &c->status, &error);
  g_assert_no_error (error);
  g_test_message ("exit %d; stderr: %s", c->status, c->err);
}

static void
assert_ok (const Cli *c)
{
  g_autoptr(GError) error = NULL;
  if (!g_spawn_check_wait_status (c->status, &error))
    g_error ("attn-cli failed (%s): %s", error->message, c->err);
  g_assert_cmpstr (c->err, ==, "");
}

/* A failure: non-zero exit, one line on stderr starting "attn-cli:", stdout empty. */
static void
assert_fails (const Cli *c, const char *word)
{
  const char *nl;
  g_assert_false (g_spawn_check_wait_status (c->status, NULL));
  g_assert_cmpstr (c->out, ==, "");
  g_assert_true (g_str_has_prefix (c->err, "attn-cli: "));
  nl = strchr (c->err, '\n');
  g_assert_nonnull (nl);
  g_assert_cmpstr (nl + 1, ==, "");
  if (word != NULL && strstr (c->err, word) == NULL)
    g_error ("“%s” does not mention “%s”", c->err, word);
}

static JsonObject *
read_json (const char *path)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  json_parser_load_from_file (p, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)));
  return json_object_ref (json_node_get_object (json_parser_get_root (p)));
}

static gint64
shape_product (JsonArray *shape)
{
  gint64 n = 1;
  for (guint i = 0; i < json_array_get_length (shape); i++)
    n *= json_array_get_int_element (shape, i);
  return n;
}

/* {"shape": [...], "data": [...]} with as many numbers as the shape says; returns the shape. */
static JsonArray *
check_tensor (JsonObject *t, int ndim)
{
  JsonArray *shape = json_object_get_array_member (t, "shape");
  JsonArray *data = json_object_get_array_member (t, "data");
  g_assert_nonnull (shape);
  g_assert_nonnull (data);
  g_assert_cmpuint (json_array_get_length (shape), ==, ndim);
  g_assert_cmpint (json_array_get_length (data), ==, shape_product (shape));
  return shape;
}

/* Attention rows sum to 1, as shape [L, H, Q, K] says. */
static void
check_attention (JsonObject *att, const char *kind, gint64 l, gint64 h, gint64 q, gint64 k)
{
  JsonObject *a = json_object_get_object_member (att, kind);
  JsonArray *shape, *data;
  g_assert_nonnull (a);
  shape = check_tensor (a, 4);
  g_assert_cmpint (json_array_get_int_element (shape, 0), ==, l);
  g_assert_cmpint (json_array_get_int_element (shape, 1), ==, h);
  g_assert_cmpint (json_array_get_int_element (shape, 2), ==, q);
  g_assert_cmpint (json_array_get_int_element (shape, 3), ==, k);
  data = json_object_get_array_member (a, "data");
  for (gint64 r = 0; r < l * h * q; r++)
    {
      double sum = 0;
      for (gint64 j = 0; j < k; j++)
        sum += json_array_get_double_element (data, r * k + j);
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
    }
}

static guint
seq_len (JsonObject *seq)
{
  guint n = json_array_get_length (json_object_get_array_member (seq, "ids"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (seq, "tokens")), ==, n);
  return n;
}

static void
test_bert_json (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "out.json", NULL);
  g_auto(Cli) c = { 0 };
  g_autoptr(JsonObject) j = NULL;
  JsonObject *model, *labels, *att;
  GList *keys;
  double sum = 0;
  guint T;

  cli_run (&c, "run", "@bert", "--text", "Attention is all you need!", "--json", out, NULL);
  assert_ok (&c);
  j = read_json (out);
  model = json_object_get_object_member (j, "model");
  g_assert_cmpstr (json_object_get_string_member (model, "architecture"), ==, "bert");
  g_assert_cmpstr (json_object_get_string_member (model, "name"), ==, "bert");
  g_assert_cmpint (json_object_get_int_member (model, "layers"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (model, "heads"), ==, 4);
  T = seq_len (json_object_get_object_member (j, "input"));
  g_assert_cmpuint (T, ==, 10);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json_object_get_object_member (j, "input"), "tokens"), 0),
                   ==, "[CLS]");
  g_assert_false (json_object_has_member (j, "target"));
  labels = json_object_get_object_member (json_object_get_object_member (j, "output"), "labels");
  g_assert_cmpuint (json_object_get_size (labels), ==, 3);
  keys = json_object_get_members (labels);
  for (GList *l = keys; l; l = l->next)
    {
      double p = json_object_get_double_member (labels, l->data);
      g_assert_cmpfloat (p, >=, 0);
      sum += p;
    }
  g_list_free (keys);
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
  g_assert_true (json_object_has_member (labels, "positive"));
  {
    JsonArray *shape = check_tensor (json_object_get_object_member (j, "logits"), 1);
    g_assert_cmpint (json_array_get_int_element (shape, 0), ==, 3);
  }
  att = json_object_get_object_member (j, "attention");
  g_assert_cmpuint (json_object_get_size (att), ==, 1);
  check_attention (att, "self", 2, 4, T, T);
  test_rmdir (dir);
}

static void
test_bert_ids_and_stdout (void)
{
  g_auto(Cli) c = { 0 };
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *j, *input;
  /* --json - writes the object, and nothing else, to stdout */
  cli_run (&c, "run", "@bert", "--input-ids", "2,30,40,3", "--json", "-", NULL);
  assert_ok (&c);
  json_parser_load_from_data (p, c.out, -1, &error);
  g_assert_no_error (error);
  j = json_node_get_object (json_parser_get_root (p));
  input = json_object_get_object_member (j, "input");
  g_assert_cmpuint (seq_len (input), ==, 4);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (input, "ids"), 1), ==, 30);
  check_attention (json_object_get_object_member (j, "attention"), "self", 2, 4, 4, 4);
}

static void
test_marian_cross_only (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "out.json", NULL);
  g_auto(Cli) c = { 0 };
  g_autoptr(JsonObject) j = NULL;
  JsonObject *att, *output;
  guint T, n;
  cli_run (&c, "run", "@marian", "--source", "Hello there.", "--attention", "cross", "--json", out, NULL);
  assert_ok (&c);
  j = read_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (j, "model"), "architecture"), ==, "marian");
  T = seq_len (json_object_get_object_member (j, "input"));
  output = json_object_get_object_member (j, "output");
  g_assert_true (json_object_has_member (output, "text"));
  n = seq_len (json_object_get_object_member (j, "target"));
  att = json_object_get_object_member (j, "attention");
  g_assert_cmpuint (json_object_get_size (att), ==, 1);
  check_attention (att, "cross", 2, 4, n, T);
  {
    /* logits of the recorded pass: [positions, vocab] */
    JsonArray *shape = check_tensor (json_object_get_object_member (j, "logits"), 2);
    g_assert_cmpint (json_array_get_int_element (shape, 0), ==, n);
    g_assert_cmpint (json_array_get_int_element (shape, 1), ==, 497);
  }
  test_rmdir (dir);
}

static void
test_marian_forced (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "out.json", NULL);
  g_auto(Cli) c = { 0 }, d = { 0 };
  g_autoptr(JsonObject) j = NULL, k = NULL;
  JsonObject *target, *att;
  JsonArray *ids;
  GString *dec = g_string_new (NULL);
  guint T, n;

  cli_run (&c, "run", "@marian", "--source", "Hello there.", "--target", "Hallo.", "--json", out, NULL);
  assert_ok (&c);
  j = read_json (out);
  T = seq_len (json_object_get_object_member (j, "input"));
  target = json_object_get_object_member (j, "target");
  n = seq_len (target);
  ids = json_object_get_array_member (target, "ids");
  g_assert_cmpint (json_array_get_int_element (ids, 0), ==, 2);    /* the start token first */
  g_assert_true (json_object_get_boolean_member (target, "forced"));
  g_assert_true (json_object_has_member (json_object_get_object_member (j, "output"), "ids"));
  att = json_object_get_object_member (j, "attention");
  g_assert_cmpuint (json_object_get_size (att), ==, 3);
  check_attention (att, "encoder", 2, 4, T, T);
  check_attention (att, "decoder", 2, 4, n, n);
  check_attention (att, "cross", 2, 4, n, T);

  /* the same pass from ids: --input-ids and --decoder-ids give the same decoder rows */
  for (guint i = 0; i < n; i++)
    g_string_append_printf (dec, "%s%" G_GINT64_FORMAT, i ? "," : "", json_array_get_int_element (ids, i));
  {
    GString *src = g_string_new (NULL);
    JsonArray *sids = json_object_get_array_member (json_object_get_object_member (j, "input"), "ids");
    for (guint i = 0; i < T; i++)
      g_string_append_printf (src, "%s%" G_GINT64_FORMAT, i ? "," : "", json_array_get_int_element (sids, i));
    cli_run (&d, "run", "@marian", "--input-ids", src->str, "--decoder-ids", dec->str, "--json", out, NULL);
    g_string_free (src, TRUE);
  }
  assert_ok (&d);
  k = read_json (out);
  {
    JsonArray *a = json_object_get_array_member (json_object_get_object_member (json_object_get_object_member (j, "attention"), "cross"), "data");
    JsonArray *b = json_object_get_array_member (json_object_get_object_member (json_object_get_object_member (k, "attention"), "cross"), "data");
    JsonArray *kid = json_object_get_array_member (json_object_get_object_member (k, "target"), "ids");
    g_assert_cmpuint (json_array_get_length (kid), ==, n);
    for (guint i = 0; i < n; i++)
      g_assert_cmpint (json_array_get_int_element (kid, i), ==, json_array_get_int_element (ids, i));
    g_assert_cmpuint (json_array_get_length (a), ==, json_array_get_length (b));
    for (guint i = 0; i < json_array_get_length (a); i++)
      g_assert_cmpfloat (json_array_get_double_element (a, i), ==, json_array_get_double_element (b, i));
  }
  g_string_free (dec, TRUE);
  test_rmdir (dir);
}

static void
test_marian_beam (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "out.json", NULL);
  g_auto(Cli) c = { 0 };
  g_autoptr(JsonObject) j = NULL;
  JsonObject *output;
  cli_run (&c, "run", "@marian", "--source", "Hello there.", "--decode", "beam:3", "--max-new-tokens", "6",
           "--json", out, NULL);
  assert_ok (&c);
  j = read_json (out);
  output = json_object_get_object_member (j, "output");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (output, "ids")), >=, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (output, "ids")), <=, 6);
  test_rmdir (dir);
}

/* Texts are UTF-8 whatever the locale: under LC_ALL=C GOption's string arguments
 * would be converted from ASCII and fail on "Café". */
static void
test_c_locale (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "LC_ALL", "C", TRUE);
  g_autofree char *bert = test_fixture ("bert", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { g_getenv ("ATTN_CLI"), "run", bert, "--text", "Café naïve", "--json", "-", NULL };
  int status;
  g_autoptr(JsonParser) p = json_parser_new ();
  JsonArray *tokens;
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("attn-cli failed under LC_ALL=C: %s", err);
  json_parser_load_from_data (p, out, -1, &error);
  g_assert_no_error (error);
  tokens = json_object_get_array_member (json_object_get_object_member (json_node_get_object (json_parser_get_root (p)),
                                                                        "input"), "tokens");
  /* [CLS] c ##a ##f ##e n ##a ##ive [SEP]: the accents were read and stripped */
  g_assert_cmpuint (json_array_get_length (tokens), ==, 9);
  g_assert_cmpstr (json_array_get_string_element (tokens, 4), ==, "##e");
}

/* --truncate keeps the words the model reads: a text that fails without it runs, its
 * tokens at the model's limit or one word short of it */
static void
test_truncate (void)
{
  g_auto(Cli) fails = { 0 }, runs = { 0 }, src = { 0 };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *input;

  for (int i = 0; i < 100; i++)
    g_string_append (text, "the animal was tired ");
  cli_run (&fails, "run", "@bert", "--text", text->str, NULL);
  assert_fails (&fails, "128");
  cli_run (&runs, "run", "@bert", "--text", text->str, "--truncate", "--json", "-", NULL);
  assert_ok (&runs);
  json_parser_load_from_data (p, runs.out, -1, &error);
  g_assert_no_error (error);
  input = json_object_get_object_member (json_node_get_object (json_parser_get_root (p)), "input");
  g_assert_cmpuint (seq_len (input), <=, 128);
  g_assert_cmpuint (seq_len (input), >, 110);
  /* a translator's source too; the summary says what was kept */
  cli_run (&src, "run", "@marian", "--source", text->str, "--truncate", NULL);
  assert_ok (&src);
  g_assert_true (g_str_has_prefix (src.out, "truncated: kept "));
}

static void
test_failures (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *gone = g_build_filename (dir, "no-model", NULL);
  g_autofree char *ro = g_build_filename (dir, "no-such-dir", "out.json", NULL);
  static const char *words[] = {
    "no-model", "--decode", "beam:N", "exactly one", "1,x", "kind", "unknown command", "MODEL_DIR",
    "--target", "second text", "outside the vocabulary", "out.json", "UTF-8", "Unknown option",
    "--length-penalty",
  };
  Cli c[G_N_ELEMENTS (words)] = { 0 };
  int i = 0;
  cli_run (&c[i++], "run", gone, "--text", "hi", NULL);
  cli_run (&c[i++], "run", "@bert", "--text", "hi", "--decode", "sample", NULL);
  cli_run (&c[i++], "run", "@marian", "--source", "hi", "--decode", "beam:0", NULL);
  cli_run (&c[i++], "run", "@bert", "--text", "hi", "--source", "hi", NULL);
  cli_run (&c[i++], "run", "@bert", "--input-ids", "1,x", NULL);
  cli_run (&c[i++], "run", "@bert", "--text", "hi", "--attention", "self,sideways", NULL);
  cli_run (&c[i++], "frobnicate", NULL);
  cli_run (&c[i++], "run", "--text", "hi", NULL);
  cli_run (&c[i++], "run", "@bert", "--text", "hi", "--target", "hi", NULL);
  cli_run (&c[i++], "run", "@gpt2", "--text", "hi", "--text-pair", "there", NULL);
  cli_run (&c[i++], "run", "@bert", "--input-ids", "2,600,3", NULL);
  cli_run (&c[i++], "run", "@bert", "--text", "hi", "--json", ro, NULL);
  cli_run (&c[i++], "run", "@bert", "--text", "caf\xc3", NULL);
  cli_run (&c[i++], "run", "@bert", "--text", "hi", "--frobnicate", NULL);
  cli_run (&c[i++], "run", "@marian", "--source", "hi", "--decode", "beam:2", "--length-penalty", "9", NULL);
  g_assert_cmpint (i, ==, G_N_ELEMENTS (words));
  for (guint k = 0; k < G_N_ELEMENTS (words); k++)
    {
      g_test_message ("case %u", k);
      assert_fails (&c[k], words[k]);
      cli_clear (&c[k]);
    }
  test_rmdir (dir);
}

/* `attn-cli eval` on the built-in reverse model: perfect on sequences it learnt, BLEU
 * and exact match below 100 when a reference is wrong, predictions written in order,
 * the same figures as `attn-cli score` computes from those predictions. */
static void
test_eval_translation (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *model = g_build_filename (g_getenv ("ATTN_MODELS_DIR"), "toy-reverse", NULL);
  g_autofree char *data = g_build_filename (dir, "rev.tsv", NULL);
  g_autofree char *pred = g_build_filename (dir, "pred.txt", NULL);
  g_autofree char *report = g_build_filename (dir, "report.json", NULL);
  g_autofree char *pred_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(Cli) c = { 0 }, s = { 0 }, bad = { 0 }, text = { 0 };
  JsonObject *o;
  static const char tsv[] = "3 1 4 1 5 9 2 6\t6 2 9 5 1 4 1 3\n"
                            "1 2 3 4 5 6 7 8 9\t9 8 7 6 5 4 3 2 1\n"
                            "2 7 1 8 2 8 1 8\t8 1 8 2 8 1 7 0\n";   /* last reference wrong */

  test_write_file (data, tsv, strlen (tsv));
  cli_run (&c, "eval", model, data, "--predictions", pred, "--json", report, NULL);
  assert_ok (&c);
  g_assert_cmpstr (c.out, ==, "");
  g_assert_true (json_parser_load_from_file (parser, report, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "task"), ==, "translation");
  g_assert_cmpint (json_object_get_int_member (o, "examples"), ==, 3);
  g_test_message ("BLEU %.4f chrF %.4f exact %.2f", json_object_get_double_member (o, "bleu"),
                  json_object_get_double_member (o, "chrf"), json_object_get_double_member (o, "exact_match"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "exact_match"), 200.0 / 3, 1e-9);
  g_assert_cmpfloat (json_object_get_double_member (o, "bleu"), <, 100);
  g_assert_cmpfloat (json_object_get_double_member (o, "bleu"), >, 50);
  g_assert_true (g_file_get_contents (pred, &pred_text, NULL, NULL));
  g_assert_cmpstr (pred_text, ==, "6 2 9 5 1 4 1 3\n9 8 7 6 5 4 3 2 1\n8 1 8 2 8 1 7 2\n");

  /* the same BLEU as `attn-cli score` gives for the written predictions */
  cli_run (&s, "score", "--metric", "bleu", "--json", pred, data, NULL);
  assert_ok (&s);
  {
    g_autoptr(JsonParser) p2 = json_parser_new ();
    g_assert_true (json_parser_load_from_data (p2, s.out, -1, NULL));
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_node_get_object (json_parser_get_root (p2)), "bleu"),
                                    json_object_get_double_member (o, "bleu"), 1e-3);
  }

  /* a file with one column fails with a reason, for a speech model too (every model
   * the engine loads has an evaluator now: translation, speech, BERT, GPT-2) */
  test_write_file (data, "3 1 4\n", 6);
  cli_run (&bad, "eval", model, data, NULL);
  assert_fails (&bad, "column");
  cli_run (&text, "eval", "@whisper", data, NULL);
  assert_fails (&text, "audio_path<TAB>transcript");
  test_rmdir (dir);
}

/* The label `attn-cli run` gives a text (the highest probability). */
static char *
run_label (const char *dir, const char *text)
{
  g_autofree char *out = g_build_filename (dir, "one.json", NULL);
  g_auto(Cli) c = { 0 };
  g_autoptr(JsonObject) o = NULL;
  JsonObject *labels;
  g_autoptr(GList) names = NULL;
  const char *best = NULL;

  cli_run (&c, "run", "@bert", "--text", text, "--json", out, NULL);
  assert_ok (&c);
  o = read_json (out);
  labels = json_object_get_object_member (json_object_get_object_member (o, "output"), "labels");
  names = json_object_get_members (labels);
  for (GList *l = names; l != NULL; l = l->next)
    if (best == NULL || json_object_get_double_member (labels, l->data)
                        > json_object_get_double_member (labels, best))
      best = l->data;
  return g_strdup (best);
}

/* `attn-cli eval` on the BERT classifier fixture (labels negative, neutral, positive):
 * the predictions are what `attn-cli run` gives each text; accuracy, the confusion
 * counts and the supports follow from them; a text longer than the model's 128
 * positions is cut, not refused; an unknown label fails with a reason. */
static void
test_eval_classification (void)
{
  static const char *const texts[] = { "the movie was great", "i did not like it at all",
                                       "it was fine", "what a waste of time" };
  static const char *const gold[] = { "positive", "negative", "neutral", "positive" };
  static const char *const names[] = { "negative", "neutral", "positive" };
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *data = g_build_filename (dir, "labelled.tsv", NULL);
  g_autofree char *pred = g_build_filename (dir, "pred.txt", NULL);
  g_autofree char *report = g_build_filename (dir, "report.json", NULL);
  g_autofree char *pred_text = NULL;
  g_autoptr(GString) tsv = g_string_new (NULL), want = g_string_new (NULL);
  g_autoptr(GString) longer = g_string_new (NULL);
  g_autoptr(JsonObject) o = NULL;
  g_auto(Cli) c = { 0 }, cut = { 0 }, bad = { 0 };
  JsonArray *counts;
  int right = 0, n = G_N_ELEMENTS (texts), count[3][3] = { { 0 } };

  for (int i = 0; i < n; i++)
    {
      g_autofree char *label = run_label (dir, texts[i]);
      int g = 0, p = 0;
      g_string_append_printf (tsv, "%s\t%s\n", gold[i], texts[i]);
      g_string_append_printf (want, "%s\n", label);
      right += g_str_equal (label, gold[i]);
      while (!g_str_equal (names[g], gold[i]))
        g++;
      while (!g_str_equal (names[p], label))
        p++;
      count[g][p]++;
    }
  test_write_file (data, tsv->str, tsv->len);
  cli_run (&c, "eval", "@bert", data, "--predictions", pred, "--json", report, NULL);
  assert_ok (&c);
  g_assert_true (g_file_get_contents (pred, &pred_text, NULL, NULL));
  g_assert_cmpstr (pred_text, ==, want->str);
  o = read_json (report);
  g_assert_cmpstr (json_object_get_string_member (o, "task"), ==, "classification");
  g_assert_cmpint (json_object_get_int_member (o, "examples"), ==, n);
  g_assert_cmpint (json_object_get_int_member (o, "truncated"), ==, 0);
  g_assert_false (json_object_has_member (o, "positive_label"));   /* three labels */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "accuracy"), 100.0 * right / n, 1e-9);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (o, "per_label"), "positive"), "support"), ==, 2);
  counts = json_object_get_array_member (json_object_get_object_member (o, "confusion"), "counts");
  for (int g = 0; g < 3; g++)
    for (int p = 0; p < 3; p++)
      g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (counts, g), p),
                       ==, count[g][p]);

  /* 300 words: more than 128 tokens, cut to [CLS] + 126 + [SEP] */
  for (int i = 0; i < 300; i++)
    g_string_append (longer, "good ");
  g_string_printf (tsv, "positive\t%s\n", longer->str);
  test_write_file (data, tsv->str, tsv->len);
  cli_run (&cut, "eval", "@bert", data, "--json", report, NULL);
  assert_ok (&cut);
  g_clear_pointer (&o, json_object_unref);
  o = read_json (report);
  g_assert_cmpint (json_object_get_int_member (o, "truncated"), ==, 1);

  test_write_file (data, "funny\tit was fine\n", 18);
  cli_run (&bad, "eval", "@bert", data, NULL);
  assert_fails (&bad, "not one of the model's labels");
  test_rmdir (dir);
}

/* `attn-cli eval` on a GPT-2 (the reference fixture) and a text of two documents:
 * the perplexity, loss and bits per byte agree with each other and with the per-token
 * losses written by --predictions, the first of which is the loss `attn-cli run`'s
 * logits give; the induction table has a score per layer and head. */
static void
test_eval_language_model (void)
{
  static const char doc1[] = "Attention is all you need.\nIt says so.", doc2[] = "A second one.";
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *data = g_build_filename (dir, "text.txt", NULL);
  g_autofree char *pred = g_build_filename (dir, "pred.txt", NULL);
  g_autofree char *report = g_build_filename (dir, "report.json", NULL);
  g_autofree char *run_json = g_build_filename (dir, "run.json", NULL);
  g_autofree char *text = g_strdup_printf ("%s\n\n%s\n", doc1, doc2);
  g_autofree char *pred_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(Cli) c = { 0 }, r = { 0 };
  g_autoptr(JsonObject) o = NULL, run = NULL;
  JsonObject *ind;
  JsonArray *scores, *ids, *logits;
  gint64 tokens, bytes, V;
  double loss, sum = 0, uniform = 0, first_nll, mx = -G_MAXDOUBLE, se = 0;

  test_write_file (data, text, strlen (text));
  cli_run (&c, "eval", "@gpt2", data, "--predictions", pred, "--json", report, NULL);
  assert_ok (&c);
  o = read_json (report);
  g_assert_cmpstr (json_object_get_string_member (o, "task"), ==, "language-model");
  g_assert_cmpint (json_object_get_int_member (o, "documents"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "context"), ==, 128);
  g_assert_cmpint (json_object_get_int_member (o, "chunks"), ==, 1);
  tokens = json_object_get_int_member (o, "tokens");
  bytes = json_object_get_int_member (o, "bytes");
  loss = json_object_get_double_member (o, "loss");
  g_test_message ("%" G_GINT64_FORMAT " tokens, %" G_GINT64_FORMAT " bytes, loss %.4f", tokens,
                  bytes, loss);
  /* every byte but the first token's is predicted; the separators have none */
  g_assert_cmpint (bytes, <, (gint64) (strlen (doc1) + strlen (doc2)));
  g_assert_cmpint (bytes, >, (gint64) (strlen (doc1) + strlen (doc2)) - 8);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "perplexity"), exp (loss), 1e-9 * exp (loss));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "bits_per_byte"),
                                  loss * tokens / (bytes * G_LN2), 1e-9);
  g_assert_true (g_file_get_contents (pred, &pred_text, NULL, NULL));
  lines = g_strsplit (pred_text, "\n", -1);
  g_assert_cmpint (g_strv_length (lines), ==, tokens + 1);   /* and the final empty string */
  for (gint64 i = 0; i < tokens; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpint (g_strv_length (f), ==, 4);
      g_assert_cmpint (g_ascii_strtoll (f[0], NULL, 10), ==, i + 1);
      sum += g_ascii_strtod (f[3], NULL);
    }
  g_assert_cmpfloat_with_epsilon (sum / tokens, loss, 1e-5);

  /* the first prediction from the logits `attn-cli run` writes for the first document */
  cli_run (&r, "run", "@gpt2", "--text", doc1, "--json", run_json, NULL);
  assert_ok (&r);
  run = read_json (run_json);
  ids = json_object_get_array_member (json_object_get_object_member (run, "input"), "ids");
  logits = json_object_get_array_member (json_object_get_object_member (run, "logits"), "data");
  V = json_array_get_int_element (json_object_get_array_member (json_object_get_object_member (run, "logits"), "shape"), 1);
  for (gint64 j = 0; j < V; j++)
    mx = MAX (mx, json_array_get_double_element (logits, j));
  for (gint64 j = 0; j < V; j++)
    se += exp (json_array_get_double_element (logits, j) - mx);
  first_nll = mx + log (se) - json_array_get_double_element (logits, json_array_get_int_element (ids, 1));
  {
    g_auto(GStrv) f = g_strsplit (lines[0], "\t", -1);
    g_assert_cmpint (g_ascii_strtoll (f[1], NULL, 10), ==, json_array_get_int_element (ids, 1));
    g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[3], NULL), first_nll, 1e-4);
  }

  /* induction: 10 sequences of <|endoftext|> + 50 random tokens twice */
  ind = json_object_get_object_member (o, "induction");
  g_assert_nonnull (ind);
  g_assert_cmpint (json_object_get_int_member (ind, "period"), ==, 50);
  scores = json_object_get_array_member (ind, "scores");
  g_assert_cmpuint (json_array_get_length (scores), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (scores, 0)), ==, 4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (ind, "previous_token_scores")), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ind, "best_score"),
                                  json_array_get_double_element (json_array_get_array_element (scores, json_object_get_int_member (ind, "best_layer")),
                                                                 json_object_get_int_member (ind, "best_head")), 1e-12);
  for (int j = 0; j < 50; j++)
    uniform += 1.0 / (52 + j) / 50;
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ind, "uniform_score"), uniform, 1e-12);
  g_assert_true (json_object_has_member (ind, "loss_first_copy"));
  g_assert_true (json_object_has_member (ind, "loss_second_copy"));
  test_rmdir (dir);
}

/* `attn-cli eval` on the built-in speech model: clips named relative to the TSV's folder;
 * scored against its own transcripts (written by a first pass) it has WER, CER 0 and
 * exact match 100, whatever its quality; a missing clip names its line. */
static void
test_eval_speech (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *model = g_build_filename (g_getenv ("ATTN_MODELS_DIR"), "speech-whisper", NULL);
  g_autofree char *data = g_build_filename (dir, "clips.tsv", NULL);
  g_autofree char *pred = g_build_filename (dir, "pred.txt", NULL);
  g_autofree char *report = g_build_filename (dir, "report.json", NULL);
  g_autofree char *pred_text = NULL;
  g_autoptr(GString) tsv = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(Cli) c = { 0 }, again = { 0 }, bad = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  static const char *const clips[] = { "sample-1.wav", "sample-2.wav", "sample-3.wav" };

  for (guint i = 0; i < G_N_ELEMENTS (clips); i++)
    {
      g_autofree char *from = g_build_filename (model, clips[i], NULL);
      g_autofree char *to = g_build_filename (dir, clips[i], NULL);
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (from, &bytes, &len, NULL));
      test_write_file (to, bytes, len);
      g_string_append_printf (tsv, "%s\tsomething else entirely\n", clips[i]);
    }
  test_write_file (data, tsv->str, tsv->len);
  cli_run (&c, "eval", model, data, "--predictions", pred, "--json", report, NULL);
  assert_ok (&c);
  g_assert_true (json_parser_load_from_file (parser, report, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "task"), ==, "speech");
  g_assert_cmpint (json_object_get_int_member (o, "examples"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (o, "wer"), >, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "wer_edits"),
                                               "reference_length"), ==, 9);
  g_assert_true (g_file_get_contents (pred, &pred_text, NULL, NULL));
  lines = g_strsplit (pred_text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* three lines and the final newline */

  g_string_truncate (tsv, 0);
  for (guint i = 0; i < G_N_ELEMENTS (clips); i++)
    g_string_append_printf (tsv, "%s\t%s\n", clips[i], lines[i]);
  test_write_file (data, tsv->str, tsv->len);
  cli_run (&again, "eval", model, data, "--json", "-", NULL);
  assert_ok (&again);
  {
    g_autoptr(JsonParser) p2 = json_parser_new ();
    JsonObject *o2;
    g_assert_true (json_parser_load_from_data (p2, again.out, -1, NULL));
    o2 = json_node_get_object (json_parser_get_root (p2));
    g_assert_cmpfloat (json_object_get_double_member (o2, "wer"), ==, 0);
    g_assert_cmpfloat (json_object_get_double_member (o2, "cer"), ==, 0);
    g_assert_cmpfloat (json_object_get_double_member (o2, "exact_match"), ==, 100);
  }

  test_write_file (data, "sample-1.wav\tx\nmissing.wav\ty\n", 29);
  cli_run (&bad, "eval", model, data, NULL);
  assert_fails (&bad, "clips.tsv:2");
  test_rmdir (dir);
}

/* `attn-cli eval --word-times-column` on the built-in speech model: the report has the
 * alignment heads', each head's and the letter split's scores (a double space is no
 * word); spans that are the letter split itself give that baseline no error; malformed
 * or miscounted spans, and a model that is not a speech model, fail with the reason. */
static void
test_eval_word_times (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *model = g_build_filename (g_getenv ("ATTN_MODELS_DIR"), "speech-whisper", NULL);
  g_autofree char *toy = g_build_filename (g_getenv ("ATTN_MODELS_DIR"), "toy-reverse", NULL);
  g_autofree char *clip = g_build_filename (model, "sample-3.wav", NULL);
  g_autofree char *data = g_build_filename (dir, "timed.tsv", NULL);
  g_autofree char *pred = g_build_filename (dir, "pred.txt", NULL);
  g_autofree char *pred_text = NULL, *row = NULL;
  g_auto(Cli) c = { 0 }, split = { 0 }, bad_span = { 0 }, bad_count = { 0 }, not_speech = { 0 },
              forced = { 0 }, too_long = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) spans = NULL;
  static const char *const words[] = { "He", "laughs", "best", "who", "laughs", "last." };
  JsonObject *o, *heads;
  double seconds, t = 0, letters = 0;

  row = g_strdup_printf ("%s\tHe laughs  best who laughs last. \t0.00-0.30 0.35-0.50 0.55-0.90 0.95-1.10 1.15-1.40 1.45-1.80\n", clip);
  test_write_file (data, row, strlen (row));
  cli_run (&c, "eval", model, data, "--word-times-column", "2", "--predictions", pred, "--json", "-", NULL);
  assert_ok (&c);
  g_assert_true (json_parser_load_from_data (parser, c.out, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "task"), ==, "word-times");
  g_assert_cmpint (json_object_get_int_member (o, "words"), ==, 6);
  heads = json_object_get_object_member (o, "alignment_heads");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (heads, "heads")), >=, 1);
  g_assert_cmpfloat (json_object_get_double_member (heads, "start_error_ms"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (heads, "midpoint_in_word"), <=, 100);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "each_head")), ==, 6 * 4);   /* decoder layers × heads */
  g_assert_true (g_file_get_contents (pred, &pred_text, NULL, NULL));
  spans = g_strsplit (g_strstrip (pred_text), " ", -1);
  g_assert_cmpuint (g_strv_length (spans), ==, 6);

  /* the letter split as the truth: the baseline scores perfectly */
  seconds = json_object_get_double_member (o, "audio_seconds");
  g_assert_cmpfloat (seconds, >, 0.5);
  g_clear_pointer (&row, g_free);
  {
    g_autoptr(GString) s = g_string_new (clip);
    g_string_append (s, "\tHe laughs best who laughs last.\t");
    for (guint i = 0; i < G_N_ELEMENTS (words); i++)
      letters += strlen (words[i]);
    for (guint i = 0; i < G_N_ELEMENTS (words); i++)
      {
        double d = seconds * strlen (words[i]) / letters;
        g_string_append_printf (s, "%s%.6f-%.6f", i ? " " : "", t, t + d);
        t += d;
      }
    g_string_append_c (s, '\n');
    test_write_file (data, s->str, s->len);
  }
  cli_run (&split, "eval", model, data, "--word-times-column", "2", "--json", "-", NULL);
  assert_ok (&split);
  {
    g_autoptr(JsonParser) p2 = json_parser_new ();
    JsonObject *ls;
    g_assert_true (json_parser_load_from_data (p2, split.out, -1, NULL));
    ls = json_object_get_object_member (json_node_get_object (json_parser_get_root (p2)), "letter_split");
    g_assert_cmpfloat (json_object_get_double_member (ls, "start_error_ms"), <, 0.01);
    g_assert_cmpfloat (json_object_get_double_member (ls, "end_error_ms"), <, 0.01);
    g_assert_cmpfloat (json_object_get_double_member (ls, "midpoint_in_word"), ==, 100);
  }

  row = g_strdup_printf ("%s\tHe laughs best who laughs last.\t0.00-0.30 0.35-0.50 0.55-x 0.95-1.10 1.15-1.40 1.45-1.80\n", clip);
  test_write_file (data, row, strlen (row));
  cli_run (&bad_span, "eval", model, data, "--word-times-column", "2", NULL);
  assert_fails (&bad_span, "“0.55-x” is not a word span");
  g_clear_pointer (&row, g_free);
  row = g_strdup_printf ("%s\tHe laughs best who laughs last.\t0.00-0.30 0.35-0.50\n", clip);
  test_write_file (data, row, strlen (row));
  cli_run (&bad_count, "eval", model, data, "--word-times-column", "2", NULL);
  assert_fails (&bad_count, "timed.tsv:1: 6 words but 2 spans");
  cli_run (&not_speech, "eval", toy, data, "--word-times-column", "2", NULL);
  assert_fails (&not_speech, "--word-times-column is for speech models");
  /* `run --audio --target`: the transcript after the prompt; too long a one is refused */
  cli_run (&forced, "run", model, "--audio", clip, "--target", "He laughs best.", NULL);
  assert_ok (&forced);
  g_assert_nonnull (strstr (forced.out, "forced"));
  {
    g_autoptr(GString) long_text = g_string_new (NULL);
    for (int i = 0; i < 60; i++)
      g_string_append (long_text, "laughs ");
    cli_run (&too_long, "run", model, "--audio", clip, "--target", long_text->str, NULL);
    assert_fails (&too_long, "tokens");
  }
  test_rmdir (dir);
}

/* `attn-cli convert` stores the weights as float16: half the file, the same outputs,
 * the optimizer state left behind; bad options fail with a reason. */
static void
test_convert (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *model = g_build_filename (g_getenv ("ATTN_MODELS_DIR"), "toy-reverse", NULL);
  g_autofree char *out = g_build_filename (dir, "half", NULL);
  g_autofree char *w32 = g_build_filename (model, "model.safetensors", NULL);
  g_autofree char *w16 = g_build_filename (out, "model.safetensors", NULL);
  g_autofree char *card = g_build_filename (out, "MODEL_CARD.md", NULL);
  g_auto(Cli) c = { 0 }, r = { 0 }, bad = { 0 }, same = { 0 };
  GStatBuf a, b;

  cli_run (&c, "convert", model, "--out", out, NULL);
  assert_ok (&c);
  g_assert_cmpint (g_stat (w32, &a), ==, 0);
  g_assert_cmpint (g_stat (w16, &b), ==, 0);
  g_test_message ("float32 %ld bytes, float16 %ld bytes", (long) a.st_size, (long) b.st_size);
  g_assert_cmpint (b.st_size, <, a.st_size * 6 / 10);
  g_assert_true (g_file_test (card, G_FILE_TEST_EXISTS));
  cli_run (&r, "run", out, "--source", "3 1 4 1 5 9 2 6", NULL);
  assert_ok (&r);
  g_assert_nonnull (strstr (r.out, "output: 6 2 9 5 1 4 1 3\n"));
  cli_run (&bad, "convert", model, "--out", out, "--dtype", "int8", NULL);
  assert_fails (&bad, "--dtype");
  cli_run (&same, "convert", out, "--out", out, NULL);
  assert_fails (&same, "another folder");
  test_rmdir (dir);
}

/* `attn-cli convert A B --out C` averages checkpoints: C's weights are the element-wise
 * mean of A's and B's (here B = 3 × A, so C = 2 × A), and C runs; folders of two
 * different models cannot be averaged. */
static void
test_convert_average (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *a = test_fixture ("gpt2", NULL);
  g_autofree char *b = g_build_filename (dir, "times3", NULL);
  g_autofree char *out = g_build_filename (dir, "mean", NULL);
  g_autofree char *mean_path = g_build_filename (out, "model.safetensors", NULL);
  g_autofree char *other = test_fixture ("bert", NULL);
  g_auto(Cli) c = { 0 }, r = { 0 }, bad = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnCheckpoint) mean = NULL;
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("gpt2", &n);
  double worst = 0;

  g_assert_cmpint (g_mkdir (b, 0755), ==, 0);
  test_copy_fixture_files ("gpt2", b, "config.json", "generation_config.json", "merges.txt",
                           "tokenizer.json", "tokenizer_config.json", "vocab.json", NULL);
  for (guint i = 0; i < n; i++)
    {
      gsize len = 1;
      for (int d = 0; d < t[i].ndim; d++)
        len *= (gsize) t[i].shape[d];
      for (gsize k = 0; k < len; k++)
        ((float *) t[i].data)[k] *= 3.0f;
    }
  test_write_tensors (b, t, n, ATTN_DTYPE_F32);
  test_tensors_free (t, n);

  cli_run (&c, "convert", a, b, "--out", out, "--dtype", "f32", NULL);
  assert_ok (&c);
  t = test_fixture_tensors ("gpt2", &n);
  mean = attn_checkpoint_open_file (mean_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attn_checkpoint_n_tensors (mean), ==, n);
  for (guint i = 0; i < n; i++)
    {
      gsize len = 1;
      g_autofree float *v = attn_checkpoint_read_f32 (mean, t[i].name, t[i].ndim, t[i].shape, &error);
      g_assert_no_error (error);
      for (int d = 0; d < t[i].ndim; d++)
        len *= (gsize) t[i].shape[d];
      for (gsize k = 0; k < len; k++)
        worst = MAX (worst, fabs (v[k] - 2.0 * t[i].data[k]) / MAX (1e-3, fabs (t[i].data[k])));
    }
  test_tensors_free (t, n);
  g_test_message ("mean of x and 3x: largest relative difference to 2x %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-6);
  cli_run (&r, "run", out, "--text", "hello world", NULL);
  assert_ok (&r);

  cli_run (&bad, "convert", a, other, "--out", out, NULL);
  assert_fails (&bad, "one model");
  test_rmdir (dir);
}

/* A trained folder copied by `attn-cli convert` keeps its training state, with the
 * corpus, "init" and "tokenizer" paths rewritten to name the same files from the copy
 * (paths that share only the root stay absolute, the copy's own folder is "."); an
 * unreadable state fails the copy. */
static void
test_convert_state (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *run = g_build_filename (dir, "runs", "one", NULL);
  g_autofree char *out = g_build_filename (dir, "models", "shipped", "one", NULL);
  g_autofree char *state = g_build_filename (run, "trainer_state.json", NULL);
  g_autofree char *copied = g_build_filename (out, "trainer_state.json", NULL);
  g_autofree char *text = NULL;
  g_auto(Cli) c = { 0 }, bad = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  static const char json[] =
    "{\"step\" : 7, \"config\" : {\"arch\" : \"gpt2\", \"seed\" : 3, "
    "\"train\" : \"../../data/train.txt\", \"dev\" : \"\", \"init\" : \"/nowhere/base\", "
    "\"extra_train\" : \"../tok.tsv\", \"tokenizer\" : \"../../models/shipped/one\"}}";
  static const char *const want[][2] = {
    { "train", "../../../data/train.txt" }, { "init", "/nowhere/base" },
    { "extra_train", "../../../runs/tok.tsv" }, { "tokenizer", "." }, { "dev", "" },
    { "arch", "gpt2" }
  };
  guint n;
  AttnTensorOut *t = test_fixture_tensors ("gpt2", &n);
  JsonObject *o, *co;

  g_assert_cmpint (g_mkdir_with_parents (run, 0755), ==, 0);
  test_copy_fixture_files ("gpt2", run, "config.json", "generation_config.json", "merges.txt",
                           "tokenizer.json", "tokenizer_config.json", "vocab.json", NULL);
  test_write_tensors (run, t, n, ATTN_DTYPE_F32);
  test_tensors_free (t, n);
  test_write_file (state, json, strlen (json));
  cli_run (&c, "convert", run, "--out", out, NULL);
  assert_ok (&c);
  g_assert_true (g_file_get_contents (copied, &text, NULL, NULL));
  g_test_message ("%s", text);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  co = json_object_get_object_member (o, "config");
  g_assert_cmpint (json_object_get_int_member (o, "step"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (co, "seed"), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmpstr (json_object_get_string_member (co, want[i][0]), ==, want[i][1]);
  g_assert_nonnull (strstr (text, "\"step\" : 7"));   /* the trainer's own layout */

  test_write_file (state, "[1, 2]", 6);
  cli_run (&bad, "convert", run, "--out", out, NULL);
  assert_fails (&bad, "trainer_state.json");
  test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/bert/json", test_bert_json);
  g_test_add_func ("/cli/bert/ids-stdout", test_bert_ids_and_stdout);
  g_test_add_func ("/cli/marian/cross-only", test_marian_cross_only);
  g_test_add_func ("/cli/marian/forced", test_marian_forced);
  g_test_add_func ("/cli/marian/beam", test_marian_beam);
  g_test_add_func ("/cli/c-locale", test_c_locale);
  g_test_add_func ("/cli/failures", test_failures);
  g_test_add_func ("/cli/truncate", test_truncate);
  g_test_add_func ("/cli/eval/translation", test_eval_translation);
  g_test_add_func ("/cli/eval/speech", test_eval_speech);
  g_test_add_func ("/cli/eval/word-times", test_eval_word_times);
  g_test_add_func ("/cli/eval/classification", test_eval_classification);
  g_test_add_func ("/cli/eval/language-model", test_eval_language_model);
  g_test_add_func ("/cli/convert", test_convert);
  g_test_add_func ("/cli/convert-average", test_convert_average);
  g_test_add_func ("/cli/convert-state", test_convert_state);
  return g_test_run ();
}
