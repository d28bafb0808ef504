/* bench-models.c — random-weight checkpoints shaped like BERT, GPT-2 and Whisper. */
#include "bench-models.h"

#include <stdarg.h>

#include "attn-safetensors.h"

typedef struct {
  GRand     *rng;
  GPtrArray *names;   /* owned strings */
  GArray    *tensors; /* AttnTensorOut */
  GPtrArray *data;
} Ckpt;

static void
ckpt_init (Ckpt *c, GRand *rng)
{
  c->rng = rng;
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
    p[i] = one + scale * (float) g_rand_double_range (c->rng, -1.7, 1.7);
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

void
bench_make_bert (GRand *rng, const char *dir, int D, int L, int H, int FF, int V)
{
  Ckpt c;
  g_autofree char *config = g_strdup_printf (
    "{\"model_type\":\"bert\",\"hidden_size\":%d,\"num_hidden_layers\":%d,\"num_attention_heads\":%d,"
    "\"intermediate_size\":%d,\"vocab_size\":%d,\"max_position_embeddings\":512,\"type_vocab_size\":2,"
    "\"hidden_act\":\"gelu\",\"num_labels\":2}", D, L, H, FF, V);
  ckpt_init (&c, rng);
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

void
bench_make_gpt2 (GRand *rng, const char *dir, int D, int L, int H, int V, int P)
{
  Ckpt c;
  g_autofree char *config = g_strdup_printf (
    "{\"model_type\":\"gpt2\",\"n_embd\":%d,\"n_layer\":%d,\"n_head\":%d,\"vocab_size\":%d,\"n_positions\":%d,"
    "\"eos_token_id\":0}", D, L, H, V, P);
  ckpt_init (&c, rng);
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

void
bench_make_whisper (GRand *rng, const char *dir, int D, int L, int H, int FF, int V, int mels)
{
  Ckpt c;
  g_autofree char *config = g_strdup_printf (
    "{\"model_type\":\"whisper\",\"d_model\":%d,\"encoder_layers\":%d,\"decoder_layers\":%d,"
    "\"encoder_attention_heads\":%d,\"decoder_attention_heads\":%d,\"encoder_ffn_dim\":%d,\"decoder_ffn_dim\":%d,"
    "\"vocab_size\":%d,\"num_mel_bins\":%d,\"max_source_positions\":1500,\"max_target_positions\":448,"
    "\"decoder_start_token_id\":%d,\"eos_token_id\":%d}", D, L, L, H, H, FF, FF, V, mels, V - 2, V - 3);
  ckpt_init (&c, rng);
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
