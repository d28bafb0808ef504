/* lens-renderer.c — the Cairo renderer on machines without a GPU.
 *
 * GTK 4.8 renders with OpenGL wherever it can create a context. Without a GPU that
 * context is Mesa's software rasteriser, which spends 30–45 ms compositing each frame
 * of this window at its default size, against 5–7 ms for GTK's Cairo renderer, and
 * starts the window 300 ms later (bench/README.md, "Window"). A machine with no DRM
 * device (/dev/dri) has no GPU to give GL, so the window asks for Cairo there. An
 * explicit GSK_RENDERER always wins. */
#include "lens-renderer.h"

const char *
lens_renderer_choice (const char *gsk_renderer_env, gboolean have_dri)
{
  if (gsk_renderer_env != NULL && gsk_renderer_env[0] != '\0')
    return NULL;
  return have_dri ? NULL : "cairo";
}

void
lens_renderer_choose (void)
{
  const char *choice = lens_renderer_choice (g_getenv ("GSK_RENDERER"),
                                             g_file_test ("/dev/dri", G_FILE_TEST_IS_DIR));

  if (choice != NULL)
    g_setenv ("GSK_RENDERER", choice, TRUE);
}
