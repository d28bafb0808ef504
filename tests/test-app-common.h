/* test-app-common.h — what the window tests share: starting GTK and libadwaita, the
 * fixtures folder, iterating the main loop until a condition holds, closing the windows,
 * finding widgets and dialogs. */
#pragma once

#include <adwaita.h>

#include "lens-window.h"

#define TEST_APP_TIMEOUT_MS 60000

typedef gboolean (*TestAppCondition) (LensWindow *win);

extern char *test_fixtures;

void     test_app_init          (int *argc, char ***argv);
gboolean test_app_wait_for_ms   (LensWindow *win, TestAppCondition cond, int timeout_ms);
gboolean test_app_wait_for      (LensWindow *win, TestAppCondition cond);
void     test_app_close_windows (void);

gboolean test_app_has_model     (LensWindow *win);
gboolean test_app_is_idle       (LensWindow *win);

/* The first widget of `type` in the tree under w (w included), or NULL. */
GtkWidget        *test_app_find_widget   (GtkWidget *w, GType type);
/* A message dialog on screen, or NULL. */
AdwMessageDialog *test_app_message_dialog (void);
