/* lens-control-bar.h — the row of controls above a view (alignment, the teaching pages)
 * as a flow box, so that a narrow window or presentation mode wraps it onto a second
 * line instead of pushing the view out of the window. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget *lens_control_bar_new    (void);
/* Appends a control (or a box of controls that stay together); returns it. */
GtkWidget *lens_control_bar_append (GtkWidget *bar, GtkWidget *control);
/* A mnemonic label and its widget, side by side, as one control; returns the widget. */
GtkWidget *lens_control_bar_append_labelled (GtkWidget *bar, const char *mnemonic, GtkWidget *widget);

G_END_DECLS
