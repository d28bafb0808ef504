/* test-util.c — helpers for the engine tests. */
#include "test-util.h"

#include <stdarg.h>
#include <string.h>

char *
test_fixture_path (const char *first, ...)
{
  const char *root = g_getenv ("ATTN_FIXTURES");
  GPtrArray *parts = g_ptr_array_new ();
  va_list ap;
  char *path;

  g_ptr_array_add (parts, (gpointer) (root != NULL ? root : "tests/fixtures"));
  va_start (ap, first);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  path = g_build_filenamev ((char **) parts->pdata);
  g_ptr_array_unref (parts);
  return path;
}

JsonNode *
test_read_json (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

gint64 *
test_read_i64 (const char *path, const char *name, gsize *n, char **why)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  guint64 hlen = 0;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *hdr, *t;
  JsonArray *shape, *offs;
  gint64 count = 1, a, b;
  gint64 *out;

  *n = 0;
  if (!g_file_get_contents (path, &data, &len, NULL) || len < 8)
    {
      *why = g_strdup_printf ("%s: cannot read", path);
      return NULL;
    }
  for (int i = 0; i < 8; i++)
    hlen |= (guint64) (guint8) data[i] << (8 * i);
  if (hlen > len - 8 || !json_parser_load_from_data (parser, data + 8, (gssize) hlen, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      *why = g_strdup_printf ("%s: bad header", path);
      return NULL;
    }
  hdr = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (hdr, name))
    {
      *why = g_strdup_printf ("%s: no tensor %s", path, name);
      return NULL;
    }
  t = json_object_get_object_member (hdr, name);
  if (g_strcmp0 (json_object_get_string_member (t, "dtype"), "I64") != 0)
    {
      *why = g_strdup_printf ("%s: %s is not I64", path, name);
      return NULL;
    }
  shape = json_object_get_array_member (t, "shape");
  for (guint i = 0; i < json_array_get_length (shape); i++)
    count *= json_array_get_int_element (shape, i);
  offs = json_object_get_array_member (t, "data_offsets");
  a = json_array_get_int_element (offs, 0);
  b = json_array_get_int_element (offs, 1);
  if (a < 0 || b < a || (guint64) b > len - 8 - hlen || b - a != count * 8)
    {
      *why = g_strdup_printf ("%s: %s has bad offsets", path, name);
      return NULL;
    }
  out = g_new0 (gint64, MAX (count, 1));
  for (gint64 i = 0; i < count; i++)
    {
      const guint8 *p = (const guint8 *) data + 8 + hlen + a + 8 * i;
      guint64 v = 0;
      for (int k = 0; k < 8; k++)
        v |= (guint64) p[k] << (8 * k);
      out[i] = (gint64) v;
    }
  *n = (gsize) count;
  return out;
}
