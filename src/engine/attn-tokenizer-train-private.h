/* attn-tokenizer-train-private.h — the unigram (SentencePiece) learner, shared by
 * attn-tokenizer-train.c. Not part of the engine's public API. */
#pragma once

#include <gio/gio.h>
#include "attn-tokenizer-train.h"

G_BEGIN_DECLS

/* Learns `n_pieces` unigram pieces from `word_counts` (char* word → guint64* count;
 * words already normalised and pre-tokenised, "▁" first). On success *pieces (char*,
 * owned) and *scores (double, log probabilities) hold the pieces ordered by score,
 * highest first (ties by byte order); every character kept by the coverage rule is
 * among them. `coverage`: the share of character occurrences the single-character
 * pieces must cover (SentencePiece's character_coverage, e.g. 0.9995); rarer
 * characters are left to the unknown token. */
gboolean attn_unigram_learn (GHashTable *word_counts, guint n_pieces, guint max_piece_chars,
                             double coverage, GCancellable *cancellable, GPtrArray **pieces,
                             GArray **scores, GError **error);

#define METASPACE "\xe2\x96\x81"   /* ▁ */

/* The trainer's state, shared by the training and the writing of tokenizer.json. */
struct _AttnTokenizerTrainer {
  AttnTokenizerTrainOptions opts;
  GStrv       extra_specials;   /* opts.extra_specials points here */
  GHashTable *word_counts;      /* char* word → guint64* count */
  GPtrArray  *normalizers;      /* AttnNormalizer* */
  GPtrArray  *pretoks;          /* AttnPreTokenizer* */

  /* results */
  gboolean    trained;
  GPtrArray  *tokens;           /* id → char* (owned) */
  GHashTable *token_ids;        /* char* (borrowed) → id + 1 */
  GArray     *merges;           /* gint32 pairs (left, right) */
  GArray     *scores;           /* unigram: double per id */
  guint       n_special;
};

/* A token's id, or -1. */
gint32   attn_tokenizer_trainer_lookup (AttnTokenizerTrainer *t, const char *s);

G_END_DECLS
