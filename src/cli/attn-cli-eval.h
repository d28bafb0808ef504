/* attn-cli-eval.h — `attn-cli eval`: a model's figures on a held-out data file, one
 * evaluator per task. The dispatcher (attn-cli-eval.c) loads the model, opens a JSON
 * object with "model", "data" and "task", calls the evaluator for the model's task and
 * prints the object (or writes it with --json). */
#pragma once

#include "attn-model.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  const char    *data_path;
  int            input_column;      /* TSV column of the input; -1: the task's default */
  int            reference_column;  /* TSV column of the reference/label; -1: the task's default */
  guint          limit;             /* evaluate the first N examples only; 0: all */
  const char    *predictions_path;  /* NULL, or a file to write one prediction per line */
  AttnRunOptions run;               /* decoding mode, beam size, maximum new tokens */
  int            word_times_column; /* speech: TSV column of true word spans; -1: none */
} AttnEvalOptions;

/* The data file's rows (each a GStrv of TAB fields), the first options->limit of them
 * (all when 0), checked to have columns `col_a` and `col_b`; `what` names the examples
 * ("sentence pairs") and `layout` the expected columns ("source<TAB>reference") for the
 * errors: an unreadable or empty file, or a row without those columns. */
GPtrArray *attn_cli_eval_rows (const AttnEvalOptions *options, int col_a, int col_b,
                               const char *what, const char *layout, GError **error);

/* Adds "decode" ("greedy" or "beam") and, for a beam, "beam_size" and the
 * "length_penalty" it ranked by (the options' or the model's). */
void       attn_cli_eval_report_decode (JsonBuilder *report, AttnModel *model,
                                        const AttnRunOptions *run);

/* Each evaluator adds its figures as members of the open JSON object `report` and prints
 * nothing; on failure it returns FALSE with `error` set. */
typedef gboolean (*AttnEvalFunc) (AttnModel *model, const AttnEvalOptions *options,
                                  JsonBuilder *report, GCancellable *cancellable, GError **error);

/* Translation: TSV source<TAB>reference (columns 0 and 1 by default); greedy (or beam)
 * decoding; corpus BLEU and chrF (sacreBLEU defaults), exact match. */
gboolean attn_cli_eval_translation (AttnModel *model, const AttnEvalOptions *options,
                                    JsonBuilder *report, GCancellable *cancellable, GError **error);

/* Speech recognition: TSV audio_path<TAB>transcript (columns 0 and 1; paths relative to
 * the TSV's folder); greedy (or beam) decoding; corpus WER and CER after
 * attn_metrics_normalize () on both sides, their edit counts, exact match. */
gboolean attn_cli_eval_speech (AttnModel *model, const AttnEvalOptions *options,
                               JsonBuilder *report, GCancellable *cancellable, GError **error);
/* Speech word timings (--word-times-column N): TSV audio_path<TAB>transcript with the
 * words' true spans ("start-end" seconds, space-separated) in column N; the transcript is
 * force-decoded and its words timed with the alignment heads, with each single head and
 * by a letter-proportional split of the audio; mean start and end errors (ms) and the
 * share of timed midpoints inside the true spans. */
gboolean attn_cli_eval_word_times (AttnModel *model, const AttnEvalOptions *options,
                                   JsonBuilder *report, GCancellable *cancellable, GError **error);

/* Text classification: TSV label<TAB>text (columns 0 and 1 by default); texts longer
 * than the model accepts keep their first tokens and the final special token; accuracy,
 * precision/recall/F1 per label and of the positive label (label 1 of two), macro F1 and
 * the confusion counts, in percent. */
gboolean attn_cli_eval_classification (AttnModel *model, const AttnEvalOptions *options,
                                       JsonBuilder *report, GCancellable *cancellable,
                                       GError **error);

/* Language models (GPT-2): perplexity and bits per byte on a plain-text file (one
 * paragraph per line, documents separated by an empty line), in chunks of the model's
 * context; the induction-head score per layer and head on repeated random tokens. */
gboolean attn_cli_eval_language_model (AttnModel *model, const AttnEvalOptions *options,
                                       JsonBuilder *report, GCancellable *cancellable,
                                       GError **error);

G_END_DECLS
