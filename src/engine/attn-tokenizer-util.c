/* attn-tokenizer-util.c — small data structures for the tokenizers: aligned
 * strings, a 64-bit hash map, a byte trie, token lists, JSON file parsing. */
#include "attn-tokenizer-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* ---- AttnNStr ------------------------------------------------------------ */

static void
nstr_reserve (AttnNStr *n, gsize extra)
{
  gsize need = n->len + extra + 1;
  gsize cap;

  if (need <= n->cap)
    return;
  cap = MAX (n->cap * 2, need);
  cap = MAX (cap, 16);
  n->s = g_realloc (n->s, cap);
  n->ostart = g_realloc_n (n->ostart, cap, sizeof (gint32));
  n->oend = g_realloc_n (n->oend, cap, sizeof (gint32));
  n->cap = cap;
}

AttnNStr *
attn_nstr_new (gsize reserve)
{
  AttnNStr *n = g_new0 (AttnNStr, 1);
  nstr_reserve (n, reserve);
  n->s[0] = '\0';
  return n;
}

AttnNStr *
attn_nstr_new_text (const char *text, gsize len, gint32 base)
{
  AttnNStr *n = attn_nstr_new (len);
  gsize i = 0;

  memcpy (n->s, text, len);
  n->s[len] = '\0';
  n->len = len;
  while (i < len)
    {
      const char *next = g_utf8_next_char (text + i);
      gsize e = MIN ((gsize) (next - text), len);
      for (gsize k = i; k < e; k++)
        {
          n->ostart[k] = base + (gint32) i;
          n->oend[k] = base + (gint32) e;
        }
      i = e;
    }
  return n;
}

AttnNStr *
attn_nstr_slice (const AttnNStr *n, gsize from, gsize to)
{
  AttnNStr *r = attn_nstr_new (to - from);
  memcpy (r->s, n->s + from, to - from);
  memcpy (r->ostart, n->ostart + from, (to - from) * sizeof (gint32));
  memcpy (r->oend, n->oend + from, (to - from) * sizeof (gint32));
  r->len = to - from;
  r->s[r->len] = '\0';
  return r;
}

void
attn_nstr_free (AttnNStr *n)
{
  if (n == NULL)
    return;
  g_free (n->s);
  g_free (n->ostart);
  g_free (n->oend);
  g_free (n);
}

void
attn_nstr_append (AttnNStr *n, const char *bytes, gsize len, gint32 os, gint32 oe)
{
  nstr_reserve (n, len);
  memcpy (n->s + n->len, bytes, len);
  for (gsize k = 0; k < len; k++)
    {
      n->ostart[n->len + k] = os;
      n->oend[n->len + k] = oe;
    }
  n->len += len;
  n->s[n->len] = '\0';
}

void
attn_nstr_append_from (AttnNStr *n, const AttnNStr *src, gsize at, gsize clen)
{
  nstr_reserve (n, clen);
  memcpy (n->s + n->len, src->s + at, clen);
  memcpy (n->ostart + n->len, src->ostart + at, clen * sizeof (gint32));
  memcpy (n->oend + n->len, src->oend + at, clen * sizeof (gint32));
  n->len += clen;
  n->s[n->len] = '\0';
}

/* ---- AttnU64Map ---------------------------------------------------------- */

static inline gsize
u64_hash (guint64 k)
{
  k ^= k >> 33;
  k *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  k ^= k >> 33;
  k *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  k ^= k >> 33;
  return (gsize) k;
}

void
attn_u64map_init (AttnU64Map *m)
{
  m->cap = 64;
  m->n = 0;
  m->keys = g_new0 (guint64, m->cap);
  m->vals = g_new0 (guint32, m->cap);
}

void
attn_u64map_clear (AttnU64Map *m)
{
  g_clear_pointer (&m->keys, g_free);
  g_clear_pointer (&m->vals, g_free);
  m->cap = m->n = 0;
}

static void
u64map_put (guint64 *keys, guint32 *vals, gsize cap, guint64 stored, guint32 val, gsize *n)
{
  gsize i = u64_hash (stored) & (cap - 1);
  while (keys[i] != 0 && keys[i] != stored)
    i = (i + 1) & (cap - 1);
  if (keys[i] == 0)
    (*n)++;
  keys[i] = stored;
  vals[i] = val;
}

void
attn_u64map_set (AttnU64Map *m, guint64 key, guint32 val)
{
  if ((m->n + 1) * 2 > m->cap)
    {
      gsize cap = m->cap * 2, n = 0;
      guint64 *keys = g_new0 (guint64, cap);
      guint32 *vals = g_new0 (guint32, cap);
      for (gsize i = 0; i < m->cap; i++)
        if (m->keys[i] != 0)
          u64map_put (keys, vals, cap, m->keys[i], m->vals[i], &n);
      g_free (m->keys);
      g_free (m->vals);
      m->keys = keys;
      m->vals = vals;
      m->cap = cap;
    }
  u64map_put (m->keys, m->vals, m->cap, key + 1, val, &m->n);
}

gboolean
attn_u64map_get (const AttnU64Map *m, guint64 key, guint32 *val)
{
  guint64 stored = key + 1;
  gsize i;

  if (m->cap == 0)
    return FALSE;
  i = u64_hash (stored) & (m->cap - 1);
  while (m->keys[i] != 0)
    {
      if (m->keys[i] == stored)
        {
          *val = m->vals[i];
          return TRUE;
        }
      i = (i + 1) & (m->cap - 1);
    }
  return FALSE;
}

/* ---- AttnTrie ------------------------------------------------------------ */

AttnTrie *
attn_trie_new (void)
{
  AttnTrie *t = g_new0 (AttnTrie, 1);
  gint32 none = -1;
  attn_u64map_init (&t->edges);
  t->values = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_array_append_val (t->values, none);
  return t;
}

void
attn_trie_free (AttnTrie *t)
{
  if (t == NULL)
    return;
  attn_u64map_clear (&t->edges);
  g_array_unref (t->values);
  g_free (t);
}

void
attn_trie_insert (AttnTrie *t, const char *key, gsize len, gint32 value)
{
  guint32 node = 0;
  for (gsize i = 0; i < len; i++)
    {
      guint64 k = ((guint64) node << 8) | (guint8) key[i];
      guint32 child;
      if (!attn_u64map_get (&t->edges, k, &child))
        {
          gint32 none = -1;
          child = t->values->len;
          g_array_append_val (t->values, none);
          attn_u64map_set (&t->edges, k, child);
        }
      node = child;
    }
  g_array_index (t->values, gint32, node) = value;
}

gboolean
attn_trie_step (const AttnTrie *t, guint32 *node, guint8 byte)
{
  return attn_u64map_get (&t->edges, ((guint64) *node << 8) | byte, node);
}

gint32
attn_trie_value (const AttnTrie *t, guint32 node)
{
  return g_array_index (t->values, gint32, node);
}

/* ---- AttnTokList --------------------------------------------------------- */

AttnTokList *
attn_toklist_new (void)
{
  AttnTokList *l = g_new0 (AttnTokList, 1);
  l->ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  l->tokens = g_ptr_array_new_with_free_func (g_free);
  l->special = g_array_new (FALSE, FALSE, sizeof (guint8));
  l->type_ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  l->offsets = g_array_new (FALSE, FALSE, sizeof (gint32));
  return l;
}

void
attn_toklist_free (AttnTokList *l)
{
  if (l == NULL)
    return;
  g_clear_pointer (&l->ids, g_array_unref);
  g_clear_pointer (&l->tokens, g_ptr_array_unref);
  g_clear_pointer (&l->special, g_array_unref);
  g_clear_pointer (&l->type_ids, g_array_unref);
  g_clear_pointer (&l->offsets, g_array_unref);
  g_free (l);
}

void
attn_toklist_push (AttnTokList *l, gint32 id, char *token, gboolean special,
                   gint32 type_id, gint32 start, gint32 end)
{
  guint8 sp = special ? 1 : 0;
  g_array_append_val (l->ids, id);
  g_ptr_array_add (l->tokens, token);
  g_array_append_val (l->special, sp);
  g_array_append_val (l->type_ids, type_id);
  g_array_append_val (l->offsets, start);
  g_array_append_val (l->offsets, end);
}

/* ---- files --------------------------------------------------------------- */

gboolean
attn_read_file (const char *path, char **data, gsize *len, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (g_file_get_contents (path, data, len, &local))
    return TRUE;
  g_set_error (error, ATTN_ERROR,
               g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? ATTN_ERROR_MISSING : ATTN_ERROR_IO,
               _("%s: cannot read: %s"), path, local->message);
  return FALSE;
}

/* ---- JSON ---------------------------------------------------------------- */

JsonNode *
attn_json_parse_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonParser) parser = NULL;

  if (!attn_read_file (path, &data, &len, error))
    return NULL;
  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: not valid UTF-8 JSON"), path);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: invalid JSON: %s"), path,
                   local->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: empty JSON document"), path);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}
