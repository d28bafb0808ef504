/* lens-scores.c — score functions, sparsemax and sparse masks on a traced head (pure). */
#include "lens-scores.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "attn-safetensors.h"
#include "lens-steps.h"

const AttnScoreKind lens_score_order[LENS_N_SCORES] = {
  ATTN_SCORE_ADDITIVE, ATTN_SCORE_DOT, ATTN_SCORE_GENERAL, ATTN_SCORE_SCALED_DOT,
};

void
lens_score_params_clear (LensScoreParams *p)
{
  g_free (p->w);
  g_free (p->wq);
  g_free (p->wk);
  g_free (p->v);
  g_free (p->general_from);
  g_free (p->additive_from);
  memset (p, 0, sizeof *p);
}

static float
gaussian (GRand *rand, double sd)
{
  double u = g_rand_double_range (rand, 1e-12, 1.0), v = g_rand_double (rand);

  return (float) (sd * sqrt (-2.0 * log (u)) * cos (2 * G_PI * v));
}

void
lens_score_params_illustrative (LensScoreParams *p, int d)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (LENS_ILLUSTRATIVE_SEED);
  int a = d;

  lens_score_params_clear (p);
  p->d = d;
  p->a = a;
  p->w = g_new (float, (gsize) d * d);
  p->wq = g_new0 (float, (gsize) a * (d + 1));
  p->wk = g_new0 (float, (gsize) a * (d + 1));
  p->v = g_new (float, a);
  /* the scale keeps qᵀWk and the tanh inputs near the dot product's size */
  for (gsize i = 0; i < (gsize) d * d; i++)
    p->w[i] = gaussian (rand, 1.0 / sqrt (d)) + (i % (d + 1) == 0 ? 1.0f : 0.0f);
  for (int r = 0; r < a; r++)
    for (int c = 0; c < d; c++)
      {
        p->wq[(gsize) r * (d + 1) + c] = gaussian (rand, 1.0 / sqrt (d));
        p->wk[(gsize) r * (d + 1) + c] = gaussian (rand, 1.0 / sqrt (d));
      }
  for (int r = 0; r < a; r++)
    p->v[r] = gaussian (rand, 1.0);
}

gboolean
lens_score_params_learned (LensScoreParams *p, const char *dir, GError **error)
{
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(AttnCheckpoint) ckpt = NULL;
  g_autofree char *name = g_path_get_basename (dir);
  JsonObject *o;
  const char *score;
  int h, a, d = p->d;

  if (!json_parser_load_from_file (parser, config, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: config.json is not an object", name);
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  score = json_object_get_string_member_with_default (o, "score", "");
  h = json_object_get_int_member_with_default (o, "hidden_size", 0);
  a = json_object_get_int_member_with_default (o, "attention_dim", 0);
  if (h != d)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s has hidden size %d, the vectors have %d numbers", name, h, d);
      return FALSE;
    }
  if (!(ckpt = attn_checkpoint_open_dir (dir, error)))
    return FALSE;

  if (g_str_equal (score, "general"))
    {
      float *w = attn_checkpoint_read_f32 (ckpt, "model.decoder.attention.bilinear.weight", 2,
                                           (gint64[]) { d, d }, error);
      if (w == NULL)
        return FALSE;
      g_free (p->w);
      p->w = w;
      g_free (p->general_from);
      p->general_from = g_steal_pointer (&name);
      return TRUE;
    }
  if (g_str_equal (score, "additive") && a > 0)
    {
      g_autofree float *wq = attn_checkpoint_read_f32 (ckpt, "model.decoder.attention.query.weight", 2,
                                                       (gint64[]) { a, d }, error);
      g_autofree float *wk = wq ? attn_checkpoint_read_f32 (ckpt, "model.decoder.attention.key.weight", 2,
                                                            (gint64[]) { a, d }, error) : NULL;
      g_autofree float *bk = wk ? attn_checkpoint_read_f32 (ckpt, "model.decoder.attention.key.bias", 1,
                                                            (gint64[]) { a }, error) : NULL;
      float *v = bk ? attn_checkpoint_read_f32 (ckpt, "model.decoder.attention.v.weight", 2,
                                                (gint64[]) { 1, a }, error) : NULL;
      if (v == NULL)
        return FALSE;
      g_free (p->wq);
      g_free (p->wk);
      g_free (p->v);
      p->a = a;
      p->wq = g_new0 (float, (gsize) a * (d + 1));
      p->wk = g_new0 (float, (gsize) a * (d + 1));
      for (int r = 0; r < a; r++)
        {
          memcpy (p->wq + (gsize) r * (d + 1), wq + (gsize) r * d, d * sizeof (float));
          memcpy (p->wk + (gsize) r * (d + 1), wk + (gsize) r * d, d * sizeof (float));
          p->wq[(gsize) r * (d + 1) + d] = bk[r];
        }
      p->v = v;
      g_free (p->additive_from);
      p->additive_from = g_steal_pointer (&name);
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s has no general or additive parameters", name);
  return FALSE;
}

void
lens_scores_all (const LensScoreParams *p, const float *q, const float *keys, int n, int d,
                 const guint8 *hidden, float *scores, float *weights)
{
  for (int s = 0; s < LENS_N_SCORES; s++)
    {
      AttnScoreKind kind = lens_score_order[s];
      float *out = scores + (gsize) s * n;

      if (kind == ATTN_SCORE_ADDITIVE)
        {
          /* the bias rides on one more dimension: q' = [q ; 1], k' = [k ; 0] */
          g_autofree float *q1 = g_new (float, d + 1);
          g_autofree float *k1 = g_new (float, (gsize) MAX (n, 1) * (d + 1));
          AttnScoreParams ap = { .wq = p->wq, .wk = p->wk, .v = p->v, .a = p->a };

          memcpy (q1, q, d * sizeof (float));
          q1[d] = 1.0f;
          for (int j = 0; j < n; j++)
            {
              memcpy (k1 + (gsize) j * (d + 1), keys + (gsize) j * d, d * sizeof (float));
              k1[(gsize) j * (d + 1) + d] = 0.0f;
            }
          attn_scores (kind, q1, k1, n, d + 1, &ap, out);
        }
      else
        {
          AttnScoreParams gp = { .w = p->w };

          attn_scores (kind, q, keys, n, d, &gp, out);
        }
      lens_softmax_masked (out, hidden, n, 1.0f, weights + (gsize) s * n);
    }
}

void
lens_sparsemax_masked (const float *z, const guint8 *hidden, int n, float *out)
{
  g_autofree float *zz = g_new (float, MAX (n, 1));
  g_autofree float *pp = g_new (float, MAX (n, 1));
  int m = 0;

  for (int j = 0; j < n; j++)
    if (!(hidden && hidden[j]))
      zz[m++] = z[j];
  if (m > 0)
    attn_sparsemax (zz, m, pp);
  m = 0;
  for (int j = 0; j < n; j++)
    out[j] = hidden && hidden[j] ? 0.0f : pp[m++];
}

void
lens_sparse_attention (const AttnHeadTrace *t, LensSparseMask mask, int param, float *weights, guint8 *hidden)
{
  int tq = t->queries, tk = t->keys, dh = t->dh;
  g_autofree float *s = g_new (float, (gsize) MAX (tq * tk, 1));

  for (int i = 0; i < tq; i++)
    for (int j = 0; j < tk; j++)
      {
        double dot = 0.0;
        gboolean own = (t->causal_offset >= 0 && j > i + t->causal_offset) ||
                       (t->key_mask && t->key_mask[j] == 0);

        for (int d = 0; d < dh; d++)
          dot += (double) t->q[(gsize) i * dh + d] * t->k[(gsize) j * dh + d];
        s[(gsize) i * tk + j] = own ? -INFINITY : (float) (dot * t->scale);
      }
  if (mask == LENS_SPARSE_LOCAL)
    attn_mask_local (s, tq, tk, param);
  else
    attn_mask_strided (s, tq, tk, param);
  for (gsize c = 0; c < (gsize) tq * tk; c++)
    hidden[c] = !isfinite (s[c]);
  for (int i = 0; i < tq; i++)
    lens_softmax_masked (s + (gsize) i * tk, hidden + (gsize) i * tk, tk, 1.0f, weights + (gsize) i * tk);
}
