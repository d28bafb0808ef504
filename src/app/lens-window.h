/* lens-window.h — the main window: model picker, input, views, prediction, status. */
#pragma once

#include <adwaita.h>

#include "attn-model.h"
#include "lens-export.h"
#include "lens-grid-view.h"
#include "lens-output-pane.h"
#include "lens-selection.h"

G_BEGIN_DECLS

#define LENS_TYPE_WINDOW (lens_window_get_type ())
G_DECLARE_FINAL_TYPE (LensWindow, lens_window, LENS, WINDOW, AdwApplicationWindow)

LensWindow     *lens_window_new            (GtkApplication *application);

/* Loads on the worker; the current model stays until the new one is ready. */
void            lens_window_load_model     (LensWindow *self, const char *dir);
void            lens_window_set_text       (LensWindow *self, const char *text);
void            lens_window_set_pair       (LensWindow *self, const char *pair);
void            lens_window_set_audio      (LensWindow *self, const char *path);
/* Runs now if a model is loaded, else as soon as one is. */
void            lens_window_run            (LensWindow *self);
gboolean        lens_window_set_view       (LensWindow *self, const char *name);

gboolean        lens_window_export_to_file (LensWindow *self, LensExportFormat format,
                                            const char *path, GError **error);

/* For tests. */
AttnModel      *lens_window_get_model      (LensWindow *self);
AttnResult     *lens_window_get_result     (LensWindow *self);
LensSelection  *lens_window_get_selection  (LensWindow *self);
LensGridView   *lens_window_get_grid_view  (LensWindow *self);
LensOutputPane *lens_window_get_output_pane (LensWindow *self);
gboolean        lens_window_is_busy        (LensWindow *self);
const char     *lens_window_get_last_error (LensWindow *self);

G_END_DECLS
