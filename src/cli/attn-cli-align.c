/* attn-cli-align.c — `attn-cli align`: word alignments for a file of sentence pairs,
 * in Pharaoh format, scored against a gold file (precision, recall, AER). */
#include "attn-cli-common.h"
#include "attn-analysis.h"
#include "attn-model.h"

#include <stdio.h>
#include <string.h>

int
attn_cli_align (int argc, char **argv)
{
  g_autofree char *pairs = NULL, *gold = NULL, *method = NULL, *out = NULL;
  int layer = -1, head = -1;
  GOptionEntry entries[] = {
    { "pairs", 0, 0, G_OPTION_ARG_FILENAME, &pairs, "Sentence pairs, one per line: source TAB target", "FILE" },
    { "gold", 0, 0, G_OPTION_ARG_FILENAME, &gold, "Gold alignments, one line per pair (i-j sure, i?j or i-j-p possible)", "FILE" },
    { "layer", 0, 0, G_OPTION_ARG_INT, &layer, "Decoder layer (default: the mean over all layers)", "N" },
    { "head", 0, 0, G_OPTION_ARG_INT, &head, "Head (default: the mean over the layer's heads)", "N" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method, "argmax or shift (default: shift)", "M" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the alignments here (default: standard output)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("MODEL_DIR — align the words of sentence pairs");
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnModel) model = NULL;
  g_autofree char *pairs_text = NULL, *gold_text = NULL;
  g_auto(GStrv) lines = NULL, gold_lines = NULL;
  AttnAlignMethod m = ATTN_ALIGN_SHIFT;
  AttnAerCounts counts = { 0 };
  FILE *fout = stdout;
  guint n_pairs = 0;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if (argc != 2 || pairs == NULL)
    {
      attn_cli_fail ("align needs MODEL_DIR and --pairs FILE (see attn-cli align --help)");
      return 2;
    }
  if (method != NULL && !g_str_equal (method, "shift") && !g_str_equal (method, "argmax"))
    {
      attn_cli_fail ("--method must be argmax or shift");
      return 2;
    }
  if (method != NULL && g_str_equal (method, "argmax"))
    m = ATTN_ALIGN_ARGMAX;
  if (!g_file_get_contents (pairs, &pairs_text, NULL, &error) ||
      (gold && !g_file_get_contents (gold, &gold_text, NULL, &error)))
    {
      attn_cli_fail ("%s", error->message);
      return 1;
    }
  if (!g_utf8_validate (pairs_text, -1, NULL))
    {
      attn_cli_fail ("%s is not valid UTF-8", pairs);
      return 1;
    }
  model = attn_model_load (argv[1], &error);
  if (model == NULL)
    {
      attn_cli_fail ("%s", error->message);
      return 1;
    }
  if (!attn_model_is_encoder_decoder (model) || attn_model_get_modality (model) != ATTN_MODALITY_TRANSLATION)
    {
      attn_cli_fail ("%s is not a translation model", attn_model_get_name (model));
      return 1;
    }
  if (layer >= attn_model_get_n_decoder_layers (model) || head >= attn_model_get_n_decoder_heads (model))
    {
      attn_cli_fail ("the model has %d decoder layers of %d heads", attn_model_get_n_decoder_layers (model),
                     attn_model_get_n_decoder_heads (model));
      return 2;
    }
  if (head >= 0 && layer < 0)
    {
      attn_cli_fail ("--head needs --layer");
      return 2;
    }
  lines = g_strsplit (pairs_text, "\n", -1);
  gold_lines = gold_text ? g_strsplit (gold_text, "\n", -1) : NULL;
  if (out != NULL && (fout = fopen (out, "w")) == NULL)
    {
      attn_cli_fail ("cannot write %s", out);
      return 1;
    }
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = NULL;
      g_autoptr(AttnResult) r = NULL;
      g_autofree char *pharaoh = NULL;
      AttnInput in = { 0 };
      AttnRunOptions opts = ATTN_RUN_OPTIONS_INIT;
      GArray *links;
      g_strchomp (lines[i]);
      if (lines[i][0] == '\0' && lines[i + 1] == NULL)
        break;
      cols = g_strsplit (lines[i], "\t", 2);
      in.source = cols[0];
      in.target = cols[1];
      opts.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_CROSS);
      r = attn_model_run (model, &in, &opts, NULL, NULL, NULL, &error);
      if (r == NULL)
        {
          attn_cli_fail ("%s line %u: %s", pairs, i + 1, error->message);
          if (fout != stdout)
            fclose (fout);
          return 1;
        }
      links = attn_align_words (r, layer, layer < 0 ? -1 : head, m);
      pharaoh = attn_links_to_pharaoh (links);
      fprintf (fout, "%s\n", pharaoh);
      if (gold_lines)
        {
          GArray *sure = g_array_new (FALSE, FALSE, sizeof (AttnLink));
          GArray *poss = g_array_new (FALSE, FALSE, sizeof (AttnLink));
          gboolean ok;
          if (gold_lines[i] == NULL)
            {
              attn_cli_fail ("%s has fewer lines than %s", gold, pairs);
              return 1;
            }
          ok = attn_parse_gold (gold_lines[i], sure, poss, &error);
          if (ok)
            attn_aer_add (&counts, links, sure, poss);
          g_array_unref (sure);
          g_array_unref (poss);
          if (!ok)
            {
              attn_cli_fail ("%s line %u: %s", gold, i + 1, error->message);
              return 1;
            }
        }
      g_array_unref (links);
      n_pairs++;
    }
  if (fout != stdout)
    fclose (fout);
  if (gold_lines)
    {
      double p, r, aer;
      attn_aer_scores (&counts, &p, &r, &aer);
      fprintf (stderr, "%u pairs: precision %.4f, recall %.4f, AER %.4f\n", n_pairs, p, r, aer);
    }
  return 0;
}
