# SPDX-License-Identifier: GPL-2.0-only
# ebph.bash: bash completion for ebph(8). The option and command lists below
# are the ones 'ebph --help' and 'ebph COMMAND --help' print (cli.c's options,
# admin.c's command table); tests/e2e_docs.sh checks that they agree.

_ebph_opts='-c --config -o --option -j --json -d --duration -T --timestamp -p --pid --tree -n --name --alerts -s --summary --ebpf --print-config --no-load --no-save -h --help -V --version'
_ebph_cmds='ps profiles show normalize sensitize tolerize delete notolerize autotolerize status save release prune help replay record'
_ebph_cmd_ps='-j --json -t --threads -h --help'
_ebph_cmd_profiles='-j --json -c --config -o --option -h --help'
_ebph_cmd_show='-j --json -c --config -o --option -p --pid --pairs --diff --svg -h --help'
_ebph_cmd_normalize='-j --json -c --config -o --option -p --pid --frozen --stable-for -h --help'
_ebph_cmd_sensitize='-j --json -c --config -o --option -p --pid -h --help'
_ebph_cmd_tolerize='-j --json -c --config -o --option -p --pid -h --help'
_ebph_cmd_delete='-j --json -c --config -o --option -p --pid -h --help'
_ebph_cmd_notolerize='-j --json -c --config -o --option -p --pid -h --help'
_ebph_cmd_autotolerize='-j --json -c --config -o --option -p --pid -h --help'
_ebph_cmd_status='-j --json -h --help'
_ebph_cmd_save='-j --json -h --help'
_ebph_cmd_release='--all -h --help'
_ebph_cmd_prune='-c --config -o --option -n --dry-run -h --help'
_ebph_cmd_help='-h --help'
_ebph_cmd_replay='-c --config -j --json -f --format -P --profile --strict -D --detector -k --length --train --normal --attack --roc -h --help'
_ebph_cmd_record='-o --output -p --pid -n --name -m --max-size -d --duration -h --help'

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
	--svg | --roc | --output | --train | --normal | --attack)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-p | --pid)
		COMPREPLY=($(compgen -W "$(ls /proc 2>/dev/null | grep -E '^[0-9]+$')" -- "$cur"))
		return
		;;
	-d | --duration | -n | --name | -o | --option | --stable-for | -m | --max-size | \
	-k | --length | -P | --profile | -f | --format | -D | --detector)
		return
		;;
	esac

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --config | -d | --duration | -p | --pid | -n | --name | --svg | -o | --option)
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
