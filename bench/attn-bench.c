/* attn-bench.c — forward-pass speed against OpenBLAS's own sgemm peak, in one run.
 *
 * Builds random-weight checkpoints shaped like BERT-base, GPT-2 small and Whisper
 * tiny in a temporary folder (no download), runs them with attention recorded, and
 * prints latency and achieved GFLOP/s as a fraction of the sgemm figure measured
 * on this machine in the same run. */
#include "attn-model.h"
#include "attn-safetensors.h"

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

typedef struct {
  GPtrArray *names;   /* owned strings */
  GArray    *tensors; /* AttnTensorOut */
  GPtrArray *data;
} Ckpt;

static void
ckpt_init (Ckpt *c)
{
  c->names = g_ptr_array_new_with_free_func (g_free);
  c->tensors = g_array_new (FALSE, TRUE, sizeof (AttnTensorOut));
  c->data = g_ptr_array_new_with_free_func (g_free);
}

static void
ckpt_clear (Ckpt *c)
{
  g_ptr_array_unref (c->names);
  g_array_unref (c->tensors);
  g_ptr_array_unref (c->data);
}

/* Adds a tensor of random values (std `scale`; `one` adds 1 for layer-norm gains). */
static void
add (Ckpt *c, const char *name, int ndim, gint64 d0, gint64 d1, gint64 d2, float scale, float one)
{
  AttnTensorOut t = { 0 };
  gint64 n = d0 * (ndim > 1 ? d1 : 1) * (ndim > 2 ? d2 : 1);
  float *p = g_new (float, n);
  for (gint64 i = 0; i < n; i++)
    p[i] = one + scale * (float) g_rand_double_range (rng, -1.7, 1.7);
  t.name = g_strdup (name);
  g_ptr_array_add (c->names, (char *) t.name);
  t.ndim = ndim;
  t.shape[0] = d0;
  t.shape[1] = d1;
  t.shape[2] = d2;
  t.data = p;
  g_ptr_array_add (c->data, p);
  g_array_append_val (c->tensors, t);
}

static void
addf (Ckpt *c, int ndim, gint64 d0, gint64 d1, gint64 d2, float scale, float one, const char *fmt, ...) G_GNUC_PRINTF (8, 9);
static void
addf (Ckpt *c, int ndim, gint64 d0, gint64 d1, gint64 d2, float scale, float one, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *name = NULL;
  va_start (ap, fmt);
  name = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  add (c, name, ndim, d0, d1, d2, scale, one);
}

static void
write_dir (const char *dir, Ckpt *c, const char *config)
{
  g_autofree char *st = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *cfg = g_build_filename (dir, "config.json", NULL);
  g_autoptr(GError) error = NULL;
  if (!attn_safetensors_write (st, (AttnTensorOut *) c->tensors->data, c->tensors->len, ATTN_DTYPE_F16, NULL, &error) ||
      !g_file_set_contents (cfg, config, -1, &error))
    g_error ("%s", error->message);
}

static void
linear (Ckpt *c, const char *prefix, int in, int out)
{
  addf (c, 2, out, in, 0, 0.02f, 0, "%s.weight", prefix);
  addf (c, 1, out, 0, 0, 0.02f, 0, "%s.bias", prefix);
}

static void
norm (Ckpt *c, const char *prefix, int d)
{
  addf (c, 1, d, 0, 0, 0.02f, 1, "%s.weight", prefix);
  addf (c, 1, d, 0, 0, 0.02f, 0, "%s.bias", prefix);
}

static void
make_bert (const char *dir, int D, int L, int H, int FF, int V)
{
  Ckpt c;
  g_autofree char *config = g_strdup_printf (
    "{\"model_type\":\"bert\",\"hidden_size\":%d,\"num_hidden_layers\":%d,\"num_attention_heads\":%d,"
    "\"intermediate_size\":%d,\"vocab_size\":%d,\"max_position_embeddings\":512,\"type_vocab_size\":2,"
    "\"hidden_act\":\"gelu\",\"num_labels\":2}", D, L, H, FF, V);
  ckpt_init (&c);
  add (&c, "bert.embeddings.word_embeddings.weight", 2, V, D, 0, 0.02f, 0);
  add (&c, "bert.embeddings.position_embeddings.weight", 2, 512, D, 0, 0.02f, 0);
  add (&c, "bert.embeddings.token_type_embeddings.weight", 2, 2, D, 0, 0.02f, 0);
  norm (&c, "bert.embeddings.LayerNorm", D);
  for (int l = 0; l < L; l++)
    {
      g_autofree char *p = g_strdup_printf ("bert.encoder.layer.%d.", l);
      g_autofree char *q = g_strconcat (p, "attention.self.query", NULL), *k = g_strconcat (p, "attention.self.key", NULL);
      g_autofree char *v = g_strconcat (p, "attention.self.value", NULL), *o = g_strconcat (p, "attention.output.dense", NULL);
      g_autofree char *n1 = g_strconcat (p, "attention.output.LayerNorm", NULL), *f1 = g_strconcat (p, "intermediate.dense", NULL);
      g_autofree char *f2 = g_strconcat (p, "output.dense", NULL), *n2 = g_strconcat (p, "output.LayerNorm", NULL);
      linear (&c, q, D, D); linear (&c, k, D, D); linear (&c, v, D, D); linear (&c, o, D, D);
      norm (&c, n1, D); linear (&c, f1, D, FF); linear (&c, f2, FF, D); norm (&c, n2, D);
    }
  linear (&c, "bert.pooler.dense", D, D);
  linear (&c, "classifier", D, 2);
  write_dir (dir, &c, config);
  ckpt_clear (&c);
}

static void
make_gpt2 (const char *dir, int D, int L, int H, int V, int P)
{
  Ckpt c;
  g_autofree char *config = g_strdup_printf (
    "{\"model_type\":\"gpt2\",\"n_embd\":%d,\"n_layer\":%d,\"n_head\":%d,\"vocab_size\":%d,\"n_positions\":%d,"
    "\"eos_token_id\":0}", D, L, H, V, P);
  ckpt_init (&c);
  add (&c, "transformer.wte.weight", 2, V, D, 0, 0.02f, 0);
  add (&c, "transformer.wpe.weight", 2, P, D, 0, 0.02f, 0);
  norm (&c, "transformer.ln_f", D);
  for (int l = 0; l < L; l++)
    {
      addf (&c, 1, D, 0, 0, 0.02f, 1, "transformer.h.%d.ln_1.weight", l);
      addf (&c, 1, D, 0, 0, 0.02f, 0, "transformer.h.%d.ln_1.bias", l);
      addf (&c, 1, D, 0, 0, 0.02f, 1, "transformer.h.%d.ln_2.weight", l);
      addf (&c, 1, D, 0, 0, 0.02f, 0, "transformer.h.%d.ln_2.bias", l);
      addf (&c, 2, D, 3 * D, 0, 0.02f, 0, "transformer.h.%d.attn.c_attn.weight", l);
      addf (&c, 1, 3 * D, 0, 0, 0.02f, 0, "transformer.h.%d.attn.c_attn.bias", l);
      addf (&c, 2, D, D, 0, 0.02f, 0, "transformer.h.%d.attn.c_proj.weight", l);
      addf (&c, 1, D, 0, 0, 0.02f, 0, "transformer.h.%d.attn.c_proj.bias", l);
      addf (&c, 2, D, 4 * D, 0, 0.02f, 0, "transformer.h.%d.mlp.c_fc.weight", l);
      addf (&c, 1, 4 * D, 0, 0, 0.02f, 0, "transformer.h.%d.mlp.c_fc.bias", l);
      addf (&c, 2, 4 * D, D, 0, 0.02f, 0, "transformer.h.%d.mlp.c_proj.weight", l);
      addf (&c, 1, D, 0, 0, 0.02f, 0, "transformer.h.%d.mlp.c_proj.bias", l);
    }
  write_dir (dir, &c, config);
  ckpt_clear (&c);
}

static void
s2s_layer (Ckpt *c, const char *side, int l, int D, int FF, gboolean cross)
{
  static const char *proj[] = { "q_proj", "k_proj", "v_proj", "out_proj" };
  for (int a = 0; a < (cross ? 2 : 1); a++)
    {
      const char *att = a == 0 ? "self_attn" : "encoder_attn";
      for (int p = 0; p < 4; p++)
        {
          addf (c, 2, D, D, 0, 0.02f, 0, "model.%s.layers.%d.%s.%s.weight", side, l, att, proj[p]);
          if (p != 1)
            addf (c, 1, D, 0, 0, 0.02f, 0, "model.%s.layers.%d.%s.%s.bias", side, l, att, proj[p]);
        }
      addf (c, 1, D, 0, 0, 0.02f, 1, "model.%s.layers.%d.%s_layer_norm.weight", side, l, att);
      addf (c, 1, D, 0, 0, 0.02f, 0, "model.%s.layers.%d.%s_layer_norm.bias", side, l, att);
    }
  addf (c, 2, FF, D, 0, 0.02f, 0, "model.%s.layers.%d.fc1.weight", side, l);
  addf (c, 1, FF, 0, 0, 0.02f, 0, "model.%s.layers.%d.fc1.bias", side, l);
  addf (c, 2, D, FF, 0, 0.02f, 0, "model.%s.layers.%d.fc2.weight", side, l);
  addf (c, 1, D, 0, 0, 0.02f, 0, "model.%s.layers.%d.fc2.bias", side, l);
  addf (c, 1, D, 0, 0, 0.02f, 1, "model.%s.layers.%d.final_layer_norm.weight", side, l);
  addf (c, 1, D, 0, 0, 0.02f, 0, "model.%s.layers.%d.final_layer_norm.bias", side, l);
}

static void
make_whisper (const char *dir, int D, int L, int H, int FF, int V, int mels)
{
  Ckpt c;
  g_autofree char *config = g_strdup_printf (
    "{\"model_type\":\"whisper\",\"d_model\":%d,\"encoder_layers\":%d,\"decoder_layers\":%d,"
    "\"encoder_attention_heads\":%d,\"decoder_attention_heads\":%d,\"encoder_ffn_dim\":%d,\"decoder_ffn_dim\":%d,"
    "\"vocab_size\":%d,\"num_mel_bins\":%d,\"max_source_positions\":1500,\"max_target_positions\":448,"
    "\"decoder_start_token_id\":%d,\"eos_token_id\":%d}", D, L, L, H, H, FF, FF, V, mels, V - 2, V - 3);
  ckpt_init (&c);
  add (&c, "model.encoder.conv1.weight", 3, D, mels, 3, 0.02f, 0);
  add (&c, "model.encoder.conv1.bias", 1, D, 0, 0, 0.02f, 0);
  add (&c, "model.encoder.conv2.weight", 3, D, D, 3, 0.02f, 0);
  add (&c, "model.encoder.conv2.bias", 1, D, 0, 0, 0.02f, 0);
  add (&c, "model.encoder.embed_positions.weight", 2, 1500, D, 0, 0.02f, 0);
  add (&c, "model.decoder.embed_positions.weight", 2, 448, D, 0, 0.02f, 0);
  add (&c, "model.decoder.embed_tokens.weight", 2, V, D, 0, 0.02f, 0);
  norm (&c, "model.encoder.layer_norm", D);
  norm (&c, "model.decoder.layer_norm", D);
  for (int l = 0; l < L; l++)
    {
      s2s_layer (&c, "encoder", l, D, FF, FALSE);
      s2s_layer (&c, "decoder", l, D, FF, TRUE);
    }
  write_dir (dir, &c, config);
  ckpt_clear (&c);
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

/* Median of `reps` runs (after one warm-up). */
static double
time_runs (AttnModel *m, const AttnInput *in, const AttnRunOptions *opt, int reps)
{
  double t[16];
  for (int r = 0; r <= reps; r++)
    {
      g_autoptr(GError) error = NULL;
      double t0 = now ();
      AttnResult *res = attn_model_run (m, in, opt, NULL, NULL, NULL, &error);
      if (res == NULL)
        g_error ("%s", error->message);
      attn_result_unref (res);
      if (r > 0)
        t[r - 1] = now () - t0;
    }
  for (int i = 0; i < reps; i++)
    for (int j = i + 1; j < reps; j++)
      if (t[j] < t[i])
        {
          double x = t[i];
          t[i] = t[j];
          t[j] = x;
        }
  return t[reps / 2];
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
    make_bert (bert_dir, 768, 12, 12, 3072, 30522);
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
    make_gpt2 (gpt2_dir, 768, 12, 12, 50257, 1024);
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
    make_whisper (whisper_dir, 384, 4, 6, 1536, 51865, 80);
  }
  if (only == NULL || g_str_equal (only, "whisper"))
  {
    g_autoptr(AttnModel) m = load (whisper_dir);
    gsize n = 30 * 16000;
    g_autofree float *audio = g_new (float, n);
    AttnInput in = { 0 };
    AttnRunOptions opt = ATTN_RUN_OPTIONS_INIT;
    double conv = 2.0 * 3000 * 384 * 80 * 3 + 2.0 * 1500 * 384 * 384 * 3;
    for (gsize i = 0; i < n; i++)
      audio[i] = 0.1f * sinf (i * 0.05f) + 0.01f * (float) g_rand_double_range (rng, -1, 1);
    in.audio_samples = audio;
    in.n_audio_samples = n;
    opt.max_new_tokens = 1;
    opt.kinds_mask = ATTN_KIND_MASK (ATTN_KIND_ENCODER) | ATTN_KIND_MASK (ATTN_KIND_CROSS);
    report ("Whisper tiny, 30 s (mel+enc+1 step)", time_runs (m, &in, &opt, reps),
            conv + encoder_flops (1500, 384, 1536, 4), peak);
  }
  g_rand_free (rng);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
    if (system (cmd) != 0)
      fprintf (stderr, "could not remove %s\n", tmp);
  }
  return 0;
}
