/* attn-cli.c — the headless command line over libattn.
 *
 *   attn-cli run MODEL_DIR (--text T [--text-pair T2] | --audio FILE | --source S [--target T]
 *                           | --input-ids 1,2,3 [--decoder-ids 4,5,6])
 *                          [--decode greedy|beam:N] [--max-new-tokens N]
 *                          [--attention encoder,decoder,cross,self] [--json OUT]
 *   attn-cli tokenizer --kind bpe|wordpiece|unigram --vocab-size N --out DIR FILE...
 *   attn-cli score [--metric bleu,chrf,wer,cer] [--json] HYP_FILE REF_FILE
 *   attn-cli eval MODEL_DIR DATA_FILE [--limit N] [--decode MODE] [--predictions FILE] [--json OUT]
 *   attn-cli convert MODEL_DIR --out DIR [--dtype f16|f32]
 *   attn-cli train --task copy|reverse|sort --arch transformer|gru|lstm [--score S] [--seed N] --out DIR
 *   attn-cli train --recipe FILE --out DIR  |  attn-cli train --resume DIR
 *
 * A failure exits non-zero with one line on stderr. */
#include "attn-cli-common.h"
#include "attn-cli-train.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char *name;
  int       (*main) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "run", attn_cli_run, "run a model on one input and print or save the result" },
  { "align", attn_cli_align, "word alignments of sentence pairs, scored against gold (AER)" },
  { "tokenizer", attn_cli_tokenizer, "learn a BPE, WordPiece or unigram tokenizer from text files" },
  { "score", attn_cli_score, "corpus BLEU, chrF, WER and CER of hypotheses against references" },
  { "eval", attn_cli_eval, "a model's figures on held-out data (BLEU/chrF, accuracy/F1, …)" },
  { "convert", attn_cli_convert, "copy a model folder with float16 (or float32) weights" },
  { "train", attn_cli_train, "train a model (toy task, translation or BERT classifier recipe) and save it" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: attn-cli COMMAND [OPTIONS]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun “attn-cli COMMAND --help” for a command's options.\n");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      usage (stdout);
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].main (argc - 1, argv + 1);
  attn_cli_fail ("unknown command “%s” (try attn-cli --help)", argv[1]);
  return 2;
}
