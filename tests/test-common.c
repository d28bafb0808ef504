/* test-common.c — helpers shared by the engine tests. */
#include "test-common.h"

#include <math.h>
#include <stdarg.h>

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
