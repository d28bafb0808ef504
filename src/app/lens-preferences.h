/* lens-preferences.h — the preferences window, bound to GSettings. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LENS_TYPE_PREFERENCES (lens_preferences_get_type ())
G_DECLARE_FINAL_TYPE (LensPreferences, lens_preferences, LENS, PREFERENCES, AdwPreferencesWindow)

GtkWidget *lens_preferences_new (GtkWindow *parent, GSettings *settings);

G_END_DECLS
