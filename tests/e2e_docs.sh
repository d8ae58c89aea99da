#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_docs.sh: --help, man/ebph.8, README.md and config/ebph.yaml describe the
# same options and keys; the README's commands are the ones CI runs.
. tests/lib.sh

opts=$("$EBPH" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
check "--help lists options" [ -n "$opts" ]
for o in $opts; do
	check "option $o in man/ebph.8" sh -c "sed 's/\\\\-/-/g' man/ebph.8 | grep -q -- '$o'"
	check "option $o in README.md" grep -q -- "$o" README.md
done
for o in $(grep -oE '^\\fB\\-\\-[a-z-]+' man/ebph.8 | sed 's/^\\fB\\-\\-/--/; s/\\-/-/g' | sort -u); do
	check "man page option $o is in --help" sh -c "'$EBPH' --help | grep -q -- '$o'"
done

listed=$(sed -n '2s/^\.\\" //p' man/ebph.8)
check "man page's option comment matches --help" [ "$listed" = "$(echo $opts)" ]
for o in $(grep -oE '^\| `(-[a-zA-Z], )?--[a-z-]+' README.md | grep -oE -- '--[a-z-]+' | sort -u); do
	check "README option $o is in --help" sh -c "'$EBPH' --help | grep -q -- '$o'"
done

# Commands: the table behind --help, the man page and the README name the
# same ones, and each command's options (ebph CMD --help) are documented.
cmds=$("$EBPH" --help | sed -n '/^COMMANDS/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' | sort -u)
check "--help lists commands" [ -n "$cmds" ]
check "--help lists prune and help" sh -c "echo '$cmds' | grep -qx prune && echo '$cmds' | grep -qx help"
mancmds=$(grep -oE '^\.SS [a-z]+$' man/ebph.8 | sed 's/^\.SS //' | grep -vx Consistency | sort -u)
check "man page has a section per command, as --help" [ "$(echo $mancmds)" = "$(echo $cmds)" ]
readmecmds=$(grep -oE '^\| `ebph [a-z]+' README.md | sed 's/.*ebph //' | sort -u)
check "README's command table lists the commands of --help" [ "$(echo $readmecmds)" = "$(echo $cmds)" ]
for c in $cmds; do
	check "man SYNOPSIS names $c" sh -c "sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' man/ebph.8 | grep -q '$c'"
	"$EBPH" "$c" --help > "$T/cmdhelp" 2>&1
	check "ebph $c --help: usage once" [ "$(grep -c '^Usage:' "$T/cmdhelp")" -eq 1 ]
	check "ebph $c --help: every command named" sh -c "grep '^Commands:' '$T/cmdhelp' | grep -q ' $c'"
	for o in $(grep -oE -- '--[a-z][a-z-]+' "$T/cmdhelp" | sort -u); do
		check "ebph $c option $o in man/ebph.8" sh -c "sed 's/\\\\-/-/g' man/ebph.8 | grep -q -- '$o'"
	done
done

# bcc-style sections (issue 19.9)
for sec in SYNOPSIS DESCRIPTION REQUIREMENTS OPTIONS EXAMPLES FIELDS OVERHEAD LIMITATIONS \
	NAMES SOURCE BUGS OS STABILITY AUTHOR 'SEE ALSO'; do
	check "man page has section $sec" grep -q "^\.SH $sec\$" man/ebph.8
done
check "LIMITATIONS says what each full table does" sh -c "sed -n '/^\.SH LIMITATIONS/,/^\.SH /p' man/ebph.8 > '$T/lim' &&
	grep -q max_tasks '$T/lim' && grep -q max_profiles '$T/lim' && grep -q max_rows '$T/lim' && grep -q ringbuf_kb '$T/lim'"
check "README and man page give the same escaping rule" sh -c "grep -q 'surrogateescape' README.md &&
	grep -q 'surrogateescape' man/ebph.8 && grep -qF '\\udcXX' README.md"
check "README: no 'needs neither tracefs nor bpffs'" sh -c "! grep -q 'neither' README.md"
check "README: the new_profile example shows the new program's name" \
	grep -qE '^    new_profile +[0-9]+ ls +/usr/bin/ls' README.md

keys=$(grep -oE '^[a-z_]+:' config/ebph.yaml | tr -d : | sort)
check "config/ebph.yaml has keys" [ -n "$keys" ]
for k in $keys; do
	check "key $k in man/ebph.8" grep -q "^\\.B $k:" man/ebph.8
	check "key $k in README.md" grep -q "^| \`$k\` |" README.md
done
printed=$("$EBPH" --print-config | grep -oE '^[a-z_]+:' | tr -d : | sort)
check "--print-config prints exactly the keys of config/ebph.yaml" [ "$printed" = "$keys" ]
"$EBPH" --print-config > "$T/printed.yaml"
"$EBPH" -c "$T/printed.yaml" --print-config > "$T/printed2.yaml"
check "--print-config output loads back to itself" cmp -s "$T/printed.yaml" "$T/printed2.yaml"
check "config/ebph.yaml equals the built-in defaults" \
	sh -c "'$EBPH' -c config/ebph.yaml --print-config | cmp -s - '$T/printed.yaml'"

# The JSON contract: every type of docs/events.schema.json is documented in
# the man page's JSON OUTPUT, and the README names the schema and the keys
# every object starts with (tests/e2e_outputs.sh validates real output).
types=$(jq -r '."$defs" | keys[] | select(startswith("_") | not)' docs/events.schema.json)
check "docs/events.schema.json lists types" [ -n "$types" ]
sed -n '/^\.SH JSON OUTPUT/,/^\.SH /p' man/ebph.8 > "$T/jsonsec"
for t in $types; do
	check "schema type $t in man/ebph.8 JSON OUTPUT" grep -qx "\.B $t" "$T/jsonsec"
done
for t in $(grep -x '\.B [a-z_]*' "$T/jsonsec" | sed 's/^\.B //' | sort -u); do
	check "man JSON OUTPUT type $t is in docs/events.schema.json" sh -c "echo '$types' | grep -qx '$t'"
done
check "README names the schema and the common keys" sh -c "grep -q 'docs/events.schema.json' README.md &&
	grep -q '\"schema\"' README.md && grep -q '\"time\"' README.md && grep -q '\"hostname\"' README.md"
for sec in OUTPUT SIGNALS FILES 'JSON OUTPUT'; do
	check "man page has section $sec" grep -q "^\.SH $sec\$" man/ebph.8
done
check "SIGNALS names SIGHUP, SIGUSR1, SIGINT" sh -c "sed -n '/^\.SH SIGNALS/,/^\.SH /p' man/ebph.8 |
	grep -q SIGHUP && sed -n '/^\.SH SIGNALS/,/^\.SH /p' man/ebph.8 | grep -q SIGUSR1"

ci=$(grep -E '^sudo ' .ci/run)
check ".ci/run runs the README's test command" grep -qF "    $ci" README.md
check "README has a run command" grep -qE '^    sudo ./scripts/install-deps.sh && make && sudo ./ebph$' README.md
check "man page renders without warnings" sh -c "MANWIDTH=80 man --warnings -l man/ebph.8 2>&1 >/dev/null | grep -v '^$' | (! grep .)"

# Bash completion (issue 14.7): completions/ebph.bash offers exactly the
# options and commands that --help and each 'ebph COMMAND --help' list.
comp=completions/ebph.bash
# helpopts: the short and long options of a --help text's option lines.
helpopts() { grep -oE '^ +(-[a-zA-Z], +)?--[a-z][a-z-]*' | grep -oE -- '--[a-z][a-z-]*|-[a-zA-Z]' | sort -u; }
compvar() { sed -n "s/^$1='\(.*\)'\$/\1/p" "$comp" | tr ' ' '\n' | sort -u; }
"$EBPH" --help | sed '/^COMMANDS/q' | helpopts > "$T/hopts"
compvar _ebph_opts > "$T/copts"
check "completion: ebph's options are those of --help" cmp "$T/hopts" "$T/copts"
check "completion: the commands are those of --help" [ "$(compvar _ebph_cmds | tr '\n' ' ')" = "$(echo $cmds) " ]
for c in $cmds; do
	"$EBPH" "$c" --help | helpopts > "$T/hopts"
	compvar "_ebph_cmd_$c" > "$T/copts"
	check "completion: the options of $c are those of 'ebph $c --help'" cmp "$T/hopts" "$T/copts"
done
# complete WORDS...: what the completion offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ebph; echo "${COMPREPLY[*]}"' \
		sh "$comp" "$@"
}
check "completion: 'ebph pr' offers profiles and prune" [ "$(complete_words ebph pr)" = "profiles prune" ]
check "completion: 'ebph --no' offers --no-load and --no-save" \
	[ "$(complete_words ebph --no)" = "--no-load --no-save" ]
check "completion: 'ebph show --p' offers --pid and --pairs" [ "$(complete_words ebph show --p)" = "--pid --pairs" ]
check "completion: 'ebph -j prune --d' offers --dry-run" [ "$(complete_words ebph -j prune --d)" = "--dry-run" ]
check "completion: 'ebph help s' offers the commands" [ "$(complete_words ebph help s)" = "show sensitize status save" ]

# Licence (issue 14.7): LICENSE is the GPL-2.0 text, and every source file
# (C, headers, the BPF template, scripts, Makefiles) says so in its first lines.
if [ -r /usr/share/common-licenses/GPL-2 ]; then
	check "LICENSE is the GPL-2.0 text" cmp -s LICENSE /usr/share/common-licenses/GPL-2
else
	check "LICENSE is the GPL-2.0 text" grep -q 'GNU GENERAL PUBLIC LICENSE' LICENSE
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	srcs=$(git ls-files -co --exclude-standard)
else
	srcs=$(find . -path ./.git -prune -o -type f -print | sed 's|^\./||')
fi
nsrc=0
for f in $srcs; do
	case $f in
	gen/* | build-deb/* | debian/.debhelper/* | debian/ebph/* | debian/tmp/*) continue ;;
	*.c | *.h | *.in | *.sh | *.mk | *.jq | *.bash | Makefile | */Makefile | \
	debian/rules | debian/*.postrm | debian/*.postinst | debian/*.prerm | debian/*.preinst | \
	.ci/run | bench/run | scripts/*) ;;
	*) continue ;;
	esac
	[ -f "$f" ] || continue
	nsrc=$((nsrc + 1))
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-only' ||
		fail "$f has no 'SPDX-License-Identifier: GPL-2.0-only' line in its first 3 lines"
done
check "SPDX check saw the source files ($nsrc)" [ "$nsrc" -gt 50 ]

# README's Files table names every C file at the top level (issue 18.4: the
# rooms and their jobs).
for f in $srcs; do
	case $f in
	*/*) ;;
	*.c) check "README's Files table has $f" grep -q "^| \`$f\`" README.md ;;
	esac
done

summary
