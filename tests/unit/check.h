/* check.h - the few macros the C unit tests use.  A unit test is a program
 * tests/unit/test_NAME.c: exit 0 = pass, 77 = skip, anything else = fail. */
#ifndef MEMVIZ_CHECK_H
#define MEMVIZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	check_failures++; } } while (0)
#define CHECK_EQ_U(a, b) do { unsigned long long a_ = (a), b_ = (b); if (a_ != b_) { \
	fprintf(stderr, "%s:%d: %s == %s failed: 0x%llx != 0x%llx\n", __FILE__, __LINE__, #a, #b, a_, b_); \
	check_failures++; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) { \
	fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b, \
		a_ ? a_ : "(null)", b_ ? b_ : "(null)"); check_failures++; } } while (0)
#define CHECK_DONE() return check_failures ? 1 : 0

#endif
