/* lens-control-bar.c — a wrapping row of controls; see lens-control-bar.h. */
#include "lens-control-bar.h"

GtkWidget *
lens_control_bar_new (void)
{
  GtkWidget *bar = gtk_flow_box_new ();

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (bar), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (bar), 8);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (bar), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (bar), 6);
  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_end (bar, 12);
  return bar;
}

GtkWidget *
lens_control_bar_append (GtkWidget *bar, GtkWidget *control)
{
  GtkWidget *cell;

  gtk_flow_box_append (GTK_FLOW_BOX (bar), control);
  /* the controls take the focus, not the flow box's cells around them */
  cell = gtk_widget_get_parent (control);
  gtk_widget_set_focusable (cell, FALSE);
  return control;
}

GtkWidget *
lens_control_bar_append_labelled (GtkWidget *bar, const char *mnemonic, GtkWidget *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  lens_control_bar_append (bar, box);
  return widget;
}
