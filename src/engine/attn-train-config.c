/* attn-train-config.c — a training configuration's defaults for each architecture,
 * and the architectures' names (recipes, trainer_state.json, the CLI). */
#include <string.h>

#include "attn-trainer.h"

void
attn_train_config_init (AttnTrainConfig *c, AttnTask task, AttnTrainArch arch)
{
  memset (c, 0, sizeof *c);
  c->task = task;
  c->arch = arch;
  c->score = ATTN_SCORE_ADDITIVE;
  c->seed = 1;
  c->min_len = 8;
  c->max_len = 12;
  c->batch_size = 64;
  c->beta1 = 0.9f;
  c->beta2 = 0.98f;
  c->weight_decay = 0.01f;
  c->clip_norm = 1.0f;
  c->decay = ATTN_DECAY_COSINE;
  c->min_lr_ratio = 0.05f;
  c->dropout = 0.0f;
  c->score_lr_scale = 1.0f;
  c->label_smoothing = 0.0f;
  c->eval_size = 500;
  c->source_column = 0;
  c->target_column = 1;
  c->max_tokens = 64;
  c->context = 128;
  c->n_mels = 80;
  c->window_seconds = 30;
  if (arch == ATTN_ARCH_GRU || arch == ATTN_ARCH_LSTM)
    {
      c->steps = 600;
      c->lr = 3e-3f;
      c->warmup_steps = 50;
      c->embed_dim = 32;
      c->hidden_size = 128;
      c->attention_dim = 64;
      return;
    }
  {
    /* the Transformer family: sizes that learn quickly on a laptop CPU */
    static const struct {
      int steps, batch_size, warmup_steps, d_model, ffn_dim, layers, heads;
      float lr;
      AttnTrainAct activation;
    } sizes[] = {
      [ATTN_ARCH_TRANSFORMER] = { 800, 64, 100, 64, 256, 2, 4, 3e-3f, ATTN_TRAIN_ACT_RELU },
      [ATTN_ARCH_BERT] = { 1000, 32, 100, 128, 512, 2, 4, 1e-3f, ATTN_TRAIN_ACT_GELU },
      [ATTN_ARCH_GPT2] = { 2000, 16, 100, 128, 512, 2, 4, 1e-3f, ATTN_TRAIN_ACT_GELU_NEW },
      [ATTN_ARCH_WHISPER] = { 2000, 32, 200, 128, 512, 2, 4, 1e-3f, ATTN_TRAIN_ACT_GELU },
    };
    c->steps = sizes[arch].steps;
    c->batch_size = sizes[arch].batch_size;
    c->warmup_steps = sizes[arch].warmup_steps;
    c->d_model = sizes[arch].d_model;
    c->ffn_dim = sizes[arch].ffn_dim;
    c->layers = sizes[arch].layers;
    c->heads = sizes[arch].heads;
    c->lr = sizes[arch].lr;
    c->activation = sizes[arch].activation;
  }
  if (arch == ATTN_ARCH_GPT2)
    c->eval_size = 200;
  else if (arch == ATTN_ARCH_BERT)
    {
      /* a small BERT for "label TAB text" files: the shape of the spam-bert recipe */
      c->beta2 = 0.999f;
      c->decay = ATTN_DECAY_LINEAR;
      c->min_lr_ratio = 0.0f;
      c->dropout = 0.1f;
      c->source_column = 1;
      c->target_column = 0;
      c->max_tokens = 128;
      c->eval_size = 1 << 20;   /* every dev text */
    }
  else if (arch == ATTN_ARCH_WHISPER)
    c->max_tokens = 48;
}

static const char *const arch_names[] = { "transformer", "gru", "lstm", "bert", "gpt2", "whisper" };

gboolean
attn_train_arch_from_name (const char *name, AttnTrainArch *arch)
{
  for (guint i = 0; i < G_N_ELEMENTS (arch_names); i++)
    if (g_str_equal (name, arch_names[i]))
      {
        *arch = (AttnTrainArch) i;
        return TRUE;
      }
  return FALSE;
}

const char *
attn_train_arch_name (AttnTrainArch arch)
{
  return arch_names[arch];
}
