#!/usr/bin/env bash
# The manual pages are kept true: every command that a program's --help
# lists has a section (.SS) of its own, and every option that --help or a
# command's --help prints (down to sertel-admin's subcommands) appears in
# that program's page, in English (man/) and in Indonesian (man/id/).
# Every page renders without a warning from groff.
#
# Usage: manpages.sh SOURCE_DIR PROGRAM...
#   each PROGRAM is the path of a built binary; its page is
#   SOURCE_DIR/man/NAME.[18] and SOURCE_DIR/man/id/NAME.[18]
set -euo pipefail
src=${1:?usage: manpages.sh SOURCE_DIR PROGRAM...}
shift
. "$(dirname "$0")/lib.sh"
test_begin

# The words listed under "Commands:" and the --options a help text names
# (the layouts every --help of Sertel shares).
commands_of() { sed -n 's/^  \([a-z][a-z-]*\)\([ ].*\)\{0,1\}$/\1/p' "$1"; }
options_of() { grep -o -- '--[a-z][a-z0-9-]*' "$1" | sort -u; }

# The page's text with roff escapes undone, so that "\-\-key" and
# "\fBofficer add\fR" read as "--key" and "officer add".
plain() {
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' -e 's/\\(em/-/g' "$1"
}

# walk BIN WHERE PATH... : every command and option under PATH, as
# "command PATH..." and "option --x (from PATH --help)" lines.
walk() {
    local bin=$1 out=$2
    shift 2
    local help="$tmp/help.$RANDOM"
    english "$bin" "$@" --help >"$help" 2>&1 || true
    local o c
    for o in $(options_of "$help"); do
        echo "option $o|${bin##*/} $* --help" >>"$out"
    done
    for c in $(commands_of "$help"); do
        echo "command $* $c|${bin##*/} $* --help" >>"$out"
        [ $# -lt 2 ] && walk "$bin" "$out" "$@" "$c"
    done
    rm -f "$help"
}

for bin in "$@"; do
    name=${bin##*/}
    want="$tmp/$name.want"
    : >"$want"
    walk "$bin" "$want"
    [ -s "$want" ] || fail "$name --help names no command and no option"
    for lang in "" id/; do
        page=$(ls "$src/man/$lang$name".[18] 2>/dev/null | head -n 1 || true)
        if [ -z "$page" ]; then
            fail "no manual page man/$lang$name.1 or .8 for $name"
            continue
        fi
        plain "$page" >"$tmp/page"
        while IFS='|' read -r item from; do
            word=${item#* }
            word=${word# }
            case ${item%% *} in
            command) # described under a heading of its own
                grep -qE -- "^\.SS \"?${word}( |\"|\$)" "$tmp/page" ||
                    fail "${page#"$src"/} has no '.SS $word' section (from: $from)" ;;
            *)
                grep -qF -- "$word" "$tmp/page" ||
                    fail "${page#"$src"/} does not mention option '$word' (from: $from)" ;;
            esac
        done <"$want"
    done
done

# Every page, program or file format, renders cleanly in both languages.
for page in "$src"/man/*.[158] "$src"/man/id/*.[158]; do
    [ -e "$page" ] || continue
    if ! LC_ALL=C.UTF-8 MANWIDTH=80 MANROFFOPT=-ww man -l "$page" >"$tmp/out" 2>"$tmp/err" ||
        [ -s "$tmp/err" ]; then
        fail "${page#"$src"/} does not render cleanly: $(head -n 3 "$tmp/err")"
    fi
    [ "$(wc -l <"$tmp/out")" -gt 10 ] || fail "${page#"$src"/} renders to almost nothing"
    other=$src/man/$( [[ $page == */id/* ]] && echo "" || echo "id/")${page##*/}
    [ -e "$other" ] || fail "${page#"$src"/} has no ${other#"$src"/} beside it"
done

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed; the pages are man/NAME.N (English) and man/id/NAME.N" >&2
    exit 1
fi
echo "manual pages: every command and option of $# programs documented in both languages"
