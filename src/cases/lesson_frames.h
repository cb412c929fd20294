/* lesson_frames.h: the frames a case's lesson names, for lesson mode (`chattcp learn`
 * and the web UI's case stepping, both through session/learn.h). A lesson names frames
 * as "Frame 3", "frame 3", "Frames 1-3", "frames 5 and 6", "frames 2, 4" or "#3".
 * A block (a paragraph or list item, code and headings excepted) that opens with such a
 * name ("- **Frame 4** (client -> server ...") is about the first frame it opens with;
 * a block that opens otherwise is about every frame it names. */
#ifndef CHATTCP_LESSON_FRAMES_H
#define CHATTCP_LESSON_FRAMES_H

#include <stddef.h>
#include <stdint.h>

struct lesson_block {
	const char *md; /* the block's Markdown, a slice of the lesson (lesson_render draws it) */
	size_t n;
};
/* Calls fn for each block about frame, in lesson order; returns how many there were. */
size_t lesson_blocks_about(const char *md, size_t n, uint32_t frame,
			   void (*fn)(void *ctx, const struct lesson_block *bl), void *ctx);
/* 1 when the lesson names frame anywhere (a range names each frame in it). */
int lesson_names_frame(const char *md, size_t n, uint32_t frame);
/* The marker of a list item at s[0..n) ("- ", "* ", "12. "): its length, or 0 (the
 * lesson renderer, out/lesson.c, reads items the same way). */
size_t lesson_item_marker(const char *s, size_t n);

#endif
