/* test-common.c — helpers shared by the engine tests. */
#include "test-common.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <glib/gstdio.h>

char *
test_fixture (const char *first, ...)
{
  const char *root = g_getenv ("ATTN_FIXTURES");
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list ap;
  g_assert_nonnull (root);
  g_ptr_array_add (parts, (char *) root);
  va_start (ap, first);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (char *) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

AttnCheckpoint *
test_reference (const char *name)
{
  g_autofree char *path = test_fixture (name, "reference.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  AttnCheckpoint *c = attn_checkpoint_open_file (path, &error);
  g_assert_no_error (error);
  return c;
}

JsonObject *
test_reference_json (const char *name)
{
  g_autofree char *path = test_fixture (name, "reference.json", NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  json_parser_load_from_file (p, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (p)));
}

gboolean
test_ref_has (AttnCheckpoint *ref, const char *name)
{
  return attn_checkpoint_find (ref, name) != NULL;
}

float *
test_ref_f32 (AttnCheckpoint *ref, const char *name, gsize *n)
{
  const AttnTensorInfo *t = attn_checkpoint_find (ref, name);
  g_autoptr(GError) error = NULL;
  float *p;
  if (t == NULL)
    g_error ("reference tensor %s is missing", name);
  p = attn_checkpoint_read_f32 (ref, name, t->ndim, t->shape, &error);
  g_assert_no_error (error);
  if (n)
    *n = t->numel;
  return p;
}

gint32 *
test_ref_ids (AttnCheckpoint *ref, const char *name, gsize *n)
{
  const AttnTensorInfo *t = attn_checkpoint_find (ref, name);
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *v = NULL;
  gint32 *out;
  if (t == NULL)
    g_error ("reference tensor %s is missing", name);
  v = attn_checkpoint_read_i64 (ref, name, t->ndim, t->shape, &error);
  g_assert_no_error (error);
  out = g_new (gint32, MAX (t->numel, 1));
  for (gint64 i = 0; i < t->numel; i++)
    out[i] = (gint32) v[i];
  if (n)
    *n = t->numel;
  return out;
}

double
test_assert_close (const char *what, const float *got, const float *want, gsize n, double tol)
{
  double worst = 0;
  gsize at = 0;
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) got[i] - (double) want[i]);
      if (isnan (d) || d > worst)
        {
          worst = isnan (d) ? INFINITY : d;
          at = i;
        }
    }
  g_test_message ("%s: largest difference %.3g (at %zu of %zu; tolerance %.0e)", what, worst, at, n, tol);
  if (!(worst <= tol))
    g_error ("%s: difference %.3g at %zu (got %g, want %g) exceeds %.0e", what, worst, at, got[at], want[at], tol);
  return worst;
}

void
test_assert_ids (const char *what, const gint32 *got, gsize n_got, const gint32 *want, gsize n_want)
{
  for (gsize i = 0; i < MIN (n_got, n_want); i++)
    if (got[i] != want[i])
      g_error ("%s: id %zu is %d, the reference has %d", what, i, got[i], want[i]);
  if (n_got != n_want)
    g_error ("%s: %zu ids, the reference has %zu", what, n_got, n_want);
  g_test_message ("%s: %zu ids identical", what, n_got);
}

/* --- scratch model folders ------------------------------------------------ */

char *
test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("attn-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

void
test_rmdir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        test_rmdir (path);
      else
        g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

void
test_write_file (const char *path, const void *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

void
test_copy_fixture_files (const char *fixture, const char *dir, ...)
{
  va_list ap;
  va_start (ap, dir);
  for (const char *name = va_arg (ap, const char *); name != NULL; name = va_arg (ap, const char *))
    {
      g_autofree char *src = test_fixture (fixture, name, NULL);
      g_autofree char *dst = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;
      g_file_get_contents (src, &data, &len, &error);
      g_assert_no_error (error);
      test_write_file (dst, data, len);
    }
  va_end (ap);
}

JsonObject *
test_fixture_config (const char *fixture)
{
  g_autofree char *path = test_fixture (fixture, "config.json", NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *copy;
  JsonObject *obj;
  json_parser_load_from_file (p, path, &error);
  g_assert_no_error (error);
  /* a deep copy, so the caller may edit it after the parser is gone */
  copy = json_node_copy (json_parser_get_root (p));
  obj = json_object_ref (json_node_get_object (copy));
  json_node_unref (copy);
  return obj;
}

void
test_write_json (const char *path, JsonObject *obj)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;
  json_node_set_object (root, obj);
  json_generator_set_root (gen, root);
  json_generator_to_file (gen, path, &error);
  g_assert_no_error (error);
}

AttnTensorOut *
test_fixture_tensors (const char *fixture, guint *n)
{
  g_autofree char *path = test_fixture (fixture, "model.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttnCheckpoint) c = attn_checkpoint_open_file (path, &error);
  const char **names;
  AttnTensorOut *t;
  g_assert_no_error (error);
  names = attn_checkpoint_names (c, n);
  t = g_new0 (AttnTensorOut, *n);
  for (guint i = 0; i < *n; i++)
    {
      const AttnTensorInfo *info = attn_checkpoint_find (c, names[i]);
      t[i].name = g_strdup (names[i]);
      t[i].ndim = info->ndim;
      memcpy (t[i].shape, info->shape, sizeof info->shape);
      t[i].data = attn_checkpoint_read_f32 (c, names[i], info->ndim, info->shape, &error);
      g_assert_no_error (error);
    }
  return t;
}

void
test_tensors_free (AttnTensorOut *t, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_free ((char *) t[i].name);
      g_free ((float *) t[i].data);
    }
  g_free (t);
}

guint
test_tensor_index (const AttnTensorOut *t, guint n, const char *name)
{
  for (guint i = 0; i < n; i++)
    if (g_str_equal (t[i].name, name))
      return i;
  g_error ("no tensor %s", name);
  return 0;
}

void
test_write_tensors (const char *dir, const AttnTensorOut *t, guint n, AttnDType storage)
{
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  attn_safetensors_write (path, t, n, storage, NULL, &error);
  g_assert_no_error (error);
}

void
test_assert_error (const GError *error, GQuark domain, int code, ...)
{
  va_list ap;
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_error (error, domain, code);
  va_start (ap, code);
  for (const char *w = va_arg (ap, const char *); w != NULL; w = va_arg (ap, const char *))
    if (strstr (error->message, w) == NULL)
      g_error ("the message “%s” does not mention “%s”", error->message, w);
  va_end (ap);
}
