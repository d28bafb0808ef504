/* attn-cli-eval-classify.c — `attn-cli eval` for text classifiers (BERT with a
 * sequence-classification head): classify every text of a TSV file of
 * label<TAB>text and score the predicted labels against the given ones: accuracy,
 * precision, recall and F1 per label, macro F1 and the confusion counts
 * (attn-confusion.h). Figures are percentages, as the other evaluators' are. */
#include "attn-cli-common.h"
#include "attn-cli-eval.h"
#include "attn-confusion.h"
#include "attn-result.h"

#include <string.h>

/* The text's token ids with the tokenizer's special tokens (*n of them, newly
 * allocated); a text longer than the model accepts keeps its first max − 1 tokens
 * and its last one, which for BERT's [CLS] … [SEP] is exactly the cut the trainer
 * makes (attn-train-corpus.c). */
static gint32 *
encode_cut (AttnModel *model, const char *text, guint *n, gboolean *cut, GError **error)
{
  AttnTokenizer *tok = attn_model_get_tokenizer (model);
  int max = attn_model_get_max_positions (model);
  g_autoptr(AttnEncoding) enc = NULL;
  gint32 *ids;

  if (tok == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s has no tokenizer, so it cannot read text", attn_model_get_dir (model));
      return NULL;
    }
  if ((enc = attn_tokenizer_encode (tok, text, NULL, TRUE, error)) == NULL)
    return NULL;
  *cut = max > 1 && enc->len > (guint) max;
  *n = *cut ? (guint) max : enc->len;
  ids = g_memdup2 (enc->ids, sizeof (gint32) * MAX (*n, 1));
  if (*cut)
    ids[max - 1] = enc->ids[enc->len - 1];
  return ids;
}

static int
label_index (char **labels, int n, const char *label)
{
  for (int i = 0; i < n; i++)
    if (g_str_equal (labels[i], label))
      return i;
  return -1;
}

static void
add_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

static void
add_report (JsonBuilder *report, const AttnConfusion *conf, char **labels, guint n, guint cut)
{
  int L = conf->n_classes;

  json_builder_set_member_name (report, "examples");
  json_builder_add_int_value (report, n);
  json_builder_set_member_name (report, "truncated");
  json_builder_add_int_value (report, cut);
  add_double (report, "accuracy", 100 * attn_confusion_accuracy (conf));
  if (L == 2)
    {
      /* a binary classifier's positive class is its label 1 (Hugging Face's LABEL_1) */
      AttnClassScores pos;
      attn_confusion_class (conf, 1, &pos);
      json_builder_set_member_name (report, "positive_label");
      json_builder_add_string_value (report, labels[1]);
      add_double (report, "precision", 100 * pos.precision);
      add_double (report, "recall", 100 * pos.recall);
      add_double (report, "f1", 100 * pos.f1);
    }
  add_double (report, "macro_f1", 100 * attn_confusion_macro_f1 (conf));
  json_builder_set_member_name (report, "per_label");
  json_builder_begin_object (report);
  for (int k = 0; k < L; k++)
    {
      AttnClassScores s;
      attn_confusion_class (conf, k, &s);
      json_builder_set_member_name (report, labels[k]);
      json_builder_begin_object (report);
      add_double (report, "precision", 100 * s.precision);
      add_double (report, "recall", 100 * s.recall);
      add_double (report, "f1", 100 * s.f1);
      json_builder_set_member_name (report, "support");
      json_builder_add_int_value (report, (gint64) s.support);
      json_builder_end_object (report);
    }
  json_builder_end_object (report);
  /* rows: the given label; columns: the predicted one */
  json_builder_set_member_name (report, "confusion");
  json_builder_begin_object (report);
  json_builder_set_member_name (report, "labels");
  json_builder_begin_array (report);
  for (int k = 0; k < L; k++)
    json_builder_add_string_value (report, labels[k]);
  json_builder_end_array (report);
  json_builder_set_member_name (report, "counts");
  json_builder_begin_array (report);
  for (int g = 0; g < L; g++)
    {
      json_builder_begin_array (report);
      for (int p = 0; p < L; p++)
        json_builder_add_int_value (report, (gint64) attn_confusion_count (conf, g, p));
      json_builder_end_array (report);
    }
  json_builder_end_array (report);
  json_builder_end_object (report);
}

gboolean
attn_cli_eval_classification (AttnModel *model, const AttnEvalOptions *options,
                              JsonBuilder *report, GCancellable *cancellable, GError **error)
{
  int label_col = options->reference_column >= 0 ? options->reference_column : 0;
  int text_col = options->input_column >= 0 ? options->input_column : 1;
  g_autoptr(GPtrArray) rows = attn_cli_eval_rows (options, label_col, text_col, "labelled texts",
                                                       "label<TAB>text", error);
  g_autoptr(GString) predictions = g_string_new (NULL);
  g_autoptr(AttnConfusion) conf = NULL;
  g_auto(GStrv) labels = NULL;
  AttnRunOptions run = options->run;
  guint n, cut = 0;

  if (rows == NULL)
    return FALSE;
  n = rows->len;
  run.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_CROSS);   /* a classifier has none: record nothing */
  for (guint i = 0; i < n; i++)
    {
      char **f = rows->pdata[i];
      AttnInput input = { 0 };
      g_autofree gint32 *ids = NULL;
      g_autoptr(AttnResult) result = NULL;
      gboolean was_cut;
      guint n_ids;
      int gold, best = 0;

      if ((ids = encode_cut (model, f[text_col], &n_ids, &was_cut, error)) == NULL)
        {
          g_prefix_error (error, "%s:%u: ", options->data_path, i + 1);
          return FALSE;
        }
      cut += was_cut;
      input.input_ids = ids;
      input.n_input_ids = n_ids;
      result = attn_model_run (model, &input, &run, cancellable, NULL, NULL, error);
      if (result == NULL)
        {
          g_prefix_error (error, "%s:%u: ", options->data_path, i + 1);
          return FALSE;
        }
      if (result->output_kind != ATTN_OUTPUT_LABELS || result->n_labels < 2)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "%s has no sequence-classification head (labels); eval reads classifiers",
                       attn_model_get_dir (model));
          return FALSE;
        }
      if (conf == NULL)
        {
          conf = attn_confusion_new (result->n_labels);
          labels = g_strdupv (result->labels);
        }
      gold = label_index (labels, conf->n_classes, f[label_col]);
      if (gold < 0)
        {
          g_autofree char *known = g_strjoinv (", ", labels);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u: “%s” is not one of the model's labels (%s)", options->data_path,
                       i + 1, f[label_col], known);
          return FALSE;
        }
      for (int k = 1; k < result->n_labels; k++)
        if (result->label_probs[k] > result->label_probs[best])
          best = k;
      attn_confusion_add (conf, gold, best);
      g_string_append_printf (predictions, "%s\n", labels[best]);
    }
  if (options->predictions_path != NULL &&
      !g_file_set_contents (options->predictions_path, predictions->str, predictions->len, error))
    return FALSE;
  add_report (report, conf, labels, n, cut);
  return TRUE;
}
