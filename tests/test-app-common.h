/* test-app-common.h — what the window tests share: starting GTK and libadwaita, the
 * fixtures folder, iterating the main loop until a condition holds, closing the windows. */
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
