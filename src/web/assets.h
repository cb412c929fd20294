/* assets.h: the front end (web/) embedded in the binary at build time by
 * scripts/embed-web.sh, so `chattcp ui` needs no files, no node and no network. */
#ifndef CHATTCP_WEB_ASSETS_H
#define CHATTCP_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;          /* "/app.js": the URL path it is served at */
	const char *type;          /* the Content-Type */
	const unsigned char *data;
	size_t len;
};

/* The table, made by scripts/embed-web.sh (build/gen/web_assets.c): n entries. Declared
 * weak: the unit tests and the fuzz replay link every object but not
 * the generated ones, and never serve a page. */
const struct web_asset *web_asset_table(size_t *n) __attribute__((weak));

/* The asset at path ("/" is "/index.html"), or NULL. */
const struct web_asset *web_asset_find(const char *path);

#endif
