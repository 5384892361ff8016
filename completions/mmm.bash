# bash completion for the mmm tools                      -*- shell-script -*-
#
# Installed once per tool as share/bash-completion/completions/mmm-TOOL, or
# sourced from ~/.bashrc.  A new tool adds a branch to the case in _mmm_opts
# and its name to the `complete' line at the end.

# Set the option lists of tool $1: options (all of them), argopts (those
# that take a value), fileopts (a file), diropts (a directory), colopts (one
# column or a list of columns, or COL:... or A*B), listopts (the colopts that
# take a comma-separated list).  Return 1 for a tool it does not know.
_mmm_opts()
{
	case $1 in
	mmm-validate)
		options='-h --help -q --quiet -o --output --report --rejects
		    --drop-invalid --max-rejected --date --by --freq --require
		    --max-missing --allow-missing --outlier-cols --numeric
		    --nonneg --range --rule --today --max-age --key
		    --max-duplicates --no-unique --outlier-z --max-outliers
		    --target --leak-corr --profile-out --against --drift-sd
		    --drift-missing --progress --version'
		argopts='-o --output --report --rejects --max-rejected --date
		    --by --freq --require --max-missing --allow-missing
		    --outlier-cols --numeric --nonneg --range --rule --today
		    --max-age --key --max-duplicates --outlier-z --max-outliers
		    --target --leak-corr --profile-out --against --drift-sd
		    --drift-missing'
		fileopts='-o --output --report --rejects --profile-out
		    --against'
		colopts='--date --by --require --allow-missing --outlier-cols
		    --numeric --nonneg --range --rule --key --target'
		listopts='--by --require --allow-missing --outlier-cols
		    --numeric --nonneg --range --key'
		;;
	mmm-features)
		options='-h --help -q --quiet -o --output --date --by --freq
		    --join --on --time --fourier --holidays --country
		    --holiday-window --lag --diff --pct-change --rolling
		    --adstock --saturation --onehot --log --scale --interact
		    --spec --spec-out --dropna --rejects --report --sort
		    --progress --version'
		argopts='-o --output --date --by --freq --join --on --time
		    --fourier --holidays --country --holiday-window --lag --diff
		    --pct-change --rolling --adstock --saturation --onehot --log
		    --scale --interact --spec --spec-out --rejects --report'
		fileopts='-o --output --join --holidays --spec --spec-out
		    --rejects --report'
		colopts='--date --by --on --lag --diff --pct-change --rolling
		    --adstock --saturation --onehot --log --scale --interact'
		listopts='--by --on --scale'
		;;
	mmm-split)
		options='-h --help --version --test --gap --train-out --test-out
		    --gap-out --folds --valid-size --max-train --fold-dir --date
		    --by --report --plan'
		argopts='--test --gap --train-out --test-out --gap-out --folds
		    --valid-size --max-train --fold-dir --date --by --report'
		fileopts='--train-out --test-out --gap-out --report'
		diropts='--fold-dir'
		colopts='--date --by'
		listopts='--by'
		;;
	mmm-predict)
		options='-h --help --version -o --output -m --model -q --quiet
		    --keep --by --interval --contributions --format --metrics
		    --max-r2-drop --max-mape-rise --strict-drift --drift-sd
		    --threads'
		argopts='-o --output -m --model --keep --by --interval --format
		    --metrics --max-r2-drop --max-mape-rise --drift-sd --threads'
		fileopts='-o --output -m --model --metrics'
		diropts=''
		colopts='--keep --by'
		listopts='--keep --by'
		;;
	mmm-allocate)
		options='-h --help --version -o --output -q --quiet -m --model
		    -r --response -b --budget --periods --current --window --min
		    --max --unbounded --fix --mode --target --average --context
		    --rule --interval --simulate --scenarios --draws --seed --aov
		    --curves --points --max-x'
		argopts='-o --output -m --model -r --response -b --budget
		    --periods --current --window --min --max --fix --mode
		    --target --context --rule --interval --simulate --scenarios
		    --draws --seed --aov --curves --points --max-x'
		fileopts='-o --output -m --model -r --response --context
		    --scenarios --curves'
		diropts=''
		colopts=''
		listopts=''
		;;
	mmm-synth)
		options='-h --help --version -o --output --periods --freq
		    --start --channels --seed --noise --truth --components'
		argopts='-o --output --periods --freq --start --channels --seed
		    --noise --truth --components'
		fileopts='-o --output --truth --components'
		diropts=''
		colopts=''
		listopts=''
		;;
	mmm-train)
		options='-h --help --version -o --output --model --target
		    --features --weights --date --no-intercept --drop-missing
		    --level --lambda --positive --alpha-1 --alpha-2 --lambda-1
		    --lambda-2 --tol --max-iter --cv --gates --min-r2 --max-mape
		    --min-lift --max-cv-std --max-p --max-p-cols
		    --normal-residuals --valid --registry --name --now
		    --check-model --media --controls --adstock --saturation
		    --bounds --trend --fourier --method --iterations --trials
		    --seed --threads --rssd-weight --select --pareto --window
		    --dry-run --progress -q --quiet --lift --lift-weight
		    --lift-quantile --rssd-zero-penalty --no-rssd-zero-penalty
		    --holidays --country --valid-frac --stability --windows
		    --chains --draws --warmup
		    --keep-draws --target-accept --roi-prior --max-rhat --min-ess
		    --no-diagnostics-gate'
		argopts='-o --output --model --target --features --weights --date
		    --level --lambda --positive --alpha-1 --alpha-2 --lambda-1
		    --lambda-2 --tol --max-iter --cv --gates --min-r2 --max-mape
		    --min-lift --max-cv-std --max-p --max-p-cols --registry --name
		    --now --check-model --valid --media --controls --adstock
		    --saturation --bounds --fourier --method --iterations --trials
		    --seed --threads --rssd-weight --select --pareto --window
		    --lift --lift-weight --lift-quantile --holidays --country
		    --valid-frac --stability --windows
		    --chains --draws --warmup --keep-draws --target-accept
		    --roi-prior --max-rhat --min-ess'
		fileopts='-o --output --check-model --valid --pareto --lift
		    --holidays'
		diropts='--registry'
		colopts='--target --features --weights --date --positive
		    --max-p-cols --media --controls'
		listopts='--features --positive --max-p-cols --media --controls'
		;;
	*)
		return 1
		;;
	esac
}

# Add to COMPREPLY the words $4... that start with $2, each as $1WORD$3 less
# the part of the word before readline's last word break ($brk).
_mmm_add()
{
	local pre=$1 part=$2 suf=$3 w c

	shift 3
	for w; do
		[[ $w == "$part"* ]] || continue
		c=$pre$w$suf
		COMPREPLY+=("${c#"$brk"}")
	done
}

# Is the word $1 in the blank-separated list $2?
_mmm_in()
{
	[[ " ${2//[[:space:]]/ } " == *" $1 "* ]]
}

# The column names of CSV file $1, one per line: the header's fields with a
# byte order mark, a trailing CR and the quoting removed.
_mmm_header()
{
	local line="" c name="" i quoted=0
	local -a f

	{ IFS= read -r line < "$1"; } 2>/dev/null
	[[ -n $line ]] && ((${#line} <= 65536)) || return 1
	line=${line#$'\xef\xbb\xbf'}
	line=${line%$'\r'}
	if [[ $line != *'"'* ]]; then
		IFS=, read -r -a f <<< "$line"
		printf '%s\n' "${f[@]}"
		return
	fi
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if ((quoted)); then
			if [[ $c != '"' ]]; then
				name+=$c
			elif [[ ${line:i+1:1} == '"' ]]; then
				name+='"'
				((i++))
			else
				quoted=0
			fi
		elif [[ $c == '"' ]]; then
			quoted=1
		elif [[ $c == , ]]; then
			printf '%s\n' "$name"
			name=""
		else
			name+=$c
		fi
	done
	printf '%s\n' "$name"
}

# Rebuild the words as typed into words[] and cword.  COMP_WORDS is split
# at the characters of COMP_WORDBREAKS too ('=', ':', '<', '>' ...); a piece
# with no blank before it in COMP_LINE is glued back to the word before.
_mmm_words()
{
	local i j=-1 pos=0 gap w line=$COMP_LINE

	words=()
	cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		gap=0
		while [[ ${line:pos:1} == [[:space:]] ]]; do
			((pos++))
			gap=1
		done
		if ((i > 0 && !gap && j >= 0)); then
			words[j]+=$w
		else
			words[++j]=$w
		fi
		((pos += ${#w}))
		((i == COMP_CWORD)) && cword=$j
	done
}

_mmm()
{
	local cmd=${1##*/} cur prev options argopts fileopts diropts colopts
	local listopts i w input="" pre="" sep="" brk c rest last cword
	local -a words cols

	_mmm_opts "$cmd" || return
	COMPREPLY=()
	_mmm_words
	cur=${words[cword]}
	prev=""
	((cword > 0)) && prev=${words[cword - 1]}
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	elif [[ $cur == -* ]]; then
		prev=""
	fi
	_mmm_in "$prev" "$argopts" || prev=""

	# The input operand: the first word but the current one that is
	# neither an option nor an option's value.
	for ((i = 1; i < ${#words[@]}; i++)); do
		w=${words[i]}
		if [[ $w == -- ]]; then
			((i + 1 != cword)) && input=${words[i + 1]}
			break
		elif ((i == cword)); then
			continue
		elif [[ $w == -?* ]]; then
			[[ $w != *=* ]] && _mmm_in "$w" "$argopts" && ((i++))
		else
			input=$w
			break
		fi
	done
	[[ $input == \~/* ]] && input=$HOME/${input#\~/}

	# Readline replaces only what follows the last word break in cur.
	brk=${cur%"${cur##*[=:<>]}"}

	if [[ -n $prev ]]; then
		if _mmm_in "$prev" "$fileopts"; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		elif _mmm_in "$prev" "$diropts"; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return
		fi
		# Values that are not column names: the words of the
		# parameters, after the column and its ':'.
		case $prev in
		--freq)
			_mmm_add "" "$cur" "" daily weekly
			return
			;;
		--mode)
			_mmm_add "" "$cur" "" max-response target-roas
			return
			;;
		--model)
			# mmm-train's kinds; mmm-predict's --model is a file
			if [[ $cmd == mmm-predict || $cmd == mmm-allocate ]]; then
				compopt -o filenames 2>/dev/null
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			else
				_mmm_add "" "$cur" "" ols ridge bayes mmm
			fi
			return
			;;
		--format)
			_mmm_add "" "$cur" "" csv jsonl
			return
			;;
		--gates)
			_mmm_add "" "$cur" "" default
			return
			;;
		--time)
			[[ $cur == *,* ]] && pre=${cur%,*},
			_mmm_add "$pre" "${cur##*,}" "" dow month quarter \
			    season weekofyear dayofyear weekend trend
			return
			;;
		--fourier)
			[[ $cur == *,* ]] && pre=${cur%,*},
			rest=${cur##*,}
			if [[ $rest != *:* ]]; then
				compopt -o nospace 2>/dev/null
				_mmm_add "$pre" "$rest" : yearly weekly
			fi
			return
			;;
		--adstock)
			if [[ $cur == *:* ]]; then
				rest=${cur#*:}
				[[ $rest == *:* ]] && return
				compopt -o nospace 2>/dev/null
				_mmm_add "${cur%%:*}:" "$rest" : geometric \
				    geometric_trunc weibull_cdf weibull_pdf \
				    delayed
				return
			fi
			;;
		--saturation)
			if [[ $cur == *:* ]]; then
				rest=${cur#*:}
				compopt -o nospace 2>/dev/null
				if [[ $rest != *:* ]]; then
					_mmm_add "${cur%%:*}:" "$rest" : hill \
					    logistic michaelis
				elif [[ $rest == hill:*:* ]]; then
					# hill:ALPHA:abs:GAMMA
					rest=${rest#hill:*:}
					[[ $rest == *:* ]] ||
					    _mmm_add "${cur%"$rest"}" "$rest" : abs
				fi
				return
			fi
			;;
		--rolling)
			if [[ $cur == *:* ]]; then
				# A STAT after the column's ':' or after a ','.
				rest=${cur#*:}
				last=${rest##*[:,]}
				rest=${rest%"$last"}
				if [[ -z $rest || $rest == *, ]]; then
					compopt -o nospace 2>/dev/null
					_mmm_add "${cur%"$last"}" "$last" : mean \
					    std min max sum
				fi
				return
			fi
			;;
		--scale)
			if [[ $cur == *:* ]]; then
				_mmm_add "${cur%:*}:" "${cur##*:}" "" standard \
				    minmax maxabs
				return
			fi
			;;
		--lag|--diff|--pct-change)
			[[ $cur == *:* ]] && return
			;;
		esac
		_mmm_in "$prev" "$colopts" && [[ -f $input ]] || return

		# Column names.  A list: complete the name after the last
		# comma.  What follows the name: '=' for --range, ':' for
		# COL:..., '*' for the A of --interact.
		if _mmm_in "$prev" "$listopts" && [[ $cur == *,* ]]; then
			pre=${cur%,*},
			cur=${cur##*,}
		fi
		case $prev in
		--range)
			sep="="
			;;
		--lag|--diff|--pct-change|--rolling|--adstock|--saturation|--scale)
			sep=:
			;;
		--interact)
			if [[ $cur == *\** ]]; then
				pre=${cur%%\**}*
				cur=${cur#*\*}
			else
				sep='\*'
			fi
			;;
		esac
		[[ -n $sep || $prev == --rule ]] && compopt -o nospace 2>/dev/null
		# Matched by hand: compgen -W would expand $(...) in a column
		# name.
		mapfile -t cols < <(_mmm_header "$input")
		for c in "${cols[@]}"; do
			[[ -n $c && $c == "$cur"* ]] || continue
			[[ $c == *[^A-Za-z0-9_.,:=+-]* ]] && c=$(printf '%q' "$c")
			c=$pre$c$sep
			COMPREPLY+=("${c#"$brk"}")
		done
		return
	fi

	if [[ $cur == -* || -n $input ]]; then
		COMPREPLY=($(compgen -W "$options" -- "$cur"))
	else
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

complete -F _mmm mmm-validate mmm-features mmm-split mmm-train mmm-predict \
    mmm-synth mmm-allocate
