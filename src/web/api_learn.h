/* api_learn.h: GET /api/learn?name=NAME, the web UI's case stepping (web/js/learn.js):
 * the steps `chattcp learn NAME` takes, from the same model (session/learn.h), in the
 * same order, with the same questions, answers and lesson paragraphs. docs/ui.md. */
#ifndef CHATTCP_WEB_API_LEARN_H
#define CHATTCP_WEB_API_LEARN_H

#include "api.h"

void api_learn(const struct web_req *q, struct web_reply *r);

#endif
