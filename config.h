/* config.h: ebph's configuration: defaults, YAML loading, validation. */
#ifndef EBPH_CONFIG_H
#define EBPH_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#define CFG_STATE_DIR_MAX 4096
#define CFG_FILE_MAX (1U << 20)	/* bytes of a configuration file, at most */

struct ebph_config {
	__u64 normal_wait;	/* seconds */
	__u64 status_interval;	/* seconds, 0 = no periodic status */
	__u64 save_interval;	/* seconds, 0 = save only at exit */
	__u32 window;		/* 2..9 */
	__u32 normal_factor;
	__u32 normal_factor_den;
	__u32 anomaly_limit;
	__u32 tolerize_limit;
	__u32 lfc_window;	/* 1..128 */
	__u32 max_profiles;
	__u32 max_tasks;
	__u32 max_rows;		/* pair-row pool size, <= 65535 */
	__u32 max_rows_per_profile;	/* rows one profile may take from the pool */
	__u32 ringbuf_kb;	/* ring buffer size in KiB, power of two */
	__u32 anomaly_lines;	/* anomalies of a task's burst sent one by one, 0 = all */
	__u64 summary_interval;	/* seconds: a longer burst is summarised on its next anomaly */
	__u32 output_rate;	/* event lines per second on stdout, 0 = no limit */
	char state_dir[CFG_STATE_DIR_MAX];
};

/* Fill cfg with the built-in defaults. */
void cfg_defaults(struct ebph_config *cfg);

/*
 * Load YAML from a file or a string over the defaults already in cfg.
 * On error return -EINVAL (bad content) or -errno (unreadable), leave cfg
 * untouched and write one message into err, "NAME:LINE:COL: ..." naming the
 * key where there is one, e.g. "ebph.yaml:3:1: unknown key 'windw'".
 */
int cfg_load_file(struct ebph_config *cfg, const char *path, char *err, size_t errlen);
int cfg_load_string(struct ebph_config *cfg, const char *text, size_t len, const char *name,
		    char *err, size_t errlen);

/* "90", "90s", "15m", "2h", "7d", "1w" -> seconds. 0 or -EINVAL. */
int cfg_parse_duration(const char *s, __u64 *secs);

/* Write cfg as YAML (every key, one per line), e.g. for --print-config. */
void cfg_write(FILE *f, const struct ebph_config *cfg);

#endif
