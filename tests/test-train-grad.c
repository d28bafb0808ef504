/* test-train-grad.c — finite-difference checks of every training kernel and of
 * whole small models.
 *
 * Everything runs in float32, as the engine does; the loss is accumulated in
 * double. For each tensor, the analytic gradient a and the central difference
 * n = (L(x+h) − L(x−h)) / 2h (h = 1e-2 for blocks with smooth output, 1e-3
 * where noted) are compared over sampled entries by the relative L2 error
 *     ‖a − n‖ / max(‖a‖, ‖n‖, 1e-6)
 * which must stay below GRAD_TOL = 1e-3 for every kernel tensor (measured:
 * ≤ 1.2e-4) and MODEL_TOL = 2e-3 over all sampled entries of a whole model
 * (measured: ≤ 3e-4). Each model tensor must also pass on its own: relative
 * error < 1e-2 when its gradient norm is ≥ 1e-3, and otherwise, where the float32
 * finite-difference noise (~1e-6) dominates, max |a − n| < 1e-5. A 10 % error in
 * one gate's gradient fails these checks. The largest absolute difference is
 * printed for every check. */
#include <math.h>
#include <string.h>
#include <glib.h>

#include "attn-train-private.h"
#include "attn-rnn-private.h"
#include "test-train-common.h"

#define GRAD_TOL 1e-3
#define MODEL_TOL 2e-3
#define TENSOR_TOL 1e-2
#define TENSOR_SMALL 1e-3
#define TENSOR_ABS 1e-5

typedef double (*LossFunc) (gpointer data);

typedef struct {
  double sq_diff, sq_a, sq_n, max_abs;
  int    n;
} Cmp;

static void
cmp_add (Cmp *c, double a, double n)
{
  c->sq_diff += (a - n) * (a - n);
  c->sq_a += a * a;
  c->sq_n += n * n;
  c->max_abs = MAX (c->max_abs, fabs (a - n));
  c->n++;
}

static double
cmp_rel (const Cmp *c)
{
  double den = MAX (MAX (sqrt (c->sq_a), sqrt (c->sq_n)), 1e-6);
  return sqrt (c->sq_diff) / den;
}

/* Compares analytic[] with central differences of f over x[], sampling at most
 * max_checks entries. */
static void
check_fd (Cmp *c, float *x, gsize n, const float *analytic, LossFunc f, gpointer data, float h,
          int max_checks)
{
  gsize stride = MAX ((gsize) 1, n / max_checks);
  for (gsize i = (stride > 1 ? stride / 2 : 0); i < n; i += stride)
    {
      float keep = x[i];
      double lp, lm;
      x[i] = keep + h;
      lp = f (data);
      x[i] = keep - h;
      lm = f (data);
      x[i] = keep;
      cmp_add (c, analytic[i], (lp - lm) / (2.0 * h));
    }
}

static void
report (const char *what, const Cmp *c, double tol)
{
  double rel = cmp_rel (c);
  g_test_message ("%-40s entries %4d  rel-L2 %.2e  max|a-n| %.2e  (|a| %.2e)", what, c->n, rel,
                  c->max_abs, sqrt (c->sq_a));
  if (!(rel < tol))
    g_test_fail_printf ("%s: relative gradient error %.3e ≥ %.1e (max abs diff %.3e)", what,
                        rel, tol, c->max_abs);
}

static void
fill_normal (float *x, gsize n, AttnRng *rng, float scale)
{
  for (gsize i = 0; i < n; i++)
    x[i] = scale * attn_rng_normal (rng);
}

static double
dot_d (const float *a, const float *b, gsize n)
{
  double s = 0;
  for (gsize i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

/* ---- linear, with the weight stored [out, in] and (GPT-2's Conv1D) [in, out] ---- */

typedef struct {
  int n, in, out;
  gboolean in_out;
  float *x, *w, *b, *y, *c;
} LinCase;

static double
lin_loss (gpointer data)
{
  LinCase *t = data;
  if (t->in_out)
    attn_op_linear_t_fwd (t->x, t->n, t->in, t->w, t->b, t->out, t->y);
  else
    attn_op_linear_fwd (t->x, t->n, t->in, t->w, t->b, t->out, t->y);
  return dot_d (t->y, t->c, (gsize) t->n * t->out);
}

static void
run_linear_case (gboolean in_out)
{
  AttnRng rng;
  LinCase t = { 5, 7, 6, in_out };
  float *dx, *dw, *db;
  Cmp cx = { 0 }, cw = { 0 }, cb = { 0 };
  const char *what = in_out ? "linear [in, out]" : "linear";
  g_autofree char *nx = g_strdup_printf ("%s dx", what), *nw = g_strdup_printf ("%s dW", what);
  g_autofree char *nb = g_strdup_printf ("%s db", what);

  attn_rng_seed (&rng, 1);
  t.x = g_new (float, 35); t.w = g_new (float, 42); t.b = g_new (float, 6);
  t.y = g_new (float, 30); t.c = g_new (float, 30);
  dx = g_new0 (float, 35); dw = g_new0 (float, 42); db = g_new0 (float, 6);
  fill_normal (t.x, 35, &rng, 1); fill_normal (t.w, 42, &rng, 0.5f);
  fill_normal (t.b, 6, &rng, 0.5f); fill_normal (t.c, 30, &rng, 1);
  /* the layout: y[i, o] = Σ_k x[i, k] w[o, k] (or w[k, o]) + b[o] */
  lin_loss (&t);
  for (int i = 0; i < 5; i++)
    for (int o = 0; o < 6; o++)
      {
        double s = t.b[o];
        for (int k = 0; k < 7; k++)
          s += (double) t.x[i * 7 + k] * t.w[in_out ? k * 6 + o : o * 7 + k];
        g_assert_cmpfloat (fabs (t.y[i * 6 + o] - s), <, 1e-5);
      }
  if (!in_out)
    {
      /* one row takes a matrix–vector path (no packing of w): the same numbers */
      float y1[6];
      attn_op_linear_fwd (t.x + 7, 1, 7, t.w, t.b, 6, y1);
      for (int o = 0; o < 6; o++)
        g_assert_cmpfloat (fabsf (y1[o] - t.y[6 + o]), <, 1e-5);
      attn_op_linear_fwd (t.x + 7, 1, 7, t.w, NULL, 6, y1);
      for (int o = 0; o < 6; o++)
        g_assert_cmpfloat (fabsf (y1[o] + t.b[o] - t.y[6 + o]), <, 1e-5);
    }
  if (in_out)
    attn_op_linear_t_bwd (t.x, 5, 7, t.w, 6, t.c, dx, dw, db);
  else
    attn_op_linear_bwd (t.x, 5, 7, t.w, 6, t.c, dx, dw, db);
  check_fd (&cx, t.x, 35, dx, lin_loss, &t, 1e-2f, 100);
  check_fd (&cw, t.w, 42, dw, lin_loss, &t, 1e-2f, 100);
  check_fd (&cb, t.b, 6, db, lin_loss, &t, 1e-2f, 100);
  report (nx, &cx, GRAD_TOL);
  report (nw, &cw, GRAD_TOL);
  report (nb, &cb, GRAD_TOL);
  g_free (t.x); g_free (t.w); g_free (t.b); g_free (t.y); g_free (t.c);
  g_free (dx); g_free (dw); g_free (db);
}

static void
test_linear (void)
{
  run_linear_case (FALSE);
  run_linear_case (TRUE);
}

/* ---- layer norm ---- */

typedef struct {
  int n, d;
  float *x, *g, *b, *y, *c, *mean, *rstd;
} LnCase;

static double
ln_loss (gpointer data)
{
  LnCase *t = data;
  attn_op_layernorm_fwd (t->x, t->n, t->d, t->g, t->b, 1e-5f, t->y, t->mean, t->rstd);
  return dot_d (t->y, t->c, (gsize) t->n * t->d);
}

static void
test_layernorm (void)
{
  AttnRng rng;
  LnCase t = { 4, 10 };
  gsize N = 40;
  float *dx = g_new0 (float, N), *dg = g_new0 (float, 10), *db = g_new0 (float, 10);
  Cmp cx = { 0 }, cg = { 0 }, cb = { 0 };

  attn_rng_seed (&rng, 2);
  t.x = g_new (float, N); t.g = g_new (float, 10); t.b = g_new (float, 10);
  t.y = g_new (float, N); t.c = g_new (float, N);
  t.mean = g_new (float, 4); t.rstd = g_new (float, 4);
  fill_normal (t.x, N, &rng, 2); fill_normal (t.g, 10, &rng, 1);
  fill_normal (t.b, 10, &rng, 1); fill_normal (t.c, N, &rng, 1);
  ln_loss (&t);
  attn_op_layernorm_bwd (t.x, 4, 10, t.g, t.mean, t.rstd, t.c, dx, dg, db);
  check_fd (&cx, t.x, N, dx, ln_loss, &t, 1e-2f, 100);
  check_fd (&cg, t.g, 10, dg, ln_loss, &t, 1e-2f, 100);
  check_fd (&cb, t.b, 10, db, ln_loss, &t, 1e-2f, 100);
  report ("layernorm dx", &cx, GRAD_TOL);
  report ("layernorm dgain", &cg, GRAD_TOL);
  report ("layernorm dbias", &cb, GRAD_TOL);
  g_free (t.x); g_free (t.g); g_free (t.b); g_free (t.y); g_free (t.c);
  g_free (t.mean); g_free (t.rstd); g_free (dx); g_free (dg); g_free (db);
}

/* ---- activations ---- */

typedef struct {
  AttnTAct act;
  gsize n;
  float *x, *y, *c;
} ActCase;

static double
act_loss (gpointer data)
{
  ActCase *t = data;
  attn_op_act_fwd (t->act, t->x, t->n, t->y);
  return dot_d (t->y, t->c, t->n);
}

static void
test_activations (void)
{
  for (int a = ATTN_TACT_GELU; a <= ATTN_TACT_GELU_NEW; a++)
    {
      AttnRng rng;
      ActCase t = { a, 64 };
      float *dx = g_new0 (float, 64);
      Cmp c = { 0 };
      g_autofree char *what = g_strdup_printf ("%s dx", attn_tact_name (a));

      attn_rng_seed (&rng, 3);
      t.x = g_new (float, 64); t.y = g_new (float, 64); t.c = g_new (float, 64);
      fill_normal (t.x, 64, &rng, 2); fill_normal (t.c, 64, &rng, 1);
      /* keep ReLU away from its kink */
      for (int i = 0; i < 64; i++)
        if (fabsf (t.x[i]) < 0.05f)
          t.x[i] = 0.3f;
      attn_op_act_bwd (a, t.x, 64, t.c, dx);
      check_fd (&c, t.x, 64, dx, act_loss, &t, 1e-3f, 64);
      report (what, &c, GRAD_TOL);
      g_free (t.x); g_free (t.y); g_free (t.c); g_free (dx);
    }
}

/* ---- embedding (with scale, as Marian) and positions ---- */

typedef struct {
  gint32 ids[6];
  float *table, *y, *c;
} EmbCase;

static double
emb_loss (gpointer data)
{
  EmbCase *t = data;
  attn_op_embedding_fwd (t->ids, 6, t->table, 8, 2.0f, t->y);
  attn_op_add_sinusoid (t->y, 2, 3, 8);
  return dot_d (t->y, t->c, 48);
}

static void
test_embedding (void)
{
  AttnRng rng;
  EmbCase t = { { 1, 3, 3, 0, 4, 1 } };
  float *dt = g_new0 (float, 40);
  Cmp c = { 0 };

  attn_rng_seed (&rng, 4);
  t.table = g_new (float, 40); t.y = g_new (float, 48); t.c = g_new (float, 48);
  fill_normal (t.table, 40, &rng, 1); fill_normal (t.c, 48, &rng, 1);
  attn_op_embedding_bwd (t.ids, 6, 8, 2.0f, t.c, dt);
  check_fd (&c, t.table, 40, dt, emb_loss, &t, 1e-2f, 40);
  report ("embedding dtable (repeated ids)", &c, GRAD_TOL);
  g_free (t.table); g_free (t.y); g_free (t.c); g_free (dt);
}

/* ---- multi-head attention with padding and causal masks ---- */

typedef struct {
  AttnAttnShape s;
  float *q, *k, *v, *p, *o, *c;
} AttCase;

static double
att_loss (gpointer data)
{
  AttCase *t = data;
  attn_op_attention_fwd (&t->s, t->q, t->k, t->v, t->p, t->o);
  return dot_d (t->o, t->c, (gsize) t->s.B * t->s.Tq * t->s.d);
}

static void
run_attention_case (const char *name, int Tq, int Tk, gboolean causal)
{
  static const int klen[2] = { 4, 2 };
  AttnRng rng;
  AttCase t = { { 2, Tq, Tk, 8, 2, klen, causal } };
  gsize nq = 2 * Tq * 8, nk = 2 * Tk * 8;
  float *dq = g_new0 (float, nq), *dk = g_new0 (float, nk), *dv = g_new0 (float, nk);
  float *scratch = g_new (float, Tq * Tk);
  Cmp cq = { 0 }, ck = { 0 }, cv = { 0 };
  g_autofree char *nq_ = g_strdup_printf ("%s dq", name);
  g_autofree char *nk_ = g_strdup_printf ("%s dk", name);
  g_autofree char *nv_ = g_strdup_printf ("%s dv", name);

  attn_rng_seed (&rng, 5);
  t.q = g_new (float, nq); t.k = g_new (float, nk); t.v = g_new (float, nk);
  t.p = g_new (float, 2 * 2 * Tq * Tk); t.o = g_new (float, nq); t.c = g_new (float, nq);
  fill_normal (t.q, nq, &rng, 1); fill_normal (t.k, nk, &rng, 1);
  fill_normal (t.v, nk, &rng, 1); fill_normal (t.c, nq, &rng, 1);
  att_loss (&t);
  /* masked weights must be exactly zero, rows must sum to one */
  for (int b = 0; b < 2; b++)
    for (int h = 0; h < 2; h++)
      for (int i = 0; i < Tq; i++)
        {
          const float *row = t.p + (((gsize) b * 2 + h) * Tq + i) * Tk;
          double s = 0;
          for (int j = 0; j < Tk; j++)
            {
              gboolean allowed = j < klen[b] && (!causal || j <= i);
              if (!allowed)
                g_assert_cmpfloat (row[j], ==, 0.0f);
              s += row[j];
            }
          g_assert_cmpfloat (fabs (s - 1.0), <, 1e-5);
        }
  attn_op_attention_bwd (&t.s, t.q, t.k, t.v, t.p, t.c, dq, dk, dv, scratch);
  check_fd (&cq, t.q, nq, dq, att_loss, &t, 1e-2f, 200);
  check_fd (&ck, t.k, nk, dk, att_loss, &t, 1e-2f, 200);
  check_fd (&cv, t.v, nk, dv, att_loss, &t, 1e-2f, 200);
  report (nq_, &cq, GRAD_TOL);
  report (nk_, &ck, GRAD_TOL);
  report (nv_, &cv, GRAD_TOL);
  g_free (t.q); g_free (t.k); g_free (t.v); g_free (t.p); g_free (t.o); g_free (t.c);
  g_free (dq); g_free (dk); g_free (dv); g_free (scratch);
}

static void
test_attention (void)
{
  run_attention_case ("self-attention, padding mask", 4, 4, FALSE);
  run_attention_case ("self-attention, causal + padding", 4, 4, TRUE);
  run_attention_case ("cross-attention Tq≠Tk, padding", 3, 5, FALSE);
}

/* ---- conv1d (Whisper's stride-1 and stride-2 convolutions) ---- */

typedef struct {
  int B, cin, T, cout, K, stride, pad;
  float *x, *w, *b, *y, *c, *col;
} ConvCase;

static double
conv_loss (gpointer data)
{
  ConvCase *t = data;
  int tout = attn_op_conv1d_out_len (t->T, t->K, t->stride, t->pad);
  attn_op_conv1d_fwd (t->x, t->B, t->cin, t->T, t->w, t->b, t->cout, t->K, t->stride, t->pad,
                      t->y, t->col);
  return dot_d (t->y, t->c, (gsize) t->B * t->cout * tout);
}

static void
test_conv1d (void)
{
  for (int stride = 1; stride <= 2; stride++)
    {
      AttnRng rng;
      ConvCase t = { 2, 3, 9, 4, 3, stride, 1 };
      int tout = attn_op_conv1d_out_len (9, 3, stride, 1);
      gsize nx = 2 * 3 * 9, nw = 4 * 3 * 3, ny = 2 * 4 * tout;
      float *dx = g_new0 (float, nx), *dw = g_new0 (float, nw), *db = g_new0 (float, 4);
      float *dcol = g_new (float, 9 * tout);
      Cmp cx = { 0 }, cw = { 0 }, cb = { 0 };
      g_autofree char *n1 = g_strdup_printf ("conv1d stride %d dx", stride);
      g_autofree char *n2 = g_strdup_printf ("conv1d stride %d dW", stride);
      g_autofree char *n3 = g_strdup_printf ("conv1d stride %d db", stride);

      attn_rng_seed (&rng, 6);
      t.x = g_new (float, nx); t.w = g_new (float, nw); t.b = g_new (float, 4);
      t.y = g_new (float, ny); t.c = g_new (float, ny); t.col = g_new (float, 9 * tout);
      fill_normal (t.x, nx, &rng, 1); fill_normal (t.w, nw, &rng, 0.5f);
      fill_normal (t.b, 4, &rng, 1); fill_normal (t.c, ny, &rng, 1);
      attn_op_conv1d_bwd (t.x, 2, 3, 9, t.w, 4, 3, stride, 1, t.c, dx, dw, db, t.col, dcol);
      check_fd (&cx, t.x, nx, dx, conv_loss, &t, 1e-2f, 100);
      check_fd (&cw, t.w, nw, dw, conv_loss, &t, 1e-2f, 100);
      check_fd (&cb, t.b, 4, db, conv_loss, &t, 1e-2f, 100);
      report (n1, &cx, GRAD_TOL);
      report (n2, &cw, GRAD_TOL);
      report (n3, &cb, GRAD_TOL);
      g_free (t.x); g_free (t.w); g_free (t.b); g_free (t.y); g_free (t.c); g_free (t.col);
      g_free (dx); g_free (dw); g_free (db); g_free (dcol);
    }
}

/* ---- cross-entropy with label smoothing and padding ---- */

typedef struct {
  float *z;
  gint32 tg[5];
} CeCase;

static double
ce_loss (gpointer data)
{
  CeCase *t = data;
  return attn_op_cross_entropy (t->z, 5, 7, t->tg, 0, 0.1f, NULL, NULL, NULL);
}

static void
test_cross_entropy (void)
{
  AttnRng rng;
  CeCase t = { NULL, { 3, 0, 6, 1, 0 } };   /* 0 = padding, ignored */
  float *dz = g_new (float, 35);
  Cmp c = { 0 };
  int counted = 0;
  double l;

  attn_rng_seed (&rng, 7);
  t.z = g_new (float, 35);
  fill_normal (t.z, 35, &rng, 2);
  l = attn_op_cross_entropy (t.z, 5, 7, t.tg, 0, 0.1f, dz, &counted, NULL);
  g_assert_cmpint (counted, ==, 3);
  g_assert_true (isfinite (l));
  for (int j = 0; j < 7; j++)
    g_assert_cmpfloat (dz[7 + j], ==, 0.0f);   /* padded rows get no gradient */
  check_fd (&c, t.z, 35, dz, ce_loss, &t, 1e-2f, 35);
  report ("cross-entropy (ε = 0.1, padding) dlogits", &c, GRAD_TOL);
  g_free (t.z); g_free (dz);
}

/* ---- dropout (the same mask on every evaluation) ---- */

typedef struct {
  float *x, *y, *c;
  guint8 *mask;
} DropCase;

static double
drop_loss (gpointer data)
{
  DropCase *t = data;
  AttnRng rng;
  attn_rng_seed (&rng, 99);
  attn_op_dropout_fwd (t->x, 50, 0.3f, &rng, t->mask, t->y);
  return dot_d (t->y, t->c, 50);
}

static void
test_dropout (void)
{
  AttnRng rng;
  DropCase t;
  float *dx = g_new0 (float, 50);
  Cmp c = { 0 };
  int kept = 0;

  attn_rng_seed (&rng, 8);
  t.x = g_new (float, 50); t.y = g_new (float, 50); t.c = g_new (float, 50);
  t.mask = g_new (guint8, 50);
  fill_normal (t.x, 50, &rng, 1); fill_normal (t.c, 50, &rng, 1);
  drop_loss (&t);
  for (int i = 0; i < 50; i++)
    kept += t.mask[i];
  g_assert_cmpint (kept, >, 20);
  g_assert_cmpint (kept, <, 50);
  attn_op_dropout_bwd (t.c, 50, 0.3f, t.mask, dx);
  check_fd (&c, t.x, 50, dx, drop_loss, &t, 1e-2f, 50);
  report ("dropout dx", &c, GRAD_TOL);
  g_free (t.x); g_free (t.y); g_free (t.c); g_free (t.mask); g_free (dx);
}

/* ---- recurrent layers (GRU, LSTM; forward and reverse; padded) ---- */

typedef struct {
  AttnRnnSeq   s;
  AttnRnnBufs  bufs;
  float       *x, *h0, *c0, *w_ih, *w_hh, *b_ih, *b_hh, *cout, *cfin;
} RnnCase;

static double
rnn_loss (gpointer data)
{
  RnnCase *t = data;
  gsize n = (gsize) t->s.T * t->s.B * t->s.H;
  attn_rnn_seq_fwd (&t->s, t->x, t->h0, t->c0, &t->bufs);
  return dot_d (t->bufs.hout, t->cout, n) + dot_d (t->bufs.h, t->cfin, (gsize) t->s.B * t->s.H);
}

static void
run_rnn_case (AttnCell cell, gboolean reverse)
{
  static const int len[3] = { 5, 2, 4 };
  int T = 5, B = 3, in = 4, H = 3, G = attn_rnn_gates (cell);
  gsize nx = T * B * in, nw = G * H * in, nh = G * H * H, nb = G * H, no = T * B * H;
  RnnCase t = { { cell, T, B, in, H, reverse, len } };
  float *dx = g_new0 (float, nx), *dh0 = g_new0 (float, B * H), *dc0 = g_new0 (float, B * H);
  float *dw_ih = g_new0 (float, nw), *dw_hh = g_new0 (float, nh);
  float *db_ih = g_new0 (float, nb), *db_hh = g_new0 (float, nb);
  struct { const char *name; float *x; gsize n; float *g; } items[7];
  AttnRng rng;

  attn_rng_seed (&rng, 20 + cell * 2 + reverse);
  t.x = g_new (float, nx); t.h0 = g_new (float, B * H); t.c0 = g_new (float, B * H);
  t.w_ih = g_new (float, nw); t.w_hh = g_new (float, nh);
  t.b_ih = g_new (float, nb); t.b_hh = g_new (float, nb);
  t.cout = g_new (float, no); t.cfin = g_new (float, B * H);
  fill_normal (t.x, nx, &rng, 1); fill_normal (t.h0, B * H, &rng, 0.5f);
  fill_normal (t.c0, B * H, &rng, 0.5f);
  fill_normal (t.w_ih, nw, &rng, 0.5f); fill_normal (t.w_hh, nh, &rng, 0.5f);
  fill_normal (t.b_ih, nb, &rng, 0.3f); fill_normal (t.b_hh, nb, &rng, 0.3f);
  fill_normal (t.cout, no, &rng, 1); fill_normal (t.cfin, B * H, &rng, 1);
  t.s.w_ih = t.w_ih; t.s.w_hh = t.w_hh; t.s.b_ih = t.b_ih; t.s.b_hh = t.b_hh;
  t.s.dw_ih = dw_ih; t.s.dw_hh = dw_hh; t.s.db_ih = db_ih; t.s.db_hh = db_hh;
  attn_rnn_bufs_init (&t.bufs, cell, T, B, H);
  rnn_loss (&t);
  attn_rnn_seq_bwd (&t.s, t.x, &t.bufs, t.cout, t.cfin, NULL, dx, dh0,
                    cell == ATTN_CELL_LSTM ? dc0 : NULL);
  items[0].name = "dx"; items[0].x = t.x; items[0].n = nx; items[0].g = dx;
  items[1].name = "dh0"; items[1].x = t.h0; items[1].n = B * H; items[1].g = dh0;
  items[2].name = "dW_ih"; items[2].x = t.w_ih; items[2].n = nw; items[2].g = dw_ih;
  items[3].name = "dW_hh"; items[3].x = t.w_hh; items[3].n = nh; items[3].g = dw_hh;
  items[4].name = "db_ih"; items[4].x = t.b_ih; items[4].n = nb; items[4].g = db_ih;
  items[5].name = "db_hh"; items[5].x = t.b_hh; items[5].n = nb; items[5].g = db_hh;
  items[6].name = "dc0"; items[6].x = t.c0; items[6].n = B * H; items[6].g = dc0;
  for (int i = 0; i < (cell == ATTN_CELL_LSTM ? 7 : 6); i++)
    {
      Cmp c = { 0 };
      g_autofree char *what = g_strdup_printf ("%s%s %s", cell == ATTN_CELL_GRU ? "GRU" : "LSTM",
                                               reverse ? " reverse" : "", items[i].name);
      check_fd (&c, items[i].x, items[i].n, items[i].g, rnn_loss, &t, 1e-2f, 60);
      report (what, &c, GRAD_TOL);
    }
  attn_rnn_bufs_clear (&t.bufs);
  g_free (t.x); g_free (t.h0); g_free (t.c0); g_free (t.w_ih); g_free (t.w_hh);
  g_free (t.b_ih); g_free (t.b_hh); g_free (t.cout); g_free (t.cfin);
  g_free (dx); g_free (dh0); g_free (dc0); g_free (dw_ih); g_free (dw_hh);
  g_free (db_ih); g_free (db_hh);
}

static void
test_rnn_layers (void)
{
  run_rnn_case (ATTN_CELL_GRU, FALSE);
  run_rnn_case (ATTN_CELL_GRU, TRUE);
  run_rnn_case (ATTN_CELL_LSTM, FALSE);
  run_rnn_case (ATTN_CELL_LSTM, TRUE);
}

/* ---- whole models ---- */

typedef struct {
  AttnTrainModel *m;
  AttnBatch       batch;
  float           smoothing;
  gboolean        train;
} ModelCase;

static double
model_loss (gpointer data)
{
  ModelCase *t = data;
  AttnRng rng;
  AttnLossStats st;
  attn_rng_seed (&rng, 1234);   /* the same dropout masks every time */
  t->m->klass->forward (t->m, &t->batch, t->smoothing, t->train, FALSE, &rng, &st);
  return st.loss;
}

static void
make_model_batch (AttnBatch *b)
{
  static const int src[3][6] = { { 5, 6, 7, 8, 9, 2 }, { 4, 11, 2 }, { 12, 13, 5, 2 } };
  static const int slen[3] = { 6, 3, 4 };
  attn_batch_reserve (b, 3, 6, 5);
  for (int i = 0; i < 3; i++)
    {
      int n = slen[i] - 1;
      b->src_len[i] = slen[i];
      for (int j = 0; j < 6; j++)
        b->src[i * 6 + j] = j < slen[i] ? src[i][j] : ATTN_TOY_PAD;
      b->tgt_len[i] = MIN (n + 1, 5);
      for (int j = 0; j < 5; j++)
        {
          b->tgt_in[i * 5 + j] = j == 0 ? ATTN_TOY_BOS : j <= n ? src[i][n - j] : ATTN_TOY_PAD;
          b->tgt_out[i * 5 + j] = j < n ? src[i][n - 1 - j] : j == n ? ATTN_TOY_EOS : ATTN_TOY_PAD;
        }
    }
}

/* A classification batch for BERT: [CLS] … [SEP] then padding, one label each. */
static void
make_class_batch (AttnBatch *b)
{
  static const int src[3][6] = { { 1, 5, 6, 7, 8, 2 }, { 1, 11, 2 }, { 1, 12, 13, 2 } };
  static const int slen[3] = { 6, 3, 4 }, label[3] = { 1, 0, 2 };
  attn_batch_reserve (b, 3, 6, 1);
  for (int i = 0; i < 3; i++)
    {
      b->src_len[i] = slen[i];
      for (int j = 0; j < 6; j++)
        b->src[i * 6 + j] = j < slen[i] ? src[i][j] : ATTN_TOY_PAD;
      b->tgt_in[i] = b->tgt_out[i] = label[i];
      b->tgt_len[i] = 1;
    }
}

static void
check_model (const char *name, AttnTrainModel *m, gboolean train, void (*make_batch) (AttnBatch *))
{
  ModelCase t = { m, { 0 }, 0.1f, train };
  AttnParams *P = m->params;
  AttnRng rng;
  AttnLossStats st;
  Cmp all = { 0 };
  float *grad = g_new (float, P->total);

  make_batch (&t.batch);
  attn_params_zero_grad (P);
  attn_rng_seed (&rng, 1234);
  m->klass->forward (m, &t.batch, t.smoothing, train, TRUE, &rng, &st);
  memcpy (grad, P->grad, sizeof (float) * P->total);
  g_assert_true (isfinite (st.loss));

  for (guint i = 0; i < P->info->len; i++)
    {
      const AttnParamInfo *info = &g_array_index (P->info, AttnParamInfo, i);
      Cmp c = { 0 };
      g_autofree char *what = g_strdup_printf ("%s %s", name, info->name);
      if (g_str_has_suffix (info->name, "encoder.embed_positions.weight")
          && g_str_has_prefix (name, "whisper"))
        {
          /* Whisper's sinusoids are fixed: no gradient at all */
          for (gsize j = 0; j < info->numel; j++)
            g_assert_cmpfloat (grad[info->offset + j], ==, 0.0f);
          continue;
        }
      check_fd (&c, P->data + info->offset, info->numel, grad + info->offset, model_loss, &t,
                1e-2f, 12);
      all.sq_diff += c.sq_diff;
      all.sq_a += c.sq_a;
      all.sq_n += c.sq_n;
      all.n += c.n;
      all.max_abs = MAX (all.max_abs, c.max_abs);
      if (sqrt (c.sq_a) >= TENSOR_SMALL)
        report (what, &c, TENSOR_TOL);
      else
        {
          g_test_message ("%-40s entries %4d  max|a-n| %.2e  (|a| %.2e, below the relative check)",
                          what, c.n, c.max_abs, sqrt (c.sq_a));
          if (!(c.max_abs < TENSOR_ABS))
            g_test_fail_printf ("%s: max abs gradient difference %.3e ≥ %.0e", what, c.max_abs,
                                TENSOR_ABS);
        }
    }
  report (name, &all, MODEL_TOL);
  attn_batch_clear (&t.batch);
  g_free (grad);
}

static void
test_transformer (void)
{
  AttnTfConfig cfg = { ATTN_TOY_VOCAB, 8, 12, 2, 2, 2, 32,
                       ATTN_TOY_PAD, ATTN_TOY_BOS, ATTN_TOY_EOS, 0.0f, ATTN_TACT_GELU };
  for (int pass = 0; pass < 2; pass++)
    {
      g_autoptr (GError) error = NULL;
      AttnTrainModel *m;
      AttnRng rng;

      cfg.dropout = pass == 0 ? 0.0f : 0.2f;
      cfg.act = pass == 0 ? ATTN_TACT_GELU : ATTN_TACT_SWISH;  /* smooth: no kinks inside ±h */
      m = attn_train_transformer_new (&cfg, &error);
      g_assert_no_error (error);
      attn_rng_seed (&rng, 11);
      attn_train_transformer_init (m, &rng);
      /* give biases and norms non-trivial values so their gradients are tested too */
      for (gsize i = 0; i < m->params->total; i++)
        m->params->data[i] += 0.05f * attn_rng_normal (&rng);
      check_model (pass == 0 ? "transformer (gelu)" : "transformer (swish, dropout 0.2)", m,
                   pass == 1, make_model_batch);
      m->klass->free (m);
    }
}

/* BERT for sequence classification: word, position and token-type embeddings with
 * their layer norm, the encoder layers, the pooler and the classifier. Token type 1
 * is never used, so its row's gradient is zero (checked by the absolute test). */
static void
test_bert (void)
{
  static const char *const labels[] = { "a", "b", "c" };
  AttnBertConfig cfg = { ATTN_TOY_VOCAB, 8, 12, 2, 2, 8, 2, 3, labels,
                         ATTN_TOY_PAD, 1, 2, 0.0f, ATTN_TACT_GELU };
  for (int pass = 0; pass < 2; pass++)
    {
      g_autoptr (GError) error = NULL;
      AttnTrainModel *m;
      AttnRng rng;

      cfg.dropout = pass == 0 ? 0.0f : 0.2f;
      m = attn_train_bert_new (&cfg, &error);
      g_assert_no_error (error);
      attn_rng_seed (&rng, 17);
      attn_train_bert_init (m, &rng);
      /* BERT's N(0, 0.02) start is nearly linear; larger values exercise tanh, GELU
       * and the layer norms, and make biases and gains non-trivial */
      for (gsize i = 0; i < m->params->total; i++)
        m->params->data[i] += 0.3f * attn_rng_normal (&rng);
      check_model (pass == 0 ? "bert" : "bert (dropout 0.2)", m, pass == 1, make_class_batch);
      m->klass->free (m);
    }
}

/* GPT-2 (pre-layer-norm blocks, c_attn split into q, k, v, learned positions, the
 * output layer tied to the token embeddings) on the decoder side of the same
 * batch: tgt_in → tgt_out, causal attention, padded rows. */
static void
test_gpt2 (void)
{
  AttnGpt2Config cfg = { ATTN_TOY_VOCAB, 8, 12, 2, 2, 8, ATTN_TOY_PAD, ATTN_TOY_BOS,
                         ATTN_TOY_EOS, 0.0f, ATTN_TACT_GELU_NEW };
  for (int pass = 0; pass < 2; pass++)
    {
      g_autoptr (GError) error = NULL;
      AttnTrainModel *m;
      AttnRng rng;

      cfg.dropout = pass == 0 ? 0.0f : 0.2f;
      m = attn_train_gpt2_new (&cfg, &error);
      g_assert_no_error (error);
      attn_rng_seed (&rng, 13);
      attn_train_gpt2_init (m, &rng);
      /* GPT-2's initial weights (σ 0.02) leave most gradients tiny: larger values
       * make every tensor's gradient measurable */
      for (gsize i = 0; i < m->params->total; i++)
        m->params->data[i] += 0.3f * attn_rng_normal (&rng);
      check_model (pass == 0 ? "gpt2 (gelu_new)" : "gpt2 (gelu_new, dropout 0.2)", m, pass == 1,
                   make_model_batch);
      m->klass->free (m);
    }
}

static void
test_rnn_models (void)
{
  static const struct { AttnCell cell; AttnScoreKind score; float dropout; } cases[] = {
    { ATTN_CELL_GRU, ATTN_SCORE_ADDITIVE, 0.0f },
    { ATTN_CELL_GRU, ATTN_SCORE_DOT, 0.0f },
    { ATTN_CELL_GRU, ATTN_SCORE_GENERAL, 0.0f },
    { ATTN_CELL_GRU, ATTN_SCORE_SCALED_DOT, 0.2f },
    { ATTN_CELL_LSTM, ATTN_SCORE_ADDITIVE, 0.2f },
    { ATTN_CELL_LSTM, ATTN_SCORE_GENERAL, 0.0f },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      AttnRnnConfig cfg = { ATTN_TOY_VOCAB, 5, 6, 4, 32, ATTN_TOY_PAD, ATTN_TOY_BOS, ATTN_TOY_EOS,
                            cases[i].cell, cases[i].score, cases[i].dropout };
      g_autoptr (GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("%s %s%s", cases[i].cell == ATTN_CELL_GRU ? "gru" : "lstm",
                                               attn_score_name (cases[i].score),
                                               cases[i].dropout > 0 ? " dropout 0.2" : "");
      AttnTrainModel *m = attn_rnn_new (&cfg, &error);
      AttnRng rng;

      g_assert_no_error (error);
      attn_rng_seed (&rng, 30 + i);
      attn_rnn_init (m, &rng, ATTN_SCORE_INIT_RANDOM);
      for (gsize j = 0; j < m->params->total; j++)
        m->params->data[j] += 0.1f * attn_rng_normal (&rng);
      check_model (name, m, cases[i].dropout > 0, make_model_batch);
      m->klass->free (m);
    }
}

/* Inference's last-position logits (one decoding step) equal the last row of each
 * sequence's logits in a full forward pass, for sequences of different lengths. */
static void
test_rnn_last_logits (void)
{
  static const AttnCell cells[] = { ATTN_CELL_GRU, ATTN_CELL_LSTM };
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      AttnRnnConfig cfg = { ATTN_TOY_VOCAB, 5, 6, 4, 32, ATTN_TOY_PAD, ATTN_TOY_BOS, ATTN_TOY_EOS,
                            cells[i], ATTN_SCORE_ADDITIVE, 0.0f };
      g_autoptr (GError) error = NULL;
      AttnTrainModel *m = attn_rnn_new (&cfg, &error);
      AttnBatch batch = { 0 };
      AttnRng rng;
      float last[3 * ATTN_TOY_VOCAB], max_diff = 0;
      const float *full;

      g_assert_no_error (error);
      attn_rng_seed (&rng, 40 + i);
      attn_rnn_init (m, &rng, ATTN_SCORE_INIT_RANDOM);
      make_model_batch (&batch);
      attn_rnn_forward_last (m, &batch, last);
      m->klass->forward (m, &batch, 0.0f, FALSE, FALSE, NULL, NULL);
      full = m->klass->logits (m);
      for (int b = 0; b < batch.B; b++)
        for (int v = 0; v < ATTN_TOY_VOCAB; v++)
          max_diff = MAX (max_diff, fabsf (last[b * ATTN_TOY_VOCAB + v]
                                           - full[((gsize) b * batch.Tt + batch.tgt_len[b] - 1)
                                                  * ATTN_TOY_VOCAB + v]));
      g_test_message ("%s: last-position logits against the full pass: max |diff| %.2e",
                      cells[i] == ATTN_CELL_GRU ? "gru" : "lstm", max_diff);
      g_assert_cmpfloat (max_diff, <, 1e-5);
      attn_batch_clear (&batch);
      m->klass->free (m);
    }
}

/* score_init: W_g starts as the identity (the dot score) or as zeros (uniform
 * attention); the other tensors keep their random start. */
static void
test_rnn_score_init (void)
{
  static const AttnScoreInit inits[] = { ATTN_SCORE_INIT_IDENTITY, ATTN_SCORE_INIT_ZERO };
  for (guint i = 0; i < G_N_ELEMENTS (inits); i++)
    {
      AttnRnnConfig cfg = { ATTN_TOY_VOCAB, 5, 6, 4, 32, ATTN_TOY_PAD, ATTN_TOY_BOS, ATTN_TOY_EOS,
                            ATTN_CELL_GRU, ATTN_SCORE_GENERAL, 0.0f };
      g_autoptr (GError) error = NULL;
      AttnTrainModel *m = attn_rnn_new (&cfg, &error);
      const AttnParamInfo *g, *comb;
      AttnRng rng;
      double off_diag = 0, comb_sq = 0;

      g_assert_no_error (error);
      attn_rng_seed (&rng, 5);
      attn_rnn_init (m, &rng, inits[i]);
      g = attn_params_find (m->params, "model.decoder.attention.bilinear.weight");
      comb = attn_params_find (m->params, "model.decoder.combine.weight");
      g_assert_nonnull (g);
      g_assert_cmpint (g->shape[0], ==, g->shape[1]);
      for (gint64 r = 0; r < g->shape[0]; r++)
        for (gint64 c = 0; c < g->shape[1]; c++)
          {
            float w = m->params->data[g->offset + r * g->shape[1] + c];
            if (r == c)
              g_assert_cmpfloat (w, ==, inits[i] == ATTN_SCORE_INIT_IDENTITY ? 1.0f : 0.0f);
            else
              off_diag += fabsf (w);
          }
      g_assert_cmpfloat (off_diag, ==, 0.0);
      for (gsize j = 0; j < comb->numel; j++)
        comb_sq += m->params->data[comb->offset + j] * m->params->data[comb->offset + j];
      g_assert_cmpfloat (comb_sq, >, 0.0);
      m->klass->free (m);
    }
}

/* A tensor's lr_scale multiplies its AdamW step: Adam's first step moves every
 * weight by the learning rate (times the sign of its gradient), so scales 1,
 * 0.25 and 0 move by 0.01, 0.0025 and not at all. */
static void
test_adamw_lr_scale (void)
{
  static const float scales[] = { 1.0f, 0.25f, 0.0f };
  AttnParams *p = attn_params_new ();
  AttnOptimConfig oc = { 0 };
  AttnAdamW *opt;
  gint64 shape[1] = { 4 };
  gsize off[3];

  for (guint i = 0; i < 3; i++)
    off[i] = attn_params_add (p, i == 0 ? "a" : i == 1 ? "b" : "c", 1, shape, FALSE);
  attn_params_alloc (p);
  for (guint i = 0; i < 3; i++)
    g_array_index (p->info, AttnParamInfo, i).lr_scale = scales[i];
  for (gsize j = 0; j < p->total; j++)
    {
      p->data[j] = 1.0f;
      p->grad[j] = (j % 2 == 0) ? 0.5f : -2.0f;
    }
  oc.lr = 0.01f;
  oc.beta1 = 0.9f;
  oc.beta2 = 0.999f;
  oc.eps = 1e-8f;
  oc.total_steps = 10;
  oc.decay = ATTN_DECAY_CONSTANT;
  opt = attn_adamw_new (&oc, p->total);
  attn_adamw_update (opt, p);
  for (guint i = 0; i < 3; i++)
    for (gsize j = 0; j < 4; j++)
      {
        float moved = 1.0f - p->data[off[i] + j];
        g_assert_cmpfloat_with_epsilon (moved, (j % 2 == 0 ? 0.01f : -0.01f) * scales[i], 1e-6);
      }
  attn_adamw_free (opt);
  attn_params_free (p);
}

/* Two 1 s clips of smooth random log-mel features; the prompt 1 2 3 4 (labels −1), then
 * 3 and 1 transcript tokens and <|endoftext|> (0). */
static void
make_whisper_batch (AttnBatch *b)
{
  static const gint32 tin[2][7] = { { 1, 2, 3, 4, 5, 9, 7 }, { 1, 2, 3, 4, 11, 0, 0 } };
  static const gint32 tout[2][7] = { { -1, -1, -1, 5, 9, 7, 0 }, { -1, -1, -1, 11, 0, -1, -1 } };
  AttnRng rng;

  attn_batch_reserve (b, 2, 50, 7);
  attn_batch_reserve_feats (b, 80, 100);
  attn_rng_seed (&rng, 77);
  for (gsize i = 0; i < 2 * 80 * 100; i++)
    b->feats[i] = 0.5f * sinf (0.05f * (float) (i % 100) + (float) (i / 100)) + 0.3f * attn_rng_normal (&rng);
  for (int i = 0; i < 2; i++)
    {
      b->src_len[i] = 50;
      b->tgt_len[i] = i == 0 ? 7 : 5;
      for (int j = 0; j < 7; j++)
        {
          b->tgt_in[i * 7 + j] = tin[i][j];
          b->tgt_out[i * 7 + j] = tout[i][j];
        }
    }
}

/* ---- CTC ---- */

typedef struct {
  float logits[6 * 4];
  const gint32 *labels;
  int n;
} CtcCase;

static double
ctc_loss_of (gpointer data)
{
  CtcCase *t = data;
  return attn_op_ctc_loss (t->logits, 6, 4, t->labels, t->n, 0, 1.0f, NULL);
}

static void
test_ctc (void)
{
  static const gint32 rep[] = { 1, 1, 2 }, one[] = { 3 };
  CtcCase t;
  AttnRng rng;
  float g[6 * 4], z1[4] = { 0.3f, -1.0f, 2.0f, 0.5f };
  double lse = 0;

  /* one frame, one label: −log softmax */
  for (int k = 0; k < 4; k++)
    lse += exp (z1[k]);
  g_assert_cmpfloat_with_epsilon (attn_op_ctc_loss (z1, 1, 4, one, 1, 0, 1.0f, NULL),
                                  log (lse) - z1[3], 1e-9);
  /* a repeated label needs a blank between: 3 labels "1 1 2" fit 4 frames, not 3 */
  g_assert_true (isinf (attn_op_ctc_loss (z1, 1, 4, rep, 3, 0, 1.0f, NULL)));
  attn_rng_seed (&rng, 5);
  for (int i = 0; i < 24; i++)
    t.logits[i] = attn_rng_normal (&rng);
  for (int c = 0; c < 2; c++)
    {
      Cmp cmp = { 0 };
      t.labels = c == 0 ? rep : one;
      t.n = c == 0 ? 3 : 1;
      attn_op_ctc_loss (t.logits, 6, 4, t.labels, t.n, 0, 1.0f, g);
      check_fd (&cmp, t.logits, 24, g, ctc_loss_of, &t, 1e-2f, 24);
      report (c == 0 ? "ctc \"1 1 2\" dlogits" : "ctc \"3\" dlogits", &cmp, 1e-3);
    }
}

static void
test_whisper (void)
{
  AttnWhisperTrainConfig cfg = { ATTN_TOY_VOCAB, 8, 12, 2, 2, 2, 80, 50, 10, 0, { 1, 2, 3, 4 }, 4,
                                 2, 3, 4, 0.0f, 0.0f };
  static const char *const names[] = { "whisper", "whisper (dropout 0.2)", "whisper (CTC 0.5)" };
  for (int pass = 0; pass < 3; pass++)
    {
      g_autoptr (GError) error = NULL;
      AttnTrainModel *m;
      AttnRng rng;

      cfg.dropout = pass == 1 ? 0.2f : 0.0f;
      cfg.ctc_weight = pass == 2 ? 0.5f : 0.0f;
      m = attn_train_whisper_new (&cfg, &error);
      g_assert_no_error (error);
      attn_rng_seed (&rng, 12);
      attn_train_whisper_init (m, &rng);
      for (gsize i = 0; i < m->params->total; i++)
        m->params->data[i] += 0.05f * attn_rng_normal (&rng);
      check_model (names[pass], m, pass == 1, make_whisper_batch);
      m->klass->free (m);
    }
}


int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  train_test_init_blas ();
  g_test_add_func ("/train-grad/linear", test_linear);
  g_test_add_func ("/train-grad/layernorm", test_layernorm);
  g_test_add_func ("/train-grad/activations", test_activations);
  g_test_add_func ("/train-grad/embedding", test_embedding);
  g_test_add_func ("/train-grad/attention", test_attention);
  g_test_add_func ("/train-grad/conv1d", test_conv1d);
  g_test_add_func ("/train-grad/cross-entropy", test_cross_entropy);
  g_test_add_func ("/train-grad/dropout", test_dropout);
  g_test_add_func ("/train-grad/rnn-layers", test_rnn_layers);
  g_test_add_func ("/train-grad/transformer", test_transformer);
  g_test_add_func ("/train-grad/bert", test_bert);
  g_test_add_func ("/train-grad/gpt2", test_gpt2);
  g_test_add_func ("/train-grad/ctc", test_ctc);
  g_test_add_func ("/train-grad/whisper", test_whisper);
  g_test_add_func ("/train-grad/rnn-models", test_rnn_models);
  g_test_add_func ("/train-grad/rnn-score-init", test_rnn_score_init);
  g_test_add_func ("/train-grad/rnn-last-logits", test_rnn_last_logits);
  g_test_add_func ("/train-grad/adamw-lr-scale", test_adamw_lr_scale);
  return g_test_run ();
}
