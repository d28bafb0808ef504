/* attn-cli-eval-timing.c — `attn-cli eval --word-times-column N` for speech models: how
 * well the cross-attention times the words of a transcript.
 *
 * Each row holds an audio path, its transcript and, in column N, the true spans of the
 * transcript's words: "start-end" in seconds, separated by spaces, one per word. The
 * transcript is force-decoded and its words are timed as the speech view times them
 * (attn-timing.h): with the model's alignment heads, and with each single head so that
 * heads can be chosen. A baseline that looks at no attention splits the audio in
 * proportion to the words' letters. For each timing: the mean absolute error of the
 * word starts and of the word ends in milliseconds, the mean signed error of the starts
 * (positive: timed late), and the share of words whose timed midpoint lies inside the
 * true span. --predictions writes the alignment heads' spans, a line per clip in the
 * column's format. */
#include "attn-cli-common.h"
#include "attn-cli-eval.h"
#include "attn-result.h"
#include "attn-timing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double start_err, end_err;   /* sums of absolute errors, seconds */
  double start_bias;           /* sum of signed start errors (timed − true), seconds */
  guint  hits, words;
} TimingScore;

/* "0.12-0.48 0.69-1.02" → pairs of doubles; NULL with an error when malformed. */
static GArray *
parse_spans (const char *text, const char *where, GError **error)
{
  g_auto(GStrv) parts = g_strsplit_set (text, " ", -1);
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (double));

  for (int i = 0; parts[i] != NULL; i++)
    {
      char *end = NULL, *dash;
      double a, b;
      if (parts[i][0] == '\0')
        continue;
      a = g_ascii_strtod (parts[i], &dash);
      if (dash != parts[i] && *dash == '-')
        b = g_ascii_strtod (dash + 1, &end);
      if (dash == parts[i] || *dash != '-' || end == dash + 1 || *end != '\0' || !(a >= 0) || !(b >= a))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: “%s” is not a word span (start-end in seconds, start ≤ end)", where, parts[i]);
          return NULL;
        }
      g_array_append_val (spans, a);
      g_array_append_val (spans, b);
    }
  if (spans->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: no word spans", where);
      return NULL;
    }
  return g_steal_pointer (&spans);
}

static void
score_times (TimingScore *sc, const double *times, const double *spans, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      double s = times[2 * i], e = times[2 * i + 1], mid = 0.5 * (s + e);
      sc->start_err += fabs (s - spans[2 * i]);
      sc->start_bias += s - spans[2 * i];
      sc->end_err += fabs (e - spans[2 * i + 1]);
      sc->hits += mid >= spans[2 * i] && mid <= spans[2 * i + 1];
      sc->words++;
    }
}

/* The words' times with the given heads (NULL: the alignment heads), as start/end pairs;
 * FALSE when the model's words do not match the spans. */
static gboolean
timed_words (const AttnResult *r, const int *heads, int n_heads, guint n_words, double *times,
             const char *where, GError **error)
{
  GArray *words = attn_word_times_for_heads (r, heads, n_heads, error);
  guint n;
  if (words == NULL)
    return FALSE;
  n = words->len;
  for (guint i = 0; i < MIN (n, n_words); i++)
    {
      times[2 * i] = g_array_index (words, AttnWordTime, i).start;
      times[2 * i + 1] = g_array_index (words, AttnWordTime, i).end;
    }
  attn_word_times_free (words);
  if (n != n_words)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: the model reads %u words in the transcript, the row gives %u spans",
                   where, n, n_words);
      return FALSE;
    }
  return TRUE;
}

/* The baseline: the audio split among the words in proportion to their letters. */
static void
letter_split (char **words, guint n, double seconds, double *times)
{
  double total = 0, t = 0;
  for (guint i = 0; i < n; i++)
    total += MAX (g_utf8_strlen (words[i], -1), 1);
  for (guint i = 0; i < n; i++)
    {
      times[2 * i] = t;
      t += seconds * MAX (g_utf8_strlen (words[i], -1), 1) / total;
      times[2 * i + 1] = t;
    }
}

static void
add_score (JsonBuilder *b, const TimingScore *sc)
{
  json_builder_set_member_name (b, "start_error_ms");
  json_builder_add_double_value (b, 1000.0 * sc->start_err / MAX (sc->words, 1));
  json_builder_set_member_name (b, "start_bias_ms");
  json_builder_add_double_value (b, 1000.0 * sc->start_bias / MAX (sc->words, 1));
  json_builder_set_member_name (b, "end_error_ms");
  json_builder_add_double_value (b, 1000.0 * sc->end_err / MAX (sc->words, 1));
  json_builder_set_member_name (b, "midpoint_in_word");
  json_builder_add_double_value (b, 100.0 * sc->hits / MAX (sc->words, 1));
}

gboolean
attn_cli_eval_word_times (AttnModel *model, const AttnEvalOptions *options, JsonBuilder *report,
                          GCancellable *cancellable, GError **error)
{
  int audio_col = options->input_column >= 0 ? options->input_column : 0;
  int ref_col = options->reference_column >= 0 ? options->reference_column : 1;
  int span_col = options->word_times_column;
  g_autoptr(GPtrArray) rows = attn_cli_eval_rows (options, MAX (audio_col, span_col), ref_col, "audio files",
                                                  "audio_path<TAB>transcript<TAB>…word spans", error);
  g_autofree char *data_abs = g_canonicalize_filename (options->data_path, NULL);
  g_autofree char *folder = g_path_get_dirname (data_abs);
  g_autofree TimingScore *per_head = NULL;
  g_autofree int *model_heads = NULL;
  g_autoptr(GString) predictions = g_string_new (NULL);
  TimingScore by_model = { 0 }, by_split = { 0 };
  double audio_seconds = 0;
  AttnRunOptions run = options->run;
  int layers = 0, heads = 0, n_model_heads = 0;

  if (rows == NULL)
    return FALSE;
  run.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_CROSS);
  run.max_new_tokens = 1;   /* the forced pass is what is timed; generate next to nothing */
  for (guint i = 0; i < rows->len; i++)
    {
      char **f = rows->pdata[i];
      g_autofree char *where = g_strdup_printf ("%s:%u", options->data_path, i + 1);
      g_autofree char *path = g_canonicalize_filename (f[audio_col], folder);
      g_auto(GStrv) words = g_strsplit_set (f[ref_col], " ", -1);
      g_autofree char *transcript = NULL;
      g_autoptr(GArray) spans = parse_spans (f[span_col], where, error);
      g_autoptr(AttnResult) r = NULL;
      g_autofree double *times = NULL;
      AttnInput input = { 0 };
      guint n_words = 0;

      if (spans == NULL)
        return FALSE;
      for (guint k = 0; words[k] != NULL; k++)   /* drop the empty fields of double spaces */
        if (words[k][0] != '\0')
          words[n_words++] = words[k];
        else
          g_free (words[k]);
      words[n_words] = NULL;
      transcript = g_strjoinv (" ", words);   /* the words, one space apart, are forced */
      if (n_words != spans->len / 2)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %u words but %u spans",
                       where, n_words, spans->len / 2);
          return FALSE;
        }
      input.audio_path = path;
      input.target = transcript;
      if ((r = attn_model_run (model, &input, &run, cancellable, NULL, NULL, error)) == NULL)
        {
          g_prefix_error (error, "%s: ", where);
          return FALSE;
        }
      if (per_head == NULL)
        {
          layers = r->attention[ATTN_KIND_CROSS]->layers;
          heads = r->attention[ATTN_KIND_CROSS]->heads;
          per_head = g_new0 (TimingScore, layers * heads);
          n_model_heads = r->n_alignment_heads;
          model_heads = g_memdup2 (r->alignment_heads, MAX (n_model_heads, 1) * 2 * sizeof (int));
        }
      times = g_new (double, 2 * n_words);
      if (!timed_words (r, NULL, 0, n_words, times, where, error))
        return FALSE;
      score_times (&by_model, times, (const double *) spans->data, n_words);
      for (guint k = 0; k < n_words; k++)
        g_string_append_printf (predictions, "%s%.2f-%.2f", k ? " " : "", times[2 * k], times[2 * k + 1]);
      g_string_append_c (predictions, '\n');
      for (int l = 0; l < layers; l++)
        for (int h = 0; h < heads; h++)
          {
            int lh[2] = { l, h };
            if (!timed_words (r, lh, 1, n_words, times, where, error))
              return FALSE;
            score_times (&per_head[l * heads + h], times, (const double *) spans->data, n_words);
          }
      audio_seconds += r->audio_seconds;
      letter_split (words, n_words, r->audio_seconds, times);
      score_times (&by_split, times, (const double *) spans->data, n_words);
    }

  if (options->predictions_path != NULL &&
      !g_file_set_contents (options->predictions_path, predictions->str, predictions->len, error))
    return FALSE;
  json_builder_set_member_name (report, "examples");
  json_builder_add_int_value (report, rows->len);
  json_builder_set_member_name (report, "audio_seconds");
  json_builder_add_double_value (report, audio_seconds);
  json_builder_set_member_name (report, "words");
  json_builder_add_int_value (report, by_model.words);
  json_builder_set_member_name (report, "alignment_heads");
  json_builder_begin_object (report);
  json_builder_set_member_name (report, "heads");
  json_builder_begin_array (report);
  for (int k = 0; k < n_model_heads; k++)
    {
      json_builder_begin_array (report);
      json_builder_add_int_value (report, model_heads[2 * k]);
      json_builder_add_int_value (report, model_heads[2 * k + 1]);
      json_builder_end_array (report);
    }
  json_builder_end_array (report);
  add_score (report, &by_model);
  json_builder_end_object (report);
  json_builder_set_member_name (report, "letter_split");
  json_builder_begin_object (report);
  add_score (report, &by_split);
  json_builder_end_object (report);
  json_builder_set_member_name (report, "each_head");
  json_builder_begin_array (report);
  for (int l = 0; l < layers; l++)
    for (int h = 0; h < heads; h++)
      {
        json_builder_begin_object (report);
        json_builder_set_member_name (report, "layer");
        json_builder_add_int_value (report, l);
        json_builder_set_member_name (report, "head");
        json_builder_add_int_value (report, h);
        add_score (report, &per_head[l * heads + h]);
        json_builder_end_object (report);
      }
  json_builder_end_array (report);
  return TRUE;
}
