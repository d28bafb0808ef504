/* attn-cli-eval.c — `attn-cli eval`: a model's figures on a held-out data file.
 *
 *   attn-cli eval MODEL_DIR DATA_FILE [--limit N] [--decode greedy|beam:N]
 *                 [--input-column N] [--reference-column N] [--predictions FILE] [--json OUT]
 *                 [--word-times-column N]
 *
 * The model's task picks the evaluator (attn-cli-eval.h) and the data file's layout.
 * Without --json the figures are printed one per line; with it they are written as one
 * JSON object (- for standard output). */
#include "attn-cli-common.h"
#include "attn-cli-eval.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

GPtrArray *
attn_cli_eval_rows (const AttnEvalOptions *options, int col_a, int col_b, const char *what,
                    const char *layout, GError **error)
{
  g_autoptr(GPtrArray) rows = attn_cli_read_rows (options->data_path, error);
  guint need = (guint) MAX (col_a, col_b);

  if (rows == NULL)
    return NULL;
  if (options->limit > 0 && rows->len > options->limit)
    g_ptr_array_set_size (rows, options->limit);
  if (rows->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s has no %s",
                   options->data_path, what);
      return NULL;
    }
  for (guint i = 0; i < rows->len; i++)
    if (g_strv_length (rows->pdata[i]) <= need)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "%s:%u: no column %u (a TSV of %s is expected)", options->data_path, i + 1,
                     need, layout);
        return NULL;
      }
  return g_steal_pointer (&rows);
}

/* The evaluator for a model's task, and the task's name for the report. */
static AttnEvalFunc
evaluator_for (AttnModel *model, const char **task, GError **error)
{
  switch (attn_model_get_modality (model))
    {
    case ATTN_MODALITY_TRANSLATION:
      *task = "translation";
      return attn_cli_eval_translation;
    case ATTN_MODALITY_TEXT:
      if (g_str_equal (attn_model_get_architecture (model), "bert"))
        {
          *task = "classification";
          return attn_cli_eval_classification;
        }
      if (g_str_equal (attn_model_get_architecture (model), "gpt2"))
        {
          *task = "language-model";
          return attn_cli_eval_language_model;
        }
      break;
    case ATTN_MODALITY_SPEECH:
      *task = "speech";
      return attn_cli_eval_speech;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "%s: no evaluator for %s models", attn_model_get_dir (model),
               attn_model_get_architecture (model));
  return NULL;
}

void
attn_cli_eval_report_decode (JsonBuilder *report, AttnModel *model, const AttnRunOptions *run)
{
  json_builder_set_member_name (report, "decode");
  json_builder_add_string_value (report, run->decode == ATTN_DECODE_BEAM ? "beam" : "greedy");
  if (run->decode != ATTN_DECODE_BEAM)
    return;
  json_builder_set_member_name (report, "beam_size");
  json_builder_add_int_value (report, run->beam_size);
  json_builder_set_member_name (report, "length_penalty");
  json_builder_add_double_value (report, run->length_penalty > 0 ? run->length_penalty
                                                                 : attn_model_get_length_penalty (model));
}

/* "name: value" lines; nested objects and arrays as compact JSON. */
static void
print_report (JsonNode *root)
{
  JsonObject *obj = json_node_get_object (root);
  g_autoptr(GList) members = json_object_get_members (obj);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *v = json_object_get_member (obj, l->data);
      if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_DOUBLE)
        printf ("%s: %.4f\n", (const char *) l->data, json_node_get_double (v));
      else if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING)
        printf ("%s: %s\n", (const char *) l->data, json_node_get_string (v));
      else
        {
          g_autofree char *s = json_to_string (v, FALSE);
          printf ("%s: %s\n", (const char *) l->data, s);
        }
    }
}

int
attn_cli_eval (int argc, char **argv)
{
  g_autofree char *decode = NULL, *json = NULL, *predictions = NULL;
  double length_penalty = NAN;
  int limit = 0, input_column = -1, reference_column = -1, word_times_column = -1;
  GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Evaluate the first N examples only", "N" },
    { "decode", 0, 0, G_OPTION_ARG_STRING, &decode, "greedy (default) or beam:N", "MODE" },
    { "length-penalty", 0, 0, G_OPTION_ARG_DOUBLE, &length_penalty,
      "Beam: rank finished outputs by log-probability / length^X (default: the model's)", "X" },
    { "input-column", 0, 0, G_OPTION_ARG_INT, &input_column, "TSV column of the inputs (0-based)", "N" },
    { "reference-column", 0, 0, G_OPTION_ARG_INT, &reference_column, "TSV column of the references or labels", "N" },
    { "predictions", 0, 0, G_OPTION_ARG_FILENAME, &predictions, "Write the predictions here, one per line", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json, "Write the figures as JSON (- for standard output)", "OUT" },
    { "word-times-column", 0, 0, G_OPTION_ARG_INT, &word_times_column,
      "Speech: score word timings against the true word spans in this TSV column", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("MODEL_DIR DATA_FILE — figures on held-out data");
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnModel) model = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonBuilder) report = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  AttnEvalOptions opts = { 0 };
  AttnRunOptions run = ATTN_RUN_OPTIONS_INIT;
  AttnEvalFunc eval;
  const char *task = NULL;
  gint64 t0;

  setlocale (LC_NUMERIC, "C");
  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if (argc != 3)
    {
      attn_cli_fail ("eval needs MODEL_DIR and DATA_FILE (see attn-cli eval --help)");
      return 2;
    }
  if (limit < 0 || input_column < -1 || reference_column < -1 || word_times_column < -1)
    {
      attn_cli_fail ("--limit and the columns cannot be negative");
      return 2;
    }
  if (!attn_cli_parse_decode (decode, length_penalty, &run, &error))
    {
      attn_cli_fail ("%s", error->message);
      return 2;
    }
  if (!g_file_test (argv[2], G_FILE_TEST_IS_REGULAR))
    {
      attn_cli_fail ("%s: no such data file", argv[2]);
      return 1;
    }
  if ((model = attn_model_load (argv[1], &error)) == NULL ||
      (eval = evaluator_for (model, &task, &error)) == NULL)
    {
      attn_cli_fail ("%s", error->message);
      return 1;
    }
  if (word_times_column >= 0)
    {
      if (eval != attn_cli_eval_speech)
        {
          attn_cli_fail ("--word-times-column is for speech models; %s is a %s model", argv[1], task);
          return 2;
        }
      eval = attn_cli_eval_word_times;
      task = "word-times";
    }
  opts.data_path = argv[2];
  opts.word_times_column = word_times_column;
  opts.input_column = input_column;
  opts.reference_column = reference_column;
  opts.limit = (guint) limit;
  opts.predictions_path = predictions;
  opts.run = run;
  attn_cli_cancel_on_sigint (cancellable);

  t0 = g_get_monotonic_time ();
  json_builder_begin_object (report);
  json_builder_set_member_name (report, "model");
  json_builder_add_string_value (report, attn_model_get_dir (model));
  json_builder_set_member_name (report, "data");
  json_builder_add_string_value (report, argv[2]);
  json_builder_set_member_name (report, "task");
  json_builder_add_string_value (report, task);
  if (!eval (model, &opts, report, cancellable, &error))
    {
      attn_cli_fail ("%s", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? 130 : 1;
    }
  json_builder_set_member_name (report, "seconds");
  json_builder_add_double_value (report, (g_get_monotonic_time () - t0) / 1e6);
  json_builder_end_object (report);
  root = json_builder_get_root (report);

  if (json == NULL)
    print_report (root);
  else
    {
      g_autofree char *text = json_to_string (root, TRUE);
      if (g_str_equal (json, "-"))
        printf ("%s\n", text);
      else if (!g_file_set_contents (json, text, -1, &error))
        {
          attn_cli_fail ("%s", error->message);
          return 1;
        }
    }
  return 0;
}
