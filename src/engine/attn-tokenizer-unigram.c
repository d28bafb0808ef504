/* attn-tokenizer-unigram.c — the unigram language model tokenizer
 * (SentencePiece, tokenizer.json "Unigram"): Viterbi over all vocabulary
 * pieces that match at each position, unknown characters scored
 * min_score - 10, consecutive unknowns fused, optional byte fallback. */
#include "attn-tokenizer-private.h"

#include <float.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#define UNK_PENALTY 10.0

void
attn_unigram_free (AttnUnigram *u)
{
  if (u == NULL)
    return;
  g_clear_pointer (&u->pieces, g_ptr_array_unref);
  g_clear_pointer (&u->scores, g_array_unref);
  g_clear_pointer (&u->types, g_array_unref);
  attn_trie_free (u->trie);
  g_free (u);
}

void
attn_unigram_prepare (AttnUnigram *u)
{
  u->trie = attn_trie_new ();
  u->min_score = DBL_MAX;
  u->max_score = u->f32 ? FLT_MIN : -DBL_MAX;
  for (guint i = 0; i < u->pieces->len; i++)
    {
      const char *p = g_ptr_array_index (u->pieces, i);
      guint8 t = g_array_index (u->types, guint8, i);
      double s = g_array_index (u->scores, double, i);

      if (t == ATTN_PIECE_NORMAL)
        {
          u->min_score = MIN (u->min_score, s);
          u->max_score = MAX (u->max_score, s);
        }
      if (p[0] == '\0')
        continue;
      /* sentencepiece keeps control, unknown and byte pieces out of the lattice */
      if (u->f32 && (t == ATTN_PIECE_CONTROL || t == ATTN_PIECE_UNKNOWN || t == ATTN_PIECE_BYTE))
        continue;
      attn_trie_insert (u->trie, p, strlen (p), (gint32) i);
    }
  if (u->min_score == DBL_MAX)
    u->min_score = 0.0;
}

static gint32
vocab_lookup (AttnTokenizer *tok, const char *s)
{
  gpointer v = g_hash_table_lookup (tok->vocab_map, s);
  return v != NULL ? GPOINTER_TO_INT (v) - 1 : -1;
}

/* The id a piece gets in the output vocabulary. */
static gint32
piece_id (AttnTokenizer *tok, const AttnUnigram *u, gint32 piece, const char *surface)
{
  if (u->mapped)
    {
      /* pieces mapped through a separate vocabulary (Marian's vocab.json) */
      gint32 id = vocab_lookup (tok, surface);
      return id >= 0 ? id : tok->wp.unk_id;
    }
  return piece;
}

gboolean
attn_unigram_tokenize (AttnTokenizer *tok, const AttnNStr *word, AttnTokList *out, GError **error)
{
  const AttnUnigram *u = tok->uni;
  gsize n = word->len;
  g_autofree double *best = NULL;
  g_autofree gint32 *from = NULL;
  g_autofree gint32 *piece = NULL;
  g_autoptr(GArray) path = NULL;   /* node end positions, reversed */
  double unk_score = u->min_score - UNK_PENALTY;
  gsize pos = 0;
  gboolean prev_unk = FALSE;

  if (n == 0)
    return TRUE;
  if (u->f32)
    unk_score = (float) ((float) u->min_score - (float) UNK_PENALTY);

  best = g_new (double, n + 1);
  from = g_new (gint32, n + 1);
  piece = g_new (gint32, n + 1);
  for (gsize k = 0; k <= n; k++)
    from[k] = -1;
  best[0] = 0.0;

  while (pos < n)
    {
      gsize mblen = MIN ((gsize) (g_utf8_next_char (word->s + pos) - (word->s + pos)), n - pos);
      gboolean single = FALSE;
      guint32 node = 0;
      double here = best[pos];

      if (from[pos] < 0 && pos > 0)
        {
          pos += mblen;  /* unreachable (cannot happen with valid UTF-8) */
          continue;
        }
      for (gsize k = pos; k < n && attn_trie_step (u->trie, &node, (guint8) word->s[k]); k++)
        {
          gint32 idx = attn_trie_value (u->trie, node);
          gsize end = k + 1, len = end - pos;
          guint8 type;
          double score, cand;

          if (idx < 0)
            continue;
          type = g_array_index (u->types, guint8, idx);
          if (type == ATTN_PIECE_UNUSED && u->f32)
            continue;
          if (type == ATTN_PIECE_USER_DEFINED && u->f32)
            {
              glong chars = g_utf8_strlen (word->s + pos, (gssize) len);
              score = (float) ((float) chars * (float) u->max_score - 0.1f);
            }
          else
            score = g_array_index (u->scores, double, idx);
          cand = u->f32 ? (double) ((float) score + (float) here) : score + here;
          if (from[end] < 0 || cand > best[end])
            {
              best[end] = cand;
              from[end] = (gint32) pos;
              piece[end] = idx;
            }
          if (len == mblen)
            single = TRUE;
        }
      if (!single)
        {
          gsize end = pos + mblen;
          double cand = u->f32 ? (double) ((float) unk_score + (float) here) : unk_score + here;
          if (u->unk_piece < 0 && !tok->spm_mode)
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                           _("%s: “%.*s” is not in the vocabulary and it has no unknown token"),
                           tok->origin, (int) mblen, word->s + pos);
              return FALSE;
            }
          if (from[end] < 0 || cand > best[end])
            {
              best[end] = cand;
              from[end] = (gint32) pos;
              piece[end] = -1;
            }
        }
      pos += mblen;
    }

  path = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (gsize e = n; e > 0; e = (gsize) from[e])
    {
      if (from[e] < 0)
        break;
      g_array_append_val (path, e);
    }

  for (guint k = path->len; k > 0; k--)
    {
      gsize e = g_array_index (path, gsize, k - 1);
      gsize s = (gsize) from[e];
      gint32 idx = piece[e];
      gboolean is_unk = idx < 0 || idx == u->unk_piece;
      g_autofree char *surface = g_strndup (word->s + s, e - s);

      if (is_unk && u->byte_fallback)
        {
          gint32 bids[64];
          gboolean all = e - s <= G_N_ELEMENTS (bids);
          for (gsize b = s; b < e && all; b++)
            {
              char name[8];
              g_snprintf (name, sizeof name, "<0x%02X>", (guint8) word->s[b]);
              bids[b - s] = vocab_lookup (tok, name);
              all = bids[b - s] >= 0;
            }
          if (all)
            {
              for (gsize b = s; b < e; b++)
                attn_toklist_push (out, bids[b - s],
                                   g_strdup (g_ptr_array_index (tok->vocab, bids[b - s])), FALSE, 0,
                                   word->ostart[b], word->oend[b]);
              prev_unk = FALSE;
              continue;
            }
        }
      if (is_unk && prev_unk && u->fuse_unk)
        {
          /* extend the previous unknown token */
          guint last = out->tokens->len - 1;
          char *old = g_ptr_array_index (out->tokens, last);
          gint32 id;
          g_ptr_array_index (out->tokens, last) = g_strconcat (old, surface, NULL);
          g_free (old);
          g_array_index (out->offsets, gint32, 2 * last + 1) = word->oend[e - 1];
          id = piece_id (tok, u, u->unk_piece, g_ptr_array_index (out->tokens, last));
          g_array_index (out->ids, gint32, last) = id;
          continue;
        }
      {
        gint32 id = piece_id (tok, u, is_unk ? u->unk_piece : idx, surface);
        attn_toklist_push (out, id, g_steal_pointer (&surface), FALSE, 0, word->ostart[s],
                           word->oend[e - 1]);
      }
      prev_unk = is_unk;
    }
  return TRUE;
}
