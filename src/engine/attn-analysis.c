/* attn-analysis.c — aggregates over heads and layers, and word alignments. */
#include "attn-analysis.h"
#include "attn-error.h"

#include <cblas.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void
attn_mean_over_heads (const float *layer, int heads, int q, int k, float *out)
{
  gsize n = (gsize) q * k;
  memset (out, 0, n * sizeof (float));
  for (int h = 0; h < heads; h++)
    for (gsize i = 0; i < n; i++)
      out[i] += layer[h * n + i];
  for (gsize i = 0; i < n; i++)
    out[i] /= MAX (heads, 1);
}

void
attn_max_over_heads (const float *layer, int heads, int q, int k, float *out)
{
  gsize n = (gsize) q * k;
  for (gsize i = 0; i < n; i++)
    out[i] = heads > 0 ? layer[i] : 0.0f;
  for (int h = 1; h < heads; h++)
    for (gsize i = 0; i < n; i++)
      out[i] = MAX (out[i], layer[h * n + i]);
}

void
attn_head_mean (const AttnWeights *w, int layer, float *out)
{
  attn_mean_over_heads (attn_weights_head (w, layer, 0), w->heads, w->queries, w->keys, out);
}

void
attn_head_max (const AttnWeights *w, int layer, float *out)
{
  attn_max_over_heads (attn_weights_head (w, layer, 0), w->heads, w->queries, w->keys, out);
}

void
attn_all_mean (const AttnWeights *w, float *out)
{
  gsize n = (gsize) w->queries * w->keys;
  g_autofree float *tmp = g_new (float, n);
  memset (out, 0, n * sizeof (float));
  for (int l = 0; l < w->layers; l++)
    {
      attn_head_mean (w, l, tmp);
      for (gsize i = 0; i < n; i++)
        out[i] += tmp[i] / w->layers;
    }
}

void
attn_rollout (const float *data, int layers, int heads, int n, int last, float *out)
{
  gsize nn = (gsize) n * n;
  g_autofree float *a = g_new (float, nn);     /* Â_l */
  g_autofree float *tmp = g_new (float, nn);   /* Â_l · R */

  memset (out, 0, nn * sizeof (float));
  for (int i = 0; i < n; i++)
    out[(gsize) i * n + i] = 1.0f;
  last = MIN (last, layers - 1);
  for (int l = 0; l <= last; l++)
    {
      attn_mean_over_heads (data + (gsize) l * heads * nn, heads, n, n, a);
      for (int i = 0; i < n; i++)
        {
          float *row = a + (gsize) i * n;
          double sum = 0.0;
          for (int j = 0; j < n; j++)
            {
              row[j] = 0.5f * row[j] + (i == j ? 0.5f : 0.0f);
              sum += row[j];
            }
          for (int j = 0; j < n; j++)
            row[j] = sum > 0 ? (float) (row[j] / sum) : 0.0f;
        }
      /* long inputs make this 512³ per layer: through BLAS */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, out, n, 0.0f, tmp, n);
      memcpy (out, tmp, nn * sizeof (float));
    }
}

int
attn_top_k (const float *logits, int n, int k, gint32 *ids, float *probs)
{
  double mx = -INFINITY, sum = 0;
  int found = 0;
  if (n <= 0 || k <= 0)
    return 0;
  for (int i = 0; i < n; i++)
    mx = MAX (mx, logits[i]);
  for (int i = 0; i < n; i++)
    sum += exp (logits[i] - mx);
  k = MIN (k, n);
  for (int i = 0; i < n; i++)
    {
      int pos = found;
      /* insertion into the sorted list of the best so far */
      while (pos > 0 && logits[ids[pos - 1]] < logits[i])
        pos--;
      if (pos >= k)
        continue;
      if (found < k)
        found++;
      memmove (ids + pos + 1, ids + pos, (found - 1 - pos) * sizeof (gint32));
      ids[pos] = i;
    }
  for (int i = 0; i < found; i++)
    probs[i] = (float) (exp (logits[ids[i]] - mx) / sum);
  return found;
}

void
attn_norm_weighted (const AttnWeights *w, const AttnWeights *vn, int layer, int head, float *out)
{
  int Q = w->queries, K = w->keys;
  memset (out, 0, (gsize) Q * K * sizeof (float));
  for (int h = 0; h < w->heads; h++)
    {
      const float *a, *norm;
      if (head >= 0 && h != head)
        continue;
      a = attn_weights_head (w, layer, h);
      norm = attn_weights_head (vn, layer, h);
      for (int i = 0; i < Q; i++)
        for (int j = 0; j < K; j++)
          out[(gsize) i * K + j] += a[(gsize) i * K + j] * norm[j];
    }
  for (int i = 0; i < Q; i++)
    {
      double sum = 0;
      for (int j = 0; j < K; j++)
        sum += out[(gsize) i * K + j];
      if (sum > 0)
        for (int j = 0; j < K; j++)
          out[(gsize) i * K + j] /= (float) sum;
    }
}

/* --- words ------------------------------------------------------------------- */

static gboolean
starts_word (const char *tok)
{
  /* SentencePiece "▁", byte-level BPE "Ġ" (or a display space) open a word */
  return g_str_has_prefix (tok, "\xe2\x96\x81") || g_str_has_prefix (tok, "\xc4\xa0") || tok[0] == ' ';
}

int
attn_group_words (const AttnTokenSeq *seq, int *word, GPtrArray *words)
{
  int n = -1;
  gboolean wordpiece = FALSE, marked = FALSE;
  GString *cur = NULL;
  for (guint t = 0; t < seq->len; t++)
    {
      if (g_str_has_prefix (seq->tokens[t], "##"))
        wordpiece = TRUE;
      if (!seq->special[t] && starts_word (seq->tokens[t]))
        marked = TRUE;
    }
  for (guint t = 0; t < seq->len; t++)
    {
      const char *tok = seq->tokens[t];
      const char *disp = seq->display ? seq->display[t] : tok;
      gboolean open;
      if (seq->special && seq->special[t])
        {
          word[t] = -1;
          continue;
        }
      if (wordpiece)
        open = !g_str_has_prefix (tok, "##");
      else if (marked)
        open = n < 0 || starts_word (tok);
      else
        open = TRUE;   /* a word-level vocabulary: no piece marks a word start, each token is a word */
      /* punctuation pieces glued to a word still count as part of it */
      if (open)
        {
          n++;
          if (words)
            {
              if (cur)
                g_ptr_array_add (words, g_string_free (cur, FALSE));
              cur = g_string_new (NULL);
            }
        }
      word[t] = n;
      if (cur)
        g_string_append (cur, wordpiece && g_str_has_prefix (tok, "##") ? tok + 2 : disp);
    }
  if (words && cur)
    g_ptr_array_add (words, g_string_free (cur, FALSE));
  if (words)
    for (guint i = 0; i < words->len; i++)
      {
        char *s = words->pdata[i];
        char *clean = g_strdup (s);
        g_strstrip (clean);
        if (g_str_has_prefix (clean, "\xe2\x96\x81"))
          memmove (clean, clean + 3, strlen (clean + 3) + 1);
        g_free (s);
        words->pdata[i] = clean;
      }
  return n + 1;
}

void
attn_cross_matrix (const AttnWeights *cross, int layer, int head, float *out)
{
  if (layer < 0)
    attn_all_mean (cross, out);
  else if (head < 0)
    attn_head_mean (cross, layer, out);
  else
    memcpy (out, attn_weights_head (cross, layer, head), (gsize) cross->queries * cross->keys * sizeof (float));
}

static int
link_cmp (gconstpointer a, gconstpointer b)
{
  const AttnLink *x = a, *y = b;
  return x->src != y->src ? x->src - y->src : x->tgt - y->tgt;
}

static void
add_link (GArray *links, int s, int t)
{
  for (guint i = 0; i < links->len; i++)
    {
      AttnLink *l = &g_array_index (links, AttnLink, i);
      if (l->src == s && l->tgt == t)
        return;
    }
  g_array_append_val (links, ((AttnLink) { s, t }));
}

GArray *
attn_align_words (const AttnResult *r, int layer, int head, AttnAlignMethod method)
{
  const AttnWeights *cross = r->attention[ATTN_KIND_CROSS];
  GArray *links = g_array_new (FALSE, FALSE, sizeof (AttnLink));
  g_autofree int *sw = NULL, *tw = NULL;
  g_autofree float *m = NULL;
  AttnTokenSeq out = { 0 };
  int Q, K;

  if (cross == NULL || r->target.len < 2)
    return links;
  Q = cross->queries;
  K = cross->keys;
  m = g_new (float, (gsize) Q * K);
  attn_cross_matrix (cross, layer, head, m);
  sw = g_new (int, MAX (r->input.len, 1));
  attn_group_words (&r->input, sw, NULL);
  /* the output tokens: the decoder inputs after the start token */
  out.len = r->target.len - 1;
  out.ids = r->target.ids + 1;
  out.tokens = r->target.tokens + 1;
  out.display = r->target.display ? r->target.display + 1 : NULL;
  out.special = r->target.special + 1;
  tw = g_new (int, MAX (out.len, 1));
  attn_group_words (&out, tw, NULL);
  for (guint i = 0; i < out.len; i++)
    {
      /* output token i (decoder input i + 1) was predicted at row i; it is the decoder's
       * input at row i + 1 */
      int row = method == ATTN_ALIGN_SHIFT ? (int) i + 1 : (int) i;
      int best = -1;
      float bestv = -1;
      if (tw[i] < 0 || row >= Q)
        continue;
      for (int j = 0; j < K && j < (int) r->input.len; j++)
        if (sw[j] >= 0 && m[(gsize) row * K + j] > bestv)
          {
            bestv = m[(gsize) row * K + j];
            best = j;
          }
      if (best >= 0)
        add_link (links, sw[best], tw[i]);
    }
  g_array_sort (links, link_cmp);
  return links;
}

char *
attn_links_to_pharaoh (const GArray *links)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < links->len; i++)
    {
      const AttnLink *l = &g_array_index (links, AttnLink, i);
      g_string_append_printf (s, "%s%d-%d", i ? " " : "", l->src, l->tgt);
    }
  return g_string_free (s, FALSE);
}

gboolean
attn_parse_gold (const char *line, GArray *sure, GArray *possible, GError **error)
{
  g_auto(GStrv) items = g_strsplit_set (line, " \t\r\n", -1);
  for (int i = 0; items[i] != NULL; i++)
    {
      const char *it = items[i];
      char *end;
      gint64 a, b;
      gboolean is_possible = FALSE;
      if (*it == '\0')
        continue;
      a = g_ascii_strtoll (it, &end, 10);
      if (end == it || (*end != '-' && *end != '?') || a < 0)
        goto bad;
      is_possible = *end == '?';
      it = end + 1;
      b = g_ascii_strtoll (it, &end, 10);
      if (end == it || b < 0)
        goto bad;
      if (*end == '-' && (end[1] == 'p' || end[1] == 'P') && end[2] == '\0')
        is_possible = TRUE;
      else if (*end == '-' && (end[1] == 's' || end[1] == 'S') && end[2] == '\0')
        is_possible = FALSE;
      else if (*end != '\0')
        goto bad;
      add_link (possible, (int) a, (int) b);
      if (!is_possible)
        add_link (sure, (int) a, (int) b);
      continue;
bad:
      g_set_error (error, ATTN_ERROR, ATTN_ERROR_FORMAT,
                   _("“%s” is not an alignment link (use i-j, i?j or i-j-p)"), items[i]);
      return FALSE;
    }
  return TRUE;
}

static gboolean
has_link (const GArray *links, const AttnLink *l)
{
  for (guint i = 0; i < links->len; i++)
    {
      const AttnLink *o = &g_array_index (links, AttnLink, i);
      if (o->src == l->src && o->tgt == l->tgt)
        return TRUE;
    }
  return FALSE;
}

void
attn_aer_add (AttnAerCounts *c, const GArray *hyp, const GArray *sure, const GArray *possible)
{
  c->hyp += hyp->len;
  c->sure += sure->len;
  for (guint i = 0; i < hyp->len; i++)
    {
      const AttnLink *l = &g_array_index (hyp, AttnLink, i);
      if (has_link (sure, l))
        c->hyp_and_sure++;
      if (has_link (possible, l) || has_link (sure, l))
        c->hyp_and_possible++;
    }
}

void
attn_aer_scores (const AttnAerCounts *c, double *precision, double *recall, double *aer)
{
  if (precision)
    *precision = c->hyp ? (double) c->hyp_and_possible / c->hyp : 0;
  if (recall)
    *recall = c->sure ? (double) c->hyp_and_sure / c->sure : 0;
  if (aer)
    *aer = (c->hyp + c->sure) ? 1.0 - (double) (c->hyp_and_sure + c->hyp_and_possible) / (c->hyp + c->sure) : 0;
}
