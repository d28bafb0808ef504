/* lens-decode-choice.c — greedy or beam search of a chosen width. */
#include "lens-decode-choice.h"

#include <glib/gi18n.h>

struct _LensDecodeChoice
{
  GtkBox     parent_instance;
  GtkWidget *mode;       /* GtkDropDown: greedy, beam */
  GtkWidget *width;      /* GtkSpinButton: beam width */
  gboolean   forced;
};

G_DEFINE_FINAL_TYPE (LensDecodeChoice, lens_decode_choice, GTK_TYPE_BOX)

static gboolean
is_beam (LensDecodeChoice *self)
{
  return gtk_drop_down_get_selected (GTK_DROP_DOWN (self->mode)) == 1;
}

static void
update (LensDecodeChoice *self)
{
  gtk_widget_set_sensitive (self->mode, !self->forced);
  gtk_widget_set_sensitive (self->width, !self->forced && is_beam (self));
}

static void
lens_decode_choice_class_init (LensDecodeChoiceClass *klass)
{
}

static void
lens_decode_choice_init (LensDecodeChoice *self)
{
  static const char *modes[] = { N_("Greedy"), N_("Beam search"), NULL };
  const char *shown[] = { _(modes[0]), _(modes[1]), NULL };
  GtkWidget *label = gtk_label_new_with_mnemonic (_("_Decoding"));
  GtkWidget *width_label = gtk_label_new_with_mnemonic (_("_Width"));

  gtk_box_set_spacing (GTK_BOX (self), 6);
  self->mode = gtk_drop_down_new_from_strings (shown);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), self->mode);
  g_signal_connect_swapped (self->mode, "notify::selected", G_CALLBACK (update), self);
  self->width = gtk_spin_button_new_with_range (2, LENS_DECODE_MAX_WIDTH, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), 4);
  gtk_widget_set_tooltip_text (self->width, _("Beam width: how many candidates are kept at each step"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (width_label), self->width);
  gtk_box_append (GTK_BOX (self), label);
  gtk_box_append (GTK_BOX (self), self->mode);
  gtk_box_append (GTK_BOX (self), width_label);
  gtk_box_append (GTK_BOX (self), self->width);
  update (self);
}

GtkWidget *
lens_decode_choice_new (const char *tooltip)
{
  LensDecodeChoice *self = g_object_new (LENS_TYPE_DECODE_CHOICE, NULL);
  gtk_widget_set_tooltip_text (self->mode, tooltip);
  return GTK_WIDGET (self);
}

int
lens_decode_choice_get_beam_size (LensDecodeChoice *self)
{
  g_return_val_if_fail (LENS_IS_DECODE_CHOICE (self), 1);
  return is_beam (self) ? gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->width)) : 1;
}

void
lens_decode_choice_set_beam_size (LensDecodeChoice *self, int beam_size)
{
  g_return_if_fail (LENS_IS_DECODE_CHOICE (self));
  if (beam_size > 1)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), MIN (beam_size, LENS_DECODE_MAX_WIDTH));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->mode), beam_size > 1 ? 1 : 0);
}

void
lens_decode_choice_set_model (LensDecodeChoice *self, AttnModel *model)
{
  g_return_if_fail (LENS_IS_DECODE_CHOICE (self));
  lens_decode_choice_set_beam_size (self, model ? attn_model_get_num_beams (model) : 1);
}

void
lens_decode_choice_set_forced (LensDecodeChoice *self, gboolean forced)
{
  g_return_if_fail (LENS_IS_DECODE_CHOICE (self));
  self->forced = forced;
  update (self);
}

void
lens_decode_choice_apply (LensDecodeChoice *self, AttnRunOptions *options)
{
  int beam = lens_decode_choice_get_beam_size (self);
  options->decode = beam > 1 ? ATTN_DECODE_BEAM : ATTN_DECODE_GREEDY;
  options->beam_size = MAX (beam, 1);
}
