/* attn-lm.h — what training and evaluating a causal language model share: plain
 * text as one stream of token ids, the loss and perplexity measures, and the
 * induction-head score (Olsson et al., 2022, "In-context learning and induction
 * heads").
 *
 * Text layout (data/corpora/english): one paragraph per line, documents separated
 * by an empty line. A document's paragraphs are joined by "\n" and encoded without
 * the tokenizer's post-processor; the separator token (GPT-2's <|endoftext|>)
 * follows every document, as GPT-2 separates its training documents. */
#pragma once

#include <glib.h>
#include "attn-result.h"
#include "attn-tokenizer.h"

G_BEGIN_DECLS

/* The token ids of `text` (len < 0: NUL-terminated) laid out as above; separator < 0
 * adds none. `n_docs` (may be NULL) receives the number of documents. Invalid UTF-8
 * is an ATTN_ERROR_INPUT error. */
GArray  *attn_lm_encode_text     (AttnTokenizer *tok, const char *text, gssize len,
                                  gint32 separator, int *n_docs, GError **error);

/* −log softmax(logits)[target] in nats, computed in double precision. */
double   attn_lm_token_nll       (const float *logits, int vocab, gint32 target);

/* exp(nll_sum / tokens); 0 tokens give 0. */
double   attn_lm_perplexity      (double nll_sum, gint64 tokens);
/* nll_sum / (bytes · ln 2): bits per UTF-8 byte of the predicted text, comparable
 * between tokenizers. 0 bytes give 0. */
double   attn_lm_bits_per_byte   (double nll_sum, gint64 bytes);

/* ---- induction heads ---- */

/* The probe `attn-cli eval` and the trainer's dev evaluation both use: sequences for
 * seeds 1 … ATTN_INDUCTION_SEEDS of <|endoftext|> and ATTN_INDUCTION_PERIOD random
 * tokens (fewer if the context is short) twice, from attn_induction_token_range (). */
#define ATTN_INDUCTION_SEEDS  10
#define ATTN_INDUCTION_PERIOD 50

/* [lo, hi): the tokenizer's ids without the special tokens at either end. */
void     attn_induction_token_range (AttnTokenizer *tok, int *lo, int *hi);

/* A probe for induction heads: separator (if ≥ 0) then `period` distinct random ids
 * from [lo, hi), drawn from `seed`, then the same ids again. out receives
 * (separator ≥ 0) + 2 · period ids; returns that count, or -1 when [lo, hi) holds
 * fewer than `period` ids. */
int      attn_induction_sequence (guint32 seed, int lo, int hi, int period, gint32 separator,
                                  gint32 *out);

/* The mean attention of every head from queries from … to − 1 to the key `offset`
 * positions back (offset 1: a previous-token head). w: [layers, heads, q, k];
 * scores: [layers · heads]. */
void     attn_offset_scores      (const AttnWeights *w, int from, int to, int offset,
                                  double *scores);

/* The induction score of every head on a sequence whose tokens at first … first +
 * period − 1 are repeated at first + period … first + 2·period − 1: the mean
 * attention from each query i of the second copy to key i − period + 1, the token
 * that followed the query token's earlier occurrence. w: [layers, heads, q, k] of
 * that sequence (causal self-attention); scores: [layers · heads]. A head that
 * copies by induction scores near 1; uniform causal attention scores about 1/i. */
void     attn_induction_scores   (const AttnWeights *w, int first, int period, double *scores);

/* The summed loss (nats) of copy tokens 1 … period − 1 of each copy of the same
 * sequence (the first token of a copy cannot be predicted), each predicted from the
 * logits row before it. logits: [first + 2·period, vocab] of the sequence's ids. */
void     attn_induction_copy_nll (const float *logits, int vocab, const gint32 *ids, int first,
                                  int period, double *first_copy, double *second_copy);

G_END_DECLS
