/* catalog.h: the MCP resources (every built-in case's lesson, as Markdown) and prompts
 * ("explain_connection": a connection told to a beginner) of `chattcp mcp`. */
#ifndef CHATTCP_MCP_CATALOG_H
#define CHATTCP_MCP_CATALOG_H

#include "../base/strbuf.h"
#include "tools.h"

#include <jansson.h>

/* The URI of a case's lesson: chattcp://cases/NAME/lesson */
#define MCP_LESSON_URI_PREFIX "chattcp://cases/"

/* resources/list: {"resources":[...]} */
void mcp_resources_list(struct strbuf *b);
/* resources/read of uri: 0 with {"contents":[...]} in out, or an error code with why. */
int mcp_resources_read(const char *uri, struct strbuf *out, struct strbuf *why);
/* prompts/list: {"prompts":[...]} */
void mcp_prompts_list(struct strbuf *b);
/* prompts/get name(args): 0 with {"description","messages"} in out, or an error code. */
int mcp_prompts_get(struct mcp_tools *t, const char *name, const json_t *args, struct strbuf *out, struct strbuf *why);

#endif
