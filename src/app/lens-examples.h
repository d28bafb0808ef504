/* lens-examples.h — the examples of a model (its folder's examples.json) and the Examples menu
 * of the input panes (text, sentence pair, audio). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct {
  char *first;     /* the text, the source, or the audio file */
  char *second;    /* the second text or the target, or NULL */
} LensExample;

GPtrArray *lens_examples_new             (void);
void       lens_examples_add             (GPtrArray         *examples,
                                          const char        *first,
                                          const char        *second);
void       lens_examples_load            (GPtrArray         *examples,
                                          const char        *dir,
                                          gboolean           plain_strings,
                                          const char *const *first_keys,
                                          const char *const *second_keys);
char      *lens_examples_ellipsize       (const char        *text,
                                          int                max_chars);
GtkWidget *lens_examples_button_new      (const char        *tooltip);
void       lens_examples_set_menu        (GtkWidget         *button,
                                          const char *const *labels,
                                          guint              n_labels,
                                          const char        *action);
/* The menu of text examples: "first  ⇄  second" (or first), cut to max_chars. */
void       lens_examples_update_menu     (GtkWidget         *button,
                                          GPtrArray         *examples,
                                          int                max_chars,
                                          const char        *action);

G_END_DECLS
