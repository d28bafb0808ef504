/* attn-result.c — the immutable result of a run, and its JSON form. */
#include "attn-result.h"
#include "attn-error.h"
#include "attn-alloc.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

static const char *kind_names[ATTN_N_KINDS] = { "encoder", "decoder", "cross", "self" };

const char *
attn_kind_name (AttnKind kind)
{
  g_return_val_if_fail (kind < ATTN_N_KINDS, NULL);
  return kind_names[kind];
}

gboolean
attn_kind_from_name (const char *name, AttnKind *kind)
{
  for (int k = 0; k < ATTN_N_KINDS; k++)
    if (g_strcmp0 (name, kind_names[k]) == 0)
      {
        *kind = k;
        return TRUE;
      }
  return FALSE;
}

static AttnWeights *
weights_new (int layers, int heads, int queries, int keys, gboolean zero)
{
  AttnWeights *w = g_new0 (AttnWeights, 1);
  w->layers = layers;
  w->heads = heads;
  w->queries = queries;
  w->keys = keys;
  /* a Whisper window records 216 MB: from the engine's pool, on huge pages */
  w->data = attn_alloc_floats ((gsize) layers * heads * queries * keys, zero);
  return w;
}

AttnWeights *
attn_weights_new (int layers, int heads, int queries, int keys)
{
  return weights_new (layers, heads, queries, keys, TRUE);
}

AttnWeights *
attn_weights_new_uninit (int layers, int heads, int queries, int keys)
{
  return weights_new (layers, heads, queries, keys, FALSE);
}

void
attn_weights_free (AttnWeights *w)
{
  if (w == NULL)
    return;
  attn_free_floats (w->data);
  g_free (w);
}

void
attn_token_seq_init (AttnTokenSeq *seq, guint len)
{
  seq->len = len;
  seq->ids = g_new0 (gint32, MAX (len, 1));
  seq->tokens = g_new0 (char *, len + 1);
  seq->display = g_new0 (char *, len + 1);
  seq->special = g_new0 (guint8, MAX (len, 1));
}

void
attn_token_seq_clear (AttnTokenSeq *seq)
{
  g_clear_pointer (&seq->ids, g_free);
  g_clear_pointer (&seq->tokens, g_strfreev);
  g_clear_pointer (&seq->display, g_strfreev);
  g_clear_pointer (&seq->special, g_free);
  seq->len = 0;
}

AttnResult *
attn_result_new (void)
{
  AttnResult *r = g_atomic_rc_box_new0 (AttnResult);
  r->beam = g_array_new (FALSE, TRUE, sizeof (AttnBeamEntry));
  return r;
}

AttnResult *
attn_result_ref (AttnResult *result)
{
  return g_atomic_rc_box_acquire (result);
}

static void
result_clear (gpointer p)
{
  AttnResult *r = p;
  g_free (r->model_name);
  g_free (r->architecture);
  attn_token_seq_clear (&r->input);
  attn_token_seq_clear (&r->target);
  attn_token_seq_clear (&r->generated);
  g_free (r->type_ids);
  g_strfreev (r->labels);
  g_free (r->label_probs);
  g_free (r->generated_text);
  g_free (r->generated_probs);
  g_free (r->alt_ids);
  g_free (r->alt_probs);
  g_clear_pointer (&r->beam, g_array_unref);
  attn_free_floats (r->logits);
  for (int k = 0; k < ATTN_N_KINDS; k++)
    {
      attn_weights_free (r->attention[k]);
      attn_weights_free (r->value_norms[k]);
    }
  attn_free_floats (r->mel);
  g_free (r->alignment_heads);
}

void
attn_result_unref (AttnResult *result)
{
  g_atomic_rc_box_release_full (result, result_clear);
}

/* --- JSON ----------------------------------------------------------------- */

static void
json_string (GString *s, const char *str)
{
  g_string_append_c (s, '"');
  for (const unsigned char *p = (const unsigned char *) (str ? str : ""); *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (s, "\\\""); break;
        case '\\': g_string_append (s, "\\\\"); break;
        case '\n': g_string_append (s, "\\n"); break;
        case '\r': g_string_append (s, "\\r"); break;
        case '\t': g_string_append (s, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (s, "\\u%04x", *p);
          else
            g_string_append_c (s, *p);
        }
    }
  g_string_append_c (s, '"');
}

static void
json_float (GString *s, float v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (!isfinite (v))
    g_string_append (s, "null");
  else
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.8g", v));
}

static void
json_floats (GString *s, const float *v, gsize n)
{
  g_string_append_c (s, '[');
  for (gsize i = 0; i < n; i++)
    {
      if (i)
        g_string_append_c (s, ',');
      json_float (s, v[i]);
    }
  g_string_append_c (s, ']');
}

static void
json_seq (GString *s, const AttnTokenSeq *seq)
{
  g_string_append (s, "{\"tokens\":[");
  for (guint i = 0; i < seq->len; i++)
    {
      if (i)
        g_string_append_c (s, ',');
      json_string (s, seq->tokens[i]);
    }
  g_string_append (s, "],\"ids\":[");
  for (guint i = 0; i < seq->len; i++)
    g_string_append_printf (s, "%s%d", i ? "," : "", seq->ids[i]);
  g_string_append (s, "]");
}

char *
attn_result_to_json (const AttnResult *r, guint kinds_mask, gsize *length)
{
  GString *s = g_string_sized_new (4096);
  gboolean first = TRUE;

  if (kinds_mask == 0)
    kinds_mask = ATTN_KIND_MASK_ALL;
  g_string_append (s, "{\"model\":{\"name\":");
  json_string (s, r->model_name);
  g_string_append (s, ",\"architecture\":");
  json_string (s, r->architecture);
  g_string_append_printf (s, ",\"layers\":%d,\"heads\":%d", r->n_layers, r->n_heads);
  for (int k = 0; k < ATTN_N_KINDS; k++)
    if (r->attention[k] != NULL && k != ATTN_KIND_SELF && k != ATTN_KIND_ENCODER)
      {
        g_string_append_printf (s, ",\"decoder_layers\":%d,\"decoder_heads\":%d",
                                r->attention[k]->layers, r->attention[k]->heads);
        break;
      }
  g_string_append (s, "},\"input\":");
  json_seq (s, &r->input);
  if (r->type_ids != NULL)
    {
      g_string_append (s, ",\"type_ids\":[");
      for (guint i = 0; i < r->input.len; i++)
        g_string_append_printf (s, "%s%d", i ? "," : "", r->type_ids[i]);
      g_string_append_c (s, ']');
    }
  if (r->audio_seconds > 0)
    {
      g_string_append (s, ",\"audio_seconds\":");
      json_float (s, (float) r->audio_seconds);
    }
  g_string_append_c (s, '}');
  if (r->target.len > 0)
    {
      g_string_append (s, ",\"target\":");
      json_seq (s, &r->target);
      g_string_append_printf (s, ",\"forced\":%s}", r->target_forced ? "true" : "false");
    }
  g_string_append (s, ",\"output\":");
  switch (r->output_kind)
    {
    case ATTN_OUTPUT_LABELS:
      g_string_append (s, "{\"labels\":{");
      for (guint i = 0; i < r->n_labels; i++)
        {
          if (i)
            g_string_append_c (s, ',');
          json_string (s, r->labels[i]);
          g_string_append_c (s, ':');
          json_float (s, r->label_probs[i]);
        }
      g_string_append (s, "}}");
      break;
    case ATTN_OUTPUT_GENERATED:
    case ATTN_OUTPUT_NEXT_TOKEN:
      json_seq (s, &r->generated);
      g_string_append (s, ",\"text\":");
      json_string (s, r->generated_text);
      if (r->generated_probs != NULL)
        {
          g_string_append (s, ",\"probs\":");
          json_floats (s, r->generated_probs, r->generated.len);
        }
      g_string_append_c (s, '}');
      break;
    case ATTN_OUTPUT_NONE:
      g_string_append (s, "{}");
      break;
    }
  if (r->logits != NULL)
    {
      g_string_append (s, ",\"logits\":{\"shape\":[");
      if (r->logits_rows > 0)
        g_string_append_printf (s, "%d,", r->logits_rows);
      g_string_append_printf (s, "%d],\"data\":", r->logits_cols);
      json_floats (s, r->logits, (gsize) MAX (r->logits_rows, 1) * r->logits_cols);
      g_string_append_c (s, '}');
    }
  g_string_append (s, ",\"attention\":{");
  for (int k = 0; k < ATTN_N_KINDS; k++)
    {
      const AttnWeights *w = r->attention[k];
      if (w == NULL || !(kinds_mask & ATTN_KIND_MASK (k)))
        continue;
      if (!first)
        g_string_append_c (s, ',');
      first = FALSE;
      json_string (s, kind_names[k]);
      g_string_append_printf (s, ":{\"shape\":[%d,%d,%d,%d],\"data\":", w->layers, w->heads, w->queries, w->keys);
      json_floats (s, w->data, (gsize) w->layers * w->heads * w->queries * w->keys);
      g_string_append_c (s, '}');
    }
  g_string_append (s, "}}\n");
  if (length)
    *length = s->len;
  return g_string_free (s, FALSE);
}

gboolean
attn_result_write_json (const AttnResult *result, guint kinds_mask, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize len;
  g_autofree char *json = attn_result_to_json (result, kinds_mask, &len);
  if (!g_file_set_contents (path, json, len, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_IO, _("Cannot write %s: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}
