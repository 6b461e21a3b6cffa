/* The Newton iteration of bench_newton.pyx in plain C, for instruction counts:
 *   bench_newton hand|dual REPS   run REPS solves (6 full Newton steps each) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dualdiff/dualdiff.h"

#define HALF_PI 1.57079632679489661923

/* f1 = x^2 + y^2 + z^2 - 3, f2 = exp(x - 1) + 2 y z - 3, f3 = sin(pi x / 2) + y - 2 z */
static int system_dual(const double *x, double *f, size_t n_in, size_t n_out, size_t w, void *data)
{
    size_t m = w + 1;
    double t[8];
    const double *X = x, *Y = x + m, *Z = x + 2 * m;
    double *f1 = f, *f2 = f + m, *f3 = f + 2 * m;
    (void)n_in; (void)n_out; (void)data;
    if (m > 8) return 1;
    dd_square(f1, X, w, 1);
    dd_square(t, Y, w, 1);
    dd_add(f1, f1, t, m);
    dd_square(t, Z, w, 1);
    dd_add(f1, f1, t, m);
    dd_add_scalar(f1, f1, -3.0, m);
    dd_add_scalar(t, X, -1.0, m);
    dd_exp(f2, t, w, 1);
    dd_mul(t, Y, Z, w, 1);
    dd_scalar_mul(t, 2.0, t, m);
    dd_add(f2, f2, t, m);
    dd_add_scalar(f2, f2, -3.0, m);
    dd_scalar_mul(t, HALF_PI, X, m);
    dd_sin(f3, t, w, 1);
    dd_add(f3, f3, Y, m);
    dd_scalar_mul(t, 2.0, Z, m);
    dd_sub(f3, f3, t, m);
    return 0;
}

static void system_hand(const double *x, double *f, double *jac)
{
    double X = x[0], Y = x[1], Z = x[2], e = exp(X - 1.0), a = HALF_PI * X;
    f[0] = X * X + Y * Y + Z * Z - 3.0;
    f[1] = e + 2.0 * Y * Z - 3.0;
    f[2] = sin(a) + Y - 2.0 * Z;
    jac[0] = 2.0 * X; jac[1] = 2.0 * Y; jac[2] = 2.0 * Z;
    jac[3] = e; jac[4] = 2.0 * Z; jac[5] = 2.0 * Y;
    jac[6] = HALF_PI * cos(a); jac[7] = 1.0; jac[8] = -2.0;
}

__attribute__((noinline)) static void newton(double *x, int hand)
{
    double f[3], jac[9], work[64];
    int k, i;
    for (k = 0; k < 6; k++) {
        if (hand)
            system_hand(x, f, jac);
        else
            dd_value_and_jacobian(system_dual, NULL, x, 3, 3, 0, f, jac, work);
        for (i = 0; i < 3; i++) f[i] = -f[i];
        dd_lu_solve(jac, f, 3);
        for (i = 0; i < 3; i++) x[i] += f[i];
    }
}

int main(int argc, char **argv)
{
    int r, reps, hand;
    double acc = 0.0;
    if (argc != 3) return 2;
    hand = strcmp(argv[1], "hand") == 0;
    reps = atoi(argv[2]);
    for (r = 0; r < reps; r++) {
        double x[3] = {1.3, 0.8, 1.2};
        x[2] += r * 1e-13;
        newton(x, hand);
        acc += x[0];
    }
    printf("%.17g\n", acc / reps);
    return 0;
}
