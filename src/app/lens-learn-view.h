/* lens-learn-view.h — "Watch it learn": a toy model trained in the window. */
#pragma once

#include "lens-workbench.h"

G_BEGIN_DECLS

#define LENS_TYPE_LEARN_VIEW (lens_learn_view_get_type ())
G_DECLARE_FINAL_TYPE (LensLearnView, lens_learn_view, LENS, LEARN_VIEW, GtkWidget)

void lens_learn_view_set_options (LensLearnView *self, LensViewOptions *options);

G_END_DECLS
