/* attn-confusion.h — a confusion matrix for a classifier and the scores read
 * from it: accuracy, per-class precision, recall and F1, and macro F1.
 *
 * Counts are [gold, predicted]. A class never predicted has precision 0, a class
 * absent from the gold labels recall 0, and F1 is 0 when precision + recall is 0
 * (scikit-learn's zero_division=0). Macro F1 is the unweighted mean over all
 * classes, those absent from the data included (scikit-learn's f1_score with
 * average="macro" and a given `labels` list). An empty matrix has accuracy 0. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int      n_classes;
  guint64 *counts;         /* [n_classes, n_classes]: gold row, predicted column */
} AttnConfusion;

typedef struct {
  guint64 tp, fp, fn;      /* true positives, false positives, false negatives */
  guint64 support;         /* gold examples of the class: tp + fn */
  double  precision, recall, f1;   /* 0–1 */
} AttnClassScores;

AttnConfusion *attn_confusion_new      (int n_classes);
void           attn_confusion_free     (AttnConfusion *c);
/* Out-of-range classes are ignored and return FALSE. */
gboolean       attn_confusion_add      (AttnConfusion *c, int gold, int predicted);
guint64        attn_confusion_count    (const AttnConfusion *c, int gold, int predicted);
guint64        attn_confusion_total    (const AttnConfusion *c);
double         attn_confusion_accuracy (const AttnConfusion *c);
/* The scores of one class, taken as the positive class. */
void           attn_confusion_class    (const AttnConfusion *c, int k, AttnClassScores *out);
double         attn_confusion_macro_f1 (const AttnConfusion *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnConfusion, attn_confusion_free)

G_END_DECLS
