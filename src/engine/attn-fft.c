/* attn-fft.c — a small mixed-radix FFT for real input.
 *
 * A real sequence x of even length n is packed as z[t] = x[2t] + i x[2t+1],
 * transformed with a complex FFT of length m = n/2 and unpacked into the
 * n/2 + 1 non-redundant bins of X. The complex FFT is a Stockham autosort
 * decimation-in-frequency transform: stage by stage, with radix P and the
 * current length L = P * M, for every p < M and stride index q < s:
 *
 *   y[q + s (P p + j)] = W_L^(p j) * sum_r x[q + s (p + M r)] W_P^(r j)
 *
 * after which the next stage works on length M with stride s P. The result
 * ends in natural order, with no bit-reversal pass. */
#include "attn-fft.h"

#include <math.h>

#define MAX_STAGES 40

typedef struct {
  double re, im;
} Cpx;

typedef struct {
  guint radix;
  guint len;       /* L: the length of the sub-transforms this stage splits */
  Cpx  *tw;        /* (L / radix) * (radix - 1) twiddles W_L^(p j), j = 1 .. radix-1 */
  Cpx  *wp;        /* generic stages only: W_P^k, k < radix */
} Stage;

struct _AttnFft {
  guint  n;        /* real length */
  guint  m;        /* complex length, n / 2 */
  guint  n_stages;
  Stage  stages[MAX_STAGES];
  guint  max_radix;
  Cpx   *post;     /* W_n^k, k = 0 .. m, for the real unpacking */
  Cpx   *buf_a;
  Cpx   *buf_b;
  Cpx   *gen_in;   /* scratch for generic stages */
  Cpx   *gen_out;
};

static Cpx
unit_root (guint k, guint n)
{
  /* exp(-2 pi i k / n), with k reduced modulo n first */
  double a = -2.0 * G_PI * (double) (k % n) / (double) n;
  Cpx w = { cos (a), sin (a) };
  return w;
}

static guint
next_factor (guint n)
{
  static const guint preferred[] = { 4, 2, 3, 5 };
  guint f;

  for (guint i = 0; i < G_N_ELEMENTS (preferred); i++)
    if (n % preferred[i] == 0)
      return preferred[i];
  for (f = 7; f * f <= n; f += 2)
    if (n % f == 0)
      return f;
  return n;
}

AttnFft *
attn_fft_new (guint n)
{
  AttnFft *fft;
  guint len;

  if (n < 2 || n % 2 != 0)
    return NULL;

  fft = g_new0 (AttnFft, 1);
  fft->n = n;
  fft->m = n / 2;
  fft->max_radix = 1;

  len = fft->m;
  while (len > 1)
    {
      Stage *st = &fft->stages[fft->n_stages++];
      guint radix = next_factor (len);
      guint mm = len / radix;

      st->radix = radix;
      st->len = len;
      st->tw = g_new (Cpx, (gsize) mm * (radix - 1));
      for (guint p = 0; p < mm; p++)
        for (guint j = 1; j < radix; j++)
          st->tw[(gsize) p * (radix - 1) + (j - 1)] = unit_root (p * j, len);
      if (radix > 5)
        {
          st->wp = g_new (Cpx, radix);
          for (guint k = 0; k < radix; k++)
            st->wp[k] = unit_root (k, radix);
        }
      fft->max_radix = MAX (fft->max_radix, radix);
      len = mm;
    }

  fft->post = g_new (Cpx, fft->m + 1);
  for (guint k = 0; k <= fft->m; k++)
    fft->post[k] = unit_root (k, n);
  fft->buf_a = g_new (Cpx, fft->m);
  fft->buf_b = g_new (Cpx, fft->m);
  fft->gen_in = g_new (Cpx, fft->max_radix);
  fft->gen_out = g_new (Cpx, fft->max_radix);
  return fft;
}

void
attn_fft_free (AttnFft *fft)
{
  if (fft == NULL)
    return;
  for (guint i = 0; i < fft->n_stages; i++)
    {
      g_free (fft->stages[i].tw);
      g_free (fft->stages[i].wp);
    }
  g_free (fft->post);
  g_free (fft->buf_a);
  g_free (fft->buf_b);
  g_free (fft->gen_in);
  g_free (fft->gen_out);
  g_free (fft);
}

guint
attn_fft_length (const AttnFft *fft)
{
  return fft->n;
}

static inline Cpx
cmul (Cpx a, Cpx b)
{
  Cpx r = { a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re };
  return r;
}

static inline void
store (Cpx *y, gsize idx, Cpx v, const Cpx *tw, guint j)
{
  y[idx] = j == 0 ? v : cmul (v, tw[j - 1]);
}

static void
stage_2 (const Stage *st, guint s, const Cpx *x, Cpx *y)
{
  guint mm = st->len / 2;

  for (guint p = 0; p < mm; p++)
    {
      const Cpx *tw = st->tw + p;
      for (guint q = 0; q < s; q++)
        {
          Cpx a0 = x[q + (gsize) s * p];
          Cpx a1 = x[q + (gsize) s * (p + mm)];
          Cpx b0 = { a0.re + a1.re, a0.im + a1.im };
          Cpx b1 = { a0.re - a1.re, a0.im - a1.im };
          y[q + (gsize) s * (2 * p)] = b0;
          store (y, q + (gsize) s * (2 * p + 1), b1, tw, p == 0 ? 0 : 1);
        }
    }
}

static void
stage_3 (const Stage *st, guint s, const Cpx *x, Cpx *y)
{
  const double h = 0.86602540378443864676; /* sin(2 pi / 3) */
  guint mm = st->len / 3;

  for (guint p = 0; p < mm; p++)
    {
      const Cpx *tw = st->tw + (gsize) p * 2;
      guint use = p == 0 ? 0 : 1;
      for (guint q = 0; q < s; q++)
        {
          Cpx a0 = x[q + (gsize) s * p];
          Cpx a1 = x[q + (gsize) s * (p + mm)];
          Cpx a2 = x[q + (gsize) s * (p + 2 * mm)];
          Cpx t1 = { a1.re + a2.re, a1.im + a2.im };
          Cpx t2 = { a0.re - 0.5 * t1.re, a0.im - 0.5 * t1.im };
          Cpx d = { h * (a1.re - a2.re), h * (a1.im - a2.im) };   /* b1 = t2 - i d */
          Cpx b0 = { a0.re + t1.re, a0.im + t1.im };
          Cpx b1 = { t2.re + d.im, t2.im - d.re };
          Cpx b2 = { t2.re - d.im, t2.im + d.re };
          y[q + (gsize) s * (3 * p)] = b0;
          store (y, q + (gsize) s * (3 * p + 1), b1, tw, use * 1);
          store (y, q + (gsize) s * (3 * p + 2), b2, tw, use * 2);
        }
    }
}

static void
stage_4 (const Stage *st, guint s, const Cpx *x, Cpx *y)
{
  guint mm = st->len / 4;

  for (guint p = 0; p < mm; p++)
    {
      const Cpx *tw = st->tw + (gsize) p * 3;
      guint use = p == 0 ? 0 : 1;
      for (guint q = 0; q < s; q++)
        {
          Cpx a0 = x[q + (gsize) s * p];
          Cpx a1 = x[q + (gsize) s * (p + mm)];
          Cpx a2 = x[q + (gsize) s * (p + 2 * mm)];
          Cpx a3 = x[q + (gsize) s * (p + 3 * mm)];
          Cpx t0 = { a0.re + a2.re, a0.im + a2.im };
          Cpx t1 = { a0.re - a2.re, a0.im - a2.im };
          Cpx t2 = { a1.re + a3.re, a1.im + a3.im };
          Cpx t3 = { a1.re - a3.re, a1.im - a3.im };
          Cpx b0 = { t0.re + t2.re, t0.im + t2.im };
          Cpx b2 = { t0.re - t2.re, t0.im - t2.im };
          Cpx b1 = { t1.re + t3.im, t1.im - t3.re };   /* t1 - i t3 */
          Cpx b3 = { t1.re - t3.im, t1.im + t3.re };   /* t1 + i t3 */
          y[q + (gsize) s * (4 * p)] = b0;
          store (y, q + (gsize) s * (4 * p + 1), b1, tw, use * 1);
          store (y, q + (gsize) s * (4 * p + 2), b2, tw, use * 2);
          store (y, q + (gsize) s * (4 * p + 3), b3, tw, use * 3);
        }
    }
}

static void
stage_5 (const Stage *st, guint s, const Cpx *x, Cpx *y)
{
  const double c1 = 0.30901699437494742410;  /* cos(2 pi / 5) */
  const double c2 = -0.80901699437494742410; /* cos(4 pi / 5) */
  const double s1 = 0.95105651629515357212;  /* sin(2 pi / 5) */
  const double s2 = 0.58778525229247312917;  /* sin(4 pi / 5) */
  guint mm = st->len / 5;

  for (guint p = 0; p < mm; p++)
    {
      const Cpx *tw = st->tw + (gsize) p * 4;
      guint use = p == 0 ? 0 : 1;
      for (guint q = 0; q < s; q++)
        {
          Cpx a0 = x[q + (gsize) s * p];
          Cpx a1 = x[q + (gsize) s * (p + mm)];
          Cpx a2 = x[q + (gsize) s * (p + 2 * mm)];
          Cpx a3 = x[q + (gsize) s * (p + 3 * mm)];
          Cpx a4 = x[q + (gsize) s * (p + 4 * mm)];
          Cpx t1 = { a1.re + a4.re, a1.im + a4.im };
          Cpx t2 = { a2.re + a3.re, a2.im + a3.im };
          Cpx t3 = { a1.re - a4.re, a1.im - a4.im };
          Cpx t4 = { a2.re - a3.re, a2.im - a3.im };
          Cpx m1 = { a0.re + c1 * t1.re + c2 * t2.re, a0.im + c1 * t1.im + c2 * t2.im };
          Cpx m2 = { a0.re + c2 * t1.re + c1 * t2.re, a0.im + c2 * t1.im + c1 * t2.im };
          Cpx n1 = { s1 * t3.re + s2 * t4.re, s1 * t3.im + s2 * t4.im };
          Cpx n2 = { s2 * t3.re - s1 * t4.re, s2 * t3.im - s1 * t4.im };
          Cpx b0 = { a0.re + t1.re + t2.re, a0.im + t1.im + t2.im };
          Cpx b1 = { m1.re + n1.im, m1.im - n1.re };   /* m1 - i n1 */
          Cpx b4 = { m1.re - n1.im, m1.im + n1.re };   /* m1 + i n1 */
          Cpx b2 = { m2.re + n2.im, m2.im - n2.re };   /* m2 - i n2 */
          Cpx b3 = { m2.re - n2.im, m2.im + n2.re };   /* m2 + i n2 */
          y[q + (gsize) s * (5 * p)] = b0;
          store (y, q + (gsize) s * (5 * p + 1), b1, tw, use * 1);
          store (y, q + (gsize) s * (5 * p + 2), b2, tw, use * 2);
          store (y, q + (gsize) s * (5 * p + 3), b3, tw, use * 3);
          store (y, q + (gsize) s * (5 * p + 4), b4, tw, use * 4);
        }
    }
}

static void
stage_generic (AttnFft *fft, const Stage *st, guint s, const Cpx *x, Cpx *y)
{
  guint P = st->radix;
  guint mm = st->len / P;
  Cpx *a = fft->gen_in;
  Cpx *b = fft->gen_out;

  for (guint p = 0; p < mm; p++)
    {
      const Cpx *tw = st->tw + (gsize) p * (P - 1);
      for (guint q = 0; q < s; q++)
        {
          for (guint r = 0; r < P; r++)
            a[r] = x[q + (gsize) s * (p + (gsize) mm * r)];
          for (guint j = 0; j < P; j++)
            {
              Cpx acc = { 0.0, 0.0 };
              for (guint r = 0; r < P; r++)
                {
                  Cpx t = cmul (a[r], st->wp[((gsize) r * j) % P]);
                  acc.re += t.re;
                  acc.im += t.im;
                }
              b[j] = acc;
            }
          for (guint j = 0; j < P; j++)
            store (y, q + (gsize) s * ((gsize) P * p + j), b[j], tw, p == 0 ? 0 : j);
        }
    }
}

void
attn_fft_real_forward (AttnFft *fft, const double *in, double *out_re, double *out_im)
{
  guint m = fft->m;
  Cpx *x = fft->buf_a;
  Cpx *y = fft->buf_b;
  guint s = 1;

  for (guint t = 0; t < m; t++)
    {
      x[t].re = in[2 * t];
      x[t].im = in[2 * t + 1];
    }

  for (guint i = 0; i < fft->n_stages; i++)
    {
      const Stage *st = &fft->stages[i];
      Cpx *tmp;

      switch (st->radix)
        {
        case 2: stage_2 (st, s, x, y); break;
        case 3: stage_3 (st, s, x, y); break;
        case 4: stage_4 (st, s, x, y); break;
        case 5: stage_5 (st, s, x, y); break;
        default: stage_generic (fft, st, s, x, y); break;
        }
      s *= st->radix;
      tmp = x;
      x = y;
      y = tmp;
    }

  /* Unpack: with Z = FFT_m(z), E[k] = (Z[k] + conj Z[m-k]) / 2 is the transform
   * of the even samples, O[k] = (Z[k] - conj Z[m-k]) / 2i that of the odd ones,
   * and X[k] = E[k] + W_n^k O[k]. */
  for (guint k = 0; k <= m; k++)
    {
      Cpx zk = x[k % m];
      Cpx zc = x[(m - k) % m];
      double er = 0.5 * (zk.re + zc.re);
      double ei = 0.5 * (zk.im - zc.im);
      double dr = 0.5 * (zk.re - zc.re);
      double di = 0.5 * (zk.im + zc.im);
      /* O = (dr + i di) / i = di - i dr */
      Cpx o = { di, -dr };
      Cpx wo = cmul (fft->post[k], o);
      out_re[k] = er + wo.re;
      out_im[k] = ei + wo.im;
    }
}
