/* attn-tokenizer.c — the public tokenizer API: loading dispatch, encoding
 * (added tokens → normalizer → pre-tokenizer → model → post-processor),
 * decoding and display labels. */
#include "attn-tokenizer-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* ---- construction -------------------------------------------------------- */

static void
added_free (AttnAddedToken *a)
{
  g_free (a->content);
  g_free (a);
}

AttnTokenizer *
attn_tokenizer_alloc (const char *origin)
{
  AttnTokenizer *tok = g_new0 (AttnTokenizer, 1);
  tok->ref_count = 1;
  tok->origin = g_strdup (origin);
  tok->vocab = g_ptr_array_new_with_free_func (g_free);
  tok->vocab_map = g_hash_table_new (g_str_hash, g_str_equal);
  tok->special_ids = g_array_new (FALSE, TRUE, sizeof (guint8));
  tok->added = g_ptr_array_new_with_free_func ((GDestroyNotify) added_free);
  tok->added_trie = attn_trie_new ();
  tok->normalizers = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_normalizer_free);
  tok->pretoks = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_pretok_free);
  tok->decoders = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_decoder_free);
  tok->wp.unk_id = -1;
  return tok;
}

gboolean
attn_tokenizer_vocab_add (AttnTokenizer *tok, const char *token, gint32 id, gboolean replace)
{
  char *copy;

  if (id < 0)
    return FALSE;
  if ((guint) id < tok->vocab->len && g_ptr_array_index (tok->vocab, id) != NULL)
    return FALSE;
  if (!replace && g_hash_table_contains (tok->vocab_map, token))
    return FALSE;
  if ((guint) id >= tok->vocab->len)
    g_ptr_array_set_size (tok->vocab, id + 1);
  copy = g_strdup (token);
  g_ptr_array_index (tok->vocab, id) = copy;
  g_hash_table_replace (tok->vocab_map, copy, GINT_TO_POINTER (id + 1));
  return TRUE;
}

void
attn_tokenizer_set_special (AttnTokenizer *tok, gint32 id)
{
  if (id < 0)
    return;
  if ((guint) id >= tok->special_ids->len)
    g_array_set_size (tok->special_ids, id + 1);
  g_array_index (tok->special_ids, guint8, id) = 1;
}

void
attn_tokenizer_add_added (AttnTokenizer *tok, const char *content, gint32 id, gboolean special,
                          gboolean lstrip, gboolean rstrip, gboolean single_word,
                          gboolean normalized)
{
  AttnAddedToken *a = g_new0 (AttnAddedToken, 1);

  a->content = g_strdup (content);
  a->id = id;
  a->special = special;
  a->lstrip = lstrip;
  a->rstrip = rstrip;
  a->single_word = single_word;
  a->normalized = normalized;
  if (content[0] != '\0')
    attn_trie_insert (tok->added_trie, content, strlen (content), (gint32) tok->added->len);
  g_ptr_array_add (tok->added, a);
  if (special)
    attn_tokenizer_set_special (tok, id);
}

void
attn_templ_item_free (AttnTemplItem *it)
{
  if (it == NULL)
    return;
  g_clear_pointer (&it->ids, g_array_unref);
  g_clear_pointer (&it->tokens, g_ptr_array_unref);
  g_free (it);
}

static GPtrArray *
parse_template (AttnTokenizer *tok, const char *spec, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, " ", -1);
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_templ_item_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      AttnTemplItem *it;
      char *name = parts[i], *colon;
      gint32 type_id = 0;

      if (name[0] == '\0')
        continue;
      colon = strrchr (name, ':');
      if (colon != NULL && colon != name && g_ascii_isdigit (colon[1]))
        {
          type_id = (gint32) g_ascii_strtoll (colon + 1, NULL, 10);
          *colon = '\0';
        }
      it = g_new0 (AttnTemplItem, 1);
      it->type_id = type_id;
      if (g_strcmp0 (name, "$A") == 0 || g_strcmp0 (name, "$B") == 0)
        {
          it->is_seq = TRUE;
          it->seq = name[1] == 'A' ? 0 : 1;
        }
      else
        {
          gint32 id = attn_tokenizer_token_to_id (tok, name);
          if (id < 0)
            {
              g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                           _("%s: the post-processor's token “%s” is not in the vocabulary"),
                           tok->origin, name);
              attn_templ_item_free (it);
              g_ptr_array_unref (items);
              return NULL;
            }
          it->ids = g_array_new (FALSE, FALSE, sizeof (gint32));
          it->tokens = g_ptr_array_new_with_free_func (g_free);
          g_array_append_val (it->ids, id);
          g_ptr_array_add (it->tokens, g_strdup (name));
          attn_tokenizer_set_special (tok, id);
        }
      g_ptr_array_add (items, it);
    }
  return items;
}

gboolean
attn_tokenizer_set_template (AttnTokenizer *tok, const char *single, const char *pair,
                             GError **error)
{
  GPtrArray *s = parse_template (tok, single, error), *p;
  if (s == NULL)
    return FALSE;
  p = parse_template (tok, pair, error);
  if (p == NULL)
    {
      g_ptr_array_unref (s);
      return FALSE;
    }
  g_clear_pointer (&tok->tmpl_single, g_ptr_array_unref);
  g_clear_pointer (&tok->tmpl_pair, g_ptr_array_unref);
  tok->tmpl_single = s;
  tok->tmpl_pair = p;
  return TRUE;
}

AttnDecoder *
attn_decoder_new (AttnDecKind kind, const char *a, const char *b, gboolean flag)
{
  AttnDecoder *d = g_new0 (AttnDecoder, 1);
  d->kind = kind;
  d->a = g_strdup (a);
  d->b = g_strdup (b);
  d->flag = flag;
  return d;
}

void
attn_decoder_free (AttnDecoder *d)
{
  if (d == NULL)
    return;
  g_free (d->a);
  g_free (d->b);
  g_free (d);
}

AttnTokenizer *
attn_tokenizer_ref (AttnTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, NULL);
  g_atomic_int_inc (&tok->ref_count);
  return tok;
}

void
attn_tokenizer_unref (AttnTokenizer *tok)
{
  if (tok == NULL || !g_atomic_int_dec_and_test (&tok->ref_count))
    return;
  g_free (tok->origin);
  g_hash_table_unref (tok->vocab_map);
  g_ptr_array_unref (tok->vocab);
  g_array_unref (tok->special_ids);
  g_ptr_array_unref (tok->added);
  attn_trie_free (tok->added_trie);
  g_ptr_array_unref (tok->normalizers);
  attn_spm_norm_free (tok->spm_norm);
  g_ptr_array_unref (tok->pretoks);
  g_free (tok->wp.prefix);
  attn_bpe_free (tok->bpe);
  attn_unigram_free (tok->uni);
  g_clear_pointer (&tok->tmpl_single, g_ptr_array_unref);
  g_clear_pointer (&tok->tmpl_pair, g_ptr_array_unref);
  g_ptr_array_unref (tok->decoders);
  g_free (tok->metaspace);
  g_free (tok);
}

void
attn_encoding_free (AttnEncoding *enc)
{
  if (enc == NULL)
    return;
  g_free (enc->ids);
  if (enc->tokens != NULL)
    for (guint i = 0; i < enc->len; i++)
      g_free (enc->tokens[i]);
  g_free (enc->tokens);
  g_free (enc->special);
  g_free (enc->type_ids);
  g_free (enc->offsets);
  g_free (enc);
}

/* ---- single-format loaders ----------------------------------------------- */

static const char *const bert_specials[] = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };

AttnTokenizer *
attn_tokenizer_new_wordpiece (const char *vocab_txt_path, gboolean lowercase, GError **error)
{
  g_autoptr(AttnTokenizer) tok = attn_tokenizer_alloc (vocab_txt_path);
  AttnNormalizer *nm;

  g_return_val_if_fail (vocab_txt_path != NULL, NULL);
  if (!attn_wordpiece_load_vocab_txt (tok, vocab_txt_path, error))
    return NULL;
  tok->model = ATTN_MODEL_WORDPIECE;
  tok->wp.prefix = g_strdup ("##");
  tok->wp.max_chars = 100;
  tok->wp.unk_id = attn_tokenizer_token_to_id (tok, "[UNK]");
  nm = g_new0 (AttnNormalizer, 1);
  nm->kind = ATTN_NORM_BERT;
  nm->clean_text = nm->chinese_chars = TRUE;
  nm->strip_accents = nm->lowercase = lowercase;
  g_ptr_array_add (tok->normalizers, nm);
  g_ptr_array_add (tok->pretoks, attn_pretok_new (ATTN_PRE_BERT));
  for (guint i = 0; i < G_N_ELEMENTS (bert_specials); i++)
    {
      gint32 id = attn_tokenizer_token_to_id (tok, bert_specials[i]);
      if (id >= 0)
        attn_tokenizer_add_added (tok, bert_specials[i], id, TRUE, FALSE, FALSE, FALSE, FALSE);
    }
  if (attn_tokenizer_token_to_id (tok, "[CLS]") >= 0 &&
      attn_tokenizer_token_to_id (tok, "[SEP]") >= 0 &&
      !attn_tokenizer_set_template (tok, "[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1", error))
    return NULL;
  g_ptr_array_add (tok->decoders, attn_decoder_new (ATTN_DEC_WORDPIECE, "##", NULL, TRUE));
  return g_steal_pointer (&tok);
}

static const char *const bpe_specials[] = { "<|endoftext|>", "<s>", "</s>", "<pad>", "<unk>",
                                            "<mask>" };

AttnTokenizer *
attn_tokenizer_new_byte_bpe (const char *vocab_json_path, const char *merges_txt_path,
                             GError **error)
{
  g_autoptr(AttnTokenizer) tok = attn_tokenizer_alloc (vocab_json_path);
  AttnPreTokenizer *pt;

  g_return_val_if_fail (vocab_json_path != NULL && merges_txt_path != NULL, NULL);
  tok->model = ATTN_MODEL_BPE;
  tok->bpe = g_new0 (AttnBpe, 1);
  attn_u64map_init (&tok->bpe->merges);
  tok->bpe->merge_new = g_array_new (FALSE, FALSE, sizeof (gint32));
  tok->bpe->unk_id = -1;
  if (!attn_bpe_load_vocab_json (tok, vocab_json_path, error) ||
      !attn_bpe_load_merges_txt (tok, merges_txt_path, error))
    return NULL;
  pt = attn_pretok_new (ATTN_PRE_BYTELEVEL);
  g_ptr_array_add (tok->pretoks, pt);
  g_ptr_array_add (tok->decoders, attn_decoder_new (ATTN_DEC_BYTELEVEL, NULL, NULL, FALSE));
  tok->byte_level = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (bpe_specials); i++)
    {
      gint32 id = attn_tokenizer_token_to_id (tok, bpe_specials[i]);
      if (id >= 0)
        attn_tokenizer_add_added (tok, bpe_specials[i], id, TRUE, FALSE, FALSE, FALSE, FALSE);
    }
  return g_steal_pointer (&tok);
}

AttnTokenizer *
attn_tokenizer_new_sentencepiece (const char *spm_path, const char *vocab_json_path,
                                  GError **error)
{
  g_return_val_if_fail (spm_path != NULL, NULL);
  return attn_spm_load (spm_path, vocab_json_path, error);
}

AttnTokenizer *
attn_tokenizer_new_from_json (const char *tokenizer_json_path, GError **error)
{
  g_return_val_if_fail (tokenizer_json_path != NULL, NULL);
  return attn_tokenizer_json_load (tokenizer_json_path, error);
}

/* ---- folder loading ------------------------------------------------------ */

/* tokenizer_config.json, for the formats that carry no special-token
 * information themselves. NULL without error when the file is absent. */
static JsonNode *
read_config (const char *dir, gboolean *failed, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "tokenizer_config.json", NULL);
  JsonNode *root;

  *failed = FALSE;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  root = attn_json_parse_file (path, error);
  if (root != NULL && !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s: must be a JSON object"), path);
      g_clear_pointer (&root, json_node_unref);
    }
  *failed = root == NULL;
  return root;
}

/* A special token entry: "name" or {"content": "name", …}. */
static const char *
config_token (JsonObject *cfg, const char *key)
{
  JsonNode *n = json_object_get_member (cfg, key);
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    return json_node_get_string (n);
  if (n != NULL && JSON_NODE_HOLDS_OBJECT (n))
    {
      JsonNode *c = json_object_get_member (json_node_get_object (n), "content");
      if (c != NULL && JSON_NODE_HOLDS_VALUE (c) && json_node_get_value_type (c) == G_TYPE_STRING)
        return json_node_get_string (c);
    }
  return NULL;
}

static gboolean
config_bool (JsonObject *cfg, const char *key, gboolean def)
{
  JsonNode *v = cfg != NULL ? json_object_get_member (cfg, key) : NULL;
  if (v != NULL && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (v);
  return def;
}

static gboolean
has_added (AttnTokenizer *tok, gint32 id)
{
  for (guint i = 0; i < tok->added->len; i++)
    if (((AttnAddedToken *) g_ptr_array_index (tok->added, i))->id == id)
      return TRUE;
  return FALSE;
}

/* Marks the special tokens named in the config (those in the vocabulary) and
 * sets the BERT / RoBERTa templates from cls/sep names. */
static gboolean
apply_config (AttnTokenizer *tok, JsonObject *cfg, GError **error)
{
  static const char *const keys[] = { "bos_token", "eos_token", "unk_token", "sep_token",
                                      "cls_token", "pad_token", "mask_token" };
  const char *cls = config_token (cfg, "cls_token"), *sep = config_token (cfg, "sep_token");
  JsonNode *cn = json_object_get_member (cfg, "tokenizer_class");
  const char *cls_name = cn != NULL && JSON_NODE_HOLDS_VALUE (cn) &&
                         json_node_get_value_type (cn) == G_TYPE_STRING ? json_node_get_string (cn) : "";

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *name = config_token (cfg, keys[i]);
      gint32 id = name != NULL ? attn_tokenizer_token_to_id (tok, name) : -1;
      if (id >= 0 && !has_added (tok, id))
        attn_tokenizer_add_added (tok, name, id, TRUE, FALSE, FALSE, FALSE, FALSE);
      if (id >= 0 && i == 2 && tok->bpe != NULL)
        tok->bpe->unk_id = id;
      if (id >= 0 && i == 2 && tok->model == ATTN_MODEL_WORDPIECE)
        tok->wp.unk_id = id;
    }
  if (cls == NULL || sep == NULL || attn_tokenizer_token_to_id (tok, cls) < 0 ||
      attn_tokenizer_token_to_id (tok, sep) < 0)
    return TRUE;
  if (tok->model == ATTN_MODEL_WORDPIECE)
    {
      g_autofree char *single = g_strdup_printf ("%s $A %s", cls, sep);
      g_autofree char *pair = g_strdup_printf ("%s $A %s $B:1 %s:1", cls, sep, sep);
      return attn_tokenizer_set_template (tok, single, pair, error);
    }
  if (strstr (cls_name, "Roberta") != NULL || strstr (cls_name, "Bart") != NULL ||
      strstr (cls_name, "Longformer") != NULL)
    {
      g_autofree char *single = g_strdup_printf ("%s $A %s", cls, sep);
      g_autofree char *pair = g_strdup_printf ("%s $A %s %s $B %s", cls, sep, sep, sep);
      return attn_tokenizer_set_template (tok, single, pair, error);
    }
  return TRUE;
}

AttnTokenizer *
attn_tokenizer_load (const char *model_dir, AttnTokenizerRole role, GError **error)
{
  g_autofree char *tj = NULL, *vt = NULL, *vj = NULL, *mt = NULL, *spm = NULL, *spm2 = NULL;
  g_autoptr(JsonNode) cfg = NULL;
  g_autoptr(AttnTokenizer) tok = NULL;
  gboolean failed;

  g_return_val_if_fail (model_dir != NULL, NULL);
  if (!g_file_test (model_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, _("%s: not a folder"), model_dir);
      return NULL;
    }
  tj = g_build_filename (model_dir, "tokenizer.json", NULL);
  if (g_file_test (tj, G_FILE_TEST_EXISTS))
    return attn_tokenizer_new_from_json (tj, error);
  vt = g_build_filename (model_dir, "vocab.txt", NULL);
  vj = g_build_filename (model_dir, "vocab.json", NULL);
  mt = g_build_filename (model_dir, "merges.txt", NULL);
  if (g_file_test (vt, G_FILE_TEST_EXISTS) ||
      (g_file_test (vj, G_FILE_TEST_EXISTS) && g_file_test (mt, G_FILE_TEST_EXISTS)))
    {
      gboolean wordpiece = g_file_test (vt, G_FILE_TEST_EXISTS);
      cfg = read_config (model_dir, &failed, error);
      if (failed)
        return NULL;
      if (wordpiece)
        tok = attn_tokenizer_new_wordpiece (
          vt, config_bool (cfg != NULL ? json_node_get_object (cfg) : NULL, "do_lower_case", TRUE),
          error);
      else
        tok = attn_tokenizer_new_byte_bpe (vj, mt, error);
      if (tok == NULL || (cfg != NULL && !apply_config (tok, json_node_get_object (cfg), error)))
        return NULL;
      return g_steal_pointer (&tok);
    }
  spm = g_build_filename (model_dir, role == ATTN_TOKENIZER_TARGET ? "target.spm" : "source.spm",
                          NULL);
  spm2 = g_build_filename (model_dir, role == ATTN_TOKENIZER_TARGET ? "source.spm" : "target.spm",
                           NULL);
  if (!g_file_test (spm, G_FILE_TEST_EXISTS) && g_file_test (spm2, G_FILE_TEST_EXISTS))
    {
      g_free (spm);
      spm = g_steal_pointer (&spm2);
    }
  if (g_file_test (spm, G_FILE_TEST_EXISTS))
    return attn_tokenizer_new_sentencepiece (spm, g_file_test (vj, G_FILE_TEST_EXISTS) ? vj : NULL,
                                             error);
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING,
               _("%s: no tokenizer files (looked for tokenizer.json, vocab.txt, "
               "vocab.json + merges.txt, source.spm/target.spm)"), model_dir);
  return NULL;
}

/* ---- encoding ------------------------------------------------------------ */

static gboolean
is_word_char (gunichar c)
{
  return c == '_' || g_unichar_isalnum (c);
}

/* Finds the longest added token at text[i..): its index, or -1. */
static gint32
match_added (AttnTokenizer *tok, const char *text, gsize len, gsize i, gsize *end)
{
  guint32 node = 0;
  gint32 best = -1;

  for (gsize k = i; k < len && attn_trie_step (tok->added_trie, &node, (guint8) text[k]); k++)
    {
      gint32 v = attn_trie_value (tok->added_trie, node);
      if (v >= 0)
        {
          const AttnAddedToken *a = g_ptr_array_index (tok->added, v);
          if (a->single_word)
            {
              const char *prev = i > 0 ? g_utf8_find_prev_char (text, text + i) : NULL;
              if ((prev != NULL && is_word_char (g_utf8_get_char (prev))) ||
                  (k + 1 < len && is_word_char (g_utf8_get_char (text + k + 1))))
                continue;
            }
          best = v;
          *end = k + 1;
        }
    }
  return best;
}

static gboolean
encode_segment (AttnTokenizer *tok, const char *text, gsize s, gsize e, gboolean first,
                AttnTokList *out, GError **error)
{
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_nstr_free);
  AttnNStr *n;

  if (e <= s)
    return TRUE;
  n = attn_nstr_new_text (text + s, e - s, (gint32) s);
  if (tok->spm_norm != NULL)
    {
      AttnNStr *m = attn_spm_normalize (tok->spm_norm, n);
      attn_nstr_free (n);
      n = m;
    }
  for (guint i = 0; i < tok->normalizers->len; i++)
    n = attn_normalizer_apply (g_ptr_array_index (tok->normalizers, i), n);
  g_ptr_array_add (pieces, n);
  for (guint i = 0; i < tok->pretoks->len; i++)
    attn_pretok_apply (g_ptr_array_index (tok->pretoks, i), pieces, first);

  for (guint i = 0; i < pieces->len; i++)
    {
      const AttnNStr *w = g_ptr_array_index (pieces, i);
      gboolean ok = TRUE;
      switch (tok->model)
        {
        case ATTN_MODEL_WORDPIECE:
          ok = attn_wordpiece_tokenize (tok, w, out, error);
          break;
        case ATTN_MODEL_BPE:
          ok = attn_bpe_tokenize (tok, w, out, error);
          break;
        case ATTN_MODEL_UNIGRAM:
          ok = attn_unigram_tokenize (tok, w, out, error);
          break;
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static AttnTokList *
encode_text (AttnTokenizer *tok, const char *text, GError **error)
{
  g_autoptr(AttnTokList) out = attn_toklist_new ();
  gsize len = strlen (text), i = 0, seg = 0;

  while (i < len)
    {
      gsize end = 0, ms = i;
      gint32 idx = tok->added->len > 0 ? match_added (tok, text, len, i, &end) : -1;
      const AttnAddedToken *a;

      if (idx < 0)
        {
          i = (gsize) (g_utf8_next_char (text + i) - text);
          continue;
        }
      a = g_ptr_array_index (tok->added, idx);
      if (a->lstrip)
        while (ms > seg)
          {
            const char *p = g_utf8_find_prev_char (text + seg, text + ms);
            if (p == NULL || !attn_uc_is_whitespace (g_utf8_get_char (p)))
              break;
            ms = (gsize) (p - text);
          }
      if (a->rstrip)
        while (end < len && attn_uc_is_whitespace (g_utf8_get_char (text + end)))
          end = (gsize) (g_utf8_next_char (text + end) - text);
      if (!encode_segment (tok, text, seg, ms, seg == 0, out, error))
        return NULL;
      attn_toklist_push (out, a->id, g_strdup (a->content), a->special, 0, (gint32) ms,
                         (gint32) end);
      i = seg = end;
    }
  if (!encode_segment (tok, text, seg, len, seg == 0, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

static void
append_list (AttnTokList *dst, AttnTokList *src, gint32 type_id)
{
  for (guint k = 0; k < src->ids->len; k++)
    {
      attn_toklist_push (dst, g_array_index (src->ids, gint32, k),
                         g_steal_pointer (&g_ptr_array_index (src->tokens, k)),
                         g_array_index (src->special, guint8, k), type_id,
                         g_array_index (src->offsets, gint32, 2 * k),
                         g_array_index (src->offsets, gint32, 2 * k + 1));
    }
}

AttnEncoding *
attn_tokenizer_encode (AttnTokenizer *tok, const char *text, const char *pair,
                       gboolean add_special, GError **error)
{
  g_autoptr(AttnTokList) a = NULL, b = NULL, all = NULL;
  AttnEncoding *enc;
  GPtrArray *tmpl = NULL;

  g_return_val_if_fail (tok != NULL, NULL);
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("the text is not valid UTF-8"));
      return NULL;
    }
  if (pair != NULL && !g_utf8_validate (pair, -1, NULL))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("the second text is not valid UTF-8"));
      return NULL;
    }
  a = encode_text (tok, text, error);
  if (a == NULL)
    return NULL;
  if (pair != NULL && (b = encode_text (tok, pair, error)) == NULL)
    return NULL;

  all = attn_toklist_new ();
  if (add_special)
    tmpl = pair != NULL ? tok->tmpl_pair : tok->tmpl_single;
  if (tmpl != NULL)
    {
      for (guint i = 0; i < tmpl->len; i++)
        {
          const AttnTemplItem *it = g_ptr_array_index (tmpl, i);
          if (it->is_seq)
            {
              AttnTokList *src = it->seq == 0 ? a : b;
              if (src != NULL)
                append_list (all, src, it->type_id);
              continue;
            }
          for (guint k = 0; k < it->ids->len; k++)
            attn_toklist_push (all, g_array_index (it->ids, gint32, k),
                               g_strdup (g_ptr_array_index (it->tokens, k)), TRUE, it->type_id,
                               -1, -1);
        }
    }
  else
    {
      append_list (all, a, 0);
      if (b != NULL)
        append_list (all, b, 1);
    }

  enc = g_new0 (AttnEncoding, 1);
  enc->len = all->ids->len;
  enc->ids = (gint32 *) g_array_free (g_steal_pointer (&all->ids), FALSE);
  enc->special = (guint8 *) g_array_free (g_steal_pointer (&all->special), FALSE);
  enc->type_ids = (gint32 *) g_array_free (g_steal_pointer (&all->type_ids), FALSE);
  enc->offsets = (gint32 *) g_array_free (g_steal_pointer (&all->offsets), FALSE);
  g_ptr_array_set_free_func (all->tokens, NULL);
  enc->tokens = (char **) g_ptr_array_free (g_steal_pointer (&all->tokens), FALSE);
  return enc;
}

/* ---- vocabulary queries -------------------------------------------------- */

const char *
attn_tokenizer_id_to_token (AttnTokenizer *tok, gint32 id)
{
  g_return_val_if_fail (tok != NULL, NULL);
  if (id < 0 || (guint) id >= tok->vocab->len)
    return NULL;
  return g_ptr_array_index (tok->vocab, id);
}

gint32
attn_tokenizer_token_to_id (AttnTokenizer *tok, const char *token)
{
  gpointer v;
  g_return_val_if_fail (tok != NULL && token != NULL, -1);
  v = g_hash_table_lookup (tok->vocab_map, token);
  return v != NULL ? GPOINTER_TO_INT (v) - 1 : -1;
}

guint
attn_tokenizer_vocab_size (AttnTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, 0);
  return tok->vocab->len;
}

gboolean
attn_tokenizer_is_special (AttnTokenizer *tok, gint32 id)
{
  g_return_val_if_fail (tok != NULL, FALSE);
  return id >= 0 && (guint) id < tok->special_ids->len &&
         g_array_index (tok->special_ids, guint8, id) != 0;
}

/* Appends bytes as UTF-8, invalid bytes as \xNN. */
static void
append_bytes_escaped (GString *out, const guint8 *b, gsize n)
{
  gsize i = 0;
  while (i < n)
    {
      gunichar c = g_utf8_get_char_validated ((const char *) b + i, (gssize) (n - i));
      if (c == (gunichar) -1 || c == (gunichar) -2 || (c == 0 && b[i] != 0))
        {
          g_string_append_printf (out, "\\x%02X", b[i]);
          i++;
        }
      else
        {
          gsize l = (gsize) g_unichar_to_utf8 (c, NULL);
          g_string_append_len (out, (const char *) b + i, (gssize) l);
          i += l;
        }
    }
}

char *
attn_tokenizer_token_display (AttnTokenizer *tok, gint32 id)
{
  const char *t = attn_tokenizer_id_to_token (tok, id);
  GString *out;

  if (t == NULL)
    return NULL;
  if (attn_tokenizer_is_special (tok, id) || has_added (tok, id))
    return g_strdup (t);
  if (tok->byte_level)
    {
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      const char *p;
      for (p = t; *p != '\0'; p = g_utf8_next_char (p))
        {
          int b = attn_unicode_to_byte (g_utf8_get_char (p));
          guint8 v = (guint8) b;
          if (b < 0)
            break;
          g_byte_array_append (bytes, &v, 1);
        }
      if (*p == '\0')
        {
          out = g_string_new (NULL);
          append_bytes_escaped (out, bytes->data, bytes->len);
          return g_string_free (out, FALSE);
        }
      return g_strdup (t);
    }
  if (tok->metaspace != NULL && tok->metaspace[0] != '\0')
    {
      out = g_string_new (t);
      g_string_replace (out, tok->metaspace, " ", 0);
      return g_string_free (out, FALSE);
    }
  return g_strdup (t);
}
