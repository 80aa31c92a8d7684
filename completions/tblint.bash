# bash completion for tblint (installed as share/bash-completion/completions/tblint).
# Subcommands, each subcommand's options, their values (formats, levels,
# rule codes from `tblint --list-rules`), and files or directories elsewhere.
# Kept in step with `tblint SUBCOMMAND --help` by tests/manpage_test.cc.

_tblint_rule_codes() {
  # Rule codes and their group prefixes (TB1, TB101, ...), from the binary itself.
  local codes
  codes=$("${COMP_WORDS[0]}" --list-rules 2>/dev/null | awk 'NR > 1 { print $1 }')
  [ -z "$codes" ] && codes="TB101 TB102 TB103 TB104 TB105 TB106 TB107 TB201 TB202 TB203 TB204 TB205 TB301 TB302 TB303 TB401 TB402 TB403 TB404 TB501 TB502 TB503 TB504 TB505 TB506 TB507 TB601 TB602 TB603 TB701 TB702 TB703 TB704 TB801"
  printf '%s\n' TB1 TB2 TB3 TB4 TB5 TB6 TB8 $codes
}

_tblint() {
  local cur prev words cword
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev=""
  [ "$COMP_CWORD" -gt 0 ] && prev="${COMP_WORDS[COMP_CWORD - 1]}"

  local subcommands="check runs restore archive export query merge merge-reports"
  local scan_opts="--select --extend-select --ignore --jobs -j --grace-period --max-record-mib --max-depth --shard --config --isolated --show-settings"
  local sub="check" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    case " $subcommands " in *" $w "*) sub="$w"; break ;; esac
  done

  local opts formats
  case "$sub" in
    check)
      opts="--help -h --version --format -f $scan_opts --baseline --write-baseline --fail-on --list-rules --explain --quiet -q --output-file -o --statistics --color --fix --unsafe-fixes --dry-run --backup-dir"
      formats="text json sarif github junit html" ;;
    runs)
      opts="--help -h --format -f $scan_opts --backup-dir"
      formats="text json" ;;
    restore)
      opts="--help -h --format -f --backup-dir"
      formats="text json" ;;
    archive)
      opts="--help -h --format -f --older-than --dead --to --dry-run --grace-period --backup-dir"
      formats="text json" ;;
    export)
      opts="--help -h --format -f --output -o --pivot --view --kinds --tags --runs --media-dir"
      formats="jsonl csv sqlite" ;;
    query)
      opts="--help -h --format -f --db --view --kinds --tags --runs --media-dir"
      formats="table csv json" ;;
    merge)
      opts="--help -h --output -o --join --reduce --on-overlap --nan --steps --name --csv --report" ;;
    merge-reports)
      opts="--help -h --format -f --output-file -o --fail-on --quiet -q --color --allow-missing-shards"
      formats="text json sarif github junit" ;;
  esac

  case "$prev" in
    --format | -f) COMPREPLY=($(compgen -W "$formats" -- "$cur")); return ;;
    --fail-on) COMPREPLY=($(compgen -W "error warning info never" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --view) COMPREPLY=($(compgen -W "raw tensorboard" -- "$cur")); return ;;
    --reduce) COMPREPLY=($(compgen -W "all mean std min max median count mean,std mean,std,min,max" -- "$cur")); return ;;
    --on-overlap) COMPREPLY=($(compgen -W "last first keep-all error" -- "$cur")); return ;;
    --nan) COMPREPLY=($(compgen -W "skip propagate" -- "$cur")); return ;;
    --steps) COMPREPLY=($(compgen -W "intersection union" -- "$cur")); return ;;
    --name) return ;;
    --older-than) COMPREPLY=($(compgen -W "12h 7d 30d 90d 2w" -- "$cur")); return ;;
    --to) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --csv | --report) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --kinds) COMPREPLY=($(compgen -W "scalars tensors histograms images audio text hparams" -- "$cur")); return ;;
    --select | --extend-select | --ignore | --explain) COMPREPLY=($(compgen -W "$(_tblint_rule_codes)" -- "${cur^^}")); return ;;
    --shard) COMPREPLY=($(compgen -W "1/2 2/2 1/4 2/4 3/4 4/4" -- "$cur")); return ;;
    --jobs | -j | --grace-period | --max-record-mib | --max-depth | --tags | --runs) return ;;
    --backup-dir | --media-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --output-file | -o | --output | --config | --baseline | --write-baseline | --db)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac

  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ "$sub" = "merge-reports" ]; then
    COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
  else
    local found=0
    for ((i = 1; i < COMP_CWORD; i++)); do
      case " $subcommands " in *" ${COMP_WORDS[i]} "*) found=1 ;; esac
    done
    if [ "$found" = 0 ]; then
      COMPREPLY=($(compgen -W "$subcommands" -- "$cur") $(compgen -f -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
  fi
}

complete -o filenames -o bashdefault -F _tblint tblint
