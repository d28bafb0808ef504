/* attn-metrics.c — corpus BLEU, chrF, WER and CER (see attn-metrics.h). */
#include "attn-metrics.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------------------------
 * Text helpers
 * ------------------------------------------------------------------------------ */

/* Python's str.isspace (), which sacreBLEU's split () and rstrip () follow. */
static gboolean
py_isspace (gunichar c)
{
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0
      || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029
      || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Valid UTF-8 copy of `text` (NULL → ""), lower-cased on request. */
static char *
valid_text (const char *text, gboolean lowercase)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  if (lowercase)
    return g_utf8_strdown (valid, -1);
  return g_steal_pointer (&valid);
}

/* Splits on Python whitespace into a NULL-terminated vector of tokens. */
static GPtrArray *
split_py_whitespace (const char *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;
  const char *start = NULL;

  while (*p)
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);
      if (py_isspace (c))
        {
          if (start)
            g_ptr_array_add (tokens, g_strndup (start, p - start));
          start = NULL;
        }
      else if (!start)
        start = p;
      p = next;
    }
  if (start)
    g_ptr_array_add (tokens, g_strndup (start, p - start));
  return tokens;
}

static void
rstrip_py_whitespace (GString *s)
{
  while (s->len > 0)
    {
      const char *last = g_utf8_find_prev_char (s->str, s->str + s->len);
      if (!last || !py_isspace (g_utf8_get_char (last)))
        break;
      g_string_truncate (s, last - s->str);
    }
}

/* ---------------------------------------------------------------------------------
 * 13a tokenisation (mteval-v13a as in sacreBLEU). The regular expressions only ever
 * test ASCII bytes, and ASCII bytes never occur inside a multi-byte UTF-8 sequence,
 * so scanning bytes gives the same result as Python scanning code points.
 * ------------------------------------------------------------------------------ */

/* [\{-\~\[-\` -\&\(-\+\:-\@\/] */
static gboolean
is_13a_punct (guchar c)
{
  return (c >= 0x7b && c <= 0x7e) || (c >= 0x5b && c <= 0x60) || (c >= 0x20 && c <= 0x26)
      || (c >= 0x28 && c <= 0x2b) || (c >= 0x3a && c <= 0x40) || c == '/';
}

static gboolean
is_digit (guchar c)
{
  return c >= '0' && c <= '9';
}

char *
attn_bleu_tokenize_13a (const char *text)
{
  g_autofree char *valid = valid_text (text, FALSE);
  g_autoptr(GString) s = g_string_new (valid);
  g_autoptr(GString) a = NULL;
  g_autoptr(GString) b = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  gsize i;

  /* Language-independent part. */
  g_string_replace (s, "<skipped>", "", 0);
  g_string_replace (s, "-\n", "", 0);
  g_string_replace (s, "\n", " ", 0);
  if (strchr (s->str, '&'))
    {
      g_string_replace (s, "&quot;", "\"", 0);
      g_string_replace (s, "&amp;", "&", 0);
      g_string_replace (s, "&lt;", "<", 0);
      g_string_replace (s, "&gt;", ">", 0);
    }
  g_string_prepend_c (s, ' ');
  g_string_append_c (s, ' ');

  /* 1: punctuation and symbols → " c ". */
  a = g_string_sized_new (s->len * 2);
  for (i = 0; i < s->len; i++)
    {
      guchar c = s->str[i];
      if (is_13a_punct (c))
        {
          g_string_append_c (a, ' ');
          g_string_append_c (a, c);
          g_string_append_c (a, ' ');
        }
      else
        g_string_append_c (a, c);
    }

  /* 2: ([^0-9])([.,]) → "\1 \2 " (non-overlapping, left to right). */
  b = g_string_sized_new (a->len * 2);
  for (i = 0; i < a->len; )
    {
      guchar c = a->str[i];
      if (i + 1 < a->len && !is_digit (c) && (a->str[i + 1] == '.' || a->str[i + 1] == ','))
        {
          g_string_append_c (b, c);
          g_string_append_c (b, ' ');
          g_string_append_c (b, a->str[i + 1]);
          g_string_append_c (b, ' ');
          i += 2;
        }
      else
        {
          g_string_append_c (b, c);
          i++;
        }
    }

  /* 3: ([.,])([^0-9]) → " \1 \2". */
  g_string_truncate (a, 0);
  for (i = 0; i < b->len; )
    {
      guchar c = b->str[i];
      if (i + 1 < b->len && (c == '.' || c == ',') && !is_digit (b->str[i + 1]))
        {
          g_string_append_c (a, ' ');
          g_string_append_c (a, c);
          g_string_append_c (a, ' ');
          g_string_append_c (a, b->str[i + 1]);
          i += 2;
        }
      else
        {
          g_string_append_c (a, c);
          i++;
        }
    }

  /* 4: ([0-9])(-) → "\1 \2 ". */
  g_string_truncate (b, 0);
  for (i = 0; i < a->len; )
    {
      guchar c = a->str[i];
      if (i + 1 < a->len && is_digit (c) && a->str[i + 1] == '-')
        {
          g_string_append_c (b, c);
          g_string_append (b, " - ");
          i += 2;
        }
      else
        {
          g_string_append_c (b, c);
          i++;
        }
    }

  tokens = split_py_whitespace (b->str);
  g_ptr_array_add (tokens, NULL);
  return g_strjoinv (" ", (char **) tokens->pdata);
}

/* ---------------------------------------------------------------------------------
 * BLEU
 * ------------------------------------------------------------------------------ */

void
attn_bleu_options_init (AttnBleuOptions *opts)
{
  opts->smooth = ATTN_BLEU_SMOOTH_EXP;
  opts->smooth_value = -1.0;
  opts->lowercase = FALSE;
  opts->tokenize_13a = TRUE;
  opts->effective_order = FALSE;
}

/* Tokens of one segment as sacreBLEU prepares them: rstrip, optional lower-casing,
 * tokenisation, split on whitespace. */
static GPtrArray *
bleu_tokens (const char *text, const AttnBleuOptions *opts)
{
  g_autofree char *valid = valid_text (text, opts->lowercase);
  g_autoptr(GString) s = g_string_new (valid);
  g_autofree char *tokenized = NULL;

  rstrip_py_whitespace (s);
  if (opts->tokenize_13a)
    tokenized = attn_bleu_tokenize_13a (s->str);
  else
    tokenized = g_strdup (s->str);
  return split_py_whitespace (tokenized);
}

/* Counts the n-grams of each order 1..ATTN_BLEU_MAX_ORDER into tables[order - 1]
 * (keys: the tokens joined by spaces). */
static void
count_word_ngrams (GPtrArray *tokens, GHashTable **tables)
{
  for (guint n = 1; n <= ATTN_BLEU_MAX_ORDER; n++)
    for (guint i = 0; i + n <= tokens->len; i++)
      {
        g_autoptr(GString) key = g_string_new (g_ptr_array_index (tokens, i));
        gpointer old;
        for (guint k = 1; k < n; k++)
          {
            g_string_append_c (key, ' ');
            g_string_append (key, g_ptr_array_index (tokens, i + k));
          }
        old = g_hash_table_lookup (tables[n - 1], key->str);
        g_hash_table_insert (tables[n - 1], g_string_free (g_steal_pointer (&key), FALSE),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
      }
}

double
attn_bleu_full (const char *const *hyps, const char *const *refs, guint n,
                const AttnBleuOptions *opts, AttnBleuStats *stats)
{
  AttnBleuStats st = { 0 };
  double precisions[ATTN_BLEU_MAX_ORDER] = { 0 };
  double smooth_value, smooth_mteval = 1.0, log_sum = 0.0, score;
  guint eff_order = ATTN_BLEU_MAX_ORDER;
  gboolean any_correct = FALSE;

  for (guint s = 0; s < n; s++)
    {
      g_autoptr(GPtrArray) hyp = bleu_tokens (hyps[s], opts);
      g_autoptr(GPtrArray) ref = bleu_tokens (refs[s], opts);
      GHashTable *hyp_ngrams[ATTN_BLEU_MAX_ORDER];
      GHashTable *ref_ngrams[ATTN_BLEU_MAX_ORDER];

      for (guint k = 0; k < ATTN_BLEU_MAX_ORDER; k++)
        {
          hyp_ngrams[k] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          ref_ngrams[k] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        }
      count_word_ngrams (hyp, hyp_ngrams);
      count_word_ngrams (ref, ref_ngrams);
      st.sys_len += hyp->len;
      st.ref_len += ref->len;

      for (guint k = 0; k < ATTN_BLEU_MAX_ORDER; k++)
        {
          GHashTableIter iter;
          gpointer key, value;
          g_hash_table_iter_init (&iter, hyp_ngrams[k]);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              guint h = GPOINTER_TO_UINT (value);
              guint r = GPOINTER_TO_UINT (g_hash_table_lookup (ref_ngrams[k], key));
              st.correct[k] += MIN (h, r);
              st.total[k] += h;
            }
          g_hash_table_unref (hyp_ngrams[k]);
          g_hash_table_unref (ref_ngrams[k]);
        }
    }

  if (st.sys_len < st.ref_len)
    st.bp = st.sys_len > 0 ? exp (1.0 - (double) st.ref_len / (double) st.sys_len) : 0.0;
  else
    st.bp = 1.0;

  for (guint k = 0; k < ATTN_BLEU_MAX_ORDER; k++)
    any_correct |= st.correct[k] > 0;

  smooth_value = opts->smooth_value;
  if (smooth_value < 0)
    smooth_value = opts->smooth == ATTN_BLEU_SMOOTH_FLOOR ? 0.1 : 1.0;

  /* No match of any order: 0, whatever the smoothing (as sacreBLEU 2). */
  if (!any_correct)
    {
      memset (st.precisions, 0, sizeof st.precisions);
      if (stats)
        *stats = st;
      return 0.0;
    }

  for (guint k = 0; k < ATTN_BLEU_MAX_ORDER; k++)
    {
      double correct = (double) st.correct[k];
      double total = (double) st.total[k];
      if (opts->smooth == ATTN_BLEU_SMOOTH_ADD_K && k > 0)
        {
          correct += smooth_value;
          total += smooth_value;
        }
      if (total == 0.0)
        break;
      if (opts->effective_order)
        eff_order = k + 1;
      if (correct == 0.0)
        {
          if (opts->smooth == ATTN_BLEU_SMOOTH_EXP)
            {
              smooth_mteval *= 2.0;
              precisions[k] = 100.0 / (smooth_mteval * total);
            }
          else if (opts->smooth == ATTN_BLEU_SMOOTH_FLOOR)
            precisions[k] = 100.0 * smooth_value / total;
        }
      else
        precisions[k] = 100.0 * correct / total;
    }

  for (guint k = 0; k < eff_order; k++)
    {
      if (precisions[k] <= 0.0)
        {
          log_sum = -INFINITY;
          break;
        }
      log_sum += log (precisions[k]);
    }
  score = isinf (log_sum) ? 0.0 : st.bp * exp (log_sum / eff_order);

  memcpy (st.precisions, precisions, sizeof precisions);
  if (stats)
    *stats = st;
  return score;
}

double
attn_bleu (const char *const *hyps, const char *const *refs, guint n, AttnBleuStats *stats)
{
  AttnBleuOptions opts;
  attn_bleu_options_init (&opts);
  return attn_bleu_full (hyps, refs, n, &opts, stats);
}

/* ---------------------------------------------------------------------------------
 * chrF
 * ------------------------------------------------------------------------------ */

void
attn_chrf_options_init (AttnChrfOptions *opts)
{
  opts->char_order = 6;
  opts->beta = 2.0;
  opts->whitespace = FALSE;
  opts->lowercase = FALSE;
}

/* The text chrF counts: valid UTF-8, optionally lower-cased, whitespace removed unless
 * kept. `offsets` receives the byte offset of each code point plus the end. */
static char *
chrf_text (const char *text, const AttnChrfOptions *opts, GArray *offsets)
{
  g_autofree char *valid = valid_text (text, opts->lowercase);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint off = out->len;
      if (!opts->whitespace && py_isspace (c))
        continue;
      g_array_append_val (offsets, off);
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  g_array_append_val (offsets, out->len);
  return g_string_free (out, FALSE);
}

static GHashTable *
count_char_ngrams (const char *text, GArray *offsets, guint order)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_chars = offsets->len - 1;
  for (guint i = 0; i + order <= n_chars; i++)
    {
      guint start = g_array_index (offsets, guint, i);
      guint end = g_array_index (offsets, guint, i + order);
      char *key = g_strndup (text + start, end - start);
      gpointer old = g_hash_table_lookup (table, key);
      g_hash_table_insert (table, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
    }
  return table;
}

double
attn_chrf_full (const char *const *hyps, const char *const *refs, guint n,
                const AttnChrfOptions *opts, AttnChrfStats *stats)
{
  AttnChrfStats st = { 0 };
  double avg_p = 0.0, avg_r = 0.0, beta2, score;

  if (opts->char_order == 0 || opts->char_order > ATTN_CHRF_MAX_ORDER)
    return -1.0;

  for (guint s = 0; s < n; s++)
    {
      g_autoptr(GArray) hyp_off = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr(GArray) ref_off = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autofree char *hyp = chrf_text (hyps[s], opts, hyp_off);
      g_autofree char *ref = chrf_text (refs[s], opts, ref_off);

      for (guint k = 0; k < opts->char_order; k++)
        {
          g_autoptr(GHashTable) h = count_char_ngrams (hyp, hyp_off, k + 1);
          g_autoptr(GHashTable) r = count_char_ngrams (ref, ref_off, k + 1);
          guint n_hyp = hyp_off->len - 1, n_ref = ref_off->len - 1;
          GHashTableIter iter;
          gpointer key, value;

          st.hyp[k] += n_hyp >= k + 1 ? n_hyp - k : 0;
          st.ref[k] += n_ref >= k + 1 ? n_ref - k : 0;
          g_hash_table_iter_init (&iter, h);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              guint hc = GPOINTER_TO_UINT (value);
              guint rc = GPOINTER_TO_UINT (g_hash_table_lookup (r, key));
              st.match[k] += MIN (hc, rc);
            }
        }
    }

  /* Precision and recall averaged over the orders where both sides have n-grams
   * (sacreBLEU's default, without eps smoothing). */
  for (guint k = 0; k < opts->char_order; k++)
    if (st.hyp[k] > 0 && st.ref[k] > 0)
      {
        avg_p += (double) st.match[k] / (double) st.hyp[k];
        avg_r += (double) st.match[k] / (double) st.ref[k];
        st.effective_order++;
      }
  if (st.effective_order > 0)
    {
      avg_p /= st.effective_order;
      avg_r /= st.effective_order;
    }
  beta2 = opts->beta * opts->beta;
  if (avg_p + avg_r == 0.0)
    score = 0.0;
  else
    score = 100.0 * (1.0 + beta2) * avg_p * avg_r / (beta2 * avg_p + avg_r);

  st.precision = 100.0 * avg_p;
  st.recall = 100.0 * avg_r;
  if (stats)
    *stats = st;
  return score;
}

double
attn_chrf (const char *const *hyps, const char *const *refs, guint n, AttnChrfStats *stats)
{
  AttnChrfOptions opts;
  attn_chrf_options_init (&opts);
  return attn_chrf_full (hyps, refs, n, &opts, stats);
}

/* ---------------------------------------------------------------------------------
 * WER and CER
 * ------------------------------------------------------------------------------ */

static gboolean
is_apostrophe (gunichar c)
{
  return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02bc;
}

char *
attn_metrics_normalize (const char *text)
{
  g_autofree char *lower = valid_text (text, TRUE);
  GString *out = g_string_sized_new (strlen (lower));
  gboolean pending_space = FALSE;

  for (const char *p = lower; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (is_apostrophe (c))
        continue;
      if (py_isspace (c) || g_unichar_isspace (c) || g_unichar_ispunct (c))
        {
          pending_space = out->len > 0;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

typedef struct {
  guint32 cost, sub, del, ins;
} EditCell;

/* Adds the edits of one optimal alignment of hyp against ref to `st`. Two rows of
 * cells; each carries the counts of the path that reached it. */
static void
align_units (const guint32 *ref, guint n_ref, const guint32 *hyp, guint n_hyp, AttnEditStats *st)
{
  g_autofree EditCell *prev = g_new0 (EditCell, n_hyp + 1);
  g_autofree EditCell *cur = g_new0 (EditCell, n_hyp + 1);
  EditCell last;

  for (guint j = 1; j <= n_hyp; j++)
    prev[j] = (EditCell) { j, 0, 0, j };
  for (guint i = 1; i <= n_ref; i++)
    {
      cur[0] = (EditCell) { i, 0, i, 0 };
      for (guint j = 1; j <= n_hyp; j++)
        {
          guint32 diff = ref[i - 1] != hyp[j - 1];
          EditCell diag = prev[j - 1], del = prev[j], ins = cur[j - 1];
          diag.cost += diff;
          diag.sub += diff;
          del.cost += 1;
          del.del += 1;
          ins.cost += 1;
          ins.ins += 1;
          if (diag.cost <= del.cost && diag.cost <= ins.cost)
            cur[j] = diag;
          else if (del.cost <= ins.cost)
            cur[j] = del;
          else
            cur[j] = ins;
        }
      memcpy (prev, cur, (n_hyp + 1) * sizeof (EditCell));
    }
  last = prev[n_hyp];
  if (n_ref == 0)
    last = (EditCell) { n_hyp, 0, 0, n_hyp };
  st->substitutions += last.sub;
  st->deletions += last.del;
  st->insertions += last.ins;
  st->hits += n_ref - last.sub - last.del;
  st->ref_len += n_ref;
  st->hyp_len += n_hyp;
}

static double
edit_rate (const AttnEditStats *st)
{
  guint64 edits = st->substitutions + st->deletions + st->insertions;
  if (st->ref_len == 0)
    return edits == 0 ? 0.0 : 100.0;
  return 100.0 * (double) edits / (double) st->ref_len;
}

/* Words of a normalised text as ids interned in `vocab`. */
static GArray *
word_ids (const char *text, GHashTable *vocab)
{
  g_autofree char *norm = attn_metrics_normalize (text);
  g_auto(GStrv) words = g_strsplit (norm, " ", -1);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; words[i]; i++)
    {
      gpointer id;
      if (!*words[i])
        continue;
      if (!g_hash_table_lookup_extended (vocab, words[i], NULL, &id))
        {
          id = GUINT_TO_POINTER (g_hash_table_size (vocab));
          g_hash_table_insert (vocab, g_strdup (words[i]), id);
        }
      g_array_append_vals (ids, &(guint32) { GPOINTER_TO_UINT (id) }, 1);
    }
  return ids;
}

static GArray *
char_ids (const char *text)
{
  g_autofree char *norm = attn_metrics_normalize (text);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (const char *p = norm; *p; p = g_utf8_next_char (p))
    g_array_append_vals (ids, &(guint32) { g_utf8_get_char (p) }, 1);
  return ids;
}

double
attn_wer (const char *const *hyps, const char *const *refs, guint n, AttnEditStats *stats)
{
  AttnEditStats st = { 0 };
  g_autoptr(GHashTable) vocab = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint s = 0; s < n; s++)
    {
      g_autoptr(GArray) r = word_ids (refs[s], vocab);
      g_autoptr(GArray) h = word_ids (hyps[s], vocab);
      align_units ((guint32 *) r->data, r->len, (guint32 *) h->data, h->len, &st);
    }
  if (stats)
    *stats = st;
  return edit_rate (&st);
}

double
attn_cer (const char *const *hyps, const char *const *refs, guint n, AttnEditStats *stats)
{
  AttnEditStats st = { 0 };

  for (guint s = 0; s < n; s++)
    {
      g_autoptr(GArray) r = char_ids (refs[s]);
      g_autoptr(GArray) h = char_ids (hyps[s]);
      align_units ((guint32 *) r->data, r->len, (guint32 *) h->data, h->len, &st);
    }
  if (stats)
    *stats = st;
  return edit_rate (&st);
}
