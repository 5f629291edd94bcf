/* nbody_scalars: see NBODY_SCALARS in bench/suites/hot.py (same statements, same order). */
#define KERNEL_FLOAT
#include "harness.h"

result_t kernel(long long n)
{
    double x1 = 0.0;
    double y1 = 0.0;
    double z1 = 0.0;
    double vx1 = 0.0;
    double vy1 = 0.0;
    double vz1 = 0.0;
    double m1 = 39.47841760435743;
    double x2 = 4.84143144246472090;
    double y2 = -1.16032004402742839;
    double z2 = -0.103622044471123109;
    double vx2 = 0.606326392995832;
    double vy2 = 2.81198684491626;
    double vz2 = -0.02521836165988763;
    double m2 = 0.03769367487038949;
    double x3 = 8.34336671824457987;
    double y3 = 4.12479856412430479;
    double z3 = -0.403523417114321381;
    double vx3 = -1.0107743461787924;
    double vy3 = 1.8256623712304119;
    double vz3 = 0.008415761376584154;
    double m3 = 0.011286326131968767;
    double dt = 0.01;
    double dx, dy, dz, d2, mag;
    for (long long step = 0; step < n; step++) {
        dx = x1 - x2;
        dy = y1 - y2;
        dz = z1 - z2;
        d2 = dx * dx + dy * dy + dz * dz;
        mag = dt / (d2 * sqrt(d2));
        vx1 -= dx * m2 * mag;
        vy1 -= dy * m2 * mag;
        vz1 -= dz * m2 * mag;
        vx2 += dx * m1 * mag;
        vy2 += dy * m1 * mag;
        vz2 += dz * m1 * mag;
        dx = x1 - x3;
        dy = y1 - y3;
        dz = z1 - z3;
        d2 = dx * dx + dy * dy + dz * dz;
        mag = dt / (d2 * sqrt(d2));
        vx1 -= dx * m3 * mag;
        vy1 -= dy * m3 * mag;
        vz1 -= dz * m3 * mag;
        vx3 += dx * m1 * mag;
        vy3 += dy * m1 * mag;
        vz3 += dz * m1 * mag;
        dx = x2 - x3;
        dy = y2 - y3;
        dz = z2 - z3;
        d2 = dx * dx + dy * dy + dz * dz;
        mag = dt / (d2 * sqrt(d2));
        vx2 -= dx * m3 * mag;
        vy2 -= dy * m3 * mag;
        vz2 -= dz * m3 * mag;
        vx3 += dx * m2 * mag;
        vy3 += dy * m2 * mag;
        vz3 += dz * m2 * mag;
        x1 += dt * vx1;
        y1 += dt * vy1;
        z1 += dt * vz1;
        x2 += dt * vx2;
        y2 += dt * vy2;
        z2 += dt * vz2;
        x3 += dt * vx3;
        y3 += dt * vy3;
        z3 += dt * vz3;
    }
    return x1 + y1 + z1 + x2 + y2 + z2 + x3 + y3 + z3;
}
