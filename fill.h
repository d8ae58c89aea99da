/* fill.h: fill the BPF program template from the configuration and kernel layouts. */
#ifndef EBPH_FILL_H
#define EBPH_FILL_H

#include <linux/types.h>
#include "config.h"

/* Kernel struct members the BPF program reads, resolved from BTF. */
struct fill_member {
	const char *macro;	/* #define name in the template */
	const char *type;	/* struct or union */
	const char *member;	/* member chain, dots between */
};

/* Offset of an optional member this kernel lacks: no #define is written. */
#define FILL_OFF_NONE	0xffffffffU

extern const struct fill_member fill_members[];
extern const unsigned int fill_nmembers;

/* 1 if fill_members[i] may be missing on a kernel (FILL_OFF_NONE): the
 * template leaves out what needs it (#ifdef macro); else 0. */
int fill_optional(unsigned int i);

/*
 * Build the BPF program text: the #defines for cfg and offs (one offset per
 * fill_members entry, same order), then the template with its
 * #include "ebph.h" / "ph.h" lines replaced by those headers.
 * Returns a malloc'd string, or NULL (out of memory).
 */
char *fill_program(const struct ebph_config *cfg, const __u32 *offs);

/* Task states: slots of the direct-mapped tasks array (max_tasks rounded
 * up to a power of two) and of the spill hash for colliding TIDs. */
__u32 fill_task_slots(__u32 max_tasks);
__u32 fill_task_spill(__u32 max_tasks);

/* The same from given template and header texts (for tests). */
char *fill_text(const char *tmpl, const char *ebph_h, const char *ph_h,
		const struct ebph_config *cfg, const __u32 *offs);

#endif
