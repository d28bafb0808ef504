/* attn-cli-eval-lm.c — `attn-cli eval` for causal language models (GPT-2):
 *
 *  - perplexity on a plain-text file, laid out as the trainer reads text
 *    (attn_lm_encode_text: one paragraph per line, documents separated by an empty
 *    line and by <|endoftext|> in the token stream) and cut into consecutive chunks
 *    of the model's context: every token after the first is predicted once, from the
 *    tokens before it in its chunk. Reported per token of the model's tokenizer and
 *    as bits per UTF-8 byte of the predicted text, which does not depend on the
 *    tokenizer. --limit N evaluates the first N chunks.
 *  - the induction-head score (attn-lm.h): <|endoftext|> and 50 distinct random
 *    tokens repeated once, for 10 seeds; per layer and head the mean attention from
 *    the second copy to the token after the earlier occurrence, the same for the
 *    previous token, and the loss on the second copy against the first.
 *
 * --predictions writes one line per predicted token: position, target id, the
 * model's top token id, and the target's loss in nats. */
#include "attn-cli-common.h"
#include "attn-cli-eval.h"
#include "attn-lm.h"
#include "attn-result.h"

#include <math.h>
#include <string.h>

static int
argmax (const float *z, int n)
{
  int best = 0;
  for (int j = 1; j < n; j++)
    if (z[j] > z[best])
      best = j;
  return best;
}

static AttnResult *
run_ids (AttnModel *model, const gint32 *ids, int n, GCancellable *cancellable, GError **error)
{
  AttnInput input = { 0 };
  AttnRunOptions run = ATTN_RUN_OPTIONS_INIT;

  input.input_ids = ids;
  input.n_input_ids = n;
  run.max_new_tokens = 0;
  run.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_SELF);
  return attn_model_run (model, &input, &run, cancellable, NULL, NULL, error);
}

static gboolean
eval_perplexity (AttnModel *model, AttnTokenizer *tok, gint32 sep, const AttnEvalOptions *options,
                 JsonBuilder *report, GCancellable *cancellable, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GArray) stream = NULL;
  g_autoptr(GString) predictions = options->predictions_path ? g_string_new (NULL) : NULL;
  g_autofree char *predicted_text = NULL;
  int T = attn_model_get_max_positions (model), n_docs = 0;
  gint64 n_chunks, tokens = 0, correct = 0;
  double nll = 0;
  gsize len, bytes;
  const gint32 *s;

  if (!g_file_get_contents (options->data_path, &text, &len, error))
    return FALSE;
  stream = attn_lm_encode_text (tok, text, len, sep, &n_docs, error);
  if (stream == NULL)
    {
      g_prefix_error (error, "%s: ", options->data_path);
      return FALSE;
    }
  if (stream->len < 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s has fewer than two tokens",
                   options->data_path);
      return FALSE;
    }
  s = (const gint32 *) stream->data;
  n_chunks = (stream->len - 1 + T - 1) / T;
  if (options->limit > 0)
    n_chunks = MIN (n_chunks, (gint64) options->limit);
  for (gint64 k = 0; k < n_chunks; k++)
    {
      gint64 start = k * T;
      int n = (int) MIN ((gint64) T, (gint64) stream->len - 1 - start);
      g_autoptr(AttnResult) r = run_ids (model, s + start, n, cancellable, error);
      if (r == NULL)
        {
          g_prefix_error (error, "%s, tokens %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT ": ",
                          options->data_path, start, start + n);
          return FALSE;
        }
      for (int j = 0; j < n; j++)
        {
          const float *z = r->logits + (gsize) j * r->logits_cols;
          gint32 target = s[start + j + 1];
          double l = attn_lm_token_nll (z, r->logits_cols, target);
          int top = argmax (z, r->logits_cols);
          nll += l;
          correct += top == target;
          if (predictions != NULL)
            g_string_append_printf (predictions, "%" G_GINT64_FORMAT "\t%d\t%d\t%.6f\n",
                                    start + j + 1, target, top, l);
        }
      tokens += n;
    }
  if (predictions != NULL
      && !g_file_set_contents (options->predictions_path, predictions->str, predictions->len, error))
    return FALSE;
  /* the bytes of the predicted text: tokens 1 … tokens decoded at once, so that
   * characters split between tokens count once; separators have no bytes */
  predicted_text = attn_tokenizer_decode (tok, s + 1, (guint) tokens, TRUE);
  bytes = strlen (predicted_text);

  json_builder_set_member_name (report, "documents");
  json_builder_add_int_value (report, n_docs);
  json_builder_set_member_name (report, "context");
  json_builder_add_int_value (report, T);
  json_builder_set_member_name (report, "chunks");
  json_builder_add_int_value (report, n_chunks);
  json_builder_set_member_name (report, "tokens");
  json_builder_add_int_value (report, tokens);
  json_builder_set_member_name (report, "bytes");
  json_builder_add_int_value (report, (gint64) bytes);
  json_builder_set_member_name (report, "loss");
  json_builder_add_double_value (report, nll / tokens);
  json_builder_set_member_name (report, "perplexity");
  json_builder_add_double_value (report, attn_lm_perplexity (nll, tokens));
  json_builder_set_member_name (report, "bits_per_byte");
  json_builder_add_double_value (report, attn_lm_bits_per_byte (nll, (gint64) bytes));
  json_builder_set_member_name (report, "token_accuracy");
  json_builder_add_double_value (report, 100.0 * correct / tokens);
  return TRUE;
}

static void
add_head_table (JsonBuilder *report, const char *name, const double *scores, int layers, int heads)
{
  json_builder_set_member_name (report, name);
  json_builder_begin_array (report);
  for (int l = 0; l < layers; l++)
    {
      json_builder_begin_array (report);
      for (int h = 0; h < heads; h++)
        json_builder_add_double_value (report, scores[l * heads + h]);
      json_builder_end_array (report);
    }
  json_builder_end_array (report);
}

static gboolean
eval_induction (AttnModel *model, AttnTokenizer *tok, gint32 sep, JsonBuilder *report,
                GCancellable *cancellable, GError **error)
{
  int L = attn_model_get_n_layers (model), H = attn_model_get_n_heads (model);
  int T = attn_model_get_max_positions (model), V = (int) attn_tokenizer_vocab_size (tok);
  int first = sep >= 0 ? 1 : 0, period = MIN (ATTN_INDUCTION_PERIOD, (T - first) / 2), lo, hi;
  g_autofree double *ind = g_new0 (double, L * H), *prev = g_new0 (double, L * H);
  g_autofree double *one = g_new (double, L * H);
  g_autofree gint32 *ids = g_new (gint32, first + 2 * ATTN_INDUCTION_PERIOD);
  double loss1 = 0, loss2 = 0, uniform = 0;
  int best = 0;

  attn_induction_token_range (tok, &lo, &hi);
  if (period < 2 || attn_induction_sequence (1, lo, hi, period, sep, ids) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The model's context (%d) or vocabulary (%d) is too small for the "
                   "induction probe", T, V);
      return FALSE;
    }
  for (int seed = 1; seed <= ATTN_INDUCTION_SEEDS; seed++)
    {
      int n = attn_induction_sequence (seed, lo, hi, period, sep, ids);
      g_autoptr(AttnResult) r = run_ids (model, ids, n, cancellable, error);
      const AttnWeights *w;
      double l1, l2;

      if (r == NULL)
        return FALSE;
      w = r->attention[ATTN_KIND_SELF];
      attn_induction_scores (w, first, period, one);
      for (int i = 0; i < L * H; i++)
        ind[i] += one[i] / ATTN_INDUCTION_SEEDS;
      attn_offset_scores (w, first + period, first + 2 * period, 1, one);
      for (int i = 0; i < L * H; i++)
        prev[i] += one[i] / ATTN_INDUCTION_SEEDS;
      attn_induction_copy_nll (r->logits, r->logits_cols, ids, first, period, &l1, &l2);
      loss1 += l1;
      loss2 += l2;
    }
  loss1 /= ATTN_INDUCTION_SEEDS * (period - 1);
  loss2 /= ATTN_INDUCTION_SEEDS * (period - 1);
  for (int i = 1; i < L * H; i++)
    if (ind[i] > ind[best])
      best = i;
  /* what a head that spreads its attention evenly over the causal prefix would score */
  for (int j = 0; j < period; j++)
    uniform += 1.0 / (first + period + j + 1) / period;

  json_builder_set_member_name (report, "induction");
  json_builder_begin_object (report);
  json_builder_set_member_name (report, "sequences");
  json_builder_add_int_value (report, ATTN_INDUCTION_SEEDS);
  json_builder_set_member_name (report, "period");
  json_builder_add_int_value (report, period);
  add_head_table (report, "scores", ind, L, H);
  add_head_table (report, "previous_token_scores", prev, L, H);
  json_builder_set_member_name (report, "best_layer");
  json_builder_add_int_value (report, best / H);
  json_builder_set_member_name (report, "best_head");
  json_builder_add_int_value (report, best % H);
  json_builder_set_member_name (report, "best_score");
  json_builder_add_double_value (report, ind[best]);
  json_builder_set_member_name (report, "uniform_score");
  json_builder_add_double_value (report, uniform);
  json_builder_set_member_name (report, "loss_first_copy");
  json_builder_add_double_value (report, loss1);
  json_builder_set_member_name (report, "loss_second_copy");
  json_builder_add_double_value (report, loss2);
  json_builder_end_object (report);
  return TRUE;
}

gboolean
attn_cli_eval_language_model (AttnModel *model, const AttnEvalOptions *options,
                              JsonBuilder *report, GCancellable *cancellable, GError **error)
{
  AttnTokenizer *tok = attn_model_get_tokenizer (model);
  gint32 sep;

  if (tok == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s has no tokenizer",
                   attn_model_get_dir (model));
      return FALSE;
    }
  sep = attn_tokenizer_token_to_id (tok, "<|endoftext|>");
  return eval_perplexity (model, tok, sep, options, report, cancellable, error)
         && eval_induction (model, tok, sep, report, cancellable, error);
}
