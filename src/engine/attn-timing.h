/* attn-timing.h — word timings of a transcript from cross-attention, as Whisper
 * derives them: the alignment heads' weights, normalised per frame, median-filtered,
 * averaged, and aligned to time by dynamic time warping. */
#pragma once

#include <glib.h>
#include "attn-result.h"

G_BEGIN_DECLS

#define ATTN_SECONDS_PER_FRAME 0.02   /* one encoder position: 2 × 10 ms hops */

typedef struct {
  char   *text;
  double  start, end;      /* seconds */
  int     first_token, n_tokens;
} AttnWordTime;

/* The tokens of a speech result that get times: those of a forced transcript after
 * its prompt (r->target_forced), else the generated ones (first window). */
int      attn_timed_token_count (const AttnResult *r);

/* Token start/end times: starts/ends receive attn_timed_token_count () values. heads:
 * layer/head pairs (NULL: the result's alignment heads). */
gboolean attn_token_times (const AttnResult *r, const int *heads, int n_heads,
                           double *starts, double *ends, GError **error);

/* Groups the timed tokens into words (a word opens at a token whose text begins with a
 * space) and times them; special tokens are skipped. Array of AttnWordTime.
 * _for_heads: with the given layer/head pairs instead of the alignment heads. */
GArray  *attn_word_times  (const AttnResult *r, GError **error);
GArray  *attn_word_times_for_heads (const AttnResult *r, const int *heads, int n_heads,
                                    GError **error);
void     attn_word_times_free (GArray *words);

/* Dynamic time warping of a cost matrix [n, m]: the monotonic path from (0,0) to
 * (n−1, m−1). Fills path_i/path_j (n + m − 1 entries at most) and returns its length. */
int      attn_dtw         (const float *cost, int n, int m, int *path_i, int *path_j);

/* A WebVTT subtitle file of the words, and the same as JSON. */
char    *attn_words_to_webvtt (const GArray *words);
char    *attn_words_to_json   (const GArray *words);

G_END_DECLS
