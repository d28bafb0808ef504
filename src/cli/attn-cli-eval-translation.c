/* attn-cli-eval-translation.c — `attn-cli eval` for translation models: decode every
 * source of a TSV file and score the outputs against the references (corpus BLEU and
 * chrF with sacreBLEU's defaults, exact match). */
#include "attn-cli-common.h"
#include "attn-cli-eval.h"
#include "attn-metrics.h"
#include "attn-result.h"

#include <string.h>

gboolean
attn_cli_eval_translation (AttnModel *model, const AttnEvalOptions *options,
                           JsonBuilder *report, GCancellable *cancellable, GError **error)
{
  int src_col = options->input_column >= 0 ? options->input_column : 0;
  int ref_col = options->reference_column >= 0 ? options->reference_column : 1;
  g_autoptr(GPtrArray) rows = attn_cli_eval_rows (options, src_col, ref_col, "sentence pairs",
                                                       "source<TAB>reference", error);
  g_autoptr(GPtrArray) hyps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) refs = g_ptr_array_new ();
  g_autoptr(GString) predictions = g_string_new (NULL);
  AttnRunOptions run = options->run;
  AttnBleuStats bleu;
  AttnChrfStats chrf;
  guint n, exact = 0;
  double b, c;

  if (rows == NULL)
    return FALSE;
  n = rows->len;
  run.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_CROSS);   /* record as little as a run allows */
  for (guint i = 0; i < n; i++)
    {
      char **f = rows->pdata[i];
      AttnInput input = { 0 };
      g_autoptr(AttnResult) result = NULL;
      const char *out;

      input.source = f[src_col];
      result = attn_model_run (model, &input, &run, cancellable, NULL, NULL, error);
      if (result == NULL)
        {
          g_prefix_error (error, "%s:%u: ", options->data_path, i + 1);
          return FALSE;
        }
      out = result->generated_text ? result->generated_text : "";
      exact += g_str_equal (out, f[ref_col]);
      g_ptr_array_add (hyps, g_strdup (out));
      g_ptr_array_add (refs, f[ref_col]);
      g_string_append_printf (predictions, "%s\n", out);
    }
  if (options->predictions_path != NULL &&
      !g_file_set_contents (options->predictions_path, predictions->str, predictions->len, error))
    return FALSE;

  b = attn_bleu ((const char *const *) hyps->pdata, (const char *const *) refs->pdata, n, &bleu);
  c = attn_chrf ((const char *const *) hyps->pdata, (const char *const *) refs->pdata, n, &chrf);
  json_builder_set_member_name (report, "examples");
  json_builder_add_int_value (report, n);
  attn_cli_eval_report_decode (report, model, &run);
  json_builder_set_member_name (report, "bleu");
  json_builder_add_double_value (report, b);
  json_builder_set_member_name (report, "bleu_precisions");
  json_builder_begin_array (report);
  for (int k = 0; k < ATTN_BLEU_MAX_ORDER; k++)
    json_builder_add_double_value (report, bleu.precisions[k]);
  json_builder_end_array (report);
  json_builder_set_member_name (report, "bleu_brevity_penalty");
  json_builder_add_double_value (report, bleu.bp);
  json_builder_set_member_name (report, "chrf");
  json_builder_add_double_value (report, c);
  json_builder_set_member_name (report, "exact_match");
  json_builder_add_double_value (report, 100.0 * exact / n);
  return TRUE;
}
