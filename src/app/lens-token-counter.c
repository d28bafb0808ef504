/* lens-token-counter.c — the "n / max tokens" label under the input panes, and
 * shortening a text to what the model reads. */
#include "lens-token-counter.h"

#include <glib/gi18n.h>
#include <string.h>

/* Texts past this many bytes with more words than four times the model's positions are
 * not tokenized for the counter: a megabyte takes the tokenizer about half a second. */
#define HUGE_TEXT_BYTES (64 * 1024)

static int
count_words (const char *text)
{
  int n = 0;

  for (const char *p = text; p != NULL && *p; p++)
    if (!g_ascii_isspace (*p) && (p == text || g_ascii_isspace (p[-1])))
      n++;
  return n;
}

/* The words of a huge text (a lower bound of its tokens), or -1 when it is to be counted */
static int
huge_text_words (AttnModel *model, const char *text, const char *pair)
{
  int max = attn_model_get_max_positions (model);
  int words;

  if (max <= 0 || strlen (text) + (pair ? strlen (pair) : 0) < HUGE_TEXT_BYTES)
    return -1;
  words = count_words (text) + count_words (pair);
  return words > 4 * max ? words : -1;
}

/* The tokens of text and pair, or for a huge text its words (*exact FALSE); -1 on error */
static int
count_or_bound (AttnModel *model, const char *text, const char *pair, gboolean *exact, GError **error)
{
  int words = huge_text_words (model, text, pair);

  *exact = words < 0;
  return words >= 0 ? words : attn_model_count_tokens (model, text, pair, error);
}

void
lens_token_counter_update (GtkWidget *label, AttnModel *model, const char *text,
                           const char *pair, gboolean source)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  gboolean exact;
  int n = count_or_bound (model, text, pair, &exact, &error);
  int max = attn_model_get_max_positions (model);

  if (!exact)
    shown = g_strdup_printf (source ? g_dngettext (NULL, "Source: %d word, more than %d tokens",
                                                   "Source: %d words, more than %d tokens", n)
                                    : g_dngettext (NULL, "%d word, more than %d tokens",
                                                   "%d words, more than %d tokens", n),
                             n, max);
  else if (n < 0)
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

gboolean
lens_tokens_over_limit (AttnModel *model, const char *text, const char *pair, int *n_tokens, int *max,
                        gboolean *exact)
{
  *max = attn_model_get_max_positions (model);
  *n_tokens = count_or_bound (model, text, pair, exact, NULL);
  return *max > 0 && *n_tokens > *max;
}

gboolean
lens_tokens_shorten_buffer (GtkTextBuffer *buffer, AttnModel *model, const char *pair)
{
  GtkTextIter start, cut, end;
  g_autofree char *text = NULL;
  gssize keep;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  keep = attn_model_fit_prefix (model, text, pair, NULL);
  if (keep <= 0)
    return FALSE;
  if ((gsize) keep == strlen (text))
    return TRUE;
  gtk_text_buffer_get_iter_at_offset (buffer, &cut, (int) g_utf8_strlen (text, keep));
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &cut, &end);
  gtk_text_buffer_end_user_action (buffer);
  return TRUE;
}
