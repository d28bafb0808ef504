/* attn-confusion.c — confusion matrices and classification scores (see
 * attn-confusion.h). */
#include "attn-confusion.h"

AttnConfusion *
attn_confusion_new (int n_classes)
{
  AttnConfusion *c = g_new0 (AttnConfusion, 1);
  c->n_classes = MAX (n_classes, 0);
  c->counts = g_new0 (guint64, (gsize) c->n_classes * c->n_classes + 1);
  return c;
}

void
attn_confusion_free (AttnConfusion *c)
{
  if (c == NULL)
    return;
  g_free (c->counts);
  g_free (c);
}

gboolean
attn_confusion_add (AttnConfusion *c, int gold, int predicted)
{
  if (gold < 0 || gold >= c->n_classes || predicted < 0 || predicted >= c->n_classes)
    return FALSE;
  c->counts[(gsize) gold * c->n_classes + predicted]++;
  return TRUE;
}

guint64
attn_confusion_count (const AttnConfusion *c, int gold, int predicted)
{
  if (gold < 0 || gold >= c->n_classes || predicted < 0 || predicted >= c->n_classes)
    return 0;
  return c->counts[(gsize) gold * c->n_classes + predicted];
}

guint64
attn_confusion_total (const AttnConfusion *c)
{
  guint64 n = 0;
  for (gsize i = 0; i < (gsize) c->n_classes * c->n_classes; i++)
    n += c->counts[i];
  return n;
}

double
attn_confusion_accuracy (const AttnConfusion *c)
{
  guint64 total = attn_confusion_total (c), right = 0;
  for (int k = 0; k < c->n_classes; k++)
    right += attn_confusion_count (c, k, k);
  return total > 0 ? (double) right / total : 0.0;
}

void
attn_confusion_class (const AttnConfusion *c, int k, AttnClassScores *out)
{
  *out = (AttnClassScores) { 0 };
  if (k < 0 || k >= c->n_classes)
    return;
  out->tp = attn_confusion_count (c, k, k);
  for (int j = 0; j < c->n_classes; j++)
    if (j != k)
      {
        out->fn += attn_confusion_count (c, k, j);
        out->fp += attn_confusion_count (c, j, k);
      }
  out->support = out->tp + out->fn;
  out->precision = out->tp + out->fp > 0 ? (double) out->tp / (out->tp + out->fp) : 0.0;
  out->recall = out->support > 0 ? (double) out->tp / out->support : 0.0;
  out->f1 = out->precision + out->recall > 0
            ? 2 * out->precision * out->recall / (out->precision + out->recall) : 0.0;
}

double
attn_confusion_macro_f1 (const AttnConfusion *c)
{
  double sum = 0;
  for (int k = 0; k < c->n_classes; k++)
    {
      AttnClassScores s;
      attn_confusion_class (c, k, &s);
      sum += s.f1;
    }
  return c->n_classes > 0 ? sum / c->n_classes : 0.0;
}
