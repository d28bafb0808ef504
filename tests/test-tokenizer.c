/* test-tokenizer.c — tokenizers against the Hugging Face reference fixtures,
 * round trips, display labels and malformed inputs. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "attn-error.h"
#include "attn-tokenizer.h"
#include "test-util.h"

/* ---- helpers ------------------------------------------------------------- */

/* Compares ids (and tokens when given); reports the first mismatch. */
static gboolean
same_ids (const char *what, const AttnEncoding *enc, const gint64 *ref, gsize nref,
          JsonArray *ref_tokens)
{
  for (gsize i = 0; i < MAX (enc->len, nref); i++)
    {
      gint64 want = i < nref ? ref[i] : -1;
      gint64 got = i < enc->len ? enc->ids[i] : -1;
      if (want != got)
        {
          g_test_message ("%s: first id mismatch at %" G_GSIZE_FORMAT ": got %" G_GINT64_FORMAT
                          " (“%s”), want %" G_GINT64_FORMAT " (“%s”); lengths %u vs %" G_GSIZE_FORMAT,
                          what, i, got, i < enc->len ? enc->tokens[i] : "-", want,
                          ref_tokens != NULL && i < json_array_get_length (ref_tokens)
                            ? json_array_get_string_element (ref_tokens, (guint) i) : "?",
                          enc->len, nref);
          return FALSE;
        }
    }
  if (ref_tokens != NULL)
    for (guint i = 0; i < json_array_get_length (ref_tokens); i++)
      if (i >= enc->len || g_strcmp0 (enc->tokens[i], json_array_get_string_element (ref_tokens, i)) != 0)
        {
          g_test_message ("%s: token %u is “%s”, want “%s”", what, i,
                          i < enc->len ? enc->tokens[i] : "-",
                          json_array_get_string_element (ref_tokens, i));
          return FALSE;
        }
  return TRUE;
}

static gint64 *
ref_ids (const char *model, const char *name, gsize *n)
{
  g_autofree char *path = test_fixture_path (model, "reference.safetensors", NULL);
  g_autofree char *why = NULL;
  gint64 *ids = test_read_i64 (path, name, n, &why);
  if (ids == NULL)
    g_test_message ("%s", why);
  g_assert_nonnull (ids);
  return ids;
}

static AttnTokenizer *
load_file (const char *model, const char *file)
{
  g_autofree char *path = test_fixture_path (model, file, NULL);
  g_autoptr(GError) error = NULL;
  AttnTokenizer *tok = attn_tokenizer_new_from_json (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tok);
  return tok;
}

/* Encodes every reference text and compares with N.input_ids and tokens. */
static void
check_reference (AttnTokenizer *tok, const char *model, const char *tokens_key, gboolean add_special)
{
  g_autofree char *rpath = test_fixture_path (model, "reference.json", NULL);
  g_autoptr(JsonNode) ref = test_read_json (rpath);
  JsonObject *ro = json_node_get_object (ref);
  JsonArray *texts = json_object_get_array_member (ro, "texts");
  JsonArray *toks = json_object_get_array_member (ro, tokens_key);
  gboolean ok = TRUE;

  for (guint i = 0; i < json_array_get_length (texts); i++)
    {
      const char *text = json_array_get_string_element (texts, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, text, NULL, add_special, &error);
      g_autofree char *name = g_strdup_printf ("%u.input_ids", i);
      g_autofree char *what = g_strdup_printf ("%s text %u", model, i);
      g_autofree gint64 *ids = NULL;
      gsize n = 0;

      g_assert_no_error (error);
      if (i >= json_array_get_length (toks))
        {
          /* no reference (GPT-2's empty text): must be empty */
          g_assert_cmpstr (text, ==, "");
          g_assert_cmpuint (enc->len, ==, 0);
          continue;
        }
      ids = ref_ids (model, name, &n);
      if (!same_ids (what, enc, ids, n, json_array_get_array_element (toks, i)))
        ok = FALSE;
    }
  g_assert_true (ok);
}

/* ---- BERT ---------------------------------------------------------------- */

static void
test_bert_reference (void)
{
  g_autoptr(AttnTokenizer) tok = load_file ("bert", "tokenizer.json");
  check_reference (tok, "bert", "tokens", TRUE);
}

static void
test_bert_vocab_txt (void)
{
  g_autofree char *path = test_fixture_path ("bert", "vocab.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = attn_tokenizer_new_wordpiece (path, TRUE, &error);
  g_assert_no_error (error);
  check_reference (tok, "bert", "tokens", TRUE);
}

static void
test_bert_pair (void)
{
  g_autoptr(AttnTokenizer) tok = load_file ("bert", "tokenizer.json");
  g_autofree char *rpath = test_fixture_path ("bert", "reference.json", NULL);
  g_autoptr(JsonNode) ref = test_read_json (rpath);
  JsonObject *ro = json_node_get_object (ref);
  JsonArray *texts = json_object_get_array_member (ro, "texts");
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, json_array_get_string_element (texts, 0),
                                                       json_array_get_string_element (texts, 1),
                                                       TRUE, &error);
  gsize n = 0, nt = 0;
  g_autofree gint64 *ids = ref_ids ("bert", "pair.input_ids", &n);
  g_autofree gint64 *types = ref_ids ("bert", "pair.token_type_ids", &nt);

  g_assert_no_error (error);
  g_assert_true (same_ids ("bert pair", enc, ids, n, json_object_get_array_member (ro, "pair_tokens")));
  g_assert_cmpuint (nt, ==, enc->len);
  for (guint i = 0; i < enc->len; i++)
    {
      if (enc->type_ids[i] != types[i])
        g_test_message ("type id %u: got %d want %" G_GINT64_FORMAT, i, enc->type_ids[i], types[i]);
      g_assert_cmpint (enc->type_ids[i], ==, types[i]);
    }
  g_assert_true (enc->special[0] && enc->special[enc->len - 1]);
  g_assert_cmpint (enc->offsets[0], ==, -1);
  /* "the" of the first text: bytes 0..3 of "The animal…" */
  g_assert_cmpint (enc->offsets[2], ==, 0);
  g_assert_cmpint (enc->offsets[3], ==, 3);
}

static void
test_bert_folder (void)
{
  g_autofree char *dir = test_fixture_path ("bert", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = attn_tokenizer_load (dir, ATTN_TOKENIZER_SOURCE, &error);
  g_assert_no_error (error);
  check_reference (tok, "bert", "tokens", TRUE);
}

static void
test_bert_decode (void)
{
  g_autoptr(AttnTokenizer) tok = load_file ("bert", "tokenizer.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, "Attention is all you need!", NULL, TRUE,
                                                       &error);
  g_autofree char *plain = NULL, *with = NULL;
  g_autofree char *disp = NULL;

  g_assert_no_error (error);
  plain = attn_tokenizer_decode (tok, enc->ids, enc->len, TRUE);
  g_assert_cmpstr (plain, ==, "attention is all you need!");
  with = attn_tokenizer_decode (tok, enc->ids, enc->len, FALSE);
  g_assert_cmpstr (with, ==, "[CLS] attention is all you need! [SEP]");
  disp = attn_tokenizer_token_display (tok, enc->ids[2]);
  g_assert_cmpstr (disp, ==, "##ent");
  g_assert_true (attn_tokenizer_is_special (tok, enc->ids[0]));
  g_assert_false (attn_tokenizer_is_special (tok, enc->ids[1]));
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "[SEP]"), ==, 3);
  g_assert_cmpstr (attn_tokenizer_id_to_token (tok, 2), ==, "[CLS]");
  g_assert_null (attn_tokenizer_id_to_token (tok, 100000));
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "no-such-token"), ==, -1);
}

/* ---- GPT-2 --------------------------------------------------------------- */

static void
test_gpt2_reference (void)
{
  g_autoptr(AttnTokenizer) tok = load_file ("gpt2", "tokenizer.json");
  check_reference (tok, "gpt2", "tokens", TRUE);
}

static void
test_gpt2_files (void)
{
  g_autofree char *v = test_fixture_path ("gpt2", "vocab.json", NULL);
  g_autofree char *m = test_fixture_path ("gpt2", "merges.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = attn_tokenizer_new_byte_bpe (v, m, &error);
  g_assert_no_error (error);
  check_reference (tok, "gpt2", "tokens", TRUE);
}

static const char *const roundtrip_texts[] = {
  "The animal didn't cross the street because it was too tired.",
  "Café naïve résumé — “quotes” and 123,456.78 numbers; e-mail: a.b@c.de",
  "日本語のテキストと emoji 🙂 mixed in.",
  "   leading and trailing spaces   ",
  "",
  "tabs\tand\nnewlines\r\n  twice  ",
  "it's they're I'll we've you'd I'm",
  "<|endoftext|> in the middle <|endoftext|>",
};

static void
test_gpt2_roundtrip (void)
{
  g_autoptr(AttnTokenizer) tok = load_file ("gpt2", "tokenizer.json");

  for (guint i = 0; i < G_N_ELEMENTS (roundtrip_texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, roundtrip_texts[i], NULL, TRUE, &error);
      g_autofree char *back = NULL;
      g_assert_no_error (error);
      back = attn_tokenizer_decode (tok, enc->ids, enc->len, FALSE);
      g_assert_cmpstr (back, ==, roundtrip_texts[i]);
    }
}

static void
test_gpt2_special_and_display (void)
{
  g_autoptr(AttnTokenizer) tok = load_file ("gpt2", "tokenizer.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, "a<|endoftext|>b", NULL, TRUE, &error);
  g_autofree char *skipped = NULL;
  gint32 the = attn_tokenizer_token_to_id (tok, "Ġthe");
  gint32 a3 = attn_tokenizer_token_to_id (tok, "Ã");
  g_autofree char *d1 = NULL, *d2 = NULL, *d3 = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (enc->len, ==, 3);
  g_assert_cmpint (enc->ids[1], ==, 0);
  g_assert_true (enc->special[1]);
  g_assert_cmpint (enc->offsets[2], ==, 1);
  g_assert_cmpint (enc->offsets[3], ==, 14);
  skipped = attn_tokenizer_decode (tok, enc->ids, enc->len, TRUE);
  g_assert_cmpstr (skipped, ==, "ab");

  g_assert_cmpint (the, >=, 0);
  d1 = attn_tokenizer_token_display (tok, the);
  g_assert_cmpstr (d1, ==, " the");
  g_assert_cmpint (a3, >=, 0);
  d2 = attn_tokenizer_token_display (tok, a3);
  g_assert_cmpstr (d2, ==, "\\xC3");
  d3 = attn_tokenizer_token_display (tok, 0);
  g_assert_cmpstr (d3, ==, "<|endoftext|>");
  g_assert_null (attn_tokenizer_token_display (tok, -1));

  /* bytes that are not UTF-8 decode as U+FFFD, one per maximal invalid part */
  {
    gint32 bad[3] = { attn_tokenizer_token_to_id (tok, "æ"), attn_tokenizer_token_to_id (tok, "Ĺ"),
                      attn_tokenizer_token_to_id (tok, "a") };
    g_autofree char *lossy = NULL;
    g_assert_cmpint (bad[0], >=, 0);
    g_assert_cmpint (bad[1], >=, 0);
    lossy = attn_tokenizer_decode (tok, bad, 3, FALSE);
    g_assert_cmpstr (lossy, ==, "\xef\xbf\xbd" "a");
  }
}

/* Whisper-style added tokens on top of the GPT-2 tokenizer.json. */
static void
test_added_tokens (void)
{
  g_autofree char *src = test_fixture_path ("gpt2", "tokenizer.json", NULL);
  g_autoptr(JsonNode) root = test_read_json (src);
  JsonObject *ro = json_node_get_object (root);
  JsonArray *added = json_object_get_array_member (ro, "added_tokens");
  static const char *const extra[] = { "<|startoftranscript|>", "<|en|>", "<|transcribe|>",
                                       "<|notimestamps|>", "<|0.00|>" };
  g_autofree char *dir = g_dir_make_tmp ("attn-tok-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "tokenizer.json", NULL);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = NULL;
  g_autoptr(AttnEncoding) enc = NULL;
  g_autofree char *dec = NULL;
  guint base = 600;

  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    {
      JsonObject *o = json_object_new ();
      json_object_set_int_member (o, "id", base + i);
      json_object_set_string_member (o, "content", extra[i]);
      json_object_set_boolean_member (o, "special", i < 4);
      json_object_set_boolean_member (o, "normalized", FALSE);
      json_array_add_object_element (added, o);
    }
  json_generator_set_root (gen, root);
  g_assert_true (json_generator_to_file (gen, path, NULL));
  tok = attn_tokenizer_new_from_json (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attn_tokenizer_vocab_size (tok), ==, 605);

  enc = attn_tokenizer_encode (tok, "<|startoftranscript|><|en|><|transcribe|><|0.00|> Hello<|endoftext|>",
                               NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (enc->len, >=, 6);
  g_assert_cmpint (enc->ids[0], ==, 600);
  g_assert_cmpint (enc->ids[1], ==, 601);
  g_assert_cmpint (enc->ids[2], ==, 602);
  g_assert_cmpint (enc->ids[3], ==, 604);
  g_assert_false (enc->special[3]);
  g_assert_true (enc->special[0]);
  g_assert_cmpint (enc->ids[enc->len - 1], ==, 0);
  g_assert_true (g_str_has_prefix (enc->tokens[4], "Ġ"));
  dec = attn_tokenizer_decode (tok, enc->ids, enc->len, TRUE);
  g_assert_cmpstr (dec, ==, "<|0.00|> Hello");

  g_unlink (path);
  g_rmdir (dir);
}

/* Folders with only the vocabulary files (and tokenizer_config.json). */
static char *
tmp_folder_with (const char *model, const char *const *files)
{
  char *dir = g_dir_make_tmp ("attn-tok-XXXXXX", NULL);
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *src = test_fixture_path (model, files[i], NULL);
      g_autofree char *dst = g_build_filename (dir, files[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      g_assert_true (g_file_set_contents (dst, data, (gssize) len, NULL));
    }
  return dir;
}

static void
rm_folder (const char *dir, const char *const *files)
{
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *p = g_build_filename (dir, files[i], NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

static void
test_folder_vocab_files (void)
{
  static const char *const bert_files[] = { "vocab.txt", "tokenizer_config.json", NULL };
  static const char *const gpt2_files[] = { "vocab.json", "merges.txt", "tokenizer_config.json", NULL };
  g_autofree char *bdir = tmp_folder_with ("bert", bert_files);
  g_autofree char *gdir = tmp_folder_with ("gpt2", gpt2_files);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) bert = attn_tokenizer_load (bdir, ATTN_TOKENIZER_SOURCE, &error);
  g_autoptr(AttnTokenizer) gpt2 = NULL;

  g_assert_no_error (error);
  check_reference (bert, "bert", "tokens", TRUE);
  gpt2 = attn_tokenizer_load (gdir, ATTN_TOKENIZER_SOURCE, &error);
  g_assert_no_error (error);
  check_reference (gpt2, "gpt2", "tokens", TRUE);
  g_assert_true (attn_tokenizer_is_special (gpt2, 0));
  rm_folder (bdir, bert_files);
  rm_folder (gdir, gpt2_files);
}

/* lstrip / rstrip / single_word added tokens. */
static void
test_added_strip (void)
{
  g_autofree char *src = test_fixture_path ("gpt2", "tokenizer.json", NULL);
  g_autoptr(JsonNode) root = test_read_json (src);
  JsonArray *added = json_object_get_array_member (json_node_get_object (root), "added_tokens");
  g_autofree char *dir = g_dir_make_tmp ("attn-tok-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "tokenizer.json", NULL);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = NULL;
  g_autoptr(AttnEncoding) enc = NULL, enc2 = NULL;
  JsonObject *o = json_object_new (), *w = json_object_new ();

  json_object_set_int_member (o, "id", 600);
  json_object_set_string_member (o, "content", "<mask>");
  json_object_set_boolean_member (o, "special", TRUE);
  json_object_set_boolean_member (o, "lstrip", TRUE);
  json_array_add_object_element (added, o);
  json_object_set_int_member (w, "id", 601);
  json_object_set_string_member (w, "content", "cat");
  json_object_set_boolean_member (w, "single_word", TRUE);
  json_object_set_boolean_member (w, "rstrip", TRUE);
  json_array_add_object_element (added, w);
  json_generator_set_root (gen, root);
  g_assert_true (json_generator_to_file (gen, path, NULL));
  tok = attn_tokenizer_new_from_json (path, &error);
  g_assert_no_error (error);

  enc = attn_tokenizer_encode (tok, "a  <mask> b", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (enc->len, ==, 3);
  g_assert_cmpstr (enc->tokens[0], ==, "a");
  g_assert_cmpint (enc->ids[1], ==, 600);
  g_assert_cmpint (enc->offsets[2], ==, 1);   /* the spaces belong to <mask> */
  g_assert_cmpint (enc->offsets[3], ==, 9);
  g_assert_cmpstr (enc->tokens[2], ==, "Ġb");

  /* "cat" only as a whole word; then the following space is stripped */
  enc2 = attn_tokenizer_encode (tok, "concat cat  x", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (enc2->ids[enc2->len - 2], ==, 601);
  g_assert_cmpstr (enc2->tokens[enc2->len - 1], ==, "x");
  for (guint i = 0; i + 2 < enc2->len; i++)
    g_assert_cmpint (enc2->ids[i], !=, 601);

  g_unlink (path);
  g_rmdir (dir);
}

/* ---- Marian -------------------------------------------------------------- */

static void
check_marian (AttnTokenizerRole role)
{
  g_autofree char *dir = test_fixture_path ("marian", NULL);
  g_autofree char *rpath = test_fixture_path ("marian", "reference.json", NULL);
  g_autoptr(JsonNode) ref = test_read_json (rpath);
  JsonObject *ro = json_node_get_object (ref);
  gboolean src = role == ATTN_TOKENIZER_SOURCE;
  JsonArray *texts = json_object_get_array_member (ro, src ? "source" : "target");
  JsonArray *pieces = json_object_get_array_member (ro, src ? "source_pieces" : "target_pieces");
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = attn_tokenizer_load (dir, role, &error);
  gboolean ok = TRUE;

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (texts); i++)
    {
      const char *text = json_array_get_string_element (texts, i);
      g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, text, NULL, TRUE, &error);
      g_autofree char *name = g_strdup_printf (src ? "%u.input_ids" : "%u.decoder_input_ids", i);
      g_autofree char *what = g_strdup_printf ("marian %s %u", src ? "source" : "target", i);
      gsize n = 0;
      g_autofree gint64 *ids = ref_ids ("marian", name, &n);
      g_autofree char *dec = NULL;
      JsonArray *want = json_array_get_array_element (pieces, i);

      g_assert_no_error (error);
      if (!src)
        {
          /* decoder_input_ids = [pad] + target ids[:-1]: shift back, append </s> */
          g_assert_cmpint (ids[0], ==, 2);
          memmove (ids, ids + 1, (n - 1) * sizeof (gint64));
          ids[n - 1] = 0;
        }
      if (!same_ids (what, enc, ids, n, want))
        ok = FALSE;
      g_assert_cmpuint (enc->len, ==, json_array_get_length (want) + 1);
      g_assert_cmpstr (enc->tokens[enc->len - 1], ==, "</s>");
      g_assert_true (enc->special[enc->len - 1]);
      dec = attn_tokenizer_decode (tok, enc->ids, enc->len, TRUE);
      g_assert_cmpstr (dec, ==, text);
    }
  g_assert_true (ok);
}

static void
test_marian_source (void)
{
  check_marian (ATTN_TOKENIZER_SOURCE);
}

static void
test_marian_target (void)
{
  check_marian (ATTN_TOKENIZER_TARGET);
}

static void
test_marian_details (void)
{
  g_autofree char *spm = test_fixture_path ("marian", "source.spm", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) raw = attn_tokenizer_new_sentencepiece (spm, NULL, &error);
  g_autoptr(AttnEncoding) enc = NULL;
  g_autofree char *disp = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (attn_tokenizer_vocab_size (raw), ==, 300);
  /* extra whitespace collapses, unknown characters fuse into one piece */
  enc = attn_tokenizer_encode (raw, "  Ich   habe 日本 ", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (enc->len, ==, 4);
  g_assert_cmpstr (enc->tokens[0], ==, "▁Ich");
  g_assert_cmpstr (enc->tokens[1], ==, "▁habe");
  g_assert_cmpstr (enc->tokens[2], ==, "▁");
  g_assert_cmpstr (enc->tokens[3], ==, "日本");
  g_assert_cmpint (enc->ids[3], ==, 0);
  g_assert_cmpint (enc->offsets[0], ==, 2);
  g_assert_cmpint (enc->offsets[1], ==, 5);
  g_assert_cmpint (enc->offsets[6], ==, 13);
  g_assert_cmpint (enc->offsets[7], ==, 19);
  disp = attn_tokenizer_token_display (raw, enc->ids[0]);
  g_assert_cmpstr (disp, ==, " Ich");
}

/* ---- tokenizer.json variants written by the tests ------------------------ */

static AttnTokenizer *
load_json_text (const char *json, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("attn-tok-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "tokenizer.json", NULL);
  AttnTokenizer *tok;

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  tok = attn_tokenizer_new_from_json (path, error);
  g_unlink (path);
  g_rmdir (dir);
  return tok;
}

static void
test_json_unigram (void)
{
  const char *json =
    "{\"added_tokens\": [{\"id\": 0, \"content\": \"<unk>\", \"special\": true},"
    "                    {\"id\": 1, \"content\": \"</s>\", \"special\": true}],"
    " \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": ["
    "     {\"type\": \"Replace\", \"pattern\": {\"Regex\": \" {2,}\"}, \"content\": \" \"},"
    "     {\"type\": \"Lowercase\"}]},"
    " \"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"always\", \"split\": true},"
    " \"post_processor\": {\"type\": \"TemplateProcessing\","
    "     \"single\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}],"
    "     \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}, {\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 1}}],"
    "     \"special_tokens\": {\"</s>\": {\"id\": \"</s>\", \"ids\": [1], \"tokens\": [\"</s>\"]}}},"
    " \"decoder\": {\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"always\"},"
    " \"model\": {\"type\": \"Unigram\", \"unk_id\": 0, \"vocab\": ["
    "   [\"<unk>\", 0.0], [\"</s>\", 0.0], [\"▁\", -2.0], [\"▁he\", -3.0], [\"llo\", -3.0],"
    "   [\"▁hello\", -5.5], [\"h\", -4.0], [\"e\", -4.0], [\"l\", -4.0], [\"o\", -4.0],"
    "   [\"▁world\", -4.0], [\"▁w\", -3.0], [\"orld\", -3.5]]}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = load_json_text (json, &error);
  g_autoptr(AttnEncoding) enc = NULL;
  g_autofree char *dec = NULL;

  g_assert_no_error (error);
  enc = attn_tokenizer_encode (tok, "Hello   world!", NULL, TRUE, &error);
  g_assert_no_error (error);
  /* "▁hello" (-5.5) beats "▁he"+"llo" (-6); "▁world" (-4) beats "▁w"+"orld" (-6.5);
   * "!" is unknown (score min - 10) */
  g_assert_cmpuint (enc->len, ==, 4);
  g_assert_cmpstr (enc->tokens[0], ==, "▁hello");
  g_assert_cmpstr (enc->tokens[1], ==, "▁world");
  g_assert_cmpstr (enc->tokens[2], ==, "!");
  g_assert_cmpint (enc->ids[2], ==, 0);
  g_assert_cmpint (enc->ids[3], ==, 1);
  dec = attn_tokenizer_decode (tok, enc->ids, enc->len, TRUE);
  g_assert_cmpstr (dec, ==, "hello world"); /* <unk> is special */
}

static void
test_json_bpe_plain (void)
{
  const char *json =
    "{\"model\": {\"type\": \"BPE\", \"unk_token\": \"<unk>\", \"end_of_word_suffix\": \"</w>\","
    "  \"vocab\": {\"<unk>\": 0, \"l\": 1, \"o\": 2, \"w</w>\": 3, \"lo\": 4, \"low</w>\": 5,"
    "              \"e\": 6, \"r</w>\": 7, \"er</w>\": 8, \"w\": 9},"
    "  \"merges\": [\"l o\", \"lo w</w>\", \"e r</w>\"]},"
    " \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
    " \"decoder\": {\"type\": \"BPEDecoder\", \"suffix\": \"</w>\"}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = load_json_text (json, &error);
  g_autoptr(AttnEncoding) enc = NULL;
  g_autofree char *dec = NULL;

  g_assert_no_error (error);
  enc = attn_tokenizer_encode (tok, "low lower lox", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (enc->len, ==, 6);
  g_assert_cmpstr (enc->tokens[0], ==, "low</w>");
  g_assert_cmpstr (enc->tokens[1], ==, "lo");
  g_assert_cmpstr (enc->tokens[2], ==, "w");
  g_assert_cmpstr (enc->tokens[3], ==, "er</w>");
  g_assert_cmpstr (enc->tokens[4], ==, "lo");
  g_assert_cmpstr (enc->tokens[5], ==, "<unk>");
  dec = attn_tokenizer_decode (tok, enc->ids, 4, FALSE);
  g_assert_cmpstr (dec, ==, "low lower");
}

/* The Precompiled normaliser, with the charsmap taken from Marian's source.spm. */
static void
test_json_precompiled (void)
{
  g_autofree char *spm = test_fixture_path ("marian", "source.spm", NULL);
  g_autofree char *data = NULL;
  g_autofree char *b64 = NULL, *json = NULL;
  gsize len = 0, at, blen = 0;
  const char *hit;
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = NULL;
  g_autoptr(AttnEncoding) enc = NULL;
  int shift = 0;

  g_assert_true (g_file_get_contents (spm, &data, &len, NULL));
  hit = NULL;
  for (gsize i = 0; i + 8 <= len && hit == NULL; i++)
    if (memcmp (data + i, "nmt_nfkc", 8) == 0)
      hit = data + i;
  g_assert_nonnull (hit);
  at = (gsize) (hit - data) + 8;
  g_assert_cmpint (data[at], ==, 0x12);   /* field 2, length-delimited */
  at++;
  do
    {
      blen |= (gsize) ((guint8) data[at] & 0x7f) << shift;
      shift += 7;
    }
  while ((guint8) data[at++] & 0x80);
  g_assert_cmpuint (at + blen, <=, len);
  b64 = g_base64_encode ((const guchar *) data + at, blen);
  json = g_strdup_printf (
    "{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": ["
    "   {\"type\": \"Precompiled\", \"precompiled_charsmap\": \"%s\"}]},"
    " \"pre_tokenizer\": {\"type\": \"WhitespaceSplit\"},"
    " \"model\": {\"type\": \"Unigram\", \"unk_id\": 0, \"vocab\": ["
    "   [\"<unk>\", 0.0], [\"fi\", -1.0], [\"A\", -1.0], [\"é\", -1.0], [\"x\", -1.0],"
    "   [\"1\", -1.0]]}}", b64);
  tok = load_json_text (json, &error);
  g_assert_no_error (error);
  /* U+FB01 ligature, fullwidth A, e + combining acute, superscript one */
  enc = attn_tokenizer_encode (tok, "\xef\xac\x81 \xef\xbc\xa1 e\xcc\x81 \xc2\xb9", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (enc->len, ==, 4);
  g_assert_cmpstr (enc->tokens[0], ==, "fi");
  g_assert_cmpstr (enc->tokens[1], ==, "A");
  g_assert_cmpstr (enc->tokens[2], ==, "é");
  g_assert_cmpstr (enc->tokens[3], ==, "1");
  g_assert_cmpint (enc->offsets[4], ==, 8);
  g_assert_cmpint (enc->offsets[5], ==, 11);
}

/* ---- errors -------------------------------------------------------------- */

static void
expect_json_error (const char *json, int code, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = load_json_text (json, &error);
  g_assert_null (tok);
  g_assert_error (error, ATTN_ERROR, code);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  g_assert_nonnull (strstr (error->message, "tokenizer.json"));
}

static void
test_errors_json (void)
{
  expect_json_error ("{\"model\": {\"type\": \"BPE\", \"vocab\": ", ATTN_ERROR_FORMAT, "invalid JSON");
  expect_json_error ("[1, 2]", ATTN_ERROR_FORMAT, "must be an object");
  expect_json_error ("{\"model\": {\"type\": \"BPE\", \"vocab\": [1], \"merges\": []}}",
                     ATTN_ERROR_FORMAT, "model.vocab");
  expect_json_error ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2},"
                     " \"merges\": [1, 2]}}", ATTN_ERROR_FORMAT, "model.merges[0]");
  expect_json_error ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1},"
                     " \"merges\": [\"a b\"]}}", ATTN_ERROR_FORMAT, "not in the vocabulary");
  expect_json_error ("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": \"zero\"}}}",
                     ATTN_ERROR_FORMAT, "“a”");
  expect_json_error ("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", \"x\"]]}}",
                     ATTN_ERROR_FORMAT, "model.vocab[0]");
  expect_json_error ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}}}", ATTN_ERROR_UNSUPPORTED,
                     "WordLevel");
  expect_json_error ("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}},"
                     " \"normalizer\": {\"type\": \"Lowercase\", \"x\": 1}, \"pre_tokenizer\": 5}",
                     ATTN_ERROR_FORMAT, "pre_tokenizer");
  expect_json_error ("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}},"
                     " \"added_tokens\": [{\"id\": \"1\", \"content\": \"x\"}]}",
                     ATTN_ERROR_FORMAT, "added_tokens");
}

static char *
tmp_copy_truncated (const char *model, const char *file, gsize keep, char **dir_out)
{
  g_autofree char *src = test_fixture_path (model, file, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  char *dir = g_dir_make_tmp ("attn-tok-XXXXXX", NULL);
  char *path = g_build_filename (dir, file, NULL);

  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_true (g_file_set_contents (path, data, (gssize) MIN (keep, len), NULL));
  *dir_out = dir;
  return path;
}

static void
test_errors_spm (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = tmp_copy_truncated ("marian", "source.spm", 120000, &dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = attn_tokenizer_new_sentencepiece (path, NULL, &error);
  g_autofree char *data = NULL;
  gsize len;

  g_assert_null (tok);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT);
  g_test_message ("truncated: %s", error->message);
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_assert_nonnull (strstr (error->message, "source.spm"));
  g_clear_error (&error);

  /* the first piece's length varint claims 100 bytes (12 08 0a 05 <unk>… → 0a 64) */
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpint ((guint8) data[0], ==, 0x0a);
  data[1] = (char) 0xff;
  data[2] = (char) 0xff;
  data[3] = (char) 0xff;
  data[4] = (char) 0x7f;
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  tok = attn_tokenizer_new_sentencepiece (path, NULL, &error);
  g_assert_null (tok);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT);
  g_test_message ("lying length: %s", error->message);
  g_assert_nonnull (strstr (error->message, "declares"));
  g_clear_error (&error);

  /* an unterminated varint at the end */
  data[0] = (char) 0x08;
  memset (data + 1, 0xff, 11);
  g_assert_true (g_file_set_contents (path, data, 12, NULL));
  tok = attn_tokenizer_new_sentencepiece (path, NULL, &error);
  g_assert_null (tok);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT);
  g_test_message ("varint: %s", error->message);
  g_assert_nonnull (strstr (error->message, "varint"));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_errors_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attn-tok-XXXXXX", NULL);
  g_autofree char *vocab = g_build_filename (dir, "vocab.txt", NULL);
  g_autofree char *whisper = test_fixture_path ("whisper", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizer) tok = NULL;

  g_assert_true (g_file_set_contents (vocab, "", 0, NULL));
  tok = attn_tokenizer_new_wordpiece (vocab, TRUE, &error);
  g_assert_null (tok);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_assert_nonnull (strstr (error->message, "vocab.txt"));
  g_clear_error (&error);

  /* a folder with only an empty vocab.txt reports that file */
  tok = attn_tokenizer_load (dir, ATTN_TOKENIZER_SOURCE, &error);
  g_assert_null (tok);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT);
  g_clear_error (&error);
  g_unlink (vocab);

  tok = attn_tokenizer_load (dir, ATTN_TOKENIZER_SOURCE, &error);
  g_assert_null (tok);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "tokenizer.json"));
  g_clear_error (&error);
  g_rmdir (dir);

  tok = attn_tokenizer_load (whisper, ATTN_TOKENIZER_SOURCE, &error);
  g_assert_null (tok);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "whisper"));
}

static void
test_errors_input (void)
{
  g_autoptr(AttnTokenizer) tok = load_file ("bert", "tokenizer.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, "caf\xe9", NULL, TRUE, &error);

  g_assert_null (enc);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);
  enc = attn_tokenizer_encode (tok, "ok", "\xff", TRUE, &error);
  g_assert_null (enc);
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
}

/* ---- long input ---------------------------------------------------------- */

static void
time_long (AttnTokenizer *tok, const char *text, const char *what)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, text, NULL, TRUE, &error);
  double secs = (g_get_monotonic_time () - t0) / 1e6;

  g_assert_no_error (error);
  g_test_message ("%s: %u tokens in %.2f s", what, enc->len, secs);
  g_assert_cmpuint (enc->len, >, 0);
  g_assert_cmpfloat (secs, <, 20.0);
}

static void
test_long_text (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *same = NULL;
  g_autoptr(AttnTokenizer) bert = load_file ("bert", "tokenizer.json");
  g_autoptr(AttnTokenizer) gpt2 = load_file ("gpt2", "tokenizer.json");
  g_autofree char *mdir = test_fixture_path ("marian", NULL);
  g_autoptr(AttnTokenizer) marian = attn_tokenizer_load (mdir, ATTN_TOKENIZER_SOURCE, NULL);

  while (s->len < (1 << 20))
    g_string_append (s, "Café naïve résumé — “quotes” and 123,456.78 numbers; 日本語 🙂 Ich habe keine Zeit. ");
  time_long (bert, s->str, "bert 1 MB");
  time_long (gpt2, s->str, "gpt2 1 MB");
  time_long (marian, s->str, "marian 1 MB");
  /* one 1 MB word: no spaces at all */
  same = g_strnfill (1 << 20, 'a');
  time_long (gpt2, same, "gpt2 1 MB word");
  time_long (marian, same, "marian 1 MB word");
  time_long (bert, same, "bert 1 MB word");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tokenizer/bert/reference", test_bert_reference);
  g_test_add_func ("/tokenizer/bert/vocab-txt", test_bert_vocab_txt);
  g_test_add_func ("/tokenizer/bert/pair", test_bert_pair);
  g_test_add_func ("/tokenizer/bert/folder", test_bert_folder);
  g_test_add_func ("/tokenizer/bert/decode", test_bert_decode);
  g_test_add_func ("/tokenizer/gpt2/reference", test_gpt2_reference);
  g_test_add_func ("/tokenizer/gpt2/files", test_gpt2_files);
  g_test_add_func ("/tokenizer/gpt2/roundtrip", test_gpt2_roundtrip);
  g_test_add_func ("/tokenizer/gpt2/special-display", test_gpt2_special_and_display);
  g_test_add_func ("/tokenizer/added-tokens", test_added_tokens);
  g_test_add_func ("/tokenizer/added-strip", test_added_strip);
  g_test_add_func ("/tokenizer/folder-vocab-files", test_folder_vocab_files);
  g_test_add_func ("/tokenizer/marian/source", test_marian_source);
  g_test_add_func ("/tokenizer/marian/target", test_marian_target);
  g_test_add_func ("/tokenizer/marian/details", test_marian_details);
  g_test_add_func ("/tokenizer/json/unigram", test_json_unigram);
  g_test_add_func ("/tokenizer/json/bpe-plain", test_json_bpe_plain);
  g_test_add_func ("/tokenizer/json/precompiled", test_json_precompiled);
  g_test_add_func ("/tokenizer/errors/json", test_errors_json);
  g_test_add_func ("/tokenizer/errors/spm", test_errors_spm);
  g_test_add_func ("/tokenizer/errors/files", test_errors_files);
  g_test_add_func ("/tokenizer/errors/input", test_errors_input);
  g_test_add_func ("/tokenizer/long-text", test_long_text);
  return g_test_run ();
}
