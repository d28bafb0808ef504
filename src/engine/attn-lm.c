/* attn-lm.c — language-model text streams, loss measures and the induction-head
 * score (see attn-lm.h). */
#include "attn-lm.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"

static gboolean
append_document (AttnTokenizer *tok, GString *doc, gint32 separator, GArray *ids, int *n_docs,
                 GError **error)
{
  g_autoptr (AttnEncoding) enc = NULL;

  if (doc->len == 0)
    return TRUE;
  enc = attn_tokenizer_encode (tok, doc->str, NULL, FALSE, error);
  if (enc == NULL)
    return FALSE;
  g_array_append_vals (ids, enc->ids, enc->len);
  if (separator >= 0)
    g_array_append_val (ids, separator);
  (*n_docs)++;
  g_string_truncate (doc, 0);
  return TRUE;
}

GArray *
attn_lm_encode_text (AttnTokenizer *tok, const char *text, gssize len, gint32 separator,
                     int *n_docs, GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr (GString) doc = g_string_new (NULL);
  const char *p, *end;
  int docs = 0;

  if (len < 0)
    len = (gssize) strlen (text);
  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("The text is not valid UTF-8"));
      return NULL;
    }
  for (p = text, end = text + len; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      gsize n = line_end - p;

      if (n > 0 && p[n - 1] == '\r')
        n--;
      if (n == 0)
        {
          /* an empty line ends the document */
          if (!append_document (tok, doc, separator, ids, &docs, error))
            return NULL;
        }
      else
        {
          if (doc->len > 0)
            g_string_append_c (doc, '\n');
          g_string_append_len (doc, p, n);
        }
      p = nl != NULL ? nl + 1 : end;
    }
  if (!append_document (tok, doc, separator, ids, &docs, error))
    return NULL;
  if (n_docs != NULL)
    *n_docs = docs;
  return g_steal_pointer (&ids);
}

double
attn_lm_token_nll (const float *logits, int vocab, gint32 target)
{
  double mx = -G_MAXDOUBLE, se = 0;

  g_return_val_if_fail (target >= 0 && target < vocab, NAN);
  for (int j = 0; j < vocab; j++)
    mx = MAX (mx, (double) logits[j]);
  for (int j = 0; j < vocab; j++)
    se += exp ((double) logits[j] - mx);
  return mx + log (se) - logits[target];
}

double
attn_lm_perplexity (double nll_sum, gint64 tokens)
{
  return tokens > 0 ? exp (nll_sum / tokens) : 0.0;
}

double
attn_lm_bits_per_byte (double nll_sum, gint64 bytes)
{
  return bytes > 0 ? nll_sum / (bytes * G_LN2) : 0.0;
}

/* ---- induction heads ---- */

void
attn_induction_token_range (AttnTokenizer *tok, int *lo, int *hi)
{
  *lo = 0;
  *hi = (int) attn_tokenizer_vocab_size (tok);
  while (*lo < *hi && attn_tokenizer_is_special (tok, *lo))
    (*lo)++;
  while (*hi > *lo && attn_tokenizer_is_special (tok, *hi - 1))
    (*hi)--;
}

int
attn_induction_sequence (guint32 seed, int lo, int hi, int period, gint32 separator, gint32 *out)
{
  g_autoptr (GRand) rand = NULL;
  g_autoptr (GHashTable) used = NULL;
  int first = separator >= 0 ? 1 : 0;

  if (period < 1 || hi - lo < period)
    return -1;
  rand = g_rand_new_with_seed (seed);
  used = g_hash_table_new (g_direct_hash, g_direct_equal);
  if (separator >= 0)
    out[0] = separator;
  for (int i = 0; i < period; i++)
    {
      gint32 id;
      do
        id = g_rand_int_range (rand, lo, hi);
      while (g_hash_table_contains (used, GINT_TO_POINTER (id + 1)));
      g_hash_table_add (used, GINT_TO_POINTER (id + 1));
      out[first + i] = id;
      out[first + period + i] = id;
    }
  return first + 2 * period;
}

void
attn_offset_scores (const AttnWeights *w, int from, int to, int offset, double *scores)
{
  g_return_if_fail (from - offset >= 0 && to > from && to <= w->queries && w->queries <= w->keys);
  for (int l = 0; l < w->layers; l++)
    for (int h = 0; h < w->heads; h++)
      {
        const float *a = attn_weights_head (w, l, h);
        double s = 0;
        for (int i = from; i < to; i++)
          s += a[(gsize) i * w->keys + (i - offset)];
        scores[l * w->heads + h] = s / (to - from);
      }
}

void
attn_induction_scores (const AttnWeights *w, int first, int period, double *scores)
{
  g_return_if_fail (first >= 0 && period >= 1 && first + 2 * period <= w->queries);
  /* query i of the second copy looks at key i − period + 1 */
  attn_offset_scores (w, first + period, first + 2 * period, period - 1, scores);
}

void
attn_induction_copy_nll (const float *logits, int vocab, const gint32 *ids, int first,
                         int period, double *first_copy, double *second_copy)
{
  *first_copy = *second_copy = 0;
  for (int j = 1; j < period; j++)
    {
      int a = first + j, b = first + period + j;
      *first_copy += attn_lm_token_nll (logits + (gsize) (a - 1) * vocab, vocab, ids[a]);
      *second_copy += attn_lm_token_nll (logits + (gsize) (b - 1) * vocab, vocab, ids[b]);
    }
}
