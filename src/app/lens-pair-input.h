/* lens-pair-input.h — the input pane of translation models: a source, an
 * optional target to force-decode, a swap button, examples, and the decoding
 * (greedy or beam search of a chosen width) used when the target is empty. */
#pragma once

#include <gtk/gtk.h>

#include "attn-model.h"

G_BEGIN_DECLS

#define LENS_TYPE_PAIR_INPUT (lens_pair_input_get_type ())
G_DECLARE_FINAL_TYPE (LensPairInput, lens_pair_input, LENS, PAIR_INPUT, GtkBox)

GtkWidget *lens_pair_input_new            (void);
void       lens_pair_input_set_model      (LensPairInput *self, AttnModel *model);
char      *lens_pair_input_get_source     (LensPairInput *self);
void       lens_pair_input_set_source     (LensPairInput *self, const char *text);
char      *lens_pair_input_get_target     (LensPairInput *self);   /* "" when empty */
void       lens_pair_input_set_target     (LensPairInput *self, const char *text);
void       lens_pair_input_swap           (LensPairInput *self);
/* 1: greedy; more: beam search of that width */
int        lens_pair_input_get_beam_size  (LensPairInput *self);
void       lens_pair_input_set_beam_size  (LensPairInput *self, int beam_size);
int        lens_pair_input_get_n_examples (LensPairInput *self);
/* TRUE when the source has more tokens than the model reads (*n_tokens, *max, *exact
 * as lens_text_input_is_too_long()). */
gboolean   lens_pair_input_is_too_long    (LensPairInput *self, int *n_tokens, int *max,
                                           gboolean *exact);
/* Cuts the source after the last word the model still reads, as one step that Ctrl+Z
 * takes back; FALSE when nothing fits. */
gboolean   lens_pair_input_shorten        (LensPairInput *self);

/* The input and options of a run; strings point into `storage` (g_strfreev). */
gboolean   lens_pair_input_build          (LensPairInput *self, AttnInput *input, AttnRunOptions *options,
                                           char ***storage, GError **error);

G_END_DECLS
