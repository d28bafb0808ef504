/* attn-tokenizer-train.h — learns a tokenizer vocabulary from text and writes it as a
 * Hugging Face tokenizer.json that attn_tokenizer_new_from_json () reads back.
 *
 * Two kinds:
 *   BPE        byte-level BPE as GPT-2: no normaliser, the ByteLevel pre-tokenizer
 *              (GPT-2's regex, add_prefix_space false), all 256 byte symbols in the
 *              vocabulary, so every text encodes without unknown tokens and decodes back
 *              to itself. Special tokens: "<|endoftext|>".
 *   WordPiece  BERT style: BertNormalizer (lower-casing and accent stripping unless
 *              `cased`), BertPreTokenizer, WordPiece with "##" continuation pieces
 *              learned by BPE merges (as the tokenizers crate's WordPieceTrainer),
 *              a [CLS] … [SEP] post-processor. Special tokens: [PAD] [UNK] [CLS]
 *              [SEP] [MASK].
 *   Unigram    SentencePiece style (as Marian's models): NFKC normaliser, Metaspace
 *              pre-tokenizer and decoder ("▁" marks a word start), a unigram language
 *              model learned by EM and pruning as SentencePiece's trainer does (see
 *              attn-tokenizer-train-unigram.c); characters outside the coverage become
 *              "<unk>"; "</s>" appended by the post-processor. Special
 *              tokens: "</s>" 0, "<unk>" 1, "<pad>" 2.
 *
 * Special tokens come first (ids 0…k−1: the kind's own, then extra_specials), then the alphabet, then the merged tokens in
 * the order they were learned. Training is deterministic: the pair with the highest
 * count is merged next, ties going to the lexically smaller (left, right) pair (byte
 * order of the token strings); the same texts give the same file, byte for byte. The
 * word counts are the input: the order in which texts are fed does not matter. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  ATTN_TOKENIZER_KIND_BPE,
  ATTN_TOKENIZER_KIND_WORDPIECE,
  ATTN_TOKENIZER_KIND_UNIGRAM,
} AttnTokenizerKind;

typedef struct {
  AttnTokenizerKind kind;
  guint             vocab_size;     /* total, special tokens and alphabet included */
  guint             min_frequency;  /* BPE, WordPiece: pairs seen fewer times are never
                                       merged (default 2) */
  gboolean          cased;          /* WordPiece: keep case and accents (default FALSE) */
  guint             max_alphabet;   /* WordPiece: keep only the most frequent characters
                                       (ties by code point); 0 = all (default 1000) */
  double            character_coverage; /* unigram: share of character occurrences the
                                       single characters must cover; rarer characters
                                       become "<unk>" (default 1.0, all of them, as
                                       SentencePiece advises for small alphabets) */
  const char *const *extra_specials; /* more special tokens (NULL-terminated, may be NULL),
                                       given ids right after the kind's own, e.g. Whisper's
                                       "<|startoftranscript|>"; copied by _new () */
  int               tsv_column;     /* .tsv files: feed only this field (from 0); −1, the
                                       default: every field */
} AttnTokenizerTrainOptions;

typedef struct _AttnTokenizerTrainer AttnTokenizerTrainer;

/* Defaults for `kind`: vocab_size 8000, min_frequency 2, uncased, 1000 characters,
 * coverage 1.0. */
void                  attn_tokenizer_train_options_init (AttnTokenizerTrainOptions *opts,
                                                         AttnTokenizerKind kind);

AttnTokenizerTrainer *attn_tokenizer_trainer_new  (const AttnTokenizerTrainOptions *opts);
void                  attn_tokenizer_trainer_free (AttnTokenizerTrainer *trainer);

/* Counts the words of one text (normalised and pre-tokenised as the finished
 * tokenizer will). Invalid UTF-8 is an ATTN_ERROR_INPUT error. */
gboolean              attn_tokenizer_trainer_feed (AttnTokenizerTrainer *trainer, const char *text,
                                                   gssize len, GError **error);
/* Feeds a UTF-8 text file line by line. For a .tsv file, each TAB-separated field is
 * fed as its own text (only field tsv_column when that is ≥ 0; a line without it is an
 * ATTN_ERROR_INPUT error). */
gboolean              attn_tokenizer_trainer_feed_file (AttnTokenizerTrainer *trainer,
                                                        const char *path, GError **error);

/* Learns the vocabulary. Fails (ATTN_ERROR_INPUT) when nothing was fed or vocab_size
 * is smaller than the special tokens plus the alphabet. May stop below vocab_size
 * when no pair is seen min_frequency times (unigram: when the text has fewer
 * candidate pieces); attn_tokenizer_trainer_vocab_size () then
 * tells the real size. Checks `cancellable` between merges (unigram: between rounds). */
gboolean              attn_tokenizer_trainer_train (AttnTokenizerTrainer *trainer,
                                                    GCancellable *cancellable, GError **error);

guint                 attn_tokenizer_trainer_vocab_size (AttnTokenizerTrainer *trainer);
/* Words (distinct pre-tokenised pieces) counted so far. */
guint                 attn_tokenizer_trainer_n_words    (AttnTokenizerTrainer *trainer);

/* The trained tokenizer as tokenizer.json text (UTF-8, newline-terminated); NULL
 * before training. */
char                 *attn_tokenizer_trainer_to_json (AttnTokenizerTrainer *trainer, gsize *length);
/* Writes DIR/tokenizer.json and DIR/tokenizer_config.json (creating DIR). */
gboolean              attn_tokenizer_trainer_save (AttnTokenizerTrainer *trainer, const char *dir,
                                                   GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnTokenizerTrainer, attn_tokenizer_trainer_free)

G_END_DECLS
