/* attn-config.c — reading config.json values with checks. */
#include "attn-config.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <stdarg.h>

JsonObject *
attn_config_load_file (const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  JsonNode *root;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_MISSING, _("%s does not exist"), path);
      return NULL;
    }
  if (!json_parser_load_from_file (parser, path, &local))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s is not valid JSON: %s"), path, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT, _("%s does not hold a JSON object"), path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static JsonNode *
value_member (JsonObject *cfg, const char *name)
{
  JsonNode *n = cfg ? json_object_get_member (cfg, name) : NULL;
  return (n != NULL && JSON_NODE_HOLDS_VALUE (n)) ? n : NULL;
}

gboolean
attn_config_int (JsonObject *cfg, const char *file, gint64 *out, gint64 min, gint64 max,
                 GError **error, const char *name, ...)
{
  va_list ap;
  const char *key = name;
  va_start (ap, name);
  for (; key != NULL; key = va_arg (ap, const char *))
    {
      JsonNode *n = value_member (cfg, key);
      if (n == NULL)
        continue;
      va_end (ap);
      if (json_node_get_value_type (n) != G_TYPE_INT64)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s: “%s” must be an integer"), file, key);
          return FALSE;
        }
      *out = json_node_get_int (n);
      if (*out < min || *out > max)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG,
                       _("%s: “%s” is %" PRId64 ", outside the possible range %" PRId64 "…%" PRId64),
                       file, key, *out, min, max);
          return FALSE;
        }
      return TRUE;
    }
  va_end (ap);
  g_set_error (error, ATTN_ERROR, ATTN_ERROR_CONFIG, _("%s lacks “%s”"), file, name);
  return FALSE;
}

gint64
attn_config_int_or (JsonObject *cfg, const char *name, gint64 fallback)
{
  JsonNode *n = value_member (cfg, name);
  return (n && json_node_get_value_type (n) == G_TYPE_INT64) ? json_node_get_int (n) : fallback;
}

double
attn_config_double_or (JsonObject *cfg, const char *name, double fallback)
{
  JsonNode *n = value_member (cfg, name);
  if (n && (json_node_get_value_type (n) == G_TYPE_DOUBLE || json_node_get_value_type (n) == G_TYPE_INT64))
    return json_node_get_double (n);
  return fallback;
}

gboolean
attn_config_bool_or (JsonObject *cfg, const char *name, gboolean fallback)
{
  JsonNode *n = value_member (cfg, name);
  return (n && json_node_get_value_type (n) == G_TYPE_BOOLEAN) ? json_node_get_boolean (n) : fallback;
}

const char *
attn_config_string_or (JsonObject *cfg, const char *name, const char *fallback)
{
  JsonNode *n = value_member (cfg, name);
  return (n && json_node_get_value_type (n) == G_TYPE_STRING) ? json_node_get_string (n) : fallback;
}
