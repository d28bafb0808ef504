/* attn-train-tasks.c — toy sequence tasks over the digits 0–9 (copy, reverse,
 * sort), drawn from the seeded PRNG so that a seed fixes every batch, and the
 * word-level tokenizer files written next to a trained toy model. */
#include <string.h>

#include "attn-train-json.h"
#include "attn-train-private.h"

static const char *const toy_words[ATTN_TOY_VOCAB] = {
  "<pad>", "<s>", "</s>", "<unk>", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
};

const char *const *
attn_toy_words (void)
{
  return toy_words;
}

gboolean
attn_task_from_name (const char *name, AttnTask *task)
{
  if (g_str_equal (name, "copy"))
    *task = ATTN_TASK_COPY;
  else if (g_str_equal (name, "reverse"))
    *task = ATTN_TASK_REVERSE;
  else if (g_str_equal (name, "sort"))
    *task = ATTN_TASK_SORT;
  else
    return FALSE;
  return TRUE;
}

const char *
attn_task_name (AttnTask task)
{
  static const char *names[] = { "copy", "reverse", "sort" };
  return names[task];
}

void
attn_task_apply (AttnTask task, const int *x, int n, int *y)
{
  switch (task)
    {
    case ATTN_TASK_COPY:
      memcpy (y, x, sizeof (int) * n);
      break;
    case ATTN_TASK_REVERSE:
      for (int i = 0; i < n; i++)
        y[i] = x[n - 1 - i];
      break;
    case ATTN_TASK_SORT:
      {
        int count[10] = { 0 }, k = 0;
        for (int i = 0; i < n; i++)
          count[x[i]]++;
        for (int dgt = 0; dgt < 10; dgt++)
          for (int c = 0; c < count[dgt]; c++)
            y[k++] = dgt;
      }
      break;
    }
}

int
attn_task_draw (AttnRng *rng, int min_len, int max_len, int *x)
{
  int n = min_len + attn_rng_int (rng, max_len - min_len + 1);
  for (int i = 0; i < n; i++)
    x[i] = attn_rng_int (rng, 10);
  return n;
}

guint64
attn_task_key (const int *x, int n)
{
  /* digits in base 11 (0 = end), exact for n ≤ 18 */
  guint64 k = 0;
  for (int i = 0; i < n; i++)
    k = k * 11 + (guint64) (x[i] + 1);
  return k;
}

void
attn_task_make_batch (AttnTask task, AttnRng *rng, int B, int min_len, int max_len,
                      GHashTable *exclude, AttnBatch *batch)
{
  int x[64], y[64];

  g_return_if_fail (max_len < 64);
  attn_batch_reserve (batch, B, max_len + 1, max_len + 1);
  for (int b = 0; b < B; b++)
    {
      int n;
      gint32 *src = batch->src + (gsize) b * batch->Ts;
      gint32 *ti = batch->tgt_in + (gsize) b * batch->Tt;
      gint32 *to = batch->tgt_out + (gsize) b * batch->Tt;
      do
        {
          guint64 key;
          n = attn_task_draw (rng, min_len, max_len, x);
          key = attn_task_key (x, n);
          if (exclude == NULL || !g_hash_table_contains (exclude, &key))
            break;
        }
      while (TRUE);
      attn_task_apply (task, x, n, y);
      for (int j = 0; j < batch->Ts; j++)
        src[j] = j < n ? ATTN_TOY_DIGIT0 + x[j] : j == n ? ATTN_TOY_EOS : ATTN_TOY_PAD;
      for (int j = 0; j < batch->Tt; j++)
        {
          ti[j] = j == 0 ? ATTN_TOY_BOS : j <= n ? ATTN_TOY_DIGIT0 + y[j - 1] : ATTN_TOY_PAD;
          to[j] = j < n ? ATTN_TOY_DIGIT0 + y[j] : j == n ? ATTN_TOY_EOS : ATTN_TOY_PAD;
        }
      batch->src_len[b] = n + 1;
      batch->tgt_len[b] = n + 1;
    }
}

/* ---- tokenizer files ---- */

static void
add_special_token (JsonBuilder *jb, int id, const char *content)
{
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "id");
  json_builder_add_int_value (jb, id);
  json_builder_set_member_name (jb, "content");
  json_builder_add_string_value (jb, content);
  json_builder_set_member_name (jb, "single_word");
  json_builder_add_boolean_value (jb, FALSE);
  json_builder_set_member_name (jb, "lstrip");
  json_builder_add_boolean_value (jb, FALSE);
  json_builder_set_member_name (jb, "rstrip");
  json_builder_add_boolean_value (jb, FALSE);
  json_builder_set_member_name (jb, "normalized");
  json_builder_add_boolean_value (jb, FALSE);
  json_builder_set_member_name (jb, "special");
  json_builder_add_boolean_value (jb, TRUE);
  json_builder_end_object (jb);
}

static void
add_template_piece (JsonBuilder *jb, gboolean special, const char *id)
{
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, special ? "SpecialToken" : "Sequence");
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "id");
  json_builder_add_string_value (jb, id);
  json_builder_set_member_name (jb, "type_id");
  json_builder_add_int_value (jb, 0);
  json_builder_end_object (jb);
  json_builder_end_object (jb);
}

/* Words 0–3 are <pad> <s> </s> <unk>. Whitespace pre-tokenizer; the
 * post-processor appends </s>, as Marian's tokenizer does; decoding joins words
 * with spaces. */
gboolean
attn_toy_write_tokenizer (const char *dir, const char *const *words, int n_words, GError **error)
{
  g_autoptr (JsonBuilder) tj = json_builder_new ();
  g_autoptr (JsonBuilder) vj = json_builder_new ();
  g_autoptr (JsonBuilder) cj = json_builder_new ();

  json_builder_begin_object (vj);
  for (int i = 0; i < n_words; i++)
    {
      json_builder_set_member_name (vj, words[i]);
      json_builder_add_int_value (vj, i);
    }
  json_builder_end_object (vj);
  if (!attn_train_write_json (vj, dir, "vocab.json", error))
    return FALSE;

  json_builder_begin_object (tj);
  json_builder_set_member_name (tj, "version");
  json_builder_add_string_value (tj, "1.0");
  json_builder_set_member_name (tj, "truncation");
  json_builder_add_null_value (tj);
  json_builder_set_member_name (tj, "padding");
  json_builder_add_null_value (tj);
  json_builder_set_member_name (tj, "added_tokens");
  json_builder_begin_array (tj);
  for (int i = 0; i < 4; i++)
    add_special_token (tj, i, words[i]);
  json_builder_end_array (tj);
  json_builder_set_member_name (tj, "normalizer");
  json_builder_add_null_value (tj);
  json_builder_set_member_name (tj, "pre_tokenizer");
  json_builder_begin_object (tj);
  json_builder_set_member_name (tj, "type");
  json_builder_add_string_value (tj, "Whitespace");
  json_builder_end_object (tj);
  json_builder_set_member_name (tj, "post_processor");
  json_builder_begin_object (tj);
  json_builder_set_member_name (tj, "type");
  json_builder_add_string_value (tj, "TemplateProcessing");
  json_builder_set_member_name (tj, "single");
  json_builder_begin_array (tj);
  add_template_piece (tj, FALSE, "A");
  add_template_piece (tj, TRUE, words[2]);
  json_builder_end_array (tj);
  json_builder_set_member_name (tj, "pair");
  json_builder_begin_array (tj);
  add_template_piece (tj, FALSE, "A");
  add_template_piece (tj, FALSE, "B");
  add_template_piece (tj, TRUE, words[2]);
  json_builder_end_array (tj);
  json_builder_set_member_name (tj, "special_tokens");
  json_builder_begin_object (tj);
  json_builder_set_member_name (tj, words[2]);
  json_builder_begin_object (tj);
  json_builder_set_member_name (tj, "id");
  json_builder_add_string_value (tj, words[2]);
  json_builder_set_member_name (tj, "ids");
  json_builder_begin_array (tj);
  json_builder_add_int_value (tj, 2);
  json_builder_end_array (tj);
  json_builder_set_member_name (tj, "tokens");
  json_builder_begin_array (tj);
  json_builder_add_string_value (tj, words[2]);
  json_builder_end_array (tj);
  json_builder_end_object (tj);
  json_builder_end_object (tj);
  json_builder_end_object (tj);
  json_builder_set_member_name (tj, "decoder");
  json_builder_add_null_value (tj);
  json_builder_set_member_name (tj, "model");
  json_builder_begin_object (tj);
  /* Word-level in effect: every word is one vocabulary entry, and a word that is
   * not in the vocabulary becomes <unk>. Written as a WordPiece model (which the
   * engine's tokenizer reads; it has no "WordLevel" model yet): with no "##"
   * entries in the vocabulary the two give the same ids. */
  json_builder_set_member_name (tj, "type");
  json_builder_add_string_value (tj, "WordPiece");
  json_builder_set_member_name (tj, "continuing_subword_prefix");
  json_builder_add_string_value (tj, "##");
  json_builder_set_member_name (tj, "max_input_chars_per_word");
  json_builder_add_int_value (tj, 100);
  json_builder_set_member_name (tj, "vocab");
  json_builder_begin_object (tj);
  for (int i = 0; i < n_words; i++)
    {
      json_builder_set_member_name (tj, words[i]);
      json_builder_add_int_value (tj, i);
    }
  json_builder_end_object (tj);
  json_builder_set_member_name (tj, "unk_token");
  json_builder_add_string_value (tj, words[3]);
  json_builder_end_object (tj);
  json_builder_end_object (tj);
  if (!attn_train_write_json (tj, dir, "tokenizer.json", error))
    return FALSE;

  json_builder_begin_object (cj);
  json_builder_set_member_name (cj, "tokenizer_class");
  json_builder_add_string_value (cj, "PreTrainedTokenizerFast");
  json_builder_set_member_name (cj, "pad_token");
  json_builder_add_string_value (cj, words[0]);
  json_builder_set_member_name (cj, "bos_token");
  json_builder_add_string_value (cj, words[1]);
  json_builder_set_member_name (cj, "eos_token");
  json_builder_add_string_value (cj, words[2]);
  json_builder_set_member_name (cj, "unk_token");
  json_builder_add_string_value (cj, words[3]);
  json_builder_set_member_name (cj, "model_max_length");
  json_builder_add_int_value (cj, 512);
  json_builder_end_object (cj);
  return attn_train_write_json (cj, dir, "tokenizer_config.json", error);
}
