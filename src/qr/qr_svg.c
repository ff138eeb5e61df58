/*
 * qr_svg.c — QR matrices as SVG with a single path (see qr_image.h).
 */
#include "qr/qr_image.h"

int qr_svg_write(const qr_matrix_t *m, const qr_options_t *o, int px, buf_t *out)
{
    const int left = qr_image_offset(m, o, px);
    int rc = 0;
    rc |= buf_printf(out,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                     " shape-rendering=\"crispEdges\">\n"
                     "<rect width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\"/>\n"
                     "<path transform=\"translate(%d %d) scale(%d)\" fill=\"#%02x%02x%02x\" d=\"",
                     o->size, o->size, o->size, o->size, o->size, o->size, o->bg.r, o->bg.g, o->bg.b, left, left, px,
                     o->fg.r, o->fg.g, o->fg.b);
    /* One subpath per horizontal run of dark modules: a 1-module-high rectangle. */
    for (int y = 0; y < m->width; y++) {
        const unsigned char *row = m->dark + (size_t)y * (size_t)m->width;
        for (int x = 0; x < m->width;) {
            if (!row[x]) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < m->width && row[x + run])
                run++;
            rc |= buf_printf(out, "M%d %dh%dv1h-%dz", x + o->margin, y + o->margin, run, run);
            x += run;
        }
    }
    rc |= buf_append_str(out, "\"/>\n</svg>\n");
    return rc == BUF_OK ? 0 : -1;
}
