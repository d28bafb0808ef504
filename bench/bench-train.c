/* bench-train.c — training throughput of an encoder–decoder Transformer
 * (d = 256, 3 + 3 layers, 4 heads, FFN 1024, Marian layout) on the reverse task,
 * in target tokens per second and in achieved GFLOP/s as a fraction of
 * OpenBLAS's sgemm peak measured in the same run (machines are shared and noisy,
 * so only the ratio within one run means much).
 *
 *   ./build/bench/attn-bench-train [--steps N] [--batch N] [--len N]
 *
 * FLOPs count the matrix products of forward and backward (3 × forward) on the
 * padded batch; layer norms, softmax, activations and the optimizer are not
 * counted but their time is. Two ratios are printed: by wall-clock time (against
 * the mean of the peaks measured before and after), and by process CPU time,
 * which holds steadier when other programs share the cores. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>

#include "attn-trainer-private.h"

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
  double wall, cpu;   /* GFLOP per wall second, per CPU second */
} Rate;

/* Best-of-N GFLOP/s of a square sgemm, by wall and by CPU time. */
static Rate
sgemm_peak (int n, int reps)
{
  float *a = g_new (float, (gsize) n * n), *b = g_new (float, (gsize) n * n);
  float *c = g_new (float, (gsize) n * n);
  Rate best = { 0, 0 };
  for (gsize i = 0; i < (gsize) n * n; i++)
    {
      a[i] = (float) ((i * 7) % 13) / 13.0f - 0.5f;
      b[i] = (float) ((i * 5) % 11) / 11.0f - 0.5f;
    }
  for (int r = 0; r < reps + 1; r++)
    {
      double t0 = now (), c0 = cpu_now (), dt, dc;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      dt = now () - t0;
      dc = cpu_now () - c0;
      if (r > 0)   /* the first call warms up the threads */
        {
          best.wall = MAX (best.wall, 2.0 * n * n * (double) n / dt / 1e9);
          best.cpu = MAX (best.cpu, 2.0 * n * n * (double) n / dc / 1e9);
        }
    }
  g_free (a);
  g_free (b);
  g_free (c);
  return best;
}

int
main (int argc, char **argv)
{
  int steps = 20, batch = 64, len = 30;
  AttnTrainConfig c;
  g_autoptr (GError) error = NULL;
  AttnTrainer *t;
  Rate peak, peak_after;
  double t0, c0, dt, dc, flops = 0, peak_wall;
  gint64 tokens = 0;

  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--steps"))
        steps = atoi (argv[i + 1]);
      else if (g_str_equal (argv[i], "--batch"))
        batch = atoi (argv[i + 1]);
      else if (g_str_equal (argv[i], "--len"))
        len = atoi (argv[i + 1]);
    }
  if (steps < 1 || batch < 1 || len < 2 || len > 40)
    {
      fprintf (stderr, "usage: attn-bench-train [--steps N] [--batch N] [--len 2..40]\n");
      return 2;
    }

  peak = sgemm_peak (2048, 3);
  printf ("%-36s %8.1f GFLOP/s  %6.1f GFLOP per CPU-second  (2048³, best of 3)\n",
          "OpenBLAS sgemm", peak.wall, peak.cpu);

  attn_train_config_init (&c, ATTN_TASK_REVERSE, ATTN_ARCH_TRANSFORMER);
  c.d_model = 256;
  c.ffn_dim = 1024;
  c.layers = 3;
  c.heads = 4;
  c.batch_size = batch;
  c.min_len = len - 2;
  c.max_len = len;
  c.steps = 1000;
  c.lr = 5e-4f;
  c.eval_size = 1;
  t = attn_trainer_new (&c, &error);
  if (t == NULL)
    {
      fprintf (stderr, "attn-bench-train: %s\n", error->message);
      return 1;
    }
  printf ("Transformer d=256, 3+3 layers, 4 heads, FFN 1024: %" G_GINT64_FORMAT " parameters; "
          "batch %d × %d–%d digits\n", attn_trainer_get_n_params (t), batch, len - 2, len);

  /* warm-up: buffers are sized on the first steps */
  if (!attn_trainer_step (t, 2, NULL, NULL, &error))
    {
      fprintf (stderr, "attn-bench-train: %s\n", error->message);
      return 1;
    }
  t0 = now ();
  c0 = cpu_now ();
  for (int s = 0; s < steps; s++)
    {
      int n_tok = 0;
      attn_trainer_step (t, 1, NULL, NULL, NULL);
      for (int b = 0; b < t->batch.B; b++)
        n_tok += t->batch.tgt_len[b];
      tokens += n_tok;
      flops += (double) attn_train_transformer_flops (t->model, t->batch.B, t->batch.Ts, t->batch.Tt);
    }
  dt = now () - t0;
  dc = cpu_now () - c0;
  peak_after = sgemm_peak (2048, 3);
  printf ("%-36s %8.1f GFLOP/s  %6.1f GFLOP per CPU-second  (re-measured after)\n",
          "OpenBLAS sgemm", peak_after.wall, peak_after.cpu);
  peak_wall = 0.5 * (peak.wall + peak_after.wall);
  printf ("%-36s %8.1f ms/step  %8.0f tokens/s  (%.0f GFLOP per step)\n",
          "training step (fwd + bwd + AdamW)", 1e3 * dt / steps, tokens / dt, flops / steps / 1e9);
  printf ("%-36s %8.1f GFLOP/s  %5.1f %% of the sgemm peak (wall clock)\n",
          "achieved (matrix products)", flops / dt / 1e9, 100 * flops / dt / 1e9 / peak_wall);
  printf ("%-36s %8.1f GFLOP per CPU-second  %5.1f %% of the sgemm peak (CPU time)\n",
          "", flops / dc / 1e9, 100 * flops / dc / 1e9 / MAX (peak.cpu, peak_after.cpu));
  attn_trainer_free (t);
  return 0;
}
