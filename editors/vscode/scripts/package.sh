#!/bin/sh
# Packages the extension into adainf-vscode-<version>.vsix in editors/vscode (not
# published; install it with `code --install-extension <file>`): type-checks the client,
# bundles src/extension.ts and vscode-languageclient into dist/extension.js with esbuild,
# then runs @vscode/vsce. The grammar and language configuration are committed files,
# generated from the compiler's definitions (scripts/grammar.ts; the root tests check them).
set -eu
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
npx esbuild src/extension.ts --bundle --platform=node --format=cjs --target=node18 --external:vscode --minify --outfile=dist/extension.js
# The bundle holds every dependency (--no-dependencies); the repository has no LICENSE file
# and no public URL yet (--skip-license, --allow-missing-repository).
npx vsce package --no-dependencies --skip-license --allow-missing-repository "$@"
