/* cases.h: the built-in classic cases, embedded in the binary at build time. */
#ifndef CHATTCP_CASES_H
#define CHATTCP_CASES_H

#include <stddef.h>

struct case_blob {
	const char *name;
	const unsigned char *capture;
	size_t capture_len;
	const char *lesson;     /* lesson.md, front matter included */
	size_t lesson_len;
};

extern const struct case_blob case_blobs[];
extern const size_t case_blob_count;

/* The case called name, or NULL. */
const struct case_blob *case_find(const char *name);
/* The value of "key: value" in the lesson's front matter (between the --- lines):
 * 1 with *val, *n set (not NUL-terminated), or 0 when absent. */
int case_front(const struct case_blob *cb, const char *key, const char **val, size_t *n);
/* The suggested order for a beginner (the lessons' "order:" numbers; a case without one
 * comes last, by name): fills out[0..case_blob_count) and returns case_blob_count.
 * The list groups cases by their "topic:" line, topics in the order of their first case. */
size_t case_order(const struct case_blob **out);
/* The lesson's "order:" number, or 0 when it has none. */
long case_order_num(const struct case_blob *cb);
/* A case directory, as `chattcp lesson -o DIR` writes it and `case:DIR` opens it:
 * these two files in it. */
#define CASE_DIR_CAPTURE "capture.pcap"
#define CASE_DIR_LESSON "lesson.md"
/* Bytes of a case directory's lesson.md read at most: the longest built-in lesson is a
 * few KB; a bigger file is not a lesson, and is cut there. */
#define CASE_DIR_LESSON_MAX ((size_t)1 << 20)
/* dir's capture path into path (1), or 0 when dir is not a directory (or the path is
 * longer than n). */
int case_dir_capture(const char *dir, char *path, size_t n);
/* dir's lesson.md into *cb (name: dir, no capture bytes): the text, which the caller
 * frees, or NULL when dir is not a directory or holds no readable lesson.md. */
char *case_dir_lesson(const char *dir, struct case_blob *cb);
/* The lesson without its front matter. */
const char *case_lesson_body(const struct case_blob *cb);

#endif
