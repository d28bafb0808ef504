/* lens-token-counter.c — the "n / max tokens" label under the input panes. */
#include "lens-token-counter.h"

#include <glib/gi18n.h>

void
lens_token_counter_update (GtkWidget *label, AttnModel *model, const char *text,
                           const char *pair, gboolean source)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  int n = attn_model_count_tokens (model, text, pair, &error);
  int max = attn_model_get_max_positions (model);

  if (n < 0)
    shown = g_strdup_printf (_("Cannot count tokens: %s"), error ? error->message : "?");
  else if (source)
    shown = g_strdup_printf (g_dngettext (NULL, "Source: %d / %d token", "Source: %d / %d tokens", n), n, max);
  else
    shown = g_strdup_printf (g_dngettext (NULL, "%d / %d token", "%d / %d tokens", n), n, max);
  gtk_label_set_text (GTK_LABEL (label), shown);
  if (n > max)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
}
