/* attn-cli-tokenizer.c — `attn-cli tokenizer`: learns a byte-level BPE, WordPiece or
 * unigram vocabulary from text files and writes tokenizer.json + tokenizer_config.json.
 *
 *   attn-cli tokenizer --kind bpe|wordpiece|unigram --vocab-size N --out DIR FILE...
 *                      [--min-frequency N] [--cased] [--max-alphabet N]
 *                      [--character-coverage F] [--special TOKEN]… [--column N]
 *
 * .tsv files are read field by field (both sides of a sentence-pair file), or only
 * field N with --column N (the transcripts of a speech corpus). */
#include "attn-cli-common.h"
#include "attn-tokenizer-train.h"
#include "attn-tokenizer.h"

#include <stdio.h>

int
attn_cli_tokenizer (int argc, char **argv)
{
  g_autofree char *kind = NULL, *out = NULL;
  g_auto(GStrv) specials = NULL;
  int vocab_size = 8000, min_frequency = 2, max_alphabet = 1000, column = -1;
  double coverage = 1.0;
  gboolean cased = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, "bpe (byte-level, GPT-2 style), wordpiece (BERT style) or unigram (SentencePiece style)", "KIND" },
    { "vocab-size", 0, 0, G_OPTION_ARG_INT, &vocab_size, "Vocabulary size, special tokens included (default 8000)", "N" },
    { "min-frequency", 0, 0, G_OPTION_ARG_INT, &min_frequency, "Never merge pairs seen fewer times (default 2)", "N" },
    { "cased", 0, 0, G_OPTION_ARG_NONE, &cased, "WordPiece: keep case and accents", NULL },
    { "max-alphabet", 0, 0, G_OPTION_ARG_INT, &max_alphabet, "WordPiece: most frequent characters kept (default 1000, 0 = all)", "N" },
    { "character-coverage", 0, 0, G_OPTION_ARG_DOUBLE, &coverage, "Unigram: share of characters covered, rarer ones become <unk> (default 1.0)", "F" },
    { "special", 0, 0, G_OPTION_ARG_STRING_ARRAY, &specials, "One more special token, after the kind's own (repeatable), e.g. Whisper's <|startoftranscript|>", "TOKEN" },
    { "column", 0, 0, G_OPTION_ARG_INT, &column, ".tsv files: read only this field, from 0 (default: every field)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for tokenizer.json and tokenizer_config.json", "DIR" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing but errors", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("FILE… — learn a tokenizer from text files");
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnTokenizerTrainer) trainer = NULL;
  g_autoptr(AttnTokenizer) check = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *tj = NULL;
  AttnTokenizerTrainOptions opts;
  gint64 t0;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if (kind == NULL || out == NULL || argc < 2)
    {
      attn_cli_fail ("tokenizer needs --kind, --out and at least one FILE (see attn-cli tokenizer --help)");
      return 2;
    }
  if (g_str_equal (kind, "bpe"))
    attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_BPE);
  else if (g_str_equal (kind, "wordpiece"))
    attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_WORDPIECE);
  else if (g_str_equal (kind, "unigram"))
    attn_tokenizer_train_options_init (&opts, ATTN_TOKENIZER_KIND_UNIGRAM);
  else
    {
      attn_cli_fail ("--kind must be bpe, wordpiece or unigram, not “%s”", kind);
      return 2;
    }
  if (vocab_size <= 0 || min_frequency < 0 || max_alphabet < 0 || !(coverage > 0.0 && coverage <= 1.0))
    {
      attn_cli_fail ("--vocab-size must be positive, --min-frequency and --max-alphabet not negative, "
                     "--character-coverage in (0, 1]");
      return 2;
    }
  opts.vocab_size = (guint) vocab_size;
  opts.min_frequency = (guint) min_frequency;
  opts.cased = cased;
  opts.max_alphabet = (guint) max_alphabet;
  opts.character_coverage = coverage;
  opts.extra_specials = (const char *const *) specials;
  opts.tsv_column = column < 0 ? -1 : column;

  t0 = g_get_monotonic_time ();
  trainer = attn_tokenizer_trainer_new (&opts);
  for (int i = 1; i < argc; i++)
    if (!attn_tokenizer_trainer_feed_file (trainer, argv[i], &error))
      {
        attn_cli_fail ("%s", error->message);
        return 1;
      }
  attn_cli_cancel_on_sigint (cancellable);
  if (!attn_tokenizer_trainer_train (trainer, cancellable, &error) ||
      !attn_tokenizer_trainer_save (trainer, out, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 1;
    }
  /* Read it back with the engine's loader, as any model folder would be. */
  tj = g_build_filename (out, "tokenizer.json", NULL);
  check = attn_tokenizer_new_from_json (tj, &error);
  if (check == NULL)
    {
      attn_cli_fail ("the written tokenizer does not load: %s", error->message);
      return 1;
    }
  if (!quiet)
    printf ("%s: %s tokenizer, %u tokens (%u requested) from %u distinct words in %.1f s\n",
            tj, kind, attn_tokenizer_vocab_size (check), opts.vocab_size,
            attn_tokenizer_trainer_n_words (trainer),
            (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}
