/* attn-tokenizer-pretok.c — pre-tokenizers: split normalised text into words
 * (BERT, GPT-2 byte-level, whitespace, Metaspace, punctuation, digits, regex
 * splits) and GPT-2's byte ↔ unicode table. */
#include "attn-tokenizer-private.h"

#include <string.h>

/* ---- GPT-2 byte table ---------------------------------------------------- */

static gunichar b2u[256];
static gint16 u2b[512];

static void
init_byte_table (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      int n = 0;
      for (int i = 0; i < 512; i++)
        u2b[i] = -1;
      for (int b = 0; b < 256; b++)
        {
          gboolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
          b2u[b] = printable ? (gunichar) b : (gunichar) (256 + n++);
          u2b[b2u[b]] = (gint16) b;
        }
      g_once_init_leave (&done, 1);
    }
}

gunichar
attn_byte_to_unicode (guint8 b)
{
  init_byte_table ();
  return b2u[b];
}

int
attn_unicode_to_byte (gunichar c)
{
  init_byte_table ();
  return c < 512 ? u2b[c] : -1;
}

/* ---- construction -------------------------------------------------------- */

/* GPT-2's pattern; PCRE with UCP (GLib's default) gives Unicode \s. */
static const char gpt2_pattern[] =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

AttnPreTokenizer *
attn_pretok_new (AttnPreKind kind)
{
  AttnPreTokenizer *pt = g_new0 (AttnPreTokenizer, 1);
  pt->kind = kind;
  pt->use_regex = TRUE;
  pt->behavior = ATTN_SPLIT_ISOLATED;
  if (kind == ATTN_PRE_BYTELEVEL)
    pt->regex = g_regex_new (gpt2_pattern, G_REGEX_OPTIMIZE, 0, NULL);
  else if (kind == ATTN_PRE_WHITESPACE)
    pt->regex = g_regex_new ("\\w+|[^\\w\\s]+", G_REGEX_OPTIMIZE, 0, NULL);
  return pt;
}

void
attn_pretok_free (AttnPreTokenizer *pt)
{
  if (pt == NULL)
    return;
  g_clear_pointer (&pt->regex, g_regex_unref);
  g_free (pt->replacement);
  g_free (pt);
}

/* ---- splitting machinery ------------------------------------------------- */

typedef struct { gsize s, e; } Range;

static void
push_piece (GPtrArray *out, const AttnNStr *src, gsize s, gsize e)
{
  if (e > s)
    g_ptr_array_add (out, attn_nstr_slice (src, s, e));
}

/* Splits `src` at the matches (sorted, disjoint) according to `behavior`. */
static void
split_at (const AttnNStr *src, GArray *matches, AttnSplitBehavior behavior, GPtrArray *out)
{
  gsize pos = 0;      /* start of the text not yet emitted */
  gsize pending = 0;  /* MergedWithNext: start of the piece being collected */
  gboolean have_pending = FALSE;

  if (behavior == ATTN_SPLIT_CONTIGUOUS && matches->len > 1)
    {
      guint w = 0;
      for (guint r = 0; r < matches->len; r++)
        {
          Range m = g_array_index (matches, Range, r);
          if (w > 0 && g_array_index (matches, Range, w - 1).e == m.s)
            g_array_index (matches, Range, w - 1).e = m.e;
          else
            g_array_index (matches, Range, w++) = m;
        }
      g_array_set_size (matches, w);
    }

  for (guint r = 0; r < matches->len; r++)
    {
      Range m = g_array_index (matches, Range, r);
      switch (behavior)
        {
        case ATTN_SPLIT_REMOVED:
          push_piece (out, src, pos, m.s);
          break;
        case ATTN_SPLIT_ISOLATED:
        case ATTN_SPLIT_CONTIGUOUS:
          push_piece (out, src, pos, m.s);
          push_piece (out, src, m.s, m.e);
          break;
        case ATTN_SPLIT_MERGED_PREV:
          push_piece (out, src, pos, m.e);
          break;
        case ATTN_SPLIT_MERGED_NEXT:
          if (have_pending)
            push_piece (out, src, pending, m.s);
          else
            push_piece (out, src, pos, m.s);
          pending = m.s;
          have_pending = TRUE;
          break;
        default:
          g_assert_not_reached ();
        }
      pos = m.e;
    }
  if (behavior == ATTN_SPLIT_MERGED_NEXT && have_pending)
    push_piece (out, src, pending, src->len);
  else
    push_piece (out, src, pos, src->len);
}

static void
regex_matches (GRegex *re, const AttnNStr *src, GArray *matches)
{
  g_autoptr(GMatchInfo) mi = NULL;

  g_regex_match_full (re, src->s, (gssize) src->len, 0, 0, &mi, NULL);
  while (g_match_info_matches (mi))
    {
      int s, e;
      g_match_info_fetch_pos (mi, 0, &s, &e);
      if (e > s)
        {
          Range m = { (gsize) s, (gsize) e };
          g_array_append_val (matches, m);
        }
      g_match_info_next (mi, NULL);
    }
}

static void
invert_matches (GArray *matches, gsize len)
{
  g_autoptr(GArray) inv = g_array_new (FALSE, FALSE, sizeof (Range));
  gsize pos = 0;

  for (guint r = 0; r < matches->len; r++)
    {
      Range m = g_array_index (matches, Range, r);
      if (m.s > pos)
        {
          Range g = { pos, m.s };
          g_array_append_val (inv, g);
        }
      pos = m.e;
    }
  if (pos < len)
    {
      Range g = { pos, len };
      g_array_append_val (inv, g);
    }
  g_array_set_size (matches, 0);
  g_array_append_vals (matches, inv->data, inv->len);
}

typedef gboolean (*CharPred) (gunichar c);

static gboolean
pred_ws (gunichar c)
{
  return attn_uc_is_whitespace (c);
}

static gboolean
pred_digit (gunichar c)
{
  return c >= '0' && c <= '9';
}

static void
char_matches (const AttnNStr *src, CharPred pred, GArray *matches)
{
  gsize i = 0;
  while (i < src->len)
    {
      gsize n = (gsize) (g_utf8_next_char (src->s + i) - (src->s + i));
      if (pred (g_utf8_get_char (src->s + i)))
        {
          Range m = { i, i + n };
          g_array_append_val (matches, m);
        }
      i += n;
    }
}

/* BERT: whitespace removed, every punctuation character its own word. */
static void
bert_split (const AttnNStr *src, GPtrArray *out)
{
  gsize i = 0, start = 0;
  while (i < src->len)
    {
      gsize n = (gsize) (g_utf8_next_char (src->s + i) - (src->s + i));
      gunichar c = g_utf8_get_char (src->s + i);
      if (attn_uc_is_whitespace (c))
        {
          push_piece (out, src, start, i);
          start = i + n;
        }
      else if (attn_uc_is_bert_punct (c))
        {
          push_piece (out, src, start, i);
          push_piece (out, src, i, i + n);
          start = i + n;
        }
      i += n;
    }
  push_piece (out, src, start, src->len);
}

/* Maps every byte to its GPT-2 unicode character. */
static AttnNStr *
byte_level_map (const AttnNStr *src, gboolean add_prefix_space)
{
  AttnNStr *out = attn_nstr_new (src->len * 2 + 2);
  char buf[8];

  if (add_prefix_space && src->len > 0 && src->s[0] != ' ')
    {
      int l = g_unichar_to_utf8 (attn_byte_to_unicode (' '), buf);
      attn_nstr_append (out, buf, (gsize) l, src->ostart[0], src->ostart[0]);
    }
  for (gsize i = 0; i < src->len; i++)
    {
      int l = g_unichar_to_utf8 (attn_byte_to_unicode ((guint8) src->s[i]), buf);
      attn_nstr_append (out, buf, (gsize) l, src->ostart[i], src->oend[i]);
    }
  return out;
}

static AttnNStr *
metaspace_map (const AttnPreTokenizer *pt, const AttnNStr *src)
{
  gsize rl = strlen (pt->replacement);
  AttnNStr *out = attn_nstr_new (src->len + rl * 4);
  gboolean starts = src->len >= rl && memcmp (src->s, pt->replacement, rl) == 0;
  gboolean prepend = FALSE;

  if (src->len > 0 && src->s[0] == ' ')
    starts = TRUE;
  if (pt->prepend == ATTN_PREPEND_ALWAYS)
    prepend = !starts;
  else if (pt->prepend == ATTN_PREPEND_FIRST)
    prepend = !starts && src->len > 0 && src->ostart[0] == 0;
  if (prepend)
    attn_nstr_append (out, pt->replacement, rl, src->ostart[0], src->ostart[0]);
  for (gsize i = 0; i < src->len; i++)
    {
      if (src->s[i] == ' ')
        attn_nstr_append (out, pt->replacement, rl, src->ostart[i], src->oend[i]);
      else
        attn_nstr_append_from (out, src, i, 1);
    }
  return out;
}

static void
metaspace_split (const AttnPreTokenizer *pt, const AttnNStr *src, GPtrArray *out)
{
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (Range));
  gsize rl = strlen (pt->replacement);
  gsize i = 0;

  while (rl > 0 && i + rl <= src->len)
    {
      if (memcmp (src->s + i, pt->replacement, rl) == 0)
        {
          Range m = { i, i + rl };
          g_array_append_val (matches, m);
          i += rl;
        }
      else
        i++;
    }
  split_at (src, matches, ATTN_SPLIT_MERGED_NEXT, out);
}

static void
apply_one (const AttnPreTokenizer *pt, const AttnNStr *src, GPtrArray *out)
{
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (Range));

  switch (pt->kind)
    {
    case ATTN_PRE_BERT:
      bert_split (src, out);
      return;
    case ATTN_PRE_BYTELEVEL:
      {
        g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_nstr_free);
        AttnNStr *pref = NULL;
        const AttnNStr *text = src;
        if (pt->add_prefix_space && src->len > 0 && src->s[0] != ' ')
          {
            pref = attn_nstr_new (src->len + 1);
            attn_nstr_append (pref, " ", 1, src->ostart[0], src->ostart[0]);
            attn_nstr_append_from (pref, src, 0, src->len);
            text = pref;
          }
        if (pt->use_regex && pt->regex != NULL)
          {
            regex_matches (pt->regex, text, matches);
            split_at (text, matches, ATTN_SPLIT_ISOLATED, parts);
          }
        else
          push_piece (parts, text, 0, text->len);
        for (guint k = 0; k < parts->len; k++)
          g_ptr_array_add (out, byte_level_map (g_ptr_array_index (parts, k), FALSE));
        attn_nstr_free (pref);
        return;
      }
    case ATTN_PRE_WHITESPACE:
      regex_matches (pt->regex, src, matches);
      invert_matches (matches, src->len);
      split_at (src, matches, ATTN_SPLIT_REMOVED, out);
      return;
    case ATTN_PRE_WHITESPACE_SPLIT:
      char_matches (src, pred_ws, matches);
      split_at (src, matches, ATTN_SPLIT_REMOVED, out);
      return;
    case ATTN_PRE_METASPACE:
      {
        AttnNStr *m = metaspace_map (pt, src);
        if (pt->split)
          metaspace_split (pt, m, out);
        else
          push_piece (out, m, 0, m->len);
        attn_nstr_free (m);
        return;
      }
    case ATTN_PRE_PUNCTUATION:
      char_matches (src, attn_uc_is_bert_punct, matches);
      split_at (src, matches, pt->behavior, out);
      return;
    case ATTN_PRE_DIGITS:
      char_matches (src, pred_digit, matches);
      split_at (src, matches, pt->individual_digits ? ATTN_SPLIT_ISOLATED : ATTN_SPLIT_CONTIGUOUS,
                out);
      return;
    case ATTN_PRE_SPLIT:
      regex_matches (pt->regex, src, matches);
      if (pt->invert)
        invert_matches (matches, src->len);
      split_at (src, matches, pt->behavior, out);
      return;
    default:
      g_assert_not_reached ();
    }
}

void
attn_pretok_apply (const AttnPreTokenizer *pt, GPtrArray *pieces, gboolean first)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_nstr_free);

  for (guint i = 0; i < pieces->len; i++)
    apply_one (pt, g_ptr_array_index (pieces, i), out);
  g_ptr_array_set_size (pieces, 0);
  for (guint i = 0; i < out->len; i++)
    g_ptr_array_add (pieces, g_steal_pointer (&out->pdata[i]));
  g_ptr_array_set_free_func (out, NULL);
}
