/* lesson.h: a case's lesson (cases/NAME/lesson.md) drawn for the terminal.
 *
 * The lessons are written in a small subset of Markdown: "#"/"##" headings, paragraphs,
 * "- " and "1. " list items (their text may go on over indented lines), ``` fenced code,
 * and inline **bold**, *emphasis* and `code`. Paragraphs and items are re-wrapped to the
 * layout's width; with colour, headings and bold are bold, code is cyan and emphasis is
 * underlined; without, the markers are dropped, headings are underlined with = or -
 * and code blocks are indented. Anything else is shown as the text it is. */
#ifndef CHATTCP_LESSON_H
#define CHATTCP_LESSON_H

#include "../base/strbuf.h"
#include "width.h"
#include "../cases/lesson_frames.h" /* lesson_blocks_about: the blocks lesson_render draws in lesson mode */

#include <stddef.h>
#include <stdint.h>

void lesson_render(struct strbuf *b, const char *md, size_t n, const struct layout *ly);

#endif
