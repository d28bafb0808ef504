/* attn-tokenizer-train.c — byte-level BPE and WordPiece vocabularies learned from text
 * (see attn-tokenizer-train.h).
 *
 * Texts go through the engine's own normaliser and pre-tokenizer objects, so the
 * words counted here are exactly the words the loaded tokenizer will see. The merge
 * loop keeps, for every adjacent symbol pair, its count over the corpus and the words
 * it occurs in; a binary heap ordered by (count desc, left asc, right asc) with lazy
 * re-validation picks the next merge, and only the words that contain the merged pair
 * are rewritten. */
#include "attn-tokenizer-train.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "attn-error.h"
#include "attn-tokenizer-private.h"
#include "attn-tokenizer-train-private.h"

static const char *const bpe_specials[] = { "<|endoftext|>" };
static const char *const wordpiece_specials[] = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
static const char *const unigram_specials[] = { "</s>", "<unk>", "<pad>" };
#define UNIGRAM_MAX_PIECE_CHARS 16
#define WP_PREFIX "##"

/* One distinct pre-tokenised word: its symbols (token ids) and how often it occurs. */
typedef struct {
  gint32 *syms;
  guint   len;
  guint   stamp;      /* the merge that last rewrote it */
  guint64 count;
} Word;

/* Count and occurrences of one adjacent pair (left << 32 | right). */
typedef struct {
  guint64 key;
  guint64 count;
  GArray *where;      /* guint word indices; may repeat */
} PairStat;

typedef struct {
  guint64 count;
  gint32  left, right;
} HeapEntry;


/* ---- set-up ---------------------------------------------------------------- */

void
attn_tokenizer_train_options_init (AttnTokenizerTrainOptions *opts, AttnTokenizerKind kind)
{
  memset (opts, 0, sizeof *opts);
  opts->kind = kind;
  opts->vocab_size = 8000;
  opts->min_frequency = 2;
  opts->cased = FALSE;
  opts->max_alphabet = 1000;
  opts->character_coverage = 1.0;
  opts->extra_specials = NULL;
  opts->tsv_column = -1;
}

AttnTokenizerTrainer *
attn_tokenizer_trainer_new (const AttnTokenizerTrainOptions *opts)
{
  AttnTokenizerTrainer *t = g_new0 (AttnTokenizerTrainer, 1);

  t->opts = *opts;
  t->extra_specials = g_strdupv ((char **) opts->extra_specials);
  t->opts.extra_specials = (const char *const *) t->extra_specials;
  t->word_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->normalizers = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_normalizer_free);
  t->pretoks = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_pretok_free);
  t->tokens = g_ptr_array_new_with_free_func (g_free);
  t->token_ids = g_hash_table_new (g_str_hash, g_str_equal);
  t->merges = g_array_new (FALSE, FALSE, sizeof (gint32));
  t->scores = g_array_new (FALSE, FALSE, sizeof (double));

  if (opts->kind == ATTN_TOKENIZER_KIND_UNIGRAM)
    {
      AttnNormalizer *nm = g_new0 (AttnNormalizer, 1);
      AttnPreTokenizer *pt = attn_pretok_new (ATTN_PRE_METASPACE);
      nm->kind = ATTN_NORM_NFKC;
      g_ptr_array_add (t->normalizers, nm);
      pt->replacement = g_strdup (METASPACE);
      pt->prepend = ATTN_PREPEND_ALWAYS;
      pt->split = TRUE;
      g_ptr_array_add (t->pretoks, pt);
    }
  else if (opts->kind == ATTN_TOKENIZER_KIND_WORDPIECE)
    {
      AttnNormalizer *nm = g_new0 (AttnNormalizer, 1);
      nm->kind = ATTN_NORM_BERT;
      nm->clean_text = TRUE;
      nm->chinese_chars = TRUE;
      nm->lowercase = !opts->cased;
      nm->strip_accents = !opts->cased;
      g_ptr_array_add (t->normalizers, nm);
      g_ptr_array_add (t->pretoks, attn_pretok_new (ATTN_PRE_BERT));
    }
  else
    {
      AttnPreTokenizer *pt = attn_pretok_new (ATTN_PRE_BYTELEVEL);
      pt->add_prefix_space = FALSE;
      pt->use_regex = TRUE;
      g_ptr_array_add (t->pretoks, pt);
    }
  return t;
}

void
attn_tokenizer_trainer_free (AttnTokenizerTrainer *t)
{
  if (t == NULL)
    return;
  g_hash_table_unref (t->word_counts);
  g_ptr_array_unref (t->normalizers);
  g_ptr_array_unref (t->pretoks);
  g_hash_table_unref (t->token_ids);
  g_ptr_array_unref (t->tokens);
  g_array_unref (t->merges);
  g_array_unref (t->scores);
  g_strfreev (t->extra_specials);
  g_free (t);
}

/* ---- counting words ---------------------------------------------------------- */

gboolean
attn_tokenizer_trainer_feed (AttnTokenizerTrainer *t, const char *text, gssize len,
                             GError **error)
{
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_nstr_free);
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  AttnNStr *s;

  if (!g_utf8_validate_len (text, n, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("the training text is not valid UTF-8"));
      return FALSE;
    }
  if (n == 0)
    return TRUE;
  s = attn_nstr_new_text (text, n, 0);
  for (guint i = 0; i < t->normalizers->len; i++)
    s = attn_normalizer_apply (g_ptr_array_index (t->normalizers, i), s);
  g_ptr_array_add (pieces, s);
  for (guint i = 0; i < t->pretoks->len; i++)
    attn_pretok_apply (g_ptr_array_index (t->pretoks, i), pieces, TRUE);

  for (guint i = 0; i < pieces->len; i++)
    {
      const AttnNStr *w = g_ptr_array_index (pieces, i);
      guint64 *count;
      if (w->len == 0)
        continue;
      count = g_hash_table_lookup (t->word_counts, w->s);
      if (count == NULL)
        {
          count = g_new0 (guint64, 1);
          g_hash_table_insert (t->word_counts, g_strndup (w->s, w->len), count);
        }
      (*count)++;
    }
  t->trained = FALSE;
  return TRUE;
}

gboolean
attn_tokenizer_trainer_feed_file (AttnTokenizerTrainer *t, const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  gsize length;
  gboolean tsv = g_str_has_suffix (path, ".tsv");
  char *line, *next;
  guint lineno = 0;

  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, _("%s: %s"), path, local->message);
      return FALSE;
    }
  if (memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s: not a text file (it contains NUL bytes)"),
                   path);
      return FALSE;
    }
  for (line = contents; line != NULL && *line; line = next)
    {
      char *end = strchr (line, '\n');
      next = end != NULL ? end + 1 : NULL;
      if (end != NULL)
        *end = '\0';
      else
        end = line + strlen (line);
      if (end > line && end[-1] == '\r')
        *--end = '\0';
      lineno++;
      if (tsv)
        {
          int col = 0;
          if (t->opts.tsv_column >= 0 && *line == '\0')
            continue;   /* blank lines, as the corpus readers skip them */
          for (char *field = line; field != NULL; col++)
            {
              char *tab = strchr (field, '\t');
              if (tab != NULL)
                *tab = '\0';
              if ((t->opts.tsv_column < 0 || col == t->opts.tsv_column)
                  && !attn_tokenizer_trainer_feed (t, field, -1, &local))
                {
                  g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s:%u: %s"), path, lineno,
                               local->message);
                  return FALSE;
                }
              field = tab != NULL ? tab + 1 : NULL;
            }
          if (t->opts.tsv_column >= col)
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                           g_dngettext (GETTEXT_PACKAGE, "%s:%u: has %d field, no field %d (fields count from 0)",
                                        "%s:%u: has %d fields, no field %d (fields count from 0)", col),
                           path, lineno, col, t->opts.tsv_column);
              return FALSE;
            }
        }
      else if (!attn_tokenizer_trainer_feed (t, line, end - line, &local))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("%s:%u: %s"), path, lineno, local->message);
          return FALSE;
        }
    }
  return TRUE;
}

guint
attn_tokenizer_trainer_n_words (AttnTokenizerTrainer *t)
{
  return g_hash_table_size (t->word_counts);
}

/* ---- vocabulary ---------------------------------------------------------------- */

gint32
attn_tokenizer_trainer_lookup (AttnTokenizerTrainer *t, const char *s)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (t->token_ids, s)) - 1;
}

/* The id of `s`, added at the end when new (takes ownership of s). */
static gint32
token_intern (AttnTokenizerTrainer *t, char *s)
{
  gint32 id = attn_tokenizer_trainer_lookup (t, s);
  if (id >= 0)
    {
      g_free (s);
      return id;
    }
  id = (gint32) t->tokens->len;
  g_ptr_array_add (t->tokens, s);
  g_hash_table_insert (t->token_ids, s, GINT_TO_POINTER (id + 1));
  return id;
}

static void
reset_vocab (AttnTokenizerTrainer *t)
{
  g_hash_table_remove_all (t->token_ids);
  g_ptr_array_set_size (t->tokens, 0);
  g_array_set_size (t->merges, 0);
  g_array_set_size (t->scores, 0);
  t->n_special = 0;
}

guint
attn_tokenizer_trainer_vocab_size (AttnTokenizerTrainer *t)
{
  return t->tokens->len;
}

/* ---- the merge heap ---------------------------------------------------------- */

typedef struct {
  GArray            *entries;   /* HeapEntry */
  const GPtrArray   *tokens;
} Heap;

/* TRUE when a should be merged before b. */
static gboolean
heap_before (const Heap *h, const HeapEntry *a, const HeapEntry *b)
{
  int c;
  if (a->count != b->count)
    return a->count > b->count;
  c = strcmp (g_ptr_array_index (h->tokens, a->left), g_ptr_array_index (h->tokens, b->left));
  if (c != 0)
    return c < 0;
  return strcmp (g_ptr_array_index (h->tokens, a->right), g_ptr_array_index (h->tokens, b->right)) < 0;
}

static void
heap_push (Heap *h, guint64 count, gint32 left, gint32 right)
{
  HeapEntry e = { count, left, right };
  HeapEntry *d;
  guint i;

  g_array_append_val (h->entries, e);
  d = (HeapEntry *) h->entries->data;
  for (i = h->entries->len - 1; i > 0; )
    {
      guint parent = (i - 1) / 2;
      HeapEntry tmp;
      if (!heap_before (h, &d[i], &d[parent]))
        break;
      tmp = d[i];
      d[i] = d[parent];
      d[parent] = tmp;
      i = parent;
    }
}

static gboolean
heap_pop (Heap *h, HeapEntry *out)
{
  HeapEntry *d = (HeapEntry *) h->entries->data;
  guint n = h->entries->len, i = 0;

  if (n == 0)
    return FALSE;
  *out = d[0];
  d[0] = d[n - 1];
  g_array_set_size (h->entries, --n);
  d = (HeapEntry *) h->entries->data;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, best = i;
      HeapEntry tmp;
      if (l < n && heap_before (h, &d[l], &d[best]))
        best = l;
      if (r < n && heap_before (h, &d[r], &d[best]))
        best = r;
      if (best == i)
        break;
      tmp = d[i];
      d[i] = d[best];
      d[best] = tmp;
      i = best;
    }
  return TRUE;
}

/* ---- pair statistics ------------------------------------------------------------ */

static guint64
pair_key (gint32 left, gint32 right)
{
  return ((guint64) (guint32) left << 32) | (guint32) right;
}

static void
pair_stat_free (PairStat *p)
{
  g_array_unref (p->where);
  g_free (p);
}

static PairStat *
pair_get (GHashTable *pairs, gint32 left, gint32 right)
{
  guint64 key = pair_key (left, right);
  PairStat *p = g_hash_table_lookup (pairs, &key);
  if (p == NULL)
    {
      p = g_new0 (PairStat, 1);
      p->key = key;
      p->where = g_array_new (FALSE, FALSE, sizeof (guint));
      g_hash_table_insert (pairs, &p->key, p);
    }
  return p;
}

/* ---- building the training words ------------------------------------------------ */

typedef struct {
  gunichar c;
  guint64  count;
} CharCount;

static int
cmp_char_count (gconstpointer a, gconstpointer b)
{
  const CharCount *x = a, *y = b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return x->c < y->c ? -1 : x->c > y->c;
}

static int
cmp_gunichar (gconstpointer a, gconstpointer b)
{
  gunichar x = *(const gunichar *) a, y = *(const gunichar *) b;
  return x < y ? -1 : x > y;
}

static int
cmp_str_ptr (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Appends the extra special tokens that are not tokens yet (a score of 0 each when
 * scores is given). */
static void
intern_extra_specials (AttnTokenizerTrainer *t, GArray *scores)
{
  for (guint i = 0; t->extra_specials != NULL && t->extra_specials[i] != NULL; i++)
    if (attn_tokenizer_trainer_lookup (t, t->extra_specials[i]) < 0)
      {
        double zero = 0.0;
        token_intern (t, g_strdup (t->extra_specials[i]));
        if (scores != NULL)
          g_array_append_val (scores, zero);
      }
}

/* Registers the special tokens and the alphabet; returns the training words. For
 * WordPiece, a word's first character is "c", the following ones "##c"; words with a
 * character outside the alphabet are left out (they become [UNK] when encoding). */
static GArray *
build_words (AttnTokenizerTrainer *t)
{
  gboolean wp = t->opts.kind == ATTN_TOKENIZER_KIND_WORDPIECE;
  const char *const *specials = wp ? wordpiece_specials : bpe_specials;
  guint n_specials = wp ? G_N_ELEMENTS (wordpiece_specials) : G_N_ELEMENTS (bpe_specials);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GHashTable) alphabet = NULL;      /* gunichar → TRUE (WordPiece) */
  GArray *words = g_array_new (FALSE, TRUE, sizeof (Word));
  GHashTableIter iter;
  gpointer k, v;

  reset_vocab (t);
  for (guint i = 0; i < n_specials; i++)
    token_intern (t, g_strdup (specials[i]));
  intern_extra_specials (t, NULL);
  t->n_special = t->tokens->len;

  /* Words in byte order, so that ids and ties never depend on hash order. */
  keys = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, t->word_counts);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str_ptr);

  if (!wp)
    {
      /* All 256 byte symbols, in byte order. */
      for (guint b = 0; b < 256; b++)
        {
          char buf[8];
          buf[g_unichar_to_utf8 (attn_byte_to_unicode ((guint8) b), buf)] = '\0';
          token_intern (t, g_strdup (buf));
        }
    }
  else
    {
      g_autoptr(GHashTable) freq = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
      g_autoptr(GArray) chars = g_array_new (FALSE, FALSE, sizeof (CharCount));
      g_autoptr(GArray) initial = g_array_new (FALSE, FALSE, sizeof (gunichar));
      g_autoptr(GArray) cont = g_array_new (FALSE, FALSE, sizeof (gunichar));
      g_autoptr(GHashTable) seen_initial = g_hash_table_new (g_direct_hash, g_direct_equal);
      g_autoptr(GHashTable) seen_cont = g_hash_table_new (g_direct_hash, g_direct_equal);
      guint keep;

      for (guint i = 0; i < keys->len; i++)
        {
          const char *w = g_ptr_array_index (keys, i);
          guint64 c = *(guint64 *) g_hash_table_lookup (t->word_counts, w);
          for (const char *p = w; *p; p = g_utf8_next_char (p))
            {
              gunichar ch = g_utf8_get_char (p);
              guint64 *f = g_hash_table_lookup (freq, GUINT_TO_POINTER (ch));
              if (f == NULL)
                {
                  f = g_new0 (guint64, 1);
                  g_hash_table_insert (freq, GUINT_TO_POINTER (ch), f);
                }
              *f += c;
            }
        }
      g_hash_table_iter_init (&iter, freq);
      while (g_hash_table_iter_next (&iter, &k, &v))
        g_array_append_vals (chars, &(CharCount) { GPOINTER_TO_UINT (k), *(guint64 *) v }, 1);
      g_array_sort (chars, cmp_char_count);
      keep = t->opts.max_alphabet > 0 ? MIN (chars->len, t->opts.max_alphabet) : chars->len;
      alphabet = g_hash_table_new (g_direct_hash, g_direct_equal);
      for (guint i = 0; i < keep; i++)
        g_hash_table_add (alphabet, GUINT_TO_POINTER (g_array_index (chars, CharCount, i).c));

      /* Which characters start words and which continue them. */
      for (guint i = 0; i < keys->len; i++)
        {
          const char *w = g_ptr_array_index (keys, i);
          for (const char *p = w; *p; p = g_utf8_next_char (p))
            {
              gunichar ch = g_utf8_get_char (p);
              GHashTable *seen = p == w ? seen_initial : seen_cont;
              if (g_hash_table_contains (alphabet, GUINT_TO_POINTER (ch)) &&
                  g_hash_table_add (seen, GUINT_TO_POINTER (ch)))
                g_array_append_val (p == w ? initial : cont, ch);
            }
        }
      g_array_sort (initial, cmp_gunichar);
      g_array_sort (cont, cmp_gunichar);
      for (guint i = 0; i < initial->len; i++)
        {
          char buf[8];
          buf[g_unichar_to_utf8 (g_array_index (initial, gunichar, i), buf)] = '\0';
          token_intern (t, g_strdup (buf));
        }
      for (guint i = 0; i < cont->len; i++)
        {
          char buf[8];
          buf[g_unichar_to_utf8 (g_array_index (cont, gunichar, i), buf)] = '\0';
          token_intern (t, g_strconcat (WP_PREFIX, buf, NULL));
        }
    }

  for (guint i = 0; i < keys->len; i++)
    {
      const char *w = g_ptr_array_index (keys, i);
      Word word = { 0 };
      gboolean ok = TRUE;
      guint n = (guint) g_utf8_strlen (w, -1), j = 0;

      word.count = *(guint64 *) g_hash_table_lookup (t->word_counts, w);
      word.syms = g_new (gint32, MAX (n, 1));
      for (const char *p = w; *p; p = g_utf8_next_char (p), j++)
        {
          char buf[16];
          gsize clen = g_utf8_next_char (p) - p;
          gint32 id;
          if (wp && !g_hash_table_contains (alphabet, GUINT_TO_POINTER (g_utf8_get_char (p))))
            {
              ok = FALSE;
              break;
            }
          if (wp && p != w)
            {
              memcpy (buf, WP_PREFIX, 2);
              memcpy (buf + 2, p, clen);
              buf[2 + clen] = '\0';
            }
          else
            {
              memcpy (buf, p, clen);
              buf[clen] = '\0';
            }
          id = attn_tokenizer_trainer_lookup (t, buf);
          if (id < 0)
            {
              ok = FALSE;   /* cannot happen for byte-level text; kept as a guard */
              break;
            }
          word.syms[j] = id;
        }
      if (!ok)
        {
          g_free (word.syms);
          continue;
        }
      word.len = n;
      word.stamp = G_MAXUINT;
      g_array_append_val (words, word);
    }
  return words;
}

static void
words_free (GArray *words)
{
  for (guint i = 0; i < words->len; i++)
    g_free (g_array_index (words, Word, i).syms);
  g_array_unref (words);
}

/* ---- training -------------------------------------------------------------------- */

/* Adds `sign` × count for every adjacent pair of `w` (index wi); when `note_id` ≥ 0,
 * records wi as an occurrence of the pairs that contain note_id and collects them in
 * `touched`. */
static void
count_pairs (GHashTable *pairs, const Word *w, guint wi, int sign, gint32 note_id,
             GHashTable *touched)
{
  for (guint j = 0; j + 1 < w->len; j++)
    {
      PairStat *p = pair_get (pairs, w->syms[j], w->syms[j + 1]);
      if (sign > 0)
        p->count += w->count;
      else
        p->count -= w->count;
      if (note_id < 0 || w->syms[j] == note_id || w->syms[j + 1] == note_id)
        {
          if (note_id >= 0 || sign > 0)
            g_array_append_val (p->where, wi);
          if (touched != NULL && note_id >= 0)
            g_hash_table_add (touched, &p->key);
        }
    }
}

static gboolean
train_unigram (AttnTokenizerTrainer *t, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GArray) scores = NULL;
  guint n_special = G_N_ELEMENTS (unigram_specials)
                    + (t->extra_specials ? g_strv_length (t->extra_specials) : 0);

  reset_vocab (t);
  if (t->opts.vocab_size <= n_special)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("a vocabulary of %u has no room beside the %u special tokens"),
                   t->opts.vocab_size, n_special);
      return FALSE;
    }
  if (!attn_unigram_learn (t->word_counts, t->opts.vocab_size - n_special, UNIGRAM_MAX_PIECE_CHARS,
                           CLAMP (t->opts.character_coverage, 0.0, 1.0), cancellable, &pieces,
                           &scores, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (unigram_specials); i++)
    {
      double zero = 0.0;
      token_intern (t, g_strdup (unigram_specials[i]));
      g_array_append_val (t->scores, zero);
    }
  intern_extra_specials (t, t->scores);
  t->n_special = t->tokens->len;
  for (guint i = 0; i < pieces->len; i++)
    {
      /* A piece equal to a special token's text keeps the special id. */
      if (attn_tokenizer_trainer_lookup (t, g_ptr_array_index (pieces, i)) >= 0)
        continue;
      token_intern (t, g_strdup (g_ptr_array_index (pieces, i)));
      g_array_append_val (t->scores, g_array_index (scores, double, i));
    }
  t->trained = TRUE;
  return TRUE;
}

gboolean
attn_tokenizer_trainer_train (AttnTokenizerTrainer *t, GCancellable *cancellable, GError **error)
{
  gboolean wp = t->opts.kind == ATTN_TOKENIZER_KIND_WORDPIECE;
  g_autoptr(GHashTable) pairs = NULL;
  g_autoptr(GHashTable) touched = NULL;
  Heap heap;
  GArray *words;
  guint stamp = 0;

  if (g_hash_table_size (t->word_counts) == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("no training text was given"));
      return FALSE;
    }
  if (t->opts.kind == ATTN_TOKENIZER_KIND_UNIGRAM)
    return train_unigram (t, cancellable, error);
  words = build_words (t);
  if (t->opts.vocab_size < t->tokens->len)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("a vocabulary of %u is smaller than the %u special tokens and alphabet symbols"),
                   t->opts.vocab_size, t->tokens->len);
      words_free (words);
      reset_vocab (t);
      return FALSE;
    }

  pairs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) pair_stat_free);
  touched = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < words->len; i++)
    count_pairs (pairs, &g_array_index (words, Word, i), i, +1, -1, NULL);

  heap.entries = g_array_new (FALSE, FALSE, sizeof (HeapEntry));
  heap.tokens = t->tokens;
  {
    /* Push in key order (hash order must not matter; the heap order is total anyway). */
    GHashTableIter iter;
    gpointer k, v;
    g_hash_table_iter_init (&iter, pairs);
    while (g_hash_table_iter_next (&iter, &k, &v))
      {
        PairStat *p = v;
        if (p->count > 0)
          heap_push (&heap, p->count, (gint32) (p->key >> 32), (gint32) (p->key & 0xffffffffu));
      }
  }

  while (t->tokens->len < t->opts.vocab_size)
    {
      HeapEntry top;
      PairStat *p;
      guint64 key;
      const char *ls, *rs;
      gint32 new_id;
      g_autoptr(GArray) where = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("tokenizer training was cancelled"));
          g_array_unref (heap.entries);
          words_free (words);
          reset_vocab (t);
          return FALSE;
        }
      if (!heap_pop (&heap, &top))
        break;
      key = pair_key (top.left, top.right);
      p = g_hash_table_lookup (pairs, &key);
      if (p == NULL || p->count != top.count)
        {
          if (p != NULL && p->count > 0)
            heap_push (&heap, p->count, top.left, top.right);
          continue;
        }
      if (p->count < MAX (t->opts.min_frequency, 1))
        break;

      ls = g_ptr_array_index (t->tokens, top.left);
      rs = g_ptr_array_index (t->tokens, top.right);
      if (wp && g_str_has_prefix (rs, WP_PREFIX))
        rs += strlen (WP_PREFIX);
      new_id = token_intern (t, g_strconcat (ls, rs, NULL));
      g_array_append_val (t->merges, top.left);
      g_array_append_val (t->merges, top.right);

      /* Rewrite every word that holds the pair. */
      stamp++;
      where = g_array_ref (p->where);
      p->where = g_array_new (FALSE, FALSE, sizeof (guint));
      g_hash_table_remove_all (touched);
      for (guint k = 0; k < where->len; k++)
        {
          guint wi = g_array_index (where, guint, k);
          Word *w = &g_array_index (words, Word, wi);
          guint out = 0;
          gboolean has = FALSE;

          if (w->stamp == stamp)
            continue;
          for (guint j = 0; j + 1 < w->len && !has; j++)
            has = w->syms[j] == top.left && w->syms[j + 1] == top.right;
          if (!has)
            continue;
          w->stamp = stamp;
          count_pairs (pairs, w, wi, -1, -1, NULL);
          for (guint j = 0; j < w->len; )
            {
              if (j + 1 < w->len && w->syms[j] == top.left && w->syms[j + 1] == top.right)
                {
                  w->syms[out++] = new_id;
                  j += 2;
                }
              else
                w->syms[out++] = w->syms[j++];
            }
          w->len = out;
          count_pairs (pairs, w, wi, +1, new_id, touched);
        }
      {
        GHashTableIter iter;
        gpointer k2;
        g_hash_table_iter_init (&iter, touched);
        while (g_hash_table_iter_next (&iter, &k2, NULL))
          {
            PairStat *q = g_hash_table_lookup (pairs, k2);
            if (q != NULL && q->count > 0)
              heap_push (&heap, q->count, (gint32) (q->key >> 32), (gint32) (q->key & 0xffffffffu));
          }
      }
    }

  g_array_unref (heap.entries);
  words_free (words);
  t->trained = TRUE;
  return TRUE;
}
