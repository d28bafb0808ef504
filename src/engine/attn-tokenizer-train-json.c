/* attn-tokenizer-train-json.c — writing a trained tokenizer as tokenizer.json. */
#include "attn-tokenizer-train.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "attn-error.h"
#include "attn-tokenizer-private.h"
#include "attn-tokenizer-train-private.h"

/* ---- writing tokenizer.json ------------------------------------------------------ */

static void
json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      switch (*p)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

static void
json_special_token_ref (GString *out, AttnTokenizerTrainer *t, const char *name)
{
  json_string (out, name);
  g_string_append (out, ": {\"id\": ");
  json_string (out, name);
  g_string_append_printf (out, ", \"ids\": [%d], \"tokens\": [", attn_tokenizer_trainer_lookup (t, name));
  json_string (out, name);
  g_string_append (out, "]}");
}

char *
attn_tokenizer_trainer_to_json (AttnTokenizerTrainer *t, gsize *length)
{
  gboolean wp = t->opts.kind == ATTN_TOKENIZER_KIND_WORDPIECE;
  GString *out;

  if (!t->trained)
    return NULL;
  out = g_string_new ("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n");

  g_string_append (out, "  \"added_tokens\": [");
  for (guint i = 0; i < t->n_special; i++)
    {
      g_string_append_printf (out, "%s\n    {\"id\": %u, \"content\": ", i ? "," : "", i);
      json_string (out, g_ptr_array_index (t->tokens, i));
      g_string_append (out, ", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, "
                            "\"normalized\": false, \"special\": true}");
    }
  g_string_append (out, "\n  ],\n");

  if (t->opts.kind == ATTN_TOKENIZER_KIND_UNIGRAM)
    {
      g_string_append (out, "  \"normalizer\": {\"type\": \"NFKC\"},\n");
      g_string_append (out, "  \"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"" METASPACE "\", "
                            "\"prepend_scheme\": \"always\", \"split\": true},\n");
      g_string_append (out,
        "  \"post_processor\": {\"type\": \"TemplateProcessing\",\n"
        "    \"single\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
        "{\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}],\n"
        "    \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
        "{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}, "
        "{\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 1}}],\n"
        "    \"special_tokens\": {");
      json_special_token_ref (out, t, "</s>");
      g_string_append (out, "}},\n");
      g_string_append (out, "  \"decoder\": {\"type\": \"Metaspace\", \"replacement\": \"" METASPACE "\", "
                            "\"prepend_scheme\": \"always\", \"split\": true},\n");
      g_string_append (out, "  \"model\": {\"type\": \"Unigram\", \"unk_id\": 1, \"byte_fallback\": false,\n"
                            "    \"vocab\": [");
      for (guint i = 0; i < t->tokens->len; i++)
        {
          char num[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append (out, i ? ",\n      [" : "\n      [");
          json_string (out, g_ptr_array_index (t->tokens, i));
          g_string_append_printf (out, ", %s]",
                                  g_ascii_dtostr (num, sizeof num, g_array_index (t->scores, double, i)));
        }
      g_string_append (out, "\n    ]\n  }\n}\n");
      if (length != NULL)
        *length = out->len;
      return g_string_free (out, FALSE);
    }
  if (wp)
    {
      g_string_append_printf (out,
        "  \"normalizer\": {\"type\": \"BertNormalizer\", \"clean_text\": true, "
        "\"handle_chinese_chars\": true, \"strip_accents\": %s, \"lowercase\": %s},\n",
        t->opts.cased ? "false" : "true", t->opts.cased ? "false" : "true");
      g_string_append (out, "  \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"},\n");
      g_string_append (out,
        "  \"post_processor\": {\"type\": \"TemplateProcessing\",\n"
        "    \"single\": [{\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}}, "
        "{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
        "{\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}],\n"
        "    \"pair\": [{\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}}, "
        "{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
        "{\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}, "
        "{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}, "
        "{\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 1}}],\n"
        "    \"special_tokens\": {");
      json_special_token_ref (out, t, "[CLS]");
      g_string_append (out, ", ");
      json_special_token_ref (out, t, "[SEP]");
      g_string_append (out, "}},\n");
      g_string_append (out, "  \"decoder\": {\"type\": \"WordPiece\", \"prefix\": \"##\", \"cleanup\": true},\n");
      g_string_append (out, "  \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", "
                            "\"continuing_subword_prefix\": \"##\", \"max_input_chars_per_word\": 100,\n"
                            "    \"vocab\": {");
    }
  else
    {
      g_string_append (out, "  \"normalizer\": null,\n");
      g_string_append (out, "  \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, "
                            "\"trim_offsets\": true, \"use_regex\": true},\n");
      g_string_append (out, "  \"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, "
                            "\"trim_offsets\": false, \"use_regex\": true},\n");
      g_string_append (out, "  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, "
                            "\"trim_offsets\": true, \"use_regex\": true},\n");
      g_string_append (out, "  \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, "
                            "\"continuing_subword_prefix\": null, \"end_of_word_suffix\": null, "
                            "\"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,\n"
                            "    \"vocab\": {");
    }

  for (guint i = 0; i < t->tokens->len; i++)
    {
      g_string_append (out, i ? ",\n      " : "\n      ");
      json_string (out, g_ptr_array_index (t->tokens, i));
      g_string_append_printf (out, ": %u", i);
    }
  g_string_append (out, "\n    }");
  if (!wp)
    {
      g_string_append (out, ",\n    \"merges\": [");
      for (guint i = 0; i < t->merges->len; i += 2)
        {
          g_autofree char *m = g_strconcat (g_ptr_array_index (t->tokens, g_array_index (t->merges, gint32, i)),
                                            " ",
                                            g_ptr_array_index (t->tokens, g_array_index (t->merges, gint32, i + 1)),
                                            NULL);
          g_string_append (out, i ? ",\n      " : "\n      ");
          json_string (out, m);
        }
      g_string_append (out, "\n    ]");
    }
  g_string_append (out, "\n  }\n}\n");
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

static gboolean
write_file (const char *path, const char *contents, gsize len, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (!g_file_set_contents (path, contents, len, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, _("%s: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
attn_tokenizer_trainer_save (AttnTokenizerTrainer *t, const char *dir, GError **error)
{
  gboolean wp = t->opts.kind == ATTN_TOKENIZER_KIND_WORDPIECE;
  g_autofree char *json = NULL, *tj = NULL, *cj = NULL;
  g_autofree char *config = NULL;
  gsize len;

  if (!t->trained)
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("the tokenizer has not been trained"));
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, _("%s: %s"), dir, g_strerror (e));
      return FALSE;
    }
  json = attn_tokenizer_trainer_to_json (t, &len);
  tj = g_build_filename (dir, "tokenizer.json", NULL);
  cj = g_build_filename (dir, "tokenizer_config.json", NULL);
  if (t->opts.kind == ATTN_TOKENIZER_KIND_UNIGRAM)
    config = g_strdup ("{\n  \"tokenizer_class\": \"PreTrainedTokenizerFast\",\n"
                       "  \"eos_token\": \"</s>\",\n  \"unk_token\": \"<unk>\",\n"
                       "  \"pad_token\": \"<pad>\"\n}\n");
  else if (wp)
    config = g_strdup_printf ("{\n  \"tokenizer_class\": \"BertTokenizer\",\n  \"do_lower_case\": %s,\n"
                              "  \"unk_token\": \"[UNK]\",\n  \"sep_token\": \"[SEP]\",\n"
                              "  \"pad_token\": \"[PAD]\",\n  \"cls_token\": \"[CLS]\",\n"
                              "  \"mask_token\": \"[MASK]\"\n}\n", t->opts.cased ? "false" : "true");
  else
    config = g_strdup ("{\n  \"tokenizer_class\": \"GPT2Tokenizer\",\n"
                       "  \"bos_token\": \"<|endoftext|>\",\n  \"eos_token\": \"<|endoftext|>\",\n"
                       "  \"unk_token\": \"<|endoftext|>\"\n}\n");
  return write_file (tj, json, len, error) && write_file (cj, config, strlen (config), error);
}
