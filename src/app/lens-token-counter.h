/* lens-token-counter.h — the "n / max tokens" label under the input panes. */
#pragma once

#include <gtk/gtk.h>

#include "attn-model.h"

G_BEGIN_DECLS

/* Counts the tokens `text` (and `pair`, may be NULL) give in `model` and shows them
 * against the model's maximum in `label`, styled as an error past it; `source` labels
 * the count as the source side of a translation pair. */
void lens_token_counter_update (GtkWidget *label, AttnModel *model, const char *text,
                                const char *pair, gboolean source);

G_END_DECLS
