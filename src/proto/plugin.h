/* plugin.h: decoders written in JavaScript, ChatTCP's plugin API (docs/plugins.md).
 *
 * `--plugin FILE [--plugin-port N]` loads FILE once per process (cli/opts.c calls
 * plugin_load); every session then decodes the connections plugin_selects() accepts
 * with it, as if by --decode-as: chat, stream, --json, the web UI and filters
 * (`NAME.field == 3`, NAME the file's base name) see its messages.
 *
 * Ownership: the loaded plugins are the process's (plugin.c), freed at exit. A plugin
 * that fails (throws, loops, uses too much memory) never stops chattcp: the error is a
 * message of the connection (event plugin.error) and one line on stderr, counted by
 * plugin_errors(). */
#ifndef CHATTCP_PLUGIN_H
#define CHATTCP_PLUGIN_H

#include "../base/err.h"
#include "../model/conn.h"
#include "proto.h"

#include <stddef.h>
#include <stdint.h>

/* Plugins loaded at once (--plugin given more than this is a usage error). */
#define PLUGIN_MAX 8

/* Loads and compiles FILE (its top level runs once, within the call budget); port 0:
 * every connection. Returns 0, or -1 with e set (EXIT_USAGE: no such file, a syntax
 * error with its line, no parse(), built without plugins). */
int plugin_load(const char *file, struct err *e);
/* --plugin-port N for the plugin loaded last (0: every connection). */
void plugin_set_port(uint16_t port);
/* The decoder of the plugin that decodes c (the last one loaded whose port c uses), or
 * NULL. */
const struct proto_desc *plugin_for(const struct conn *c);
/* Any plugin loaded. */
int plugin_any(void);
/* 1 when name[0..n) is a loaded plugin's name (filters: NAME.field). */
int plugin_is_name(const char *name, size_t n);
/* Errors the plugins reported so far (each also a message and a line on stderr). */
uint64_t plugin_errors(void);

#endif
