/* lens-renderer.h — which GSK renderer the window asks for, before GTK starts. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The GSK_RENDERER value to set, or NULL to leave GTK's choice: "cairo" when the
 * user has not chosen (gsk_renderer_env NULL or empty) and the machine has no GPU
 * device (have_dri FALSE). */
const char *lens_renderer_choice (const char *gsk_renderer_env, gboolean have_dri);

/* Applies lens_renderer_choice() to this process's environment (/dev/dri decides
 * have_dri). Call at the top of main(), before GTK reads GSK_RENDERER. */
void        lens_renderer_choose (void);

G_END_DECLS
