# bash completion for sertel, sertel-admin and sertel-broker (installed
# under each name in share/bash-completion/completions).
#
# Commands, subcommands and options are read from the programs' own
# --help (in English, whose layout is stable), so the completion stays
# true as commands are added. An option's value is completed from its
# placeholder in the help: FILE, KEYFILE, DIR -> file names; NIP -> the
# enrolled officers; a|b|c -> those words. A positional CASE is completed
# with the case numbers in the officer's inbox. NIPs and case numbers come
# from the broker through `sertel complete-words`, with the --key and
# --endpoint of the line being completed.

_sertel_help()
{
    LANGUAGE= LC_ALL= LC_MESSAGES= LANG=en_US.UTF-8 "$@" --help 2>/dev/null
}

# The words listed under "Commands:" (two spaces, a lowercase word).
_sertel_commands()
{
    _sertel_help "$@" | sed -n 's/^  \([a-z][a-z-]*\)\([ ].*\)\{0,1\}$/\1/p'
}

_sertel_options()
{
    _sertel_help "$@" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# The placeholder the help shows after an option ("--to NIP" -> NIP).
_sertel_placeholder()
{
    local opt=$1
    shift
    _sertel_help "$@" | grep -o -- "$opt [A-Za-z][A-Za-z0-9_|.-]*" | head -n 1 | cut -d' ' -f2
}

_sertel_words()
{
    local what=$1
    shift
    sertel complete-words "$what" "$@" 2>/dev/null
}

_sertel()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]} i word
    local -a path=() conn=()
    # The command path (sertel-admin officer add), skipping options and
    # their values; --key and --endpoint are kept for complete-words.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
        --key | --endpoint)
            conn+=("$word" "${COMP_WORDS[i + 1]}")
            ((i++))
            ;;
        --*)
            [[ -n $(_sertel_placeholder "$word" "$prog" "${path[@]}") ]] && ((i++))
            ;;
        *)
            # A word the level above lists as a command goes deeper;
            # anything else is a positional argument.
            if _sertel_commands "$prog" "${path[@]}" | grep -qx -- "$word"; then
                path+=("$word")
            fi
            ;;
        esac
    done

    if [[ $prev == --* ]]; then
        local arg
        arg=$(_sertel_placeholder "$prev" "$prog" "${path[@]}")
        case $arg in
        "") ;;
        *FILE* | *DIR* | *BERKAS*)
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return
            ;;
        NIP)
            COMPREPLY=($(compgen -W "$(_sertel_words nips "${conn[@]}")" -- "$cur"))
            return
            ;;
        CASE)
            COMPREPLY=($(compgen -W "$(_sertel_words cases "${conn[@]}")" -- "$cur"))
            return
            ;;
        *"|"*)
            COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur"))
            return
            ;;
        *)
            return # free text
            ;;
        esac
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_sertel_options "$prog" "${path[@]}")" -- "$cur"))
        return
    fi
    local commands
    commands=$(_sertel_commands "$prog" "${path[@]}")
    if [[ -n $commands ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    elif [[ $prog == *sertel && ${#path[@]} -gt 0 ]] &&
        _sertel_help "$prog" "${path[@]}" | grep -qE "^Usage: .* ${path[*]} \[?CASE"; then
        COMPREPLY=($(compgen -W "$(_sertel_words cases "${conn[@]}")" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
        compopt -o filenames 2>/dev/null
    fi
}

complete -F _sertel sertel sertel-admin sertel-broker
