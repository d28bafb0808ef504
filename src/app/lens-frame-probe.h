/* lens-frame-probe.h — opt-in frame timing of the running window.
 *
 * LENS_FRAME_PROBE=/path/out.json, read once by lens_frame_probe_start() at the top
 * of main(), turns it on; unset, both calls below cost one getenv and nothing else.
 * The probe records the time from process start to the first frame the window
 * paints; when a result is expected (--run), it waits for the result's grid to be
 * complete, then drives LENS_FRAME_PROBE_FRAMES frames (default 120) of full grid
 * redraws and as many of hover moves over the thumbnails, timing each from the
 * change to the end of that frame's paint. It writes the figures as JSON and quits
 * the application. bench/attn-bench-window runs it; bench/README.md reads it. */
#pragma once

#include "lens-window.h"

G_BEGIN_DECLS

/* First thing in main(): reads the environment and the clock. */
void     lens_frame_probe_start   (void);
gboolean lens_frame_probe_enabled (void);
/* Before the window is presented. want_result: a run was asked for, so the probe
 * measures the grid once its result is on screen; otherwise it stops after the
 * first frame. */
void     lens_frame_probe_watch   (LensWindow *win, gboolean want_result);

G_END_DECLS
