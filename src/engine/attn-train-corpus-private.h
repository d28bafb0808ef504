/* attn-train-corpus-private.h — the corpus state that attn-train-corpus.c (text pairs,
 * labelled texts) and attn-train-speech.c (audio clips) share. */
#pragma once

#include "attn-tokenizer.h"
#include "attn-train-private.h"

G_BEGIN_DECLS

typedef struct {
  GArray *ids;          /* gint32, every sequence one after the other */
  GArray *src_off, *src_n, *tgt_off, *tgt_n;   /* int per pair */
} Pairs;

/* SpecAugment's masks and the mel-axis warp (attn_spec_augment) */
typedef struct {
  int freq_masks, freq_width, time_masks, time_width;
  float freq_warp;   /* the warp factor is drawn from [1 − freq_warp, 1 + freq_warp]; 0: none */
} AttnSpecAugment;

struct _AttnCorpus {
  AttnTokenizer *tok;
  char          *tok_dir;
  int            vocab;
  gint32         pad, bos, eos;
  int            max_tokens, batch_size;
  guint64        seed;
  Pairs          train, dev;
  GPtrArray     *dev_refs;       /* target text of each dev pair */
  gboolean       classify;       /* labelled texts (arch "bert") */
  GPtrArray     *labels;         /* classify: the label names, sorted (byte order) */
  GHashTable    *label_ids;      /* classify: name → index + 1 */
  AttnTrainCorpusInfo info;
  /* the batches of the current epoch: pair indices, batch_size per batch (-1: none) */
  gint64         epoch;
  int            n_batches;
  int           *order;
  /* speech */
  gboolean       speech;
  int            n_mels;
  gsize          window;             /* samples per window */
  GPtrArray     *train_audio, *dev_audio;   /* absolute path of each pair */
  AttnWhisperTrainConfig prompt;     /* prompt, n_prompt and the special ids */
  AttnSpecAugment spec;              /* masks on training batches */
  gint64         step;               /* the training batch being filled (seeds the masks) */
};

#define P_INT(arr, i) g_array_index ((arr), int, (i))
#define P_IDS(p) ((gint32 *) (p)->ids->data)

void     attn_pairs_add        (Pairs *p, const gint32 *src, int ns, const gint32 *tgt, int nt);
/* Token ids of text without the post-processor's specials. */
GArray  *attn_corpus_encode    (AttnCorpus *c, const char *text, GError **error);
/* The text of generated ids up to eos. */
char    *attn_corpus_decode_output (AttnCorpus *c, const gint32 *out, int max_len);
/* The longest output greedy decoding writes for a batch. */
int      attn_corpus_max_output (AttnCorpus *c, const AttnBatch *b);

/* ---- speech (attn-train-speech.c) ---- */

/* One row of a speech TSV: the clip (checked now, read again for each batch) and its
 * transcript; training clips longer than a window, or transcripts longer than the
 * decoder, are skipped (counted in info.n_too_long); dev transcripts are cut. */
gboolean attn_corpus_read_clip  (AttnCorpus *c, const AttnTrainConfig *cfg, const char *tsv,
                                 int line, const char *file, const char *transcript,
                                 gboolean dev, GError **error);
/* Finds Whisper's special tokens and sets the prompt, eos, pad and bos. */
gboolean attn_corpus_speech_init (AttnCorpus *c, const char *tok_path, GError **error);
/* Pairs idx[0 … B) (-1: skipped) of a speech corpus: features [B, n_mels, frames], the
 * prompt and transcript as decoder input, the transcript and <|endoftext|> as labels. */
gboolean attn_corpus_fill_speech (AttnCorpus *c, const Pairs *p, const int *idx, int B,
                                  AttnBatch *batch, GError **error);
/* SpecAugment (Park et al., 2019) on one clip's features mel [n_mels, frames] whose first
 * `used` frames hold the clip: sa->freq_masks bands of 0…freq_width mel bins across every
 * frame, and sa->time_masks spans of 0…time_width frames (at most used / 5) within the
 * clip across every bin, are set to the mean of the clip's features. The widths and
 * places are drawn from a generator seeded with `seed`: the same seed, the same masks. */
void     attn_spec_augment       (float *mel, int n_mels, int frames, int used,
                                  const AttnSpecAugment *sa, guint64 seed);
/* The greedy transcript of an audio file. */
char    *attn_corpus_transcribe (AttnCorpus *c, AttnTrainModel *m, const char *path,
                                 GError **error);

G_END_DECLS
