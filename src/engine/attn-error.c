/* attn-error.c — the engine's error domain. */
#include "attn-error.h"

G_DEFINE_QUARK (attn-error-quark, attn_error)
