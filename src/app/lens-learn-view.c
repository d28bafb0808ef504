/* lens-learn-view.c — "Watch it learn". */
#include "lens-learn-view.h"

#include <glib/gi18n.h>

struct _LensLearnView
{
  GtkWidget        parent_instance;
  GtkWidget       *label;
  LensViewOptions *options;
};

G_DEFINE_FINAL_TYPE (LensLearnView, lens_learn_view, GTK_TYPE_WIDGET)

void
lens_learn_view_set_options (LensLearnView *self, LensViewOptions *options)
{
  g_set_object (&self->options, options);
}

static void
lens_learn_view_dispose (GObject *object)
{
  LensLearnView *self = LENS_LEARN_VIEW (object);

  g_clear_pointer (&self->label, gtk_widget_unparent);
  g_clear_object (&self->options);
  G_OBJECT_CLASS (lens_learn_view_parent_class)->dispose (object);
}

static void
lens_learn_view_class_init (LensLearnViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lens_learn_view_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
lens_learn_view_init (LensLearnView *self)
{
  self->label = gtk_label_new (_("Training is not available in this build."));
  gtk_widget_set_parent (self->label, GTK_WIDGET (self));
}
