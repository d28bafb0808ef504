/* lens-token-counter.h — the "n / max tokens" label under the input panes, and a text
 * longer than the model reads: noticed before a run, and shortened on request. */
#pragma once

#include <gtk/gtk.h>

#include "attn-model.h"

G_BEGIN_DECLS

/* Counts the tokens `text` (and `pair`, may be NULL) give in `model` and shows them
 * against the model's maximum in `label`, styled as an error past it; `source` labels
 * the count as the source side of a translation pair. */
void lens_token_counter_update (GtkWidget *label, AttnModel *model, const char *text,
                                const char *pair, gboolean source);

/* TRUE when `text` (with `pair`, may be NULL) has more tokens than `model` reads:
 * *n_tokens how many it has, *max how many the model reads. A huge text is not
 * tokenized (that would hold up the window): *n_tokens is then its number of words,
 * which it has at least as many tokens as, and *exact FALSE. */
gboolean lens_tokens_over_limit (AttnModel *model, const char *text, const char *pair,
                                 int *n_tokens, int *max, gboolean *exact);
/* Cuts the text of `buffer` after the last word `model` still reads with `pair` beside
 * it, as one step that undo takes back. FALSE, with nothing changed, when nothing fits. */
gboolean lens_tokens_shorten_buffer (GtkTextBuffer *buffer, AttnModel *model, const char *pair);

G_END_DECLS
