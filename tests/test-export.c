/* test-export.c — NPY, CSV, JSON and the figure formats, read back. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "lens-export.h"
#include "lens-heatmap.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("lens-export-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static AttnWeights *
make_weights (int layers, int heads, int q, int k)
{
  AttnWeights *w = g_new0 (AttnWeights, 1);
  gsize n = (gsize) layers * heads * q * k;

  w->layers = layers;
  w->heads = heads;
  w->queries = q;
  w->keys = k;
  w->data = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    w->data[i] = (float) i / 7.0f - 3.25f;    /* distinct, not round */
  return w;
}

static void
free_weights (AttnWeights *w)
{
  g_free (w->data);
  g_free (w);
}

static void
test_npy (Fixture *f, gconstpointer data)
{
  AttnWeights *w = make_weights (2, 3, 4, 5);
  g_autofree char *path = g_build_filename (f->dir, "a.npy", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *dict = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  guint16 header_len;
  const char *values;

  g_assert_true (lens_export_npy (w, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));

  /* magic, version 1.0, little-endian header length */
  g_assert_cmpmem (contents, 6, "\x93NUMPY", 6);
  g_assert_cmpint (contents[6], ==, 1);
  g_assert_cmpint (contents[7], ==, 0);
  header_len = (guint8) contents[8] | ((guint8) contents[9] << 8);
  g_assert_cmpint ((10 + header_len) % 64, ==, 0);
  g_assert_cmpint (contents[10 + header_len - 1], ==, '\n');

  dict = g_strndup (contents + 10, header_len);
  g_assert_nonnull (strstr (dict, "'descr': '<f4'"));
  g_assert_nonnull (strstr (dict, "'fortran_order': False"));
  g_assert_nonnull (strstr (dict, "'shape': (2, 3, 4, 5)"));

  g_assert_cmpuint (len, ==, 10 + header_len + 2 * 3 * 4 * 5 * sizeof (float));
  values = contents + 10 + header_len;
  for (int i = 0; i < 2 * 3 * 4 * 5; i++)
    {
      guint32 bits;
      float v;

      memcpy (&bits, values + 4 * i, 4);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&v, &bits, 4);
      g_assert_cmpfloat (v, ==, w->data[i]);
    }
  free_weights (w);
}

static void
test_npy_header_1d (void)
{
  gsize shape[1] = { 7 };
  g_autoptr(GBytes) header = lens_npy_header (shape, 1);
  gsize len;
  const char *h = g_bytes_get_data (header, &len);

  g_assert_cmpint (len % 64, ==, 0);
  /* a one-element tuple keeps its comma */
  /* after the magic and the length (which may hold a zero byte) */
  g_assert_nonnull (g_strstr_len (h + 10, len - 10, "'shape': (7, )"));
}

/* RFC 4180 fields of one line */
static GPtrArray *
split_csv_line (const char **p)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (;; (*p)++)
    {
      char c = **p;

      if (quoted)
        {
          if (c == '"' && (*p)[1] == '"')
            {
              g_string_append_c (field, '"');
              (*p)++;
            }
          else if (c == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, c);
          continue;
        }
      if (c == '"')
        quoted = TRUE;
      else if (c == ',' || c == '\r' || c == '\n' || c == '\0')
        {
          g_ptr_array_add (fields, g_strdup (field->str));
          g_string_truncate (field, 0);
          if (c == '\r')
            (*p)++;
          if (c != ',')
            {
              if (**p)
                (*p)++;
              break;
            }
        }
      else
        g_string_append_c (field, c);
    }
  g_string_free (field, TRUE);
  return fields;
}

static void
test_csv (Fixture *f, gconstpointer data)
{
  const float m[6] = { 0.5f, 0.25f, 0.25f, 1.0f / 3, 1.0f / 3, 1.0f / 3 };
  const char *rows[2] = { "[CLS]", "say \"hi\"" };
  const char *cols[3] = { "a,b", " x", "ü" };
  g_autofree char *path = g_build_filename (f->dir, "h.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *p;

  g_assert_true (lens_export_csv (m, 2, 3, rows, cols, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));

  p = contents;
  {
    g_autoptr(GPtrArray) head = split_csv_line (&p);

    g_assert_cmpuint (head->len, ==, 4);
    for (int c = 0; c < 3; c++)
      g_assert_cmpstr (g_ptr_array_index (head, c + 1), ==, cols[c]);
  }
  for (int r = 0; r < 2; r++)
    {
      g_autoptr(GPtrArray) line = split_csv_line (&p);

      g_assert_cmpuint (line->len, ==, 4);
      g_assert_cmpstr (g_ptr_array_index (line, 0), ==, rows[r]);
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat ((float) g_ascii_strtod (g_ptr_array_index (line, c + 1), NULL), ==, m[r * 3 + c]);
    }
  g_assert_cmpint (*p, ==, '\0');
}

static void
draw_sample (cairo_t *cr, double width, double height, gpointer data)
{
  const char *labels[3] = { "one", "two", "three" };
  const float m[9] = { 1, 0, 0, 0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f };
  LensHeatmapStyle style;

  lens_heatmap_style_init (&style);
  style.causal = TRUE;
  lens_heatmap_draw (cr, &style, m, 3, 3, labels, labels, width, height);
}

static void
check_figure (Fixture *f, LensExportFormat format, const char *magic, gsize magic_len)
{
  g_autofree char *name = g_strdup_printf ("fig.%s", lens_export_format_extension (format));
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_true (lens_export_figure (draw_sample, NULL, 400, 300, format, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 200);
  g_assert_cmpmem (contents + (format == LENS_EXPORT_SVG ? strstr (contents, "<svg") - contents : 0),
                   magic_len, magic, magic_len);
}

static void
test_figures (Fixture *f, gconstpointer data)
{
  g_autofree char *png = g_build_filename (f->dir, "fig.png", NULL);
  cairo_surface_t *s;

  check_figure (f, LENS_EXPORT_PNG, "\x89PNG\r\n\x1a\n", 8);
  check_figure (f, LENS_EXPORT_SVG, "<svg", 4);
  check_figure (f, LENS_EXPORT_PDF, "%PDF-", 5);

  /* PNG at twice the size, and it reads back */
  s = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 800);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 600);
  cairo_surface_destroy (s);
}

static void
test_texture (void)
{
  g_autoptr(GdkTexture) texture = lens_export_texture (draw_sample, NULL, 120, 90);

  g_assert_cmpint (gdk_texture_get_width (texture), ==, 120);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 90);
}

static void
test_json (Fixture *f, gconstpointer data)
{
  g_autoptr(AttnResult) r = attn_result_new ();
  g_autofree char *path = g_build_filename (f->dir, "r.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *self;
  JsonArray *shape;

  r->model_name = g_strdup ("toy");
  r->architecture = g_strdup ("bert");
  r->n_layers = 1;
  r->n_heads = 2;
  attn_token_seq_init (&r->input, 3);
  for (int i = 0; i < 3; i++)
    {
      r->input.ids[i] = i;
      r->input.tokens[i] = g_strdup_printf ("t%d", i);
      r->input.display[i] = g_strdup_printf ("t%d", i);
    }
  r->attention[ATTN_KIND_SELF] = attn_weights_new (1, 2, 3, 3);
  for (int i = 0; i < 18; i++)
    r->attention[ATTN_KIND_SELF]->data[i] = i / 18.0f;

  g_assert_true (lens_export_json (r, path, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  self = json_object_get_object_member (json_object_get_object_member (root, "attention"), "self");
  shape = json_object_get_array_member (self, "shape");
  g_assert_cmpint (json_array_get_int_element (shape, 0), ==, 1);
  g_assert_cmpint (json_array_get_int_element (shape, 1), ==, 2);
  g_assert_cmpint (json_array_get_int_element (shape, 2), ==, 3);
  g_assert_cmpint (json_array_get_int_element (shape, 3), ==, 3);
  g_assert_cmpfloat_with_epsilon (json_array_get_double_element (json_object_get_array_member (self, "data"), 5),
                                  5 / 18.0, 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/export/npy", Fixture, NULL, fixture_setup, test_npy, fixture_teardown);
  g_test_add_func ("/export/npy-header-1d", test_npy_header_1d);
  g_test_add ("/export/csv", Fixture, NULL, fixture_setup, test_csv, fixture_teardown);
  g_test_add ("/export/figures", Fixture, NULL, fixture_setup, test_figures, fixture_teardown);
  g_test_add_func ("/export/texture", test_texture);
  g_test_add ("/export/json", Fixture, NULL, fixture_setup, test_json, fixture_teardown);
  return g_test_run ();
}
