#!/usr/bin/env bash
# Builds and runs the fuzz targets of fuzz/fuzz_targets/ with cargo-fuzz (libFuzzer) on the
# nightly toolchain, installing cargo-fuzz first when it is missing.
#
#   fuzz/run.sh                          every target for 20 s each (what CI runs)
#   fuzz/run.sh --seconds 600 token      one target for 10 minutes
#   fuzz/run.sh --grow --seconds 600     keep what the runs find in the committed corpora
#                                        fuzz/corpus/TARGET/, then minimize them (cargo fuzz cmin)
#   fuzz/run.sh --install                only install what is missing
#   fuzz/run.sh query_string -- -max_len=65536   pass what follows `--` to libFuzzer
#
# Without --grow, new inputs go to a scratch corpus under fuzz/target/ and the committed corpora
# are only read. An input that fails is saved under fuzz/artifacts/TARGET/ and the run fails;
# `cargo +nightly fuzz run -s none TARGET fuzz/artifacts/TARGET/crash-...` replays it.
#
# The targets are built without a sanitizer (`-s none`): the code under test is safe Rust
# (`unsafe_code = "forbid"`), so AddressSanitizer would find nothing a panic does not, at a
# seventh of the speed. Debug assertions (overflow checks among them) stay on.
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.2
seconds=20
grow=false
install_only=false
targets=()
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --) shift; extra=("$@"); break ;;
        --seconds) seconds="$2"; shift 2 ;;
        --grow) grow=true; shift ;;
        --install) install_only=true; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
if $install_only; then
    exit 0
fi

if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build -s none
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    if $grow; then
        corpora=("corpus/$target")
    else
        scratch="target/scratch-corpus/$target"
        rm -rf "$scratch" && mkdir -p "$scratch"
        corpora=("$scratch" "corpus/$target")
    fi
    echo "== fuzz $target for ${seconds}s" >&2
    cargo +nightly fuzz run -s none "$target" "${corpora[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -dict="dict/$target.dict" -print_final_stats=1 "${extra[@]}"
    if $grow; then
        cargo +nightly fuzz cmin -s none "$target" "corpus/$target"
    fi
done
