/* attn-cli-eval-speech.c — `attn-cli eval` for speech recognition models: transcribe
 * every audio file of a TSV (audio_path<TAB>transcript, paths relative to the TSV's
 * folder) and score the transcripts against the references: corpus WER and CER with the
 * engine's normalisation (attn_metrics_normalize: lower case, apostrophes removed, other
 * punctuation and symbols as spaces, whitespace collapsed), and exact match after it. */
#include "attn-cli-common.h"
#include "attn-cli-eval.h"
#include "attn-metrics.h"
#include "attn-result.h"

#include <string.h>

static void
add_edit_stats (JsonBuilder *report, const char *name, double rate, const AttnEditStats *st)
{
  g_autofree char *edits = g_strconcat (name, "_edits", NULL);
  json_builder_set_member_name (report, name);
  json_builder_add_double_value (report, rate);
  json_builder_set_member_name (report, edits);
  json_builder_begin_object (report);
  json_builder_set_member_name (report, "substitutions");
  json_builder_add_int_value (report, (gint64) st->substitutions);
  json_builder_set_member_name (report, "deletions");
  json_builder_add_int_value (report, (gint64) st->deletions);
  json_builder_set_member_name (report, "insertions");
  json_builder_add_int_value (report, (gint64) st->insertions);
  json_builder_set_member_name (report, "reference_length");
  json_builder_add_int_value (report, (gint64) st->ref_len);
  json_builder_end_object (report);
}

gboolean
attn_cli_eval_speech (AttnModel *model, const AttnEvalOptions *options, JsonBuilder *report,
                      GCancellable *cancellable, GError **error)
{
  int audio_col = options->input_column >= 0 ? options->input_column : 0;
  int ref_col = options->reference_column >= 0 ? options->reference_column : 1;
  g_autoptr(GPtrArray) rows = attn_cli_eval_rows (options, audio_col, ref_col, "audio files",
                                                       "audio_path<TAB>transcript", error);
  g_autoptr(GPtrArray) hyps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) refs = g_ptr_array_new ();
  g_autoptr(GString) predictions = g_string_new (NULL);
  g_autofree char *data_abs = g_canonicalize_filename (options->data_path, NULL);
  g_autofree char *folder = g_path_get_dirname (data_abs);
  AttnRunOptions run = options->run;
  AttnEditStats wer_st, cer_st;
  double audio_seconds = 0, wer, cer;
  guint n, exact = 0;

  if (rows == NULL)
    return FALSE;
  n = rows->len;
  run.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_CROSS);   /* record as little as a run allows */
  for (guint i = 0; i < n; i++)
    {
      char **f = rows->pdata[i];
      AttnInput input = { 0 };
      g_autoptr(AttnResult) result = NULL;
      g_autofree char *path = NULL, *out = NULL, *norm_out = NULL, *norm_ref = NULL;

      path = g_canonicalize_filename (f[audio_col], folder);
      input.audio_path = path;
      result = attn_model_run (model, &input, &run, cancellable, NULL, NULL, error);
      if (result == NULL)
        {
          g_prefix_error (error, "%s:%u: ", options->data_path, i + 1);
          return FALSE;
        }
      /* Whisper's transcripts start with a space; the references do not */
      out = g_strstrip (g_strdup (result->generated_text ? result->generated_text : ""));
      norm_out = attn_metrics_normalize (out);
      norm_ref = attn_metrics_normalize (f[ref_col]);
      exact += g_str_equal (norm_out, norm_ref);
      audio_seconds += result->audio_seconds;
      g_string_append_printf (predictions, "%s\n", out);
      g_ptr_array_add (hyps, g_steal_pointer (&out));
      g_ptr_array_add (refs, f[ref_col]);
    }
  if (options->predictions_path != NULL &&
      !g_file_set_contents (options->predictions_path, predictions->str, predictions->len, error))
    return FALSE;

  wer = attn_wer ((const char *const *) hyps->pdata, (const char *const *) refs->pdata, n, &wer_st);
  cer = attn_cer ((const char *const *) hyps->pdata, (const char *const *) refs->pdata, n, &cer_st);
  json_builder_set_member_name (report, "examples");
  json_builder_add_int_value (report, n);
  json_builder_set_member_name (report, "audio_seconds");
  json_builder_add_double_value (report, audio_seconds);
  attn_cli_eval_report_decode (report, model, &run);
  json_builder_set_member_name (report, "normalization");
  json_builder_add_string_value (report, "lower case; apostrophes removed; other punctuation and "
                                         "symbols replaced by spaces; whitespace collapsed");
  add_edit_stats (report, "wer", wer, &wer_st);
  add_edit_stats (report, "cer", cer, &cer_st);
  json_builder_set_member_name (report, "exact_match");
  json_builder_add_double_value (report, 100.0 * exact / n);
  return TRUE;
}
