/* attn-decode.c — greedy and beam-search generation. */
#include "attn-decode.h"
#include "attn-analysis.h"
#include "attn-model-private.h"
#include "attn-error.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

AttnKvCache *
attn_kv_cache_new (int layers, int cap, int d)
{
  AttnKvCache *c = g_new0 (AttnKvCache, 1);
  c->layers = layers;
  c->cap = cap;
  c->d = d;
  c->k = attn_alloc_floats ((gsize) layers * cap * d, FALSE);
  c->v = attn_alloc_floats ((gsize) layers * cap * d, FALSE);
  return c;
}

void
attn_kv_cache_free (gpointer cache)
{
  AttnKvCache *c = cache;
  attn_free_floats (c->k);
  attn_free_floats (c->v);
  g_free (c);
}

void
attn_kv_cache_copy (AttnKvCache *dst, const AttnKvCache *src)
{
  g_return_if_fail (dst->cap == src->cap && dst->d == src->d && dst->layers == src->layers);
  for (int l = 0; l < src->layers; l++)
    {
      gsize off = (gsize) l * src->cap * src->d, n = (gsize) src->len * src->d;
      memcpy (dst->k + off, src->k + off, n * sizeof (float));
      memcpy (dst->v + off, src->v + off, n * sizeof (float));
    }
  dst->len = src->len;
}

void
attn_kv_cache_store (AttnKvCache *c, int layer, const float *rows, int ld, int n, int k_col, int v_col)
{
  float *k = attn_kv_cache_k (c, layer), *v = attn_kv_cache_v (c, layer);
  g_return_if_fail (c->len + n <= c->cap);
  for (int t = 0; t < n; t++)
    {
      memcpy (k + (gsize) (c->len + t) * c->d, rows + (gsize) t * ld + k_col, c->d * sizeof (float));
      memcpy (v + (gsize) (c->len + t) * c->d, rows + (gsize) t * ld + v_col, c->d * sizeof (float));
    }
}

/* What one hypothesis produced so far. */
typedef struct {
  GArray   *tokens;    /* gint32 */
  GArray   *probs;     /* float */
  GArray   *alt_ids;   /* gint32 × ATTN_TOPK per token */
  GArray   *alt_probs; /* float × ATTN_TOPK per token */
  double    score;     /* sum of log-probabilities */
  gpointer  cache;
  gboolean  finished;
} Hyp;

static void
hyp_init (Hyp *h)
{
  h->tokens = g_array_new (FALSE, FALSE, sizeof (gint32));
  h->probs = g_array_new (FALSE, FALSE, sizeof (float));
  h->alt_ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  h->alt_probs = g_array_new (FALSE, FALSE, sizeof (float));
  h->score = 0;
  h->cache = NULL;
  h->finished = FALSE;
}

static void
hyp_clear (const AttnDecoderOps *ops, Hyp *h)
{
  g_clear_pointer (&h->tokens, g_array_unref);
  g_clear_pointer (&h->probs, g_array_unref);
  g_clear_pointer (&h->alt_ids, g_array_unref);
  g_clear_pointer (&h->alt_probs, g_array_unref);
  if (h->cache)
    ops->cache_free (h->cache);
  h->cache = NULL;
}

static void
hyp_copy_history (Hyp *dst, const Hyp *src)
{
  g_array_set_size (dst->tokens, 0);
  g_array_append_vals (dst->tokens, src->tokens->data, src->tokens->len);
  g_array_set_size (dst->probs, 0);
  g_array_append_vals (dst->probs, src->probs->data, src->probs->len);
  g_array_set_size (dst->alt_ids, 0);
  g_array_append_vals (dst->alt_ids, src->alt_ids->data, src->alt_ids->len);
  g_array_set_size (dst->alt_probs, 0);
  g_array_append_vals (dst->alt_probs, src->alt_probs->data, src->alt_probs->len);
  dst->score = src->score;
  dst->finished = src->finished;
}

/* Turns logits into log-probabilities after suppression and forcing. `raw` keeps the
 * unprocessed softmax for reporting. */
static void
process_logits (const AttnDecodeParams *p, float *logits, int step, gboolean last, double *logp,
                gint32 *alt_ids, float *alt_probs)
{
  double mx = -INFINITY, sum = 0, lse;
  for (int i = attn_top_k (logits, p->vocab, ATTN_TOPK, alt_ids, alt_probs); i < ATTN_TOPK; i++)
    {
      alt_ids[i] = -1;
      alt_probs[i] = 0;
    }
  for (int i = 0; i < p->n_suppress; i++)
    if (p->suppress[i] >= 0 && p->suppress[i] < p->vocab)
      logits[p->suppress[i]] = -INFINITY;
  if (step == 0)
    for (int i = 0; i < p->n_begin_suppress; i++)
      if (p->begin_suppress[i] >= 0 && p->begin_suppress[i] < p->vocab)
        logits[p->begin_suppress[i]] = -INFINITY;
  if (last && p->forced_eos >= 0 && p->forced_eos < p->vocab)
    for (int i = 0; i < p->vocab; i++)
      if (i != p->forced_eos)
        logits[i] = -INFINITY;
  for (int i = 0; i < p->vocab; i++)
    mx = MAX (mx, logits[i]);
  for (int i = 0; i < p->vocab; i++)
    sum += exp (logits[i] - mx);
  lse = mx + log (sum);
  for (int i = 0; i < p->vocab; i++)
    logp[i] = logits[i] - lse;
}

static void
append_token (Hyp *h, gint32 tok, double logp, const float *raw_logits, int vocab,
              const gint32 *alt_ids, const float *alt_probs)
{
  float prob;
  double mx = -INFINITY, sum = 0;
  for (int i = 0; i < vocab; i++)
    mx = MAX (mx, raw_logits[i]);
  for (int i = 0; i < vocab; i++)
    sum += exp (raw_logits[i] - mx);
  prob = (float) (exp (raw_logits[tok] - mx) / sum);
  g_array_append_val (h->tokens, tok);
  g_array_append_val (h->probs, prob);
  g_array_append_vals (h->alt_ids, alt_ids, ATTN_TOPK);
  g_array_append_vals (h->alt_probs, alt_probs, ATTN_TOPK);
  h->score += logp;
}

static void
fill_result (const Hyp *best, AttnResult *r, AttnTokenizer *tok)
{
  guint n = best->tokens->len;
  attn_token_seq_clear (&r->generated);
  attn_model_fill_tokens (tok, &r->generated, (const gint32 *) best->tokens->data, n);
  g_free (r->generated_probs);
  g_free (r->alt_ids);
  g_free (r->alt_probs);
  r->generated_probs = g_memdup2 (best->probs->data, MAX (n, 1) * sizeof (float));
  r->alt_ids = g_memdup2 (best->alt_ids->data, MAX (n, 1) * ATTN_TOPK * sizeof (gint32));
  r->alt_probs = g_memdup2 (best->alt_probs->data, MAX (n, 1) * ATTN_TOPK * sizeof (float));
  r->output_kind = ATTN_OUTPUT_GENERATED;
}

static void
report (const AttnDecodeParams *p, int step)
{
  if (p->progress)
    p->progress (p->progress_from + (p->progress_to - p->progress_from) * (step + 1.0) / p->max_new_tokens,
                 "decoding", p->progress_data);
}

static gboolean
greedy (const AttnDecoderOps *ops, gpointer self, const gint32 *prefix, int n_prefix,
        const AttnDecodeParams *p, AttnResult *r, AttnTokenizer *tok, GError **error)
{
  g_autofree float *logits = g_new (float, p->vocab);
  g_autofree float *raw = g_new (float, p->vocab);
  g_autofree double *logp = g_new (double, p->vocab);
  gint32 alt_ids[ATTN_TOPK];
  float alt_probs[ATTN_TOPK];
  Hyp h;
  gboolean ok = TRUE;

  hyp_init (&h);
  h.cache = ops->cache_new (self);
  if (!ops->step (self, h.cache, prefix, n_prefix, logits, error))
    ok = FALSE;
  for (int s = 0; ok && s < p->max_new_tokens; s++)
    {
      gint32 best = 0;
      if (g_cancellable_set_error_if_cancelled (p->cancellable, error))
        {
          ok = FALSE;
          break;
        }
      memcpy (raw, logits, p->vocab * sizeof (float));
      process_logits (p, logits, s, s == p->max_new_tokens - 1, logp, alt_ids, alt_probs);
      for (int i = 1; i < p->vocab; i++)
        if (logp[i] > logp[best])
          best = i;
      append_token (&h, best, logp[best], raw, p->vocab, alt_ids, alt_probs);
      report (p, s);
      if (best == p->eos || s == p->max_new_tokens - 1)
        break;
      if (!ops->step (self, h.cache, &best, 1, logits, error))
        ok = FALSE;
    }
  if (ok)
    fill_result (&h, r, tok);
  hyp_clear (ops, &h);
  return ok;
}

typedef struct {
  double score;
  int    parent;
  gint32 token;
} Cand;

static int
cand_cmp (gconstpointer a, gconstpointer b)
{
  double x = ((const Cand *) a)->score, y = ((const Cand *) b)->score;
  return x < y ? 1 : x > y ? -1 : 0;
}

static double
normalized (const AttnDecodeParams *p, const Hyp *h)
{
  double lp = p->length_penalty > 0 ? p->length_penalty : 1.0;
  return h->score / pow (MAX (h->tokens->len, 1), lp);
}

static gboolean
beam (const AttnDecoderOps *ops, gpointer self, const gint32 *prefix, int n_prefix,
      const AttnDecodeParams *p, AttnResult *r, AttnTokenizer *tok, GError **error)
{
  int K = p->beam_size, n_live = 1;
  g_autofree float *logits = g_new (float, (gsize) K * p->vocab);
  g_autofree float *raw = g_new (float, (gsize) K * p->vocab);
  g_autofree double *logp = g_new (double, (gsize) K * p->vocab);
  g_autofree gint32 *alt_ids = g_new (gint32, (gsize) K * ATTN_TOPK);
  g_autofree float *alt_probs = g_new (float, (gsize) K * ATTN_TOPK);
  g_autofree Cand *cands = g_new (Cand, (gsize) 2 * K);
  Hyp *live = g_new0 (Hyp, K), *next = g_new0 (Hyp, K);
  GArray *done = g_array_new (FALSE, TRUE, sizeof (Hyp));
  gboolean ok = TRUE;

  for (int k = 0; k < K; k++)
    {
      hyp_init (&live[k]);
      hyp_init (&next[k]);
      live[k].cache = ops->cache_new (self);
      next[k].cache = ops->cache_new (self);
    }
  ok = ops->step (self, live[0].cache, prefix, n_prefix, logits, error);
  for (int s = 0; ok && s < p->max_new_tokens; s++)
    {
      int n_cands = 0, n_next = 0;
      gboolean last = s == p->max_new_tokens - 1;
      if (g_cancellable_set_error_if_cancelled (p->cancellable, error))
        {
          ok = FALSE;
          break;
        }
      for (int k = 0; k < n_live; k++)
        {
          float *lk = logits + (gsize) k * p->vocab;
          double *pk = logp + (gsize) k * p->vocab;
          memcpy (raw + (gsize) k * p->vocab, lk, p->vocab * sizeof (float));
          process_logits (p, lk, s, last, pk, alt_ids + k * ATTN_TOPK, alt_probs + k * ATTN_TOPK);
          /* keep the 2K best continuations overall */
          for (int i = 0; i < p->vocab; i++)
            {
              double sc = live[k].score + pk[i];
              if (!isfinite (sc))
                continue;
              if (n_cands < 2 * K)
                cands[n_cands++] = (Cand) { sc, k, i };
              else if (sc > cands[2 * K - 1].score)
                cands[2 * K - 1] = (Cand) { sc, k, i };
              else
                continue;
              qsort (cands, n_cands, sizeof (Cand), cand_cmp);
            }
        }
      for (int c = 0; c < n_cands && n_next < K; c++)
        {
          Hyp *src = &live[cands[c].parent];
          gboolean is_eos = cands[c].token == p->eos || last;
          /* step 0 extends the prompt, not a kept candidate: parent -1 (attn-result.h) */
          AttnBeamEntry e = { s, -1, s == 0 ? -1 : cands[c].parent, cands[c].token, (float) cands[c].score, is_eos };
          if (is_eos)
            {
              Hyp f;
              hyp_init (&f);
              hyp_copy_history (&f, src);
              append_token (&f, cands[c].token, cands[c].score - src->score, raw + (gsize) cands[c].parent * p->vocab,
                            p->vocab, alt_ids + cands[c].parent * ATTN_TOPK, alt_probs + cands[c].parent * ATTN_TOPK);
              f.finished = TRUE;
              g_array_append_val (done, f);
              g_array_append_val (r->beam, e);
              continue;
            }
          e.beam = n_next;
          g_array_append_val (r->beam, e);
          hyp_copy_history (&next[n_next], src);
          ops->cache_copy (self, next[n_next].cache, src->cache);
          append_token (&next[n_next], cands[c].token, cands[c].score - src->score,
                        raw + (gsize) cands[c].parent * p->vocab, p->vocab,
                        alt_ids + cands[c].parent * ATTN_TOPK, alt_probs + cands[c].parent * ATTN_TOPK);
          n_next++;
        }
      /* swap generations */
      for (int k = 0; k < K; k++)
        {
          Hyp t = live[k];
          live[k] = next[k];
          next[k] = t;
        }
      n_live = n_next;
      report (p, s);
      if (n_live == 0)
        break;
      /* stop when K hypotheses are finished and none alive can beat the best */
      if ((int) done->len >= K)
        {
          double best_done = -INFINITY;
          for (guint i = 0; i < done->len; i++)
            best_done = MAX (best_done, normalized (p, &g_array_index (done, Hyp, i)));
          if (normalized (p, &live[0]) < best_done)
            break;
        }
      for (int k = 0; ok && k < n_live; k++)
        {
          gint32 t = g_array_index (live[k].tokens, gint32, live[k].tokens->len - 1);
          ok = ops->step (self, live[k].cache, &t, 1, logits + (gsize) k * p->vocab, error);
        }
    }
  if (ok)
    {
      const Hyp *best = NULL;
      double best_score = -INFINITY;
      for (guint i = 0; i < done->len; i++)
        if (normalized (p, &g_array_index (done, Hyp, i)) > best_score)
          {
            best = &g_array_index (done, Hyp, i);
            best_score = normalized (p, best);
          }
      for (int k = 0; best == NULL && k < n_live; k++)
        best = &live[k];
      if (best == NULL)
        {
          g_set_error (error, ATTN_ERROR, ATTN_ERROR_INPUT, _("Beam search found no hypothesis"));
          ok = FALSE;
        }
      else
        fill_result (best, r, tok);
    }
  for (int k = 0; k < K; k++)
    {
      hyp_clear (ops, &live[k]);
      hyp_clear (ops, &next[k]);
    }
  for (guint i = 0; i < done->len; i++)
    hyp_clear (ops, &g_array_index (done, Hyp, i));
  g_array_unref (done);
  g_free (live);
  g_free (next);
  return ok;
}

gboolean
attn_decode_generate (const AttnDecoderOps *ops, gpointer self, const gint32 *prefix, int n_prefix,
                      const AttnDecodeParams *params, AttnResult *r, AttnTokenizer *tok, GError **error)
{
  if (params->max_new_tokens <= 0)
    {
      attn_token_seq_clear (&r->generated);
      attn_token_seq_init (&r->generated, 0);
      r->output_kind = ATTN_OUTPUT_GENERATED;
      return TRUE;
    }
  if (params->beam_size <= 1)
    return greedy (ops, self, prefix, n_prefix, params, r, tok, error);
  r->length_penalty = params->length_penalty > 0 ? params->length_penalty : 1.0;
  return beam (ops, self, prefix, n_prefix, params, r, tok, error);
}
