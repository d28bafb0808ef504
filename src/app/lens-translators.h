/* lens-translators.h — the built-in translators the workbench compares: the recurrent
 * ones, one per score function, beside a Transformer, on one sentence pair. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *dir, *name;
  char *model_type;          /* "attn-rnn" or "marian" */
  char *score;               /* attn-rnn: "additive", "dot", "general", "scaled-dot"; else NULL */
  int   hidden;              /* attn-rnn: hidden_size */
  char *pair;                /* "de-en" from config.json's source_lang/target_lang, or "" */
} LensTranslator;

/* The translation models in `dir` (toy-task models left out) that translate the language
 * pair most of them share, as LensTranslator, recurrent ones first by score, sorted. */
GPtrArray *lens_translators_scan         (const char *dir);
/* "" when a recurrent translator for each of additive, dot and general scoring and a
 * Transformer are there, else what is missing: "attn-rnn (dot, general), marian". */
char      *lens_translators_missing      (GPtrArray *translators);

G_END_DECLS
