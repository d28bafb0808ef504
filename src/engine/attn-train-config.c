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
  c->label_smoothing = 0.0f;
  c->eval_size = 500;
  c->source_column = 0;
  c->target_column = 1;
  c->max_tokens = 64;
  c->context = 128;
  c->n_mels = 80;
  c->window_seconds = 30;
  if (arch == ATTN_ARCH_GPT2)
    {
      c->steps = 2000;
      c->batch_size = 16;
      c->lr = 1e-3f;
      c->warmup_steps = 100;
      c->activation = ATTN_TRAIN_ACT_GELU_NEW;
      c->d_model = 128;
      c->ffn_dim = 512;
      c->layers = 2;
      c->heads = 4;
      c->eval_size = 200;
    }
  else if (arch == ATTN_ARCH_BERT)
    {
      /* a small BERT for "label TAB text" files: the shape of the spam-bert recipe */
      c->steps = 1000;
      c->batch_size = 32;
      c->lr = 1e-3f;
      c->beta2 = 0.999f;
      c->warmup_steps = 100;
      c->decay = ATTN_DECAY_LINEAR;
      c->min_lr_ratio = 0.0f;
      c->dropout = 0.1f;
      c->activation = ATTN_TRAIN_ACT_GELU;
      c->d_model = 128;
      c->ffn_dim = 512;
      c->layers = 2;
      c->heads = 4;
      c->source_column = 1;
      c->target_column = 0;
      c->max_tokens = 128;
      c->eval_size = 1 << 20;   /* every dev text */
    }
  else if (arch == ATTN_ARCH_WHISPER)
    {
      c->steps = 2000;
      c->lr = 1e-3f;
      c->warmup_steps = 200;
      c->activation = ATTN_TRAIN_ACT_GELU;
      c->d_model = 128;
      c->ffn_dim = 512;
      c->layers = 2;
      c->heads = 4;
      c->batch_size = 32;
      c->max_tokens = 48;
    }
  else if (arch == ATTN_ARCH_TRANSFORMER)
    {
      c->steps = 800;
      c->lr = 3e-3f;
      c->warmup_steps = 100;
      c->activation = ATTN_TRAIN_ACT_RELU;
      c->d_model = 64;
      c->ffn_dim = 256;
      c->layers = 2;
      c->heads = 4;
    }
  else
    {
      c->steps = 600;
      c->lr = 3e-3f;
      c->warmup_steps = 50;
      c->embed_dim = 32;
      c->hidden_size = 128;
      c->attention_dim = 64;
    }
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
