/* attn-tokenizer-private.h — internals shared by the tokenizer sources.
 * Not installed; nothing here is part of the engine's public API. */
#pragma once

#include <json-glib/json-glib.h>

#include "attn-error.h"
#include "attn-tokenizer.h"

G_BEGIN_DECLS

/* ---- A string with per-byte alignment to the original text -------------- */

/* Every byte of `s` remembers the byte range [ostart, oend) of the character
 * of the original text it came from, so that tokens get offsets after
 * normalisation and pre-tokenisation changed the text. */
typedef struct {
  char   *s;       /* NUL-terminated */
  gsize   len;
  gsize   cap;
  gint32 *ostart;
  gint32 *oend;
} AttnNStr;

AttnNStr *attn_nstr_new         (gsize reserve);
/* Identity alignment: byte i of text maps to [base + start of its char, base + end). */
AttnNStr *attn_nstr_new_text    (const char *text, gsize len, gint32 base);
AttnNStr *attn_nstr_slice       (const AttnNStr *n, gsize from, gsize to);
void      attn_nstr_free        (AttnNStr *n);
void      attn_nstr_append      (AttnNStr *n, const char *bytes, gsize len, gint32 os, gint32 oe);
/* Appends the char at `at` of `src` (all its bytes, with their alignment). */
void      attn_nstr_append_from (AttnNStr *n, const AttnNStr *src, gsize at, gsize clen);

/* ---- Maps from 64-bit keys to 32-bit values (open addressing) ------------ */

typedef struct {
  guint64 *keys;   /* key + 1; 0 = empty */
  guint32 *vals;
  gsize    cap;    /* power of two */
  gsize    n;
} AttnU64Map;

void     attn_u64map_init   (AttnU64Map *m);
void     attn_u64map_clear  (AttnU64Map *m);
void     attn_u64map_set    (AttnU64Map *m, guint64 key, guint32 val);
gboolean attn_u64map_get    (const AttnU64Map *m, guint64 key, guint32 *val);

/* ---- A byte trie (keys → gint32 values) ---------------------------------- */

typedef struct {
  AttnU64Map edges;   /* (node << 8 | byte) → child node */
  GArray    *values;  /* gint32 per node, -1 = no key ends here */
} AttnTrie;

AttnTrie *attn_trie_new    (void);
void      attn_trie_free   (AttnTrie *t);
void      attn_trie_insert (AttnTrie *t, const char *key, gsize len, gint32 value);
/* Walks one byte from *node (start at 0); FALSE when there is no such edge. */
gboolean  attn_trie_step   (const AttnTrie *t, guint32 *node, guint8 byte);
gint32    attn_trie_value  (const AttnTrie *t, guint32 node);

/* ---- SentencePiece precompiled charsmap (Darts double array + strings) --- */

typedef struct {
  guint32 *units;
  gsize    n_units;
  char    *strings;       /* NUL-terminated replacement strings */
  gsize    strings_len;
} AttnCharsmap;

AttnCharsmap *attn_charsmap_new   (const guint8 *blob, gsize len, const char *origin, GError **error);
void          attn_charsmap_free  (AttnCharsmap *cm);
/* Longest prefix of s[0..len) with a rule: returns its length (0 = none) and
 * the replacement in *out. */
gsize         attn_charsmap_match (const AttnCharsmap *cm, const char *s, gsize len, const char **out);
/* The shortest such prefix (the tokenizers crate's Precompiled semantics). */
gsize         attn_charsmap_match_first (const AttnCharsmap *cm, const char *s, gsize len,
                                         const char **out);

/* ---- Normalizers --------------------------------------------------------- */

typedef enum {
  ATTN_NORM_BERT,
  ATTN_NORM_LOWERCASE,
  ATTN_NORM_STRIP_ACCENTS,
  ATTN_NORM_NFC,
  ATTN_NORM_NFD,
  ATTN_NORM_NFKC,
  ATTN_NORM_NFKD,
  ATTN_NORM_STRIP,
  ATTN_NORM_REPLACE,
  ATTN_NORM_PREPEND,
  ATTN_NORM_PRECOMPILED,
} AttnNormKind;

typedef struct {
  AttnNormKind  kind;
  gboolean      clean_text, chinese_chars, strip_accents, lowercase;   /* BERT */
  gboolean      left, right;                                          /* Strip */
  char         *pattern;      /* Replace (literal) */
  GRegex       *regex;        /* Replace (regex) */
  char         *content;      /* Replace / Prepend */
  AttnCharsmap *charsmap;     /* Precompiled */
} AttnNormalizer;

void      attn_normalizer_free  (AttnNormalizer *nm);
AttnNStr *attn_normalizer_apply (const AttnNormalizer *nm, AttnNStr *in); /* consumes in */

/* The complete SentencePiece normaliser (normalizer.cc semantics). */
typedef struct {
  AttnCharsmap *charsmap;            /* NULL: identity */
  gboolean      add_dummy_prefix;
  gboolean      remove_extra_ws;
  gboolean      escape_ws;
  gboolean      ws_as_suffix;
  AttnTrie     *user_symbols;        /* matched whole before the charsmap; may be NULL */
} AttnSpmNorm;

void      attn_spm_norm_free (AttnSpmNorm *sn);
AttnNStr *attn_spm_normalize (const AttnSpmNorm *sn, const AttnNStr *in);

/* Character classes as the Rust tokenizers crate defines them. */
gboolean  attn_uc_is_whitespace  (gunichar c);
gboolean  attn_uc_is_bert_punct  (gunichar c);

/* ---- Pre-tokenizers ------------------------------------------------------ */

typedef enum {
  ATTN_PRE_BERT,
  ATTN_PRE_BYTELEVEL,
  ATTN_PRE_WHITESPACE,
  ATTN_PRE_WHITESPACE_SPLIT,
  ATTN_PRE_METASPACE,
  ATTN_PRE_PUNCTUATION,
  ATTN_PRE_DIGITS,
  ATTN_PRE_SPLIT,
} AttnPreKind;

typedef enum {
  ATTN_SPLIT_REMOVED,
  ATTN_SPLIT_ISOLATED,
  ATTN_SPLIT_MERGED_PREV,
  ATTN_SPLIT_MERGED_NEXT,
  ATTN_SPLIT_CONTIGUOUS,
} AttnSplitBehavior;

typedef enum {
  ATTN_PREPEND_ALWAYS,
  ATTN_PREPEND_FIRST,
  ATTN_PREPEND_NEVER,
} AttnPrependScheme;

typedef struct {
  AttnPreKind        kind;
  gboolean           add_prefix_space;   /* ByteLevel */
  gboolean           use_regex;          /* ByteLevel */
  char              *replacement;        /* Metaspace */
  AttnPrependScheme  prepend;            /* Metaspace */
  gboolean           split;              /* Metaspace */
  gboolean           individual_digits;  /* Digits */
  GRegex            *regex;              /* Split, Whitespace */
  AttnSplitBehavior  behavior;           /* Split, Punctuation */
  gboolean           invert;             /* Split */
} AttnPreTokenizer;

AttnPreTokenizer *attn_pretok_new  (AttnPreKind kind);
void              attn_pretok_free (AttnPreTokenizer *pt);
/* Splits every piece of `pieces` (AttnNStr*, owned) in place. `first`: the
 * segment is the start of the text (Metaspace prepend_scheme "first"). */
void              attn_pretok_apply (const AttnPreTokenizer *pt, GPtrArray *pieces, gboolean first);

/* GPT-2's byte ↔ unicode table. */
gunichar          attn_byte_to_unicode (guint8 b);
int               attn_unicode_to_byte (gunichar c);   /* -1 if not in the table */

/* ---- Models -------------------------------------------------------------- */

typedef enum {
  ATTN_MODEL_WORDPIECE,
  ATTN_MODEL_BPE,
  ATTN_MODEL_UNIGRAM,
} AttnModelKind;

/* Collects tokens while encoding. */
typedef struct {
  GArray    *ids;       /* gint32 */
  GPtrArray *tokens;    /* char*, owned */
  GArray    *special;   /* guint8 */
  GArray    *type_ids;  /* gint32 */
  GArray    *offsets;   /* gint32 pairs */
} AttnTokList;

AttnTokList *attn_toklist_new  (void);
void         attn_toklist_free (AttnTokList *l);
void         attn_toklist_push (AttnTokList *l, gint32 id, char *token /* owned */, gboolean special,
                                gint32 type_id, gint32 start, gint32 end);

typedef struct {
  char    *prefix;          /* "##" */
  guint    max_chars;       /* 100 */
  gint32   unk_id;
} AttnWordPiece;

typedef struct {
  AttnU64Map merges;        /* (left id << 32 | right id) → merge index (rank) */
  GArray    *merge_new;     /* gint32 per merge: the merged id */
  gint32     unk_id;        /* -1: none */
  gboolean   fuse_unk;
  gboolean   byte_fallback;
  gboolean   ignore_merges;
  char      *cont_prefix;   /* continuing_subword_prefix or NULL */
  char      *eow_suffix;    /* end_of_word_suffix or NULL */
} AttnBpe;

typedef enum {
  ATTN_PIECE_NORMAL = 1,
  ATTN_PIECE_UNKNOWN = 2,
  ATTN_PIECE_CONTROL = 3,
  ATTN_PIECE_USER_DEFINED = 4,
  ATTN_PIECE_UNUSED = 5,
  ATTN_PIECE_BYTE = 6,
} AttnPieceType;

typedef struct {
  GPtrArray *pieces;        /* char*, owned */
  GArray    *scores;        /* double */
  GArray    *types;         /* guint8 AttnPieceType */
  AttnTrie  *trie;          /* piece → index (normal, user-defined, unused, byte) */
  gint32     unk_piece;     /* index of the unknown piece, -1: none */
  double     min_score, max_score;
  gboolean   f32;           /* sentencepiece arithmetic (float) */
  gboolean   byte_fallback;
  gboolean   fuse_unk;
  gboolean   mapped;        /* ids come from the tokenizer's own vocabulary by piece
                               string (Marian's vocab.json); unknown: wp.unk_id */
} AttnUnigram;

void attn_bpe_free     (AttnBpe *b);
void attn_unigram_free (AttnUnigram *u);
/* Builds the trie and score range once pieces/scores/types are filled. */
void attn_unigram_prepare (AttnUnigram *u);

/* ---- Post-processing and decoding ---------------------------------------- */

typedef struct {
  gboolean   is_seq;
  int        seq;            /* 0 = A, 1 = B */
  gint32     type_id;
  GArray    *ids;            /* special: gint32 */
  GPtrArray *tokens;         /* special: char* */
} AttnTemplItem;

void attn_templ_item_free (AttnTemplItem *it);

typedef enum {
  ATTN_DEC_BYTELEVEL,
  ATTN_DEC_WORDPIECE,
  ATTN_DEC_METASPACE,
  ATTN_DEC_BPE,
  ATTN_DEC_BYTEFALLBACK,
  ATTN_DEC_FUSE,
  ATTN_DEC_STRIP,
  ATTN_DEC_REPLACE,
  ATTN_DEC_CTC,
} AttnDecKind;

typedef struct {
  AttnDecKind kind;
  char       *a;        /* WordPiece prefix, Metaspace replacement, BPE suffix, Strip content,
                           Replace pattern, CTC pad token */
  char       *b;        /* Replace content, CTC word delimiter */
  gboolean    flag;     /* WordPiece/CTC cleanup, Metaspace prepend */
  int         start, stop;  /* Strip */
} AttnDecoder;

void attn_decoder_free (AttnDecoder *d);

/* ---- Added tokens -------------------------------------------------------- */

typedef struct {
  char    *content;
  gint32   id;
  gboolean special;
  gboolean lstrip, rstrip, single_word, normalized;
} AttnAddedToken;

/* ---- The tokenizer ------------------------------------------------------- */

struct _AttnTokenizer {
  gint           ref_count;
  char          *origin;         /* file the tokenizer came from, for messages */

  GPtrArray     *vocab;          /* id → char* (owned), NULL for holes */
  GHashTable    *vocab_map;      /* token (borrowed from vocab) → id + 1 */
  GArray        *special_ids;    /* guint8 per id */

  GPtrArray     *added;          /* AttnAddedToken* */
  AttnTrie      *added_trie;     /* content → index in added */

  GPtrArray     *normalizers;    /* AttnNormalizer* */
  AttnSpmNorm   *spm_norm;       /* .spm models: the sentencepiece normaliser */
  GPtrArray     *pretoks;        /* AttnPreTokenizer* */

  AttnModelKind  model;
  AttnWordPiece  wp;
  AttnBpe       *bpe;
  AttnUnigram   *uni;
  gboolean       spm_mode;       /* .spm file: sentencepiece encoding semantics */

  GPtrArray     *tmpl_single;    /* AttnTemplItem*, NULL: no post-processor */
  GPtrArray     *tmpl_pair;

  GPtrArray     *decoders;       /* AttnDecoder* */

  gboolean       byte_level;     /* tokens are GPT-2 byte-level strings */
  char          *metaspace;      /* the "▁" replacement, or NULL */
};

AttnTokenizer *attn_tokenizer_alloc (const char *origin);
/* Registers token ↔ id. FALSE if the id is taken, or the token is and !replace
 * (with replace, the token then maps to the new id). */
gboolean       attn_tokenizer_vocab_add (AttnTokenizer *tok, const char *token, gint32 id,
                                         gboolean replace);
/* Appends an added token; marks its id special when it is. */
void           attn_tokenizer_add_added (AttnTokenizer *tok, const char *content, gint32 id,
                                         gboolean special, gboolean lstrip, gboolean rstrip,
                                         gboolean single_word, gboolean normalized);
void           attn_tokenizer_set_special (AttnTokenizer *tok, gint32 id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnTokList, attn_toklist_free)
/* Single/pair templates "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1"; the
 * special names must be in the vocabulary. */
gboolean       attn_tokenizer_set_template (AttnTokenizer *tok, const char *single, const char *pair,
                                            GError **error);
AttnDecoder   *attn_decoder_new (AttnDecKind kind, const char *a, const char *b, gboolean flag);

/* Loaders (one file per format). */
AttnTokenizer *attn_tokenizer_json_load (const char *path, GError **error);
gboolean       attn_wordpiece_load_vocab_txt (AttnTokenizer *tok, const char *path, GError **error);
gboolean       attn_bpe_load_vocab_json (AttnTokenizer *tok, const char *path, GError **error);
gboolean       attn_bpe_load_merges_txt (AttnTokenizer *tok, const char *path, GError **error);
/* Adds merge "left right" (rank = order of calls). */
gboolean       attn_bpe_add_merge (AttnTokenizer *tok, const char *left, const char *right,
                                   const char *origin, GError **error);
AttnTokenizer *attn_spm_load (const char *spm_path, const char *vocab_json_path, GError **error);

/* Model steps: tokenise one pre-token (already byte-level mapped etc.). */
gboolean attn_wordpiece_tokenize (AttnTokenizer *tok, const AttnNStr *word, AttnTokList *out, GError **error);
gboolean attn_bpe_tokenize       (AttnTokenizer *tok, const AttnNStr *word, AttnTokList *out, GError **error);
gboolean attn_unigram_tokenize   (AttnTokenizer *tok, const AttnNStr *word, AttnTokList *out, GError **error);

/* JSON helpers that report the file and the member on failure. */
/* Reads a whole file; a missing one is ATTN_ERROR_MISSING, others ATTN_ERROR_IO, naming the path. */
gboolean       attn_read_file       (const char *path, char **data, gsize *len, GError **error);
JsonNode      *attn_json_parse_file (const char *path, GError **error);

typedef struct {
  const char    *path;
  AttnTokenizer *tok;
} AttnJsonCtx;

gboolean    attn_json_bad_type   (const AttnJsonCtx *c, const char *where, const char *name,
                                  const char *expected, GError **error);
gboolean    attn_json_is_null    (JsonNode *n);
/* Absent or null members give the default (NULL for strings). */
gboolean    attn_json_get_string (const AttnJsonCtx *c, JsonObject *o, const char *where,
                                  const char *name, const char **out, GError **error);
gboolean    attn_json_get_bool   (const AttnJsonCtx *c, JsonObject *o, const char *where,
                                  const char *name, gboolean def, gboolean *out, GError **error);
gboolean    attn_json_get_int    (const AttnJsonCtx *c, JsonObject *o, const char *where,
                                  const char *name, gint64 def, gint64 *out, GError **error);
JsonObject *attn_json_as_object  (const AttnJsonCtx *c, JsonNode *n, const char *where,
                                  GError **error);
JsonArray  *attn_json_get_array  (const AttnJsonCtx *c, JsonObject *o, const char *where,
                                  const char *name, GError **error);
const char *attn_json_get_type   (const AttnJsonCtx *c, JsonObject *o, const char *where,
                                  GError **error);
gboolean    attn_json_unsupported (const AttnJsonCtx *c, const char *where, const char *type,
                                   GError **error);
GRegex     *attn_json_get_pattern (const AttnJsonCtx *c, JsonObject *o, const char *where,
                                   char **literal, GError **error);
gboolean    attn_json_get_metaspace (const AttnJsonCtx *c, JsonObject *o, const char *where,
                                     char **repl, AttnPrependScheme *scheme, GError **error);
gboolean    attn_json_load_post    (const AttnJsonCtx *c, JsonNode *node, GError **error);
gboolean    attn_json_load_decoder (const AttnJsonCtx *c, JsonNode *node, GError **error);

G_END_DECLS
