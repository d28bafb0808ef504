/* attn-error.h — the engine's error domain.
 * Every failure in libattn comes back as a GError in ATTN_ERROR; the engine
 * never exits, aborts or prints. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ATTN_ERROR (attn_error_quark ())

typedef enum {
  ATTN_ERROR_IO,            /* a file could not be opened or read */
  ATTN_ERROR_FORMAT,        /* a file is malformed: bad header, bad JSON, bad protobuf */
  ATTN_ERROR_MISSING,       /* a required file or tensor is absent */
  ATTN_ERROR_SHAPE,         /* a tensor has the wrong shape or dtype */
  ATTN_ERROR_CONFIG,        /* config.json describes something impossible or unsupported */
  ATTN_ERROR_UNSUPPORTED,   /* a valid thing this engine does not implement */
  ATTN_ERROR_INPUT,         /* the user's input cannot be processed (empty, too long, bad UTF-8) */
  ATTN_ERROR_AUDIO,         /* an audio file cannot be decoded */
  ATTN_ERROR_CANCELLED,     /* reserved; cancellation uses G_IO_ERROR_CANCELLED */
} AttnErrorCode;

GQuark attn_error_quark (void);

G_END_DECLS
