/* lens-output-pane.h — the model's prediction beside its attention. */
#pragma once

#include <gtk/gtk.h>

#include "attn-model.h"
#include "lens-selection.h"

G_BEGIN_DECLS

#define LENS_TYPE_OUTPUT_PANE (lens_output_pane_get_type ())
G_DECLARE_FINAL_TYPE (LensOutputPane, lens_output_pane, LENS, OUTPUT_PANE, GtkBox)

GtkWidget  *lens_output_pane_new           (void);
void        lens_output_pane_set_selection (LensOutputPane *self, LensSelection *selection);
/* model may be NULL (tokens then show as ids); both are referenced. */
void        lens_output_pane_set_result    (LensOutputPane *self, AttnModel *model, AttnResult *result);
/* The headline: the top label, the top next token or the generated text. */
const char *lens_output_pane_get_headline  (LensOutputPane *self);
/* The pane's heading ("Generated tokens", "Class probabilities", …). */
const char *lens_output_pane_get_title     (LensOutputPane *self);

G_END_DECLS
