/* attn-tokenizer-json-post.c — the post-processor and decoder sections of a
 * tokenizer.json (TemplateProcessing, Bert/RobertaProcessing, ByteLevel,
 * Sequence; ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse,
 * Strip, Replace, CTC decoders). */
#include "attn-tokenizer-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* ---- post-processor ------------------------------------------------------ */

/* One template list: [{"SpecialToken": {"id", "type_id"}} | {"Sequence": {"id", "type_id"}}]. */
static GPtrArray *
load_template_list (const AttnJsonCtx *c, JsonObject *pp, const char *name, JsonObject *specials,
                    GError **error)
{
  JsonArray *a = attn_json_get_array (c, pp, "post_processor", name, error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) attn_templ_item_free);

  if (a == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonObject *eo = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      JsonNode *sn = eo != NULL ? json_object_get_member (eo, "SpecialToken") : NULL;
      JsonNode *qn = eo != NULL ? json_object_get_member (eo, "Sequence") : NULL;
      JsonObject *io = sn != NULL && JSON_NODE_HOLDS_OBJECT (sn) ? json_node_get_object (sn)
                     : qn != NULL && JSON_NODE_HOLDS_OBJECT (qn) ? json_node_get_object (qn)
                     : NULL;
      const char *id = NULL;
      gint64 type_id = 0;
      AttnTemplItem *it;

      if (io == NULL || !attn_json_get_string (c, io, "post_processor", "id", &id, error) ||
          !attn_json_get_int (c, io, "post_processor", "type_id", 0, &type_id, error) || id == NULL)
        {
          if (error == NULL || *error == NULL)
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                         _("%s: post_processor.%s[%u] must be a SpecialToken or Sequence with an id"),
                         c->path, name, i);
          return NULL;
        }
      it = g_new0 (AttnTemplItem, 1);
      it->type_id = (gint32) type_id;
      g_ptr_array_add (items, it);
      if (qn != NULL)
        {
          it->is_seq = TRUE;
          it->seq = strcmp (id, "B") == 0 ? 1 : 0;
          continue;
        }
      {
        JsonNode *spn = specials != NULL ? json_object_get_member (specials, id) : NULL;
        JsonObject *sp = spn != NULL && JSON_NODE_HOLDS_OBJECT (spn) ? json_node_get_object (spn) : NULL;
        JsonArray *ids = sp != NULL ? attn_json_get_array (c, sp, "post_processor.special_tokens", "ids", error) : NULL;
        JsonArray *toks = sp != NULL ? attn_json_get_array (c, sp, "post_processor.special_tokens", "tokens", error) : NULL;
        if (ids == NULL || toks == NULL || json_array_get_length (ids) != json_array_get_length (toks))
          {
            g_clear_error (error);
            g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                         _("%s: post_processor.special_tokens has no valid entry for “%s”"), c->path, id);
            return NULL;
          }
        it->ids = g_array_new (FALSE, FALSE, sizeof (gint32));
        it->tokens = g_ptr_array_new_with_free_func (g_free);
        for (guint k = 0; k < json_array_get_length (ids); k++)
          {
            JsonNode *in = json_array_get_element (ids, k), *tn = json_array_get_element (toks, k);
            gint32 v;
            if (!JSON_NODE_HOLDS_VALUE (in) || json_node_get_value_type (in) != G_TYPE_INT64 ||
                !JSON_NODE_HOLDS_VALUE (tn) || json_node_get_value_type (tn) != G_TYPE_STRING ||
                json_node_get_int (in) < 0 || json_node_get_int (in) >= G_MAXINT32)
              {
                g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                             _("%s: post_processor.special_tokens.%s has a bad id or token"), c->path, id);
                return NULL;
              }
            v = (gint32) json_node_get_int (in);
            g_array_append_val (it->ids, v);
            g_ptr_array_add (it->tokens, g_strdup (json_node_get_string (tn)));
            attn_tokenizer_set_special (c->tok, v);
          }
      }
    }
  return g_steal_pointer (&items);
}

/* [token, id] pairs of BertProcessing / RobertaProcessing. */
static const char *
pair_token (const AttnJsonCtx *c, JsonObject *o, const char *name, GError **error)
{
  JsonArray *a = attn_json_get_array (c, o, "post_processor", name, error);
  JsonNode *t;
  if (a == NULL)
    return NULL;
  if (json_array_get_length (a) != 2 || !JSON_NODE_HOLDS_VALUE (t = json_array_get_element (a, 0)) ||
      json_node_get_value_type (t) != G_TYPE_STRING)
    {
      attn_json_bad_type (c, "post_processor", name, N_("a pair [token, id]"), error);
      return NULL;
    }
  return json_node_get_string (t);
}

gboolean
attn_json_load_post (const AttnJsonCtx *c, JsonNode *node, GError **error)
{
  JsonObject *o;
  const char *type;

  if (attn_json_is_null (node))
    return TRUE;
  if ((o = attn_json_as_object (c, node, "post_processor", error)) == NULL ||
      (type = attn_json_get_type (c, o, "post_processor", error)) == NULL)
    return FALSE;
  if (strcmp (type, "Sequence") == 0)
    {
      JsonArray *a = attn_json_get_array (c, o, "post_processor", "processors", error);
      if (a == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        if (!attn_json_load_post (c, json_array_get_element (a, i), error))
          return FALSE;
      return TRUE;
    }
  if (strcmp (type, "TemplateProcessing") == 0)
    {
      JsonNode *sn = json_object_get_member (o, "special_tokens");
      JsonObject *specials = sn != NULL && JSON_NODE_HOLDS_OBJECT (sn) ? json_node_get_object (sn) : NULL;
      GPtrArray *s = load_template_list (c, o, "single", specials, error), *p;
      if (s == NULL)
        return FALSE;
      if ((p = load_template_list (c, o, "pair", specials, error)) == NULL)
        {
          g_ptr_array_unref (s);
          return FALSE;
        }
      g_clear_pointer (&c->tok->tmpl_single, g_ptr_array_unref);
      g_clear_pointer (&c->tok->tmpl_pair, g_ptr_array_unref);
      c->tok->tmpl_single = s;
      c->tok->tmpl_pair = p;
      return TRUE;
    }
  if (strcmp (type, "BertProcessing") == 0 || strcmp (type, "RobertaProcessing") == 0)
    {
      const char *sep = pair_token (c, o, "sep", error), *cls;
      g_autofree char *single = NULL, *pair = NULL;
      if (sep == NULL || (cls = pair_token (c, o, "cls", error)) == NULL)
        return FALSE;
      single = g_strdup_printf ("%s $A %s", cls, sep);
      if (type[0] == 'B')
        pair = g_strdup_printf ("%s $A %s $B:1 %s:1", cls, sep, sep);
      else
        pair = g_strdup_printf ("%s $A %s %s $B %s", cls, sep, sep, sep);
      return attn_tokenizer_set_template (c->tok, single, pair, error);
    }
  if (strcmp (type, "ByteLevel") == 0)
    return TRUE;
  return attn_json_unsupported (c, "post_processor", type, error);
}

/* ---- decoder ------------------------------------------------------------- */

gboolean
attn_json_load_decoder (const AttnJsonCtx *c, JsonNode *node, GError **error)
{
  AttnTokenizer *tok = c->tok;
  JsonObject *o;
  const char *type, *a = NULL, *b = NULL;
  gboolean flag = FALSE;
  AttnDecoder *d;

  if (attn_json_is_null (node))
    return TRUE;
  if ((o = attn_json_as_object (c, node, "decoder", error)) == NULL ||
      (type = attn_json_get_type (c, o, "decoder", error)) == NULL)
    return FALSE;
  if (strcmp (type, "Sequence") == 0)
    {
      JsonArray *arr = attn_json_get_array (c, o, "decoder", "decoders", error);
      if (arr == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (arr); i++)
        if (!attn_json_load_decoder (c, json_array_get_element (arr, i), error))
          return FALSE;
      return TRUE;
    }
  if (strcmp (type, "ByteLevel") == 0)
    {
      tok->byte_level = TRUE;
      d = attn_decoder_new (ATTN_DEC_BYTELEVEL, NULL, NULL, FALSE);
    }
  else if (strcmp (type, "WordPiece") == 0)
    {
      if (!attn_json_get_string (c, o, "decoder", "prefix", &a, error) ||
          !attn_json_get_bool (c, o, "decoder", "cleanup", TRUE, &flag, error))
        return FALSE;
      d = attn_decoder_new (ATTN_DEC_WORDPIECE, a != NULL ? a : "##", NULL, flag);
    }
  else if (strcmp (type, "Metaspace") == 0)
    {
      g_autofree char *repl = NULL;
      AttnPrependScheme scheme;
      if (!attn_json_get_metaspace (c, o, "decoder", &repl, &scheme, error))
        return FALSE;
      d = attn_decoder_new (ATTN_DEC_METASPACE, repl, NULL, scheme != ATTN_PREPEND_NEVER);
      g_free (tok->metaspace);
      tok->metaspace = g_strdup (repl);
    }
  else if (strcmp (type, "BPEDecoder") == 0)
    {
      if (!attn_json_get_string (c, o, "decoder", "suffix", &a, error))
        return FALSE;
      d = attn_decoder_new (ATTN_DEC_BPE, a != NULL ? a : "</w>", NULL, FALSE);
    }
  else if (strcmp (type, "ByteFallback") == 0)
    d = attn_decoder_new (ATTN_DEC_BYTEFALLBACK, NULL, NULL, FALSE);
  else if (strcmp (type, "Fuse") == 0)
    d = attn_decoder_new (ATTN_DEC_FUSE, NULL, NULL, FALSE);
  else if (strcmp (type, "Strip") == 0)
    {
      gint64 start, stop;
      if (!attn_json_get_string (c, o, "decoder", "content", &a, error) ||
          !attn_json_get_int (c, o, "decoder", "start", 0, &start, error) ||
          !attn_json_get_int (c, o, "decoder", "stop", 0, &stop, error))
        return FALSE;
      d = attn_decoder_new (ATTN_DEC_STRIP, a != NULL ? a : " ", NULL, FALSE);
      d->start = (int) CLAMP (start, 0, 1 << 20);
      d->stop = (int) CLAMP (stop, 0, 1 << 20);
    }
  else if (strcmp (type, "Replace") == 0)
    {
      g_autofree char *lit = NULL;
      GRegex *re = attn_json_get_pattern (c, o, "decoder", &lit, error);
      if (re == NULL)
        return FALSE;
      g_regex_unref (re);
      if (lit == NULL)
        return attn_json_unsupported (c, "decoder", "Replace with a regex", error);
      if (!attn_json_get_string (c, o, "decoder", "content", &b, error))
        return FALSE;
      d = attn_decoder_new (ATTN_DEC_REPLACE, lit, b != NULL ? b : "", FALSE);
    }
  else if (strcmp (type, "CTC") == 0)
    {
      if (!attn_json_get_string (c, o, "decoder", "pad_token", &a, error) ||
          !attn_json_get_string (c, o, "decoder", "word_delimiter_token", &b, error) ||
          !attn_json_get_bool (c, o, "decoder", "cleanup", TRUE, &flag, error))
        return FALSE;
      d = attn_decoder_new (ATTN_DEC_CTC, a != NULL ? a : "<pad>", b != NULL ? b : "|", flag);
    }
  else
    return attn_json_unsupported (c, "decoder", type, error);
  g_ptr_array_add (tok->decoders, d);
  return TRUE;
}

