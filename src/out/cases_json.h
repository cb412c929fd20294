/* cases_json.h: a built-in case as the JSON object `cases --json` prints and the web
 * UI's case library reads (fields: docs/json.md). */
#ifndef CHATTCP_CASES_JSON_H
#define CHATTCP_CASES_JSON_H

#include "../base/strbuf.h"
#include "../cases/cases.h"

/* One line: {"name","title","summary","topics":[...]}, and "lesson" (its Markdown as
 * written, without the front matter) when with_lesson. */
void case_json(struct strbuf *b, const struct case_blob *cb, int with_lesson);

#endif
