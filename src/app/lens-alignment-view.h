/* lens-alignment-view.h — the Alignment page: cross-attention of a sentence pair,
 * hard word links (argmax or shifted), gold links and their scores. */
#pragma once

#include "lens-view.h"

G_BEGIN_DECLS

typedef enum {
  LENS_ALIGN_HEAD,        /* the selected head */
  LENS_ALIGN_LAYER,       /* the selected layer's mean over heads */
  LENS_ALIGN_ALL_LAYERS,  /* the mean over all layers and heads */
} LensAlignAggregate;

#define LENS_TYPE_ALIGNMENT_VIEW (lens_alignment_view_get_type ())
G_DECLARE_FINAL_TYPE (LensAlignmentView, lens_alignment_view, LENS, ALIGNMENT_VIEW, LensView)

GtkWidget    *lens_alignment_view_new              (void);
/* The bar of selectors that goes above the view (aggregate, method, link shape, gold). */
GtkWidget    *lens_alignment_view_create_controls  (LensAlignmentView *self);

void          lens_alignment_view_set_aggregate    (LensAlignmentView *self, LensAlignAggregate aggregate);
void          lens_alignment_view_set_method       (LensAlignmentView *self, int method);   /* AttnAlignMethod */

/* Reads the first non-empty line of a gold file ("i-j" sure, "i?j" / "i-j-p" possible). */
gboolean      lens_alignment_view_load_gold        (LensAlignmentView *self, const char *path, GError **error);
void          lens_alignment_view_clear_gold       (LensAlignmentView *self);
/* Precision, recall and AER of the links against the gold; FALSE without gold. */
gboolean      lens_alignment_view_get_scores       (LensAlignmentView *self, double *precision,
                                                    double *recall, double *aer);

/* What is shown (for export and tests). */
guint         lens_alignment_view_get_n_src_words  (LensAlignmentView *self);
const char   *lens_alignment_view_get_src_word     (LensAlignmentView *self, guint i);
guint         lens_alignment_view_get_n_tgt_words  (LensAlignmentView *self);
const char   *lens_alignment_view_get_tgt_word     (LensAlignmentView *self, guint i);
const GArray *lens_alignment_view_get_links        (LensAlignmentView *self);   /* AttnLink */
char         *lens_alignment_view_get_pharaoh      (LensAlignmentView *self);   /* NULL: nothing to export */

G_END_DECLS
