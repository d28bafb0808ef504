/* attn-tokenizer-json.c — reads a Hugging Face tokenizer.json: model
 * (WordPiece, BPE, Unigram), added tokens, normalizer, pre-tokenizer,
 * post-processor and decoder. Every member's JSON type is checked. */
#include "attn-tokenizer-private.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

/* ---- typed member access ------------------------------------------------- */

gboolean
attn_json_bad_type (const AttnJsonCtx *c, const char *where, const char *name, const char *expected, GError **error)
{
  /* expected: a description marked with N_() ("a string", "an array", …) */
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: %s%s%s must be %s"), c->path, where,
               name != NULL ? "." : "", name != NULL ? name : "", _(expected));
  return FALSE;
}

gboolean
attn_json_is_null (JsonNode *n)
{
  return n == NULL || JSON_NODE_HOLDS_NULL (n);
}

gboolean
attn_json_get_string (const AttnJsonCtx *c, JsonObject *o, const char *where, const char *name, const char **out,
            GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  *out = NULL;
  if (attn_json_is_null (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return attn_json_bad_type (c, where, name, N_("a string"), error);
  *out = json_node_get_string (n);
  return TRUE;
}

gboolean
attn_json_get_bool (const AttnJsonCtx *c, JsonObject *o, const char *where, const char *name, gboolean def,
          gboolean *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  *out = def;
  if (attn_json_is_null (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return attn_json_bad_type (c, where, name, N_("true or false"), error);
  *out = json_node_get_boolean (n);
  return TRUE;
}

gboolean
attn_json_get_int (const AttnJsonCtx *c, JsonObject *o, const char *where, const char *name, gint64 def,
         gint64 *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  *out = def;
  if (attn_json_is_null (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return attn_json_bad_type (c, where, name, N_("an integer"), error);
  *out = json_node_get_int (n);
  return TRUE;
}

JsonObject *
attn_json_as_object (const AttnJsonCtx *c, JsonNode *n, const char *where, GError **error)
{
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    {
      attn_json_bad_type (c, where, NULL, N_("an object"), error);
      return NULL;
    }
  return json_node_get_object (n);
}

JsonArray *
attn_json_get_array (const AttnJsonCtx *c, JsonObject *o, const char *where, const char *name, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    {
      attn_json_bad_type (c, where, name, N_("an array"), error);
      return NULL;
    }
  return json_node_get_array (n);
}

const char *
attn_json_get_type (const AttnJsonCtx *c, JsonObject *o, const char *where, GError **error)
{
  const char *t = NULL;
  if (!attn_json_get_string (c, o, where, "type", &t, error))
    return NULL;
  if (t == NULL)
    attn_json_bad_type (c, where, "type", N_("a string"), error);
  return t;
}

gboolean
attn_json_unsupported (const AttnJsonCtx *c, const char *where, const char *type, GError **error)
{
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, _("%s: %s type “%s” is not supported"),
               c->path, where, type);
  return FALSE;
}

/* A {"String": s} or {"Regex": r} pattern, as a compiled regex. */
GRegex *
attn_json_get_pattern (const AttnJsonCtx *c, JsonObject *o, const char *where, char **literal, GError **error)
{
  JsonObject *p = attn_json_as_object (c, json_object_get_member (o, "pattern"), where, error);
  const char *s = NULL, *r = NULL;
  g_autofree char *esc = NULL;
  g_autoptr(GError) local = NULL;
  GRegex *re;

  if (p == NULL || !attn_json_get_string (c, p, where, "String", &s, error) ||
      !attn_json_get_string (c, p, where, "Regex", &r, error))
    return NULL;
  if (s == NULL && r == NULL)
    {
      attn_json_bad_type (c, where, "pattern", N_("{\"String\": …} or {\"Regex\": …}"), error);
      return NULL;
    }
  if (s != NULL)
    {
      if (literal != NULL)
        *literal = g_strdup (s);
      esc = g_regex_escape_string (s, -1);
    }
  re = g_regex_new (s != NULL ? esc : r, G_REGEX_OPTIMIZE, 0, &local);
  if (re == NULL)
    g_set_error (error, ATTN_ERROR, ATTN_ERROR_UNSUPPORTED, _("%s: %s: cannot compile pattern: %s"),
                 c->path, where, local->message);
  return re;
}

/* ---- model --------------------------------------------------------------- */

static gboolean
load_vocab_object (const AttnJsonCtx *c, JsonObject *model, GError **error)
{
  JsonNode *vn = json_object_get_member (model, "vocab");
  JsonObjectIter it;
  const char *key;
  JsonNode *val;

  if (vn == NULL || !JSON_NODE_HOLDS_OBJECT (vn))
    return attn_json_bad_type (c, "model", "vocab", N_("an object of token → id"), error);
  json_object_iter_init (&it, json_node_get_object (vn));
  while (json_object_iter_next (&it, &key, &val))
    {
      gint64 id;
      if (!JSON_NODE_HOLDS_VALUE (val) || json_node_get_value_type (val) != G_TYPE_INT64 ||
          (id = json_node_get_int (val)) < 0 || id >= G_MAXINT32)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: model.vocab: the id of “%s” is not a non-negative integer"), c->path, key);
          return FALSE;
        }
      if (!attn_tokenizer_vocab_add (c->tok, key, (gint32) id, FALSE))
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: model.vocab: id %" PRId64 " (“%s”) is used twice"), c->path, id,
                       key);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
load_model (const AttnJsonCtx *c, JsonObject *root, GError **error)
{
  AttnTokenizer *tok = c->tok;
  JsonObject *m = attn_json_as_object (c, json_object_get_member (root, "model"), "model", error);
  const char *type = NULL, *unk = NULL, *s = NULL;

  if (m == NULL || !attn_json_get_string (c, m, "model", "type", &type, error))
    return FALSE;
  if (type == NULL) /* old files: infer from the members */
    type = json_object_has_member (m, "merges") ? "BPE"
         : json_object_has_member (m, "continuing_subword_prefix") ? "WordPiece"
         : "Unigram";

  if (strcmp (type, "WordPiece") == 0)
    {
      gint64 maxc;
      tok->model = ATTN_MODEL_WORDPIECE;
      if (!load_vocab_object (c, m, error) || !attn_json_get_string (c, m, "model", "unk_token", &unk, error) ||
          !attn_json_get_string (c, m, "model", "continuing_subword_prefix", &s, error) ||
          !attn_json_get_int (c, m, "model", "max_input_chars_per_word", 100, &maxc, error))
        return FALSE;
      tok->wp.prefix = g_strdup (s != NULL ? s : "##");
      tok->wp.max_chars = (guint) CLAMP (maxc, 0, G_MAXINT32);
      tok->wp.unk_id = unk != NULL ? attn_tokenizer_token_to_id (tok, unk) : -1;
      if (unk != NULL && tok->wp.unk_id < 0)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: model.unk_token “%s” is not in the vocabulary"), c->path, unk);
          return FALSE;
        }
      return TRUE;
    }
  if (strcmp (type, "BPE") == 0)
    {
      AttnBpe *b;
      JsonArray *merges;
      const char *eow = NULL;
      tok->model = ATTN_MODEL_BPE;
      b = tok->bpe = g_new0 (AttnBpe, 1);
      attn_u64map_init (&b->merges);
      b->merge_new = g_array_new (FALSE, FALSE, sizeof (gint32));
      if (!load_vocab_object (c, m, error) || !attn_json_get_string (c, m, "model", "unk_token", &unk, error) ||
          !attn_json_get_string (c, m, "model", "continuing_subword_prefix", &s, error) ||
          !attn_json_get_string (c, m, "model", "end_of_word_suffix", &eow, error) ||
          !attn_json_get_bool (c, m, "model", "fuse_unk", FALSE, &b->fuse_unk, error) ||
          !attn_json_get_bool (c, m, "model", "byte_fallback", FALSE, &b->byte_fallback, error) ||
          !attn_json_get_bool (c, m, "model", "ignore_merges", FALSE, &b->ignore_merges, error) ||
          (merges = attn_json_get_array (c, m, "model", "merges", error)) == NULL)
        return FALSE;
      b->cont_prefix = g_strdup (s);
      b->eow_suffix = g_strdup (eow);
      b->unk_id = unk != NULL ? attn_tokenizer_token_to_id (tok, unk) : -1;
      for (guint i = 0; i < json_array_get_length (merges); i++)
        {
          JsonNode *e = json_array_get_element (merges, i);
          gboolean ok;
          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
            {
              g_auto(GStrv) parts = g_strsplit (json_node_get_string (e), " ", -1);
              if (g_strv_length (parts) != 2)
                {
                  g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                               _("%s: model.merges[%u] is not two tokens separated by a space"),
                               c->path, i);
                  return FALSE;
                }
              ok = attn_bpe_add_merge (tok, parts[0], parts[1], c->path, error);
            }
          else if (JSON_NODE_HOLDS_ARRAY (e) && json_array_get_length (json_node_get_array (e)) == 2)
            {
              JsonArray *pa = json_node_get_array (e);
              JsonNode *l = json_array_get_element (pa, 0), *r = json_array_get_element (pa, 1);
              if (!JSON_NODE_HOLDS_VALUE (l) || json_node_get_value_type (l) != G_TYPE_STRING ||
                  !JSON_NODE_HOLDS_VALUE (r) || json_node_get_value_type (r) != G_TYPE_STRING)
                goto bad_merge;
              ok = attn_bpe_add_merge (tok, json_node_get_string (l), json_node_get_string (r),
                                       c->path, error);
            }
          else
            {
            bad_merge:
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: model.merges[%u] must be a string \"a b\" or a pair of strings"),
                           c->path, i);
              return FALSE;
            }
          if (!ok)
            return FALSE;
        }
      return TRUE;
    }
  if (strcmp (type, "Unigram") == 0)
    {
      AttnUnigram *u;
      JsonArray *vocab;
      gint64 unk_id;
      tok->model = ATTN_MODEL_UNIGRAM;
      u = tok->uni = g_new0 (AttnUnigram, 1);
      u->fuse_unk = TRUE;
      u->scores = g_array_new (FALSE, FALSE, sizeof (double));
      u->types = g_array_new (FALSE, FALSE, sizeof (guint8));
      u->pieces = g_ptr_array_ref (tok->vocab);
      if ((vocab = attn_json_get_array (c, m, "model", "vocab", error)) == NULL ||
          !attn_json_get_int (c, m, "model", "unk_id", -1, &unk_id, error) ||
          !attn_json_get_bool (c, m, "model", "byte_fallback", FALSE, &u->byte_fallback, error))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (vocab); i++)
        {
          JsonNode *e = json_array_get_element (vocab, i);
          JsonArray *pa = JSON_NODE_HOLDS_ARRAY (e) ? json_node_get_array (e) : NULL;
          JsonNode *p, *sc;
          double score;
          guint8 t = ATTN_PIECE_NORMAL;
          if (pa == NULL || json_array_get_length (pa) != 2 ||
              !JSON_NODE_HOLDS_VALUE (p = json_array_get_element (pa, 0)) ||
              json_node_get_value_type (p) != G_TYPE_STRING ||
              !JSON_NODE_HOLDS_VALUE (sc = json_array_get_element (pa, 1)) ||
              (json_node_get_value_type (sc) != G_TYPE_DOUBLE &&
               json_node_get_value_type (sc) != G_TYPE_INT64))
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: model.vocab[%u] must be a pair [piece, score]"), c->path, i);
              return FALSE;
            }
          score = json_node_get_double (sc);
          if (!attn_tokenizer_vocab_add (tok, json_node_get_string (p), (gint32) i, FALSE))
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: model.vocab[%u] (“%s”) appears twice"), c->path, i,
                           json_node_get_string (p));
              return FALSE;
            }
          g_array_append_val (u->scores, score);
          g_array_append_val (u->types, t);
        }
      if (unk_id >= (gint64) json_array_get_length (vocab) || unk_id < -1)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                       _("%s: model.unk_id %" PRId64 " is outside the vocabulary"), c->path,
                       unk_id);
          return FALSE;
        }
      u->unk_piece = (gint32) unk_id;
      attn_unigram_prepare (u);
      return TRUE;
    }
  return attn_json_unsupported (c, "model", type, error);
}

/* ---- normalizer ---------------------------------------------------------- */

static gboolean
load_normalizer (const AttnJsonCtx *c, JsonNode *node, GError **error)
{
  JsonObject *o;
  const char *type;
  AttnNormalizer *nm;

  if (attn_json_is_null (node))
    return TRUE;
  if ((o = attn_json_as_object (c, node, "normalizer", error)) == NULL ||
      (type = attn_json_get_type (c, o, "normalizer", error)) == NULL)
    return FALSE;
  if (strcmp (type, "Sequence") == 0)
    {
      JsonArray *a = attn_json_get_array (c, o, "normalizer", "normalizers", error);
      if (a == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        if (!load_normalizer (c, json_array_get_element (a, i), error))
          return FALSE;
      return TRUE;
    }
  nm = g_new0 (AttnNormalizer, 1);
  g_ptr_array_add (c->tok->normalizers, nm);
  if (strcmp (type, "BertNormalizer") == 0)
    {
      JsonNode *sa = json_object_get_member (o, "strip_accents");
      nm->kind = ATTN_NORM_BERT;
      if (!attn_json_get_bool (c, o, "normalizer", "clean_text", TRUE, &nm->clean_text, error) ||
          !attn_json_get_bool (c, o, "normalizer", "handle_chinese_chars", TRUE, &nm->chinese_chars, error) ||
          !attn_json_get_bool (c, o, "normalizer", "lowercase", TRUE, &nm->lowercase, error) ||
          !attn_json_get_bool (c, o, "normalizer", "strip_accents", FALSE, &nm->strip_accents, error))
        return FALSE;
      if (attn_json_is_null (sa))
        nm->strip_accents = nm->lowercase;
    }
  else if (strcmp (type, "Lowercase") == 0)
    nm->kind = ATTN_NORM_LOWERCASE;
  else if (strcmp (type, "StripAccents") == 0)
    nm->kind = ATTN_NORM_STRIP_ACCENTS;
  else if (strcmp (type, "NFC") == 0)
    nm->kind = ATTN_NORM_NFC;
  else if (strcmp (type, "NFD") == 0)
    nm->kind = ATTN_NORM_NFD;
  else if (strcmp (type, "NFKC") == 0)
    nm->kind = ATTN_NORM_NFKC;
  else if (strcmp (type, "NFKD") == 0)
    nm->kind = ATTN_NORM_NFKD;
  else if (strcmp (type, "Strip") == 0)
    {
      nm->kind = ATTN_NORM_STRIP;
      if (!attn_json_get_bool (c, o, "normalizer", "strip_left", TRUE, &nm->left, error) ||
          !attn_json_get_bool (c, o, "normalizer", "strip_right", TRUE, &nm->right, error))
        return FALSE;
    }
  else if (strcmp (type, "Replace") == 0)
    {
      const char *content;
      nm->kind = ATTN_NORM_REPLACE;
      if (!attn_json_get_string (c, o, "normalizer", "content", &content, error))
        return FALSE;
      nm->content = g_strdup (content != NULL ? content : "");
      if ((nm->regex = attn_json_get_pattern (c, o, "normalizer", &nm->pattern, error)) == NULL)
        return FALSE;
      if (nm->pattern != NULL) /* literal patterns are matched with strstr */
        g_clear_pointer (&nm->regex, g_regex_unref);
    }
  else if (strcmp (type, "Prepend") == 0)
    {
      const char *p;
      nm->kind = ATTN_NORM_PREPEND;
      if (!attn_json_get_string (c, o, "normalizer", "prepend", &p, error))
        return FALSE;
      nm->content = g_strdup (p != NULL ? p : "");
    }
  else if (strcmp (type, "Precompiled") == 0)
    {
      const char *b64;
      nm->kind = ATTN_NORM_PRECOMPILED;
      if (!attn_json_get_string (c, o, "normalizer", "precompiled_charsmap", &b64, error))
        return FALSE;
      if (b64 != NULL && b64[0] != '\0')
        {
          gsize len = 0;
          g_autofree guint8 *blob = g_base64_decode (b64, &len);
          if ((nm->charsmap = attn_charsmap_new (blob, len, c->path, error)) == NULL)
            return FALSE;
        }
    }
  else
    return attn_json_unsupported (c, "normalizer", type, error);
  return TRUE;
}

/* ---- pre-tokenizer ------------------------------------------------------- */

static gboolean
get_behavior (const AttnJsonCtx *c, JsonObject *o, AttnSplitBehavior def, AttnSplitBehavior *out,
              GError **error)
{
  static const char *const names[] = { "Removed", "Isolated", "MergedWithPrevious",
                                       "MergedWithNext", "Contiguous" };
  const char *b;
  *out = def;
  if (!attn_json_get_string (c, o, "pre_tokenizer", "behavior", &b, error))
    return FALSE;
  if (b == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (b, names[i]) == 0)
      {
        *out = (AttnSplitBehavior) i;
        return TRUE;
      }
  return attn_json_bad_type (c, "pre_tokenizer", "behavior", N_("a known split behavior"), error);
}

gboolean
attn_json_get_metaspace (const AttnJsonCtx *c, JsonObject *o, const char *where, char **repl,
               AttnPrependScheme *scheme, GError **error)
{
  const char *r, *ps;
  gboolean aps;
  if (!attn_json_get_string (c, o, where, "replacement", &r, error) ||
      !attn_json_get_string (c, o, where, "prepend_scheme", &ps, error) ||
      !attn_json_get_bool (c, o, where, "add_prefix_space", TRUE, &aps, error))
    return FALSE;
  *repl = g_strdup (r != NULL ? r : "\xe2\x96\x81");
  *scheme = aps ? ATTN_PREPEND_ALWAYS : ATTN_PREPEND_NEVER;
  if (ps != NULL)
    *scheme = strcmp (ps, "first") == 0 ? ATTN_PREPEND_FIRST
            : strcmp (ps, "never") == 0 ? ATTN_PREPEND_NEVER
            : ATTN_PREPEND_ALWAYS;
  return TRUE;
}

static gboolean
load_pretok (const AttnJsonCtx *c, JsonNode *node, GError **error)
{
  AttnTokenizer *tok = c->tok;
  JsonObject *o;
  const char *type;
  AttnPreTokenizer *pt;

  if (attn_json_is_null (node))
    return TRUE;
  if ((o = attn_json_as_object (c, node, "pre_tokenizer", error)) == NULL ||
      (type = attn_json_get_type (c, o, "pre_tokenizer", error)) == NULL)
    return FALSE;
  if (strcmp (type, "Sequence") == 0)
    {
      JsonArray *a = attn_json_get_array (c, o, "pre_tokenizer", "pretokenizers", error);
      if (a == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        if (!load_pretok (c, json_array_get_element (a, i), error))
          return FALSE;
      return TRUE;
    }
  if (strcmp (type, "BertPreTokenizer") == 0)
    pt = attn_pretok_new (ATTN_PRE_BERT);
  else if (strcmp (type, "ByteLevel") == 0)
    pt = attn_pretok_new (ATTN_PRE_BYTELEVEL);
  else if (strcmp (type, "Whitespace") == 0)
    pt = attn_pretok_new (ATTN_PRE_WHITESPACE);
  else if (strcmp (type, "WhitespaceSplit") == 0)
    pt = attn_pretok_new (ATTN_PRE_WHITESPACE_SPLIT);
  else if (strcmp (type, "Metaspace") == 0)
    pt = attn_pretok_new (ATTN_PRE_METASPACE);
  else if (strcmp (type, "Punctuation") == 0)
    pt = attn_pretok_new (ATTN_PRE_PUNCTUATION);
  else if (strcmp (type, "Digits") == 0)
    pt = attn_pretok_new (ATTN_PRE_DIGITS);
  else if (strcmp (type, "Split") == 0)
    pt = attn_pretok_new (ATTN_PRE_SPLIT);
  else
    return attn_json_unsupported (c, "pre_tokenizer", type, error);
  g_ptr_array_add (tok->pretoks, pt);

  switch (pt->kind)
    {
    case ATTN_PRE_BYTELEVEL:
      tok->byte_level = TRUE;
      return attn_json_get_bool (c, o, "pre_tokenizer", "add_prefix_space", TRUE, &pt->add_prefix_space,
                       error) &&
             attn_json_get_bool (c, o, "pre_tokenizer", "use_regex", TRUE, &pt->use_regex, error);
    case ATTN_PRE_METASPACE:
      if (!attn_json_get_metaspace (c, o, "pre_tokenizer", &pt->replacement, &pt->prepend, error) ||
          !attn_json_get_bool (c, o, "pre_tokenizer", "split", TRUE, &pt->split, error))
        return FALSE;
      g_free (tok->metaspace);
      tok->metaspace = g_strdup (pt->replacement);
      return TRUE;
    case ATTN_PRE_PUNCTUATION:
      return get_behavior (c, o, ATTN_SPLIT_ISOLATED, &pt->behavior, error);
    case ATTN_PRE_DIGITS:
      return attn_json_get_bool (c, o, "pre_tokenizer", "individual_digits", FALSE, &pt->individual_digits,
                       error);
    case ATTN_PRE_SPLIT:
      return (pt->regex = attn_json_get_pattern (c, o, "pre_tokenizer", NULL, error)) != NULL &&
             get_behavior (c, o, ATTN_SPLIT_ISOLATED, &pt->behavior, error) &&
             attn_json_get_bool (c, o, "pre_tokenizer", "invert", FALSE, &pt->invert, error);
    default:
      return TRUE;
    }
}

/* ---- added tokens and the whole file ------------------------------------- */

static gboolean
load_added (const AttnJsonCtx *c, JsonObject *root, GError **error)
{
  AttnTokenizer *tok = c->tok;
  JsonNode *n = json_object_get_member (root, "added_tokens");
  JsonArray *a;

  if (attn_json_is_null (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return attn_json_bad_type (c, "added_tokens", NULL, N_("an array"), error);
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      const char *content = NULL;
      gint64 id = -1;
      gboolean special, lstrip, rstrip, single, normalized;
      const char *cur;

      if (o == NULL || !attn_json_get_string (c, o, "added_tokens[]", "content", &content, error) ||
          !attn_json_get_int (c, o, "added_tokens[]", "id", -1, &id, error) ||
          !attn_json_get_bool (c, o, "added_tokens[]", "special", FALSE, &special, error) ||
          !attn_json_get_bool (c, o, "added_tokens[]", "lstrip", FALSE, &lstrip, error) ||
          !attn_json_get_bool (c, o, "added_tokens[]", "rstrip", FALSE, &rstrip, error) ||
          !attn_json_get_bool (c, o, "added_tokens[]", "single_word", FALSE, &single, error) ||
          !attn_json_get_bool (c, o, "added_tokens[]", "normalized", !special, &normalized, error) ||
          content == NULL || id < 0 || id >= G_MAXINT32)
        {
          if (error == NULL || *error == NULL)
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                         _("%s: added_tokens[%u] needs a string content and a non-negative id"),
                         c->path, i);
          return FALSE;
        }
      cur = attn_tokenizer_id_to_token (tok, (gint32) id);
      if (cur == NULL)
        {
          if (!attn_tokenizer_vocab_add (tok, content, (gint32) id, TRUE))
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: added_tokens[%u] id %" PRId64 " cannot be added"), c->path, i, id);
              return FALSE;
            }
        }
      else if (strcmp (cur, content) != 0)
        {
          /* the added token takes over the id */
          char *copy = g_strdup (content);
          g_ptr_array_index (tok->vocab, id) = copy;
          g_hash_table_replace (tok->vocab_map, copy, GINT_TO_POINTER ((gint32) id + 1));
          if (GPOINTER_TO_INT (g_hash_table_lookup (tok->vocab_map, cur)) == (gint32) id + 1)
            g_hash_table_remove (tok->vocab_map, cur);
          g_free ((char *) cur);
        }
      attn_tokenizer_add_added (tok, content, (gint32) id, special, lstrip, rstrip, single,
                                normalized);
    }
  return TRUE;
}

AttnTokenizer *
attn_tokenizer_json_load (const char *path, GError **error)
{
  g_autoptr(JsonNode) root = attn_json_parse_file (path, error);
  g_autoptr(AttnTokenizer) tok = NULL;
  JsonObject *ro;
  AttnJsonCtx c;

  if (root == NULL)
    return NULL;
  tok = attn_tokenizer_alloc (path);
  c.path = path;
  c.tok = tok;
  if ((ro = attn_json_as_object (&c, root, "the document", error)) == NULL)
    return NULL;
  if (!load_model (&c, ro, error) || !load_added (&c, ro, error) ||
      !load_normalizer (&c, json_object_get_member (ro, "normalizer"), error) ||
      !load_pretok (&c, json_object_get_member (ro, "pre_tokenizer"), error) ||
      !attn_json_load_post (&c, json_object_get_member (ro, "post_processor"), error) ||
      !attn_json_load_decoder (&c, json_object_get_member (ro, "decoder"), error))
    return NULL;
  if (tok->vocab->len == 0)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: the vocabulary is empty"), path);
      return NULL;
    }
  return g_steal_pointer (&tok);
}
