/* attn-rnn-cell.c — GRU and LSTM layers over a padded batch, forward and
 * backward through time, with PyTorch's gate order and weight layout
 * (GRU: r, z, n; LSTM: i, f, g, o; weight_ih [G·H, in], weight_hh [G·H, H]).
 *
 * Time-major buffers: x [T, B, in], outputs [T, B, H]. A sequence b is valid
 * for t < len[b]; at invalid steps the state is carried unchanged, so a
 * forward layer's final state is the state after its last real token and a
 * reverse layer starts from zero at each sequence's own end. */
#include <math.h>
#include <string.h>
#include <cblas.h>

#include "attn-rnn-private.h"

static inline float
sigmoidf (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

int
attn_rnn_gates (AttnCell cell)
{
  return cell == ATTN_CELL_LSTM ? 4 : 3;
}

void
attn_rnn_bufs_init (AttnRnnBufs *b, AttnCell cell, int T, int B, int H)
{
  gsize g = attn_rnn_gates (cell), n = (gsize) T * B;
  b->xw = g_new0 (float, n * g * H);
  b->cache = g_new0 (float, n * 5 * H);
  b->hprev = g_new0 (float, n * H);
  b->cprev = g_new0 (float, n * H);
  b->hout = g_new0 (float, n * H);
  b->dxw = g_new0 (float, n * g * H);
  b->dhw = g_new0 (float, n * g * H);
  b->tmp = g_new0 (float, (gsize) B * g * H);
  b->h = g_new0 (float, (gsize) B * H);
  b->c = g_new0 (float, (gsize) B * H);
  b->dh = g_new0 (float, (gsize) B * H);
  b->dc = g_new0 (float, (gsize) B * H);
}

void
attn_rnn_bufs_clear (AttnRnnBufs *b)
{
  g_free (b->xw); g_free (b->cache); g_free (b->hprev); g_free (b->cprev); g_free (b->hout);
  g_free (b->dxw); g_free (b->dhw); g_free (b->tmp);
  g_free (b->h); g_free (b->c); g_free (b->dh); g_free (b->dc);
  memset (b, 0, sizeof *b);
}

static inline gboolean
valid (const AttnRnnSeq *s, int b, int t)
{
  return s->len == NULL || t < s->len[b];
}

void
attn_rnn_seq_fwd (const AttnRnnSeq *s, const float *x, const float *h0, const float *c0,
                  AttnRnnBufs *w)
{
  int B = s->B, H = s->H, G = attn_rnn_gates (s->cell), GH = G * H;

  /* input projections for every step at once */
  attn_op_linear_fwd (x, s->T * B, s->in, s->w_ih, s->b_ih, GH, w->xw);
  if (h0 != NULL)
    memcpy (w->h, h0, sizeof (float) * B * H);
  else
    memset (w->h, 0, sizeof (float) * B * H);
  if (c0 != NULL)
    memcpy (w->c, c0, sizeof (float) * B * H);
  else
    memset (w->c, 0, sizeof (float) * B * H);

  for (int k = 0; k < s->T; k++)
    {
      int t = s->reverse ? s->T - 1 - k : k;
      gsize row = (gsize) t * B;
      memcpy (w->hprev + row * H, w->h, sizeof (float) * B * H);
      memcpy (w->cprev + row * H, w->c, sizeof (float) * B * H);
      attn_op_linear_fwd (w->h, B, H, s->w_hh, s->b_hh, GH, w->tmp);
      for (int b = 0; b < B; b++)
        {
          const float *xg = w->xw + (row + b) * GH, *hg = w->tmp + (gsize) b * GH;
          float *cache = w->cache + (row + b) * 5 * H;
          float *h = w->h + (gsize) b * H, *c = w->c + (gsize) b * H;
          gboolean ok = valid (s, b, t);

          if (s->cell == ATTN_CELL_GRU)
            for (int j = 0; j < H; j++)
              {
                float r = sigmoidf (xg[j] + hg[j]);
                float z = sigmoidf (xg[H + j] + hg[H + j]);
                float hn = hg[2 * H + j];
                float n = attn_tanhf (xg[2 * H + j] + r * hn);
                cache[j] = r;
                cache[H + j] = z;
                cache[2 * H + j] = n;
                cache[3 * H + j] = hn;
                if (ok)
                  h[j] = (1.0f - z) * n + z * h[j];
              }
          else
            for (int j = 0; j < H; j++)
              {
                float i = sigmoidf (xg[j] + hg[j]);
                float f = sigmoidf (xg[H + j] + hg[H + j]);
                float g = attn_tanhf (xg[2 * H + j] + hg[2 * H + j]);
                float o = sigmoidf (xg[3 * H + j] + hg[3 * H + j]);
                float cn = f * c[j] + i * g;
                cache[j] = i;
                cache[H + j] = f;
                cache[2 * H + j] = g;
                cache[3 * H + j] = o;
                cache[4 * H + j] = cn;
                if (ok)
                  {
                    c[j] = cn;
                    h[j] = o * attn_tanhf (cn);
                  }
              }
        }
      memcpy (w->hout + row * H, w->h, sizeof (float) * B * H);
    }
}

void
attn_rnn_seq_bwd (const AttnRnnSeq *s, const float *x, AttnRnnBufs *w, const float *dhout,
                  const float *dh_final, const float *dc_final, float *dx, float *dh0, float *dc0)
{
  int B = s->B, H = s->H, G = attn_rnn_gates (s->cell), GH = G * H, N = s->T * B;

  if (dh_final != NULL)
    memcpy (w->dh, dh_final, sizeof (float) * B * H);
  else
    memset (w->dh, 0, sizeof (float) * B * H);
  if (dc_final != NULL)
    memcpy (w->dc, dc_final, sizeof (float) * B * H);
  else
    memset (w->dc, 0, sizeof (float) * B * H);

  for (int k = s->T - 1; k >= 0; k--)
    {
      int t = s->reverse ? s->T - 1 - k : k;
      gsize row = (gsize) t * B;
      /* w->tmp becomes the gradient for the previous state, before the W_hh product */
      float *dprev = w->tmp;

      if (dhout != NULL)
        attn_op_add (w->dh, dhout + row * H, (gsize) B * H);
      for (int b = 0; b < B; b++)
        {
          const float *cache = w->cache + (row + b) * 5 * H;
          const float *hp = w->hprev + (row + b) * H, *cp = w->cprev + (row + b) * H;
          float *dxg = w->dxw + (row + b) * GH, *dhg = w->dhw + (row + b) * GH;
          float *dh = w->dh + (gsize) b * H, *dc = w->dc + (gsize) b * H;
          float *dp = dprev + (gsize) b * H;

          if (!valid (s, b, t))
            {
              memset (dxg, 0, sizeof (float) * GH);
              memset (dhg, 0, sizeof (float) * GH);
              memcpy (dp, dh, sizeof (float) * H);   /* the state passed through */
              continue;
            }
          if (s->cell == ATTN_CELL_GRU)
            for (int j = 0; j < H; j++)
              {
                float r = cache[j], z = cache[H + j], n = cache[2 * H + j], hn = cache[3 * H + j];
                float dn = dh[j] * (1.0f - z), dz = dh[j] * (hp[j] - n);
                float dnp = dn * (1.0f - n * n);
                float drp = dnp * hn * r * (1.0f - r), dzp = dz * z * (1.0f - z);
                dxg[j] = drp;
                dxg[H + j] = dzp;
                dxg[2 * H + j] = dnp;
                dhg[j] = drp;
                dhg[H + j] = dzp;
                dhg[2 * H + j] = dnp * r;
                dp[j] = dh[j] * z;
              }
          else
            for (int j = 0; j < H; j++)
              {
                float i = cache[j], f = cache[H + j], g = cache[2 * H + j], o = cache[3 * H + j];
                float tc = attn_tanhf (cache[4 * H + j]);
                float dct = dc[j] + dh[j] * o * (1.0f - tc * tc);
                float dop = dh[j] * tc * o * (1.0f - o);
                float dip = dct * g * i * (1.0f - i);
                float dfp = dct * cp[j] * f * (1.0f - f);
                float dgp = dct * i * (1.0f - g * g);
                dxg[j] = dhg[j] = dip;
                dxg[H + j] = dhg[H + j] = dfp;
                dxg[2 * H + j] = dhg[2 * H + j] = dgp;
                dxg[3 * H + j] = dhg[3 * H + j] = dop;
                dc[j] = dct * f;
                dp[j] = 0.0f;
              }
        }
      /* dprev += dHW W_hh; masked rows have dHW = 0 */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, GH, 1.0f,
                   w->dhw + row * GH, GH, s->w_hh, H, 1.0f, dprev, H);
      memcpy (w->dh, dprev, sizeof (float) * B * H);
    }

  /* weight gradients over all steps at once */
  attn_op_linear_bwd (x, N, s->in, s->w_ih, GH, w->dxw, dx, s->dw_ih, s->db_ih);
  attn_op_linear_bwd (w->hprev, N, H, s->w_hh, GH, w->dhw, NULL, s->dw_hh, s->db_hh);
  if (dh0 != NULL)
    attn_op_add (dh0, w->dh, (gsize) B * H);
  if (dc0 != NULL)
    attn_op_add (dc0, w->dc, (gsize) B * H);
}
