/* lens-text-input.h — the input pane of text models: a text and, for BERT, a second text. */
#pragma once

#include <gtk/gtk.h>

#include "attn-model.h"

G_BEGIN_DECLS

#define LENS_TYPE_TEXT_INPUT (lens_text_input_get_type ())
G_DECLARE_FINAL_TYPE (LensTextInput, lens_text_input, LENS, TEXT_INPUT, GtkBox)

GtkWidget *lens_text_input_new            (void);
void       lens_text_input_set_model      (LensTextInput *self, AttnModel *model);
char      *lens_text_input_get_text       (LensTextInput *self);
void       lens_text_input_set_text       (LensTextInput *self, const char *text);
char      *lens_text_input_get_pair       (LensTextInput *self);   /* "" when empty */
void       lens_text_input_set_pair       (LensTextInput *self, const char *pair);
/* The input for a run of the current model; strings point into `storage`,
 * which the caller frees with g_strfreev(). FALSE (and error) when nothing to run. */
gboolean   lens_text_input_build          (LensTextInput *self, AttnInput *input, char ***storage,
                                           GError **error);
int        lens_text_input_get_n_examples (LensTextInput *self);
/* TRUE when the text (with the second text) has more tokens than the model reads:
 * *n_tokens how many it has (*exact FALSE: at least), *max how many the model reads. */
gboolean   lens_text_input_is_too_long    (LensTextInput *self, int *n_tokens, int *max,
                                           gboolean *exact);
/* Cuts the text after the last word the model still reads, as one step that Ctrl+Z
 * takes back. FALSE, with nothing changed, when not even the second text fits. */
gboolean   lens_text_input_shorten        (LensTextInput *self);

G_END_DECLS
