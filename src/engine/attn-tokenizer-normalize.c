/* attn-tokenizer-normalize.c — text normalisers: the BERT normaliser, case
 * folding, accent stripping, Unicode normal forms, Replace/Strip/Prepend, and
 * SentencePiece's precompiled charsmap with its whitespace handling. Every
 * normaliser keeps the per-byte alignment to the original text. */
#include "attn-tokenizer-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define SPM_SPACE "\xe2\x96\x81"   /* U+2581 ▁ */

/* ---- character classes --------------------------------------------------- */

/* Rust's char::is_whitespace (the White_Space property). */
gboolean
attn_uc_is_whitespace (gunichar c)
{
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
         c == 0x205f || c == 0x3000;
}

/* BERT: ASCII punctuation plus the Unicode P* categories. */
gboolean
attn_uc_is_bert_punct (gunichar c)
{
  if (c < 0x80)
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
           (c >= 123 && c <= 126);
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONNECT_PUNCTUATION:
    case G_UNICODE_DASH_PUNCTUATION:
    case G_UNICODE_OPEN_PUNCTUATION:
    case G_UNICODE_CLOSE_PUNCTUATION:
    case G_UNICODE_INITIAL_PUNCTUATION:
    case G_UNICODE_FINAL_PUNCTUATION:
    case G_UNICODE_OTHER_PUNCTUATION:
      return TRUE;
    default:
      return FALSE;
    }
}

/* BERT's is_control: categories Cc, Cf, Cn, Co, Cs except \t \n \r. */
static gboolean
bert_is_control (gunichar c)
{
  if (c == '\t' || c == '\n' || c == '\r')
    return FALSE;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
bert_is_chinese (gunichar c)
{
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

static gboolean
is_mark (gunichar c)
{
  GUnicodeType t = g_unichar_type (c);
  return t == G_UNICODE_NON_SPACING_MARK || t == G_UNICODE_SPACING_MARK ||
         t == G_UNICODE_ENCLOSING_MARK;
}

/* ---- per-character helpers ----------------------------------------------- */

static inline gsize
char_len_at (const AttnNStr *n, gsize i)
{
  gsize l = (gsize) (g_utf8_next_char (n->s + i) - (n->s + i));
  return MIN (l, n->len - i);
}

static inline void
append_uc (AttnNStr *out, gunichar c, gint32 os, gint32 oe)
{
  char buf[8];
  int l = g_unichar_to_utf8 (c, buf);
  attn_nstr_append (out, buf, (gsize) l, os, oe);
}

static void
append_lower (AttnNStr *out, gunichar c, gint32 os, gint32 oe)
{
  if (c == 0x130) /* İ → i + combining dot above (the only multi-char lowercase) */
    {
      append_uc (out, 'i', os, oe);
      append_uc (out, 0x307, os, oe);
    }
  else
    append_uc (out, g_unichar_tolower (c), os, oe);
}

static AttnNStr *
bert_normalize (const AttnNormalizer *nm, const AttnNStr *in)
{
  AttnNStr *out = attn_nstr_new (in->len + in->len / 4);
  gsize i = 0;

  while (i < in->len)
    {
      gsize cl = char_len_at (in, i);
      gunichar c = g_utf8_get_char (in->s + i);
      gint32 os = in->ostart[i], oe = in->oend[i + cl - 1];

      i += cl;
      if (nm->clean_text)
        {
          if (c == 0 || c == 0xfffd || bert_is_control (c))
            continue;
          if (attn_uc_is_whitespace (c))
            c = ' ';
        }
      if (nm->chinese_chars && bert_is_chinese (c))
        {
          attn_nstr_append (out, " ", 1, os, oe);
          append_uc (out, c, os, oe);
          attn_nstr_append (out, " ", 1, os, oe);
          continue;
        }
      if (nm->strip_accents)
        {
          gunichar dec[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
          gsize nd = g_unichar_fully_decompose (c, FALSE, dec, G_N_ELEMENTS (dec));
          for (gsize k = 0; k < nd; k++)
            {
              if (g_unichar_type (dec[k]) == G_UNICODE_NON_SPACING_MARK)
                continue;
              if (nm->lowercase)
                append_lower (out, dec[k], os, oe);
              else
                append_uc (out, dec[k], os, oe);
            }
          continue;
        }
      if (nm->lowercase)
        append_lower (out, c, os, oe);
      else
        append_uc (out, c, os, oe);
    }
  return out;
}

/* Unicode normal forms, applied per run that starts at a starter character
 * (combining class 0) so that the alignment stays local. */
static AttnNStr *
normal_form (const AttnNStr *in, GNormalizeMode mode)
{
  AttnNStr *out = attn_nstr_new (in->len);
  gsize i = 0;

  while (i < in->len)
    {
      gsize j = i + char_len_at (in, i);
      g_autofree char *norm = NULL;

      while (j < in->len && g_unichar_combining_class (g_utf8_get_char (in->s + j)) != 0)
        j += char_len_at (in, j);
      norm = g_utf8_normalize (in->s + i, (gssize) (j - i), mode);
      if (norm != NULL)
        attn_nstr_append (out, norm, strlen (norm), in->ostart[i], in->oend[j - 1]);
      else
        attn_nstr_append_from (out, in, i, j - i);
      i = j;
    }
  return out;
}

static AttnNStr *
simple_map (const AttnNStr *in, AttnNormKind kind)
{
  AttnNStr *out = attn_nstr_new (in->len);
  gsize i = 0;

  while (i < in->len)
    {
      gsize cl = char_len_at (in, i);
      gunichar c = g_utf8_get_char (in->s + i);
      gint32 os = in->ostart[i], oe = in->oend[i + cl - 1];

      if (kind == ATTN_NORM_LOWERCASE)
        append_lower (out, c, os, oe);
      else if (!is_mark (c)) /* ATTN_NORM_STRIP_ACCENTS */
        attn_nstr_append_from (out, in, i, cl);
      i += cl;
    }
  return out;
}

static AttnNStr *
strip_ws (const AttnNStr *in, gboolean left, gboolean right)
{
  gsize a = 0, b = in->len;

  while (left && a < b && attn_uc_is_whitespace (g_utf8_get_char (in->s + a)))
    a += char_len_at (in, a);
  while (right && b > a)
    {
      const char *p = g_utf8_find_prev_char (in->s + a, in->s + b);
      if (p == NULL || !attn_uc_is_whitespace (g_utf8_get_char (p)))
        break;
      b = (gsize) (p - in->s);
    }
  return attn_nstr_slice (in, a, b);
}

static AttnNStr *
replace (const AttnNormalizer *nm, const AttnNStr *in)
{
  AttnNStr *out = attn_nstr_new (in->len);
  gsize i = 0, clen = strlen (nm->content);

  if (nm->regex != NULL)
    {
      g_autoptr(GMatchInfo) mi = NULL;
      g_regex_match_full (nm->regex, in->s, (gssize) in->len, 0, 0, &mi, NULL);
      while (g_match_info_matches (mi))
        {
          int s, e;
          g_match_info_fetch_pos (mi, 0, &s, &e);
          if (e > s)
            {
              attn_nstr_append_from (out, in, i, (gsize) s - i);
              attn_nstr_append (out, nm->content, clen, in->ostart[s], in->oend[e - 1]);
              i = (gsize) e;
            }
          g_match_info_next (mi, NULL);
        }
    }
  else if (nm->pattern[0] != '\0')
    {
      gsize plen = strlen (nm->pattern);
      const char *hit;
      while ((hit = strstr (in->s + i, nm->pattern)) != NULL && (gsize) (hit - in->s) < in->len)
        {
          gsize s = (gsize) (hit - in->s);
          attn_nstr_append_from (out, in, i, s - i);
          attn_nstr_append (out, nm->content, clen, in->ostart[s], in->oend[s + plen - 1]);
          i = s + plen;
        }
    }
  attn_nstr_append_from (out, in, i, in->len - i);
  return out;
}

/* End of the (approximate) extended grapheme cluster starting at i: the
 * character plus following marks, joiners, emoji modifiers; CR LF together. */
static gsize
grapheme_end (const AttnNStr *in, gsize i)
{
  gunichar c = g_utf8_get_char (in->s + i);
  gsize j = i + char_len_at (in, i);

  if (c == '\r' && j < in->len && in->s[j] == '\n')
    return j + 1;
  if (c < 0x20 || c == 0x7f)
    return j;
  while (j < in->len)
    {
      gunichar d = g_utf8_get_char (in->s + j);
      GUnicodeType t = g_unichar_type (d);
      if (t == G_UNICODE_NON_SPACING_MARK || t == G_UNICODE_SPACING_MARK ||
          t == G_UNICODE_ENCLOSING_MARK || d == 0x200c || (d >= 0x1f3fb && d <= 0x1f3ff))
        j += char_len_at (in, j);
      else if (d == 0x200d)
        {
          j += char_len_at (in, j);
          if (j < in->len)
            j += char_len_at (in, j);
        }
      else
        break;
    }
  return j;
}

/* The tokenizers crate's Precompiled normaliser: per grapheme (under 6
 * bytes) the first — shortest — charsmap rule found at its start replaces the
 * whole grapheme; otherwise per character. */
static AttnNStr *
precompiled (const AttnCharsmap *cm, const AttnNStr *in)
{
  AttnNStr *out = attn_nstr_new (in->len);
  gsize i = 0;

  while (i < in->len)
    {
      gsize g = grapheme_end (in, i);
      const char *rep = NULL;

      if (g - i < 6 && attn_charsmap_match_first (cm, in->s + i, g - i, &rep) > 0)
        attn_nstr_append (out, rep, strlen (rep), in->ostart[i], in->oend[g - 1]);
      else
        for (gsize k = i; k < g;)
          {
            gsize cl = char_len_at (in, k);
            if (attn_charsmap_match_first (cm, in->s + k, cl, &rep) > 0)
              attn_nstr_append (out, rep, strlen (rep), in->ostart[k], in->oend[k + cl - 1]);
            else
              attn_nstr_append_from (out, in, k, cl);
            k += cl;
          }
      i = g;
    }
  return out;
}

AttnNStr *
attn_normalizer_apply (const AttnNormalizer *nm, AttnNStr *in)
{
  AttnNStr *out = NULL;

  switch (nm->kind)
    {
    case ATTN_NORM_BERT:
      out = bert_normalize (nm, in);
      break;
    case ATTN_NORM_LOWERCASE:
    case ATTN_NORM_STRIP_ACCENTS:
      out = simple_map (in, nm->kind);
      break;
    case ATTN_NORM_NFC:
      out = normal_form (in, G_NORMALIZE_NFC);
      break;
    case ATTN_NORM_NFD:
      out = normal_form (in, G_NORMALIZE_NFD);
      break;
    case ATTN_NORM_NFKC:
      out = normal_form (in, G_NORMALIZE_NFKC);
      break;
    case ATTN_NORM_NFKD:
      out = normal_form (in, G_NORMALIZE_NFKD);
      break;
    case ATTN_NORM_STRIP:
      out = strip_ws (in, nm->left, nm->right);
      break;
    case ATTN_NORM_REPLACE:
      out = replace (nm, in);
      break;
    case ATTN_NORM_PREPEND:
      if (in->len == 0)
        return in;
      out = attn_nstr_new (in->len + strlen (nm->content));
      attn_nstr_append (out, nm->content, strlen (nm->content), in->ostart[0], in->ostart[0]);
      attn_nstr_append_from (out, in, 0, in->len);
      break;
    case ATTN_NORM_PRECOMPILED:
      out = nm->charsmap != NULL ? precompiled (nm->charsmap, in) : NULL;
      if (out == NULL)
        return in;
      break;
    default:
      g_assert_not_reached ();
    }
  attn_nstr_free (in);
  return out;
}

void
attn_normalizer_free (AttnNormalizer *nm)
{
  if (nm == NULL)
    return;
  g_free (nm->pattern);
  g_clear_pointer (&nm->regex, g_regex_unref);
  g_free (nm->content);
  attn_charsmap_free (nm->charsmap);
  g_free (nm);
}

/* ---- precompiled charsmap ------------------------------------------------ */

/* The blob is: u32 little-endian size of the trie, the Darts-clone double
 * array (u32 units), then the NUL-separated replacement strings. */
AttnCharsmap *
attn_charsmap_new (const guint8 *blob, gsize len, const char *origin, GError **error)
{
  AttnCharsmap *cm;
  guint32 trie_size;

  if (len < 4)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: precompiled charsmap is %zu bytes, too short"), origin, len);
      return NULL;
    }
  trie_size = (guint32) blob[0] | ((guint32) blob[1] << 8) | ((guint32) blob[2] << 16) |
              ((guint32) blob[3] << 24);
  if (trie_size % 4 != 0 || trie_size == 0 || trie_size > len - 4)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("%s: precompiled charsmap declares a trie of %u bytes in a blob of %zu"), origin, trie_size, len);
      return NULL;
    }
  cm = g_new0 (AttnCharsmap, 1);
  cm->n_units = trie_size / 4;
  cm->units = g_new (guint32, cm->n_units);
  for (gsize i = 0; i < cm->n_units; i++)
    {
      const guint8 *p = blob + 4 + 4 * i;
      cm->units[i] = (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) |
                     ((guint32) p[3] << 24);
    }
  cm->strings_len = len - 4 - trie_size;
  /* keep a NUL at the end so every offset inside names a terminated string */
  cm->strings = g_malloc (cm->strings_len + 1);
  memcpy (cm->strings, blob + 4 + trie_size, cm->strings_len);
  cm->strings[cm->strings_len] = '\0';
  if (!g_utf8_validate_len (cm->strings, cm->strings_len, NULL))
    {
      /* the strings contain NULs, so validate piecewise */
      gsize i = 0;
      while (i < cm->strings_len)
        {
          gsize l = strlen (cm->strings + i);
          if (!g_utf8_validate_len (cm->strings + i, l, NULL))
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: precompiled charsmap has a replacement that is not UTF-8 at %zu"), origin, i);
              attn_charsmap_free (cm);
              return NULL;
            }
          i += l + 1;
        }
    }
  return cm;
}

void
attn_charsmap_free (AttnCharsmap *cm)
{
  if (cm == NULL)
    return;
  g_free (cm->units);
  g_free (cm->strings);
  g_free (cm);
}

static inline guint32
darts_offset (guint32 u)
{
  return (u >> 10) << ((u & (1u << 9)) >> 6);
}

static gsize
charsmap_search (const AttnCharsmap *cm, const char *s, gsize len, const char **out,
                 gboolean first)
{
  gsize best = 0;
  guint32 pos = 0, u;

  if (cm->n_units == 0)
    return 0;
  u = cm->units[0];
  pos ^= darts_offset (u);
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = (guint8) s[i];
      pos ^= c;
      if (pos >= cm->n_units)
        break;
      u = cm->units[pos];
      if ((u & (0x80000000u | 0xffu)) != c)
        break;
      pos ^= darts_offset (u);
      if (pos >= cm->n_units)
        break;
      if ((u >> 8) & 1)
        {
          guint32 v = cm->units[pos] & 0x7fffffffu;
          if (v < cm->strings_len)
            {
              best = i + 1;
              *out = cm->strings + v;
              if (first)
                break;
            }
        }
    }
  return best;
}

gsize
attn_charsmap_match (const AttnCharsmap *cm, const char *s, gsize len, const char **out)
{
  return charsmap_search (cm, s, len, out, FALSE);
}

gsize
attn_charsmap_match_first (const AttnCharsmap *cm, const char *s, gsize len, const char **out)
{
  return charsmap_search (cm, s, len, out, TRUE);
}

/* ---- SentencePiece normaliser -------------------------------------------- */

void
attn_spm_norm_free (AttnSpmNorm *sn)
{
  if (sn == NULL)
    return;
  attn_charsmap_free (sn->charsmap);
  attn_trie_free (sn->user_symbols);
  g_free (sn);
}

/* One normalisation step at s[0..len): the replacement and bytes consumed. */
static gsize
spm_prefix (const AttnSpmNorm *sn, const char *s, gsize len, const char **rep, gsize *rep_len)
{
  gsize n = 0;

  if (sn->user_symbols != NULL)
    {
      guint32 node = 0;
      for (gsize i = 0; i < len && attn_trie_step (sn->user_symbols, &node, (guint8) s[i]); i++)
        if (attn_trie_value (sn->user_symbols, node) >= 0)
          n = i + 1;
      if (n > 0)
        {
          *rep = s;
          *rep_len = n;
          return n;
        }
    }
  if (sn->charsmap != NULL && (n = attn_charsmap_match (sn->charsmap, s, len, rep)) > 0)
    {
      *rep_len = strlen (*rep);
      return n;
    }
  n = (gsize) (g_utf8_next_char (s) - s);
  n = MIN (n, len);
  *rep = s;
  *rep_len = n;
  return n;
}

AttnNStr *
attn_spm_normalize (const AttnSpmNorm *sn, const AttnNStr *in)
{
  AttnNStr *out = attn_nstr_new (in->len + in->len / 2 + 8);
  const char *ws = sn->escape_ws ? SPM_SPACE : " ";
  gsize wslen = strlen (ws);
  gsize i = 0;
  gboolean prev_space;
  gint32 anchor;

  /* leading whitespace */
  if (sn->remove_extra_ws)
    while (i < in->len)
      {
        const char *rep;
        gsize rl, n = spm_prefix (sn, in->s + i, in->len - i, &rep, &rl);
        if (!(rl == 1 && rep[0] == ' '))
          break;
        i += n;
      }
  if (i >= in->len)
    return out;

  anchor = in->ostart[i];
  if (!sn->ws_as_suffix && sn->add_dummy_prefix)
    attn_nstr_append (out, ws, wslen, anchor, anchor);

  prev_space = sn->remove_extra_ws;
  while (i < in->len)
    {
      const char *rep;
      gsize rl, n = spm_prefix (sn, in->s + i, in->len - i, &rep, &rl);
      gint32 os = in->ostart[i], oe = in->oend[i + n - 1];

      if (prev_space)
        while (rl > 0 && rep[0] == ' ')
          {
            rep++;
            rl--;
          }
      if (rl > 0)
        {
          for (gsize k = 0; k < rl; k++)
            {
              if (sn->escape_ws && rep[k] == ' ')
                attn_nstr_append (out, SPM_SPACE, 3, os, oe);
              else
                attn_nstr_append (out, rep + k, 1, os, oe);
            }
          prev_space = rep[rl - 1] == ' ';
        }
      i += n;
      if (!sn->remove_extra_ws)
        prev_space = FALSE;
    }

  if (sn->remove_extra_ws)
    while (out->len >= wslen && memcmp (out->s + out->len - wslen, ws, wslen) == 0)
      {
        out->len -= wslen;
        out->s[out->len] = '\0';
      }
  if (sn->ws_as_suffix && sn->add_dummy_prefix)
    {
      gint32 end = in->oend[in->len - 1];
      attn_nstr_append (out, ws, wslen, end, end);
    }
  return out;
}
