/* attn-tokenizer-wordpiece.c — WordPiece (BERT): greedy longest-match-first
 * over each word with a "##" continuation prefix, and vocab.txt loading. */
#include "attn-tokenizer-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

static gint32
lookup (AttnTokenizer *tok, const char *s)
{
  gpointer v = g_hash_table_lookup (tok->vocab_map, s);
  return v != NULL ? GPOINTER_TO_INT (v) - 1 : -1;
}

gboolean
attn_wordpiece_tokenize (AttnTokenizer *tok, const AttnNStr *word, AttnTokList *out, GError **error)
{
  const AttnWordPiece *wp = &tok->wp;
  gsize plen = strlen (wp->prefix);
  glong nchars = g_utf8_strlen (word->s, (gssize) word->len);
  g_autofree char *buf = NULL;
  g_autoptr(GArray) found = NULL;   /* (id, start, end) triples */
  gsize start = 0;

  if (word->len == 0)
    return TRUE;
  if ((gulong) nchars > wp->max_chars)
    goto unknown;

  buf = g_malloc (plen + word->len + 1);
  found = g_array_new (FALSE, FALSE, sizeof (gint32));
  while (start < word->len)
    {
      gsize end = word->len;
      gint32 id = -1;
      gsize off = start > 0 ? plen : 0;

      memcpy (buf, wp->prefix, plen);
      while (end > start)
        {
          memcpy (buf + off, word->s + start, end - start);
          buf[off + end - start] = '\0';
          id = lookup (tok, buf);
          if (id >= 0)
            break;
          /* back off one character */
          {
            const char *prev = g_utf8_find_prev_char (word->s + start, word->s + end);
            end = prev != NULL ? (gsize) (prev - word->s) : start;
          }
        }
      if (id < 0 || end <= start)
        goto unknown;
      {
        gint32 trip[3] = { id, (gint32) start, (gint32) end };
        g_array_append_vals (found, trip, 3);
      }
      start = end;
    }
  for (guint k = 0; k < found->len; k += 3)
    {
      gint32 id = g_array_index (found, gint32, k);
      gint32 s = g_array_index (found, gint32, k + 1), e = g_array_index (found, gint32, k + 2);
      attn_toklist_push (out, id, g_strdup (g_ptr_array_index (tok->vocab, id)), FALSE, 0,
                         word->ostart[s], word->oend[e - 1]);
    }
  return TRUE;

unknown:
  if (wp->unk_id < 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT,
                   _("%s: the word “%s” cannot be tokenized and the vocabulary has no unknown token"),
                   tok->origin, word->s);
      return FALSE;
    }
  attn_toklist_push (out, wp->unk_id, g_strdup (g_ptr_array_index (tok->vocab, wp->unk_id)), FALSE,
                     0, word->ostart[0], word->oend[word->len - 1]);
  return TRUE;
}

/* vocab.txt: one token per line, the line number is the id. */
gboolean
attn_wordpiece_load_vocab_txt (AttnTokenizer *tok, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0, pos = 0;
  gint32 id = 0;

  if (!attn_read_file (path, &data, &len, error))
    return FALSE;
  while (pos < len)
    {
      const char *line = data + pos;
      const char *nl = memchr (line, '\n', len - pos);
      gsize l = nl != NULL ? (gsize) (nl - line) : len - pos;
      g_autofree char *token = NULL;

      pos += l + (nl != NULL ? 1 : 0);
      /* like the tokenizers crate: trailing whitespace is not part of the token */
      while (l > 0 && g_ascii_isspace (line[l - 1]))
        l--;
      if (memchr (line, '\0', l) != NULL || !g_utf8_validate_len (line, l, NULL))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: line %d is not valid UTF-8 text"), path, id + 1);
          return FALSE;
        }
      if (nl == NULL && l == 0)
        break;
      token = g_strndup (line, l);
      /* a repeated token: the later line wins, as in the tokenizers crate */
      attn_tokenizer_vocab_add (tok, token, id, TRUE);
      id++;
    }
  if (id == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: the vocabulary is empty"), path);
      return FALSE;
    }
  return TRUE;
}
