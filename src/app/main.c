/* main.c — Attention Lens. */
#include <glib/gi18n.h>
#include <locale.h>

#include "lens-application.h"
#include "lens-config.h"
#include "lens-frame-probe.h"
#include "lens-models.h"
#include "lens-renderer.h"

int
main (int argc, char *argv[])
{
  g_autoptr(LensApplication) app = NULL;
  g_autofree char *localedir = NULL;

  lens_frame_probe_start ();   /* first: it times the start-up (LENS_FRAME_PROBE) */
  lens_renderer_choose ();     /* before GTK reads GSK_RENDERER */
  localedir = lens_locale_dir ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* from the build tree: the schema compiled next to the binary */
  if (lens_running_uninstalled ())
    g_setenv ("GSETTINGS_SCHEMA_DIR", LENS_BUILD_DIR "/src/app", FALSE);

  app = lens_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
