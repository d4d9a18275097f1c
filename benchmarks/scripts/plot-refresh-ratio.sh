#!/bin/sh
# Plots the FULL/DIFFERENTIAL ratio of median refresh times against the change rate, one panel per
# query and one line per source size, from CSV files written by RefreshBench (failed cells are
# left out). Needs gnuplot (Debian: apt-get install gnuplot-nox).
#
# usage: benchmarks/scripts/plot-refresh-ratio.sh OUT.png RESULTS.csv...
set -eu
out=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One data file per query and size: "<percent> <ratio>" lines, sorted by percent.
awk -F, -v dir="$tmp" 'FNR > 1 && $1 == "matrix" && $12 == "ok" && $9 != "" {
  print $4 * 100, $9 > (dir "/" $3 "@" $2 ".dat")
}' "$@"
for f in "$tmp"/*.dat; do sort -g -o "$f" "$f"; done

queries="scan filter agg_few agg_many join join_agg left_join_agg"
sizes=$(ls "$tmp" | sed 's/.*@//; s/\.dat$//' | sort -n -u | tr '\n' ' ')

{
  echo 'set terminal pngcairo size 1800,950 font ",12" noenhanced'
  echo "set output '$out'"
  echo 'set multiplot layout 2,4 title "FULL / DIFFERENTIAL refresh time (medians): higher is better for DIFFERENTIAL" font ",15"'
  echo 'set logscale xy'
  echo 'set grid'
  echo 'set xrange [0.07:70]'
  echo 'set yrange [0.1:5000]'
  echo 'set xtics ("0.1" 0.1, "1" 1, "10" 10, "50" 50)'
  echo 'set format y "%g"'
  echo 'set xlabel "changes per refresh, % of rows"'
  echo 'set ylabel "FULL / DIFFERENTIAL"'
  echo 'set key top right font ",10"'
  for q in $queries; do
    echo "set title '$q'"
    plot="plot 1 with lines dt 2 lc rgb 'black' title '1×'"
    for s in $sizes; do
      f="$tmp/$q@$s.dat"
      if [ -f "$f" ]; then
        label=$(echo "$s" | awk '{ if ($1 >= 1000000) print $1 / 1000000 "M rows"; else print $1 / 1000 "K rows" }')
        plot="$plot, '$f' using 1:2 with linespoints lw 2 pt 7 title '$label'"
      fi
    done
    echo "$plot"
  done
  echo 'unset multiplot'
} | gnuplot
echo "wrote $out"
