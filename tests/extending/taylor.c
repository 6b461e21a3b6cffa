/* The Taylor driver from C: coefficients of t -> f(x + t v) for
 * f(x, y) = (exp(x) sin(y), x / (1 + y^2)), printed one line per degree. */
#include <stdio.h>

#include "dualdiff/dualdiff.h"

static int model(const double *x, double *f, size_t n_in, size_t n_out, size_t K, void *data)
{
    double s[DD_TAYLOR_MAX + 1], e[DD_TAYLOR_MAX + 1], q[DD_TAYLOR_MAX + 1];
    const double *a = x, *b = x + (K + 1);
    double *f0 = f, *f1 = f + (K + 1);
    (void)n_in; (void)n_out; (void)data;
    dd_unary(DD_OP_exp, e, a, K, DD_TAYLOR);
    dd_unary(DD_OP_sin, s, b, K, DD_TAYLOR);
    dd_mul(f0, e, s, K, DD_TAYLOR);
    dd_mul(q, b, b, K, DD_TAYLOR);
    dd_add_scalar(q, q, 1.0, dd_size(K, DD_TAYLOR));
    dd_div(f1, a, q, K, DD_TAYLOR);
    return 0;
}

int main(void)
{
    enum { K = 6 };
    double x[2] = {0.5, -1.0}, v[2] = {1.0, 0.25};
    double coef[2 * (K + 1)], work[(2 + 2) * (K + 1)];
    size_t k;
    int status;
    if (dd_taylor_work_size(2, 2, K) > sizeof work / sizeof work[0]) return 2;
    status = dd_taylor(model, NULL, x, v, 2, 2, K, coef, work);
    printf("status %d\n", status);
    for (k = 0; k <= K; k++) printf("c%u %.17g %.17g\n", (unsigned)k, coef[2 * k], coef[2 * k + 1]);
    printf("toohigh %d\n", dd_taylor(model, NULL, x, v, 2, 2, DD_TAYLOR_MAX + 1, coef, work));
    return status == 0 ? 0 : 1;
}
