/* attn-tokenizer.h — text to token ids and back.
 *
 * One opaque type covers every family the engine reads: WordPiece (BERT),
 * byte-level BPE (GPT-2, RoBERTa, Whisper), SentencePiece unigram (Marian's .spm
 * files, tokenizer.json "Unigram") and plain BPE. Loading validates the files
 * and reports problems as GError in ATTN_ERROR naming the file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AttnTokenizer AttnTokenizer;

/* The result of encoding one text (or a pair). All arrays have `len` entries. */
typedef struct {
  guint     len;
  gint32   *ids;
  char    **tokens;      /* the vocabulary strings, e.g. "##ing", "Ġthe", "▁Ich" */
  guint8   *special;     /* 1 for tokens added by the post-processor ([CLS], </s>, …) */
  gint32   *type_ids;    /* segment ids: 0 for the first text, 1 for the pair */
  gint32   *offsets;     /* 2 × len: byte start/end of each token in its text (-1 for added) */
} AttnEncoding;

void           attn_encoding_free           (AttnEncoding *enc);

/* Loads the tokenizer of a model folder. `role` chooses between a source and a target
 * tokenizer where a model has two (Marian's source.spm and target.spm); pass
 * ATTN_TOKENIZER_SOURCE otherwise. Looks, in order, for tokenizer.json, vocab.txt
 * (WordPiece), vocab.json + merges.txt (byte-level BPE), source.spm/target.spm
 * (+ vocab.json). Reads tokenizer_config.json and config.json where they matter
 * (lower-casing, special tokens). */
typedef enum {
  ATTN_TOKENIZER_SOURCE,
  ATTN_TOKENIZER_TARGET,
} AttnTokenizerRole;

AttnTokenizer *attn_tokenizer_load          (const char *model_dir, AttnTokenizerRole role, GError **error);

/* Single-format loaders, for tests and tools. */
AttnTokenizer *attn_tokenizer_new_from_json (const char *tokenizer_json_path, GError **error);
AttnTokenizer *attn_tokenizer_new_wordpiece (const char *vocab_txt_path, gboolean lowercase, GError **error);
AttnTokenizer *attn_tokenizer_new_byte_bpe  (const char *vocab_json_path, const char *merges_txt_path, GError **error);
/* A SentencePiece model; when vocab_json_path is given, pieces are mapped through it
 * (as Marian does) and unknown pieces get its "<unk>"; "</s>" is appended. */
AttnTokenizer *attn_tokenizer_new_sentencepiece (const char *spm_path, const char *vocab_json_path, GError **error);

AttnTokenizer *attn_tokenizer_ref           (AttnTokenizer *tok);
void           attn_tokenizer_unref         (AttnTokenizer *tok);

/* Encodes UTF-8 text (an optional second text for pair inputs). Invalid UTF-8 is an
 * ATTN_ERROR_INPUT error. The empty string is valid (only special tokens result).
 * add_special: apply the post-processor ([CLS] … [SEP], … </s>). */
AttnEncoding  *attn_tokenizer_encode        (AttnTokenizer *tok, const char *text, const char *pair,
                                             gboolean add_special, GError **error);

/* Decodes ids to text (byte-level decoding, "##" joining, "▁" to spaces). */
char          *attn_tokenizer_decode        (AttnTokenizer *tok, const gint32 *ids, guint n,
                                             gboolean skip_special);

/* A token's vocabulary string, or NULL when id is out of range. */
const char    *attn_tokenizer_id_to_token   (AttnTokenizer *tok, gint32 id);
/* A human-readable form of one token for labels: "Ġthe" → " the", "▁Ich" → " Ich",
 * byte-level bytes decoded where they form UTF-8. Newly allocated. */
char          *attn_tokenizer_token_display (AttnTokenizer *tok, gint32 id);
gint32         attn_tokenizer_token_to_id   (AttnTokenizer *tok, const char *token); /* -1 if absent */
guint          attn_tokenizer_vocab_size    (AttnTokenizer *tok);
gboolean       attn_tokenizer_is_special    (AttnTokenizer *tok, gint32 id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnTokenizer, attn_tokenizer_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnEncoding, attn_encoding_free)

G_END_DECLS
