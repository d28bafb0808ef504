/* lens-decode-choice.h — how a model generates when nothing is force-decoded: greedy,
 * or beam search of a chosen width. One row of a label, a drop-down and a width,
 * used by the sentence-pair and the audio inputs. */
#pragma once

#include <gtk/gtk.h>

#include "attn-model.h"

G_BEGIN_DECLS

#define LENS_TYPE_DECODE_CHOICE (lens_decode_choice_get_type ())
G_DECLARE_FINAL_TYPE (LensDecodeChoice, lens_decode_choice, LENS, DECODE_CHOICE, GtkBox)

/* `tooltip` says what the choice is for ("How the model translates …"). */
GtkWidget *lens_decode_choice_new           (const char *tooltip);
/* 1: greedy; more: beam search of that width (2 to LENS_DECODE_MAX_WIDTH) */
int        lens_decode_choice_get_beam_size (LensDecodeChoice *self);
void       lens_decode_choice_set_beam_size (LensDecodeChoice *self, int beam_size);
/* Starts from what the model is best used with (generation_config.json's "num_beams"). */
void       lens_decode_choice_set_model     (LensDecodeChoice *self, AttnModel *model);
/* Insensitive while a target is force-decoded (nothing is generated then). */
void       lens_decode_choice_set_forced    (LensDecodeChoice *self, gboolean forced);
/* Sets options->decode and options->beam_size. */
void       lens_decode_choice_apply         (LensDecodeChoice *self, AttnRunOptions *options);

#define LENS_DECODE_MAX_WIDTH 16

G_END_DECLS
