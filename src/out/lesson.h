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

#include <stddef.h>
#include <stdint.h>

void lesson_render(struct strbuf *b, const char *md, size_t n, const struct layout *ly);

/* The frames a lesson names, for lesson mode (`chattcp learn`). A lesson names frames
 * as "Frame 3", "frame 3", "Frames 1-3", "frames 5 and 6", "frames 2, 4" or "#3".
 * A block (a paragraph or list item, code and headings excepted) that opens with such a
 * name ("- **Frame 4** (client -> server ...") is about the first frame it opens with;
 * a block that opens otherwise is about every frame it names. */
struct lesson_block {
	const char *md; /* the block's Markdown, a slice of the lesson (lesson_render draws it) */
	size_t n;
};
/* Calls fn for each block about frame, in lesson order; returns how many there were. */
size_t lesson_blocks_about(const char *md, size_t n, uint32_t frame,
			   void (*fn)(void *ctx, const struct lesson_block *bl), void *ctx);
/* 1 when the lesson names frame anywhere (a range names each frame in it). */
int lesson_names_frame(const char *md, size_t n, uint32_t frame);

#endif
