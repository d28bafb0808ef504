/* attn-cli-run.c — `attn-cli run`: one input through one model. */
#include "attn-cli-common.h"
#include "attn-model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void
print_summary (const AttnResult *r)
{
  printf ("model: %s (%s), %d layers × %d heads\n", r->model_name, r->architecture, r->n_layers, r->n_heads);
  printf ("input: %u tokens:", r->input.len);
  for (guint i = 0; i < r->input.len; i++)
    printf (" %s", r->input.tokens[i]);
  printf ("\n");
  if (r->target.len > 0)
    {
      printf ("decoder input (%s): %u tokens\n", r->target_forced ? "forced" : "generated", r->target.len);
    }
  switch (r->output_kind)
    {
    case ATTN_OUTPUT_LABELS:
      for (guint i = 0; i < r->n_labels; i++)
        printf ("  %-20s %.4f\n", r->labels[i], r->label_probs[i]);
      break;
    case ATTN_OUTPUT_GENERATED:
    case ATTN_OUTPUT_NEXT_TOKEN:
      if (r->generated.len > 0 || r->output_kind == ATTN_OUTPUT_GENERATED)
        printf ("output: %s\n", r->generated_text ? r->generated_text : "");
      break;
    case ATTN_OUTPUT_NONE:
      break;
    }
  for (int k = 0; k < ATTN_N_KINDS; k++)
    if (r->attention[k])
      printf ("attention %-8s [%d, %d, %d, %d]\n", attn_kind_name (k), r->attention[k]->layers,
              r->attention[k]->heads, r->attention[k]->queries, r->attention[k]->keys);
  printf ("time: %.3f s\n", r->seconds);
}

int
attn_cli_run (int argc, char **argv)
{
  g_autofree char *text = NULL, *text_pair = NULL, *audio = NULL, *source = NULL, *target = NULL;
  g_autofree char *input_ids = NULL, *decoder_ids = NULL, *decode = NULL, *attention = NULL, *json = NULL;
  int max_new = 0;
  double length_penalty = NAN;
  gboolean quiet = FALSE, truncate = FALSE;
  g_autofree char *kept = NULL;
  /* Texts are taken as raw bytes (ARG_FILENAME) and checked as UTF-8 below: ARG_STRING
   * converts from the locale's charset, which fails on any non-ASCII text under LC_ALL=C. */
  GOptionEntry entries[] = {
    { "text", 0, 0, G_OPTION_ARG_FILENAME, &text, "Text for a text model", "T" },
    { "text-pair", 0, 0, G_OPTION_ARG_FILENAME, &text_pair, "Second text (sentence-pair models)", "T2" },
    { "audio", 0, 0, G_OPTION_ARG_FILENAME, &audio, "Audio file for a speech model", "FILE" },
    { "source", 0, 0, G_OPTION_ARG_FILENAME, &source, "Source sentence for a translation model", "S" },
    { "target", 0, 0, G_OPTION_ARG_FILENAME, &target, "Target sentence (or a speech transcript) to force-decode", "T" },
    { "input-ids", 0, 0, G_OPTION_ARG_STRING, &input_ids, "Token ids instead of text", "1,2,3" },
    { "decoder-ids", 0, 0, G_OPTION_ARG_STRING, &decoder_ids, "Decoder input ids, start token first", "4,5,6" },
    { "decode", 0, 0, G_OPTION_ARG_STRING, &decode, "greedy (default) or beam:N", "MODE" },
    { "length-penalty", 0, 0, G_OPTION_ARG_DOUBLE, &length_penalty,
      "Beam: rank finished outputs by log-probability / length^X (default: the model's)", "X" },
    { "max-new-tokens", 0, 0, G_OPTION_ARG_INT, &max_new, "Tokens to generate (default: the model's)", "N" },
    { "attention", 0, 0, G_OPTION_ARG_STRING, &attention, "Attention kinds to write", "encoder,decoder,cross,self" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json, "Write the result as JSON (- for standard output)", "OUT" },
    { "truncate", 0, 0, G_OPTION_ARG_NONE, &truncate,
      "Keep the words of --text or --source that the model reads and drop the rest", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing but errors", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("MODEL_DIR — run a model on one input");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL, dec = NULL;
  g_autoptr(AttnModel) model = NULL;
  g_autoptr(AttnResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AttnRunOptions opts = ATTN_RUN_OPTIONS_INIT;
  AttnInput input = { 0 };
  int n_inputs;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if (argc != 2)
    {
      attn_cli_fail ("run needs exactly one MODEL_DIR (see attn-cli run --help)");
      return 2;
    }
  n_inputs = (text != NULL) + (audio != NULL) + (source != NULL) + (input_ids != NULL);
  if (n_inputs != 1)
    {
      attn_cli_fail ("give exactly one of --text, --audio, --source or --input-ids");
      return 2;
    }
  if ((text_pair && !text) || (target && !source && !audio) || (decoder_ids && !input_ids && !audio && !source))
    {
      attn_cli_fail ("--text-pair goes with --text, --target with --source or --audio, --decoder-ids with an encoder input");
      return 2;
    }
  if (max_new < 0)
    {
      attn_cli_fail ("--max-new-tokens cannot be negative");
      return 2;
    }
  if (!attn_cli_parse_decode (decode, length_penalty, &opts, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if ((input_ids && !attn_cli_parse_ids (input_ids, &ids, &error)) ||
      (decoder_ids && !attn_cli_parse_ids (decoder_ids, &dec, &error)) ||
      (attention && !attn_cli_parse_kinds (attention, &opts.kinds_mask, &error)))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  {
    const char *texts[] = { text, text_pair, source, target };
    const char *opt_names[] = { "--text", "--text-pair", "--source", "--target" };
    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      if (texts[i] != NULL && !g_utf8_validate (texts[i], -1, NULL))
        {
          attn_cli_fail ("the %s argument is not valid UTF-8", opt_names[i]);
          return 2;
        }
  }
  opts.max_new_tokens = max_new;
  input.text = text;
  input.text_pair = text_pair;
  input.audio_path = audio;
  input.source = source;
  input.target = target;
  if (ids)
    {
      input.input_ids = (const gint32 *) ids->data;
      input.n_input_ids = ids->len;
    }
  if (dec)
    {
      input.decoder_ids = (const gint32 *) dec->data;
      input.n_decoder_ids = dec->len;
    }

  model = attn_model_load (argv[1], &error);
  if (model == NULL)
    {
      attn_cli_fail ("%s", error->message);
      return 1;
    }
  if (truncate && (text != NULL || source != NULL))
    {
      const char *whole = text != NULL ? text : source;
      gssize keep = attn_model_fit_prefix (model, whole, text_pair, &error);

      if (keep < 0)
        {
          attn_cli_fail ("%s", error->message);
          return 1;
        }
      if (keep == 0)
        {
          attn_cli_fail ("--truncate: not even the second text fits the %d tokens the model reads",
                         attn_model_get_max_positions (model));
          return 1;
        }
      if ((gsize) keep < strlen (whole))
        {
          kept = g_strndup (whole, keep);
          if (text != NULL)
            input.text = kept;
          else
            input.source = kept;
          if (!quiet && (json == NULL || !g_str_equal (json, "-")))
            printf ("truncated: kept %" G_GSSIZE_FORMAT " of %zu bytes, the words the model reads\n",
                    keep, strlen (whole));
        }
    }
  attn_cli_cancel_on_sigint (cancellable);
  result = attn_model_run (model, &input, &opts, cancellable, NULL, NULL, &error);
  if (result == NULL)
    {
      attn_cli_fail ("%s", error->message);
      return 1;
    }
  if (json != NULL)
    {
      if (g_str_equal (json, "-"))
        {
          gsize len;
          g_autofree char *s = attn_result_to_json (result, opts.kinds_mask, &len);
          fwrite (s, 1, len, stdout);
        }
      else if (!attn_result_write_json (result, opts.kinds_mask, json, &error))
        {
          attn_cli_fail ("%s", error->message);
          return 1;
        }
    }
  if (!quiet && (json == NULL || !g_str_equal (json, "-")))
    print_summary (result);
  return 0;
}
