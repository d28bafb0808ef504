/* lens-window-export.c — the window's Export menu: figures, data, clipboard. */
#include "lens-window-private.h"

#include <glib/gi18n.h>

#include "attn-timing.h"

static LensView *
visible_view (LensWindow *self)
{
  GtkWidget *child = adw_view_stack_get_visible_child (self->stack);

  /* pages with a bar above the view say which view they show */
  if (child && g_object_get_data (G_OBJECT (child), "lens-view"))
    child = g_object_get_data (G_OBJECT (child), "lens-view");
  return LENS_IS_VIEW (child) ? LENS_VIEW (child) : LENS_VIEW (self->grid_view);
}

static void
draw_visible_view (cairo_t *cr, double width, double height, gpointer data)
{
  lens_view_draw_export (visible_view (LENS_WINDOW (data)), cr, width, height);
}

static void
export_size (LensWindow *self, int *width, int *height)
{
  GtkWidget *view = GTK_WIDGET (visible_view (self));

  *width = MAX (gtk_widget_get_width (view), 900);
  *height = MAX (gtk_widget_get_height (view), 640);
}

/* Pharaoh links of the Alignment page; word timings of a speech result. */
static gboolean
export_text (LensWindow *self, LensExportFormat format, const char *path, GError **error)
{
  g_autofree char *text = NULL;

  if (format == LENS_EXPORT_PHARAOH)
    {
      if (self->result->attention[ATTN_KIND_CROSS] == NULL || self->result->mel != NULL ||
          (text = lens_alignment_view_get_pharaoh (self->alignment_view)) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("Word alignments come from a translation model’s cross-attention: run a sentence pair first."));
          return FALSE;
        }
    }
  else
    {
      GArray *words;

      if (self->result->mel == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("Word timings come from a speech model: run an audio file first."));
          return FALSE;
        }
      if ((words = attn_word_times (self->result, error)) == NULL)
        return FALSE;
      text = format == LENS_EXPORT_VTT ? attn_words_to_webvtt (words) : attn_words_to_json (words);
      attn_word_times_free (words);
    }
  return g_file_set_contents (path, text, -1, error);
}

gboolean
lens_window_export_to_file (LensWindow *self, LensExportFormat format, const char *path, GError **error)
{
  AttnKind kind = lens_selection_get_kind (self->selection);
  int width, height;

  if (self->result == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("There is no result to export yet."));
      return FALSE;
    }

  switch (format)
    {
    case LENS_EXPORT_PNG:
    case LENS_EXPORT_SVG:
    case LENS_EXPORT_PDF:
      export_size (self, &width, &height);
      return lens_export_figure (draw_visible_view, self, width, height, format, path, error);

    case LENS_EXPORT_CSV:
      {
        LensView *view = LENS_VIEW (self->head_view);
        const LensMatrixSource *src = lens_view_get_source (view);
        const float *m = lens_view_get_head (view, lens_selection_get_layer (self->selection),
                                             lens_selection_get_head (self->selection));

        if (src == NULL || m == NULL)
          break;
        return lens_export_csv (m, src->n_rows, src->n_cols,
                                (const char *const *) src->row_labels, (const char *const *) src->col_labels,
                                path, error);
      }

    case LENS_EXPORT_NPY:
      if (self->result->attention[kind] == NULL)
        break;
      return lens_export_npy (self->result->attention[kind], path, error);

    case LENS_EXPORT_JSON:
      return lens_export_json (self->result, path, error);

    case LENS_EXPORT_PHARAOH:
    case LENS_EXPORT_VTT:
    case LENS_EXPORT_WORDS_JSON:
      return export_text (self, format, path, error);

    default:
      break;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The result has no attention of this kind."));
  return FALSE;
}

static void
on_export_response (GtkNativeDialog *dialog, int response, LensWindow *self)
{
  LensExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *base = g_file_get_basename (file);
      g_autoptr(GError) error = NULL;

      if (lens_window_export_to_file (self, format, path, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Saved “%s”"), base);
          lens_window_toast (self, text);
        }
      else
        lens_window_show_error (self, _("Could Not Export"), error->message);
    }
  g_object_unref (dialog);
}

void
lens_window_export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensWindow *self = LENS_WINDOW (widget);
  LensExportFormat format;
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;
  g_autofree char *name = NULL;
  g_autofree char *pattern = NULL;
  const char *view_name = adw_view_stack_get_visible_child_name (self->stack);

  if (!lens_export_format_from_string (g_variant_get_string (param, NULL), &format))
    return;
  if (self->result == NULL)
    {
      lens_window_toast (self, _("Run the model first: there is nothing to export yet."));
      return;
    }

  dialog = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("attention-%s.%s",
                          format <= LENS_EXPORT_PDF ? view_name : format == LENS_EXPORT_CSV ? "head"
                          : format == LENS_EXPORT_PHARAOH ? "alignment"
                          : format >= LENS_EXPORT_VTT ? "words" : "result",
                          lens_export_format_extension (format));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, lens_export_format_title (format));
  pattern = g_strdup_printf ("*.%s", lens_export_format_extension (format));
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_object_set_data (G_OBJECT (dialog), "format", GINT_TO_POINTER (format));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
lens_window_copy_image_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LensWindow *self = LENS_WINDOW (widget);
  g_autoptr(GdkTexture) texture = NULL;
  int width, height;

  if (self->result == NULL)
    return;
  export_size (self, &width, &height);
  texture = lens_export_texture (draw_visible_view, self, width, height);
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
  lens_window_toast (self, _("Image copied"));
}

