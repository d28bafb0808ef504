/* attn-train-json.h — what the trainers use to write a saved model's JSON files
 * (config.json, generation_config.json, preprocessor_config.json, tokenizer.json). */
#pragma once

#include <json-glib/json-glib.h>

#include "attn-trainer.h"

G_BEGIN_DECLS

/* One member of the object being built by `jb` (a JsonBuilder * in scope). */
#define ATTN_KV_INT(k, v) \
  do { json_builder_set_member_name (jb, k); json_builder_add_int_value (jb, v); } while (0)
#define ATTN_KV_DBL(k, v) \
  do { json_builder_set_member_name (jb, k); json_builder_add_double_value (jb, v); } while (0)
#define ATTN_KV_STR(k, v) \
  do { json_builder_set_member_name (jb, k); json_builder_add_string_value (jb, v); } while (0)
#define ATTN_KV_BOOL(k, v) \
  do { json_builder_set_member_name (jb, k); json_builder_add_boolean_value (jb, v); } while (0)

/* The shortest decimal that reads back as the same float: 0.1, not 0.100000001490116. */
double   attn_train_short_float (float f);

/* A speech recipe's "alignment_heads" as a new JSON array of [layer, head] pairs. */
JsonNode *attn_train_alignment_heads_node (const AttnTrainConfig *c);

/* Writes what jb built, pretty-printed, to dir/name. */
gboolean attn_train_write_json (JsonBuilder *jb, const char *dir, const char *name,
                                GError **error);

/* The sizes an encoder–decoder's config.json gives (Marian, Whisper: the same keys):
 * d_model, encoder_/decoder_layers, _attention_heads, _ffn_dim, vocab_size. */
void     attn_train_json_enc_dec_sizes (JsonBuilder *jb, int d_model, int encoder_layers,
                                        int decoder_layers, int heads, int ffn_dim, int vocab);

G_END_DECLS
