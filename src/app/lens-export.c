/* lens-export.c — figures through cairo surfaces; CSV, JSON and NPY data. */
#include "lens-export.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>

static const struct {
  const char *name;
  const char *title;
} formats[] = {
  [LENS_EXPORT_PNG]  = { "png",  N_("PNG image") },
  [LENS_EXPORT_SVG]  = { "svg",  N_("SVG drawing") },
  [LENS_EXPORT_PDF]  = { "pdf",  N_("PDF document") },
  [LENS_EXPORT_CSV]  = { "csv",  N_("CSV table of one head") },
  [LENS_EXPORT_JSON] = { "json", N_("JSON of the whole result") },
  [LENS_EXPORT_NPY]  = { "npy",  N_("NumPy array of one attention kind") },
  [LENS_EXPORT_PHARAOH]    = { "align",      N_("Word alignment as i-j pairs (Pharaoh)") },
  [LENS_EXPORT_VTT]        = { "vtt",        N_("WebVTT subtitles of the word timings") },
  [LENS_EXPORT_WORDS_JSON] = { "words.json", N_("JSON of the word timings") },
};

gboolean
lens_export_format_from_string (const char *name, LensExportFormat *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_strcmp0 (name, formats[i].name) == 0)
      {
        *format = i;
        return TRUE;
      }
  return FALSE;
}

const char *
lens_export_format_extension (LensExportFormat format)
{
  return formats[format].name;
}

const char *
lens_export_format_title (LensExportFormat format)
{
  return _(formats[format].title);
}

static gboolean
cairo_ok (cairo_status_t status, const char *path, GError **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”: %s"),
               path, cairo_status_to_string (status));
  return FALSE;
}

cairo_surface_t *
lens_export_render (LensDrawFunc draw, gpointer data, int width, int height, int scale)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_t *cr = cairo_create (surface);

  cairo_scale (cr, scale, scale);
  draw (cr, width, height, data);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

gboolean
lens_export_figure (LensDrawFunc draw, gpointer data, int width, int height,
                    LensExportFormat format, const char *path, GError **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  switch (format)
    {
    case LENS_EXPORT_PNG:
      surface = lens_export_render (draw, data, width, height, 2);
      status = cairo_surface_write_to_png (surface, path);
      cairo_surface_destroy (surface);
      return cairo_ok (status, path, error);

    case LENS_EXPORT_SVG:
    case LENS_EXPORT_PDF:
      surface = format == LENS_EXPORT_SVG ? cairo_svg_surface_create (path, width, height)
                                          : cairo_pdf_surface_create (path, width, height);
      cr = cairo_create (surface);
      draw (cr, width, height, data);
      status = cairo_status (cr);
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
      cairo_surface_destroy (surface);
      return cairo_ok (status, path, error);

    case LENS_EXPORT_CSV:
    case LENS_EXPORT_JSON:
    case LENS_EXPORT_NPY:
    case LENS_EXPORT_PHARAOH:
    case LENS_EXPORT_VTT:
    case LENS_EXPORT_WORDS_JSON:
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a figure format");
      return FALSE;
    }
}

GdkTexture *
lens_export_texture (LensDrawFunc draw, gpointer data, int width, int height)
{
  cairo_surface_t *surface = lens_export_render (draw, data, width, height, 1);
  int stride = cairo_image_surface_get_stride (surface);
  g_autoptr(GBytes) bytes = g_bytes_new (cairo_image_surface_get_data (surface),
                                         (gsize) stride * height);
  GdkTexture *texture;

  /* cairo's ARGB32 is premultiplied native-endian: B8G8R8A8 on little-endian hosts */
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, stride);
  cairo_surface_destroy (surface);
  return texture;
}

/* ---- CSV ---- */

static void
csv_field (GString *out, const char *field)
{
  gboolean quote = field[0] == ' ' || (field[0] && field[strlen (field) - 1] == ' ') ||
                   strpbrk (field, ",\"\r\n") != NULL;

  if (!quote)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

gboolean
lens_export_csv (const float *matrix, int rows, int cols,
                 const char *const *row_labels, const char *const *col_labels,
                 const char *path, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  csv_field (out, "query \\ key");
  for (int c = 0; c < cols; c++)
    {
      g_string_append_c (out, ',');
      csv_field (out, col_labels[c]);
    }
  g_string_append (out, "\r\n");
  for (int r = 0; r < rows; r++)
    {
      csv_field (out, row_labels[r]);
      for (int c = 0; c < cols; c++)
        {
          g_string_append_c (out, ',');
          g_string_append (out, g_ascii_formatd (num, sizeof num, "%.8g", matrix[(gsize) r * cols + c]));
        }
      g_string_append (out, "\r\n");
    }
  return g_file_set_contents (path, out->str, out->len, error);
}

/* ---- NPY ---- */

GBytes *
lens_npy_header (const gsize *shape, int ndim)
{
  GString *dict = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  GByteArray *out = g_byte_array_new ();
  static const guint8 magic[8] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 };
  guint16 len_le;

  for (int i = 0; i < ndim; i++)
    g_string_append_printf (dict, "%" G_GSIZE_FORMAT "%s", shape[i], ndim == 1 || i < ndim - 1 ? ", " : "");
  g_string_append (dict, "), }");
  /* pad with spaces and end with a newline so that data starts on a 64-byte boundary */
  while ((8 + 2 + dict->len + 1) % 64 != 0)
    g_string_append_c (dict, ' ');
  g_string_append_c (dict, '\n');

  len_le = GUINT16_TO_LE ((guint16) dict->len);
  g_byte_array_append (out, magic, sizeof magic);
  g_byte_array_append (out, (const guint8 *) &len_le, 2);
  g_byte_array_append (out, (const guint8 *) dict->str, dict->len);
  g_string_free (dict, TRUE);
  return g_byte_array_free_to_bytes (out);
}

gboolean
lens_export_npy (const AttnWeights *w, const char *path, GError **error)
{
  gsize shape[4] = { w->layers, w->heads, w->queries, w->keys };
  gsize n = shape[0] * shape[1] * shape[2] * shape[3];
  g_autoptr(GBytes) header = lens_npy_header (shape, 4);
  gsize header_len;
  const guint8 *hdr = g_bytes_get_data (header, &header_len);
  FILE *f = g_fopen (path, "wb");
  gboolean ok;

  if (f == NULL)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  ok = fwrite (hdr, 1, header_len, f) == header_len;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  ok = ok && fwrite (w->data, sizeof (float), n, f) == n;
#else
  for (gsize i = 0; ok && i < n; i++)
    {
      guint32 v;
      memcpy (&v, w->data + i, 4);
      v = GUINT32_TO_LE (v);
      ok = fwrite (&v, 4, 1, f) == 1;
    }
#endif
  if (fclose (f) != 0)
    ok = FALSE;
  if (!ok)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, _("Could not write “%s”"), path);
      g_unlink (path);
    }
  return ok;
}

gboolean
lens_export_json (const AttnResult *result, const char *path, GError **error)
{
  return attn_result_write_json (result, ATTN_KIND_MASK_ALL, path, error);
}
