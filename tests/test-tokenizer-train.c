/* test-tokenizer-train.c — the tokenizer trainer: merges and tie-breaking on a tiny
 * text worked out by hand, exact vocabulary sizes for BPE, WordPiece and unigram,
 * identical bytes across runs and feeding orders, and round trips through the engine's own loader on held-out
 * sentences of the de-en corpus. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>

#include "attn-error.h"
#include "attn-tokenizer-train.h"
#include "attn-tokenizer.h"

/* $ATTN_DATA/<parts…> (the repository's data/ folder). */
static char *
data_path (const char *first, ...)
{
  const char *root = g_getenv ("ATTN_DATA");
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list ap;
  g_ptr_array_add (parts, (gpointer) (root != NULL ? root : "data"));
  va_start (ap, first);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

static AttnTokenizerTrainer *
train_texts (AttnTokenizerKind kind, guint vocab_size, guint min_freq, const char *const *texts)
{
  AttnTokenizerTrainOptions opts;
  AttnTokenizerTrainer *t;
  g_autoptr(GError) error = NULL;

  attn_tokenizer_train_options_init (&opts, kind);
  opts.vocab_size = vocab_size;
  opts.min_frequency = min_freq;
  t = attn_tokenizer_trainer_new (&opts);
  for (guint i = 0; texts[i] != NULL; i++)
    {
      attn_tokenizer_trainer_feed (t, texts[i], -1, &error);
      g_assert_no_error (error);
    }
  attn_tokenizer_trainer_train (t, NULL, &error);
  g_assert_no_error (error);
  return t;
}

/* Saves into a fresh temporary folder and loads tokenizer.json back. */
static AttnTokenizer *
save_and_load (AttnTokenizerTrainer *t, char **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("attn-tok-XXXXXX", &error);
  g_autofree char *path = NULL;
  AttnTokenizer *tok;

  g_assert_no_error (error);
  attn_tokenizer_trainer_save (t, dir, &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "tokenizer.json", NULL);
  tok = attn_tokenizer_new_from_json (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tok);
  if (dir_out != NULL)
    *dir_out = g_steal_pointer (&dir);
  return tok;
}

static void
remove_dir (const char *dir)
{
  g_autofree char *a = g_build_filename (dir, "tokenizer.json", NULL);
  g_autofree char *b = g_build_filename (dir, "tokenizer_config.json", NULL);
  g_unlink (a);
  g_unlink (b);
  g_rmdir (dir);
}

static char *
encode_decode (AttnTokenizer *tok, const char *text, guint *n_tokens, gboolean *has_unk)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, text, NULL, TRUE, &error);
  g_assert_no_error (error);
  if (n_tokens != NULL)
    *n_tokens = enc->len;
  if (has_unk != NULL)
    {
      gint32 unk = attn_tokenizer_token_to_id (tok, "[UNK]");
      *has_unk = FALSE;
      for (guint i = 0; i < enc->len; i++)
        *has_unk |= unk >= 0 && enc->ids[i] == unk;
    }
  return attn_tokenizer_decode (tok, enc->ids, enc->len, TRUE);
}

/* ---- hand-worked merges -------------------------------------------------- */

static void
test_bpe_ties (void)
{
  /* Byte-level words: "aaab", "Ġaab", "Ġab" (GPT-2 regex; Ġ is the space).
   * Pairs: (a,a) 2+1 = 3, (a,b) 1+1+1 = 3, (Ġ,a) 2.
   * 1st merge: (a,a) and (a,b) tie at 3 → the lexically smaller right side "a" wins: "a a".
   *   words: aa·a·b, Ġ·aa·b, Ġ·a·b → (a,b) 2, every other pair 1.
   * 2nd merge: "a b".  words: aa·ab, Ġ·aa·b, Ġ·ab → all pairs 1.
   * 3rd merge: ties at 1; left "aa" < "Ġ" (byte 0xC4), then right "ab" < "b": "aa ab". */
  const char *texts[] = { "aaab aab ab", NULL };
  g_autoptr(AttnTokenizerTrainer) t = train_texts (ATTN_TOKENIZER_KIND_BPE, 1 + 256 + 3, 1, texts);
  g_autofree char *json = attn_tokenizer_trainer_to_json (t, NULL);
  const char *m = strstr (json, "\"merges\"");

  g_assert_nonnull (m);
  g_assert_nonnull (strstr (m, "\"a a\",\n      \"a b\",\n      \"aa ab\"\n"));
  g_assert_cmpuint (attn_tokenizer_trainer_vocab_size (t), ==, 260);
  g_assert_cmpuint (attn_tokenizer_trainer_n_words (t), ==, 3);
  /* The special token first, the new tokens last, in merge order. */
  g_assert_nonnull (strstr (json, "\"<|endoftext|>\": 0,"));
  g_assert_nonnull (strstr (json, "\"aa\": 257,\n      \"ab\": 258,\n      \"aaab\": 259\n"));
}

/* Whisper's special tokens after <|endoftext|>, and only one field of a .tsv file. */
static void
test_bpe_specials_column (void)
{
  static const char *const specials[] = { "<|startoftranscript|>", "<|en|>", "<|endoftext|>", NULL };
  AttnTokenizerTrainOptions opts;
  g_autoptr(AttnTokenizerTrainer) t = NULL;
  g_autoptr(AttnTokenizer) tok = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("attn-tok-XXXXXX", &error);
  g_autofree char *tsv = g_build_filename (dir, "speech.tsv", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.tsv", NULL);
  g_autofree char *text = NULL, *json = NULL;
  gint32 ids[] = { 1, 2, 0 };

  g_assert_no_error (error);
  g_file_set_contents (tsv, "clip-1.wav\taaab aab\tvoice\n\nclip-2.wav\tab\tvoice\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (bad, "clip-1.wav\n", -1, &error);
  g_assert_no_error (error);
  attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_BPE);
  opts.vocab_size = 3 + 256 + 3;
  opts.min_frequency = 1;
  opts.extra_specials = specials;   /* the repeated <|endoftext|> keeps its id */
  opts.tsv_column = 1;
  t = attn_tokenizer_trainer_new (&opts);
  g_assert_false (attn_tokenizer_trainer_feed_file (t, bad, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "no field 1"));
  g_clear_error (&error);
  attn_tokenizer_trainer_feed_file (t, tsv, &error);
  g_assert_no_error (error);
  /* the transcripts only: the words "aaab", "Ġaab", "ab" as in test_bpe_ties */
  g_assert_cmpuint (attn_tokenizer_trainer_n_words (t), ==, 3);
  attn_tokenizer_trainer_train (t, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attn_tokenizer_trainer_vocab_size (t), ==, 3 + 256 + 3);
  json = attn_tokenizer_trainer_to_json (t, NULL);
  g_assert_nonnull (strstr (json, "\"a a\",\n      \"a b\",\n      \"aa ab\"\n"));
  tok = save_and_load (t, NULL);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "<|endoftext|>"), ==, 0);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "<|startoftranscript|>"), ==, 1);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "<|en|>"), ==, 2);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "a"), ==, 3 + 'a');
  /* special tokens drop out of decoded text */
  text = attn_tokenizer_decode (tok, ids, 3, TRUE);
  g_assert_cmpstr (text, ==, "");
  g_unlink (tsv);
  g_unlink (bad);
  remove_dir (dir);
}

static void
test_bpe_min_frequency (void)
{
  /* With min_frequency 2 only the two merges seen ≥ 2 times happen: the vocabulary
   * stops at 259 although 400 were asked. */
  const char *texts[] = { "aaab aab ab", NULL };
  g_autoptr(AttnTokenizerTrainer) t = train_texts (ATTN_TOKENIZER_KIND_BPE, 400, 2, texts);
  g_assert_cmpuint (attn_tokenizer_trainer_vocab_size (t), ==, 259);
}

static void
test_errors (void)
{
  AttnTokenizerTrainOptions opts;
  g_autoptr(AttnTokenizerTrainer) t = NULL;
  g_autoptr(GError) error = NULL;

  attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_BPE);
  opts.vocab_size = 100;   /* below 1 + 256 */
  t = attn_tokenizer_trainer_new (&opts);
  /* Nothing fed. */
  g_assert_false (attn_tokenizer_trainer_train (t, NULL, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
  g_clear_error (&error);
  g_assert_null (attn_tokenizer_trainer_to_json (t, NULL));
  /* Invalid UTF-8. */
  g_assert_false (attn_tokenizer_trainer_feed (t, "ab\xff", -1, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
  g_clear_error (&error);
  /* Too small a vocabulary. */
  g_assert_true (attn_tokenizer_trainer_feed (t, "hello world", -1, &error));
  g_assert_false (attn_tokenizer_trainer_train (t, NULL, &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
  g_clear_error (&error);
  /* A missing file. */
  g_assert_false (attn_tokenizer_trainer_feed_file (t, "/nonexistent/corpus.txt", &error));
  g_assert_error (error, ATTN_ERROR, ATTN_ERROR_IO);
  g_clear_error (&error);
  g_clear_pointer (&t, attn_tokenizer_trainer_free);

  /* Unigram: 3 special tokens leave no room; 6 leave 3 pieces for the 9 characters
   * (with "▁") of "abcdef ghi", which must all be pieces. */
  attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_UNIGRAM);
  for (guint size = 3; size <= 6; size += 3)
    {
      opts.vocab_size = size;
      t = attn_tokenizer_trainer_new (&opts);
      g_assert_true (attn_tokenizer_trainer_feed (t, "abcdef ghi", -1, &error));
      g_assert_false (attn_tokenizer_trainer_train (t, NULL, &error));
      g_assert_error (error, ATTN_ERROR, ATTN_ERROR_INPUT);
      g_clear_error (&error);
      g_clear_pointer (&t, attn_tokenizer_trainer_free);
    }
}

static void
test_unigram_small (void)
{
  /* "▁ab" twice and "▁abc" once: the characters ▁ a b c are required; the seeds (two
   * or more characters, seen at least twice) are ▁a, ab and ▁ab, each 3 times. The
   * first E-step gives ▁ab most of the probability of both words, so ▁a and ab are
   * expected fewer than 0.5 times and dropped: the vocabulary stops at 3 + 4 + 1 = 8
   * of the 10 asked, and "ab ab" encodes as ▁ab ▁ab </s>, "abc" as ▁ab c </s>. */
  const char *texts[] = { "ab ab abc", NULL };
  g_autoptr(AttnTokenizerTrainer) t = train_texts (ATTN_TOKENIZER_KIND_UNIGRAM, 10, 2, texts);
  g_autofree char *dir = NULL;
  g_autoptr(AttnTokenizer) tok = save_and_load (t, &dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnEncoding) a = attn_tokenizer_encode (tok, "ab ab", NULL, TRUE, &error);
  g_autoptr(AttnEncoding) b = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (attn_tokenizer_vocab_size (tok), ==, 8);
  g_assert_cmpuint (attn_tokenizer_trainer_vocab_size (t), ==, 8);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "ab"), ==, -1);
  g_assert_cmpuint (a->len, ==, 3);
  g_assert_cmpstr (a->tokens[0], ==, "\xe2\x96\x81" "ab");
  g_assert_cmpstr (a->tokens[1], ==, "\xe2\x96\x81" "ab");
  g_assert_cmpstr (a->tokens[2], ==, "</s>");
  b = attn_tokenizer_encode (tok, "abc", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->len, ==, 3);
  g_assert_cmpstr (b->tokens[1], ==, "c");
  remove_dir (dir);
}

/* ---- the de-en corpus ---------------------------------------------------- */

static GPtrArray *
read_tsv_column (const char *path, guint column)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      if (g_strv_length (f) > column)
        g_ptr_array_add (out, g_strdup (f[column]));
    }
  return out;
}

static AttnTokenizerTrainer *
train_corpus (AttnTokenizerKind kind, guint vocab_size)
{
  AttnTokenizerTrainOptions opts;
  g_autoptr(GError) error = NULL;
  g_autofree char *train = data_path ("corpora", "de-en", "train.tsv", NULL);
  AttnTokenizerTrainer *t;

  attn_tokenizer_train_options_init (&opts, kind);
  opts.vocab_size = vocab_size;
  t = attn_tokenizer_trainer_new (&opts);
  attn_tokenizer_trainer_feed_file (t, train, &error);
  g_assert_no_error (error);
  attn_tokenizer_trainer_train (t, NULL, &error);
  g_assert_no_error (error);
  return t;
}

static void
test_bpe_corpus (void)
{
  g_autoptr(AttnTokenizerTrainer) t = train_corpus (ATTN_TOKENIZER_KIND_BPE, 4000);
  g_autofree char *dir = NULL;
  g_autoptr(AttnTokenizer) tok = save_and_load (t, &dir);
  g_autofree char *test = data_path ("corpora", "de-en", "test.tsv", NULL);
  g_autoptr(GPtrArray) held = NULL;
  guint64 n_tokens = 0, n_bytes = 0;

  g_assert_cmpuint (attn_tokenizer_vocab_size (tok), ==, 4000);
  g_assert_cmpstr (attn_tokenizer_id_to_token (tok, 0), ==, "<|endoftext|>");
  g_assert_true (attn_tokenizer_is_special (tok, 0));
  /* Held-out sentences, both languages, come back byte for byte. */
  for (guint col = 0; col < 2; col++)
    {
      held = read_tsv_column (test, col);
      g_assert_cmpuint (held->len, ==, 1000);
      for (guint i = 0; i < held->len; i++)
        {
          const char *s = g_ptr_array_index (held, i);
          guint n;
          g_autofree char *back = encode_decode (tok, s, &n, NULL);
          if (g_strcmp0 (back, s) != 0)
            g_error ("round trip of “%s” gave “%s”", s, back);
          n_tokens += n;
          n_bytes += strlen (s);
        }
      g_clear_pointer (&held, g_ptr_array_unref);
    }
  /* Anything, even text never seen, survives: byte-level BPE has all 256 bytes. */
  {
    const char *odd = "Ωμέγα 🙂 \t tabs\nnew line  €5";
    g_autofree char *back = encode_decode (tok, odd, NULL, NULL);
    g_assert_cmpstr (back, ==, odd);
  }
  /* It compresses: about 4–5 bytes per token on this text (loose bound). */
  g_test_message ("held-out: %.2f bytes per token", (double) n_bytes / n_tokens);
  g_assert_cmpfloat ((double) n_bytes / n_tokens, >, 3.0);
  remove_dir (dir);
}

static void
test_wordpiece_corpus (void)
{
  g_autoptr(AttnTokenizerTrainer) t = train_corpus (ATTN_TOKENIZER_KIND_WORDPIECE, 5000);
  g_autofree char *dir = NULL;
  g_autoptr(AttnTokenizer) tok = save_and_load (t, &dir);
  g_autofree char *test = data_path ("corpora", "de-en", "test.tsv", NULL);
  g_autoptr(GPtrArray) held = read_tsv_column (test, 1);
  g_autoptr(GError) error = NULL;
  guint exact = 0, unk = 0;

  g_assert_cmpuint (attn_tokenizer_vocab_size (tok), ==, 5000);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "[PAD]"), ==, 0);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "[CLS]"), ==, 2);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "[SEP]"), ==, 3);
  /* [CLS] … [SEP] around every text. */
  {
    g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, "The house is red.", NULL, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpint (enc->ids[0], ==, 2);
    g_assert_cmpint (enc->ids[enc->len - 1], ==, 3);
  }
  for (guint i = 0; i < held->len; i++)
    {
      const char *s = g_ptr_array_index (held, i);
      g_autofree char *lower = g_utf8_strdown (s, -1);
      gboolean has_unk;
      g_autofree char *back = encode_decode (tok, s, NULL, &has_unk);
      g_autofree char *again = encode_decode (tok, back, NULL, NULL);
      /* WordPiece is lossy (lower case, spaces around punctuation), but decoding is a
       * fixed point: the decoded text decodes to itself after another round. */
      g_assert_cmpstr (again, ==, back);
      exact += g_strcmp0 (back, lower) == 0;
      unk += has_unk;
    }
  /* Most lower-cased sentences come back exactly (hyphens and quotes do not). */
  g_test_message ("wordpiece: %u of %u exact, %u with [UNK]", exact, held->len, unk);
  g_assert_cmpuint (exact, >, held->len * 7 / 10);
  g_assert_cmpuint (unk, <, held->len / 20);
  remove_dir (dir);
}

static void
test_unigram_corpus (void)
{
  g_autoptr(AttnTokenizerTrainer) t = train_corpus (ATTN_TOKENIZER_KIND_UNIGRAM, 4000);
  g_autofree char *dir = NULL;
  g_autoptr(AttnTokenizer) tok = save_and_load (t, &dir);
  g_autofree char *test = data_path ("corpora", "de-en", "test.tsv", NULL);
  g_autoptr(GError) error = NULL;
  guint checked = 0, unk_ones = 0;
  gint32 unk = attn_tokenizer_token_to_id (tok, "<unk>");

  g_assert_cmpuint (attn_tokenizer_vocab_size (tok), ==, 4000);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "</s>"), ==, 0);
  g_assert_cmpint (unk, ==, 1);
  g_assert_cmpint (attn_tokenizer_token_to_id (tok, "<pad>"), ==, 2);
  /* Frequent words are whole pieces; "</s>" closes every text. */
  {
    g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, "Das ist nicht the house.", NULL, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (enc->tokens[0], ==, "\xe2\x96\x81" "Das");
    g_assert_cmpstr (enc->tokens[1], ==, "\xe2\x96\x81" "ist");
    g_assert_cmpint (enc->ids[enc->len - 1], ==, 0);
  }
  /* Held-out sentences in both languages decode back to themselves, except where a
   * character is too rare for the vocabulary (it becomes <unk>) or NFKC changes it. */
  for (guint col = 0; col < 2; col++)
    {
      g_autoptr(GPtrArray) held = read_tsv_column (test, col);
      for (guint i = 0; i < held->len; i++)
        {
          const char *s = g_ptr_array_index (held, i);
          g_autofree char *nfkc = g_utf8_normalize (s, -1, G_NORMALIZE_ALL_COMPOSE);
          g_autoptr(AttnEncoding) enc = attn_tokenizer_encode (tok, s, NULL, TRUE, &error);
          g_autofree char *back = NULL;
          gboolean has_unk = FALSE;
          g_assert_no_error (error);
          for (guint k = 0; k < enc->len; k++)
            has_unk |= enc->ids[k] == unk;
          unk_ones += has_unk;
          if (has_unk || g_strcmp0 (nfkc, s) != 0)
            continue;
          back = attn_tokenizer_decode (tok, enc->ids, enc->len, TRUE);
          if (g_strcmp0 (back, s) != 0)
            g_error ("round trip of “%s” gave “%s”", s, back);
          checked++;
        }
    }
  g_test_message ("unigram: %u sentences round-tripped, %u with <unk>", checked, unk_ones);
  /* With full character coverage only characters absent from training are unknown. */
  g_assert_cmpuint (unk_ones, <, 10);
  g_assert_cmpuint (checked, >, 1980);
  remove_dir (dir);
}

static void
test_deterministic (void)
{
  /* Two trainings, the files fed in opposite orders, give the same bytes. */
  g_autofree char *a = data_path ("corpora", "de-en", "dev.tsv", NULL);
  g_autofree char *b = data_path ("corpora", "de-en", "test.tsv", NULL);
  const char *orders[2][2] = { { a, b }, { b, a } };
  char *json[2] = { NULL, NULL };

  for (guint k = 0; k < 2; k++)
    for (guint kind = 0; kind < 3; kind++)
      {
        static const AttnTokenizerKind kinds[] = { ATTN_TOKENIZER_KIND_BPE, ATTN_TOKENIZER_KIND_WORDPIECE,
                                                   ATTN_TOKENIZER_KIND_UNIGRAM };
        AttnTokenizerTrainOptions opts;
        g_autoptr(AttnTokenizerTrainer) t = NULL;
        g_autoptr(GError) error = NULL;
        attn_tokenizer_train_options_init (&opts, kinds[kind]);
        opts.vocab_size = 1500;
        t = attn_tokenizer_trainer_new (&opts);
        for (guint f = 0; f < 2; f++)
          {
            attn_tokenizer_trainer_feed_file (t, orders[k][f], &error);
            g_assert_no_error (error);
          }
        attn_tokenizer_trainer_train (t, NULL, &error);
        g_assert_no_error (error);
        if (kind == 0)
          json[k] = attn_tokenizer_trainer_to_json (t, NULL);
        else
          {
            g_autofree char *wp = attn_tokenizer_trainer_to_json (t, NULL);
            char *both = g_strconcat (json[k], wp, NULL);
            g_free (json[k]);
            json[k] = both;
          }
      }
  g_assert_cmpstr (json[0], ==, json[1]);
  g_free (json[0]);
  g_free (json[1]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tokenizer-train/bpe/ties", test_bpe_ties);
  g_test_add_func ("/tokenizer-train/bpe/min-frequency", test_bpe_min_frequency);
  g_test_add_func ("/tokenizer-train/bpe/specials-column", test_bpe_specials_column);
  g_test_add_func ("/tokenizer-train/errors", test_errors);
  g_test_add_func ("/tokenizer-train/bpe/corpus", test_bpe_corpus);
  g_test_add_func ("/tokenizer-train/wordpiece/corpus", test_wordpiece_corpus);
  g_test_add_func ("/tokenizer-train/unigram/small", test_unigram_small);
  g_test_add_func ("/tokenizer-train/unigram/corpus", test_unigram_corpus);
  g_test_add_func ("/tokenizer-train/deterministic", test_deterministic);
  return g_test_run ();
}
