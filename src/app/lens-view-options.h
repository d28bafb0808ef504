/* lens-view-options.h — how the views draw: colour map, scale, hidden tokens, font size.
 * The window binds these to GSettings; every view observes them. */
#pragma once

#include <glib-object.h>

#include "lens-heatmap.h"

G_BEGIN_DECLS

#define LENS_TYPE_VIEW_OPTIONS (lens_view_options_get_type ())
G_DECLARE_FINAL_TYPE (LensViewOptions, lens_view_options, LENS, VIEW_OPTIONS, GObject)

LensViewOptions *lens_view_options_new                   (void);
LensColormap     lens_view_options_get_colormap          (LensViewOptions *self);
LensScale        lens_view_options_get_scale             (LensViewOptions *self);
gboolean         lens_view_options_get_hide_special      (LensViewOptions *self);
gboolean         lens_view_options_get_presentation_mode (LensViewOptions *self);

G_END_DECLS
