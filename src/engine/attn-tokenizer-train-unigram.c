/* attn-tokenizer-train-unigram.c — a unigram language-model vocabulary learned the way
 * SentencePiece's unigram trainer does it (Kudo 2018), on pre-tokenised words:
 *
 *   1. Required characters: the most frequent characters covering `coverage` of all
 *      character occurrences; they always stay in the vocabulary.
 *   2. Seed pieces: every substring of 2…max_piece_chars characters of every word
 *      (without unknown characters) seen at least twice, the most frequent × longest
 *      first, up to max(20 × n_pieces, 20000); scores log(count / total).
 *   3. Rounds of two EM iterations — E: forward–backward over each word's lattice of
 *      matching pieces gives expected counts; M: score = ψ(count) − ψ(Σ counts) (the
 *      digamma update of SentencePiece), pieces expected fewer than 0.5 times dropped —
 *      then pruning: each piece's loss is the drop in corpus likelihood if its Viterbi
 *      uses were re-segmented into its best alternative; the 25 % with the smallest
 *      loss go (never below 1.1 × n_pieces), until 1.1 × n_pieces remain.
 *   4. The required characters plus the best-scoring other pieces, n_pieces in all.
 *
 * Differences from SentencePiece: seeds come from words, not a suffix array over
 * sentences; pieces keep to one class of character (letters, digits, others) rather
 * than one Unicode script; deterministic tie-breaking by byte order everywhere. */
#include "attn-tokenizer-train-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "attn-error.h"

#define EXPECTED_MIN   0.5     /* SentencePiece's kExpectedFrequencyThreshold */
#define SHRINK         0.75    /* shrinking_factor */
#define SUB_ITERATIONS 2       /* num_sub_iterations */
#define UNK_PENALTY    10.0

typedef struct {
  guint32 start, end;   /* character positions */
  gint32  piece;        /* -1: an unknown character */
} Edge;

typedef struct {
  char    *s;
  guint64  count;
  guint    n_chars;
  guint32 *off;         /* byte offset of each character, and the end */
  GArray  *edges;       /* Edge, by start then end */
} UWord;

typedef struct {
  char    *s;
  guint    n_chars;
  double   score;
  double   freq;        /* expected count (E-step), Viterbi count (pruning) */
  gboolean required;
  gboolean removed;
} UPiece;

typedef struct {
  GArray     *words;    /* UWord */
  GPtrArray  *pieces;   /* UPiece* */
  GHashTable *index;    /* piece string (borrowed) → index + 1 */
  guint       max_chars;
} Learner;

static void
upiece_free (UPiece *p)
{
  g_free (p->s);
  g_free (p);
}

static double
log_add (double a, double b)
{
  if (a == -INFINITY)
    return b;
  if (b == -INFINITY)
    return a;
  return a > b ? a + log1p (exp (b - a)) : b + log1p (exp (a - b));
}

/* ψ(x), as SentencePiece computes it (recurrence to x > 5, then the asymptotic series). */
static double
digamma (double x)
{
  double r = 0.0, f, t;
  while (x <= 5.0)
    {
      r -= 1.0 / x;
      x += 1.0;
    }
  f = 1.0 / (x * x);
  t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132)))));
  return r + log (x) - 0.5 / x + t;
}

static void
reindex (Learner *l)
{
  g_hash_table_remove_all (l->index);
  for (guint i = 0; i < l->pieces->len; i++)
    {
      UPiece *p = g_ptr_array_index (l->pieces, i);
      g_hash_table_insert (l->index, p->s, GUINT_TO_POINTER (i + 1));
    }
}

/* Drops the pieces marked removed, keeping the order of the others. */
static void
compact (Learner *l)
{
  guint out = 0;
  for (guint i = 0; i < l->pieces->len; i++)
    {
      UPiece *p = g_ptr_array_index (l->pieces, i);
      if (p->removed)
        upiece_free (p);
      else
        l->pieces->pdata[out++] = p;
    }
  l->pieces->len = out;
  reindex (l);
}

static guint
n_live (Learner *l)
{
  guint n = 0;
  for (guint i = 0; i < l->pieces->len; i++)
    n += !((UPiece *) g_ptr_array_index (l->pieces, i))->removed;
  return n;
}

/* Edges of the pieces matching `s` (n_chars characters at byte offsets `off`);
 * `exclude` (≥ 0) is never used for the whole string. */
static void
build_lattice (Learner *l, const char *s, const guint32 *off, guint n_chars, gint32 exclude,
               GArray *edges)
{
  char buf[256];
  g_array_set_size (edges, 0);
  for (guint i = 0; i < n_chars; i++)
    {
      gboolean single = FALSE;
      for (guint len = 1; len <= l->max_chars && i + len <= n_chars; len++)
        {
          gsize nb = off[i + len] - off[i];
          gint32 idx;
          if (nb >= sizeof buf)
            break;
          memcpy (buf, s + off[i], nb);
          buf[nb] = '\0';
          idx = GPOINTER_TO_INT (g_hash_table_lookup (l->index, buf)) - 1;
          if (idx < 0 || ((UPiece *) g_ptr_array_index (l->pieces, idx))->removed)
            continue;
          if (idx == exclude && i == 0 && len == n_chars)
            continue;
          g_array_append_vals (edges, &(Edge) { i, i + len, idx }, 1);
          single |= len == 1;
        }
      if (!single)
        g_array_append_vals (edges, &(Edge) { i, i + 1, -1 }, 1);
    }
}

static void
build_lattices (Learner *l)
{
  for (guint w = 0; w < l->words->len; w++)
    {
      UWord *u = &g_array_index (l->words, UWord, w);
      build_lattice (l, u->s, u->off, u->n_chars, -1, u->edges);
    }
}

static double
unk_score (Learner *l)
{
  double min = 0.0;
  for (guint i = 0; i < l->pieces->len; i++)
    {
      UPiece *p = g_ptr_array_index (l->pieces, i);
      if (!p->removed)
        min = MIN (min, p->score);
    }
  return min - UNK_PENALTY;
}

static double
edge_score (Learner *l, const Edge *e, double unk)
{
  return e->piece < 0 ? unk : ((UPiece *) g_ptr_array_index (l->pieces, e->piece))->score;
}

/* Pieces the M-step dropped stay in the lattices until they are rebuilt. */
static gboolean
edge_removed (Learner *l, const Edge *e)
{
  return e->piece >= 0 && ((UPiece *) g_ptr_array_index (l->pieces, e->piece))->removed;
}

/* E-step: expected counts into piece->freq; returns the corpus log likelihood. */
static double
e_step (Learner *l)
{
  g_autoptr(GArray) alpha = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) beta = g_array_new (FALSE, FALSE, sizeof (double));
  double unk = unk_score (l), objective = 0.0;

  for (guint i = 0; i < l->pieces->len; i++)
    ((UPiece *) g_ptr_array_index (l->pieces, i))->freq = 0.0;
  for (guint w = 0; w < l->words->len; w++)
    {
      UWord *u = &g_array_index (l->words, UWord, w);
      const Edge *e = (const Edge *) u->edges->data;
      double *a, *b, z;
      g_array_set_size (alpha, u->n_chars + 1);
      g_array_set_size (beta, u->n_chars + 1);
      a = (double *) alpha->data;
      b = (double *) beta->data;
      for (guint i = 0; i <= u->n_chars; i++)
        a[i] = b[i] = -INFINITY;
      a[0] = 0.0;
      b[u->n_chars] = 0.0;
      for (guint k = 0; k < u->edges->len; k++)
        if (!edge_removed (l, &e[k]))
          a[e[k].end] = log_add (a[e[k].end], a[e[k].start] + edge_score (l, &e[k], unk));
      for (guint k = u->edges->len; k-- > 0; )
        if (!edge_removed (l, &e[k]))
          b[e[k].start] = log_add (b[e[k].start], edge_score (l, &e[k], unk) + b[e[k].end]);
      z = a[u->n_chars];
      objective += (double) u->count * z;
      for (guint k = 0; k < u->edges->len; k++)
        if (e[k].piece >= 0 && !edge_removed (l, &e[k]))
          ((UPiece *) g_ptr_array_index (l->pieces, e[k].piece))->freq +=
            (double) u->count * exp (a[e[k].start] + edge_score (l, &e[k], unk) + b[e[k].end] - z);
    }
  return objective;
}

/* M-step: digamma scores; rare pieces (not required) marked removed. */
static void
m_step (Learner *l)
{
  double sum = 0.0, logsum;
  for (guint i = 0; i < l->pieces->len; i++)
    {
      UPiece *p = g_ptr_array_index (l->pieces, i);
      if (p->removed)
        continue;
      if (p->freq < EXPECTED_MIN && !p->required)
        p->removed = TRUE;
      else
        sum += p->freq;
    }
  logsum = digamma (sum);
  for (guint i = 0; i < l->pieces->len; i++)
    {
      UPiece *p = g_ptr_array_index (l->pieces, i);
      if (!p->removed)
        p->score = digamma (MAX (p->freq, EXPECTED_MIN)) - logsum;
    }
}

/* Best segmentation of a lattice (n_chars positions); piece indices into `path`. */
static void
viterbi (Learner *l, const GArray *edges, guint n_chars, double unk, GArray *path)
{
  g_autofree double *best = g_new (double, n_chars + 1);
  g_autofree gint32 *from = g_new (gint32, n_chars + 1);     /* edge index */
  const Edge *e = (const Edge *) edges->data;
  gint32 pos;

  for (guint i = 0; i <= n_chars; i++)
    {
      best[i] = -INFINITY;
      from[i] = -1;
    }
  best[0] = 0.0;
  for (guint k = 0; k < edges->len; k++)
    {
      double cand;
      if (edge_removed (l, &e[k]))
        continue;
      cand = best[e[k].start] + edge_score (l, &e[k], unk);
      if (cand > best[e[k].end])
        {
          best[e[k].end] = cand;
          from[e[k].end] = (gint32) k;
        }
    }
  g_array_set_size (path, 0);
  for (pos = (gint32) n_chars; pos > 0 && from[pos] >= 0; pos = (gint32) e[from[pos]].start)
    g_array_prepend_val (path, e[from[pos]].piece);
}

typedef struct {
  guint  index;
  double loss;
  const char *s;
} Candidate;

static int
cmp_candidate (gconstpointer a, gconstpointer b)
{
  const Candidate *x = a, *y = b;
  if (x->loss != y->loss)
    return x->loss > y->loss ? -1 : 1;
  return strcmp (x->s, y->s);
}

/* One pruning step (SentencePiece's PruneSentencePieces). */
static void
prune (Learner *l, guint desired)
{
  g_autoptr(GArray) path = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr(GPtrArray) alternatives = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  double unk = unk_score (l), sum = 0.0, vsum = 0.0, logsum;
  guint live = n_live (l), keep, kept = 0;

  /* Viterbi counts over the corpus. */
  for (guint i = 0; i < l->pieces->len; i++)
    ((UPiece *) g_ptr_array_index (l->pieces, i))->freq = 0.0;
  for (guint w = 0; w < l->words->len; w++)
    {
      UWord *u = &g_array_index (l->words, UWord, w);
      vsum += (double) u->count;
      viterbi (l, u->edges, u->n_chars, unk, path);
      for (guint k = 0; k < path->len; k++)
        {
          gint32 p = g_array_index (path, gint32, k);
          if (p >= 0)
            {
              ((UPiece *) g_ptr_array_index (l->pieces, p))->freq += (double) u->count;
              sum += (double) u->count;
            }
        }
    }
  logsum = log (sum);

  /* Each piece's best segmentation without itself. */
  for (guint i = 0; i < l->pieces->len; i++)
    {
      UPiece *p = g_ptr_array_index (l->pieces, i);
      GArray *alt = g_array_new (FALSE, FALSE, sizeof (gint32));
      if (!p->removed && p->n_chars > 1)
        {
          g_autofree guint32 *off = g_new (guint32, p->n_chars + 1);
          guint c = 0;
          for (const char *s = p->s; *s; s = g_utf8_next_char (s))
            off[c++] = (guint32) (s - p->s);
          off[c] = (guint32) strlen (p->s);
          build_lattice (l, p->s, off, p->n_chars, (gint32) i, edges);
          viterbi (l, edges, p->n_chars, unk, alt);
        }
      g_ptr_array_add (alternatives, alt);
    }

  for (guint i = 0; i < l->pieces->len; i++)
    {
      UPiece *p = g_ptr_array_index (l->pieces, i);
      GArray *alt = g_ptr_array_index (alternatives, i);
      double f, logprob_sp, logsum_alt, logprob_alt = 0.0;
      gboolean has_unk = FALSE;

      if (p->removed)
        continue;
      if (p->required)
        {
          kept++;
          continue;
        }
      if (p->freq == 0.0)
        {
          p->removed = TRUE;   /* never on a Viterbi path */
          continue;
        }
      for (guint k = 0; k < alt->len; k++)
        has_unk |= g_array_index (alt, gint32, k) < 0;
      if (alt->len == 0 || has_unk)
        {
          kept++;              /* no alternative: keep */
          continue;
        }
      f = p->freq / vsum;
      logprob_sp = log (p->freq) - logsum;
      logsum_alt = log (sum + p->freq * (alt->len - 1));
      for (guint k = 0; k < alt->len; k++)
        {
          UPiece *q = g_ptr_array_index (l->pieces, g_array_index (alt, gint32, k));
          logprob_alt += log (q->freq + p->freq) - logsum_alt;
        }
      g_array_append_vals (candidates, &(Candidate) { i, f * (logprob_sp - logprob_alt), p->s }, 1);
    }

  keep = MAX (desired, (guint) (SHRINK * live));
  g_array_sort (candidates, cmp_candidate);
  for (guint k = 0; k < candidates->len; k++)
    {
      Candidate *c = &g_array_index (candidates, Candidate, k);
      if (kept < keep)
        kept++;
      else
        ((UPiece *) g_ptr_array_index (l->pieces, c->index))->removed = TRUE;
    }
}

/* ---- seeds ------------------------------------------------------------------ */

typedef struct {
  gunichar c;
  guint64  count;
} CharFreq;

static int
cmp_char_freq (gconstpointer a, gconstpointer b)
{
  const CharFreq *x = a, *y = b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return x->c < y->c ? -1 : x->c > y->c;
}

#define METASPACE_CHAR 0x2581

/* 0 letters (and marks), 1 digits, 2 everything else. */
static int
char_class (gunichar c)
{
  if (g_unichar_isalpha (c) || g_unichar_ismark (c))
    return 0;
  if (g_unichar_isdigit (c))
    return 1;
  return 2;
}

typedef struct {
  const char *s;
  guint64     count;
  guint       n_chars;
} Seed;

static int
cmp_seed (gconstpointer a, gconstpointer b)
{
  const Seed *x = a, *y = b;
  guint64 sx = x->count * x->n_chars, sy = y->count * y->n_chars;
  if (sx != sy)
    return sx > sy ? -1 : 1;
  return strcmp (x->s, y->s);
}

static int
cmp_str_ptr (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
add_piece (Learner *l, const char *s, guint n_chars, double score, gboolean required)
{
  UPiece *p = g_new0 (UPiece, 1);
  p->s = g_strdup (s);
  p->n_chars = n_chars;
  p->score = score;
  p->required = required;
  g_ptr_array_add (l->pieces, p);
  g_hash_table_insert (l->index, p->s, GUINT_TO_POINTER (l->pieces->len));
}

typedef struct {
  double      score;
  const char *s;
  guint       index;
} Ranked;

static int
cmp_ranked (gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return strcmp (x->s, y->s);
}

gboolean
attn_unigram_learn (GHashTable *word_counts, guint n_pieces, guint max_piece_chars,
                    double coverage, GCancellable *cancellable, GPtrArray **pieces_out,
                    GArray **scores_out, GError **error)
{
  Learner l = { 0 };
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GHashTable) char_count = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g_autoptr(GHashTable) required = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) sub_count = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GArray) chars = g_array_new (FALSE, FALSE, sizeof (CharFreq));
  g_autoptr(GArray) seeds = g_array_new (FALSE, FALSE, sizeof (Seed));
  g_autoptr(GArray) ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));
  GHashTableIter iter;
  gpointer k, v;
  guint64 total_chars = 0, covered = 0, seed_total = 0;
  guint desired = (guint) (n_pieces * 1.1), n_seeds, n_required = 0;
  gboolean ok = FALSE;

  l.max_chars = MAX (max_piece_chars, 1);
  l.words = g_array_new (FALSE, TRUE, sizeof (UWord));
  l.pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) upiece_free);
  l.index = g_hash_table_new (g_str_hash, g_str_equal);

  /* Words in byte order. */
  g_hash_table_iter_init (&iter, word_counts);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str_ptr);
  for (guint i = 0; i < keys->len; i++)
    {
      UWord u = { 0 };
      guint c = 0;
      u.s = g_ptr_array_index (keys, i);
      u.count = *(guint64 *) g_hash_table_lookup (word_counts, u.s);
      u.n_chars = (guint) g_utf8_strlen (u.s, -1);
      u.off = g_new (guint32, u.n_chars + 1);
      for (const char *s = u.s; *s; s = g_utf8_next_char (s))
        {
          gunichar ch = g_utf8_get_char (s);
          guint64 *n = g_hash_table_lookup (char_count, GUINT_TO_POINTER (ch));
          if (n == NULL)
            {
              n = g_new0 (guint64, 1);
              g_hash_table_insert (char_count, GUINT_TO_POINTER (ch), n);
            }
          *n += u.count;
          total_chars += u.count;
          u.off[c++] = (guint32) (s - u.s);
        }
      u.off[c] = (guint32) strlen (u.s);
      u.edges = g_array_new (FALSE, FALSE, sizeof (Edge));
      g_array_append_val (l.words, u);
    }

  /* 1. Required characters. */
  g_hash_table_iter_init (&iter, char_count);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_array_append_vals (chars, &(CharFreq) { GPOINTER_TO_UINT (k), *(guint64 *) v }, 1);
  g_array_sort (chars, cmp_char_freq);
  for (guint i = 0; i < chars->len; i++)
    {
      CharFreq *cf = &g_array_index (chars, CharFreq, i);
      char buf[8];
      if (i > 0 && coverage < 1.0 && (double) covered >= coverage * (double) total_chars)
        break;
      covered += cf->count;
      g_hash_table_add (required, GUINT_TO_POINTER (cf->c));
      buf[g_unichar_to_utf8 (cf->c, buf)] = '\0';
      add_piece (&l, buf, 1, log ((double) cf->count) - log ((double) total_chars), TRUE);
      n_required++;
    }
  if (n_required > n_pieces)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("a vocabulary of %u pieces cannot hold the %u characters the text needs"),
                   n_pieces, n_required);
      goto out;
    }

  /* 2. Seeds: substrings of 2…max characters, all characters required, one class of
   *    character after an optional leading "▁" (letters, digits or others, as
   *    SentencePiece's split_by_number and split_by_unicode_script keep "ation." and
   *    "a1" out). */
  for (guint w = 0; w < l.words->len; w++)
    {
      UWord *u = &g_array_index (l.words, UWord, w);
      for (guint i = 0; i < u->n_chars; i++)
        {
          int cls = -1;
          if (!g_hash_table_contains (required, GUINT_TO_POINTER (g_utf8_get_char (u->s + u->off[i]))))
            continue;
          if (g_utf8_get_char (u->s + u->off[i]) != METASPACE_CHAR)
            cls = char_class (g_utf8_get_char (u->s + u->off[i]));
          for (guint len = 2; len <= l.max_chars && i + len <= u->n_chars; len++)
            {
              gunichar lc = g_utf8_get_char (u->s + u->off[i + len - 1]);
              g_autofree char *sub = NULL;
              guint64 *n;
              if (!g_hash_table_contains (required, GUINT_TO_POINTER (lc)) || lc == METASPACE_CHAR)
                break;
              if (cls < 0)
                cls = char_class (lc);
              else if (char_class (lc) != cls)
                break;
              sub = g_strndup (u->s + u->off[i], u->off[i + len] - u->off[i]);
              n = g_hash_table_lookup (sub_count, sub);
              if (n == NULL)
                {
                  n = g_new0 (guint64, 1);
                  g_hash_table_insert (sub_count, g_steal_pointer (&sub), n);
                }
              *n += u->count;
            }
        }
    }
  g_hash_table_iter_init (&iter, sub_count);
  while (g_hash_table_iter_next (&iter, &k, &v))
    if (*(guint64 *) v >= 2)
      g_array_append_vals (seeds, &(Seed) { k, *(guint64 *) v, (guint) g_utf8_strlen (k, -1) }, 1);
  g_array_sort (seeds, cmp_seed);
  n_seeds = MIN (seeds->len, MAX (20 * n_pieces, 20000));
  for (guint i = 0; i < n_seeds; i++)
    seed_total += g_array_index (seeds, Seed, i).count;
  for (guint i = 0; i < n_seeds; i++)
    {
      Seed *s = &g_array_index (seeds, Seed, i);
      add_piece (&l, s->s, s->n_chars, log ((double) s->count) - log ((double) (seed_total + total_chars)),
                 FALSE);
    }
  g_hash_table_remove_all (sub_count);

  /* 3. EM and pruning. */
  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      build_lattices (&l);
      for (guint it = 0; it < SUB_ITERATIONS; it++)
        {
          e_step (&l);
          m_step (&l);
        }
      if (n_live (&l) <= desired)
        break;
      prune (&l, desired);
      compact (&l);
    }
  compact (&l);

  /* 4. Required characters, then the best-scoring pieces. */
  for (guint i = 0; i < l.pieces->len; i++)
    {
      UPiece *p = g_ptr_array_index (l.pieces, i);
      g_array_append_vals (ranked, &(Ranked) { p->score, p->s, i }, 1);
    }
  g_array_sort (ranked, cmp_ranked);
  {
    guint room = n_pieces - n_required;
    g_autoptr(GArray) chosen = g_array_new (FALSE, FALSE, sizeof (Ranked));
    for (guint i = 0; i < ranked->len; i++)
      {
        Ranked *r = &g_array_index (ranked, Ranked, i);
        UPiece *p = g_ptr_array_index (l.pieces, r->index);
        if (p->required)
          g_array_append_val (chosen, *r);
        else if (room > 0)
          {
            g_array_append_val (chosen, *r);
            room--;
          }
      }
    *pieces_out = g_ptr_array_new_with_free_func (g_free);
    *scores_out = g_array_new (FALSE, FALSE, sizeof (double));
    for (guint i = 0; i < chosen->len; i++)
      {
        Ranked *r = &g_array_index (chosen, Ranked, i);
        g_ptr_array_add (*pieces_out, g_strdup (r->s));
        g_array_append_val (*scores_out, r->score);
      }
  }
  ok = TRUE;

out:
  for (guint w = 0; w < l.words->len; w++)
    {
      UWord *u = &g_array_index (l.words, UWord, w);
      g_free (u->off);
      g_array_unref (u->edges);
    }
  g_array_unref (l.words);
  g_hash_table_unref (l.index);
  g_ptr_array_unref (l.pieces);
  return ok;
}
