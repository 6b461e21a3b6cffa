/* A 1-D Newton iteration and a gradient with dualdiff's C API.
 * Build: cc -std=c99 -O2 -I"$(python -c 'import dualdiff; print(dualdiff.get_include())')" newton.c -lm */
#include <math.h>
#include <stdio.h>

#include "dualdiff/dualdiff.h"

/* f(x) = cos(x) - x, on numbers of width w: w + 1 doubles each */
static int f(const double *x, double *out, size_t n_in, size_t n_out, size_t w, void *data)
{
    (void)n_in; (void)n_out; (void)data;
    dd_cos(out, x, w, 1);
    dd_sub(out, out, x, w + 1);
    return 0;
}

/* g(x, y, z) = x y z + exp(x) sin(y) + z^2 / (1 + x^2) */
static int g(const double *x, double *out, size_t n_in, size_t n_out, size_t w, void *data)
{
    size_t m = w + 1;               /* doubles per number */
    double t[8], u[8];              /* scratch: enough for widths up to 7 */
    const double *X = x, *Y = x + m, *Z = x + 2 * m;
    (void)n_in; (void)n_out; (void)data;
    if (m > 8) return 1;
    dd_mul(t, X, Y, w, 1);
    dd_mul(out, t, Z, w, 1);
    dd_exp(t, X, w, 1);
    dd_sin(u, Y, w, 1);
    dd_mul(t, t, u, w, 1);
    dd_add(out, out, t, m);
    dd_square(t, X, w, 1);
    dd_add_scalar(t, t, 1.0, m);
    dd_square(u, Z, w, 1);
    dd_div(u, u, t, w, 1);
    dd_add(out, out, u, m);
    return 0;
}

int main(void)
{
    double x = 1.0, fx, dfdx, step;
    double p[3] = {0.5, -1.0, 2.0}, gp, grad[3];
    double work[12]; /* dd_work_size(3, 1, 2) */
    int it;

    /* Newton on f(x) = 0 with the exact derivative */
    for (it = 1; it <= 50; it++) {
        if (dd_derivative(f, NULL, x, &fx, &dfdx) != DD_OK) return 1;
        step = fx / dfdx;
        x -= step;
        if (fabs(step) <= 1e-15 * fabs(x)) break;
    }
    if (dd_derivative(f, NULL, x, &fx, &dfdx) != DD_OK) return 1;
    printf("root %.17g\nresidual %.17g\nderivative %.17g\niterations %d\n", x, fx, dfdx, it);

    /* gradient of g, two directions per call */
    if (dd_work_size(3, 1, 2) > sizeof work / sizeof work[0]) return 1;
    if (dd_gradient(g, NULL, p, 3, 2, &gp, grad, work) != DD_OK) return 1;
    printf("value %.17g\ngradient %.17g %.17g %.17g\n", gp, grad[0], grad[1], grad[2]);
    return 0;
}
