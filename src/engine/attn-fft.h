/* attn-fft.h — a small mixed-radix FFT for real input (engine-internal).
 *
 * Used for the STFT of the log-mel features (n_fft = 400 = 2^4 * 5^2), but any
 * even length works: the complex half-length transform is factored into radix
 * 4, 2, 3 and 5 stages (Stockham autosort, double precision) with a generic
 * stage for other primes. A plan owns its scratch buffers, so one plan must
 * not be used by two threads at once; make one per thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AttnFft AttnFft;

/* Plans a real forward transform of length n (even, >= 2). Returns NULL for an
 * odd or zero length. */
AttnFft *attn_fft_new          (guint n);
void     attn_fft_free         (AttnFft *fft);
guint    attn_fft_length       (const AttnFft *fft);

/* X[k] = sum_t in[t] * exp(-2 pi i k t / n) for k = 0 .. n/2; out_re and out_im
 * hold n/2 + 1 values each. `in` is not modified. */
void     attn_fft_real_forward (AttnFft *fft, const double *in, double *out_re, double *out_im);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttnFft, attn_fft_free)

G_END_DECLS
