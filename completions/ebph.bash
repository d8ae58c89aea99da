# SPDX-License-Identifier: GPL-2.0-only
# ebph.bash: bash completion for ebph(8). The option and command lists below
# are the ones 'ebph --help' and 'ebph COMMAND --help' print (cli.c's options,
# admin.c's command table); tests/e2e_docs.sh checks that they agree.

_ebph_opts='-c --config -j --json -d --duration -T --timestamp -p --pid --tree -n --name -s --summary --ebpf --print-config --no-load --no-save -h --help -V --version'
_ebph_cmds='ps profiles show normalize sensitize tolerize delete save prune help'
_ebph_cmd_ps='-j --json -t --threads -h --help'
_ebph_cmd_profiles='-j --json -c --config -h --help'
_ebph_cmd_show='-j --json -c --config -p --pid --pairs --diff --svg -h --help'
_ebph_cmd_normalize='-j --json -c --config -p --pid -h --help'
_ebph_cmd_sensitize='-j --json -c --config -p --pid -h --help'
_ebph_cmd_tolerize='-j --json -c --config -p --pid -h --help'
_ebph_cmd_delete='-j --json -c --config -p --pid -h --help'
_ebph_cmd_save='-j --json -h --help'
_ebph_cmd_prune='-c --config -n --dry-run -h --help'
_ebph_cmd_help='-h --help'

# Complete ebph's options, its commands, and their arguments.
_ebph()
{
	local cur prev cmd opts i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	case $prev in
	-c | --config)
		COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur") $(compgen -d -- "$cur"))
		return
		;;
	--svg)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-p | --pid)
		COMPREPLY=($(compgen -W "$(ls /proc 2>/dev/null | grep -E '^[0-9]+$')" -- "$cur"))
		return
		;;
	-d | --duration | -n | --name)
		return
		;;
	esac

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --config | -d | --duration | -p | --pid | -n | --name | --svg)
			((i++))
			;;
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$_ebph_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_ebph_cmds" -- "$cur"))
		fi
		return
	fi
	opts=_ebph_cmd_$cmd
	if [[ $cmd == help ]]; then
		COMPREPLY=($(compgen -W "$_ebph_cmds" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${!opts}" -- "$cur"))
	else
		case $cmd in
		show | normalize | sensitize | tolerize | delete)
			COMPREPLY=($(compgen -f -- "$cur"))
			;;
		esac
	fi
}
complete -F _ebph ebph
