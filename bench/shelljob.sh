#!/bin/sh
# bench/shelljob.sh: a shell-script-heavy job (many short processes) for bench/workload.sh.
n=${1:-300}
i=0
while [ "$i" -lt "$n" ]; do
	x=$(echo "$i" | sed 's/1/2/' | tr 0-9 a-j)
	y=$(basename "/a/b/$x.c" .c)
	[ "$(expr "$i" % 7)" -eq 0 ] && date +%s > /dev/null
	printf '%s\n' "$y" | grep -q . || exit 1
	i=$((i + 1))
done
