/* lens-window-private.h — what the window's files share. */
#pragma once

#include "lens-window.h"
#include "lens-head-view.h"
#include "lens-lines-view.h"
#include "lens-summary-view.h"
#include "lens-text-input.h"
#include "lens-view-options.h"
#include "lens-worker.h"
#include "lens-pair-input.h"
#include "lens-audio-input.h"
#include "lens-alignment-view.h"
#include "lens-speech-view.h"
#include "lens-workbench.h"

struct _LensWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  GtkMenuButton   *model_button;
  GtkWidget       *run_button;
  AdwViewStack    *stack;
  GtkWidget       *paned;
  GtkWidget       *kind_box;
  GtkWidget       *layer_head_label;
  GtkWidget       *lines_box;
  GtkWidget       *lines_heads;
  LensTextInput   *input;
  LensOutputPane  *output;
  LensGridView    *grid_view;
  LensHeadView    *head_view;
  LensLinesView   *lines_view;
  LensSummaryView *summary_view;
  LensWorkbench   *workbench;
  GtkSpinner      *spinner;
  GtkLabel        *status_label;
  GtkLabel        *progress_label;
  /* sentence pairs and audio */
  LensPairInput   *pair_input;
  LensAudioInput  *audio_input;
  GtkWidget       *alignment_page;
  LensAlignmentView *alignment_view;
  GtkWidget       *speech_page;
  LensSpeechView  *speech_view;
  GtkWidget       *cancel_button;

  GSettings       *settings;
  LensSelection   *selection;
  LensViewOptions *options;
  LensWorker      *worker;
  GtkWidget       *kind_buttons[ATTN_N_KINDS];

  AttnModel       *model;          /* the current model */
  AttnModel       *result_model;   /* the model that made the result */
  AttnResult      *result;
  char            *loading_dir;
  gboolean         run_when_loaded;
  char            *last_error;
  char            *run_audio_path;  /* the audio of the run in flight */
  char            *wanted_view;     /* a page asked for before it could show */
};

void lens_window_show_error           (LensWindow *self, const char *heading, const char *body);
void lens_window_toast                (LensWindow *self, const char *text);

/* lens-window-models.c */
void lens_window_rebuild_model_menu   (LensWindow *self);
/* dir was loaded: first of the recent folders, and the model to load at start-up */
void lens_window_remember_folder      (LensWindow *self, const char *dir);
void lens_window_clear_recent_action  (GtkWidget *widget, const char *action_name, GVariant *param);
void lens_window_open_model_action    (GtkWidget *widget, const char *action_name, GVariant *param);

/* lens-window-pairs.c */
void     lens_window_update_modality (LensWindow *self);
/* TRUE when the input pane of the model's modality holds more tokens than the model
 * reads (*n_tokens, *max; *exact FALSE when *n_tokens counts words, a lower bound) */
gboolean lens_window_input_too_long  (LensWindow *self, int *n_tokens, int *max, gboolean *exact);
/* Cuts that pane's text to the words the model reads (undoable); FALSE when none fit */
gboolean lens_window_shorten_input   (LensWindow *self);
gboolean lens_window_build_input     (LensWindow *self, AttnInput *input, AttnRunOptions *options,
                                      char ***storage, GError **error);
gboolean lens_window_on_drop         (GtkDropTarget *target, const GValue *value, double x, double y,
                                      LensWindow *self);

/* lens-window-export.c */
void lens_window_export_action        (GtkWidget *widget, const char *action_name, GVariant *param);
void lens_window_copy_image_action    (GtkWidget *widget, const char *action_name, GVariant *param);
