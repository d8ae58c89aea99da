#!/bin/sh
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

ci=$(grep -E '^sudo ' .ci/run)
check ".ci/run runs the README's test command" grep -qF "    $ci" README.md
check "README has a run command" grep -qE '^    sudo ./scripts/install-deps.sh && make && sudo ./ebph$' README.md
check "man page renders without warnings" sh -c "MANWIDTH=80 man --warnings -l man/ebph.8 2>&1 >/dev/null | grep -v '^$' | (! grep .)"

summary
