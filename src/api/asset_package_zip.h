/*
 * asset_package_zip.h — an asset package as one ZIP, streamed while it is written:
 * GET /v1/asset-packages/{id}/download (a key or a signed URL; a heavy answer, README "Heavy
 * answers") and its key-less URL, GET /v1/asset-packages/{id}/download-url.
 *
 * Entries, in order: README.txt (what, when, for whom, with which parameters);
 * tracking-links.csv (one row per link, RFC 4180, formula-safe, with the names of its QR files);
 * qr/<offer>[-<url>].png and .svg (each link's redirect_url, drawn in-process with GET /qr's
 * defaults); creatives/<offer>/<name>.<ext> (stored files as stored, code creatives with the
 * link inserted); coupons.csv (the columns of GET /v1/coupons/export.csv). Each part only when the
 * package asks for it. Names are sanitised and unique (util/zip_name.h).
 *
 * Memory is bounded whatever the package's size: the offers are walked in pages of
 * PACKAGE_ZIP_PAGE, once per part, inside one read-only REPEATABLE READ snapshot (so the QR names
 * written in tracking-links.csv are the ones the qr/ pass gives out), each page's rows and links
 * in an arena reset per page; no entry is ever built whole (files are copied in 64 KiB chunks,
 * CSVs written a page at a time). Access is checked live for a signed URL: the package must be the
 * partner's own, and only offers it may run now are included.
 */
#ifndef TRACKGEN_ASSET_PACKAGE_ZIP_H
#define TRACKGEN_ASSET_PACKAGE_ZIP_H

#include "http/request.h"

#define PACKAGE_ZIP_PAGE 50

int asset_package_download(request_t *r);
int asset_package_download_url(request_t *r);

#endif
