/* attn-metrics.h — evaluation metrics for the built-in models.
 *
 * Corpus-level scores over parallel arrays of hypotheses and references (one
 * reference per hypothesis), all on a 0–100 scale:
 *
 *   BLEU  as sacreBLEU's corpus_bleu with its defaults: 13a tokenisation, case kept,
 *         n-grams 1–4, brevity penalty against the summed reference length, "exp"
 *         smoothing (mteval-v13a's: the k-th order with no match gets precision
 *         1 / (2^k · total)), no effective order, and 0 when no n-gram of any order
 *         matches. Statistics are summed over the corpus before the score is taken.
 *   chrF  as sacreBLEU's CHRF defaults (chrF2): character n-grams 1–6 over Unicode
 *         code points with all whitespace removed, β = 2, precision and recall
 *         averaged over the orders both sides have n-grams for, then F-β.
 *   WER   word error rate: Levenshtein edits (S + D + I) over reference words, after
 *         attn_metrics_normalize (). Can exceed 100.
 *   CER   character error rate: the same over code points of the normalised text
 *         (single spaces between words count as characters).
 *
 * NULL strings count as empty. Invalid UTF-8 is read as U+FFFD per bad byte
 * sequence (g_utf8_make_valid); it is never an error. n = 0 gives 0. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ATTN_BLEU_MAX_ORDER 4
#define ATTN_CHRF_MAX_ORDER 10

typedef enum {
  ATTN_BLEU_SMOOTH_NONE,   /* an order with no match makes the score 0 */
  ATTN_BLEU_SMOOTH_EXP,    /* sacreBLEU's default */
  ATTN_BLEU_SMOOTH_FLOOR,  /* no match: precision = smooth_value / total (default 0.1) */
  ATTN_BLEU_SMOOTH_ADD_K,  /* orders ≥ 2: (correct + k) / (total + k) (default k = 1) */
} AttnBleuSmooth;

typedef struct {
  AttnBleuSmooth smooth;
  double         smooth_value;    /* < 0: the method's default */
  gboolean       lowercase;       /* sacreBLEU -lc */
  gboolean       tokenize_13a;    /* FALSE: sacreBLEU --tokenize none (split on spaces) */
  gboolean       effective_order; /* average only over orders the hypotheses have */
} AttnBleuOptions;

typedef struct {
  guint64 correct[ATTN_BLEU_MAX_ORDER];    /* clipped n-gram matches, summed */
  guint64 total[ATTN_BLEU_MAX_ORDER];      /* hypothesis n-grams, summed */
  double  precisions[ATTN_BLEU_MAX_ORDER]; /* percent, after smoothing */
  double  bp;                              /* brevity penalty */
  guint64 sys_len;                         /* hypothesis tokens */
  guint64 ref_len;                         /* reference tokens */
} AttnBleuStats;

/* Fills `opts` with sacreBLEU's defaults (exp smoothing, 13a, case kept). */
void    attn_bleu_options_init (AttnBleuOptions *opts);

/* Corpus BLEU with sacreBLEU's defaults; `stats` (may be NULL) receives the counts. */
double  attn_bleu       (const char *const *hyps, const char *const *refs, guint n,
                         AttnBleuStats *stats);
double  attn_bleu_full  (const char *const *hyps, const char *const *refs, guint n,
                         const AttnBleuOptions *opts, AttnBleuStats *stats);

/* sacreBLEU's "13a" tokeniser (mteval-v13a): the tokens joined by single spaces. */
char   *attn_bleu_tokenize_13a (const char *text);

typedef struct {
  guint   char_order;        /* 6 */
  double  beta;              /* 2 */
  gboolean whitespace;       /* FALSE: whitespace removed before n-grams */
  gboolean lowercase;        /* FALSE */
} AttnChrfOptions;

typedef struct {
  guint64 hyp[ATTN_CHRF_MAX_ORDER];    /* hypothesis character n-grams, summed */
  guint64 ref[ATTN_CHRF_MAX_ORDER];    /* reference character n-grams, summed */
  guint64 match[ATTN_CHRF_MAX_ORDER];  /* clipped matches, summed */
  double  precision;                   /* percent, averaged over effective orders */
  double  recall;                      /* percent, averaged over effective orders */
  guint   effective_order;
} AttnChrfStats;

void    attn_chrf_options_init (AttnChrfOptions *opts);
double  attn_chrf       (const char *const *hyps, const char *const *refs, guint n,
                         AttnChrfStats *stats);
/* Returns -1 when opts->char_order is 0 or above ATTN_CHRF_MAX_ORDER. */
double  attn_chrf_full  (const char *const *hyps, const char *const *refs, guint n,
                         const AttnChrfOptions *opts, AttnChrfStats *stats);

typedef struct {
  guint64 substitutions;
  guint64 deletions;       /* reference units missing from the hypothesis */
  guint64 insertions;      /* hypothesis units not in the reference */
  guint64 hits;
  guint64 ref_len;         /* reference words (WER) or characters (CER) */
  guint64 hyp_len;
} AttnEditStats;

/* The normalisation WER and CER apply to both sides: lower-case (Unicode), remove
 * apostrophes (' ’ ‘ ʼ: "don't" → "dont"), replace every other punctuation or symbol
 * character (Unicode P* and S* categories: - , . ! ? " ( ) …) by a space, collapse
 * whitespace runs to one space and trim. Newly allocated. */
char   *attn_metrics_normalize (const char *text);

/* 100 × (S + D + I) / reference length, summed over the corpus. When every reference
 * is empty: 0 if every hypothesis is empty too, else 100. Edits are counted on an
 * optimal alignment that prefers, among equal costs, a match/substitution, then a
 * deletion, then an insertion. */
double  attn_wer        (const char *const *hyps, const char *const *refs, guint n,
                         AttnEditStats *stats);
double  attn_cer        (const char *const *hyps, const char *const *refs, guint n,
                         AttnEditStats *stats);

G_END_DECLS
