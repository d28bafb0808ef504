/* attn-tokenizer-decode.c — ids back to text through the decoder chain
 * (ByteLevel, WordPiece, Metaspace, BPE suffix, ByteFallback, Fuse, Strip,
 * Replace, CTC), as the tokenizers crate does it. */
#include "attn-tokenizer-private.h"

#include <string.h>

static void
replace_all (GString *s, const char *from, const char *to)
{
  g_string_replace (s, from, to, 0);
}

/* The WordPiece/CTC "cleanup": English spacing around punctuation. */
static void
cleanup (GString *s)
{
  replace_all (s, " .", ".");
  replace_all (s, " ?", "?");
  replace_all (s, " !", "!");
  replace_all (s, " ,", ",");
  replace_all (s, " ' ", "'");
  replace_all (s, " n't", "n't");
  replace_all (s, " 'm", "'m");
  replace_all (s, " do not", " don't");
  replace_all (s, " 's", "'s");
  replace_all (s, " 've", "'ve");
  replace_all (s, " 're", "'re");
}

/* Length of the longest prefix of b[0..n) that could start a valid UTF-8
 * sequence (at least 1): Rust's from_utf8_lossy replaces each such maximal
 * invalid subpart with one U+FFFD. */
static gsize
invalid_subpart (const guint8 *b, gsize n)
{
  guint8 lo = 0x80, hi = 0xbf;
  gsize need, k;

  if (b[0] >= 0xc2 && b[0] <= 0xdf)
    need = 1;
  else if (b[0] >= 0xe0 && b[0] <= 0xef)
    {
      need = 2;
      if (b[0] == 0xe0)
        lo = 0xa0;
      else if (b[0] == 0xed)
        hi = 0x9f;
    }
  else if (b[0] >= 0xf0 && b[0] <= 0xf4)
    {
      need = 3;
      if (b[0] == 0xf0)
        lo = 0x90;
      else if (b[0] == 0xf4)
        hi = 0x8f;
    }
  else
    return 1;
  for (k = 1; k <= need && k < n; k++)
    {
      if (b[k] < lo || b[k] > hi)
        break;
      lo = 0x80;
      hi = 0xbf;
    }
  return k;
}

static char *
bytes_to_text_lossy (const guint8 *b, gsize n)
{
  GString *out = g_string_sized_new (n + 1);
  gsize i = 0;

  while (i < n)
    {
      const char *end = NULL;
      if (g_utf8_validate_len ((const char *) b + i, n - i, &end))
        {
          g_string_append_len (out, (const char *) b + i, (gssize) (n - i));
          break;
        }
      g_string_append_len (out, (const char *) b + i, (gssize) (end - (const char *) (b + i)));
      i = (gsize) ((const guint8 *) end - b);
      /* an invalid subpart (or a NUL, which a C string cannot carry) */
      g_string_append (out, "\xef\xbf\xbd");
      i += invalid_subpart (b + i, n - i);
    }
  return g_string_free (out, FALSE);
}

static gboolean
parse_byte_token (const char *t, guint8 *out)
{
  if (strlen (t) != 6 || strncmp (t, "<0x", 3) != 0 || t[5] != '>' ||
      !g_ascii_isxdigit (t[3]) || !g_ascii_isxdigit (t[4]))
    return FALSE;
  *out = (guint8) (g_ascii_xdigit_value (t[3]) * 16 + g_ascii_xdigit_value (t[4]));
  return TRUE;
}

/* Applies one decoder to the token list, returning the new list. */
static GPtrArray *
apply_decoder (const AttnDecoder *d, GPtrArray *toks)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  switch (d->kind)
    {
    case ATTN_DEC_BYTELEVEL:
      {
        g_autoptr(GByteArray) bytes = g_byte_array_new ();
        for (guint i = 0; i < toks->len; i++)
          {
            const char *t = g_ptr_array_index (toks, i);
            gsize mark = bytes->len;
            const char *p;
            for (p = t; *p != '\0'; p = g_utf8_next_char (p))
              {
                int b = attn_unicode_to_byte (g_utf8_get_char (p));
                guint8 v = (guint8) b;
                if (b < 0)
                  break;
                g_byte_array_append (bytes, &v, 1);
              }
            if (*p != '\0') /* not a byte-level token: its own bytes */
              {
                g_byte_array_set_size (bytes, (guint) mark);
                g_byte_array_append (bytes, (const guint8 *) t, (guint) strlen (t));
              }
          }
        g_ptr_array_add (out, bytes_to_text_lossy (bytes->data, bytes->len));
        break;
      }
    case ATTN_DEC_WORDPIECE:
      for (guint i = 0; i < toks->len; i++)
        {
          const char *t = g_ptr_array_index (toks, i);
          GString *s = g_string_new (NULL);
          if (i != 0)
            {
              if (g_str_has_prefix (t, d->a))
                t += strlen (d->a);
              else
                g_string_append_c (s, ' ');
            }
          g_string_append (s, t);
          if (d->flag)
            cleanup (s);
          g_ptr_array_add (out, g_string_free (s, FALSE));
        }
      break;
    case ATTN_DEC_METASPACE:
      for (guint i = 0; i < toks->len; i++)
        {
          GString *s = g_string_new (g_ptr_array_index (toks, i));
          if (d->a[0] != '\0')
            replace_all (s, d->a, " ");
          if (i == 0 && d->flag && s->str[0] == ' ')
            g_string_erase (s, 0, 1);
          g_ptr_array_add (out, g_string_free (s, FALSE));
        }
      break;
    case ATTN_DEC_BPE:
      for (guint i = 0; i < toks->len; i++)
        {
          GString *s = g_string_new (g_ptr_array_index (toks, i));
          if (d->a[0] != '\0')
            replace_all (s, d->a, i + 1 == toks->len ? "" : " ");
          g_ptr_array_add (out, g_string_free (s, FALSE));
        }
      break;
    case ATTN_DEC_BYTEFALLBACK:
      {
        g_autoptr(GByteArray) run = g_byte_array_new ();
        for (guint i = 0; i <= toks->len; i++)
          {
            guint8 b;
            if (i < toks->len && parse_byte_token (g_ptr_array_index (toks, i), &b))
              {
                g_byte_array_append (run, &b, 1);
                continue;
              }
            if (run->len > 0)
              {
                if (g_utf8_validate_len ((const char *) run->data, run->len, NULL))
                  g_ptr_array_add (out, g_strndup ((const char *) run->data, run->len));
                else
                  for (guint k = 0; k < run->len; k++)
                    g_ptr_array_add (out, g_strdup ("\xef\xbf\xbd"));
                g_byte_array_set_size (run, 0);
              }
            if (i < toks->len)
              g_ptr_array_add (out, g_strdup (g_ptr_array_index (toks, i)));
          }
        break;
      }
    case ATTN_DEC_FUSE:
      {
        GString *s = g_string_new (NULL);
        for (guint i = 0; i < toks->len; i++)
          g_string_append (s, g_ptr_array_index (toks, i));
        g_ptr_array_add (out, g_string_free (s, FALSE));
        break;
      }
    case ATTN_DEC_STRIP:
      for (guint i = 0; i < toks->len; i++)
        {
          const char *t = g_ptr_array_index (toks, i);
          gsize cl = strlen (d->a), a = 0, b = strlen (t);
          for (int k = 0; k < d->start && cl > 0 && b - a >= cl && memcmp (t + a, d->a, cl) == 0; k++)
            a += cl;
          for (int k = 0; k < d->stop && cl > 0 && b - a >= cl && memcmp (t + b - cl, d->a, cl) == 0;
               k++)
            b -= cl;
          g_ptr_array_add (out, g_strndup (t + a, b - a));
        }
      break;
    case ATTN_DEC_REPLACE:
      for (guint i = 0; i < toks->len; i++)
        {
          GString *s = g_string_new (g_ptr_array_index (toks, i));
          if (d->a[0] != '\0')
            replace_all (s, d->a, d->b);
          g_ptr_array_add (out, g_string_free (s, FALSE));
        }
      break;
    case ATTN_DEC_CTC:
      for (guint i = 0; i < toks->len; i++)
        {
          const char *t = g_ptr_array_index (toks, i);
          GString *s;
          if (i > 0 && strcmp (t, g_ptr_array_index (toks, i - 1)) == 0)
            continue;
          if (strcmp (t, d->a) == 0)
            continue;
          s = g_string_new (t);
          replace_all (s, d->b, " ");
          if (d->flag)
            cleanup (s);
          g_ptr_array_add (out, g_string_free (s, FALSE));
        }
      break;
    default:
      g_assert_not_reached ();
    }
  return out;
}

char *
attn_tokenizer_decode (AttnTokenizer *tok, const gint32 *ids, guint n, gboolean skip_special)
{
  g_autoptr(GPtrArray) toks = g_ptr_array_new_with_free_func (g_free);
  GString *s;

  g_return_val_if_fail (tok != NULL, NULL);
  g_return_val_if_fail (ids != NULL || n == 0, NULL);
  for (guint i = 0; i < n; i++)
    {
      const char *t = attn_tokenizer_id_to_token (tok, ids[i]);
      if (t == NULL || (skip_special && attn_tokenizer_is_special (tok, ids[i])))
        continue;
      g_ptr_array_add (toks, g_strdup (t));
    }
  for (guint i = 0; i < tok->decoders->len; i++)
    {
      GPtrArray *next = apply_decoder (g_ptr_array_index (tok->decoders, i), toks);
      g_ptr_array_unref (toks);
      toks = next;
    }
  s = g_string_new (NULL);
  for (guint i = 0; i < toks->len; i++)
    {
      if (i > 0 && tok->decoders->len == 0)
        g_string_append_c (s, ' ');
      g_string_append (s, g_ptr_array_index (toks, i));
    }
  return g_string_free (s, FALSE);
}
