/* attn-bench.c — forward-pass speed against OpenBLAS's own sgemm peak, in one run.
 *
 * Builds random-weight checkpoints shaped like BERT-base, GPT-2 small and Whisper
 * tiny in a temporary folder (no download), runs them with attention recorded, and
 * prints latency and achieved GFLOP/s as a fraction of the sgemm figure measured
 * on this machine in the same run. */
#include "attn-model.h"
#include "bench-models.h"

#include <cblas.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static GRand *rng;

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* Best-of-N GFLOP/s of a large square sgemm. */
static double
sgemm_peak (int n, int reps)
{
  float *a = g_new (float, (gsize) n * n), *b = g_new (float, (gsize) n * n), *c = g_new (float, (gsize) n * n);
  double best = 0;
  for (gsize i = 0; i < (gsize) n * n; i++)
    {
      a[i] = g_rand_double_range (rng, -1, 1);
      b[i] = g_rand_double_range (rng, -1, 1);
    }
  for (int r = 0; r < reps + 1; r++)
    {
      double t0 = now (), dt;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      dt = now () - t0;
      if (r > 0)
        best = MAX (best, 2.0 * n * n * n / dt / 1e9);
    }
  g_free (a);
  g_free (b);
  g_free (c);
  return best;
}

static AttnModel *
load (const char *dir)
{
  g_autoptr(GError) error = NULL;
  AttnModel *m = attn_model_load (dir, &error);
  if (m == NULL)
    g_error ("%s", error->message);
  return m;
}

static double
median (double *t, int n)
{
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (t[j] < t[i])
        {
          double x = t[i];
          t[i] = t[j];
          t[j] = x;
        }
  return t[n / 2];
}

typedef struct {
  double start, encoded;
} RunClock;

/* The engine reports "encoder" progress after each encoder layer: the last report
 * of a run marks the end of its encoder pass. */
static void
on_progress (double fraction, const char *what, gpointer data)
{
  RunClock *c = data;
  if (g_strcmp0 (what, "encoder") == 0)
    c->encoded = now () - c->start;
}

/* Median of `reps` runs (after one warm-up); *encoder_median (when not NULL) gets the
 * median time to the end of the encoder pass. */
static double
time_runs_split (AttnModel *m, const AttnInput *in, const AttnRunOptions *opt, int reps, double *encoder_median)
{
  double t[16], te[16];
  for (int r = 0; r <= reps; r++)
    {
      g_autoptr(GError) error = NULL;
      RunClock clock = { now (), 0 };
      AttnResult *res = attn_model_run (m, in, opt, NULL, on_progress, &clock, &error);
      if (res == NULL)
        g_error ("%s", error->message);
      attn_result_unref (res);
      if (r > 0)
        {
          t[r - 1] = now () - clock.start;
          te[r - 1] = clock.encoded;
        }
    }
  if (encoder_median != NULL)
    *encoder_median = median (te, reps);
  return median (t, reps);
}

static double
time_runs (AttnModel *m, const AttnInput *in, const AttnRunOptions *opt, int reps)
{
  return time_runs_split (m, in, opt, reps, NULL);
}

/* Peak resident memory of this process so far, in MB. */
static double
peak_rss_mb (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

static double
encoder_flops (double T, double D, double FF, double L)
{
  return L * (2 * T * D * 4 * D + 4 * T * T * D + 4 * T * D * FF);
}

static void
report (const char *what, double seconds, double flops, double peak)
{
  double gf = flops / seconds / 1e9;
  printf ("%-34s %8.1f ms  %7.1f GFLOP/s  %5.1f %% of sgemm\n", what, seconds * 1e3, gf, 100 * gf / peak);
}

int
main (int argc, char **argv)
{
  g_autofree char *tmp = g_dir_make_tmp ("attn-bench-XXXXXX", NULL);
  g_autofree char *bert_dir = g_build_filename (tmp, "bert", NULL);
  g_autofree char *gpt2_dir = g_build_filename (tmp, "gpt2", NULL);
  g_autofree char *whisper_dir = g_build_filename (tmp, "whisper", NULL);
  int reps = argc > 1 ? atoi (argv[1]) : 3;
  const char *only = argc > 2 ? argv[2] : NULL;   /* bert, gpt2 or whisper */
  double peak;

  reps = CLAMP (reps, 1, 15);
  rng = g_rand_new_with_seed (1234);
  g_mkdir (bert_dir, 0700);
  g_mkdir (gpt2_dir, 0700);
  g_mkdir (whisper_dir, 0700);
  printf ("Attention Lens forward-pass benchmark (%s, %d runs each, median)\n",
          g_getenv ("OPENBLAS_NUM_THREADS") ? g_getenv ("OPENBLAS_NUM_THREADS") : "default threads", reps);
  peak = sgemm_peak (2048, 3);
  printf ("%-34s %8s     %7.1f GFLOP/s  (2048³, best of 3)\n", "OpenBLAS sgemm", "", peak);

  /* BERT-base: 12 layers, 768 wide, 12 heads, 3072 feed-forward */
  if (only == NULL || g_str_equal (only, "bert"))
  {
    bench_make_bert (rng, bert_dir, 768, 12, 12, 3072, 30522);
  }
  if (only == NULL || g_str_equal (only, "bert"))
  {
    g_autoptr(AttnModel) m = load (bert_dir);
    for (int T = 128; T <= 512; T *= 4)
      {
        g_autofree gint32 *ids = g_new (gint32, T);
        g_autofree char *what = g_strdup_printf ("BERT-base, %d tokens", T);
        AttnInput in = { 0 };
        AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
        for (int i = 0; i < T; i++)
          ids[i] = g_rand_int_range (rng, 0, 30522);
        in.input_ids = ids;
        in.n_input_ids = T;
        report (what, time_runs (m, &in, &opt, reps), encoder_flops (T, 768, 3072, 12), peak);
      }
    printf ("%-34s %8.0f MB  (weights, a 512-token result and its buffers)\n", "  peak resident memory", peak_rss_mb ());
  }
  /* GPT-2 small: 12 layers, 768 wide, 12 heads, 50257 tokens; forward over 512 tokens */
  if (only == NULL || g_str_equal (only, "gpt2"))
  {
    bench_make_gpt2 (rng, gpt2_dir, 768, 12, 12, 50257, 1024);
  }
  if (only == NULL || g_str_equal (only, "gpt2"))
  {
    g_autoptr(AttnModel) m = load (gpt2_dir);
    int T = 512;
    g_autofree gint32 *ids = g_new (gint32, T);
    AttnInput in = { 0 };
    AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
    for (int i = 0; i < T; i++)
      ids[i] = g_rand_int_range (rng, 0, 50257);
    in.input_ids = ids;
    in.n_input_ids = T;
    report ("GPT-2 small, 512 tokens (+LM head)", time_runs (m, &in, &opt, reps),
            encoder_flops (T, 768, 3072, 12) + 2.0 * T * 768 * 50257, peak);
  }
  /* Whisper tiny: 4+4 layers, 384 wide, 6 heads; 30 s of audio, one token decoded */
  if (only == NULL || g_str_equal (only, "whisper"))
  {
    bench_make_whisper (rng, whisper_dir, 384, 4, 6, 1536, 51865, 80);
  }
  if (only == NULL || g_str_equal (only, "whisper"))
  {
    g_autoptr(AttnModel) m = load (whisper_dir);
    gsize n = 30 * 16000;
    g_autofree float *audio = g_new (float, n);
    AttnInput in = { 0 };
    AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
    double conv = 2.0 * 3000 * 384 * 80 * 3 + 2.0 * 1500 * 384 * 384 * 3, encoder, whole;
    for (gsize i = 0; i < n; i++)
      audio[i] = 0.1f * sinf (i * 0.05f) + 0.01f * (float) g_rand_double_range (rng, -1, 1);
    in.audio_samples = audio;
    in.n_audio_samples = n;
    opt.max_new_tokens = 1;
    opt.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_ENCODER) | ATTN_KIND_MASK (ATTN_KIND_CROSS);
    whole = time_runs_split (m, &in, &opt, reps, &encoder);
    report ("Whisper tiny, 30 s (mel+encoder)", encoder, conv + encoder_flops (1500, 384, 1536, 4), peak);
    report ("Whisper tiny, 30 s (mel+enc+1 step)", whole, conv + encoder_flops (1500, 384, 1536, 4), peak);
  }
  g_rand_free (rng);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
    if (system (cmd) != 0)
      fprintf (stderr, "could not remove %s\n", tmp);
  }
  return 0;
}
