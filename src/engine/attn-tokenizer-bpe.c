/* attn-tokenizer-bpe.c — byte-pair encoding (byte-level as in GPT-2, and
 * plain BPE with continuation prefix / end-of-word suffix), vocab.json and
 * merges.txt loading. Merging uses a binary heap over a linked list of
 * symbols, so a word of n characters costs O(n log n). */
#include "attn-tokenizer-private.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

void
attn_bpe_free (AttnBpe *b)
{
  if (b == NULL)
    return;
  attn_u64map_clear (&b->merges);
  g_clear_pointer (&b->merge_new, g_array_unref);
  g_free (b->cont_prefix);
  g_free (b->eow_suffix);
  g_free (b);
}

static gint32
lookup (AttnTokenizer *tok, const char *s)
{
  gpointer v = g_hash_table_lookup (tok->vocab_map, s);
  return v != NULL ? GPOINTER_TO_INT (v) - 1 : -1;
}

gboolean
attn_bpe_add_merge (AttnTokenizer *tok, const char *left, const char *right, const char *origin,
                    GError **error)
{
  AttnBpe *b = tok->bpe;
  g_autofree char *joined = NULL;
  gint32 l = lookup (tok, left), r = lookup (tok, right), n;
  guint32 rank = b->merge_new->len;
  const char *cp = b->cont_prefix;

  if (l < 0 || r < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: merge %u (“%s” “%s”) uses a token that is not in the vocabulary"), origin,
                   rank + 1, left, right);
      return FALSE;
    }
  /* with a continuation prefix the right part loses it when joined */
  if (cp != NULL && cp[0] != '\0' && g_str_has_prefix (right, cp))
    joined = g_strconcat (left, right + strlen (cp), NULL);
  else
    joined = g_strconcat (left, right, NULL);
  n = lookup (tok, joined);
  if (n < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: merge %u gives “%s”, which is not in the vocabulary"), origin, rank + 1,
                   joined);
      return FALSE;
    }
  attn_u64map_set (&b->merges, ((guint64) (guint32) l << 32) | (guint32) r, rank);
  g_array_append_val (b->merge_new, n);
  return TRUE;
}

/* ---- merging ------------------------------------------------------------- */

typedef struct {
  gint32 id;
  gint32 prev, next;
  gsize  start, end;   /* bytes of the word */
} Sym;

typedef struct {
  guint32 rank;
  gint32  pos;
  gint32  new_id;
} Cand;

static inline gboolean
cand_less (const Cand *a, const Cand *b)
{
  return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static void
heap_push (GArray *h, Cand c)
{
  guint i;
  g_array_append_val (h, c);
  i = h->len - 1;
  while (i > 0)
    {
      guint p = (i - 1) / 2;
      Cand *hp = &g_array_index (h, Cand, p), *hi = &g_array_index (h, Cand, i);
      Cand t;
      if (!cand_less (hi, hp))
        break;
      t = *hp;
      *hp = *hi;
      *hi = t;
      i = p;
    }
}

static Cand
heap_pop (GArray *h)
{
  Cand top = g_array_index (h, Cand, 0);
  guint i = 0;

  g_array_index (h, Cand, 0) = g_array_index (h, Cand, h->len - 1);
  g_array_set_size (h, h->len - 1);
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      Cand t;
      if (l < h->len && cand_less (&g_array_index (h, Cand, l), &g_array_index (h, Cand, m)))
        m = l;
      if (r < h->len && cand_less (&g_array_index (h, Cand, r), &g_array_index (h, Cand, m)))
        m = r;
      if (m == i)
        break;
      t = g_array_index (h, Cand, m);
      g_array_index (h, Cand, m) = g_array_index (h, Cand, i);
      g_array_index (h, Cand, i) = t;
      i = m;
    }
  return top;
}

static void
try_pair (const AttnBpe *b, GArray *heap, const Sym *syms, gint32 pos)
{
  guint32 rank;
  gint32 nx = syms[pos].next;

  if (nx < 0)
    return;
  if (attn_u64map_get (&b->merges,
                       ((guint64) (guint32) syms[pos].id << 32) | (guint32) syms[nx].id, &rank))
    {
      Cand c = { rank, pos, g_array_index (b->merge_new, gint32, rank) };
      heap_push (heap, c);
    }
}

static void
push_sym (GArray *syms, gint32 id, gsize start, gsize end)
{
  Sym s = { id, (gint32) syms->len - 1, -1, start, end };
  if (syms->len > 0)
    g_array_index (syms, Sym, syms->len - 1).next = (gint32) syms->len;
  g_array_append_val (syms, s);
}

gboolean
attn_bpe_tokenize (AttnTokenizer *tok, const AttnNStr *word, AttnTokList *out, GError **error)
{
  const AttnBpe *b = tok->bpe;
  g_autoptr(GArray) syms = NULL;
  g_autoptr(GArray) heap = NULL;
  g_autoptr(GString) buf = g_string_new (NULL);
  gboolean prev_unk = FALSE;
  gsize i = 0;
  Sym *sv;

  if (word->len == 0)
    return TRUE;
  if (b->ignore_merges)
    {
      gint32 id = lookup (tok, word->s);
      if (id >= 0)
        {
          attn_toklist_push (out, id, g_strdup (word->s), FALSE, 0, word->ostart[0],
                             word->oend[word->len - 1]);
          return TRUE;
        }
    }

  syms = g_array_sized_new (FALSE, FALSE, sizeof (Sym), (guint) MIN (word->len, 1u << 20));
  while (i < word->len)
    {
      gsize n = (gsize) (g_utf8_next_char (word->s + i) - (word->s + i));
      gint32 id;

      n = MIN (n, word->len - i);
      g_string_truncate (buf, 0);
      if (b->cont_prefix != NULL && i > 0)
        g_string_append (buf, b->cont_prefix);
      g_string_append_len (buf, word->s + i, (gssize) n);
      if (b->eow_suffix != NULL && i + n == word->len)
        g_string_append (buf, b->eow_suffix);
      id = lookup (tok, buf->str);
      if (id >= 0)
        {
          push_sym (syms, id, i, i + n);
          prev_unk = FALSE;
        }
      else
        {
          gboolean done = FALSE;
          if (b->byte_fallback)
            {
              gint32 bid[4];
              gboolean all = TRUE;
              for (gsize k = 0; k < n && all; k++)
                {
                  char name[8];
                  g_snprintf (name, sizeof name, "<0x%02X>", (guint8) word->s[i + k]);
                  bid[k] = lookup (tok, name);
                  all = bid[k] >= 0;
                }
              if (all)
                {
                  for (gsize k = 0; k < n; k++)
                    push_sym (syms, bid[k], i + k, i + k + 1);
                  done = TRUE;
                  prev_unk = FALSE;
                }
            }
          if (!done && b->unk_id >= 0)
            {
              if (b->fuse_unk && prev_unk)
                g_array_index (syms, Sym, syms->len - 1).end = i + n;
              else
                push_sym (syms, b->unk_id, i, i + n);
              prev_unk = TRUE;
            }
          else if (!done)
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                           _("%s: “%.*s” is not in the vocabulary and it has no unknown token"),
                           tok->origin, (int) n, word->s + i);
              return FALSE;
            }
        }
      i += n;
    }

  heap = g_array_new (FALSE, FALSE, sizeof (Cand));
  sv = (Sym *) syms->data;
  for (guint k = 0; k + 1 < syms->len; k++)
    try_pair (b, heap, sv, (gint32) k);
  while (heap->len > 0)
    {
      Cand c = heap_pop (heap);
      Sym *left = &sv[c.pos];
      gint32 nx = left->next;
      guint32 rank;

      if (left->end == left->start || nx < 0)
        continue;
      if (!attn_u64map_get (&b->merges, ((guint64) (guint32) left->id << 32) | (guint32) sv[nx].id,
                            &rank) ||
          g_array_index (b->merge_new, gint32, rank) != c.new_id || rank != c.rank)
        continue;
      left->id = c.new_id;
      left->end = sv[nx].end;
      left->next = sv[nx].next;
      sv[nx].start = sv[nx].end; /* dead */
      if (left->next >= 0)
        sv[left->next].prev = c.pos;
      if (left->prev >= 0)
        try_pair (b, heap, sv, left->prev);
      try_pair (b, heap, sv, c.pos);
    }

  for (gint32 k = syms->len > 0 ? 0 : -1; k >= 0; k = sv[k].next)
    attn_toklist_push (out, sv[k].id, g_strdup (g_ptr_array_index (tok->vocab, sv[k].id)), FALSE, 0,
                       word->ostart[sv[k].start], word->oend[sv[k].end - 1]);
  return TRUE;
}

/* ---- files --------------------------------------------------------------- */

gboolean
attn_bpe_load_vocab_json (AttnTokenizer *tok, const char *path, GError **error)
{
  g_autoptr(JsonNode) root = attn_json_parse_file (path, error);
  JsonObject *obj;
  JsonObjectIter it;
  const char *key;
  JsonNode *val;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: the vocabulary must be a JSON object of token → id"), path);
      return FALSE;
    }
  obj = json_node_get_object (root);
  json_object_iter_init (&it, obj);
  while (json_object_iter_next (&it, &key, &val))
    {
      gint64 id;
      if (!JSON_NODE_HOLDS_VALUE (val) || json_node_get_value_type (val) != G_TYPE_INT64 ||
          (id = json_node_get_int (val)) < 0 || id > G_MAXINT32 - 1)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: the id of token “%s” is not a non-negative integer"), path, key);
          return FALSE;
        }
      if (!attn_tokenizer_vocab_add (tok, key, (gint32) id, FALSE))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: id %" PRId64 " (token “%s”) is used twice"), path, id, key);
          return FALSE;
        }
    }
  if (tok->vocab->len == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: the vocabulary is empty"), path);
      return FALSE;
    }
  return TRUE;
}

gboolean
attn_bpe_load_merges_txt (AttnTokenizer *tok, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0, pos = 0;
  guint line_no = 0;

  if (!attn_read_file (path, &data, &len, error))
    return FALSE;
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: not valid UTF-8 text"), path);
      return FALSE;
    }
  while (pos < len)
    {
      const char *line = data + pos;
      const char *nl = memchr (line, '\n', len - pos);
      gsize l = nl != NULL ? (gsize) (nl - line) : len - pos;
      g_autofree char *copy = NULL;
      char *sp;

      pos += l + (nl != NULL ? 1 : 0);
      line_no++;
      if (l > 0 && line[l - 1] == '\r')
        l--;
      if (l == 0 || (line_no == 1 && g_str_has_prefix (line, "#version")))
        continue;
      copy = g_strndup (line, l);
      sp = strchr (copy, ' ');
      if (sp == NULL || sp == copy || sp[1] == '\0' || strchr (sp + 1, ' ') != NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: line %u is not two tokens separated by one space: “%s”"), path, line_no,
                       copy);
          return FALSE;
        }
      *sp = '\0';
      if (!attn_bpe_add_merge (tok, copy, sp + 1, path, error))
        return FALSE;
    }
  return TRUE;
}
