/*===- LsqKernel.c - A hand-written CPU kernel image for the tests --------===*
 *
 * Linear least squares trained with Adam, in the entry-point ABI of
 * runtime/schemas/program.fbs. Each row of x is [a (P values), t (Q values)];
 * the model predicts t as a W, W [P, Q]:
 *
 *   loss = sum over rows and outputs of (a W - t)^2 / (B Q)
 *   dW   = 2 a^T (a W - t) / (B Q)
 *
 * Latent j "fires" in a batch when some row has a_j != 0, and l0 is the mean
 * number of non-zero a_j per row. The kernel copies dead_mask into dead_seen
 * so tests can see the mask the runtime passed. Built with NAN_LOSS_AT=S
 * (NAN_PARAM_AT=S, FAIL_AT=S) it plants a NaN loss (a NaN in W[1, 1], a
 * non-zero return) at its S-th call, counted in the ModelState `calls`.
 *
 * Buffers: 0 W, 1 adam.m.W, 2 adam.v.W, 3 x [-1, P+Q], 4 dead_mask [P],
 * 5 loss [], 6 l0 [], 7 fired [P], 8 calls [1], 9 pred [-1, Q],
 * 10 dead_seen [P]. Scalars of train_step: lr, bias_correction1,
 * bias_correction2.
 *
 *===----------------------------------------------------------------------===*/

#include <math.h>
#include <stdint.h>

#ifndef LSQ_P
#define LSQ_P 4
#endif
#ifndef LSQ_Q
#define LSQ_Q 2
#endif

#define BETA1 0.9f
#define BETA2 0.999f
#define EPS 1e-8f

int lsq_train_step(void *const *buffers, const int64_t *dims,
                   const float *scalars) {
  float *W = buffers[0], *m = buffers[1], *v = buffers[2];
  const float *x = buffers[3], *dead = buffers[4];
  float *loss = buffers[5], *l0 = buffers[6], *fired = buffers[7];
  float *calls = buffers[8], *seen = buffers[10];
  int64_t rows = dims[0];
  float lr = scalars[0], bc1 = scalars[1], bc2 = scalars[2];
  double grad[LSQ_P * LSQ_Q] = {0};
  double total = 0, nonzero = 0;

  for (int j = 0; j < LSQ_P; ++j) {
    fired[j] = 0.0f;
    seen[j] = dead[j];
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float *a = x + r * (LSQ_P + LSQ_Q), *t = a + LSQ_P;
    for (int k = 0; k < LSQ_Q; ++k) {
      double pred = 0;
      for (int j = 0; j < LSQ_P; ++j)
        pred += (double)a[j] * W[j * LSQ_Q + k];
      double residual = pred - t[k];
      total += residual * residual;
      for (int j = 0; j < LSQ_P; ++j)
        grad[j * LSQ_Q + k] += residual * a[j];
    }
    for (int j = 0; j < LSQ_P; ++j)
      if (a[j] != 0.0f) {
        nonzero += 1;
        fired[j] = 1.0f;
      }
  }
  double scale = 2.0 / ((double)rows * LSQ_Q);
  *loss = (float)(total / ((double)rows * LSQ_Q));
  *l0 = (float)(nonzero / (double)rows);
  for (int i = 0; i < LSQ_P * LSQ_Q; ++i) {
    float g = (float)(grad[i] * scale);
    m[i] = BETA1 * m[i] + (1.0f - BETA1) * g;
    v[i] = BETA2 * v[i] + (1.0f - BETA2) * g * g;
    W[i] -= lr * (m[i] / bc1) / (sqrtf(v[i] / bc2) + EPS);
  }
  calls[0] += 1.0f;
#ifdef NAN_LOSS_AT
  if (calls[0] == NAN_LOSS_AT)
    *loss = NAN;
#endif
#ifdef NAN_PARAM_AT
  if (calls[0] == NAN_PARAM_AT)
    W[1 * LSQ_Q + 1] = NAN;
#endif
#ifdef FAIL_AT
  if (calls[0] == FAIL_AT)
    return 7;
#endif
  return 0;
}

int lsq_forward(void *const *buffers, const int64_t *dims,
                const float *scalars) {
  (void)scalars;
  const float *W = buffers[0], *x = buffers[3];
  float *pred = buffers[9];
  for (int64_t r = 0; r < dims[0]; ++r) {
    const float *a = x + r * (LSQ_P + LSQ_Q);
    for (int k = 0; k < LSQ_Q; ++k) {
      double sum = 0;
      for (int j = 0; j < LSQ_P; ++j)
        sum += (double)a[j] * W[j * LSQ_Q + k];
      pred[r * LSQ_Q + k] = (float)sum;
    }
  }
  return 0;
}
