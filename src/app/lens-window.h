/* lens-window.h — the main window: model picker, input, views, prediction, status. */
#pragma once

#include <adwaita.h>

#include "attn-model.h"
#include "lens-export.h"
#include "lens-grid-view.h"
#include "lens-output-pane.h"
#include "lens-selection.h"
#include "lens-alignment-view.h"
#include "lens-audio-input.h"
#include "lens-pair-input.h"
#include "lens-speech-view.h"
#include "lens-workbench.h"

G_BEGIN_DECLS

#define LENS_TYPE_WINDOW (lens_window_get_type ())
G_DECLARE_FINAL_TYPE (LensWindow, lens_window, LENS, WINDOW, AdwApplicationWindow)

LensWindow     *lens_window_new            (GtkApplication *application);

/* Loads on the worker; the current model stays until the new one is ready. */
void            lens_window_load_model     (LensWindow *self, const char *dir);
void            lens_window_set_text       (LensWindow *self, const char *text);
/* The text of the input pane the model uses (the source sentence for a translator). */
char           *lens_window_get_text       (LensWindow *self);
void            lens_window_set_pair       (LensWindow *self, const char *pair);
void            lens_window_set_audio      (LensWindow *self, const char *path);
/* Runs now if a model is loaded, else as soon as one is. */
void            lens_window_run            (LensWindow *self);
gboolean        lens_window_set_view       (LensWindow *self, const char *name);
/* Stops the run in flight (Escape, the Cancel button); the last result stays. */
void            lens_window_cancel         (LensWindow *self);

gboolean        lens_window_export_to_file (LensWindow *self, LensExportFormat format,
                                            const char *path, GError **error);

/* For tests. */
AttnModel      *lens_window_get_model      (LensWindow *self);
AttnResult     *lens_window_get_result     (LensWindow *self);
LensSelection  *lens_window_get_selection  (LensWindow *self);
LensGridView   *lens_window_get_grid_view  (LensWindow *self);
LensOutputPane *lens_window_get_output_pane (LensWindow *self);
gboolean        lens_window_is_busy        (LensWindow *self);
LensAlignmentView *lens_window_get_alignment_view (LensWindow *self);
LensSpeechView *lens_window_get_speech_view (LensWindow *self);
LensPairInput  *lens_window_get_pair_input (LensWindow *self);
LensAudioInput *lens_window_get_audio_input (LensWindow *self);
guint           lens_window_get_runs_in_flight (LensWindow *self);   /* cancelled ones too */
const char     *lens_window_get_last_error (LensWindow *self);
LensWorkbench  *lens_window_get_workbench  (LensWindow *self);

G_END_DECLS
