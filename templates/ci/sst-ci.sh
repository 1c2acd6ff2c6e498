#!/bin/sh
# The sst steps of .github/workflows/sst.yml, one per CI event. They are
# plain commands: run them anywhere the same way, `sh .github/sst-ci.sh <step>`.
#
#   pr <n>      a pull request opened or updated: plan the target stage for
#               review ($SST_PLAN_DIR/summary.md) and deploy the pull
#               request's own stage pr-<n>
#   plan        a merge to the main branch: plan the target stage, saved in
#               $SST_PLAN_DIR for review and for `apply`
#   apply       after approval: deploy exactly the plan `plan` saved; refused,
#               changing nothing, if anything it was made from changed
#   close <n>   a pull request closed: remove stage pr-<n>
#
# SST_TARGET_STAGE is the stage merges deploy to (default prod),
# SST_PLAN_DIR where the plan goes (default sst-plan), SST the command
# (default sst). Stacks that destroy or replace data stores need
# SST_ALLOW_REPLACE=1 for `apply` (see the README's Teams section).
set -eu
sst=${SST:-sst}
target=${SST_TARGET_STAGE:-prod}
plan=${SST_PLAN_DIR:-sst-plan}
case "${1:-}" in
pr)
	n=${2:?usage: sst-ci.sh pr <pull request number>}
	"$sst" diff --out "$plan" --stage "$target"
	"$sst" deploy --stage "pr-$n"
	;;
plan)
	"$sst" diff --out "$plan" --stage "$target"
	;;
apply)
	if [ -n "${SST_ALLOW_REPLACE:-}" ]; then
		"$sst" deploy --plan "$plan" --stage "$target" --allow-replace
	else
		"$sst" deploy --plan "$plan" --stage "$target"
	fi
	;;
close)
	n=${2:?usage: sst-ci.sh close <pull request number>}
	"$sst" remove --stage "pr-$n" --yes
	;;
*)
	echo "usage: sh .github/sst-ci.sh pr <n> | plan | apply | close <n>" >&2
	exit 2
	;;
esac
