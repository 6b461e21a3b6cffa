/* A C program that replays tapes recorded by dualdiff.trace.
 *
 * tapes.h (written by tests/test_trace_embedding.py from Traced.export) holds
 * two tapes as C initializers: SCALAR_* of a function R^2 -> R with a branch,
 * SYSTEM_* of a system R^2 -> R^2. The program prints, one line each:
 *   grad STATUS VALUE G0 G1            at every point of SCALAR_POINTS
 *   rgrad STATUS VALUE G0 G1           the same by the reverse sweep (dd_tape_gradient)
 *   root STATUS X0 X1 ITERATIONS       dd_newton on the system's tape
 */
#include <stdio.h>

#include "dualdiff/dualdiff.h"
#include "tapes.h"

int main(void)
{
    dd_tape scalar = {SCALAR_OPS, sizeof SCALAR_OPS / sizeof SCALAR_OPS[0], SCALAR_OUTPUTS, 1,
                      SCALAR_SLOTS, SCALAR_INPUTS, 2, SCALAR_ARGS};
    dd_tape system = {SYSTEM_OPS, sizeof SYSTEM_OPS / sizeof SYSTEM_OPS[0], SYSTEM_OUTPUTS, 2,
                      SYSTEM_SLOTS, SYSTEM_INPUTS, 2, SYSTEM_ARGS};
    dd_tape_vj_func f = dd_tape_value_and_gradient; /* through a pointer, as a solver would */
    double x[2], fx, g[2], work[64];
    size_t i;
    int status, iterations;

    for (i = 0; i < sizeof SCALAR_POINTS / sizeof SCALAR_POINTS[0]; i++) {
        fx = g[0] = g[1] = 0.0;
        status = f(SCALAR_POINTS[i], &fx, g, &scalar);
        printf("grad %d %.17g %.17g %.17g\n", status, fx, g[0], g[1]);
    }
    for (i = 0; i < sizeof SCALAR_POINTS / sizeof SCALAR_POINTS[0]; i++) {
        double v[SCALAR_SLOTS], adj[SCALAR_SLOTS], d[2 * (sizeof SCALAR_OPS / sizeof SCALAR_OPS[0])];
        size_t k;
        for (k = 0; k < SCALAR_INPUTS; k++) v[k] = k < 2 ? SCALAR_POINTS[i][k] : SCALAR_ARGS[k - 2];
        status = dd_tape_gradient(SCALAR_OPS, scalar.n_ops, v, d, adj, SCALAR_SLOTS, SCALAR_OUTPUTS[0]);
        if (status == DD_OK)
            printf("rgrad %d %.17g %.17g %.17g\n", status, v[SCALAR_OUTPUTS[0]], adj[0], adj[1]);
        else
            printf("rgrad %d 0 0 0\n", status);
    }
    if (dd_newton_work_size(2, 0) > sizeof work / sizeof work[0]) return 1;
    x[0] = 1.0;
    x[1] = 0.5;
    status = dd_newton(dd_tape_func, &system, x, 2, 0, 1e-14, 0.0, 50, NULL, work, &iterations);
    printf("root %d %.17g %.17g %d\n", status, x[0], x[1], iterations);
    return 0;
}
