/* SPDX-License-Identifier: GPL-2.0-only */
/* bench/hello.c: the fork_exec target: does nothing (linked static when possible). */
int main(void)
{
	return 0;
}
