/* attn-timing.c — word timings from cross-attention by dynamic time warping. */
#include "attn-timing.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

int
attn_dtw (const float *x, int n, int m, int *path_i, int *path_j)
{
  g_autofree double *cost = g_new (double, (gsize) (n + 1) * (m + 1));
  g_autofree guint8 *trace = g_new (guint8, (gsize) (n + 1) * (m + 1));
  int i, j, len = 0;
#define C(a, b) cost[(gsize) (a) * (m + 1) + (b)]
#define T(a, b) trace[(gsize) (a) * (m + 1) + (b)]
  for (gsize k = 0; k < (gsize) (n + 1) * (m + 1); k++)
    {
      cost[k] = INFINITY;
      trace[k] = 2;
    }
  C (0, 0) = 0;
  for (j = 1; j <= m; j++)
    for (i = 1; i <= n; i++)
      {
        double c0 = C (i - 1, j - 1), c1 = C (i - 1, j), c2 = C (i, j - 1), c;
        guint8 t;
        if (c0 < c1 && c0 < c2)
          c = c0, t = 0;
        else if (c1 < c0 && c1 < c2)
          c = c1, t = 1;
        else
          c = c2, t = 2;
        C (i, j) = x[(gsize) (i - 1) * m + (j - 1)] + c;
        T (i, j) = t;
      }
  for (j = 0; j <= m; j++)
    T (0, j) = 2;
  for (i = 0; i <= n; i++)
    T (i, 0) = 1;
  i = n;
  j = m;
  while (i > 0 || j > 0)
    {
      guint8 t;
      path_i[len] = i - 1;
      path_j[len] = j - 1;
      len++;
      t = T (i, j);
      if (t == 0)
        i--, j--;
      else if (t == 1)
        i--;
      else
        j--;
    }
#undef C
#undef T
  /* reverse into time order */
  for (int a = 0, b = len - 1; a < b; a++, b--)
    {
      int ti = path_i[a], tj = path_j[a];
      path_i[a] = path_i[b];
      path_j[a] = path_j[b];
      path_i[b] = ti;
      path_j[b] = tj;
    }
  return len;
}

static int
float_cmp (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* Median of `width` values along each row, reflecting at the edges. */
static void
median_filter_rows (float *x, int rows, int cols, int width)
{
  int pad = width / 2;
  g_autofree float *row = g_new (float, cols);
  float win[64];
  if (cols <= pad)
    return;
  for (int r = 0; r < rows; r++)
    {
      memcpy (row, x + (gsize) r * cols, cols * sizeof (float));
      for (int c = 0; c < cols; c++)
        {
          for (int k = -pad; k <= pad; k++)
            {
              int s = c + k;
              if (s < 0)
                s = -s;
              if (s >= cols)
                s = 2 * (cols - 1) - s;
              win[k + pad] = row[s];
            }
          qsort (win, width, sizeof (float), float_cmp);
          x[(gsize) r * cols + c] = win[pad];
        }
    }
}

/* The tokens that get times: a forced transcript after its prompt, else what was
 * generated. *offset: the index of the first timed token in the sequence; *first: the
 * cross-attention row that predicted it; *count: how many are timed. */
static const AttnTokenSeq *
timed_tokens (const AttnResult *r, int *offset, int *first, int *count)
{
  const AttnTokenSeq *seq = r->target_forced ? &r->target : &r->generated;

  *offset = r->target_forced ? MAX (r->decoder_prompt_len, 1) : 0;
  *first = r->target_forced ? *offset - 1 : r->decoder_prompt_len - 1;
  *count = MAX ((int) seq->len - *offset, 0);
  return seq;
}

int
attn_timed_token_count (const AttnResult *r)
{
  int offset, first, count;
  timed_tokens (r, &offset, &first, &count);
  return count;
}

gboolean
attn_token_times (const AttnResult *r, const int *heads, int n_heads, double *starts, double *ends, GError **error)
{
  const AttnWeights *cross = r->attention[ATTN_KIND_CROSS];
  int offset, first, G, N, F, len;
  g_autofree float *matrix = NULL;
  g_autofree int *pi = NULL, *pj = NULL;
  g_autofree double *jump = NULL;

  timed_tokens (r, &offset, &first, &G);
  if (heads == NULL)
    {
      heads = r->alignment_heads;
      n_heads = r->n_alignment_heads;
    }
  if (cross == NULL || r->audio_seconds <= 0 || n_heads < 1 || first < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("Word timings need a speech result with its cross-attention recorded"));
      return FALSE;
    }
  if (G == 0)
    return TRUE;
  if (first + G > cross->queries)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("The recorded cross-attention does not cover the transcript's tokens"));
      return FALSE;
    }
  /* a forced transcript's last row predicts the end token: it takes the silence after
   * the last word, as the end token's row does for a generated transcript */
  N = G + (r->target_forced && first + G < cross->queries);
  F = MIN (cross->keys, (int) ceil (r->audio_seconds / ATTN_SECONDS_PER_FRAME));
  F = MAX (F, 1);
  matrix = g_new0 (float, (gsize) N * F);
  for (int k = 0; k < n_heads; k++)
    {
      int l = heads[2 * k], h = heads[2 * k + 1];
      g_autofree float *w = g_new (float, (gsize) N * F);
      const float *a;
      if (l < 0 || l >= cross->layers || h < 0 || h >= cross->heads)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("Alignment head %d/%d does not exist"), l, h);
          return FALSE;
        }
      a = attn_weights_head (cross, l, h);
      /* the weights over the frames that hold audio, renormalised */
      for (int t = 0; t < N; t++)
        {
          const float *row = a + (gsize) (first + t) * cross->keys;
          double s = 0;
          for (int f = 0; f < F; f++)
            s += row[f];
          for (int f = 0; f < F; f++)
            w[(gsize) t * F + f] = s > 0 ? (float) (row[f] / s) : 0.0f;
        }
      /* standardise each frame over the tokens */
      for (int f = 0; f < F; f++)
        {
          double mean = 0, var = 0, sd;
          for (int t = 0; t < N; t++)
            mean += w[(gsize) t * F + f];
          mean /= N;
          for (int t = 0; t < N; t++)
            var += (w[(gsize) t * F + f] - mean) * (w[(gsize) t * F + f] - mean);
          sd = sqrt (var / N);
          for (int t = 0; t < N; t++)
            w[(gsize) t * F + f] = sd > 0 ? (float) ((w[(gsize) t * F + f] - mean) / sd) : 0.0f;
        }
      median_filter_rows (w, N, F, 7);
      for (gsize i = 0; i < (gsize) N * F; i++)
        matrix[i] += w[i] / n_heads;
    }
  for (gsize i = 0; i < (gsize) N * F; i++)
    matrix[i] = -matrix[i];
  pi = g_new (int, N + F);
  pj = g_new (int, N + F);
  len = attn_dtw (matrix, N, F, pi, pj);
  /* a token starts where the path first reaches its row */
  jump = g_new (double, N + 1);
  for (int t = 0; t <= N; t++)
    jump[t] = -1;
  for (int k = 0; k < len; k++)
    if (pi[k] >= 0 && jump[pi[k]] < 0)
      jump[pi[k]] = pj[k] * ATTN_SECONDS_PER_FRAME;
  jump[N] = F * ATTN_SECONDS_PER_FRAME;
  for (int t = 0; t < G; t++)
    {
      starts[t] = jump[t] < 0 ? (t > 0 ? starts[t - 1] : 0) : jump[t];
      ends[t] = jump[t + 1] >= 0 ? jump[t + 1] : starts[t];
    }
  return TRUE;
}

void
attn_word_times_free (GArray *words)
{
  for (guint i = 0; i < words->len; i++)
    g_free (g_array_index (words, AttnWordTime, i).text);
  g_array_unref (words);
}

GArray *
attn_word_times (const AttnResult *r, GError **error)
{
  return attn_word_times_for_heads (r, NULL, 0, error);
}

GArray *
attn_word_times_for_heads (const AttnResult *r, const int *heads, int n_heads, GError **error)
{
  int offset, first, G;
  const AttnTokenSeq *seq = timed_tokens (r, &offset, &first, &G);
  g_autofree double *starts = g_new (double, MAX (G, 1));
  g_autofree double *ends = g_new (double, MAX (G, 1));
  GArray *words = g_array_new (FALSE, TRUE, sizeof (AttnWordTime));
  AttnWordTime *cur = NULL;

  if (!attn_token_times (r, heads, n_heads, starts, ends, error))
    {
      g_array_unref (words);
      return NULL;
    }
  for (int t = 0; t < G; t++)
    {
      const char *disp = seq->display ? seq->display[offset + t] : seq->tokens[offset + t];
      if (seq->special[offset + t] || disp == NULL || *disp == '\0')
        {
          cur = NULL;
          continue;
        }
      if (cur == NULL || disp[0] == ' ')
        {
          AttnWordTime w = { g_strdup (""), starts[t], ends[t], t, 0 };
          g_array_append_val (words, w);
          cur = &g_array_index (words, AttnWordTime, words->len - 1);
        }
      {
        char *joined = g_strconcat (cur->text, disp, NULL);
        g_free (cur->text);
        cur->text = joined;
      }
      cur->end = ends[t];
      cur->n_tokens++;
    }
  for (guint i = 0; i < words->len; i++)
    g_strstrip (g_array_index (words, AttnWordTime, i).text);
  return words;
}

static void
vtt_time (GString *s, double t)
{
  int ms = (int) lround (t * 1000);
  g_string_append_printf (s, "%02d:%02d:%02d.%03d", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

char *
attn_words_to_webvtt (const GArray *words)
{
  GString *s = g_string_new ("WEBVTT\n\n");
  for (guint i = 0; i < words->len; i++)
    {
      const AttnWordTime *w = &g_array_index (words, AttnWordTime, i);
      g_string_append_printf (s, "%u\n", i + 1);
      vtt_time (s, w->start);
      g_string_append (s, " --> ");
      vtt_time (s, MAX (w->end, w->start));
      g_string_append_printf (s, "\n%s\n\n", w->text);
    }
  return g_string_free (s, FALSE);
}

char *
attn_words_to_json (const GArray *words)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "words");
  json_builder_begin_array (b);
  for (guint i = 0; i < words->len; i++)
    {
      const AttnWordTime *w = &g_array_index (words, AttnWordTime, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "word");
      json_builder_add_string_value (b, w->text);
      json_builder_set_member_name (b, "start");
      json_builder_add_double_value (b, round (w->start * 1000) / 1000);
      json_builder_set_member_name (b, "end");
      json_builder_add_double_value (b, round (w->end * 1000) / 1000);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}
